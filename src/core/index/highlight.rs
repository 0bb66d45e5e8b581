//! Where a query's matches are in a text (highlighting), and a hit's snippet around them.

use super::decompound::{IndexedWords, MIN_PART_CHARS, Splitter};
use super::schema::{self, exact_analyzer, stemmed_analyzer};
use crate::core::transcript::Transcript;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::{Arc, Mutex};
use tantivy::tokenizer::TextAnalyzer;

/// Longest snippet, in characters (plus an ellipsis at either end).
pub const SNIPPET_CHARS: usize = 200;
/// How matches are marked in `Snippet::marked`.
pub const MARK_OPEN: &str = "«";
pub const MARK_CLOSE: &str = "»";

/// The part of a unit's text shown in a result list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// Text on one line (line breaks shown as spaces), `…` where cut.
    pub text: String,
    /// Character ranges of the matches in `text`.
    pub matches: Vec<Range<usize>>,
    /// `text` with every match between `«` and `»`.
    pub marked: String,
}

/// What a query's matches look like in text: stems, exact words, prefixes, phrases.
#[derive(Clone, Default)]
pub(super) struct Highlight {
    /// Stems of the one-word parts, matched by a word or by a part of a compound.
    pub(super) stems: HashSet<String>,
    /// The index's words, to split compounds as the index did.
    pub(super) lexicon: Option<Arc<IndexedWords>>,
    pub(super) exact: HashSet<String>,
    pub(super) prefixes: Vec<String>,
    pub(super) phrases: Vec<PhrasePattern>,
    /// The stem of each word met so far, shared by the query's clones: the matches of 100,000
    /// hits (kwic, a full export of hits) stemmed every word of every hit's turn again, most
    /// of the time of `kwic`. Each word is stemmed alone ([`schema::word_stemmer`]): the
    /// analyzer's filters work token by token.
    pub(super) stem_cache: Arc<Mutex<HashMap<String, String>>>,
}

#[derive(Clone)]
pub(super) struct PhrasePattern {
    pub(super) words: Vec<String>,
    /// The last word is a prefix.
    pub(super) prefix: bool,
    /// Positions the words may be off by, in all (tantivy's phrase slop).
    pub(super) slop: u32,
}

struct Tok {
    from: usize,
    to: usize,
    /// Position as the index counts it (a dropped over-long word still takes one).
    pos: usize,
    exact: String,
    stem: String,
}

impl PhrasePattern {
    /// Byte ranges, from its first to its last word, of every run of tokens that matches the
    /// phrase as tantivy's phrase query does: word `j` at position `p_j`, and the distances
    /// between consecutive words' `p_j - j` adding up to at most `slop` (so with slop 0 the words
    /// stand side by side in order; a swap costs 2).
    fn runs(&self, toks: &[Tok]) -> Vec<Range<usize>> {
        let n = self.words.len();
        let is = |j: usize, t: &Tok| {
            if self.prefix && j == n - 1 {
                t.exact.starts_with(self.words[j].as_str())
            } else {
                t.exact == self.words[j]
            }
        };
        // Candidates per word (token indices, in text order) and, per candidate, the least slop
        // of a chain of the words before it ending there, with the candidate it came from.
        let cands: Vec<Vec<usize>> = (0..n)
            .map(|j| (0..toks.len()).filter(|&i| is(j, &toks[i])).collect())
            .collect();
        if n == 0 || cands.iter().any(Vec::is_empty) {
            return Vec::new();
        }
        let shifted = |j: usize, i: usize| toks[i].pos as i64 - j as i64;
        let slop = i64::from(self.slop);
        let mut best: Vec<Vec<Option<(i64, usize)>>> = vec![vec![Some((0, 0)); cands[0].len()]];
        for j in 1..n {
            let prev = &cands[j - 1];
            let row: Vec<Option<(i64, usize)>> = cands[j]
                .iter()
                .map(|&i| {
                    let q = shifted(j, i);
                    // Candidates of word j-1 whose shifted position is within the slop.
                    let lo = prev.partition_point(|&k| shifted(j - 1, k) < q - slop);
                    (lo..prev.len())
                        .take_while(|&b| shifted(j - 1, prev[b]) <= q + slop)
                        .filter(|&b| prev[b] != i)
                        .filter_map(|b| {
                            let (cost, _) = best[j - 1][b]?;
                            let cost = cost + (q - shifted(j - 1, prev[b])).abs();
                            (cost <= slop).then_some((cost, b))
                        })
                        .min()
                })
                .collect();
            best.push(row);
        }
        let mut out = Vec::new();
        for (k, end) in best[n - 1].iter().enumerate() {
            let Some((_, mut from)) = *end else { continue };
            let (mut lo, mut hi) = (cands[n - 1][k], cands[n - 1][k]);
            for j in (0..n - 1).rev() {
                let i = cands[j][from];
                (lo, hi) = (lo.min(i), hi.max(i));
                from = best[j][from].map_or(0, |(_, b)| b);
            }
            out.push(toks[lo].from..toks[hi].to);
        }
        out
    }
}

impl Highlight {
    fn is_empty(&self) -> bool {
        self.stems.is_empty()
            && self.exact.is_empty()
            && self.prefixes.is_empty()
            && self.phrases.is_empty()
    }

    /// Byte ranges of the matches in `text`, sorted, overlaps merged.
    pub(super) fn byte_ranges(&self, text: &str) -> Vec<Range<usize>> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut toks: Vec<Tok> = Vec::new();
        exact_analyzer().token_stream(text).process(&mut |t| {
            toks.push(Tok {
                from: t.offset_from,
                to: t.offset_to,
                pos: t.position,
                exact: t.text.clone(),
                stem: String::new(),
            });
        });
        let mut stem = stemmed_analyzer();
        if !self.stems.is_empty() {
            let mut word = schema::word_stemmer();
            let mut cache = self
                .stem_cache
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for tok in &mut toks {
                tok.stem = match cache.get(&tok.exact) {
                    Some(s) => s.clone(),
                    None => {
                        let s = schema::tokens(&mut word, &tok.exact)
                            .into_iter()
                            .next()
                            .unwrap_or_default();
                        cache.insert(tok.exact.clone(), s.clone());
                        s
                    }
                };
            }
        }
        let mut out: Vec<Range<usize>> = Vec::new();
        // A compound whose part has a stem of the query (`zorgcoördinator` for `coördinator`):
        // only words containing the stem are split, as the index split them.
        let by_part = |tok: &Tok, stem: &mut TextAnalyzer| {
            let Some(lexicon) = &self.lexicon else {
                return false;
            };
            if tok.exact.len() < 2 * MIN_PART_CHARS
                || !self.stems.iter().any(|s| tok.exact.contains(s.as_str()))
            {
                return false;
            }
            Splitter::new(lexicon.as_ref())
                .parts(&tok.exact)
                .iter()
                .flat_map(|p| schema::tokens(stem, p))
                .any(|s| self.stems.contains(&s))
        };
        for tok in &toks {
            if self.stems.contains(&tok.stem)
                || self.exact.contains(&tok.exact)
                || self
                    .prefixes
                    .iter()
                    .any(|p| tok.exact.starts_with(p.as_str()))
                || by_part(tok, &mut stem)
            {
                out.push(tok.from..tok.to);
            }
        }
        for p in &self.phrases {
            out.extend(p.runs(&toks));
        }
        // A clitic's apostrophe belongs to it: `'s avonds`, not `'` + `s avonds` (but the `'s`
        // of `collega's` stays the word's).
        for r in &mut out {
            let before = &text[..r.start];
            if let Some(rest) = before.strip_suffix(['\'', '’'])
                && !rest.chars().next_back().is_some_and(char::is_alphanumeric)
            {
                r.start = rest.len();
            }
        }
        out.sort_by_key(|r| (r.start, r.end));
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(out.len());
        for r in out {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        merged
    }
}

/// A snippet of the unit `start..end` around its matches (absolute char ranges).
pub fn make_snippet(
    t: &Transcript,
    start: usize,
    end: usize,
    matches: &[Range<usize>],
    max: usize,
) -> Snippet {
    let (mut ws, mut we) = (start, end);
    if end - start > max {
        let lead = max / 4;
        let window = |m: &Range<usize>| {
            let s = m.start.saturating_sub(lead).max(start);
            let e = (s + max).min(end);
            (e.saturating_sub(max).max(start), e)
        };
        let best = matches
            .iter()
            .map(|m| {
                let (s, e) = window(m);
                (
                    matches
                        .iter()
                        .filter(|x| x.start >= s && x.end <= e)
                        .count(),
                    s,
                    e,
                )
            })
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        (ws, we) = match best {
            Some((_, s, e)) => (s, e),
            None => (start, start + max),
        };
        // Do not cut words: widen to whole words (a little).
        let chars: Vec<char> = t.slice(start, end).chars().collect();
        // Offsets from the index past the text (a text read late that could not be used is
        // empty) read as spaces: no panic, and no word to widen to.
        let at = |i: usize| chars.get(i - start).copied().unwrap_or(' ');
        for _ in 0..15 {
            if ws > start && !at(ws - 1).is_whitespace() {
                ws -= 1;
            }
            if we < end && !at(we).is_whitespace() {
                we += 1;
            }
        }
        while ws < we && at(ws).is_whitespace() {
            ws += 1;
        }
        while we > ws && at(we - 1).is_whitespace() {
            we -= 1;
        }
    }
    let lead = if ws > start { "…" } else { "" };
    let tail = if we < end { "…" } else { "" };
    let body: String = t
        .slice(ws, we)
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let text = format!("{lead}{body}{tail}");
    let shift = lead.chars().count();
    let ranges: Vec<Range<usize>> = matches
        .iter()
        .filter(|m| m.start < we && m.end > ws)
        .map(|m| (m.start.max(ws) - ws + shift)..(m.end.min(we) - ws + shift))
        .collect();
    let mut marked = String::with_capacity(text.len() + 4 * ranges.len());
    let mut iter = ranges.iter().peekable();
    for (i, c) in text.chars().enumerate() {
        if iter.peek().is_some_and(|r| i == r.start) {
            marked.push_str(MARK_OPEN);
        }
        marked.push(c);
        if iter.peek().is_some_and(|r| i + 1 == r.end) {
            marked.push_str(MARK_CLOSE);
            iter.next();
        }
    }
    Snippet {
        text,
        matches: ranges,
        marked,
    }
}
