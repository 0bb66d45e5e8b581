//! Searching the memos: passage memos (on a coding), code memos (a coder's note on a code),
//! transcript memos (on a transcript, i.e. its respondent) and logbook entries, with the query
//! language of the transcripts.
//!
//! Memos are few (hundreds, not hundreds of thousands), so they are indexed in memory for each
//! search, analysed exactly as transcripts are: stemming, accents, compounds, phrases, prefixes.

use super::decompound::Lexicon;
use super::search::{ParsedQuery, SNIPPET_CHARS, SearchError, Snippet, make_snippet};
use super::{Index, IndexError};
use crate::core::project::Project;
use crate::core::transcript::Transcript;
use serde::Serialize;
use std::path::Path;
use tantivy::TantivyDocument;
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MemoKind {
    /// A memo on a coded passage.
    Passage,
    /// A coder's memo on a code.
    Code,
    /// A coder's memo on a transcript (its respondent).
    Transcript,
    /// An entry of a coder's project logbook.
    Logbook,
}

/// One memo, with where it belongs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Memo {
    pub kind: MemoKind,
    pub coder: String,
    /// Code id (passage and code memos; empty for the others).
    pub code: String,
    /// The coded passage (passage memos).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcript: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
    /// The day a logbook entry is about (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    pub text: String,
}

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

/// Every memo of the project (of `coder` if given, on `code` if given), in coder, code and
/// passage order.
pub fn memos(project: &Project, coder: Option<&str>, code: Option<&str>) -> Vec<Memo> {
    let mut out = Vec::new();
    for (name, state) in &project.coders {
        if coder.is_some_and(|c| c != name) {
            continue;
        }
        for (c, text) in &state.code_memos {
            if code.is_none_or(|k| k == c) && !text.trim().is_empty() {
                out.push(Memo {
                    kind: MemoKind::Code,
                    coder: name.clone(),
                    code: c.clone(),
                    transcript: None,
                    start: None,
                    end: None,
                    date: None,
                    text: text.clone(),
                });
            }
        }
        for c in state.codings.values() {
            let Some(text) = &c.memo else { continue };
            if code.is_none_or(|k| k == c.code) && !text.trim().is_empty() {
                out.push(Memo {
                    kind: MemoKind::Passage,
                    coder: name.clone(),
                    code: c.code.clone(),
                    transcript: Some(c.transcript.clone()),
                    start: Some(c.start),
                    end: Some(c.end),
                    date: None,
                    text: text.clone(),
                });
            }
        }
        // Memos on no code: only when no code is asked for.
        if code.is_some() {
            continue;
        }
        for (t, text) in &state.transcript_memos {
            if !text.trim().is_empty() {
                out.push(Memo {
                    kind: MemoKind::Transcript,
                    coder: name.clone(),
                    code: String::new(),
                    transcript: Some(t.clone()),
                    start: None,
                    end: None,
                    date: None,
                    text: text.clone(),
                });
            }
        }
        for entry in state.logbook.values() {
            if !entry.text.trim().is_empty() {
                out.push(Memo {
                    kind: MemoKind::Logbook,
                    coder: name.clone(),
                    code: String::new(),
                    transcript: None,
                    start: None,
                    end: None,
                    date: Some(entry.date.clone()),
                    text: entry.text.clone(),
                });
            }
        }
    }
    out
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
                .ok_or_else(|| SearchError::Filter(format!("unknown code \"{c}\"")))?
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
