//! Dutch compounds split into their parts, so that a part finds the compound: `coördinator`
//! finds *zorgcoördinator*, `mishandeling` finds *kindermishandeling*.
//!
//! Dutch writes a compound as one word, and a reader searching for its head expects to find it.
//! The rule (documented in the README, "Dutch compounds"):
//! - a word of at least `2 × MIN_PART_CHARS` letters is split in two where both sides are known
//!   words: the corpus's own words (every word the indexed transcripts use on its own) and a
//!   small shipped list of common parts (`compound-parts-nl.txt`);
//! - the left side may end in a linking element (`-s-`, `-e-`, `-en-`, `-er-`: *beleid-s-plan*,
//!   *kind-er-mishandeling*) or be a verb stem (*meld-code*: *melden* is a word); the right side
//!   may carry a plural ending (*zorg-coördinatoren*);
//! - both sides have at least `MIN_PART_CHARS` letters, neither is a stop word (`onder-steuning`
//!   is not split) and the right side is not a suffix that makes adjectives or abstract nouns
//!   (`belang-rijk`, `eigen-lijk`, `vrij-heid`);
//! - of the possible splits the one with the longest known right side (the head) wins; a left
//!   side that is not a word itself may be a compound (split again), and both sides are split
//!   further, so every part of *arbeidsongeschiktheidsverzekering* is found.
//!
//! The parts go into a field of their own (`Fields::parts`), so a phrase or a whole compound
//! still finds exactly that: only a one-word query also looks at the parts.

use super::schema::{MAX_WORD_BYTES, exact_analyzer, tokens};
use crate::core::stopwords;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock};
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Shortest part, in letters: shorter ones (`ver`, `aan`, `be`) would split words that are no
/// compounds (`verhaal`, `aandacht`).
pub const MIN_PART_CHARS: usize = 4;

/// Endings of a left part that link it to the right part: none first (`langs-gegaan`, not
/// `lang-s-gegaan`), then the longest.
const LINKS: [&str; 5] = ["", "en", "er", "s", "e"];
/// Plural (and other) endings a right part may carry beyond the known word.
const ENDINGS: [&str; 5] = ["", "en", "s", "n", "e"];
/// Right sides that look like words but are suffixes here.
const NOT_HEADS: [&str; 14] = [
    "lijk", "lijke", "rijk", "rijke", "heid", "heden", "baar", "bare", "loos", "loze", "schap",
    "achtig", "zaam", "matig",
];

static SHIPPED: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let mut e = exact_analyzer();
    include_str!("compound-parts-nl.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .flat_map(|l| tokens(&mut e, l))
        .collect()
});

/// `CODEWERK_DECOMPOUND=off` builds the index without parts, to measure what they cost (an
/// index built so keeps no parts until it is rebuilt: delete `.codewerk/index`).
pub fn disabled() -> bool {
    std::env::var_os("CODEWERK_DECOMPOUND").is_some_and(|v| v == "off")
}

/// Which words count as known: the words of the corpus, and the shipped list.
pub trait Lexicon: Sync {
    /// `word` as the exact analyzer gives it (lower case, accents folded).
    fn has(&self, word: &str) -> bool;
}

impl Lexicon for HashSet<String> {
    fn has(&self, word: &str) -> bool {
        self.contains(word)
    }
}

/// Both of two lexicons (the words being indexed and those already in the index).
pub struct Either<'a>(pub &'a dyn Lexicon, pub &'a dyn Lexicon);

impl Lexicon for Either<'_> {
    fn has(&self, word: &str) -> bool {
        self.0.has(word) || self.1.has(word)
    }
}

/// The words of an index's field (its term dictionaries).
#[derive(Clone)]
pub struct IndexedWords(Vec<Arc<tantivy::InvertedIndexReader>>);

impl IndexedWords {
    pub fn new(searcher: &tantivy::Searcher, field: tantivy::schema::Field) -> IndexedWords {
        IndexedWords(
            searcher
                .segment_readers()
                .iter()
                .filter_map(|s| s.inverted_index(field).ok())
                .collect(),
        )
    }
}

impl IndexedWords {
    /// The words of both.
    pub fn and(mut self, other: IndexedWords) -> IndexedWords {
        self.0.extend(other.0);
        self
    }
}

impl Lexicon for IndexedWords {
    fn has(&self, word: &str) -> bool {
        self.0
            .iter()
            .any(|inv| matches!(inv.terms().get(word.as_bytes()), Ok(Some(_))))
    }
}

/// The distinct words of some texts, as the exact analyzer gives them.
pub fn words_of<'a>(texts: impl IntoParallelIterator<Item = &'a str>) -> HashSet<String> {
    texts
        .into_par_iter()
        .fold(
            || (exact_analyzer(), HashSet::new()),
            |(mut a, mut set), text| {
                a.token_stream(text).process(&mut |t| {
                    if !set.contains(&t.text) {
                        set.insert(t.text.clone());
                    }
                });
                (a, set)
            },
        )
        .map(|(_, set)| set)
        .reduce(HashSet::new, |mut a, b| {
            if a.len() < b.len() {
                return b.into_iter().chain(a).collect();
            }
            a.extend(b);
            a
        })
}

/// Splits words with a lexicon.
pub struct Splitter<'a> {
    lexicon: &'a dyn Lexicon,
}

impl<'a> Splitter<'a> {
    pub fn new(lexicon: &'a dyn Lexicon) -> Splitter<'a> {
        Splitter { lexicon }
    }

    fn known(&self, w: &str) -> bool {
        !stopwords::is_builtin(w) && (self.lexicon.has(w) || SHIPPED.contains(w))
    }

    /// The parts of `word` (lower case, accents folded), each followed by its own parts,
    /// without the word itself; empty if it is no compound by the rule above.
    pub fn parts(&self, word: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.collect(word, &mut out, 0);
        out
    }

    fn collect(&self, word: &str, out: &mut Vec<String>, depth: usize) {
        // Every level takes at least MIN_PART_CHARS letters off: depth is bounded by the
        // length, and MAX_WORD_BYTES bounds that.
        if depth > MAX_WORD_BYTES / MIN_PART_CHARS {
            return;
        }
        let Some((left, right)) = self.split_once(word) else {
            return;
        };
        for part in [left, right] {
            if !out.contains(&part) {
                out.push(part.clone());
            }
            self.collect(&part, out, depth + 1);
        }
    }

    /// The best split of `word` into a left and a right part (linking element removed from the
    /// left, the right as written).
    fn split_once(&self, word: &str) -> Option<(String, String)> {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        let n = chars.len();
        if n < 2 * MIN_PART_CHARS || word.len() > MAX_WORD_BYTES {
            return None;
        }
        // Longest right side first: the head carries the meaning.
        for &(at, _) in &chars[MIN_PART_CHARS..=n - MIN_PART_CHARS] {
            let (left, right) = (&word[..at], &word[at..]);
            if !self.is_head(right) {
                continue;
            }
            if let Some(l) = self.modifier(left) {
                return Some((l, right.to_string()));
            }
        }
        None
    }

    /// Whether `right` can be the head: a known word, perhaps with an ending.
    fn is_head(&self, right: &str) -> bool {
        if NOT_HEADS.contains(&right) {
            return false;
        }
        ENDINGS.iter().any(|e| {
            right
                .strip_suffix(e)
                .is_some_and(|w| w.chars().count() >= MIN_PART_CHARS && self.known(w))
        })
    }

    /// The word `left` stands for as a modifier: itself, without a linking element, a verb
    /// stem, or a compound that splits again.
    fn modifier(&self, left: &str) -> Option<String> {
        let stripped = || {
            LINKS.iter().filter_map(|link| {
                let w = left.strip_suffix(link)?;
                (w.chars().count() >= MIN_PART_CHARS && !stopwords::is_builtin(w))
                    .then_some((*link, w))
            })
        };
        if let Some((_, w)) = stripped().find(|(_, w)| self.known(w)) {
            return Some(w.to_string());
        }
        // A verb stem (`meld-code`: `melden`), only when no linking element explains it
        // (`kind-er-`, not the stem of `kinderen`).
        if left.chars().count() >= MIN_PART_CHARS
            && !stopwords::is_builtin(left)
            && self.known(&format!("{left}en"))
        {
            return Some(left.to_string());
        }
        // A compound itself, its linking element taken off first (`kindermishandeling-s-`).
        let mut compounds: Vec<(&str, &str)> = stripped().collect();
        compounds.sort_by_key(|(link, _)| link.is_empty());
        compounds
            .into_iter()
            .find(|(_, w)| self.split_once(w).is_some())
            .map(|(_, w)| w.to_string())
    }
}

/// The parts of every word of a vocabulary that has any, computed once before indexing so that
/// the token filter only looks them up.
#[derive(Debug, Default)]
pub struct Splits(HashMap<String, Vec<String>>);

impl Splits {
    /// Split each of `words` with `lexicon`.
    pub fn compute(words: &HashSet<String>, lexicon: &dyn Lexicon) -> Splits {
        let splitter = Splitter::new(lexicon);
        Splits(
            words
                .par_iter()
                .filter(|w| w.len() >= 2 * MIN_PART_CHARS)
                .filter_map(|w| {
                    let parts = splitter.parts(w);
                    (!parts.is_empty()).then(|| (w.clone(), parts))
                })
                .collect(),
        )
    }

    pub fn get(&self, word: &str) -> Option<&[String]> {
        self.0.get(word).map(Vec::as_slice)
    }

    /// How many words have parts.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Token filter that replaces each word by its parts (a word with none is dropped), each at the
/// word's position and offsets. For the `parts` field: the word itself is in `text`.
#[derive(Clone, Debug, Default)]
pub struct Decompound(pub Arc<Splits>);

impl TokenFilter for Decompound {
    type Tokenizer<T: Tokenizer> = DecompoundFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> Self::Tokenizer<T> {
        DecompoundFilter {
            inner: tokenizer,
            splits: self.0,
        }
    }
}

#[derive(Clone)]
pub struct DecompoundFilter<T> {
    inner: T,
    splits: Arc<Splits>,
}

impl<T: Tokenizer> Tokenizer for DecompoundFilter<T> {
    type TokenStream<'a> = DecompoundStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        DecompoundStream {
            inner: self.inner.token_stream(text),
            splits: &self.splits,
            pending: Vec::new(),
            token: Token::default(),
        }
    }
}

pub struct DecompoundStream<'a, S> {
    inner: S,
    splits: &'a Splits,
    /// Parts of the current word still to give, last first.
    pending: Vec<String>,
    token: Token,
}

impl<S: TokenStream> TokenStream for DecompoundStream<'_, S> {
    fn advance(&mut self) -> bool {
        loop {
            if let Some(part) = self.pending.pop() {
                self.token.text = part;
                return true;
            }
            if !self.inner.advance() {
                return false;
            }
            let t = self.inner.token();
            if let Some(parts) = self.splits.get(&t.text) {
                self.token = Token {
                    text: String::new(),
                    ..t.clone()
                };
                self.pending = parts.iter().rev().cloned().collect();
            }
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon(words: &str) -> HashSet<String> {
        words.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn splits_compounds_with_known_parts() {
        let lex = lexicon("zorg mishandeling kind beleid plan melden code verzekering arbeid");
        let s = Splitter::new(&lex);
        // `coordinator` is not in the lexicon: the shipped list has it.
        assert_eq!(s.parts("zorgcoordinator"), ["zorg", "coordinator"]);
        assert_eq!(s.parts("zorgcoordinatoren"), ["zorg", "coordinatoren"]);
        assert_eq!(s.parts("kindermishandeling"), ["kind", "mishandeling"]);
        assert_eq!(s.parts("beleidsplan"), ["beleid", "plan"]);
        assert_eq!(s.parts("meldcode"), ["meld", "code"]);
        assert_eq!(
            s.parts("kindermishandelingsprotocol"),
            ["kindermishandeling", "kind", "mishandeling", "protocol"]
        );
    }

    #[test]
    fn no_false_splits() {
        let lex = lexicon(
            "leer belang rijk eigen onder steuning ver haal hand natuur vrij wijs over leg moei",
        );
        let s = Splitter::new(&lex);
        for w in [
            "leerlingen",
            "belangrijk",
            "eigenlijk",
            "natuurlijk",
            "ondersteuning",
            "verhaal",
            "handelen",
            "vrijheid",
            "onderwijs",
            "overleg",
            "moeilijk",
            "zorg",
            "kind",
            "",
        ] {
            assert_eq!(s.parts(w), Vec::<String>::new(), "{w}");
        }
        // Parts of at least MIN_PART_CHARS letters: `team` is, `wijkteam` splits.
        let lex = lexicon("wijk team bos");
        let s = Splitter::new(&lex);
        assert_eq!(s.parts("wijkteam"), ["wijk", "team"]);
        assert!(s.parts("bosteam").is_empty());
    }

    #[test]
    fn filter_gives_parts_at_the_words_position() {
        use tantivy::tokenizer::{SimpleTokenizer, TextAnalyzer};
        let lex = lexicon("zorg wijk team");
        let words = lexicon("de zorgcoordinator en het wijkteam");
        let splits = Arc::new(Splits::compute(&words, &lex));
        let mut a = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(Decompound(splits))
            .build();
        let mut got = Vec::new();
        a.token_stream("de zorgcoordinator en het wijkteam")
            .process(&mut |t| got.push((t.text.clone(), t.position, t.offset_from)));
        assert_eq!(
            got,
            [
                ("zorg".to_string(), 1, 3),
                ("coordinator".to_string(), 1, 3),
                ("wijk".to_string(), 4, 26),
                ("team".to_string(), 4, 26),
            ]
        );
    }
}
