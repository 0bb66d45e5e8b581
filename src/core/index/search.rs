//! Searching the index: the query language, filters, hits with snippets and match ranges.
//!
//! Query syntax (tantivy's grammar, read by `tantivy::query_grammar`):
//! - `word`: the word in any inflection (Dutch stemming) and with or without accents;
//! - `"a phrase"`: these words in this order, unstemmed (`"signalen"` does not find
//!   `signaal`), accents and case still ignored; `"a phrase"~2` allows two words between;
//! - `prefix*`: any word starting with it, unstemmed (`meld*`: melden, meldcode, melding);
//!   `"veilig th"*` a phrase whose last word is a prefix;
//! - `a b` both (AND is the default), `a OR b`, `a AND b`, `NOT a` / `-a`, `( ... )`;
//! - `*` alone: every unit (useful with filters).
//!
//! A unit (hit) is one speaker turn's text. Word queries are matched through tantivy's
//! `QueryParser` on the stemmed field, phrases on the exact field, prefixes with a `RegexQuery`.

use super::Index;
use super::schema::{self, ANY_CODER, CODER_CODE_SEP, exact_analyzer, stemmed_analyzer};
use crate::core::project::Project;
use crate::core::transcript::Transcript;
use serde::Serialize;
use std::collections::HashSet;
use std::ops::Range;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, QueryParser, RegexQuery, TermQuery,
};
use tantivy::query_grammar::{Delimiter, UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::schema::{IndexRecordOption, Term, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, TantivyDocument};

/// Longest snippet, in characters (plus an ellipsis at either end).
pub const SNIPPET_CHARS: usize = 200;
/// How matches are marked in `Snippet::marked`.
pub const MARK_OPEN: &str = "«";
pub const MARK_CLOSE: &str = "»";

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
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
}

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

/// One unit that matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub transcript: String,
    pub respondent: String,
    pub group: String,
    pub school: String,
    pub school_type: String,
    pub speaker: Option<String>,
    /// Character offsets of the unit (the turn's text after its label) in the transcript.
    pub start: usize,
    pub end: usize,
    pub score: f32,
    /// Character ranges of the matched words and phrases in the transcript.
    pub matches: Vec<Range<usize>>,
    pub snippet: Snippet,
}

/// Hits in rank order and how many units matched in all.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Hits {
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// Search; hits in rank order (best first), at most `query.limit`.
pub fn search(project: &Project, index: &Index, query: &Query) -> Result<Vec<Hit>, SearchError> {
    Ok(search_all(project, index, query)?.hits)
}

/// Search, also counting every matching unit.
pub fn search_all(project: &Project, index: &Index, query: &Query) -> Result<Hits, SearchError> {
    let parsed = ParsedQuery::parse(index, &query.text)?;
    let filters = filters(project, index, query)?;
    let full: Box<dyn tantivy::query::Query> = if filters.is_empty() {
        parsed.query.box_clone()
    } else {
        let mut clauses = vec![(Occur::Must, parsed.query.box_clone())];
        clauses.extend(filters);
        Box::new(BooleanQuery::new(clauses))
    };
    let searcher = index.reader.searcher();
    let limit = match query.limit {
        0 => searcher.search(&*full, &Count)?,
        n => n,
    };
    if limit == 0 {
        return Ok(Hits::default());
    }
    let (top, total) = searcher.search(&*full, &(TopDocs::with_limit(limit), Count))?;
    let mut hits = Vec::with_capacity(top.len());
    for (score, addr) in top {
        if let Some(hit) = make_hit(project, index, &parsed, &searcher, score, addr)? {
            hits.push(hit);
        }
    }
    Ok(Hits { total, hits })
}

/// Character ranges (in the transcript) of the matches of `query_text` in a hit's unit, for a
/// transcript view to highlight. The same as `hit.matches`.
pub fn match_ranges(
    project: &Project,
    index: &Index,
    query_text: &str,
    hit: &Hit,
) -> Result<Vec<Range<usize>>, SearchError> {
    let parsed = ParsedQuery::parse(index, query_text)?;
    Ok(project
        .transcript(&hit.transcript)
        .map(|t| parsed.match_ranges(t, hit.start, hit.end))
        .unwrap_or_default())
}

fn make_hit(
    project: &Project,
    index: &Index,
    parsed: &ParsedQuery,
    searcher: &tantivy::Searcher,
    score: f32,
    addr: DocAddress,
) -> Result<Option<Hit>, SearchError> {
    let f = &index.fields;
    let doc: TantivyDocument = searcher.doc(addr)?;
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let num = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_u64())
            .map(|n| n as usize)
    };
    let (Some(id), Some(start), Some(end)) = (text(f.transcript), num(f.start), num(f.end)) else {
        return Ok(None);
    };
    let (Some(t), Some(r)) = (project.transcript(&id), project.respondent(&id)) else {
        return Ok(None);
    };
    let matches = parsed.match_ranges(t, start, end);
    let snippet = make_snippet(t, start, end, &matches, SNIPPET_CHARS);
    Ok(Some(Hit {
        transcript: id,
        respondent: r.id.clone(),
        group: r.group.clone(),
        school: r.school.clone(),
        school_type: r.school_type.clone(),
        speaker: text(f.speaker),
        start,
        end,
        score,
        matches,
        snippet,
    }))
}

fn filters(
    project: &Project,
    index: &Index,
    q: &Query,
) -> Result<Vec<(Occur, BoxQuery)>, SearchError> {
    let f = &index.fields;
    let term = |field, value: &str| -> Box<dyn tantivy::query::Query> {
        let tq = TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        );
        Box::new(ConstScoreQuery::new(Box::new(tq), 0.0))
    };
    let known = |what: &str, value: &str, all: Vec<String>| -> Result<(), SearchError> {
        if all.iter().any(|a| a == value) {
            return Ok(());
        }
        Err(SearchError::Filter(format!(
            "unknown {what} \"{value}\" (known: {})",
            all.join(", ")
        )))
    };
    let mut out = Vec::new();
    if let Some(g) = &q.group {
        known("group", g, project.groups())?;
        out.push((Occur::Must, term(f.group, g)));
    }
    if let Some(s) = &q.school_type {
        known("school type", s, project.school_types())?;
        out.push((Occur::Must, term(f.school_type, s)));
    }
    if let Some(s) = &q.school {
        let mut schools: Vec<String> = project
            .respondents
            .iter()
            .map(|r| r.school.clone())
            .collect();
        schools.sort();
        schools.dedup();
        known("school", s, schools)?;
        out.push((Occur::Must, term(f.school, s)));
    }
    if let Some(s) = &q.speaker {
        out.push((Occur::Must, term(f.speaker, s)));
    }
    for (k, v) in &q.attributes {
        out.push((Occur::Must, term(f.attribute, &format!("{k}={v}"))));
    }
    let code = match &q.code {
        Some(c) => match project.codebook.resolve(c) {
            Some(code) => Some(code.id.clone()),
            None => return Err(SearchError::Filter(format!("unknown code \"{c}\""))),
        },
        None => None,
    };
    let occur = if q.uncoded {
        Occur::MustNot
    } else {
        Occur::Must
    };
    match (&code, &q.coder) {
        (Some(c), Some(coder)) => out.push((
            occur,
            term(f.coder_code, &format!("{coder}{CODER_CODE_SEP}{c}")),
        )),
        (Some(c), None) => out.push((occur, term(f.code, c))),
        (None, Some(coder)) => out.push((occur, term(f.coded_by, coder))),
        (None, None) if q.uncoded => out.push((occur, term(f.coded_by, ANY_CODER))),
        (None, None) => {}
    }
    Ok(out)
}

/// A query read and compiled against an index, with what it takes to highlight its matches.
pub struct ParsedQuery {
    pub text: String,
    query: Box<dyn tantivy::query::Query>,
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
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Ok(ParsedQuery {
                text: text.to_string(),
                query: Box::new(AllQuery),
                highlight: Highlight::default(),
            });
        }
        let ast =
            tantivy::query_grammar::parse_query(trimmed).map_err(|_| syntax_error(trimmed))?;
        let mut compiler = Compiler {
            stem_parser: QueryParser::for_index(&index.index, vec![index.fields.text]),
            exact_parser: QueryParser::for_index(&index.index, vec![index.fields.exact]),
            exact_field: index.fields.exact,
            exact: exact_analyzer(),
            stem: stemmed_analyzer(),
            highlight: Highlight::default(),
        };
        let query = compiler
            .convert(ast, false)?
            .unwrap_or_else(|| Box::new(AllQuery));
        Ok(ParsedQuery {
            text: text.to_string(),
            query,
            highlight: compiler.highlight,
        })
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

/// Turn a grammar failure into a message that says what and where.
fn syntax_error(text: &str) -> SearchError {
    let (_, errors) = tantivy::query_grammar::parse_query_lenient(text);
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
        (what, Some(text[..e.pos.min(text.len())].chars().count()))
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
    exact: TextAnalyzer,
    stem: TextAnalyzer,
    highlight: Highlight,
}

type BoxQuery = Box<dyn tantivy::query::Query>;

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
            return Ok(None);
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
            if hl {
                self.highlight
                    .stems
                    .extend(schema::tokens(&mut self.stem, &phrase));
            }
            return self.parse_leaf(&phrase, Delimiter::None, 0, false, true);
        }
        // A quoted word or phrase, or a word that splits in several (`zorg-coördinator`).
        if hl {
            if words.len() == 1 {
                self.highlight.exact.insert(words[0].clone());
            } else if lit.slop > 0 {
                self.highlight.exact.extend(words.iter().cloned());
            } else {
                self.highlight.phrases.push(PhrasePattern {
                    words: words.clone(),
                    prefix,
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

/// What a query's matches look like in text: stems, exact words, prefixes, phrases.
#[derive(Clone, Default)]
struct Highlight {
    stems: HashSet<String>,
    exact: HashSet<String>,
    prefixes: Vec<String>,
    phrases: Vec<PhrasePattern>,
}

#[derive(Clone)]
struct PhrasePattern {
    words: Vec<String>,
    /// The last word is a prefix.
    prefix: bool,
}

struct Tok {
    from: usize,
    to: usize,
    exact: String,
    stem: String,
}

impl Highlight {
    fn is_empty(&self) -> bool {
        self.stems.is_empty()
            && self.exact.is_empty()
            && self.prefixes.is_empty()
            && self.phrases.is_empty()
    }

    /// Byte ranges of the matches in `text`, sorted, overlaps merged.
    fn byte_ranges(&self, text: &str) -> Vec<Range<usize>> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut toks: Vec<Tok> = Vec::new();
        exact_analyzer().token_stream(text).process(&mut |t| {
            toks.push(Tok {
                from: t.offset_from,
                to: t.offset_to,
                exact: t.text.clone(),
                stem: String::new(),
            })
        });
        if !self.stems.is_empty() {
            let mut i = 0;
            stemmed_analyzer().token_stream(text).process(&mut |t| {
                if let Some(tok) = toks.get_mut(i) {
                    tok.stem = t.text.clone();
                }
                i += 1;
            });
        }
        let mut out: Vec<Range<usize>> = Vec::new();
        for tok in &toks {
            if self.stems.contains(&tok.stem)
                || self.exact.contains(&tok.exact)
                || self
                    .prefixes
                    .iter()
                    .any(|p| tok.exact.starts_with(p.as_str()))
            {
                out.push(tok.from..tok.to);
            }
        }
        for p in &self.phrases {
            let n = p.words.len();
            if n == 0 || toks.len() < n {
                continue;
            }
            for i in 0..=toks.len() - n {
                let ok = (0..n).all(|j| {
                    let w = &toks[i + j].exact;
                    if p.prefix && j == n - 1 {
                        w.starts_with(p.words[j].as_str())
                    } else {
                        *w == p.words[j]
                    }
                });
                if ok {
                    out.push(toks[i].from..toks[i + n - 1].to);
                }
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
        let at = |i: usize| chars[i - start];
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
