//! The query language: what to search for (`Query`), and a query's text read into a tantivy
//! query (`ParsedQuery`) with what it takes to highlight its matches.
//!
//! Query syntax (tantivy's grammar, read by `tantivy::query_grammar`):
//! - `word`: the word in any inflection (Dutch stemming) and with or without accents;
//! - `"a phrase"`: these words in this order, unstemmed (`"signalen"` does not find
//!   `signaal`), accents and case still ignored; `"a phrase"~2` allows two words between;
//! - `prefix*`: any word starting with it, unstemmed (`meld*`: melden, meldcode, melding);
//!   `"veilig th"*` a phrase whose last word is a prefix;
//! - `a b` both (AND is the default, with the precedence of an explicit AND: `a b OR c` is
//!   `(a AND b) OR c`), `a OR b`, `a AND b`, `NOT a` / `-a`, `( ... )`;
//! - `*` alone (or an empty query): every unit (useful with filters);
//! - a word with an apostrophe (`collega's`, `zo'n`, `'s avonds`) is a word, not a quote.
//!
//! A part of a query without any searchable word (`?`, a word over `MAX_WORD_BYTES`) matches
//! nothing, and the query says so in `ParsedQuery::notes`.
//!
//! Word queries are matched through tantivy's `QueryParser` on the stemmed field, phrases on the
//! exact field, prefixes with a `RegexQuery`. Before tantivy's grammar reads a query, `rewrite`
//! escapes apostrophes and writes the implicit ANDs out.

use super::Index;
use super::decompound::IndexedWords;
use super::highlight::{Highlight, PhrasePattern};
use super::schema::{self, MAX_WORD_BYTES, exact_analyzer, stemmed_analyzer};
use crate::core::transcript::Transcript;
use std::ops::Range;
use std::sync::Arc;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, Occur, QueryParser, RegexQuery, TermQuery,
};
use tantivy::query_grammar::{Delimiter, UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::schema::{IndexRecordOption, Term};
use tantivy::tokenizer::TextAnalyzer;

/// A compiled query or filter clause, as tantivy's combinators take them.
pub(super) type BoxQuery = Box<dyn tantivy::query::Query>;

/// What to search for, and in which units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// The query text (see the module documentation). Empty: every unit.
    pub text: String,
    pub group: Option<String>,
    pub school_type: Option<String>,
    pub school: Option<String>,
    /// Further respondent attributes that must match, `(name, value)`.
    pub attributes: Vec<(String, String)>,
    /// Only turns with this speaker label (`R`).
    pub speaker: Option<String>,
    /// Only units coded with this code (id or name), by `coder` if given, else by anyone.
    /// With `uncoded`: only units NOT coded with it.
    pub code: Option<String>,
    /// With neither `code` nor `uncoded`: only units this coder coded.
    pub coder: Option<String>,
    /// Only units without codes (of `code` if given; by `coder` if given).
    pub uncoded: bool,
    /// Most hits to return; 0 = all.
    pub limit: usize,
    /// The order of the hits.
    pub rank: Rank,
}

/// The order of the hits. Interviewer questions repeat the topic words in few words, so by score
/// alone they come first ("En de meldcode?"): by default the respondents' turns come first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Rank {
    /// Respondent turns (any speaker label not an interviewer's, or none) by score, then the
    /// interviewer's turns by score.
    #[default]
    InterviewerLast,
    /// By score (BM25) alone.
    Score,
}

impl std::str::FromStr for Rank {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "interviewer-last" => Ok(Rank::InterviewerLast),
            "score" => Ok(Rank::Score),
            _ => Err(format!(
                "unknown ranking \"{s}\" (interviewer-last or score)"
            )),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query text cannot be read.
    #[error("malformed query: {message}")]
    Syntax {
        message: String,
        position: Option<usize>,
    },
    /// A filter names something the project does not have.
    #[error("{0}")]
    Filter(String),
    /// Not a `source`: printed with its causes, the tantivy error would appear twice.
    #[error("search index: {0}")]
    Index(tantivy::TantivyError),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError::Index(e)
    }
}

/// A query read and compiled against an index, with what it takes to highlight its matches.
pub struct ParsedQuery {
    pub text: String,
    /// Parts of the query without a searchable word, which match nothing, explained.
    pub notes: Vec<String>,
    pub(super) query: Box<dyn tantivy::query::Query>,
    highlight: Highlight,
}

impl std::fmt::Debug for ParsedQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParsedQuery")
            .field("text", &self.text)
            .field("query", &self.query)
            .finish()
    }
}

impl ParsedQuery {
    /// Read a query. A malformed one is a `SearchError::Syntax` saying what is wrong and where.
    pub fn parse(index: &Index, text: &str) -> Result<ParsedQuery, SearchError> {
        Self::parse_with_words(index, text, index.lexicon())
    }

    /// `parse`, highlighting compounds split with `words` (the memos' and the transcripts').
    pub(crate) fn parse_with_words(
        index: &Index,
        text: &str,
        words: IndexedWords,
    ) -> Result<ParsedQuery, SearchError> {
        // Control characters (NUL, form feed, ...) are no part of any word, and tantivy's query
        // grammar can loop on them until memory runs out (found by fuzzing: `"IN [` with NULs).
        let cleaned: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let trimmed = cleaned.trim();
        if trimmed.is_empty() {
            return Ok(ParsedQuery {
                text: text.to_string(),
                notes: Vec::new(),
                query: Box::new(AllQuery),
                highlight: Highlight::default(),
            });
        }
        if let Some(position) = too_deep(trimmed) {
            return Err(SearchError::Syntax {
                message: format!(
                    "parentheses nested more than {MAX_DEPTH} deep at character {}",
                    position + 1
                ),
                position: Some(position),
            });
        }
        let (rewritten, map) = rewrite(trimmed);
        let ast = tantivy::query_grammar::parse_query(&rewritten)
            .map_err(|_| syntax_error(trimmed, &rewritten, &map))?;
        let mut compiler = Compiler {
            stem_parser: QueryParser::for_index(&index.index, vec![index.fields.text]),
            exact_parser: QueryParser::for_index(&index.index, vec![index.fields.exact]),
            exact_field: index.fields.exact,
            parts_field: index.fields.parts,
            exact: exact_analyzer(),
            stem: stemmed_analyzer(),
            highlight: Highlight {
                lexicon: Some(Arc::new(words)),
                ..Highlight::default()
            },
            notes: Vec::new(),
        };
        // Only an empty query or `*` matches every unit; `()` matches none.
        let query = compiler
            .convert(ast, false)?
            .unwrap_or_else(|| Box::new(EmptyQuery));
        Ok(ParsedQuery {
            text: text.to_string(),
            notes: compiler.notes,
            query,
            highlight: compiler.highlight,
        })
    }

    /// The compiled query, to run on an index of other texts (memos).
    pub(crate) fn tantivy_query(&self) -> &dyn tantivy::query::Query {
        &*self.query
    }

    /// Character ranges (in the transcript) of the matches within `start..end`.
    pub fn match_ranges(&self, t: &Transcript, start: usize, end: usize) -> Vec<Range<usize>> {
        let base = t.byte_at(start);
        self.highlight
            .byte_ranges(t.slice(start, end))
            .into_iter()
            .map(|r| t.char_at_byte(base + r.start)..t.char_at_byte(base + r.end))
            .collect()
    }
}

/// The deepest nesting of parentheses a query may have. tantivy's grammar backtracks on each
/// open parenthesis, so twenty of them took seconds per keystroke (found by fuzzing); no one
/// writes a search nested deeper than this.
const MAX_DEPTH: usize = 8;

/// Where (char offset) the parentheses outside quotes first nest deeper than `MAX_DEPTH`.
fn too_deep(text: &str) -> Option<usize> {
    let (mut depth, mut quoted, mut escaped) = (0usize, false, false);
    for (i, c) in text.chars().enumerate() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '(' if !quoted => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            ')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The query as tantivy's grammar should read it, with for every byte of it the character of
/// `text` it stems from (for error positions):
/// - an apostrophe outside double quotes is escaped: `collega's`, `zo'n` are words (the grammar
///   would read `'` as the start of a '...' phrase);
/// - a clitic `'s`, `'t`, `'n` before a word is a phrase with it: `'s avonds` is
///   `"'s avonds"`, not the word `s` anywhere in the turn;
/// - two operands side by side get an explicit `AND` between them, so that the default AND binds
///   as the explicit one does: `a b OR c` is `(a AND b) OR c`, not `a AND (b OR c)`.
pub(crate) fn rewrite(text: &str) -> (String, Vec<usize>) {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    // Chunks: runs of characters without white space outside double quotes and outside
    // brackets (`[a TO b]`, which is refused later with a message), as char ranges.
    let mut chunks: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < n {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let (mut quoted, mut brackets) = (false, 0usize);
        while i < n && (quoted || brackets > 0 || !chars[i].is_whitespace()) {
            match chars[i] {
                '\\' => i += 1,
                '"' => quoted = !quoted,
                '[' | '{' if !quoted => brackets += 1,
                ']' | '}' if !quoted => brackets = brackets.saturating_sub(1),
                _ => {}
            }
            i += 1;
        }
        chunks.push(start..i.min(n));
    }
    let (mut out, mut map) = (String::new(), Vec::new());
    let mut push = |c: char, at: usize, out: &mut String| {
        map.extend(std::iter::repeat_n(at, c.len_utf8()));
        out.push(c);
    };
    let mut prev: Option<String> = None;
    let mut k = 0;
    while k < chunks.len() {
        let r = chunks[k].clone();
        let mut piece = String::new();
        if let Some(p) = &prev {
            let this: String = chars[r.clone()].iter().collect();
            if needs_and(p, &this) {
                for c in " AND".chars() {
                    push(c, r.start, &mut out);
                }
            }
            push(' ', r.start, &mut out);
        }
        let clitic = chunks
            .get(k + 1)
            .and_then(|next| clitic_phrase(&chars[r.clone()], &chars[next.clone()]));
        if let Some((open, close)) = clitic {
            // `('s avonds*)` -> `("'s avonds"*)`.
            let next = chunks[k + 1].clone();
            let at = |range: Range<usize>| range.map(|i| (chars[i], i)).collect::<Vec<_>>();
            let mut items = at(r.start..r.start + open);
            items.push(('"', r.start + open));
            items.extend(at(r.start + open..r.end));
            items.push((' ', next.start));
            items.extend(at(next.start..next.end - close));
            items.push(('"', next.end - close));
            items.extend(at(next.end - close..next.end));
            for (c, i) in items {
                push(c, i, &mut piece);
            }
            k += 1;
        } else {
            // A bare `*` (also `-*`, `(*)`) among other parts is tantivy's "field exists" query,
            // which panics without a field (found by fuzzing: `a - *`): escaped, it is a
            // wordless part. Alone it stays "everything".
            let core: String = chars[r.clone()]
                .iter()
                .collect::<String>()
                .trim_start_matches(['+', '-', '('])
                .trim_end_matches(')')
                .to_string();
            let bare_star = chunks.len() > 1 && !core.is_empty() && core.chars().all(|c| c == '*');
            let mut quoted = false;
            let mut at = r.start;
            while at < r.end {
                let c = chars[at];
                if bare_star && c == '*' {
                    push('\\', at, &mut piece);
                }
                if c == '\\' && at + 1 < r.end {
                    push(c, at, &mut piece);
                    push(chars[at + 1], at + 1, &mut piece);
                    at += 2;
                    continue;
                }
                if c == '"' {
                    quoted = !quoted;
                } else if c == '\'' && !quoted {
                    push('\\', at, &mut piece);
                }
                push(c, at, &mut piece);
                at += 1;
            }
        }
        out.push_str(&piece);
        prev = Some(piece);
        k += 1;
    }
    (out, map)
}

/// If `chunk` is a clitic (`'s`, `'t`, `'n`, after any `(`) and `next` a plain word (before
/// any `*` and `)`), the number of `(` before the clitic and of characters after the word.
fn clitic_phrase(chunk: &[char], next: &[char]) -> Option<(usize, usize)> {
    let open = chunk.iter().take_while(|&&c| c == '(').count();
    let clitic = &chunk[open..];
    let is_clitic = matches!(clitic, ['\'', c] | ['\'', c, _] if c.is_alphabetic())
        && clitic[1..].iter().all(|c| c.is_alphabetic());
    let close = next
        .iter()
        .rev()
        .take_while(|&&c| c == ')' || c == '*')
        .count();
    let word = &next[..next.len() - close];
    let plain = !word.is_empty()
        && word.iter().all(|c| c.is_alphanumeric() || *c == '-')
        && !matches!(
            word.iter().collect::<String>().as_str(),
            "AND" | "OR" | "NOT"
        );
    (is_clitic && plain).then_some((open, close))
}

/// Whether two chunks side by side are two operands joined by the default AND.
fn needs_and(left: &str, right: &str) -> bool {
    let ends_with = |s: &str, c: char| s.ends_with(c) && !s[..s.len() - 1].ends_with('\\');
    let operator = matches!(
        left.trim_start_matches('('),
        "AND" | "OR" | "NOT" | "IN" | "+" | "-"
    );
    !(operator
        || ends_with(left, '(')
        || ends_with(left, ':')
        || matches!(right, "AND" | "OR")
        || right.starts_with(')')
        || right.starts_with(':'))
}

/// Turn a grammar failure into a message that says what and where. `text` is the query as
/// typed, `rewritten` what the grammar read (see `rewrite`), `map` its bytes' characters in
/// `text`.
fn syntax_error(text: &str, rewritten: &str, map: &[usize]) -> SearchError {
    let (_, errors) = tantivy::query_grammar::parse_query_lenient(rewritten);
    let quotes = text.chars().filter(|&c| c == '"').count();
    let (message, position) = if quotes % 2 == 1 {
        (
            "a \" is not closed".to_string(),
            text.rfind('"').map(|b| text[..b].chars().count()),
        )
    } else if let Some(e) = errors.first() {
        let what = match e.message.as_str() {
            m if m.contains("expected ')'") => "a ( is not closed".to_string(),
            m if m.contains("unparsed end") => "unexpected character".to_string(),
            m if m.contains("missing space") => "* may only end a word (prefix*)".to_string(),
            m => m.to_string(),
        };
        let at = map
            .get(e.pos)
            .copied()
            .unwrap_or_else(|| text.chars().count());
        (what, Some(at))
    } else {
        ("AND, OR and NOT need a word on each side".to_string(), None)
    };
    let message = match position {
        Some(p) => format!("{message} at character {} of `{text}`", p + 1),
        None => format!("{message} in `{text}`"),
    };
    SearchError::Syntax { message, position }
}

struct Compiler {
    stem_parser: QueryParser,
    exact_parser: QueryParser,
    exact_field: tantivy::schema::Field,
    parts_field: tantivy::schema::Field,
    exact: TextAnalyzer,
    stem: TextAnalyzer,
    highlight: Highlight,
    notes: Vec<String>,
}

impl Compiler {
    fn convert(
        &mut self,
        ast: UserInputAst,
        negated: bool,
    ) -> Result<Option<BoxQuery>, SearchError> {
        match ast {
            UserInputAst::Clause(children) => {
                let mut subs: Vec<(Occur, BoxQuery)> = Vec::new();
                for (occur, child) in children {
                    // Words side by side must all match: AND is the default.
                    let occur = occur.unwrap_or(Occur::Must);
                    let neg = negated ^ (occur == Occur::MustNot);
                    if let Some(q) = self.convert(child, neg)? {
                        subs.push((occur, q));
                    }
                }
                if subs.is_empty() {
                    return Ok(None);
                }
                if subs.iter().all(|(o, _)| *o == Occur::MustNot) {
                    // `NOT x`: every unit without x.
                    subs.push((Occur::Must, Box::new(AllQuery)));
                }
                if subs.len() == 1 && subs[0].0 != Occur::MustNot {
                    return Ok(subs.pop().map(|(_, q)| q));
                }
                Ok(Some(Box::new(BooleanQuery::new(subs))))
            }
            UserInputAst::Boost(inner, boost) => Ok(self
                .convert(*inner, negated)?
                .map(|q| Box::new(BoostQuery::new(q, boost as f32)) as BoxQuery)),
            UserInputAst::Leaf(leaf) => match *leaf {
                UserInputLeaf::Literal(lit) => self.literal(lit, negated),
                UserInputLeaf::All => Ok(Some(Box::new(AllQuery))),
                UserInputLeaf::Range { .. } | UserInputLeaf::Set { .. } => {
                    Err(SearchError::Syntax {
                        message: "ranges ([a TO b]) and sets (IN [...]) are not supported; \
                              put text with brackets in quotes"
                            .into(),
                        position: None,
                    })
                }
                UserInputLeaf::Exists { field } => Err(SearchError::Syntax {
                    message: format!("`{field}:*` is not supported; use {field}* for a prefix"),
                    position: None,
                }),
            },
        }
    }

    fn literal(
        &mut self,
        lit: UserInputLiteral,
        negated: bool,
    ) -> Result<Option<BoxQuery>, SearchError> {
        // `12:30` or `R:` read as field:value by the grammar; we have no such fields in the
        // query language, so it is text.
        let mut phrase = match &lit.field_name {
            Some(f) => format!("{f}:{}", lit.phrase),
            None => lit.phrase.clone(),
        };
        let quoted = lit.delimiter != Delimiter::None;
        let mut prefix = lit.prefix;
        if !quoted {
            if let Some(p) = phrase.strip_suffix('*') {
                phrase = p.to_string();
                prefix = true;
            }
            if phrase.contains('*') {
                return Err(SearchError::Syntax {
                    message: format!("* may only end a word (prefix*), not in `{}`", lit.phrase),
                    position: None,
                });
            }
        }
        let words = schema::tokens(&mut self.exact, &phrase);
        if words.is_empty() {
            // Nothing to search for: match nothing (not everything), and say why.
            let shown = if quoted {
                format!("\"{}\"", lit.phrase)
            } else {
                phrase.clone()
            };
            let long = phrase
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| w.len() > MAX_WORD_BYTES);
            self.notes.push(if long {
                format!(
                    "`{shown}` is longer than {MAX_WORD_BYTES} bytes, which the index leaves out: it matches nothing"
                )
            } else {
                format!("`{shown}` has no word (letters or digits) to search for: it matches nothing")
            });
            return Ok(Some(Box::new(EmptyQuery)));
        }
        let hl = !negated;
        if words.len() == 1 && prefix {
            let pattern: String = words[0]
                .chars()
                .flat_map(|c| {
                    if c.is_alphanumeric() {
                        vec![c]
                    } else {
                        vec!['\\', c]
                    }
                })
                .chain(".*".chars())
                .collect();
            let q = RegexQuery::from_pattern(&pattern, self.exact_field)?;
            if hl {
                self.highlight.prefixes.push(words[0].clone());
            }
            return Ok(Some(Box::new(q)));
        }
        if words.len() == 1 && !quoted {
            let stems = schema::tokens(&mut self.stem, &phrase);
            if hl {
                self.highlight.stems.extend(stems.iter().cloned());
            }
            let Some(whole) = self.parse_leaf(&phrase, Delimiter::None, 0, false, true)? else {
                return Ok(None);
            };
            // The word on its own, or as a part of a compound (`decompound`).
            let mut either: Vec<(Occur, BoxQuery)> = vec![(Occur::Should, whole)];
            for stem in stems {
                let term = Term::from_field_text(self.parts_field, &stem);
                either.push((
                    Occur::Should,
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                ));
            }
            return Ok(Some(Box::new(BooleanQuery::new(either))));
        }
        // A quoted word or phrase, or a word that splits in several (`zorg-coördinator`).
        if hl {
            if words.len() == 1 {
                self.highlight.exact.insert(words[0].clone());
            } else {
                self.highlight.phrases.push(PhrasePattern {
                    words: words.clone(),
                    prefix,
                    slop: lit.slop,
                });
            }
        }
        self.parse_leaf(
            &phrase,
            Delimiter::DoubleQuotes,
            lit.slop,
            prefix && words.len() > 1,
            false,
        )
    }

    fn parse_leaf(
        &self,
        phrase: &str,
        delimiter: Delimiter,
        slop: u32,
        prefix: bool,
        stemmed: bool,
    ) -> Result<Option<BoxQuery>, SearchError> {
        let leaf = UserInputLiteral {
            field_name: None,
            phrase: phrase.to_string(),
            delimiter,
            slop,
            prefix,
        };
        let ast = UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(leaf)));
        let parser = if stemmed {
            &self.stem_parser
        } else {
            &self.exact_parser
        };
        parser
            .build_query_from_user_input_ast(ast)
            .map(Some)
            .map_err(|e| SearchError::Syntax {
                message: e.to_string(),
                position: None,
            })
    }
}
