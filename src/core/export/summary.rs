//! `export summary`: one row per deelvraag × code × respondent group with the numbers the report
//! quotes: distinct respondents who said it, group size, share, passages, and the same split by
//! school type.

use super::quotes::{json, sheets};
use super::table::{self, Cell, Column, Row, Table, format_share};
use super::{Count, ExportError, Format, Request, Selection, Tally};
use crate::core::codebook::Rgb;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolTypeCount {
    pub school_type: String,
    pub respondents: usize,
    pub group_size: usize,
    pub share: Option<f64>,
    pub passages: usize,
    /// The respondents (or schools) behind `respondents`.
    pub ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryRow {
    pub deelvraag: u32,
    pub deelvraag_title: String,
    pub category: String,
    pub code_id: String,
    pub code: String,
    pub colour: Rgb,
    /// 0 for a top-level code, 1 for a sub-code, ...
    pub depth: usize,
    /// The parent code's id ("" for a top-level code).
    pub parent_id: String,
    /// "Signalen herkennen › Ander gedrag".
    pub path: String,
    pub group: String,
    pub group_plural: String,
    /// Distinct respondents of the group with at least one passage of the code.
    pub respondents: usize,
    /// Respondents in the group (within the selected school types).
    pub group_size: usize,
    /// respondents / group_size, three decimals; None for an empty group.
    pub share: Option<f64>,
    pub passages: usize,
    /// "14 of 27 docenten".
    pub text: String,
    /// The roll-up: distinct respondents of the group with a passage of the code *or any of
    /// its sub-codes* (equal to `respondents` for a code without sub-codes).
    pub respondents_with_subcodes: usize,
    pub share_with_subcodes: Option<f64>,
    pub passages_with_subcodes: usize,
    /// "14 of 27 docenten" for the roll-up.
    pub text_with_subcodes: String,
    pub by_school_type: Vec<SchoolTypeCount>,
    /// What the rows are split by (`group`, an attribute, `school`, `set:NAME`): `group` then
    /// holds that dimension's value.
    pub by: String,
    /// What `respondents` and `group_size` count: `respondents` or `schools`.
    pub unit: &'static str,
    /// The respondents (or schools) behind `respondents`, so that every "N of M" can be traced.
    pub ids: Vec<String>,
}

/// "14 of 27 docenten".
pub fn n_of_m(count: &Count, plural: &str) -> String {
    format!("{} of {} {}", count.respondents, count.of, plural)
}

fn share(c: &Count) -> Option<f64> {
    (c.of > 0).then(|| {
        format_share(c.respondents, c.of, false)
            .parse()
            .unwrap_or(0.0)
    })
}

pub fn rows(sel: &Selection, tally: &Tally) -> Vec<SummaryRow> {
    let p = sel.project;
    let mut out = Vec::new();
    for (c, code) in sel.codes.iter().enumerate() {
        for (b, bucket) in sel.split.buckets.iter().enumerate() {
            let g = &bucket.key;
            let total = sel.count(tally, c, |r| sel.in_bucket(b, r));
            let rolled = sel.count_with_subcodes(tally, c, |r| sel.in_bucket(b, r));
            let plural = bucket.label.clone();
            out.push(SummaryRow {
                deelvraag: code.deelvraag,
                deelvraag_title: p.codebook.deelvraag_title(code.deelvraag).to_string(),
                category: code.category.clone().unwrap_or_default(),
                code_id: code.id.clone(),
                code: code.name.clone(),
                colour: code.colour,
                depth: sel.depths.get(c).copied().unwrap_or(0),
                parent_id: code.parent.clone().unwrap_or_default(),
                path: sel.path(c),
                group: g.clone(),
                text: n_of_m(&total, &plural),
                respondents_with_subcodes: rolled.respondents,
                share_with_subcodes: share(&rolled),
                passages_with_subcodes: rolled.passages,
                text_with_subcodes: n_of_m(&rolled, &plural),
                group_plural: plural,
                respondents: total.respondents,
                group_size: total.of,
                share: share(&total),
                passages: total.passages,
                by_school_type: sel
                    .school_types
                    .iter()
                    .map(|t| {
                        let keep = |r: &crate::core::respondents::Respondent| {
                            sel.in_bucket(b, r) && &r.school_type == t
                        };
                        let n = sel.count(tally, c, keep);
                        SchoolTypeCount {
                            ids: sel.ids(tally, c, keep),
                            school_type: t.clone(),
                            respondents: n.respondents,
                            group_size: n.of,
                            share: share(&n),
                            passages: n.passages,
                        }
                    })
                    .collect(),
                by: sel.split.by.clone(),
                unit: sel.split.unit.name(),
                ids: sel.ids(tally, c, |r| sel.in_bucket(b, r)),
            });
        }
    }
    out
}

pub fn table(sel: &Selection, rows: &[SummaryRow]) -> Table {
    table_with(sel, rows, false)
}

/// The summary table; `with_ids` adds the respondents behind each count (xlsx).
pub fn table_with(sel: &Selection, rows: &[SummaryRow], with_ids: bool) -> Table {
    let mut columns = vec![
        Column::new("deelvraag", 4.0),
        Column::new("deelvraag_title", 20.0),
        Column::new("category", 14.0),
        Column::new("code_id", 14.0),
        Column::new("code", 24.0),
        Column::new("group", 14.0),
        Column::new("respondents", 6.0),
        Column::new("group_size", 6.0),
        Column::new("share", 7.0),
        Column::new("passages", 6.0),
        Column::new("text", 26.0),
        Column::new("respondents_with_subcodes", 8.0),
        Column::new("share_with_subcodes", 8.0),
        Column::new("passages_with_subcodes", 8.0),
        Column::new("text_with_subcodes", 26.0),
        Column::new("parent_id", 14.0),
        Column::new("path", 30.0),
    ];
    for t in &sel.school_types {
        for what in ["respondents", "group_size", "share", "passages"] {
            columns.push(Column::new(format!("{what}_{t}"), 8.0));
        }
    }
    columns.push(Column::new("by", 10.0));
    columns.push(Column::new("unit", 10.0));
    if with_ids {
        columns.push(Column::new("ids", 30.0));
    }
    let rows = rows
        .iter()
        .map(|s| {
            let mut cells = vec![
                Cell::Int(s.deelvraag.into()),
                Cell::text(&s.deelvraag_title),
                Cell::text(&s.category),
                Cell::text(&s.code_id),
                Cell::Coloured(s.code.clone(), s.colour),
                Cell::text(&s.group),
                Cell::Int(s.respondents as u64),
                Cell::Int(s.group_size as u64),
                Cell::Share(s.respondents, s.group_size),
                Cell::Int(s.passages as u64),
                Cell::text(&s.text),
                Cell::Int(s.respondents_with_subcodes as u64),
                Cell::Share(s.respondents_with_subcodes, s.group_size),
                Cell::Int(s.passages_with_subcodes as u64),
                Cell::text(&s.text_with_subcodes),
                Cell::text(&s.parent_id),
                Cell::text(&s.path),
            ];
            for t in &s.by_school_type {
                cells.extend([
                    Cell::Int(t.respondents as u64),
                    Cell::Int(t.group_size as u64),
                    Cell::Share(t.respondents, t.group_size),
                    Cell::Int(t.passages as u64),
                ]);
            }
            cells.push(Cell::text(&s.by));
            cells.push(Cell::text(s.unit));
            if with_ids {
                cells.push(Cell::text(s.ids.join(", ")));
            }
            Row {
                sheet: sel.deelvraag_index(s.deelvraag),
                cells,
            }
        })
        .collect();
    Table {
        columns,
        rows,
        sheets: sheets(sel),
    }
}

pub fn render(sel: &Selection, tally: &Tally, req: &Request) -> Result<Vec<u8>, ExportError> {
    let rows = rows(sel, tally);
    match req.format {
        Format::Json => json(&rows),
        Format::Xlsx => table::to_xlsx(&table_with(sel, &rows, true)),
        _ => table::to_csv(&table(sel, &rows), req.excel),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Filter, Kind, render as render_export, testutil};
    use super::*;

    #[test]
    fn counts_distinct_respondents_per_group_and_school_type() {
        let dir = tempfile::tempdir().unwrap();
        let p = testutil::project(dir.path());
        let sel = Filter::default().resolve(&p).unwrap();
        let tally = Tally::new(&sel, "ann");
        let rows = rows(&sel, &tally);
        assert_eq!(rows.len(), 3 * 2, "every code × group, zeros included");
        let niet_pluis_docent = &rows[0];
        assert_eq!(
            (niet_pluis_docent.respondents, niet_pluis_docent.group_size),
            (1, 3)
        );
        assert_eq!(niet_pluis_docent.passages, 2);
        assert_eq!(niet_pluis_docent.text, "1 of 3 docenten");
        assert_eq!(niet_pluis_docent.share, Some(0.333));
        let vmbo = &niet_pluis_docent.by_school_type[0];
        assert_eq!(
            (vmbo.school_type.as_str(), vmbo.respondents, vmbo.group_size),
            ("vmbo", 1, 1)
        );
        let havo = &niet_pluis_docent.by_school_type[1];
        assert_eq!(
            (havo.respondents, havo.group_size, havo.passages),
            (0, 2, 0)
        );
        assert_eq!(rows[1].text, "1 of 1 zorgcoördinatoren");
    }

    #[test]
    fn school_type_filter_narrows_group_sizes() {
        let dir = tempfile::tempdir().unwrap();
        let p = testutil::project(dir.path());
        let mut req = Request::new(Kind::Summary, "ann");
        req.filter.school_types = vec!["havo-vwo".into()];
        req.filter.groups = vec!["docent".into()];
        req.format = Format::Json;
        let v: serde_json::Value =
            serde_json::from_slice(&render_export(&p, &req).unwrap()).unwrap();
        let twijfel = &v[2];
        assert_eq!(twijfel["code_id"], "twijfel");
        assert_eq!(twijfel["text"], "1 of 2 docenten");
        assert_eq!(twijfel["by_school_type"].as_array().unwrap().len(), 1);
    }
}
