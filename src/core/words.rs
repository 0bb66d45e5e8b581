//! Word frequencies per respondent group (or school type, or any attribute), as MAXDictio,
//! ATLAS.ti's word lists and QualCoder count them, and which words one group uses more than the
//! others (keyness).
//!
//! A word is what the search index calls one (split at anything not a letter or digit), counted
//! with case and accents ignored and shown in its most frequent written form; with `stems` the
//! Dutch stem is counted instead (*signaal, signalen*), shown as its most frequent form. Only
//! respondent turns unless asked otherwise: the interviewer's questions would count the topic
//! words once more for every respondent. Stop words (see `stopwords`), words shorter than
//! `min_length` letters and tokens without a letter are left out.
//!
//! Keyness (`compare`): for a word used `a` times in the group's `c` words and `b` times in the
//! other respondents' `d` words, the log-likelihood G² = 2·(a·ln(a/E₁) + b·ln(b/E₂)) with
//! E₁ = c·(a+b)/(c+d), E₂ = d·(a+b)/(c+d) (Rayson & Garside 2000; 0·ln 0 = 0), and the log ratio
//! log₂((a/c)/(b/d)) (Hardie 2014), a zero count taken as 0.5. `c` and `d` count every word of
//! the respondent turns, stop words included (the size of each part of the corpus).

use super::index::schema::{MAX_WORD_BYTES, stemmed_analyzer, tokens};
use super::project::Project;
use super::stopwords::StopWords;
use super::text::fold_accents;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordsOptions {
    /// The respondent column to count by: `group`, `school`, `school_type` or an attribute.
    pub by: String,
    pub stems: bool,
    /// Shortest word counted, in letters.
    pub min_length: usize,
    pub include_interviewer: bool,
}

impl Default for WordsOptions {
    fn default() -> Self {
        WordsOptions {
            by: "group".into(),
            stems: false,
            min_length: 3,
            include_interviewer: false,
        }
    }
}

/// One value of the `by` column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    pub value: String,
    /// How the value is named in a sentence: a group's plural (`docenten`), else the value.
    pub label: String,
    /// Respondents with this value (with a transcript).
    pub respondents: usize,
    /// Words in their counted turns, stop words included.
    pub words: usize,
}

/// A word's counts in one part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Count {
    pub count: usize,
    /// Respondents of the part who used the word at least once.
    pub respondents: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordRow {
    /// The most frequent written form (lower case).
    pub word: String,
    /// What was counted: the word with accents folded, or its stem.
    pub key: String,
    pub count: usize,
    pub respondents: usize,
    /// Per part, in `Frequencies::parts` order.
    pub parts: Vec<Count>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Frequencies {
    pub by: String,
    pub parts: Vec<Part>,
    /// Every counted word, most frequent first (ties by word).
    pub words: Vec<WordRow>,
    /// Words in the counted turns, stop words included.
    pub total_words: usize,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WordsError {
    #[error("unknown column \"{0}\" to count by (known: {1})")]
    UnknownColumn(String, String),
    #[error("unknown {0} \"{1}\" to compare (known: {2})")]
    UnknownValue(String, String, String),
}

/// The `by` column's value for respondent `i`, or an error naming the known columns.
fn column(project: &Project, by: &str) -> Result<(String, Vec<String>), WordsError> {
    let name = by.trim().to_lowercase().replace([' ', '-'], "_");
    let values = |f: &dyn Fn(usize) -> String| (0..project.respondents.len()).map(f).collect();
    let r = &project.respondents;
    match name.as_str() {
        "group" => return Ok((name, values(&|i| r[i].group.clone()))),
        "school" => return Ok((name, values(&|i| r[i].school.clone()))),
        "school_type" => return Ok((name, values(&|i| r[i].school_type.clone()))),
        _ => {}
    }
    let mut known: Vec<String> = vec!["group".into(), "school".into(), "school_type".into()];
    for resp in r {
        for (k, _) in &resp.attributes {
            if !known.contains(k) {
                known.push(k.clone());
            }
        }
    }
    if !known.contains(&name) {
        return Err(WordsError::UnknownColumn(by.to_string(), known.join(", ")));
    }
    Ok((
        name.clone(),
        values(&|i| r[i].attribute(&name).unwrap_or_default().to_string()),
    ))
}

/// Per transcript: word key -> (count, written forms with their counts), and its word total.
type Counts = (HashMap<String, (usize, HashMap<String, usize>)>, usize);

fn count_transcript(
    project: &Project,
    i: usize,
    options: &WordsOptions,
    stopwords: &StopWords,
) -> Counts {
    let t = &project.transcripts[i];
    let mut lower = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES + 1))
        .filter(LowerCaser)
        .build();
    let mut stemmer = stemmed_analyzer();
    // Folding and stemming per distinct written form, not per occurrence.
    let mut keys: HashMap<String, Option<String>> = HashMap::new();
    let mut counts: HashMap<String, (usize, HashMap<String, usize>)> = HashMap::new();
    let mut total = 0;
    for turn in t.turns() {
        if !options.include_interviewer && project.is_interviewer(turn.speaker.as_deref()) {
            continue;
        }
        let text = t.slice(turn.body_start, turn.end);
        let mut stream = lower.token_stream(text);
        while let Some(tok) = stream.next() {
            total += 1;
            let form = tok.text.as_str();
            let key = keys.entry(form.to_string()).or_insert_with(|| {
                let folded = fold_accents(form);
                if folded.chars().count() < options.min_length
                    || !folded.chars().any(char::is_alphabetic)
                    || stopwords.contains(&folded)
                {
                    return None;
                }
                if !options.stems {
                    return Some(folded);
                }
                // As the index stems it, so the counts meet the search's notion of a word.
                tokens(&mut stemmer, &folded).pop().or(Some(folded))
            });
            if let Some(key) = key {
                let e = counts.entry(key.clone()).or_default();
                e.0 += 1;
                *e.1.entry(form.to_string()).or_default() += 1;
            }
        }
    }
    (counts, total)
}

/// Word rows with their written forms, and the words per part, of some transcripts.
struct Table {
    rows: HashMap<String, (WordRow, HashMap<String, usize>)>,
    words: Vec<usize>,
}

fn empty_row(key: String, parts: usize) -> WordRow {
    WordRow {
        word: String::new(),
        key,
        count: 0,
        respondents: 0,
        parts: vec![
            Count {
                count: 0,
                respondents: 0
            };
            parts
        ],
    }
}

impl Table {
    fn new(parts: usize) -> Table {
        Table {
            rows: HashMap::new(),
            words: vec![0; parts],
        }
    }

    /// Both tables' counts (each transcript is in one of them only).
    fn merge(mut self, mut other: Table) -> Table {
        if self.rows.len() < other.rows.len() {
            std::mem::swap(&mut self, &mut other);
        }
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a += b;
        }
        for (key, (row, forms)) in other.rows {
            match self.rows.get_mut(&key) {
                Some((mine, my_forms)) => {
                    mine.count += row.count;
                    mine.respondents += row.respondents;
                    for (m, o) in mine.parts.iter_mut().zip(&row.parts) {
                        m.count += o.count;
                        m.respondents += o.respondents;
                    }
                    for (f, c) in forms {
                        *my_forms.entry(f).or_default() += c;
                    }
                }
                None => {
                    self.rows.insert(key, (row, forms));
                }
            }
        }
        self
    }
}

/// Count the words of the project's transcripts per value of `options.by`.
pub fn frequencies(
    project: &Project,
    options: &WordsOptions,
    stopwords: &StopWords,
) -> Result<Frequencies, WordsError> {
    let (by, values) = column(project, &options.by)?;
    let mut parts: Vec<Part> = Vec::new();
    let mut part_of: Vec<usize> = Vec::with_capacity(values.len());
    // Groups in the project's order (as the other tables have them), other values as they come.
    let declared = if by == "group" {
        project.groups()
    } else {
        Vec::new()
    };
    let mut values_in_order: Vec<&String> =
        declared.iter().filter(|g| values.contains(g)).collect();
    for v in &values {
        if !values_in_order.contains(&v) {
            values_in_order.push(v);
        }
    }
    for v in values_in_order {
        let label = if by == "group" {
            project.group_plural(v).to_string()
        } else {
            v.clone()
        };
        parts.push(Part {
            value: v.clone(),
            label,
            respondents: 0,
            words: 0,
        });
    }
    for v in &values {
        let k = parts.iter().position(|p| &p.value == v).unwrap_or_default();
        parts[k].respondents += 1;
        part_of.push(k);
    }
    // Each thread adds its transcripts into a table of its own, and the tables are merged:
    // holding every transcript's counts until the end took over a gigabyte at 10,000.
    let n_parts = parts.len();
    let add = |mut table: Table, i: usize| {
        let Some(&k) = part_of.get(i) else {
            return table;
        };
        let (counts, n) = count_transcript(project, i, options, stopwords);
        table.words[k] += n;
        for (key, (count, forms)) in counts {
            let (row, all_forms) = table
                .rows
                .entry(key.clone())
                .or_insert_with(|| (empty_row(key, n_parts), HashMap::new()));
            row.count += count;
            row.respondents += 1;
            row.parts[k].count += count;
            row.parts[k].respondents += 1;
            for (f, c) in forms {
                *all_forms.entry(f).or_default() += c;
            }
        }
        table
    };
    let table = (0..project.transcripts.len())
        .into_par_iter()
        .fold(|| Table::new(n_parts), add)
        .reduce(|| Table::new(n_parts), Table::merge);
    for (p, n) in parts.iter_mut().zip(&table.words) {
        p.words = *n;
    }
    let total_words = table.words.iter().sum();
    let words = table.rows;
    let mut rows: Vec<WordRow> = words
        .into_values()
        .map(|(mut row, forms)| {
            // The most frequent form; ties by the form, so the result does not depend on order.
            row.word = forms
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                .map(|(f, _)| f)
                .unwrap_or_default();
            row
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    Ok(Frequencies {
        by,
        parts,
        words: rows,
        total_words,
    })
}

/// A word one part uses more than the rest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Keyness {
    pub word: String,
    pub key: String,
    /// Uses in the part and in the rest.
    pub count: usize,
    pub rest: usize,
    /// Respondents of the part who used it, of all of the part.
    pub respondents: usize,
    pub of: usize,
    /// Log-likelihood G² (1 degree of freedom: 3.84 is p < 0.05, 6.63 p < 0.01, 10.83 p < 0.001).
    pub g2: f64,
    /// log₂ of the ratio of relative frequencies: 1 is twice as often, 2 four times.
    pub log_ratio: f64,
}

/// G² of a word used `a` times in `c` words and `b` times in `d` words.
pub fn log_likelihood(a: usize, b: usize, c: usize, d: usize) -> f64 {
    let (a, b, c, d) = (a as f64, b as f64, c as f64, d as f64);
    if c + d == 0.0 {
        return 0.0;
    }
    let e1 = c * (a + b) / (c + d);
    let e2 = d * (a + b) / (c + d);
    let term = |o: f64, e: f64| {
        if o > 0.0 && e > 0.0 {
            o * (o / e).ln()
        } else {
            0.0
        }
    };
    2.0 * (term(a, e1) + term(b, e2))
}

/// log₂((a/c)/(b/d)), a zero count taken as 0.5.
pub fn log_ratio(a: usize, b: usize, c: usize, d: usize) -> f64 {
    let half = |n: usize| if n == 0 { 0.5 } else { n as f64 };
    if c == 0 || d == 0 {
        return 0.0;
    }
    ((half(a) / c as f64) / (half(b) / d as f64)).log2()
}

/// The part (group or attribute value) `value` names, by value or label, case and accents
/// ignored: "zorgcoordinatoren" is the group zorgcoördinator.
pub fn part_of(f: &Frequencies, value: &str) -> Option<usize> {
    let fold = crate::core::text::fold_key;
    f.parts.iter().position(|p| {
        p.value == value || fold(&p.value) == fold(value) || fold(&p.label) == fold(value)
    })
}

/// The words that the part `value` (its value or label, case and accents ignored) uses
/// relatively more than all other respondents, by G² (largest first).
pub fn compare(f: &Frequencies, value: &str) -> Result<Vec<Keyness>, WordsError> {
    let k = part_of(f, value).ok_or_else(|| {
        let known: Vec<&str> = f.parts.iter().map(|p| p.value.as_str()).collect();
        WordsError::UnknownValue(f.by.clone(), value.to_string(), known.join(", "))
    })?;
    let c = f.parts[k].words;
    let d = f.total_words - c;
    let mut out: Vec<Keyness> = f
        .words
        .iter()
        .filter_map(|w| {
            let a = w.parts[k].count;
            let b = w.count - a;
            // Over-represented only: relatively more often in the part than in the rest.
            if a == 0 || (a as f64) * (d as f64) <= (b as f64) * (c as f64) {
                return None;
            }
            Some(Keyness {
                word: w.word.clone(),
                key: w.key.clone(),
                count: a,
                rest: b,
                respondents: w.parts[k].respondents,
                of: f.parts[k].respondents,
                g2: log_likelihood(a, b, c, d),
                log_ratio: log_ratio(a, b, c, d),
            })
        })
        .collect();
    out.sort_by(|x, y| y.g2.total_cmp(&x.g2).then_with(|| x.key.cmp(&y.key)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_likelihood_matches_a_worked_example() {
        // a=50 of 10,000 words, b=20 of 20,000: E₁ = 23.33, E₂ = 46.67,
        // G² = 2·(50·ln(50/23.33) + 20·ln(20/46.67)) = 42.32; five times as often: LR log₂ 5.
        let g2 = log_likelihood(50, 20, 10_000, 20_000);
        assert!((g2 - 42.32).abs() < 0.01, "{g2}");
        assert!((log_ratio(50, 20, 10_000, 20_000) - 2.3219).abs() < 0.001);
        // Same relative frequency: no keyness.
        assert!(log_likelihood(10, 20, 1000, 2000).abs() < 1e-9);
        assert!(log_ratio(10, 20, 1000, 2000).abs() < 1e-9);
        // A zero in the rest counts as 0.5; no words at all is 0.
        assert!((log_ratio(4, 0, 100, 100) - 3.0).abs() < 1e-9);
        assert_eq!(log_likelihood(0, 0, 0, 0), 0.0);
    }
}
