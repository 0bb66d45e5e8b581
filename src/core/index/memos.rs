//! Searching the memos: passage memos (on a coding), code memos (a coder's note on a code),
//! transcript memos (on a transcript, i.e. its respondent) and logbook entries, with the query
//! language of the transcripts.
//!
//! Memos are few (hundreds, not hundreds of thousands), so they are indexed in memory for each
//! search, analysed exactly as transcripts are: stemming, accents, compounds, phrases, prefixes.

use super::decompound::Lexicon;
use super::highlight::{SNIPPET_CHARS, Snippet, make_snippet};
use super::query::{ParsedQuery, SearchError};
use super::{Index, IndexError};
use crate::core::project::Project;
use crate::core::transcript::Transcript;
use serde::Serialize;
use std::path::Path;
use tantivy::TantivyDocument;
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::Value;

// The memos searched are those `core::memo` lists, for the memo view and `export memos` too.
pub use crate::core::memo::{Memo, MemoKind};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemoHit {
    #[serde(flatten)]
    pub memo: Memo,
    pub score: f32,
    /// Character ranges of the matches in the memo's text.
    pub matches: Vec<std::ops::Range<usize>>,
    pub snippet: Snippet,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct MemoHits {
    pub total: usize,
    pub hits: Vec<MemoHit>,
    pub notes: Vec<String>,
}

/// Every memo of the project (of `coder` if given; with `code`, only the passage and code memos
/// of that code), in `core::memo::all`'s order: logbook, transcripts, codes, passages.
pub fn memos(project: &Project, coder: Option<&str>, code: Option<&str>) -> Vec<Memo> {
    let coders: Vec<&crate::core::coding::CoderState> = project
        .coders
        .iter()
        .filter(|&(name, _)| coder.is_none_or(|c| name == c))
        .map(|(_, state)| state)
        .collect();
    crate::core::memo::all(project, &coders)
        .into_iter()
        .filter(|m| code.is_none_or(|k| m.code == k) && !m.text.trim().is_empty())
        .collect()
}

/// Search the memos for `text` (the transcripts' query language); best first, at most `limit`
/// (0 = all). `code` is an id or name. With the transcripts' `index`, compounds in memos are
/// split with the corpus's words too.
pub fn search_memos(
    project: &Project,
    index: Option<&Index>,
    text: &str,
    coder: Option<&str>,
    code: Option<&str>,
    limit: usize,
) -> Result<MemoHits, SearchError> {
    let code = match code {
        Some(c) => Some(
            project
                .codebook
                .resolve(c)
                .ok_or_else(|| SearchError::Filter(project.codebook.unknown_code(c)))?
                .id
                .clone(),
        ),
        None => None,
    };
    let all = memos(project, coder, code.as_deref());
    let texts: Vec<&str> = all.iter().map(|m| m.text.as_str()).collect();
    let lexicon_index = index;
    let lexicon = index.map(Index::lexicon);
    let lexicon = lexicon.as_ref().map(|l| l as &dyn Lexicon);
    let index = Index::of_texts(&texts, lexicon).map_err(|e| match e {
        IndexError::Tantivy(e) => SearchError::Index(e),
        IndexError::Io { err, .. } => SearchError::Index(tantivy::TantivyError::from(err)),
    })?;
    let words = match &lexicon_index {
        Some(ix) => index.lexicon().and(ix.lexicon()),
        None => index.lexicon(),
    };
    let parsed = ParsedQuery::parse_with_words(&index, text, words)?;
    let searcher = index.reader.searcher();
    let total = searcher.search(parsed.tantivy_query(), &Count)?;
    let limit = if limit == 0 { total } else { limit.min(total) };
    let mut out = MemoHits {
        total,
        hits: Vec::new(),
        notes: parsed.notes.clone(),
    };
    if limit == 0 {
        return Ok(out);
    }
    let top = searcher.search(parsed.tantivy_query(), &TopDocs::with_limit(limit))?;
    for (score, addr) in top {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let Some(i) = doc
            .get_first(index.fields.transcript)
            .and_then(|v| v.as_str())
            .and_then(|s| s.parse::<usize>().ok())
        else {
            continue;
        };
        let Some(memo) = all.get(i) else { continue };
        let t = Transcript::from_text("memo", Path::new("memo"), memo.text.clone());
        let len = t.len_chars();
        let matches = parsed.match_ranges(&t, 0, len);
        let snippet = make_snippet(&t, 0, len, &matches, SNIPPET_CHARS);
        out.hits.push(MemoHit {
            memo: memo.clone(),
            score,
            matches,
            snippet,
        });
    }
    Ok(out)
}
