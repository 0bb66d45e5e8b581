//! `export quotes`: one row per coded passage, ordered deelvraag → code → group → respondent →
//! position, so that each cluster of quotes is one block of rows.

use super::table::{self, Cell, Column, Row, Table};
use super::{ExportError, Format, Request, Selection, Tally};
use crate::core::codebook::Rgb;
use serde::Serialize;

/// One coded passage with everything an analyst needs next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuoteRow {
    pub deelvraag: u32,
    pub deelvraag_title: String,
    pub category: String,
    pub code_id: String,
    pub code: String,
    pub colour_name: String,
    pub colour: Rgb,
    pub group: String,
    pub school_type: String,
    pub school: String,
    /// Respondent id, which is also the transcript id.
    pub respondent: String,
    /// Speaker label of the turn the passage starts in (`R`, `I`), or empty.
    pub speaker: String,
    /// Character offsets into the transcript, end exclusive.
    pub start: usize,
    pub end: usize,
    /// The respondent's exact words, line breaks kept.
    pub quote: String,
    pub memo: Option<String>,
    pub coder: String,
    pub coding_id: u64,
    /// The parent code's id ("" for a top-level code).
    pub parent_id: String,
    /// "Signalen herkennen › Ander gedrag": where the code is in the code tree.
    pub path: String,
}

pub fn rows(sel: &Selection, tally: &Tally) -> Vec<QuoteRow> {
    let p = sel.project;
    // Per selected code once, not per row: its path walks the code tree.
    let paths: Vec<String> = (0..sel.codes.len()).map(|c| sel.path(c)).collect();
    tally
        .list
        .iter()
        .map(|x| {
            let code = sel.codes[x.code];
            let r = sel.respondent(x.respondent);
            let c = x.coding;
            let speaker = p
                .transcript(&r.id)
                .and_then(|t| t.speaker_of(c.start))
                .unwrap_or_default();
            QuoteRow {
                deelvraag: code.deelvraag,
                deelvraag_title: p.codebook.deelvraag_title(code.deelvraag).to_string(),
                category: code.category.clone().unwrap_or_default(),
                code_id: code.id.clone(),
                code: code.name.clone(),
                colour_name: code.colour_name.clone(),
                colour: code.colour,
                group: r.group.clone(),
                school_type: r.school_type.clone(),
                school: r.school.clone(),
                respondent: r.id.clone(),
                speaker: speaker.to_string(),
                start: c.start,
                end: c.end,
                quote: c.text.clone(),
                memo: c.memo.clone(),
                coder: tally.coder.clone(),
                coding_id: c.id,
                parent_id: code.parent.clone().unwrap_or_default(),
                path: paths.get(x.code).cloned().unwrap_or_default(),
            }
        })
        .collect()
}

pub const COLUMNS: [&str; 20] = [
    "deelvraag",
    "deelvraag_title",
    "category",
    "code_id",
    "code",
    "colour_name",
    "colour",
    "group",
    "school_type",
    "school",
    "respondent",
    "speaker",
    "start",
    "end",
    "quote",
    "memo",
    "coder",
    "coding_id",
    "parent_id",
    "path",
];

/// The rows as a table, their strings moved into its cells (an export of 200,000 quotes copied
/// each of them once more).
pub fn table(sel: &Selection, rows: Vec<QuoteRow>) -> Table {
    let widths = [
        4.0, 20.0, 14.0, 14.0, 22.0, 10.0, 9.0, 14.0, 12.0, 12.0, 10.0, 4.0, 7.0, 7.0, 80.0, 30.0,
        10.0, 6.0, 14.0, 30.0,
    ];
    let columns = COLUMNS
        .iter()
        .zip(widths)
        .map(|(name, w)| {
            if matches!(*name, "quote" | "memo") {
                Column::wrapped(*name, w)
            } else {
                Column::new(*name, w)
            }
        })
        .collect();
    let rows = rows
        .into_iter()
        .map(|q| Row {
            sheet: sel.deelvraag_index(q.deelvraag),
            cells: vec![
                Cell::Int(q.deelvraag.into()),
                Cell::text(q.deelvraag_title),
                Cell::text(q.category),
                Cell::text(q.code_id),
                Cell::Coloured(q.code, q.colour),
                Cell::text(q.colour_name),
                Cell::text(q.colour.to_string()),
                Cell::text(q.group),
                Cell::text(q.school_type),
                Cell::text(q.school),
                Cell::text(q.respondent),
                Cell::text(q.speaker),
                Cell::Int(q.start as u64),
                Cell::Int(q.end as u64),
                Cell::text(q.quote),
                q.memo.map_or(Cell::Empty, Cell::text),
                Cell::text(q.coder),
                Cell::Int(q.coding_id),
                Cell::text(q.parent_id),
                Cell::text(q.path),
            ],
        })
        .collect();
    Table {
        columns,
        rows,
        sheets: sheets(sel),
    }
}

/// One xlsx sheet per selected deelvraag: "1. Signaleren en handelen".
pub fn sheets(sel: &Selection) -> Vec<String> {
    sel.deelvragen
        .iter()
        .map(|d| format!("{}. {}", d.number, d.title))
        .collect()
}

pub fn render(sel: &Selection, tally: &Tally, req: &Request) -> Result<Vec<u8>, ExportError> {
    let rows = rows(sel, tally);
    match req.format {
        Format::Json => json(&rows),
        Format::Xlsx => table::to_xlsx(&table(sel, rows)),
        _ => table::to_csv(&table(sel, rows), req.excel),
    }
}

pub(super) fn json<T: Serialize>(value: &T) -> Result<Vec<u8>, ExportError> {
    let mut out =
        serde_json::to_vec_pretty(value).map_err(|e| ExportError::Encode(e.to_string()))?;
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::{Filter, Kind, render as render_export, testutil};
    use super::*;

    #[test]
    fn csv_reads_back_exactly_with_escaped_formulas() {
        let dir = tempfile::tempdir().unwrap();
        let p = testutil::project(dir.path());
        let bytes = render_export(&p, &Request::new(Kind::Quotes, "ann")).unwrap();
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), COLUMNS);
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 5);
        let quote = |i: usize| rows[i].get(14).unwrap().to_string();
        // Passages in cluster order: deelvraag 1 code niet-pluis: A-D1 (2, by position), A-Z.
        assert_eq!(
            quote(0),
            "Ik had een \"niet pluis\"-gevoel; echt.\nTweede regel, één."
        );
        assert_eq!(quote(1), "'=SOM(1;2) zei hij.");
        assert_eq!(&rows[2][10], "A-Z");
        assert_eq!(&rows[2][7], "zorgcoördinator");
        assert_eq!(&rows[4][3], "twijfel");
        assert_eq!(&rows[0][11], "R");
        let (start, end): (usize, usize) =
            (rows[0][12].parse().unwrap(), rows[0][13].parse().unwrap());
        assert_eq!(p.transcript("A-D1").unwrap().slice(start, end), quote(0));
    }

    #[test]
    fn json_keeps_the_exact_text() {
        let dir = tempfile::tempdir().unwrap();
        let p = testutil::project(dir.path());
        let mut req = Request::new(Kind::Quotes, "ann");
        req.format = Format::Json;
        req.filter = Filter {
            codes: vec!["niet-pluis".into()],
            ..Filter::default()
        };
        let v: serde_json::Value =
            serde_json::from_slice(&render_export(&p, &req).unwrap()).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 3);
        assert_eq!(v[1]["quote"], "=SOM(1;2) zei hij.");
        assert_eq!(v[1]["memo"], serde_json::Value::Null);
        assert_eq!(v[1]["colour"], "#FFE135");
    }

    #[test]
    fn unknown_coder_gives_headers_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = testutil::project(dir.path());
        let bytes = render_export(&p, &Request::new(Kind::Quotes, "niemand")).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            format!("{}\n", COLUMNS.join(","))
        );
    }
}
