//! What the user asked for (`Filter`) resolved against the project into what goes into an
//! export (`Selection`): deelvragen, codes, groups, school types and respondents, in report
//! order.

use super::error::ExportError;
use super::split;
use crate::core::codebook::{Code, Deelvraag};
use crate::core::project::Project;
use crate::core::respondents::Respondent;
use crate::core::text::fold_key as fold;
use serde::Serialize;
use std::collections::HashMap;

/// What to include. Empty lists mean "all". Values are matched as users type them: deelvraag
/// numbers; group ids or plurals; school types; code ids or names (case and accents ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filter {
    pub deelvragen: Vec<u32>,
    pub groups: Vec<String>,
    pub school_types: Vec<String>,
    pub codes: Vec<String>,
    /// Count passages that lie wholly in interviewer turns too. Off by default: an
    /// interviewer's question is not something the respondent said.
    pub include_interviewer: bool,
    /// `--attr name=value`: only respondents with these values (all of them: AND).
    pub attrs: Vec<String>,
    /// `--by NAME`: split by this respondent attribute, `group` (the default), `school_type`,
    /// `school` (schools as the unit) or `set:NAME` (a saved query). See [`split`].
    pub by: Option<String>,
    /// `--bins 0,5,10`: bin a numeric `--by` attribute at these edges.
    pub bins: Option<String>,
    /// `--where 'EXPR'`: only passages for which the code query holds (at `where_scope`,
    /// passage by default); group sizes stay as they are. See [`crate::core::query`].
    pub where_query: Option<String>,
    /// `--where-scope passage|turn|respondent` for `where_query`.
    pub where_scope: Option<String>,
    /// `--among 'EXPR'`: only respondents for whom the query holds, so that "of M" counts
    /// them ("N of the 10 docenten with Veilig Thuis").
    pub among: Option<String>,
}

/// The filter resolved against a project: what goes into an export, in report order.
#[derive(Debug, Clone)]
pub struct Selection<'p> {
    pub project: &'p Project,
    /// In codebook order.
    pub deelvragen: Vec<&'p Deelvraag>,
    /// By deelvraag (codebook order), then in tree order: each top-level code (codebook
    /// order) followed by its sub-codes.
    pub codes: Vec<&'p Code>,
    /// `depths[c]`: how deep `codes[c]` is in the code tree (0 = top level).
    pub depths: Vec<usize>,
    /// In project order (`Project::groups`).
    pub groups: Vec<String>,
    /// In project order (`Project::school_types`).
    pub school_types: Vec<String>,
    /// Indices into `project.respondents`, in respondents.csv order.
    pub respondents: Vec<usize>,
    /// See [`Filter::include_interviewer`].
    pub include_interviewer: bool,
    /// The columns or sections (`--by`) and the unit counted; by group unless asked.
    pub split: split::Split,
    /// The resolved `--attr` filters, (column, value).
    pub attrs: Vec<(String, String)>,
    /// With `--where`: the ids of the coder's codings that pass it; others are left out.
    pub keep_codings: Option<std::collections::HashSet<crate::core::coding::CodingId>>,
    /// The query options as given, for the report's introduction: (`--where`, `--among`).
    pub queries: (Option<String>, Option<String>),
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.deelvragen.is_empty()
            && self.groups.is_empty()
            && self.school_types.is_empty()
            && self.codes.is_empty()
            && self.attrs.is_empty()
            && self.by.is_none()
            && self.where_query.is_none()
            && self.among.is_none()
    }

    /// Whether resolving needs the coder: code queries and saved sets are about codings.
    pub fn needs_coder(&self) -> bool {
        self.where_query.is_some()
            || self.among.is_some()
            || self
                .by
                .as_deref()
                .is_some_and(|b| b.trim().starts_with("set:"))
    }

    /// Resolve against the project. Unknown values are errors listing the known ones, so that
    /// a typo does not give a silently empty export. Code queries (`--where`, `--among`,
    /// `--by set:NAME`) need [`Filter::resolve_for`] with the coder.
    pub fn resolve<'p>(&self, p: &'p Project) -> Result<Selection<'p>, ExportError> {
        self.resolve_for(p, None)
    }

    /// Resolve for a coder's codings: what code queries are evaluated on.
    pub fn resolve_for<'p>(
        &self,
        p: &'p Project,
        coder: Option<&str>,
    ) -> Result<Selection<'p>, ExportError> {
        if self.needs_coder() && coder.is_none() {
            return Err(ExportError::Usage(
                "code queries (--where, --among, set:) need a coder".into(),
            ));
        }
        let cb = &p.codebook;
        for &n in &self.deelvragen {
            if cb.deelvraag(n).is_none() {
                return Err(ExportError::Unknown {
                    what: "deelvraag",
                    value: n.to_string(),
                    known: join(cb.deelvragen.iter().map(|d| d.number.to_string())),
                });
            }
        }
        let mut wanted_codes: Vec<&Code> = Vec::new();
        for c in &self.codes {
            let code = resolve_code(p, c).ok_or_else(|| ExportError::Usage(cb.unknown_code(c)))?;
            if !self.deelvragen.is_empty() && !self.deelvragen.contains(&code.deelvraag) {
                return Err(ExportError::Usage(format!(
                    "code \"{}\" is under deelvraag {}, which --deelvraag leaves out",
                    code.id, code.deelvraag
                )));
            }
            wanted_codes.push(code);
        }
        let deelvragen: Vec<&Deelvraag> = cb
            .deelvragen
            .iter()
            .filter(|d| self.deelvragen.is_empty() || self.deelvragen.contains(&d.number))
            .filter(|d| {
                self.codes.is_empty() || wanted_codes.iter().any(|c| c.deelvraag == d.number)
            })
            .collect();
        let (codes, depths): (Vec<&Code>, Vec<usize>) = deelvragen
            .iter()
            .flat_map(|d| cb.tree_of(d.number))
            .filter(|(c, _)| self.codes.is_empty() || wanted_codes.iter().any(|w| w.id == c.id))
            .unzip();

        let all_groups = p.groups();
        let groups = pick(&all_groups, &self.groups, "group", |g, v| {
            g == v
                || p.group_plural(g) == v
                || fold(g) == fold(v)
                || fold(p.group_plural(g)) == fold(v)
        })?;
        let all_types = p.school_types();
        let school_types = pick(&all_types, &self.school_types, "school type", |t, v| {
            t == v || fold(t) == fold(v)
        })?;
        let attrs = split::resolve_attrs(p, &self.attrs)?;
        let mut respondents: Vec<usize> = p
            .respondents
            .iter()
            .enumerate()
            .filter(|(_, r)| groups.contains(&r.group))
            .filter(|(_, r)| self.school_types.is_empty() || school_types.contains(&r.school_type))
            .filter(|(_, r)| split::passes(r, &attrs))
            .map(|(i, _)| i)
            .collect();
        let facts = match coder.filter(|_| self.needs_coder()) {
            Some(c) => Some(
                crate::core::query::Facts::new(p, c, self.include_interviewer)
                    .map_err(query_error)?,
            ),
            None => None,
        };
        let mut keep_codings = None;
        if let Some(facts) = &facts {
            if let Some(among) = &self.among {
                let e = query_expr(facts, among)?;
                respondents.retain(|&r| facts.respondent(&e, r));
            }
            if let Some(w) = &self.where_query {
                let e = query_expr(facts, w)?;
                let scope = match &self.where_scope {
                    None => crate::core::query::Scope::Passage,
                    Some(s) => {
                        crate::core::query::Scope::parse(s).ok_or_else(|| ExportError::Unknown {
                            what: "query scope",
                            value: s.clone(),
                            known: "passage, turn, respondent".into(),
                        })?
                    }
                };
                keep_codings = Some(where_codings(facts, &e, scope, &respondents));
            }
        }
        let members = |name: &str| -> Result<HashMap<String, bool>, ExportError> {
            let Some(facts) = &facts else {
                return Ok(HashMap::new());
            };
            let e = query_expr(facts, &format!("set:{name}"))?;
            Ok(respondents
                .iter()
                .map(|&r| (p.respondents[r].id.clone(), facts.respondent(&e, r)))
                .collect())
        };
        let split = split::resolve(
            p,
            self.by.as_deref(),
            self.bins.as_deref(),
            &respondents,
            (&groups, &school_types),
            Some(&members),
        )?;
        Ok(Selection {
            project: p,
            deelvragen,
            codes,
            depths,
            groups,
            school_types,
            respondents,
            include_interviewer: self.include_interviewer,
            split,
            attrs,
            keep_codings,
            queries: (self.where_query.clone(), self.among.clone()),
        })
    }
}

fn query_error(e: crate::core::query::QueryError) -> ExportError {
    ExportError::Usage(e.to_string())
}

/// Parse a query and check its saved sets.
fn query_expr(
    facts: &crate::core::query::Facts,
    q: &str,
) -> Result<crate::core::query::Expr, ExportError> {
    let e = crate::core::query::parse(q, &facts.project.codebook).map_err(query_error)?;
    facts.check(&e).map_err(query_error)?;
    Ok(e)
}

/// The codings `--where` keeps: at passage scope the passages where the query holds; at turn
/// scope the passages overlapping a turn where it holds; at respondent scope all passages of
/// respondents for whom it holds.
fn where_codings(
    facts: &crate::core::query::Facts,
    e: &crate::core::query::Expr,
    scope: crate::core::query::Scope,
    respondents: &[usize],
) -> std::collections::HashSet<crate::core::coding::CodingId> {
    use crate::core::query::Scope;
    let m = facts.run(e, scope, respondents);
    let p = facts.project;
    match scope {
        Scope::Passage => m
            .passages
            .iter()
            .map(|&(r, i)| facts.of[r][i].coding.id)
            .collect(),
        Scope::Respondent => m
            .respondents
            .iter()
            .flat_map(|&r| facts.of[r].iter().map(|f| f.coding.id))
            .collect(),
        Scope::Turn => m
            .turns
            .iter()
            .flat_map(|&(r, t)| {
                let turn = &p.transcripts[r].turns()[t];
                facts.of[r]
                    .iter()
                    .filter(move |f| f.start < turn.end.max(turn.start + 1) && turn.start < f.end)
                    .map(|f| f.coding.id)
            })
            .collect(),
    }
}

fn join(items: impl Iterator<Item = String>) -> String {
    let v: Vec<String> = items.collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn resolve_code<'p>(p: &'p Project, value: &str) -> Option<&'p Code> {
    p.codebook.resolve(value).or_else(|| {
        let v = fold(value);
        p.codebook
            .codes
            .iter()
            .find(|c| fold(&c.id) == v || fold(&c.name) == v)
    })
}

/// The items of `all` (in its order) that some value names; all of them if no values.
fn pick(
    all: &[String],
    values: &[String],
    what: &'static str,
    matches: impl Fn(&str, &str) -> bool,
) -> Result<Vec<String>, ExportError> {
    if values.is_empty() {
        return Ok(all.to_vec());
    }
    for v in values {
        if !all.iter().any(|a| matches(a, v)) {
            return Err(ExportError::Unknown {
                what,
                value: v.clone(),
                known: join(all.iter().cloned()),
            });
        }
    }
    Ok(all
        .iter()
        .filter(|a| values.iter().any(|v| matches(a, v)))
        .cloned()
        .collect())
}

impl<'p> Selection<'p> {
    pub fn respondent(&self, r: usize) -> &'p Respondent {
        &self.project.respondents[self.respondents[r]]
    }

    /// The number of units (respondents, or schools with `--by school`) among the selected
    /// respondents for which `keep` holds.
    pub fn size(&self, keep: impl Fn(&Respondent) -> bool) -> usize {
        let unit = self.split.unit;
        let mut seen = std::collections::HashSet::new();
        (0..self.respondents.len())
            .filter(|&r| keep(self.respondent(r)))
            .filter(|&r| seen.insert(unit.key(self.respondent(r))))
            .count()
    }

    /// The noun after "N of M" for bucket `b` of the split.
    pub fn bucket_label(&self, b: usize) -> &str {
        self.split.buckets.get(b).map_or("", |x| x.label.as_str())
    }

    /// Whether respondent `r` is in bucket `b` of the split.
    pub fn in_bucket(&self, b: usize, r: &Respondent) -> bool {
        self.split.is_in(b, r)
    }

    /// Whether `codes[c]` has sub-codes in the codebook (so its roll-up can differ).
    pub fn has_subcodes(&self, c: usize) -> bool {
        let cb = &self.project.codebook;
        cb.children(&self.codes[c].id).next().is_some()
    }

    /// "Signalen herkennen › Ander gedrag" for `codes[c]`.
    pub fn path(&self, c: usize) -> String {
        self.project.codebook.path_of(&self.codes[c].id)
    }

    pub fn deelvraag_index(&self, number: u32) -> usize {
        self.deelvragen
            .iter()
            .position(|d| d.number == number)
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil;
    use super::*;

    #[test]
    fn filters_resolve_by_name_plural_and_accents() {
        let dir = tempfile::tempdir().unwrap();
        let p = testutil::project(dir.path());
        let f = Filter {
            groups: vec!["zorgcoordinatoren".into()],
            codes: vec!["niet pluis GEVOEL".into()],
            ..Filter::default()
        };
        let sel = f.resolve(&p).unwrap();
        assert_eq!(sel.groups, ["zorgcoördinator"]);
        assert_eq!(sel.codes.len(), 1);
        assert_eq!(sel.deelvragen.len(), 1);
        assert_eq!(sel.respondents, [1]);
        let bad = Filter {
            groups: vec!["leerling".into()],
            ..Filter::default()
        };
        let msg = bad.resolve(&p).unwrap_err().to_string();
        assert!(
            msg.contains("unknown group \"leerling\"") && msg.contains("docent"),
            "{msg}"
        );
        let bad = Filter {
            deelvragen: vec![2],
            codes: vec!["signalen".into()],
            ..Filter::default()
        };
        assert!(bad.resolve(&p).is_err());
    }
}
