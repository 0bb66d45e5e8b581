//! Where two coders disagree about one code in one transcript.
//!
//! The passages of both coders (for one code, one transcript) are grouped into clusters of
//! passages that overlap one another, directly or through a chain. A cluster is an agreement
//! when both coders have exactly the same passages in it; otherwise it is one disagreement:
//! only A coded there, only B coded there, or both did with different boundaries.

use super::intervals::{Span, difference, merge};
use crate::core::coding::Coding;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Only coder A coded this stretch with the code.
    AOnly,
    /// Only coder B did.
    BOnly,
    /// Both did, with different passages.
    BoundaryDiffers,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::AOnly => "A only",
            Kind::BOnly => "B only",
            Kind::BoundaryDiffers => "boundary differs",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    A,
    B,
}

/// Characters that one coder coded and the other did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DiffRange {
    pub start: usize,
    pub end: usize,
    /// Who coded these characters (the other did not).
    pub coded_by: Side,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disagreement {
    pub transcript: String,
    pub code: String,
    pub kind: Kind,
    /// Extent of the cluster: from the first start to the last end of its passages.
    pub start: usize,
    pub end: usize,
    /// Coder A's passages in the cluster (empty for `BOnly`).
    pub a: Vec<Coding>,
    /// Coder B's passages in the cluster (empty for `AOnly`).
    pub b: Vec<Coding>,
    /// Characters coded by one coder only, in text order. Empty when both coded the same
    /// characters but split them into passages differently.
    pub ranges: Vec<DiffRange>,
}

impl Disagreement {
    /// A's first passage, for views that show one passage per coder.
    pub fn a_coding(&self) -> Option<&Coding> {
        self.a.first()
    }

    pub fn b_coding(&self) -> Option<&Coding> {
        self.b.first()
    }

    /// Characters in dispute.
    pub fn disputed_chars(&self) -> usize {
        self.ranges.iter().map(|r| r.end - r.start).sum()
    }
}

/// A group of passages (of either coder) linked by overlap.
#[derive(Debug, Clone)]
pub struct Cluster<'a> {
    pub start: usize,
    pub end: usize,
    pub a: Vec<&'a Coding>,
    pub b: Vec<&'a Coding>,
}

impl Cluster<'_> {
    /// Both coders have exactly the same passages here.
    pub fn agrees(&self) -> bool {
        let spans = |cs: &[&Coding]| {
            let mut v: Vec<Span> = cs.iter().map(|c| (c.start, c.end)).collect();
            v.sort_unstable();
            v
        };
        spans(&self.a) == spans(&self.b)
    }
}

/// Group both coders' passages (one code, one transcript) into overlap clusters, in text order.
pub fn clusters<'a>(a: &[&'a Coding], b: &[&'a Coding]) -> Vec<Cluster<'a>> {
    let mut all: Vec<(Side, &'a Coding)> = a
        .iter()
        .map(|c| (Side::A, *c))
        .chain(b.iter().map(|c| (Side::B, *c)))
        .filter(|(_, c)| c.start < c.end)
        .collect();
    all.sort_by_key(|(side, c)| (c.start, c.end, *side == Side::B, c.id));
    let mut out: Vec<Cluster<'a>> = Vec::new();
    for (side, c) in all {
        if out.last().is_none_or(|last| c.start >= last.end) {
            out.push(Cluster {
                start: c.start,
                end: c.end,
                a: Vec::new(),
                b: Vec::new(),
            });
        }
        let Some(cl) = out.last_mut() else { continue };
        cl.end = cl.end.max(c.end);
        match side {
            Side::A => cl.a.push(c),
            Side::B => cl.b.push(c),
        }
    }
    out
}

/// The disagreements of two coders on one code in one transcript, in text order.
pub fn find(transcript: &str, code: &str, a: &[&Coding], b: &[&Coding]) -> Vec<Disagreement> {
    clusters(a, b)
        .into_iter()
        .filter(|cl| !cl.agrees())
        .map(|cl| {
            let kind = match (cl.a.is_empty(), cl.b.is_empty()) {
                (false, true) => Kind::AOnly,
                (true, false) => Kind::BOnly,
                _ => Kind::BoundaryDiffers,
            };
            let ma = merge(cl.a.iter().map(|c| (c.start, c.end)).collect());
            let mb = merge(cl.b.iter().map(|c| (c.start, c.end)).collect());
            let mut ranges: Vec<DiffRange> = difference(&ma, &mb)
                .into_iter()
                .map(|(start, end)| DiffRange {
                    start,
                    end,
                    coded_by: Side::A,
                })
                .chain(
                    difference(&mb, &ma)
                        .into_iter()
                        .map(|(start, end)| DiffRange {
                            start,
                            end,
                            coded_by: Side::B,
                        }),
                )
                .collect();
            ranges.sort_by_key(|r| (r.start, r.end));
            Disagreement {
                transcript: transcript.to_string(),
                code: code.to_string(),
                kind,
                start: cl.start,
                end: cl.end,
                a: cl.a.into_iter().cloned().collect(),
                b: cl.b.into_iter().cloned().collect(),
                ranges,
            }
        })
        .collect()
}

/// Number of disagreements without building them.
pub fn count(a: &[&Coding], b: &[&Coding]) -> usize {
    clusters(a, b).iter().filter(|cl| !cl.agrees()).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::coding::Anchor;

    fn c(id: u64, start: usize, end: usize) -> Coding {
        Coding {
            id,
            transcript: "T".into(),
            code: "x".into(),
            start,
            end,
            text: String::new(),
            memo: None,
            version: None,
            anchor: Anchor::Exact,
            line: 0,
        }
    }

    #[test]
    fn kinds_and_ranges() {
        let a = [c(1, 0, 10), c(2, 20, 30), c(3, 50, 60)];
        let b = [c(11, 0, 10), c(12, 22, 35), c(13, 70, 80)];
        let ar: Vec<&Coding> = a.iter().collect();
        let br: Vec<&Coding> = b.iter().collect();
        let d = find("T", "x", &ar, &br);
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].kind, Kind::BoundaryDiffers);
        assert_eq!((d[0].start, d[0].end), (20, 35));
        assert_eq!(
            d[0].ranges,
            vec![
                DiffRange {
                    start: 20,
                    end: 22,
                    coded_by: Side::A
                },
                DiffRange {
                    start: 30,
                    end: 35,
                    coded_by: Side::B
                }
            ]
        );
        assert_eq!(d[0].a_coding().unwrap().id, 2);
        assert_eq!(d[0].b_coding().unwrap().id, 12);
        assert_eq!(d[1].kind, Kind::AOnly);
        assert!(d[1].b.is_empty());
        assert_eq!(d[2].kind, Kind::BOnly);
        assert_eq!(d[2].disputed_chars(), 10);
        assert_eq!(count(&ar, &br), 3);
    }

    #[test]
    fn same_characters_split_differently_is_a_boundary_difference() {
        let a = [c(1, 0, 10), c(2, 10, 20)];
        let b = [c(3, 0, 20)];
        let d = find(
            "T",
            "x",
            &a.iter().collect::<Vec<_>>(),
            &b.iter().collect::<Vec<_>>(),
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].kind, Kind::BoundaryDiffers);
        assert!(d[0].ranges.is_empty());
        assert_eq!(d[0].a.len(), 2);
    }

    #[test]
    fn touching_passages_are_separate_clusters() {
        let a = [c(1, 0, 10), c(2, 10, 20)];
        let cl = clusters(&a.iter().collect::<Vec<_>>(), &[]);
        assert_eq!(cl.len(), 2);
    }
}
