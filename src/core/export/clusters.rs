//! Clusters: the quotes of one code, grouped by respondent group (and, if asked, school type),
//! with "N of M" counts. What the TUI's clusters view shows and the report prints.

use super::{Count, ExportError, Filter, Selection, Tally};
use crate::core::coding::CodingId;
use crate::core::project::Project;
use serde::Serialize;

/// One quote, with where it is (to jump to it in the transcript) and whose it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    pub coding: CodingId,
    /// Respondent id = transcript id.
    pub respondent: String,
    pub school: String,
    pub school_type: String,
    pub speaker: Option<String>,
    /// Character offsets into the transcript, end exclusive.
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub memo: Option<String>,
}

/// The quotes of one code from one respondent group (or one group × school type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cluster {
    pub group: String,
    /// The group's plural for counts: "docenten".
    pub plural: String,
    /// Set when split by school type ("" for respondents without one).
    pub school_type: Option<String>,
    /// respondents = distinct respondents with a quote here, of = respondents in the cluster's
    /// group (and school type).
    pub count: Count,
    /// By respondent (respondents.csv order), then position.
    pub quotes: Vec<Quote>,
}

impl Cluster {
    /// "14 of 27 docenten".
    pub fn heading(&self) -> String {
        super::summary::n_of_m(&self.count, &self.plural)
    }
}

/// The clusters of one code (id or name) for a coder, one per selected group, or per group ×
/// school type when `by_school_type`. Groups with no quotes are included, with count 0.
pub fn clusters(
    p: &Project,
    coder: &str,
    code: &str,
    filter: &Filter,
    by_school_type: bool,
) -> Result<Vec<Cluster>, ExportError> {
    let filter = Filter {
        codes: vec![code.to_string()],
        ..filter.clone()
    };
    let sel = filter.resolve_for(p, Some(coder))?;
    if sel.codes.is_empty() {
        // A code under a deelvraag the codebook does not declare (`codewerk check` says so).
        return Err(ExportError::Usage(format!(
            "code \"{code}\" is under a deelvraag the codebook does not declare"
        )));
    }
    let tally = Tally::new(&sel, coder);
    Ok(of_code(&sel, &tally, 0, by_school_type))
}

/// The clusters of `sel.codes[c]`.
pub fn of_code(sel: &Selection, tally: &Tally, c: usize, by_school_type: bool) -> Vec<Cluster> {
    let p = sel.project;
    let mut keys: Vec<(usize, Option<String>)> = Vec::new();
    for b in 0..sel.split.buckets.len() {
        if by_school_type {
            let mut types = sel.school_types.clone();
            types.push(String::new());
            for t in types {
                if sel.size(|r| sel.in_bucket(b, r) && r.school_type == t) > 0 {
                    keys.push((b, Some(t)));
                }
            }
        } else {
            keys.push((b, None));
        }
    }
    keys.into_iter()
        .map(|(b, t)| {
            let in_cluster = |r: &crate::core::respondents::Respondent| {
                sel.in_bucket(b, r) && t.as_ref().is_none_or(|t| &r.school_type == t)
            };
            let quotes = tally
                .list
                .iter()
                .filter(|x| x.code == c && in_cluster(sel.respondent(x.respondent)))
                .map(|x| {
                    let r = sel.respondent(x.respondent);
                    let k = x.coding;
                    Quote {
                        coding: k.id,
                        respondent: r.id.clone(),
                        school: r.school.clone(),
                        school_type: r.school_type.clone(),
                        speaker: p
                            .transcript(&r.id)
                            .and_then(|tr| tr.speaker_of(k.start))
                            .map(str::to_string),
                        start: k.start,
                        end: k.end,
                        text: k.text.clone(),
                        memo: k.memo.clone(),
                    }
                })
                .collect();
            Cluster {
                plural: sel.bucket_label(b).to_string(),
                count: sel.count(tally, c, in_cluster),
                group: sel.split.buckets[b].key.clone(),
                school_type: t,
                quotes,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testutil;
    use super::*;

    #[test]
    fn clusters_per_group_and_school_type() {
        let dir = tempfile::tempdir().unwrap();
        let p = testutil::project(dir.path());
        let cs = clusters(&p, "ann", "niet-pluis", &Filter::default(), false).unwrap();
        assert_eq!(cs.len(), 2);
        assert_eq!(cs[0].heading(), "1 of 3 docenten");
        assert_eq!(cs[0].quotes.len(), 2);
        assert!(cs[0].quotes[0].start < cs[0].quotes[1].start);
        assert_eq!(cs[1].heading(), "1 of 1 zorgcoördinatoren");
        assert_eq!(cs[1].quotes[0].text, "De coördinator");
        let tr = p.transcript("A-Z").unwrap();
        assert_eq!(
            tr.slice(cs[1].quotes[0].start, cs[1].quotes[0].end),
            "De coördinator"
        );

        let split = clusters(&p, "ann", "Niet pluis gevoel", &Filter::default(), true).unwrap();
        let keys: Vec<(&str, &str, usize, usize)> = split
            .iter()
            .map(|c| {
                (
                    c.group.as_str(),
                    c.school_type.as_deref().unwrap(),
                    c.count.respondents,
                    c.count.of,
                )
            })
            .collect();
        assert_eq!(
            keys,
            [
                ("docent", "vmbo", 1, 1),
                ("docent", "havo-vwo", 0, 2),
                ("zorgcoördinator", "vmbo", 1, 1)
            ]
        );
        assert!(clusters(&p, "ann", "bestaat-niet", &Filter::default(), false).is_err());
    }
}
