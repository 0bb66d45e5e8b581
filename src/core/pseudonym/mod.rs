//! Pseudonymisation: replacing the real names in transcripts by pseudonyms, and carrying every
//! coding along with exact offsets.
//!
//! This module is the pure part: the names file, the matcher (whole words, case- and
//! accent-insensitive, multi-word names, longest name first) and the offset map from the old
//! text to the new one. `project` applies it to a whole project in one recoverable step.

pub mod project;

use super::problem::Problem;
use std::collections::HashMap;
use std::path::Path;
use unicode_normalization::UnicodeNormalization;

/// One row of the names file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePair {
    pub real: String,
    pub pseudonym: String,
    /// Line of the names file, for messages.
    pub line: usize,
}

/// A name as the matcher sees it: folded words, matched with any run of white space between.
#[derive(Debug, Clone)]
struct Pattern {
    words: Vec<Vec<char>>,
    /// Folded characters without the spaces: longer names are tried first.
    len: usize,
    pair: usize,
}

/// The names to replace, ready to match.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub pairs: Vec<NamePair>,
    /// Folded first character -> patterns starting with it, longest first.
    by_first: HashMap<char, Vec<Pattern>>,
}

/// A real name found in a text, in character offsets (end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    /// Index into `Names::pairs`.
    pub pair: usize,
}

/// One replaced name: where it was in the old text and where its pseudonym is in the new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Replacement {
    pub old_start: usize,
    pub old_end: usize,
    pub new_start: usize,
    pub new_end: usize,
    pub pair: usize,
}

/// Maps character offsets of the old text to the new one, from the replacements made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetMap {
    /// Sorted, not overlapping.
    pub reps: Vec<Replacement>,
}

/// How a character compares: case and accents folded, typographic apostrophes as straight ones.
/// Combining marks (from NFD text) are left out (None), so that "José" matches "Jose\u{301}".
fn fold(c: char) -> Option<char> {
    if ('\u{300}'..='\u{36f}').contains(&c) {
        return None;
    }
    let c = match c {
        '\u{2019}' | '\u{2018}' | '`' | '\u{b4}' => '\'',
        _ => super::text::fold_char(c),
    };
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => Some(l),
        _ => Some(c),
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

#[derive(Debug, thiserror::Error)]
pub enum NamesError {
    #[error("{} problem(s) in the names file", .0.len())]
    Invalid(Vec<Problem>),
}

impl NamesError {
    pub fn problems(&self) -> &[Problem] {
        match self {
            NamesError::Invalid(p) => p,
        }
    }
}

/// Header words recognised in the first row (folded): then it is not a name.
const HEADER_REAL: &[&str] = &[
    "real",
    "real name",
    "name",
    "naam",
    "echte naam",
    "origineel",
    "original",
    "werkelijke naam",
];

impl Names {
    /// Read a names file: CSV (`,`, `;` or tab) of real name, pseudonym, with or without a
    /// header row; a byte order mark and CRLF are fine. Every problem names its line.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Names, NamesError> {
        let err = |line: usize, msg: String| Problem::error(path, msg).at(line, None);
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let line = bytes[..e.valid_up_to()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    + 1;
                return Err(NamesError::Invalid(vec![err(
                    line,
                    "not valid UTF-8; save the names file as UTF-8".into(),
                )]));
            }
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let delimiter = [b';', b'\t', b',']
            .into_iter()
            .max_by_key(|&d| (first.bytes().filter(|&b| b == d).count(), d == b','))
            .unwrap_or(b',');
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let mut problems = Vec::new();
        let mut pairs: Vec<NamePair> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut first_row = true;
        // The reader's own line count is off after blank lines and CRLF: count from the byte.
        // A record's position is where the line end before it starts: skip line ends.
        let line_of = |byte: u64| {
            let bytes = text.as_bytes();
            let mut b = (byte as usize).min(bytes.len());
            while b < bytes.len() && matches!(bytes[b], b'\r' | b'\n') {
                b += 1;
            }
            bytes[..b].iter().filter(|&&c| c == b'\n').count() + 1
        };
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| line_of(p.byte()));
                    problems.push(err(line, format!("unreadable CSV: {e}")));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| line_of(p.byte()));
            let cells: Vec<String> = record
                .iter()
                .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect();
            let used: Vec<&String> = cells.iter().filter(|c| !c.is_empty()).collect();
            if used.is_empty() {
                continue;
            }
            if std::mem::take(&mut first_row) {
                let key = folded(&cells[0]);
                if HEADER_REAL.contains(&key.as_str()) {
                    continue;
                }
            }
            if cells.len() < 2 || cells[0].is_empty() || cells[1].is_empty() {
                problems.push(err(
                    line,
                    "a row needs a real name and its pseudonym (e.g. `Jan de Vries,Kees`)".into(),
                ));
                continue;
            }
            if cells[2..].iter().any(|c| !c.is_empty()) {
                problems.push(err(
                    line,
                    format!(
                        "{} fields; a row is a real name and its pseudonym (a name with a comma \
                         goes in quotes)",
                        used.len()
                    ),
                ));
                continue;
            }
            let real = cells[0].nfc().collect::<String>();
            let pseudonym = cells[1].nfc().collect::<String>();
            if !real.chars().any(is_word_char) {
                problems.push(err(line, format!("\"{real}\" has no letters to match")));
                continue;
            }
            let key = folded(&real);
            if let Some(&before) = seen.get(&key) {
                let other: &NamePair = &pairs[before];
                let msg = if folded(&other.pseudonym) == folded(&pseudonym) {
                    format!("\"{real}\" is listed before, on line {}", other.line)
                } else {
                    format!(
                        "\"{real}\" is listed before, on line {}, with another pseudonym (\"{}\")",
                        other.line, other.pseudonym
                    )
                };
                problems.push(err(line, msg));
                continue;
            }
            seen.insert(key, pairs.len());
            pairs.push(NamePair {
                real,
                pseudonym,
                line,
            });
        }
        if pairs.is_empty() && problems.is_empty() {
            problems.push(err(1, "no names in the file".into()));
        }
        let names = Names::new(pairs);
        // A pseudonym that is itself a listed real name would leave that name in the text.
        for p in &names.pairs {
            if let Some(h) = names.find(&p.pseudonym).first() {
                let hit = &names.pairs[h.pair];
                problems.push(err(
                    p.line,
                    format!(
                        "the pseudonym \"{}\" contains the real name \"{}\" (line {}); choose \
                         another pseudonym",
                        p.pseudonym, hit.real, hit.line
                    ),
                ));
            }
        }
        if problems.is_empty() {
            Ok(names)
        } else {
            Err(NamesError::Invalid(problems))
        }
    }

    pub fn new(pairs: Vec<NamePair>) -> Names {
        let mut by_first: HashMap<char, Vec<Pattern>> = HashMap::new();
        for (i, p) in pairs.iter().enumerate() {
            let words: Vec<Vec<char>> = p
                .real
                .split_whitespace()
                .map(|w| w.chars().filter_map(fold).collect::<Vec<char>>())
                .filter(|w| !w.is_empty())
                .collect();
            let Some(&first) = words.first().and_then(|w| w.first()) else {
                continue;
            };
            let len = words.iter().map(Vec::len).sum();
            by_first.entry(first).or_default().push(Pattern {
                words,
                len,
                pair: i,
            });
        }
        for list in by_first.values_mut() {
            list.sort_by(|a, b| b.len.cmp(&a.len).then(a.pair.cmp(&b.pair)));
        }
        Names { pairs, by_first }
    }

    /// Every listed real name in `text`, left to right, not overlapping; where names overlap the
    /// longest wins ("Jan de Vries" before "Jan").
    pub fn find(&self, text: &str) -> Vec<Hit> {
        let chars: Vec<char> = text.chars().collect();
        // (folded char, index into chars)
        let folded: Vec<(char, usize)> = chars
            .iter()
            .enumerate()
            .filter_map(|(i, &c)| fold(c).map(|f| (f, i)))
            .collect();
        let mut hits = Vec::new();
        let mut i = 0;
        while i < folded.len() {
            let c = folded[i].0;
            let starts_word = i == 0 || !is_word_char(folded[i - 1].0);
            let found = if starts_word {
                self.by_first
                    .get(&c)
                    .and_then(|list| list.iter().find_map(|p| match_at(&folded, i, p)))
            } else {
                None
            };
            match found {
                Some((j, pair)) => {
                    let start = folded[i].1;
                    let mut end = folded[j - 1].1 + 1;
                    // Combining marks of the last letter belong to the name.
                    while end < chars.len() && fold(chars[end]).is_none() {
                        end += 1;
                    }
                    hits.push(Hit { start, end, pair });
                    i = j;
                }
                None => i += 1,
            }
        }
        hits
    }

    /// `text` with every name replaced, and the map of offsets from `text` to the result.
    pub fn rewrite(&self, text: &str) -> (String, OffsetMap) {
        let hits = self.find(text);
        if hits.is_empty() {
            return (text.to_string(), OffsetMap::default());
        }
        let mut out = String::with_capacity(text.len());
        let mut reps = Vec::with_capacity(hits.len());
        let mut chars = text.char_indices().map(|(b, _)| b).collect::<Vec<usize>>();
        chars.push(text.len());
        let mut last = 0; // char offset in text
        let mut new_len = 0; // chars in out
        for h in hits {
            let kept = &text[chars[last]..chars[h.start]];
            out.push_str(kept);
            new_len += h.start - last;
            let pseudonym = &self.pairs[h.pair].pseudonym;
            let plen = pseudonym.chars().count();
            out.push_str(pseudonym);
            reps.push(Replacement {
                old_start: h.start,
                old_end: h.end,
                new_start: new_len,
                new_end: new_len + plen,
                pair: h.pair,
            });
            new_len += plen;
            last = h.end;
        }
        out.push_str(&text[chars[last]..]);
        (out, OffsetMap { reps })
    }

    /// `text` with every name replaced (for quotes and memos, which have no offsets of their own).
    pub fn replace(&self, text: &str) -> String {
        self.rewrite(text).0
    }
}

/// Match pattern `p` at folded position `i`; returns the folded end and the pair.
fn match_at(folded: &[(char, usize)], i: usize, p: &Pattern) -> Option<(usize, usize)> {
    let mut j = i;
    for (k, word) in p.words.iter().enumerate() {
        if k > 0 {
            let from = j;
            while j < folded.len() && folded[j].0.is_whitespace() {
                j += 1;
            }
            if j == from {
                return None;
            }
        }
        for &w in word {
            if j >= folded.len() || folded[j].0 != w {
                return None;
            }
            j += 1;
        }
    }
    let ends_word = j == folded.len() || !is_word_char(folded[j].0);
    ends_word.then_some((j, p.pair))
}

/// Case- and accent-folded, for comparing names and headers.
pub fn folded(s: &str) -> String {
    s.split_whitespace()
        .map(|w| w.chars().filter_map(fold).collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

impl OffsetMap {
    pub fn is_identity(&self) -> bool {
        self.reps.is_empty()
    }

    /// The replacement with the greatest `old_start` satisfying `before(old_start)`.
    fn last_where(&self, before: impl Fn(usize) -> bool) -> Option<&Replacement> {
        let n = self.reps.partition_point(|r| before(r.old_start));
        n.checked_sub(1).map(|i| &self.reps[i])
    }

    /// Where a coding starting at `p` starts in the new text. A start inside a name moves to
    /// the start of its pseudonym: a coding never begins in the middle of a pseudonym.
    pub fn map_start(&self, p: usize) -> usize {
        match self.last_where(|s| s <= p) {
            Some(r) if p < r.old_end => r.new_start,
            Some(r) => p - r.old_end + r.new_end,
            None => p,
        }
    }

    /// Where a coding ending at `p` (exclusive) ends in the new text. An end inside a name
    /// moves to the end of its pseudonym.
    pub fn map_end(&self, p: usize) -> usize {
        match self.last_where(|s| s < p) {
            Some(r) if p <= r.old_end => r.new_end,
            Some(r) => p - r.old_end + r.new_end,
            None => p,
        }
    }

    /// The map back from the new text to the old one.
    pub fn inverse(&self) -> OffsetMap {
        OffsetMap {
            reps: self
                .reps
                .iter()
                .map(|r| Replacement {
                    old_start: r.new_start,
                    old_end: r.new_end,
                    new_start: r.old_start,
                    new_end: r.old_end,
                    pair: r.pair,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests;
