//! Every hit of a query, made and handed on one transcript at a time. `search --limit 0 --json`
//! at 10,000 transcripts has 366,000 hits of about 1.5 KB each (snippet, ranges), which held at
//! once with the texts of all their transcripts took 1.1 GB. What is kept for every hit here is
//! where it is: its transcript, offsets, speaker and score. The hits come in transcript order
//! (by id), each transcript's by position; the text of one transcript is read at a time.

use super::Index;
use super::highlight::{SNIPPET_CHARS, make_snippet};
use super::query::{ParsedQuery, Query, SearchError};
use super::search::Hit;
use super::source::Source;
use crate::core::respondents::Respondent;
use crate::core::transcript::Transcript;
use std::collections::HashMap;
use std::ops::Range;
use tantivy::TantivyDocument;
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::Value;

/// Where every hit of a query is, to make the hits one transcript at a time.
pub struct AllHits {
    /// Matching units, as `Hits::total`.
    pub total: usize,
    /// As `Hits::notes`.
    pub notes: Vec<String>,
    parsed: ParsedQuery,
    /// Transcript ids, sorted; `Unit::transcript` indexes them.
    ids: Vec<String>,
    /// Sorted by transcript, then position.
    units: Vec<Unit>,
}

struct Unit {
    transcript: usize,
    start: usize,
    end: usize,
    score: f32,
    speaker: Option<String>,
}

/// Find every unit matching `query` (its `limit` is ignored): as `search_all`, but without
/// making the hits.
pub fn all_hits<S: Source + ?Sized>(
    project: &S,
    index: &Index,
    query: &Query,
) -> Result<AllHits, SearchError> {
    let (parsed, full) = super::search::parsed_with_filters(project, index, query)?;
    let searcher = index.reader.searcher();
    let total = searcher.search(&*full, &Count)?;
    let notes = parsed.notes.clone();
    let mut top = if total == 0 {
        Vec::new()
    } else {
        searcher.search(&*full, &TopDocs::with_limit(total))?
    };
    // In the order of the document store: its blocks are read once each.
    top.sort_unstable_by_key(|(_, addr)| *addr);
    let f = &index.fields;
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut units = Vec::with_capacity(top.len());
    for (score, addr) in top {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let text = |field| doc.get_first(field).and_then(|v| v.as_str());
        let num = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_u64())
                .and_then(|n| usize::try_from(n).ok())
        };
        let (Some(id), Some(start), Some(end)) = (text(f.transcript), num(f.start), num(f.end))
        else {
            continue;
        };
        let n = ids.len();
        let transcript = *ids.entry(id.to_string()).or_insert(n);
        units.push(Unit {
            transcript,
            start,
            end,
            score,
            speaker: text(f.speaker).map(str::to_string),
        });
    }
    let mut sorted: Vec<(String, usize)> = ids.into_iter().collect();
    sorted.sort_unstable();
    let mut rank = vec![0; sorted.len()];
    for (r, (_, i)) in sorted.iter().enumerate() {
        rank[*i] = r;
    }
    for u in &mut units {
        u.transcript = rank[u.transcript];
    }
    units.sort_unstable_by_key(|u| (u.transcript, u.start));
    Ok(AllHits {
        total,
        notes,
        parsed,
        ids: sorted.into_iter().map(|(id, _)| id).collect(),
        units,
    })
}

impl AllHits {
    /// Hits found, before any transcript is read (a transcript that can no longer be read gives
    /// none, as in `search_all`).
    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Make each hit and hand it to `each`, one transcript's text read at a time.
    pub fn for_each<S: Source + ?Sized, E>(
        &self,
        project: &S,
        mut each: impl FnMut(&Hit) -> Result<(), E>,
    ) -> Result<(), E> {
        self.for_each_place(project, |p| {
            let snippet = make_snippet(p.text, p.start, p.end, &p.matches, SNIPPET_CHARS);
            let r = p.respondent;
            each(&Hit {
                transcript: p.text.id.clone(),
                respondent: r.id.clone(),
                group: r.group.clone(),
                school: r.school.clone(),
                school_type: r.school_type.clone(),
                speaker: p.speaker.map(str::to_string),
                start: p.start,
                end: p.end,
                score: p.score,
                matches: p.matches,
                snippet,
            })
        })
    }

    /// Each hit as where it is and its matches, without a snippet or any copy of its text
    /// (what keyword in context needs of 100,000 hits), one transcript's text read at a time.
    pub fn for_each_place<S: Source + ?Sized, E>(
        &self,
        project: &S,
        mut each: impl FnMut(Place<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        for group in self.units.chunk_by(|a, b| a.transcript == b.transcript) {
            let id = self.ids[group[0].transcript].as_str();
            let texts = project.texts(&[id]);
            let (Some(t), Some(r)) = (texts.get(id), project.respondent(id)) else {
                continue;
            };
            for u in group {
                each(Place {
                    text: t,
                    respondent: r,
                    speaker: u.speaker.as_deref(),
                    start: u.start,
                    end: u.end,
                    score: u.score,
                    matches: self.parsed.match_ranges(t, u.start, u.end),
                })?;
            }
        }
        Ok(())
    }
}

/// One hit as [`AllHits::for_each_place`] hands it on.
pub struct Place<'a> {
    pub text: &'a Transcript,
    pub respondent: &'a Respondent,
    pub speaker: Option<&'a str>,
    /// Character offsets of the unit in the transcript.
    pub start: usize,
    pub end: usize,
    pub score: f32,
    /// Character ranges of the matches, as `Hit::matches`.
    pub matches: Vec<Range<usize>>,
}
