//! Random transcripts, random codings and random edits with the truth tracked through them:
//! for every character of the original text, where it is in the edited text (or that it is
//! gone). Shared by the re-anchoring property tests and `benches/reanchor.rs`.
#![allow(dead_code)]

use codewerk::core::anchor::{Carrier, Hits};
use codewerk::core::coding::{Anchor, Coding};
use codewerk::core::transcript::{Transcript, normalise, version_of};
use std::path::Path;

/// A small deterministic generator (xorshift), so that a failing case is a seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// The short texts that occur many times in real interviews, and that codings of them made the
/// old algorithm go wrong on.
pub const SHORT: &[&str] = &["ja", "nee", "meldcode", "Veilig Thuis", "ja ja", "eh"];

const WORDS: &[&str] = &[
    "ja",
    "ja",
    "ja",
    "nee",
    "nee",
    "meldcode",
    "Veilig Thuis",
    "eh",
    "ik",
    "denk",
    "dat",
    "de",
    "het",
    "een",
    "leerling",
    "zorgen",
    "coördinator",
    "één",
    "thuis",
    "school",
    "mentor",
    "gesprek",
    "toen",
    "hebben",
    "we",
    "gebeld",
    "ouders",
    "nou",
    "misschien",
    "zeker",
    "signalen",
    "ideeën",
    "zorgcoördinator",
    "dus",
    "wel",
    "niet",
];

/// A transcript of `I:`/`R:` turns from a small vocabulary full of repeats.
pub fn transcript(rng: &mut Rng, paragraphs: usize) -> String {
    let mut out = String::new();
    for p in 0..paragraphs {
        out += if p % 2 == 0 { "I: " } else { "R: " };
        let sentences = 1 + rng.below(4);
        for s in 0..sentences {
            let words = 2 + rng.below(11);
            for w in 0..words {
                let word = *rng.pick(WORDS);
                if w == 0 {
                    let mut cs = word.chars();
                    if let Some(f) = cs.next() {
                        out.extend(f.to_uppercase());
                        out.extend(cs);
                    }
                } else {
                    out += word;
                }
                if w + 1 < words {
                    out += if rng.chance(12) { ", " } else { " " };
                }
            }
            out += *rng.pick(&[".", ".", "?", "!"]);
            if s + 1 < sentences {
                out += " ";
            }
        }
        out += if p + 1 < paragraphs { "\n\n" } else { "\n" };
    }
    out
}

/// Codings of `text`: many of the short texts wherever they occur, and random word spans.
pub fn codings(rng: &mut Rng, text: &str, random_spans: usize) -> Vec<Coding> {
    let t = Transcript::from_text("T", Path::new("t.txt"), text.to_string());
    let mut out = Vec::new();
    for s in SHORT {
        for at in t.find_all(s) {
            if rng.chance(50) {
                out.push(Coding::quoted(&t, "kort", at, at + s.chars().count()));
            }
        }
    }
    let starts: Vec<usize> = word_starts(text);
    for _ in 0..random_spans {
        if starts.is_empty() {
            break;
        }
        let i = rng.below(starts.len());
        let j = (i + 1 + rng.below(8)).min(starts.len() - 1);
        let a = starts[i];
        let b = if j > i { starts[j] - 1 } else { t.len_chars() };
        if b > a {
            out.push(Coding::quoted(&t, "lang", a, b));
        }
    }
    for (k, c) in out.iter_mut().enumerate() {
        c.id = k as u64 + 1;
    }
    out
}

fn word_starts(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut prev = ' ';
    for (i, ch) in text.chars().enumerate() {
        if ch.is_alphanumeric() && !prev.is_alphanumeric() {
            out.push(i);
        }
        prev = ch;
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A sentence or phrase typed in somewhere.
    Insert,
    /// A stretch of text deleted.
    Delete,
    /// A few words replaced by others.
    Replace,
    /// A word said twice ("ja ja", "ik ik").
    Stutter,
    /// Another copy of a short text ("ja", "Veilig Thuis") put in.
    DuplicatePhrase,
    /// The text of a coding deleted, exactly.
    DeleteCoded,
    /// A paragraph moved elsewhere.
    MoveParagraph,
    /// All paragraphs shuffled.
    Reorder,
    /// The file saved in Unicode NFD.
    Nfd,
}

pub const KINDS: &[Kind] = &[
    Kind::Insert,
    Kind::Delete,
    Kind::Replace,
    Kind::Stutter,
    Kind::DuplicatePhrase,
    Kind::DeleteCoded,
    Kind::MoveParagraph,
    Kind::Reorder,
    Kind::Nfd,
];

/// The text being edited: each character with its index in the original (None: typed in).
#[derive(Debug, Clone)]
pub struct Edited {
    pub chars: Vec<(char, Option<usize>)>,
    /// The file is written in NFD (normalised back on load).
    pub nfd: bool,
}

impl Edited {
    pub fn new(text: &str) -> Edited {
        Edited {
            chars: text
                .chars()
                .enumerate()
                .map(|(i, c)| (c, Some(i)))
                .collect(),
            nfd: false,
        }
    }

    pub fn text(&self) -> String {
        self.chars.iter().map(|(c, _)| c).collect()
    }

    /// The file as saved (NFD if so edited).
    pub fn file(&self) -> String {
        use unicode_normalization::UnicodeNormalization;
        if self.nfd {
            self.text().nfd().collect()
        } else {
            self.text()
        }
    }

    /// Where each original character is now.
    pub fn truth(&self, original_len: usize) -> Vec<Option<usize>> {
        let mut out = vec![None; original_len];
        for (new, (_, orig)) in self.chars.iter().enumerate() {
            if let Some(o) = orig {
                out[*o] = Some(new);
            }
        }
        out
    }

    fn insert(&mut self, at: usize, s: &str) {
        let at = at.min(self.chars.len());
        self.chars.splice(at..at, s.chars().map(|c| (c, None)));
    }

    /// Replace `a..b` by `s`, keeping what they have in common at both ends (as typing over the
    /// middle would): the truth of a replacement is what changed.
    fn replace(&mut self, a: usize, b: usize, s: &str) {
        let new: Vec<char> = s.chars().collect();
        let old: Vec<char> = self.chars[a..b].iter().map(|(c, _)| *c).collect();
        let pre = old.iter().zip(&new).take_while(|(x, y)| x == y).count();
        let max_suf = old.len().min(new.len()) - pre;
        let suf = old
            .iter()
            .rev()
            .zip(new.iter().rev())
            .take(max_suf)
            .take_while(|(x, y)| x == y)
            .count();
        let mid: String = new[pre..new.len() - suf].iter().collect();
        self.chars
            .splice(a + pre..b - suf, mid.chars().map(|c| (c, None)));
    }

    fn boundary(&self, rng: &mut Rng) -> usize {
        // Mostly between words, sometimes anywhere.
        let spaces: Vec<usize> = self
            .chars
            .iter()
            .enumerate()
            .filter(|(_, (c, _))| *c == ' ')
            .map(|(i, _)| i + 1)
            .collect();
        if !spaces.is_empty() && rng.chance(80) {
            *rng.pick(&spaces)
        } else {
            rng.below(self.chars.len() + 1)
        }
    }

    fn paragraphs(&self) -> Vec<(usize, usize)> {
        // Paragraph i is chars[a..b] including its trailing "\n\n" (or "\n").
        let mut out = Vec::new();
        let mut a = 0;
        let mut i = 0;
        let n = self.chars.len();
        while i < n {
            if self.chars[i].0 == '\n' {
                let mut j = i;
                while j < n && self.chars[j].0 == '\n' {
                    j += 1;
                }
                out.push((a, j));
                a = j;
                i = j;
            } else {
                i += 1;
            }
        }
        if a < n {
            out.push((a, n));
        }
        out
    }

    /// One random edit of `kind`. `coded` are coded ranges of the original text (for
    /// `DeleteCoded`).
    pub fn edit(&mut self, rng: &mut Rng, kind: Kind, coded: &[(usize, usize)]) {
        let n = self.chars.len();
        match kind {
            Kind::Insert => {
                let at = self.boundary(rng);
                let words = 1 + rng.below(8);
                let s: Vec<&str> = (0..words).map(|_| *rng.pick(WORDS)).collect();
                self.insert(at, &format!("{} ", s.join(" ")));
            }
            Kind::Delete => {
                if n < 2 {
                    return;
                }
                let a = self.boundary(rng).min(n - 1);
                let b = (a + 1 + rng.below(40)).min(n);
                self.chars.drain(a..b);
            }
            Kind::Replace => {
                if n < 2 {
                    return;
                }
                let a = self.boundary(rng).min(n - 1);
                let b = (a + 1 + rng.below(20)).min(n);
                let words = 1 + rng.below(3);
                let s: Vec<&str> = (0..words).map(|_| *rng.pick(WORDS)).collect();
                self.replace(a, b, &s.join(" "));
            }
            Kind::Stutter => {
                let starts = word_starts(&self.text());
                if starts.is_empty() {
                    return;
                }
                let a = *rng.pick(&starts);
                let b = (a..n)
                    .find(|&i| !self.chars[i].0.is_alphanumeric())
                    .unwrap_or(n);
                let word: String = self.chars[a..b].iter().map(|(c, _)| c).collect();
                if rng.chance(50) {
                    self.insert(b, &format!(" {word}"));
                } else {
                    self.insert(a, &format!("{word} "));
                }
            }
            Kind::DuplicatePhrase => {
                let at = self.boundary(rng);
                let s = *rng.pick(SHORT);
                self.insert(at, &format!("{s} "));
            }
            Kind::DeleteCoded => {
                if coded.is_empty() {
                    return;
                }
                let (a, b) = *rng.pick(coded);
                // Where the coded characters are now, if still together.
                let now: Vec<usize> = self
                    .chars
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, o))| o.is_some_and(|o| o >= a && o < b))
                    .map(|(i, _)| i)
                    .collect();
                if let (Some(&f), Some(&l)) = (now.first(), now.last()) {
                    self.chars.drain(f..=l);
                }
            }
            Kind::MoveParagraph => {
                let ps = self.paragraphs();
                if ps.len() < 3 {
                    return;
                }
                let i = rng.below(ps.len() - 1);
                let (a, b) = ps[i];
                let para: Vec<(char, Option<usize>)> = self.chars.drain(a..b).collect();
                let ps = self.paragraphs();
                let j = rng.below(ps.len());
                let at = ps[j].0;
                self.chars.splice(at..at, para);
            }
            Kind::Reorder => {
                let ps = self.paragraphs();
                if ps.len() < 2 {
                    return;
                }
                // Keep the last paragraph (no "\n\n" after it) last, shuffle the others.
                let mut order: Vec<usize> = (0..ps.len() - 1).collect();
                for k in (1..order.len()).rev() {
                    order.swap(k, rng.below(k + 1));
                }
                order.push(ps.len() - 1);
                let mut out = Vec::with_capacity(n);
                for k in order {
                    out.extend_from_slice(&self.chars[ps[k].0..ps[k].1]);
                }
                self.chars = out;
            }
            Kind::Nfd => self.nfd = true,
        }
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// At their true new place.
    pub placed: usize,
    /// Flagged for review (ambiguous or orphaned).
    pub flagged: usize,
    /// Placed, but not where the text truly went (or its text was gone): must be 0.
    pub wrong: usize,
}

impl Tally {
    pub fn add(&mut self, o: Tally) {
        self.placed += o.placed;
        self.flagged += o.flagged;
        self.wrong += o.wrong;
    }
}

/// Whether `placed` (the coding `original` after re-anchoring) is at its true place: on its
/// text, with at least one of its characters where that character truly went. (Requiring all
/// of them would call "Veilig Thuis" wrong after "Veilig Thuis" became "Veilig Thuis Thuis" by
/// typing "Thuis " before "Thuis": the same text as typing " Thuis" after it.) A coding put on
/// another occurrence of its text, or on text after its own was deleted, has none.
pub fn judge(
    original: &Coding,
    placed: &Coding,
    new_text: &[char],
    truth: &[Option<usize>],
) -> Tally {
    if placed.anchor.is_flagged() {
        return Tally {
            flagged: 1,
            ..Tally::default()
        };
    }
    let on_text = placed.end <= new_text.len()
        && new_text[placed.start..placed.end]
            .iter()
            .copied()
            .eq(original.text.chars());
    let right = on_text
        && (original.start..original.end)
            .enumerate()
            .any(|(k, i)| truth.get(i).copied().flatten() == Some(placed.start + k));
    if right {
        Tally {
            placed: 1,
            ..Tally::default()
        }
    } else {
        Tally {
            wrong: 1,
            ..Tally::default()
        }
    }
}

/// Re-anchor `codings` (made on `old`) to the edited file as codewerk does on load: the file is
/// normalised, then each coding carried from its snapshot. Returns the codings as placed.
pub fn reanchor(old: &str, file: &str, codings: &[Coding]) -> (Transcript, Vec<Coding>) {
    let t = Transcript::from_text("T", Path::new("t.txt"), normalise(file));
    let mut out = codings.to_vec();
    if t.version() == version_of(old) {
        for c in &mut out {
            codewerk::core::anchor::reanchor_strict(&t, c);
        }
        return (t, out);
    }
    let carrier = Carrier::new(old, t.text());
    let mut hits = Hits::default();
    for c in &mut out {
        carrier.place(&t, c, &mut hits);
    }
    (t, out)
}

/// The old algorithm, for comparison.
pub fn reanchor_old(file: &str, codings: &[Coding]) -> Vec<Coding> {
    let t = Transcript::from_text("T", Path::new("t.txt"), normalise(file));
    let mut out = codings.to_vec();
    for c in &mut out {
        c.anchor = Anchor::Exact;
        codewerk::core::anchor::reanchor_nearest(&t, c);
    }
    out
}
