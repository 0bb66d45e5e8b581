//! Searching the index: hits in rank order, with their snippets and match ranges.
//!
//! A unit (hit) is one speaker turn's text. The query language is in `query`, the filters in
//! `filter`, where matches are and the snippets in `highlight`.

use super::Index;
use super::filter::filters;
use super::query::BoxQuery;
use super::source::distinct;
use crate::core::project::Project;
use serde::Serialize;
use std::ops::Range;
use tantivy::TantivyDocument;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, TermQuery};
use tantivy::schema::{IndexRecordOption, Term, Value};

// The names callers have always taken from `index::search`, wherever they live now.
pub use super::filter::check_coder;
pub use super::highlight::{MARK_CLOSE, MARK_OPEN, SNIPPET_CHARS, Snippet, make_snippet};
pub use super::query::{ParsedQuery, Query, Rank, SearchError};
pub use super::source::{Source, Texts};

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

/// Search; hits in rank order (best first), at most `query.limit`.
pub fn search<S: Source + ?Sized>(
    project: &S,
    index: &Index,
    query: &Query,
) -> Result<Vec<Hit>, SearchError> {
    Ok(search_all(project, index, query)?.hits)
}

/// The query parsed, and as run: its text AND the filters (group, code, speaker, ...).
pub(super) fn parsed_with_filters<S: Source + ?Sized>(
    project: &S,
    index: &Index,
    query: &Query,
) -> Result<(ParsedQuery, Box<dyn tantivy::query::Query>), SearchError> {
    let parsed = ParsedQuery::parse(index, &query.text)?;
    let filters = filters(project, index, query)?;
    let full: Box<dyn tantivy::query::Query> = if filters.is_empty() {
        parsed.query.box_clone()
    } else {
        let mut clauses = vec![(Occur::Must, parsed.query.box_clone())];
        clauses.extend(filters);
        Box::new(BooleanQuery::new(clauses))
    };
    Ok((parsed, full))
}

/// Search, also counting every matching unit.
pub fn search_all<S: Source + ?Sized>(
    project: &S,
    index: &Index,
    query: &Query,
) -> Result<Hits, SearchError> {
    let (parsed, full) = parsed_with_filters(project, index, query)?;
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
