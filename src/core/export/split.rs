//! How an export splits and counts respondents: `--attr name=value` (which respondents),
//! `--by NAME` (the columns or sections: a group, school type, any attribute, binned with
//! `--bins`, or a saved query set) and the unit counted (respondents, or schools with
//! `--by school`).
//!
//! The default, `--by group`, is what every export did before: one bucket per respondent group,
//! labelled with the group's plural ("14 of 27 docenten").

use super::ExportError;
use super::words::{Lang, Noun};
use crate::core::project::Project;
use crate::core::respondents::Respondent;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What one "N of M" counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Distinct respondents (interviews) with at least one passage.
    #[default]
    Respondents,
    /// Distinct schools where at least one selected respondent has a passage. A respondent
    /// without a school counts as a school of their own, so no interview is lost.
    Schools,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Unit::Respondents => "respondents",
            Unit::Schools => "schools",
        }
    }

    /// The key a respondent is counted under.
    pub fn key(self, r: &Respondent) -> &str {
        match self {
            Unit::Respondents => &r.id,
            Unit::Schools if r.school.is_empty() => &r.id,
            Unit::Schools => &r.school,
        }
    }
}

/// One column of a split: the respondents with one value of the `--by` dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// The value: a group id, a school type, an attribute value, a bin such as `[5, 10)`.
    pub key: String,
    /// The noun after "N of M": the group's plural, "schools", or "respondents (geslacht v)".
    pub label: String,
    /// The noun in both numbers, in English and in Dutch, for the report (see [`Bucket::noun`]).
    #[serde(skip)]
    pub nouns: [Noun; 2],
}

impl Bucket {
    fn new(key: String, label: String, nouns: [Noun; 2]) -> Bucket {
        Bucket { key, label, nouns }
    }

    /// The bucket's noun in a language: a group's id and plural (the same in both), "school",
    /// "schools"/"scholen", "respondents (geslacht v)"/"respondenten (geslacht v)".
    pub fn noun(&self, lang: Lang) -> &Noun {
        &self.nouns[usize::from(lang == Lang::Nl)]
    }
}

/// "respondent(s) …" in English and Dutch.
fn respondent_nouns(rest: &str) -> [Noun; 2] {
    [
        Noun::new(&format!("respondent{rest}"), &format!("respondents{rest}")),
        Noun::new(&format!("respondent{rest}"), &format!("respondenten{rest}")),
    ]
}

/// The resolved `--by`: its name, its buckets in report order and each respondent's bucket.
#[derive(Debug, Clone, Default)]
pub struct Split {
    /// `group`, `school_type`, `school`, an attribute column, or `set:NAME`.
    pub by: String,
    pub buckets: Vec<Bucket>,
    /// Respondent id → position in `buckets`; respondents in no bucket are absent.
    pub of: HashMap<String, usize>,
    pub unit: Unit,
}

impl Split {
    pub fn bucket(&self, r: &Respondent) -> Option<usize> {
        self.of.get(&r.id).copied()
    }

    pub fn is_in(&self, b: usize, r: &Respondent) -> bool {
        self.bucket(r) == Some(b)
    }

    /// Whether this is the default split (by group, counting respondents).
    pub fn is_default(&self) -> bool {
        self.by == "group" && self.unit == Unit::Respondents
    }
}

fn fold(s: &str) -> String {
    super::super::text::fold_key(s).replace([' ', '-'], "_")
}

/// The names `--attr` and `--by` accept: the fixed columns and every further column of
/// respondents.csv, in file order.
pub fn attribute_names(p: &Project) -> Vec<String> {
    let mut names: Vec<String> = ["group", "school", "school_type"]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
    for r in &p.respondents {
        for (k, _) in &r.attributes {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    names
}

/// A respondent's value of a column by its resolved name.
pub fn value<'r>(r: &'r Respondent, name: &str) -> &'r str {
    match name {
        "group" => &r.group,
        "school" => &r.school,
        "school_type" => &r.school_type,
        _ => r.attribute(name).unwrap_or(""),
    }
}

/// Resolve an attribute name as typed (`School type`, `school-type`, `Jaren ervaring`).
pub fn resolve_name(p: &Project, name: &str) -> Result<String, ExportError> {
    let names = attribute_names(p);
    let wanted = fold(name);
    names
        .iter()
        .find(|n| fold(n) == wanted)
        .cloned()
        .ok_or_else(|| ExportError::Unknown {
            what: "attribute",
            value: name.to_string(),
            known: names.join(", "),
        })
}

/// `--attr name=value` filters, resolved: (column, value as in respondents.csv). A group may be
/// given by its plural; case and accents are ignored; an unknown value lists the known ones.
pub fn resolve_attrs(p: &Project, attrs: &[String]) -> Result<Vec<(String, String)>, ExportError> {
    let mut out = Vec::new();
    for a in attrs {
        let Some((name, v)) = a.split_once('=') else {
            return Err(ExportError::Usage(format!(
                "--attr takes NAME=VALUE, not \"{a}\""
            )));
        };
        let name = resolve_name(p, name)?;
        let mut values: Vec<&str> = Vec::new();
        for r in &p.respondents {
            let x = value(r, &name);
            if !values.contains(&x) {
                values.push(x);
            }
        }
        let wanted = fold(v);
        let found = values
            .iter()
            .find(|x| fold(x) == wanted || (name == "group" && fold(p.group_plural(x)) == wanted));
        match found {
            Some(x) => out.push((name, (*x).to_string())),
            None => {
                return Err(ExportError::Unknown {
                    what: "attribute value",
                    value: format!("{name}={}", v.trim()),
                    known: values
                        .iter()
                        .filter(|x| !x.is_empty())
                        .map(|x| format!("{name}={x}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
    }
    Ok(out)
}

/// Whether a respondent passes every `--attr` filter (AND).
pub fn passes(r: &Respondent, attrs: &[(String, String)]) -> bool {
    attrs.iter().all(|(k, v)| value(r, k) == v)
}

/// Bin edges from `--bins 0,5,10`: strictly increasing numbers.
pub fn parse_bins(s: &str) -> Result<Vec<f64>, ExportError> {
    let mut edges = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let x: f64 = part.parse().map_err(|_| {
            ExportError::Usage(format!(
                "--bins takes numbers separated by commas (0,5,10), not \"{part}\""
            ))
        })?;
        if edges.last().is_some_and(|&last| x <= last) {
            return Err(ExportError::Usage(format!(
                "--bins edges must increase: {part} comes after {}",
                edges.last().copied().unwrap_or(0.0)
            )));
        }
        edges.push(x);
    }
    if edges.is_empty() {
        return Err(ExportError::Usage("--bins needs at least one edge".into()));
    }
    Ok(edges)
}

fn number(s: &str) -> Option<f64> {
    // Dutch spreadsheets write 2,5 for 2.5.
    s.trim().replace(',', ".").parse().ok()
}

fn edge(x: f64) -> String {
    format!("{x}")
}

/// The bin a number falls in. Bins hold their lower edge and not their upper one: with edges
/// 0,5,10 they are `< 0`, `[0, 5)`, `[5, 10)` and `≥ 10`.
fn bin_label(x: f64, edges: &[f64]) -> (usize, String) {
    let i = edges.iter().take_while(|&&e| e <= x).count();
    let label = if i == 0 {
        format!("< {}", edge(edges[0]))
    } else if i == edges.len() {
        format!("≥ {}", edge(edges[i - 1]))
    } else {
        format!("[{}, {})", edge(edges[i - 1]), edge(edges[i]))
    };
    (i, label)
}

/// Sets a query can be saved as, for `--by set:NAME`: respondent id → member or not. Given by
/// the caller (the query module) so that this module knows nothing of queries.
pub type SetMembers<'a> = &'a dyn Fn(&str) -> Result<HashMap<String, bool>, ExportError>;

/// Resolve `--by` over the selected respondents (indices into `p.respondents`).
/// `groups` and `school_types` are the selected ones (in project order): a split by them has a
/// bucket for each, also an empty one, since "0 of 0" is a finding too.
pub fn resolve(
    p: &Project,
    by: Option<&str>,
    bins: Option<&str>,
    respondents: &[usize],
    (groups, school_types): (&[String], &[String]),
    sets: Option<SetMembers>,
) -> Result<Split, ExportError> {
    let by = by.map(str::trim).unwrap_or("group");
    let rs = || respondents.iter().map(|&i| &p.respondents[i]);
    if let Some(name) = by.strip_prefix("set:") {
        if bins.is_some() {
            return Err(ExportError::Usage(
                "--bins applies to numeric attributes".into(),
            ));
        }
        let members = match sets {
            Some(f) => f(name)?,
            None => {
                return Err(ExportError::Usage(
                    "--by set:NAME is not available here".into(),
                ));
            }
        };
        let buckets = vec![
            Bucket::new(
                name.to_string(),
                format!("respondents in {name}"),
                respondent_nouns(&format!(" in {name}")),
            ),
            Bucket::new(
                format!("not {name}"),
                format!("respondents not in {name}"),
                [
                    Noun::new(
                        &format!("respondent not in {name}"),
                        &format!("respondents not in {name}"),
                    ),
                    Noun::new(
                        &format!("respondent niet in {name}"),
                        &format!("respondenten niet in {name}"),
                    ),
                ],
            ),
        ];
        let of = rs()
            .map(|r| {
                let inside = members.get(&r.id).copied().unwrap_or(false);
                (r.id.clone(), usize::from(!inside))
            })
            .collect();
        return Ok(Split {
            by: format!("set:{name}"),
            buckets,
            of,
            unit: Unit::Respondents,
        });
    }
    if fold(by) == "school" {
        if bins.is_some() {
            return Err(ExportError::Usage(
                "--bins applies to numeric attributes".into(),
            ));
        }
        // Schools as the unit: one bucket, every selected respondent in it.
        return Ok(Split {
            by: "school".into(),
            buckets: vec![Bucket::new(
                "all".into(),
                "schools".into(),
                [
                    Noun::new("school", "schools"),
                    Noun::new("school", "scholen"),
                ],
            )],
            of: rs().map(|r| (r.id.clone(), 0)).collect(),
            unit: Unit::Schools,
        });
    }
    let name = resolve_name(p, by)?;
    let mut buckets: Vec<Bucket> = Vec::new();
    let mut of = HashMap::new();
    if let Some(bins) = bins {
        if name == "group" || name == "school_type" {
            return Err(ExportError::Usage(format!(
                "--bins applies to numeric attributes, not {name}"
            )));
        }
        let edges = parse_bins(bins)?;
        let mut found: BTreeMap<usize, String> = BTreeMap::new();
        let mut empty = false;
        let mut keyed = Vec::new();
        for r in rs() {
            let v = value(r, &name);
            if v.trim().is_empty() {
                empty = true;
                keyed.push((r, None));
                continue;
            }
            let x = number(v).ok_or_else(|| {
                ExportError::Usage(format!(
                    "transcripts/respondents.csv:{}: {name} of {} is \"{v}\", not a number \
                     (--bins needs numbers)",
                    r.line, r.id
                ))
            })?;
            let (i, label) = bin_label(x, &edges);
            found.insert(i, label);
            keyed.push((r, Some(i)));
        }
        let order: Vec<usize> = found.keys().copied().collect();
        for label in found.values() {
            buckets.push(Bucket::new(
                label.clone(),
                format!("respondents ({name} {label})"),
                respondent_nouns(&format!(" ({name} {label})")),
            ));
        }
        if empty {
            buckets.push(Bucket::new(
                "(empty)".into(),
                format!("respondents (no {name})"),
                respondent_nouns(&format!(" (no {name})")),
            ));
        }
        for (r, i) in keyed {
            let b = match i {
                Some(i) => order.iter().position(|&o| o == i).unwrap_or(0),
                None => buckets.len() - 1,
            };
            of.insert(r.id.clone(), b);
        }
        return Ok(Split {
            by: name,
            buckets,
            of,
            unit: Unit::Respondents,
        });
    }
    let values: Vec<String> = match name.as_str() {
        "group" => groups.to_vec(),
        "school_type" => {
            let mut t = school_types.to_vec();
            if rs().any(|r| r.school_type.is_empty()) {
                t.push(String::new());
            }
            t
        }
        _ => {
            let mut v: Vec<String> = Vec::new();
            for r in rs() {
                let x = value(r, &name).to_string();
                if !v.contains(&x) {
                    v.push(x);
                }
            }
            // Numbers in numeric order (2 before 11), else as met in respondents.csv.
            if v.iter().all(|x| x.is_empty() || number(x).is_some()) {
                v.sort_by(|a, b| {
                    let key = |s: &str| number(s).unwrap_or(f64::INFINITY);
                    key(a).total_cmp(&key(b))
                });
            }
            v
        }
    };
    for v in values {
        let (label, nouns) = match name.as_str() {
            "group" => {
                let plural = p.group_plural(&v);
                let noun = Noun::new(&v, plural);
                (plural.to_string(), [noun.clone(), noun])
            }
            _ if v.is_empty() => (
                format!("respondents (no {name})"),
                respondent_nouns(&format!(" (no {name})")),
            ),
            _ => (
                format!("respondents ({name} {v})"),
                respondent_nouns(&format!(" ({name} {v})")),
            ),
        };
        buckets.push(Bucket::new(
            if v.is_empty() { "(empty)".into() } else { v },
            label,
            nouns,
        ));
    }
    for r in rs() {
        let v = value(r, &name);
        let key = if v.is_empty() { "(empty)" } else { v };
        if let Some(b) = buckets.iter().position(|b| b.key == key) {
            of.insert(r.id.clone(), b);
        }
    }
    Ok(Split {
        by: name,
        buckets,
        of,
        unit: Unit::Respondents,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_hold_their_lower_edge() {
        let e = parse_bins("0,5,10").unwrap();
        assert_eq!(bin_label(-1.0, &e).1, "< 0");
        assert_eq!(bin_label(0.0, &e).1, "[0, 5)");
        assert_eq!(bin_label(4.9, &e).1, "[0, 5)");
        assert_eq!(bin_label(5.0, &e).1, "[5, 10)");
        assert_eq!(bin_label(10.0, &e).1, "≥ 10");
        assert!(parse_bins("5,0").is_err());
        assert!(parse_bins("a").is_err());
        assert!(parse_bins("").is_err());
    }
}
