//! Keyword in context: every occurrence of a search's matches with the words around it, one
//! line each, as concordance programs (and MAXQDA, ATLAS.ti) show them.
//!
//! An occurrence is one match of the query in a hit (a match is a word, a compound whose part
//! matched, or a whole phrase), with up to `width` words before and after it inside the same
//! turn: the context never runs into the next speaker's words. Only respondent turns unless
//! asked otherwise, as for autocoding and word frequencies.

use super::index::stream::all_hits;
use super::index::{Index, Query, SearchError, Source};
use super::text::fold_accents;
use serde::Serialize;
use std::cmp::Ordering;

/// How the lines are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KwicSort {
    /// By the words before the keyword, nearest first (all "de meldcode", then "een meldcode").
    Left,
    /// By the words after the keyword.
    Right,
    /// In project order: transcript, then position.
    #[default]
    Transcript,
}

impl std::str::FromStr for KwicSort {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "left" => Ok(KwicSort::Left),
            "right" => Ok(KwicSort::Right),
            "transcript" => Ok(KwicSort::Transcript),
            _ => Err(format!("unknown sort \"{s}\" (left, right or transcript)")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KwicOptions {
    /// Words of context on each side.
    pub width: usize,
    pub sort: KwicSort,
    /// Also lines from interviewer turns.
    pub include_interviewer: bool,
}

impl Default for KwicOptions {
    fn default() -> Self {
        KwicOptions {
            width: 6,
            sort: KwicSort::default(),
            include_interviewer: false,
        }
    }
}

/// One occurrence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KwicLine {
    pub transcript: String,
    pub respondent: String,
    pub group: String,
    pub school: String,
    pub school_type: String,
    pub speaker: Option<String>,
    /// Character offsets of the keyword in the transcript (for "go to the transcript").
    pub start: usize,
    pub end: usize,
    /// Up to `width` words before the keyword, on one line.
    pub left: String,
    /// The matched text as written.
    pub keyword: String,
    /// Up to `width` words after it.
    pub right: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Kwic {
    pub lines: Vec<KwicLine>,
    /// Occurrences left out because they are in interviewer turns.
    pub interviewer_lines: usize,
    /// Things the user should know about the query (see `Hits::notes`).
    pub notes: Vec<String>,
}

/// The concordance of `query` (its limit and rank are ignored: every hit). Each hit is taken
/// as where it is and its matches ([`AllHits::for_each_place`]): no snippet, and of its text
/// only the words shown are looked at (the context is cut from the keyword outwards).
pub fn kwic<S: Source + ?Sized>(
    project: &S,
    index: &Index,
    query: &Query,
    options: &KwicOptions,
) -> Result<Kwic, SearchError> {
    let found = all_hits(
        project,
        index,
        &Query {
            limit: 0,
            ..query.clone()
        },
    )?;
    let mut out = Kwic {
        notes: found.notes.clone(),
        ..Kwic::default()
    };
    let settings = project.settings();
    // (the transcript's row in respondents.csv, the line): the project's order.
    let mut order: Vec<(usize, KwicLine)> = Vec::new();
    found.for_each_place(project, |hit| -> Result<(), SearchError> {
        let interviewer = settings.is_interviewer(hit.speaker);
        let t = hit.text;
        let r = hit.respondent;
        for m in &hit.matches {
            if interviewer && !options.include_interviewer {
                out.interviewer_lines += 1;
                continue;
            }
            let left = left_words(t.slice(hit.start, m.start), options.width);
            let right: Vec<&str> = t
                .slice(m.end, hit.end)
                .split_whitespace()
                .take(options.width)
                .collect();
            let keyword = t
                .slice(m.start, m.end)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            order.push((
                r.line,
                KwicLine {
                    transcript: t.id.clone(),
                    respondent: r.id.clone(),
                    group: r.group.clone(),
                    school: r.school.clone(),
                    school_type: r.school_type.clone(),
                    speaker: hit.speaker.map(str::to_string),
                    start: m.start,
                    end: m.end,
                    left,
                    keyword,
                    right: right.join(" "),
                },
            ));
        }
        Ok(())
    })?;
    let key = |s: &str| fold_accents(&s.to_lowercase());
    let by_place = |a: &(usize, KwicLine), b: &(usize, KwicLine)| {
        (a.0, &a.1.transcript, a.1.start).cmp(&(b.0, &b.1.transcript, b.1.start))
    };
    match options.sort {
        KwicSort::Transcript => order.sort_by(by_place),
        KwicSort::Left => {
            let mut keyed: Vec<(Vec<String>, (usize, KwicLine))> = order
                .into_iter()
                .map(|l| {
                    let words = l.1.left.split(' ').rev().map(key).collect();
                    (words, l)
                })
                .collect();
            keyed.sort_by(|a, b| cmp_words(&a.0, &b.0).then_with(|| by_place(&a.1, &b.1)));
            order = keyed.into_iter().map(|(_, l)| l).collect();
        }
        KwicSort::Right => {
            let mut keyed: Vec<(Vec<String>, (usize, KwicLine))> = order
                .into_iter()
                .map(|l| (l.1.right.split(' ').map(key).collect(), l))
                .collect();
            keyed.sort_by(|a, b| cmp_words(&a.0, &b.0).then_with(|| by_place(&a.1, &b.1)));
            order = keyed.into_iter().map(|(_, l)| l).collect();
        }
    }
    out.lines = order.into_iter().map(|(_, l)| l).collect();
    Ok(out)
}

/// The last `width` words of `before`, read from its end: a keyword late in a long turn
/// does not split the whole turn before it into words.
fn left_words(before: &str, width: usize) -> String {
    let mut words: Vec<&str> = before.split_whitespace().rev().take(width).collect();
    words.reverse();
    words.join(" ")
}

/// Word by word, punctuation ignored (`meldcode,` sorts as `meldcode`); an empty context last.
fn cmp_words(a: &[String], b: &[String]) -> Ordering {
    let clean = |w: &String| -> String { w.chars().filter(|c| c.is_alphanumeric()).collect() };
    let a: Vec<String> = a.iter().map(clean).filter(|w| !w.is_empty()).collect();
    let b: Vec<String> = b.iter().map(clean).filter(|w| !w.is_empty()).collect();
    match (a.is_empty(), b.is_empty()) {
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => a.cmp(&b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_compare_without_punctuation_and_empty_last() {
        let w = |s: &str| -> Vec<String> { s.split(' ').map(str::to_string).collect() };
        assert_eq!(
            cmp_words(&w("meldcode, en"), &w("meldcode de")),
            Ordering::Greater
        );
        assert_eq!(cmp_words(&w(""), &w("a")), Ordering::Greater);
        assert_eq!(cmp_words(&w("a"), &w("b")), Ordering::Less);
    }
}
