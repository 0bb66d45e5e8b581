//! The code filters of a search (`Query::code`, `coder`, `uncoded`), run when the query runs
//! against the codings the source has read, not against terms in the index.
//!
//! Why not terms: the index then went stale with every coding, and the next command to open it
//! re-indexed every transcript that got a coding (at 10,000 transcripts a second `autocode`
//! cost twice the first). And a search never answers from codings older than the journal:
//! whatever the source read is what it filters with.
//!
//! How: per segment, the units of each transcript with a counted coding are found by the
//! transcript's term, and a unit is kept when its offsets (fast fields) overlap a coding, as
//! the unit was coded when the index held the codes. That is work in proportion to the coded
//! transcripts' units, a few milliseconds at 10,000 transcripts.

use super::Fields;
use super::query::SearchError;
use super::source::Source;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tantivy::index::SegmentId;
use tantivy::query::{ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption, Term};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError};

/// Which codings count: of this code (an id) if given, by this coder if given.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Counted<'a> {
    pub code: Option<&'a str>,
    pub coder: Option<&'a str>,
}

/// The units that a counted coding overlaps, as a tantivy query (score 0: it only filters).
#[derive(Clone)]
pub(super) struct CodedUnits {
    transcript: Field,
    start: String,
    end: String,
    /// By transcript id.
    by_transcript: Arc<Vec<(String, Covered)>>,
    /// The documents found per segment: a ranked search runs the query twice (respondent
    /// turns, then the interviewer's), and a count may run it again.
    found: Arc<Mutex<HashMap<SegmentId, Arc<[DocId]>>>>,
}

impl std::fmt::Debug for CodedUnits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodedUnits")
            .field("transcripts", &self.by_transcript.len())
            .finish()
    }
}

/// The codings of one transcript: starts sorted, and the greatest end among the first n.
#[derive(Debug, Default)]
struct Covered {
    starts: Vec<u64>,
    max_end: Vec<u64>,
}

impl Covered {
    fn new(mut ranges: Vec<(u64, u64)>) -> Covered {
        ranges.sort_unstable();
        let mut max = 0;
        let max_end = ranges
            .iter()
            .map(|&(_, e)| {
                max = max.max(e);
                max
            })
            .collect();
        Covered {
            starts: ranges.into_iter().map(|(s, _)| s).collect(),
            max_end,
        }
    }

    /// Whether a coding overlaps `start..end`: one starts before `end` and ends after `start`.
    fn overlaps(&self, start: u64, end: u64) -> bool {
        let n = self.starts.partition_point(|&s| s < end);
        n > 0 && self.max_end[n - 1] > start
    }
}

impl CodedUnits {
    /// The units the counted codings of `source` overlap. An error if the source has not read
    /// its codings: never an answer as if nothing were coded.
    pub(super) fn new<S: Source + ?Sized>(
        source: &S,
        fields: &Fields,
        counted: Counted<'_>,
    ) -> Result<CodedUnits, SearchError> {
        let Some(codings) = source.codings() else {
            return Err(SearchError::Filter(
                "the codings were not read for this search (a code, coder or \"not coded\" \
                 filter needs them)"
                    .to_string(),
            ));
        };
        // Sorted rather than hashed: grouping 185,000 codings by transcript is a sort of
        // short ids, and each transcript's ranges come out in order.
        let mut ranges: Vec<(&str, u64, u64)> = Vec::with_capacity(codings.size_hint().0);
        ranges.extend(
            codings
                .filter(|c| {
                    counted.code.is_none_or(|code| code == c.code)
                        && counted.coder.is_none_or(|coder| coder == c.coder)
                })
                .map(|c| (c.transcript, c.start as u64, c.end as u64)),
        );
        ranges.sort_unstable();
        let by_transcript = ranges
            .chunk_by(|a, b| a.0 == b.0)
            .map(|group| {
                let r = group.iter().map(|&(_, s, e)| (s, e)).collect();
                (group[0].0.to_string(), Covered::new(r))
            })
            .collect();
        let name = |f| fields.schema.get_field_name(f).to_string();
        Ok(CodedUnits {
            transcript: fields.transcript,
            start: name(fields.start),
            end: name(fields.end),
            by_transcript: Arc::new(by_transcript),
            found: Arc::default(),
        })
    }

    /// The segment's documents a counted coding overlaps, in order, found once per segment.
    fn docs(&self, reader: &SegmentReader) -> tantivy::Result<Arc<[DocId]>> {
        let id = reader.segment_id();
        if let Some(docs) = self.found.lock().ok().and_then(|f| f.get(&id).cloned()) {
            return Ok(docs);
        }
        let docs: Arc<[DocId]> = self.find(reader)?.into();
        if let Ok(mut found) = self.found.lock() {
            found.insert(id, Arc::clone(&docs));
        }
        Ok(docs)
    }

    fn find(&self, reader: &SegmentReader) -> tantivy::Result<Vec<DocId>> {
        let inverted = reader.inverted_index(self.transcript)?;
        let starts = reader.fast_fields().u64(&self.start)?;
        let ends = reader.fast_fields().u64(&self.end)?;
        let mut docs = Vec::new();
        for (id, covered) in self.by_transcript.iter() {
            let term = Term::from_field_text(self.transcript, id);
            let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)?
            else {
                continue;
            };
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if let (Some(s), Some(e)) = (starts.first(doc), ends.first(doc))
                    && covered.overlaps(s, e)
                {
                    docs.push(doc);
                }
                doc = postings.advance();
            }
        }
        docs.sort_unstable();
        Ok(docs)
    }
}

impl Query for CodedUnits {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for CodedUnits {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ConstScorer::new(
            SortedDocs {
                docs: self.docs(reader)?,
                at: 0,
            },
            0.0,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if self.docs(reader)?.binary_search(&doc).is_ok() {
            Ok(Explanation::new("coded", 0.0))
        } else {
            Err(TantivyError::InvalidArgument(format!(
                "document #{doc} is not coded"
            )))
        }
    }
}

/// Documents in order, as a tantivy `DocSet` (tantivy keeps its own for its tests).
struct SortedDocs {
    docs: Arc<[DocId]>,
    at: usize,
}

impl DocSet for SortedDocs {
    fn advance(&mut self) -> DocId {
        self.at = (self.at + 1).min(self.docs.len());
        self.doc()
    }

    /// Intersections with the query's own documents seek: by bisection, not one by one.
    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc() < target {
            self.at += self.docs[self.at..].partition_point(|&d| d < target);
        }
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        u32::try_from(self.docs.len() - self.at).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_is_covered_by_any_coding_that_overlaps_it() {
        let c = Covered::new(vec![(50, 60), (10, 40), (12, 14)]);
        // Before, touching and after a coding do not overlap it (ends are exclusive).
        assert!(!c.overlaps(0, 10));
        assert!(!c.overlaps(40, 50));
        assert!(!c.overlaps(60, 100));
        assert!(c.overlaps(0, 11));
        assert!(c.overlaps(39, 45));
        assert!(
            c.overlaps(20, 21),
            "inside the long coding, after the short one"
        );
        assert!(c.overlaps(59, 61));
        assert!(c.overlaps(0, 100));
        assert!(!Covered::new(Vec::new()).overlaps(0, 100));
    }

    #[test]
    fn sorted_docs_advance_and_seek_as_a_docset_does() {
        let mut d = SortedDocs {
            docs: vec![2, 5, 9, 40].into(),
            at: 0,
        };
        assert_eq!(d.doc(), 2);
        assert_eq!(d.seek(2), 2, "seeking where it is stays");
        assert_eq!(d.seek(6), 9);
        assert_eq!(d.advance(), 40);
        assert_eq!(d.seek(41), TERMINATED);
        assert_eq!(d.advance(), TERMINATED);
        let mut empty = SortedDocs {
            docs: Vec::new().into(),
            at: 0,
        };
        assert_eq!(empty.doc(), TERMINATED);
        assert_eq!(empty.seek(3), TERMINATED);
    }
}
