//! Matrices.
//!
//! - [`respondent_matrix`] (`export matrix`): one row per respondent with their attributes, one
//!   column per code, cells = passages (or 0/1 with `--binary`): the wide table that statistics
//!   programs read.
//! - [`code_matrix`]: codes × respondent groups (or school types), cells = distinct respondents
//!   "N of M" and passages: the code matrix view of the TUI and the overview in the report.

use super::quotes::json;
use super::table::{self, Cell, Column, Row, Table};
use super::{Count, ExportError, Filter, Format, Request, Selection, Tally};
use crate::core::codebook::Rgb;
use crate::core::project::Project;
use serde::Serialize;
use std::collections::BTreeMap;

/// What the columns of a code matrix are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Columns {
    #[default]
    Groups,
    SchoolTypes,
    /// Every group × school type that has respondents.
    GroupsBySchoolType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixColumn {
    pub group: Option<String>,
    pub school_type: Option<String>,
    /// "docenten", "vmbo", "docenten · vmbo".
    pub label: String,
    /// Respondents in the column (schools, with `--by school`).
    pub size: usize,
    /// The `--by` bucket the column is (with `Columns::Groups`), else None.
    #[serde(skip)]
    pub bucket: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixRow {
    pub deelvraag: u32,
    pub code: String,
    pub name: String,
    pub category: Option<String>,
    pub colour_name: String,
    pub colour: Rgb,
    /// 0 for a top-level code, 1 for a sub-code, ...
    pub depth: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Over all selected respondents.
    pub total: Count,
    /// One per column.
    pub cells: Vec<Count>,
    /// The roll-up (the code or any of its sub-codes), for codes that have sub-codes; the
    /// total and one per column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_subcodes: Option<(Count, Vec<Count>)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeMatrix {
    pub coder: String,
    pub columns: Vec<MatrixColumn>,
    /// One per selected code, by deelvraag then codebook order.
    pub rows: Vec<MatrixRow>,
}

/// Codes × groups (or school types) for a coder: distinct respondents and passages per cell.
pub fn code_matrix(
    p: &Project,
    coder: &str,
    filter: &Filter,
    columns: Columns,
) -> Result<CodeMatrix, ExportError> {
    let sel = filter.resolve_for(p, Some(coder))?;
    let tally = Tally::new(&sel, coder);
    Ok(code_matrix_of(&sel, &tally, columns))
}

pub fn code_matrix_of(sel: &Selection, tally: &Tally, columns: Columns) -> CodeMatrix {
    let p = sel.project;
    let mut cols: Vec<MatrixColumn> = Vec::new();
    let col = |g: Option<&String>, t: Option<&String>| {
        let label = match (g, t) {
            (Some(g), Some(t)) => format!("{} · {t}", p.group_plural(g)),
            (Some(g), None) => p.group_plural(g).to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => String::new(),
        };
        let size =
            sel.size(|r| g.is_none_or(|g| &r.group == g) && t.is_none_or(|t| &r.school_type == t));
        MatrixColumn {
            group: g.cloned(),
            school_type: t.cloned(),
            label,
            size,
            bucket: None,
        }
    };
    match columns {
        Columns::Groups => {
            cols.extend(
                sel.split
                    .buckets
                    .iter()
                    .enumerate()
                    .map(|(b, bucket)| MatrixColumn {
                        group: Some(bucket.key.clone()),
                        school_type: None,
                        label: bucket.label.clone(),
                        size: sel.size(|r| sel.in_bucket(b, r)),
                        bucket: Some(b),
                    }),
            );
        }
        Columns::SchoolTypes => cols.extend(sel.school_types.iter().map(|t| col(None, Some(t)))),
        Columns::GroupsBySchoolType => {
            for g in &sel.groups {
                for t in &sel.school_types {
                    let c = col(Some(g), Some(t));
                    if c.size > 0 {
                        cols.push(c);
                    }
                }
            }
        }
    }
    let rows = sel
        .codes
        .iter()
        .enumerate()
        .map(|(c, code)| {
            let in_col = |k: &MatrixColumn, r: &crate::core::respondents::Respondent| match k.bucket
            {
                Some(b) => sel.in_bucket(b, r),
                None => {
                    k.group.as_ref().is_none_or(|g| &r.group == g)
                        && k.school_type.as_ref().is_none_or(|t| &r.school_type == t)
                }
            };
            MatrixRow {
                deelvraag: code.deelvraag,
                code: code.id.clone(),
                name: code.name.clone(),
                category: code.category.clone(),
                colour_name: code.colour_name.clone(),
                colour: code.colour,
                depth: sel.depths.get(c).copied().unwrap_or(0),
                parent: code.parent.clone(),
                total: sel.count(tally, c, |_| true),
                cells: cols
                    .iter()
                    .map(|k| sel.count(tally, c, |r| in_col(k, r)))
                    .collect(),
                with_subcodes: sel.has_subcodes(c).then(|| {
                    (
                        sel.count_with_subcodes(tally, c, |_| true),
                        cols.iter()
                            .map(|k| sel.count_with_subcodes(tally, c, |r| in_col(k, r)))
                            .collect(),
                    )
                }),
            }
        })
        .collect();
    CodeMatrix {
        coder: tally.coder.clone(),
        columns: cols,
        rows,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixCode {
    pub id: String,
    pub name: String,
    pub deelvraag: u32,
    /// "Signalen herkennen › Ander gedrag".
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RespondentRow {
    pub respondent: String,
    pub group: String,
    pub school: String,
    pub school_type: String,
    /// The further columns of respondents.csv.
    pub attributes: BTreeMap<String, String>,
    /// Code id → passages (or 0/1 when binary), every selected code present.
    pub codes: BTreeMap<String, u32>,
    /// Code id → passages of the code or any of its sub-codes (or 0/1), for the selected
    /// codes that have sub-codes (the `ID+sub` columns).
    pub with_subcodes: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RespondentMatrix {
    pub coder: String,
    pub binary: bool,
    /// Names of the attribute columns, in respondents.csv order.
    pub attributes: Vec<String>,
    /// The code columns, in order (tree order).
    pub codes: Vec<MatrixCode>,
    /// The codes with sub-codes, which get a roll-up column `ID+sub` after the code columns.
    pub rolled_up: Vec<String>,
    /// Every selected respondent, coded or not, in respondents.csv order.
    pub respondents: Vec<RespondentRow>,
}

pub fn respondent_matrix_of(sel: &Selection, tally: &Tally, binary: bool) -> RespondentMatrix {
    let mut attributes: Vec<String> = Vec::new();
    for r in (0..sel.respondents.len()).map(|r| sel.respondent(r)) {
        for (k, _) in &r.attributes {
            if !attributes.contains(k) {
                attributes.push(k.clone());
            }
        }
    }
    // A split other than by group adds its value as a column (`by_jaren_ervaring`: `[5, 10)`),
    // so a binned attribute can be used as a variable.
    let by_column = (!sel.split.is_default() && sel.split.unit == super::split::Unit::Respondents)
        .then(|| format!("by_{}", sel.split.by));
    if let Some(b) = &by_column {
        attributes.push(b.clone());
    }
    let cell = |n: u32| if binary { n.min(1) } else { n };
    let mut m = RespondentMatrix {
        coder: tally.coder.clone(),
        binary,
        codes: sel
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| MatrixCode {
                id: c.id.clone(),
                name: c.name.clone(),
                deelvraag: c.deelvraag,
                path: sel.path(i),
            })
            .collect(),
        rolled_up: (0..sel.codes.len())
            .filter(|&c| sel.has_subcodes(c))
            .map(|c| sel.codes[c].id.clone())
            .collect(),
        respondents: (0..sel.respondents.len())
            .map(|i| {
                let r = sel.respondent(i);
                RespondentRow {
                    respondent: r.id.clone(),
                    group: r.group.clone(),
                    school: r.school.clone(),
                    school_type: r.school_type.clone(),
                    attributes: attributes
                        .iter()
                        .map(|k| {
                            let v = if Some(k) == by_column.as_ref() {
                                sel.split
                                    .bucket(r)
                                    .map(|b| sel.split.buckets[b].key.clone())
                                    .unwrap_or_default()
                            } else {
                                r.attribute(k).unwrap_or_default().to_string()
                            };
                            (k.clone(), v)
                        })
                        .collect(),
                    codes: sel
                        .codes
                        .iter()
                        .enumerate()
                        .map(|(c, code)| (code.id.clone(), cell(tally.passages[c][i])))
                        .collect(),
                    with_subcodes: (0..sel.codes.len())
                        .filter(|&c| sel.has_subcodes(c))
                        .map(|c| (sel.codes[c].id.clone(), cell(tally.rolled[c][i])))
                        .collect(),
                }
            })
            .collect(),
        attributes,
    };
    if sel.split.unit == super::split::Unit::Schools {
        m = by_school(m, binary);
    }
    m
}

/// With schools as the unit (`--by school`): one row per school, cells summed over its
/// respondents (or 0/1: any respondent there), attributes kept where all respondents agree.
fn by_school(m: RespondentMatrix, binary: bool) -> RespondentMatrix {
    let mut rows: Vec<RespondentRow> = Vec::new();
    for r in m.respondents {
        let key = if r.school.is_empty() {
            r.respondent.clone()
        } else {
            r.school.clone()
        };
        match rows.iter_mut().find(|x| x.respondent == key) {
            Some(x) => {
                for (code, n) in r.codes {
                    let cell = x.codes.entry(code).or_default();
                    *cell = if binary { (*cell).max(n) } else { *cell + n };
                }
                if x.group != r.group {
                    x.group = "(several)".into();
                }
                for (k, v) in &r.attributes {
                    if x.attributes.get(k) != Some(v) {
                        x.attributes.insert(k.clone(), String::new());
                    }
                }
            }
            None => rows.push(RespondentRow {
                respondent: key,
                ..r
            }),
        }
    }
    RespondentMatrix {
        respondents: rows,
        ..m
    }
}

/// Respondents × codes for a coder.
pub fn respondent_matrix(
    p: &Project,
    coder: &str,
    filter: &Filter,
    binary: bool,
) -> Result<RespondentMatrix, ExportError> {
    let sel = filter.resolve_for(p, Some(coder))?;
    let tally = Tally::new(&sel, coder);
    Ok(respondent_matrix_of(&sel, &tally, binary))
}

/// Columns: respondent, group, school, school_type, the attributes, then one per code, headed by
/// the code id (short and stable, as statistics programs want variable names).
pub fn table(m: &RespondentMatrix) -> Table {
    let mut columns = vec![
        Column::new("respondent", 10.0),
        Column::new("group", 14.0),
        Column::new("school", 12.0),
        Column::new("school_type", 12.0),
    ];
    columns.extend(m.attributes.iter().map(|a| Column::new(a.clone(), 10.0)));
    columns.extend(m.codes.iter().map(|c| Column::new(c.id.clone(), 8.0)));
    columns.extend(
        m.rolled_up
            .iter()
            .map(|id| Column::new(format!("{id}+sub"), 8.0)),
    );
    let rows = m
        .respondents
        .iter()
        .map(|r| {
            let mut cells = vec![
                Cell::text(&r.respondent),
                Cell::text(&r.group),
                Cell::text(&r.school),
                Cell::text(&r.school_type),
            ];
            cells.extend(
                m.attributes
                    .iter()
                    .map(|a| Cell::text(r.attributes[a].clone())),
            );
            cells.extend(m.codes.iter().map(|c| Cell::Int(r.codes[&c.id].into())));
            cells.extend(
                m.rolled_up
                    .iter()
                    .map(|id| Cell::Int(r.with_subcodes.get(id).copied().unwrap_or(0).into())),
            );
            Row { sheet: 0, cells }
        })
        .collect();
    Table {
        columns,
        rows,
        sheets: vec![if m.binary { "matrix (0-1)" } else { "matrix" }.into()],
    }
}

pub fn render(sel: &Selection, tally: &Tally, req: &Request) -> Result<Vec<u8>, ExportError> {
    let m = respondent_matrix_of(sel, tally, req.binary);
    match req.format {
        Format::Json => json(&m),
        Format::Xlsx => table::to_xlsx(&table(&m)),
        _ => table::to_csv(&table(&m), req.excel),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil;
    use super::*;

    #[test]
    fn code_matrix_counts_per_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = testutil::project(dir.path());
        let m = code_matrix(&p, "ann", &Filter::default(), Columns::Groups).unwrap();
        let labels: Vec<(&str, usize)> = m
            .columns
            .iter()
            .map(|c| (c.label.as_str(), c.size))
            .collect();
        assert_eq!(labels, [("docenten", 3), ("zorgcoördinatoren", 1)]);
        assert_eq!(m.rows[0].code, "niet-pluis");
        assert_eq!(
            m.rows[0].total,
            Count {
                respondents: 2,
                of: 4,
                passages: 3
            }
        );
        assert_eq!(
            m.rows[0].cells[0],
            Count {
                respondents: 1,
                of: 3,
                passages: 2
            }
        );
        let m = code_matrix(&p, "ann", &Filter::default(), Columns::SchoolTypes).unwrap();
        assert_eq!(m.columns[1].label, "havo-vwo");
        assert_eq!(
            m.rows[2].cells[1],
            Count {
                respondents: 1,
                of: 2,
                passages: 1
            }
        );
        let m = code_matrix(&p, "ann", &Filter::default(), Columns::GroupsBySchoolType).unwrap();
        assert_eq!(m.columns.len(), 3, "zorgcoördinator × havo-vwo has nobody");
    }

    #[test]
    fn respondent_matrix_has_every_respondent_and_binary_cells() {
        let dir = tempfile::tempdir().unwrap();
        let p = testutil::project(dir.path());
        let m = respondent_matrix(&p, "ann", &Filter::default(), false).unwrap();
        assert_eq!(m.respondents.len(), 4);
        assert_eq!(m.attributes, ["geslacht"]);
        assert_eq!(m.respondents[0].codes["niet-pluis"], 2);
        let csv = String::from_utf8(table::to_csv(&table(&m), false).unwrap()).unwrap();
        assert_eq!(
            csv.lines().next().unwrap(),
            "respondent,group,school,school_type,geslacht,niet-pluis,signalen,twijfel"
        );
        assert_eq!(
            csv.lines().nth(1).unwrap(),
            "A-D1,docent,School A,vmbo,v,2,0,0"
        );
        let b = respondent_matrix(&p, "ann", &Filter::default(), true).unwrap();
        assert_eq!(b.respondents[0].codes["niet-pluis"], 1);
        assert_eq!(b.respondents[3].codes.values().sum::<u32>(), 0);
    }
}
