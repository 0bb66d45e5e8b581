//! The search index's schema, defined once: one tantivy document per unit (a speaker turn's
//! spoken text), with filterable respondent fields and the text three times: Dutch-stemmed for
//! word queries, exact (unstemmed) for phrases and prefixes, and as compound parts.
//!
//! It holds only what comes from the texts and respondents.csv. The codes applied to a unit are
//! not in it: coding changes a journal, not the texts, and an index that held the codings went
//! stale with every coding (the next command re-indexed every transcript coded, which made a
//! second `autocode` at 10,000 transcripts cost twice the first). The code filters are applied
//! when a query runs, from the codings themselves (`coded`).

use super::decompound::{Decompound, Splits};
use std::sync::Arc;
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer, TokenizerManager,
};

/// Bump when the schema, the analyzers or what goes into a document change: an index of another
/// version is rebuilt on open.
pub const SCHEMA_VERSION: u32 = 4;

/// Longest word indexed, in bytes (UTF-8): longer ones are dropped by the analyzers, so a query
/// word longer than this has nothing to match. Dutch compounds reach 50 letters
/// (`arbeidsongeschiktheidsverzekeringsmaatschappijen`); 100 leaves room for accents.
pub const MAX_WORD_BYTES: usize = 100;

/// Tokenizer of `text`: words, lower-cased, accents folded, Dutch Snowball stem.
pub const STEMMED_TOKENIZER: &str = "codewerk_nl_stem";
/// Tokenizer of `exact`: words, lower-cased, accents folded, not stemmed.
pub const EXACT_TOKENIZER: &str = "codewerk_exact";
/// Tokenizer of `parts`: the parts of Dutch compounds (see `decompound`), Dutch-stemmed.
pub const PARTS_TOKENIZER: &str = "codewerk_nl_parts";

/// Every field of the index, typed, so that no code looks a field up by name.
#[derive(Debug, Clone)]
pub struct Fields {
    pub schema: Schema,
    /// Transcript id (= respondent id). Deleting by this term re-indexes a transcript.
    pub transcript: Field,
    pub group: Field,
    pub school: Field,
    pub school_type: Field,
    /// Further respondent attributes as `name=value` terms.
    pub attribute: Field,
    /// Speaker label of the turn (`I`, `R`), absent for unlabelled paragraphs.
    pub speaker: Field,
    /// Character offsets of the unit in the transcript: the turn's text after its label.
    pub start: Field,
    pub end: Field,
    /// The unit's text, Dutch-stemmed (no positions: phrases go to `exact`).
    pub text: Field,
    /// The unit's text, lower-cased and folded but not stemmed, with positions.
    pub exact: Field,
    /// The parts of the unit's compounds, Dutch-stemmed (no positions): a one-word query
    /// looks here too, so `coördinator` finds *zorgcoördinator*.
    pub parts: Field,
}

impl Fields {
    pub fn new() -> Fields {
        let mut b = Schema::builder();
        let keyword = STRING | STORED | FAST;
        let transcript = b.add_text_field("transcript", keyword.clone());
        let group = b.add_text_field("group", keyword.clone());
        let school = b.add_text_field("school", keyword.clone());
        let school_type = b.add_text_field("school_type", keyword.clone());
        let attribute = b.add_text_field("attribute", STRING);
        let speaker = b.add_text_field("speaker", keyword);
        let start = b.add_u64_field("start", STORED | FAST);
        let end = b.add_u64_field("end", STORED | FAST);
        let text_options = |tokenizer: &str, record: IndexRecordOption| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer)
                    .set_index_option(record),
            )
        };
        let text = b.add_text_field(
            "text",
            text_options(STEMMED_TOKENIZER, IndexRecordOption::WithFreqs),
        );
        let exact = b.add_text_field(
            "exact",
            text_options(EXACT_TOKENIZER, IndexRecordOption::WithFreqsAndPositions),
        );
        let parts = b.add_text_field(
            "parts",
            text_options(PARTS_TOKENIZER, IndexRecordOption::WithFreqs),
        );
        Fields {
            schema: b.build(),
            transcript,
            group,
            school,
            school_type,
            attribute,
            speaker,
            start,
            end,
            text,
            exact,
            parts,
        }
    }
}

impl Default for Fields {
    fn default() -> Self {
        Fields::new()
    }
}

/// Words as the index sees them: split at anything not a letter or digit, tokens over
/// `MAX_WORD_BYTES`
/// dropped, lower-cased, accents folded (`coördinator` -> `coordinator`).
pub fn exact_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES + 1))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// As `exact_analyzer`, then the Dutch Snowball stemmer (`signalen`, `signaal` -> `signal`),
/// after `DutchPluralS` for the plurals in -s that Snowball leaves alone.
pub fn stemmed_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES + 1))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(DutchPluralS)
        .filter(Stemmer::new(Language::Dutch))
        .build()
}

/// The stem `stemmed_analyzer` gives a word of `exact_analyzer`'s (lower case, accents folded),
/// from that word alone: the filters `stemmed_analyzer` has beyond `exact_analyzer`'s, on one
/// token that is the whole text.
pub fn word_stemmer() -> TextAnalyzer {
    TextAnalyzer::builder(tantivy::tokenizer::RawTokenizer::default())
        .filter(DutchPluralS)
        .filter(Stemmer::new(Language::Dutch))
        .build()
}

/// The Snowball Dutch stemmer removes a final -s only after a consonant, so the plural of the
/// many nouns in -e keeps its -s and never meets its singular (`meldcodes`/`meldcode`,
/// `situaties`/`situatie`). This filter drops the -s of words of 6+ letters ending in a single
/// -es first (not -ees: `Chinees`).
#[derive(Clone, Copy, Debug)]
pub struct DutchPluralS;

impl TokenFilter for DutchPluralS {
    type Tokenizer<T: Tokenizer> = DutchPluralSFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> Self::Tokenizer<T> {
        DutchPluralSFilter(tokenizer)
    }
}

#[derive(Clone)]
pub struct DutchPluralSFilter<T>(T);

impl<T: Tokenizer> Tokenizer for DutchPluralSFilter<T> {
    type TokenStream<'a> = DutchPluralSStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        DutchPluralSStream(self.0.token_stream(text))
    }
}

pub struct DutchPluralSStream<S>(S);

impl<S: TokenStream> TokenStream for DutchPluralSStream<S> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        let text = &mut self.0.token_mut().text;
        let b = text.as_bytes();
        if b.len() >= 6
            && b.ends_with(b"es")
            && b[b.len() - 3] != b'e'
            && text.is_char_boundary(b.len() - 1)
        {
            text.pop();
        }
        true
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

/// Tokenizers are not stored in an index: register them on every index opened or created.
/// The `parts` analyzer starts with no compounds known; `register_parts` gives it the splits of
/// the words about to be indexed (queries never use it: they look parts up as terms).
pub fn register_analyzers(manager: &TokenizerManager) {
    manager.register(STEMMED_TOKENIZER, stemmed_analyzer());
    manager.register(EXACT_TOKENIZER, exact_analyzer());
    register_parts(manager, Arc::default());
}

/// Register the `parts` analyzer with these splits, before documents are added.
pub fn register_parts(manager: &TokenizerManager, splits: Arc<Splits>) {
    manager.register(PARTS_TOKENIZER, parts_analyzer(splits));
}

/// As `exact_analyzer`, then each compound replaced by its parts (other words dropped), then
/// stemmed as `stemmed_analyzer` does.
pub fn parts_analyzer(splits: Arc<Splits>) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES + 1))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Decompound(splits))
        .filter(DutchPluralS)
        .filter(Stemmer::new(Language::Dutch))
        .build()
}

/// The analysed tokens of `text` (for tests and the highlighter).
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    stream.process(&mut |t| out.push(t.text.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_stemmed_alone_has_its_stem_in_the_text() {
        let text = "Meldcodes, coördinatoren! Signaal signalen gesprekken Situaties Chinees \
                    STRASSE straße ⑴ Æble zorgcoördinator 'S avonds één x2 aaaaaaaaaa";
        let exact = tokens(&mut exact_analyzer(), text);
        let stems = tokens(&mut stemmed_analyzer(), text);
        assert_eq!(exact.len(), stems.len());
        let mut word = word_stemmer();
        for (e, s) in exact.iter().zip(&stems) {
            assert_eq!(&tokens(&mut word, e), &vec![s.clone()], "{e}");
        }
    }

    #[test]
    fn dutch_stemming_and_folding() {
        let mut s = stemmed_analyzer();
        let mut stem = |w: &str| tokens(&mut s, w).join(" ");
        assert_eq!(stem("signalen"), stem("signaal"));
        assert_eq!(stem("Coördinator"), stem("coordinator"));
        assert_eq!(stem("zorgcoördinatoren"), stem("zorgcoördinator"));
        assert_eq!(stem("leerlingen"), stem("leerling"));
        assert_eq!(stem("ideeën"), stem("ideeen"));
        assert_eq!(stem("gesprekken"), stem("gesprek"));
        assert_eq!(stem("meldcodes"), stem("meldcode"));
        assert_eq!(stem("situaties"), stem("situatie"));
        assert_eq!(stem("wijkteams"), stem("wijkteam"));
        assert_eq!(stem("collega's"), stem("collega") + " s");
        assert_ne!(stem("chinees"), stem("chinee"));
        assert_ne!(stem("melden"), stem("mishandeling"));
        let mut e = exact_analyzer();
        assert_eq!(
            tokens(&mut e, "Zorg-Coördinator, één"),
            vec!["zorg", "coordinator", "een"]
        );
        assert_eq!(tokens(&mut e, "signalen"), vec!["signalen"]);
        // Long Dutch compounds are words too; only absurd lengths are dropped.
        let long = "arbeidsongeschiktheidsverzekeringsmaatschappijen";
        assert_eq!(tokens(&mut e, long), vec![long]);
        assert_eq!(tokens(&mut s, long).len(), 1);
        assert!(tokens(&mut e, &"a".repeat(MAX_WORD_BYTES + 1)).is_empty());
        assert_eq!(tokens(&mut e, &"a".repeat(MAX_WORD_BYTES)).len(), 1);
    }

    #[test]
    fn fields_are_named_once() {
        let f = Fields::new();
        assert_eq!(f.schema.get_field("exact").unwrap(), f.exact);
        assert_eq!(f.schema.fields().count(), 11);
    }
}
