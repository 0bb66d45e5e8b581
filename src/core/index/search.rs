//! Searching the index: the query language, filters, hits with snippets and match ranges.
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
//! A unit (hit) is one speaker turn's text. Word queries are matched through tantivy's
//! `QueryParser` on the stemmed field, phrases on the exact field, prefixes with a `RegexQuery`.
//! Before tantivy's grammar reads a query, `rewrite` escapes apostrophes and writes the implicit
//! ANDs out.

use super::Index;
use super::decompound::{IndexedWords, MIN_PART_CHARS, Splitter};
use super::schema::{
    self, ANY_CODER, CODER_CODE_SEP, MAX_WORD_BYTES, exact_analyzer, stemmed_analyzer,
};
use crate::core::codebook::Codebook;
use crate::core::project::{Project, ordered};
use crate::core::respondents::Respondent;
use crate::core::settings::Settings;
use crate::core::text::fold_key as fold;
use crate::core::transcript::Transcript;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::{Arc, Mutex};
use tantivy::TantivyDocument;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, QueryParser,
    RegexQuery, TermQuery,
};
use tantivy::query_grammar::{Delimiter, UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::schema::{IndexRecordOption, Term, Value};
use tantivy::tokenizer::TextAnalyzer;

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
    /// Things the user should know about the query (a part without a searchable word).
    pub notes: Vec<String>,
}

/// What a search reads of the project besides the index: a loaded `Project`, or a
/// `fresh::Light` that reads only the transcripts of the hits it shows.
pub trait Source {
    fn settings(&self) -> &Settings;
    fn codebook(&self) -> &Codebook;
    /// The respondents whose transcripts are searched.
    fn respondents(&self) -> &[Respondent];
    fn respondent(&self, id: &str) -> Option<&Respondent>;
    /// Coders with a journal.
    fn coder_names(&self) -> Vec<&str>;
    /// Speaker labels of the turns.
    fn speaker_labels(&self, index: &Index) -> Vec<String>;
    /// The texts of these transcripts, to make the hits' snippets.
    fn texts(&self, ids: &[&str]) -> Texts<'_>;

    /// Respondent groups in report order, as `Project::groups`.
    fn groups(&self) -> Vec<String> {
        ordered(
            self.settings().groups.iter().map(|g| g.id.clone()),
            self.respondents().iter().map(|r| r.group.clone()),
        )
    }

    /// School types in report order, as `Project::school_types`.
    fn school_types(&self) -> Vec<String> {
        ordered(
            self.settings().school_types.iter().cloned(),
            self.respondents()
                .iter()
                .map(|r| r.school_type.clone())
                .filter(|s| !s.is_empty()),
        )
    }
}

/// Transcript texts a search shows: all of a loaded project, or the few read for the hits.
pub enum Texts<'a> {
    Loaded(&'a Project),
    Read(HashMap<String, Transcript>),
}

impl Texts<'_> {
    pub fn get(&self, id: &str) -> Option<&Transcript> {
        match self {
            Texts::Loaded(p) => p.transcript(id),
            Texts::Read(m) => m.get(id),
        }
    }
}

impl Source for Project {
    fn settings(&self) -> &Settings {
        &self.settings
    }
    fn codebook(&self) -> &Codebook {
        &self.codebook
    }
    fn respondents(&self) -> &[Respondent] {
        &self.respondents
    }
    fn respondent(&self, id: &str) -> Option<&Respondent> {
        Project::respondent(self, id)
    }
    fn coder_names(&self) -> Vec<&str> {
        self.coders.keys().map(String::as_str).collect()
    }
    fn speaker_labels(&self, _: &Index) -> Vec<String> {
        distinct(
            self.transcripts
                .iter()
                .flat_map(|t| t.turns.iter().filter_map(|tr| tr.speaker.as_deref())),
        )
    }
    fn texts(&self, _: &[&str]) -> Texts<'_> {
        Texts::Loaded(self)
    }
}

/// Search; hits in rank order (best first), at most `query.limit`.
pub fn search<S: Source + ?Sized>(
    project: &S,
    index: &Index,
    query: &Query,
) -> Result<Vec<Hit>, SearchError> {
    Ok(search_all(project, index, query)?.hits)
}

/// Search, also counting every matching unit.
pub fn search_all<S: Source + ?Sized>(
    project: &S,
    index: &Index,
    query: &Query,
) -> Result<Hits, SearchError> {
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
    let notes = parsed.notes.clone();
    // Never more than there are units: the collector allocates room for `limit` hits.
    let units = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
    let limit = match query.limit {
        0 => searcher.search(&*full, &Count)?,
        n => n.min(units),
    };
    if limit == 0 {
        let total = searcher.search(&*full, &Count)?;
        return Ok(Hits {
            total,
            hits: Vec::new(),
            notes,
        });
    }
    let interviewer = match query.rank {
        Rank::InterviewerLast => interviewer_turns(project, index, &searcher),
        Rank::Score => None,
    };
    let (top, total) = match interviewer {
        None => searcher.search(&*full, &(TopDocs::with_limit(limit), Count))?,
        Some(interviewer) => {
            // The best respondent turns, then as many of the best interviewer turns as fit.
            // The speaker clause only filters (score 0): a hit's score is the query's alone,
            // whichever part it comes from, as in an unranked or streamed search.
            let part = |occur| {
                BooleanQuery::new(vec![
                    (Occur::Must, full.box_clone()),
                    (
                        occur,
                        Box::new(ConstScoreQuery::new(interviewer.box_clone(), 0.0)) as BoxQuery,
                    ),
                ])
            };
            let (mut top, respondent) =
                searcher.search(&part(Occur::MustNot), &(TopDocs::with_limit(limit), Count))?;
            let (rest, asked) = if top.len() < limit {
                searcher.search(
                    &part(Occur::Must),
                    &(TopDocs::with_limit(limit - top.len()), Count),
                )?
            } else {
                (Vec::new(), searcher.search(&part(Occur::Must), &Count)?)
            };
            top.extend(rest);
            (top, respondent + asked)
        }
    };
    let docs = top
        .into_iter()
        .map(|(score, addr)| Ok((score, searcher.doc::<TantivyDocument>(addr)?)))
        .collect::<Result<Vec<_>, SearchError>>()?;
    let f = &index.fields;
    let ids = distinct(
        docs.iter()
            .filter_map(|(_, d)| d.get_first(f.transcript).and_then(|v| v.as_str())),
    );
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let texts = project.texts(&ids);
    let mut hits = Vec::with_capacity(docs.len());
    for (score, doc) in &docs {
        if let Some(hit) = make_hit(project, &texts, index, &parsed, *score, doc) {
            hits.push(hit);
        }
    }
    Ok(Hits { total, hits, notes })
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

fn make_hit<S: Source + ?Sized>(
    project: &S,
    texts: &Texts,
    index: &Index,
    parsed: &ParsedQuery,
    score: f32,
    doc: &TantivyDocument,
) -> Option<Hit> {
    let f = &index.fields;
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
    let (id, start, end) = (text(f.transcript)?, num(f.start)?, num(f.end)?);
    let (t, r) = (texts.get(&id)?, project.respondent(&id)?);
    let matches = parsed.match_ranges(t, start, end);
    let snippet = make_snippet(t, start, end, &matches, SNIPPET_CHARS);
    Some(Hit {
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
    })
}

pub(super) fn filters<S: Source + ?Sized>(
    project: &S,
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
    // One value: its term; several (`--speaker int` naming `Int` and `INT`): any of them.
    let any = |field, values: Vec<String>| -> BoxQuery {
        if values.len() == 1 {
            return term(field, &values[0]);
        }
        let terms = values
            .iter()
            .map(|v| (Occur::Should, term(field, v)))
            .collect();
        Box::new(BooleanQuery::new(terms))
    };
    let mut out = Vec::new();
    if let Some(g) = &q.group {
        let groups = resolve("group", g, &project.groups(), |g| {
            let plural = project.settings().group(g).map_or(g, |g| g.plural());
            vec![g.to_string(), plural.to_string()]
        })?;
        out.push((Occur::Must, any(f.group, groups)));
    }
    if let Some(s) = &q.school_type {
        let types = resolve("school type", s, &project.school_types(), |t| {
            vec![t.to_string()]
        })?;
        out.push((Occur::Must, any(f.school_type, types)));
    }
    if let Some(s) = &q.school {
        let schools = distinct(project.respondents().iter().map(|r| r.school.as_str()));
        let schools = resolve("school", s, &schools, |s| vec![s.to_string()])?;
        out.push((Occur::Must, any(f.school, schools)));
    }
    if let Some(s) = &q.speaker {
        let labels = project.speaker_labels(index);
        let labels = resolve("speaker label", s, &labels, |l| vec![l.to_string()])?;
        out.push((Occur::Must, any(f.speaker, labels)));
    }
    for (k, v) in &q.attributes {
        let names = distinct(
            project
                .respondents()
                .iter()
                .flat_map(|r| r.attributes.iter().map(|(k, _)| k.as_str())),
        );
        let name = k.trim().to_lowercase().replace(' ', "_");
        let name = resolve("attribute", &name, &names, |n| vec![n.to_string()])?.remove(0);
        let values = distinct(project.respondents().iter().filter_map(|r| {
            r.attributes
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.as_str())
        }));
        let what = format!("value of attribute {name}");
        let values = resolve(&what, v.trim(), &values, |v| vec![v.to_string()])?;
        let terms = values.iter().map(|v| format!("{name}={v}")).collect();
        out.push((Occur::Must, any(f.attribute, terms)));
    }
    let code = match &q.code {
        Some(c) => match project.codebook().resolve(c) {
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

/// The units of interviewer turns: any of the index's speaker labels that the project counts
/// as the interviewer's. None if there are none.
fn interviewer_turns<S: Source + ?Sized>(
    project: &S,
    index: &Index,
    searcher: &tantivy::Searcher,
) -> Option<BoxQuery> {
    let mut labels: Vec<String> = Vec::new();
    for segment in searcher.segment_readers() {
        let Ok(inv) = segment.inverted_index(index.fields.speaker) else {
            continue;
        };
        let Ok(mut terms) = inv.terms().stream() else {
            continue;
        };
        while terms.advance() {
            if let Ok(label) = std::str::from_utf8(terms.key())
                && !labels.iter().any(|l| l == label)
                && project.settings().is_interviewer(Some(label))
            {
                labels.push(label.to_string());
            }
        }
    }
    if labels.is_empty() {
        return None;
    }
    let terms = labels
        .iter()
        .map(|l| {
            let term = Term::from_field_text(index.fields.speaker, l);
            let q: BoxQuery = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
            (Occur::Should, q)
        })
        .collect();
    Some(Box::new(BooleanQuery::new(terms)))
}

/// Distinct non-empty values, in order of first appearance.
fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen = HashSet::new();
    values
        .filter(|v| !v.is_empty() && seen.insert(*v))
        .map(str::to_string)
        .collect()
}

/// The values of `all` that `value` names: the value itself if it is one, else every value one
/// of whose `names` (the value itself, a group's plural) equals it with case and accents ignored.
/// None is an error listing the known values, as `export` does.
fn resolve(
    what: &str,
    value: &str,
    all: &[String],
    names: impl Fn(&str) -> Vec<String>,
) -> Result<Vec<String>, SearchError> {
    if all.iter().any(|a| a == value) {
        return Ok(vec![value.to_string()]);
    }
    let folded = fold(value);
    let found: Vec<String> = all
        .iter()
        .filter(|a| names(a).iter().any(|n| n == value || fold(n) == folded))
        .cloned()
        .collect();
    if found.is_empty() {
        let known = if all.is_empty() {
            "none".to_string()
        } else {
            all.join(", ")
        };
        return Err(SearchError::Filter(format!(
            "unknown {what} \"{value}\" (known: {known})"
        )));
    }
    Ok(found)
}

/// A coder named as a search filter must have codings in the project (a journal): otherwise
/// `--coder nobody --uncoded` would quietly be every unit. The error lists the known coders.
pub fn check_coder<S: Source + ?Sized>(project: &S, coder: &str) -> Result<(), SearchError> {
    let known = project.coder_names();
    if known.contains(&coder) {
        return Ok(());
    }
    let known = if known.is_empty() {
        "none: nobody has coded yet".to_string()
    } else {
        known.join(", ")
    };
    Err(SearchError::Filter(format!(
        "unknown coder \"{coder}\" (known: {known})"
    )))
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

/// What a query's matches look like in text: stems, exact words, prefixes, phrases.
#[derive(Clone, Default)]
struct Highlight {
    /// Stems of the one-word parts, matched by a word or by a part of a compound.
    stems: HashSet<String>,
    /// The index's words, to split compounds as the index did.
    lexicon: Option<Arc<IndexedWords>>,
    exact: HashSet<String>,
    prefixes: Vec<String>,
    phrases: Vec<PhrasePattern>,
    /// The stem of each word met so far, shared by the query's clones: the matches of 100,000
    /// hits (kwic, a full export of hits) stemmed every word of every hit's turn again, most
    /// of the time of `kwic`. Each word is stemmed alone ([`schema::word_stemmer`]): the
    /// analyzer's filters work token by token.
    stem_cache: Arc<Mutex<HashMap<String, String>>>,
}

#[derive(Clone)]
struct PhrasePattern {
    words: Vec<String>,
    /// The last word is a prefix.
    prefix: bool,
    /// Positions the words may be off by, in all (tantivy's phrase slop).
    slop: u32,
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
    fn byte_ranges(&self, text: &str) -> Vec<Range<usize>> {
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
