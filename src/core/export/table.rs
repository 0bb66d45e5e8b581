//! Tables as CSV and xlsx, safely for spreadsheets.
//!
//! # Formula injection
//!
//! A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` as a formula (and older
//! versions also act on a leading tab or carriage return), so a respondent saying
//! "=HYPERLINK(...)" or "- ja, dat klopt" could run or break as a formula when the CSV is opened
//! in Excel or LibreOffice. In CSV every *text* cell (header, quote, memo, code name, school ...)
//! that starts with one of these characters is written with an apostrophe in front (`'- ja`),
//! the OWASP-recommended escape: the spreadsheet then shows the cell as text. Numbers that
//! codewerk itself writes (offsets, counts, shares) are never escaped. In xlsx, text is written
//! as string cells, which a spreadsheet never evaluates, so no apostrophe is added there; JSON,
//! Markdown and HTML keep the exact text too.

use super::ExportError;
use crate::core::codebook::Rgb;
use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, FormatAlign, Workbook};
use std::borrow::Cow;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// Text shown in the colour of a code (xlsx: background colour; CSV: plain text).
    Coloured(String, Rgb),
    Int(u64),
    /// A share `n / of`, written with three decimals; empty when `of` is 0.
    Share(usize, usize),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    /// Width in xlsx, in characters.
    pub width: f64,
    /// Wrap long text (quotes, memos) in xlsx.
    pub wrap: bool,
}

impl Column {
    pub fn new(name: impl Into<String>, width: f64) -> Column {
        Column {
            name: name.into(),
            width,
            wrap: false,
        }
    }
    pub fn wrapped(name: impl Into<String>, width: f64) -> Column {
        Column {
            name: name.into(),
            width,
            wrap: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Index into `Table::sheets`: which xlsx sheet the row goes on.
    pub sheet: usize,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// Names of the xlsx sheets (at least one); CSV has all rows in one table.
    pub sheets: Vec<String>,
}

/// Escape a text cell so that a spreadsheet shows it as text rather than running it as a
/// formula: cells starting with `=`, `+`, `-`, `@`, tab or carriage return get a leading `'`.
/// A negative number (`-4`, `-0,5`) is no formula and stays a number, for SPSS, R and Stata as
/// much as for Excel. (`+31…` stays escaped: a phone number would lose its plus.)
pub fn spreadsheet_safe(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('-') if is_number(s) => Cow::Borrowed(s),
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// A minus, digits, and at most one decimal point or comma: nothing a spreadsheet could run.
fn is_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let mut seps = 0;
    !digits.is_empty()
        && digits.chars().all(|c| {
            if c == '.' || c == ',' {
                seps += 1;
                seps == 1
            } else {
                c.is_ascii_digit()
            }
        })
        && digits.chars().any(|c| c.is_ascii_digit())
}

/// A share with three decimals, with a decimal comma for Dutch Excel.
pub fn format_share(n: usize, of: usize, decimal_comma: bool) -> String {
    if of == 0 {
        return String::new();
    }
    let s = format!("{:.3}", n as f64 / of as f64);
    if decimal_comma {
        s.replace('.', ",")
    } else {
        s
    }
}

/// Write the table as CSV: RFC 4180 quoting (fields with the delimiter, `"` or line breaks are
/// quoted, `"` doubled), UTF-8. Plain: `,` and LF. Excel (Dutch locale): UTF-8 BOM, `;`, decimal
/// comma, CRLF between records (line breaks inside quotes stay LF).
pub fn to_csv(t: &Table, excel: bool) -> Result<Vec<u8>, ExportError> {
    let mut out = Vec::new();
    if excel {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(if excel { b';' } else { b',' })
            .terminator(if excel {
                csv::Terminator::CRLF
            } else {
                csv::Terminator::Any(b'\n')
            })
            .from_writer(&mut out);
        let header: Vec<Cow<str>> = t
            .columns
            .iter()
            .map(|c| spreadsheet_safe(&c.name))
            .collect();
        w.write_record(header.iter().map(|s| s.as_bytes()))
            .map_err(encode)?;
        for row in &t.rows {
            let fields: Vec<Cow<str>> = row
                .cells
                .iter()
                .map(|c| match c {
                    Cell::Text(s) | Cell::Coloured(s, _) => spreadsheet_safe(s),
                    Cell::Int(n) => Cow::Owned(n.to_string()),
                    Cell::Share(n, of) => Cow::Owned(format_share(*n, *of, excel)),
                    Cell::Empty => Cow::Borrowed(""),
                })
                .collect();
            w.write_record(fields.iter().map(|s| s.as_bytes()))
                .map_err(encode)?;
        }
        w.flush().map_err(encode)?;
    }
    Ok(out)
}

fn encode(e: impl std::fmt::Display) -> ExportError {
    ExportError::Encode(e.to_string())
}

/// Longest text Excel keeps in one cell.
pub const XLSX_MAX_CELL: usize = 32_767;

/// Write the table as an xlsx workbook: one sheet per entry of `sheets`, bold frozen header
/// row with an autofilter, coloured code cells, wrapped quote columns, shares as percentages.
/// The document's creation date is fixed so that the file is byte-identical on every run.
pub fn to_xlsx(t: &Table) -> Result<Vec<u8>, ExportError> {
    let err = |e: rust_xlsxwriter::XlsxError| ExportError::Xlsx(e.to_string());
    let mut wb = Workbook::new();
    let date = ExcelDateTime::from_ymd(2000, 1, 1).map_err(err)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&date));
    let header = Format::new().set_bold().set_align(FormatAlign::Top);
    let top = Format::new().set_align(FormatAlign::Top);
    let wrap = Format::new().set_align(FormatAlign::Top).set_text_wrap();
    let share = Format::new()
        .set_align(FormatAlign::Top)
        .set_num_format("0.0%");
    let mut names = Vec::new();
    let sheets: Vec<String> = if t.sheets.is_empty() {
        vec!["export".into()]
    } else {
        t.sheets.clone()
    };
    for (s, name) in sheets.iter().enumerate() {
        let ws = wb.add_worksheet();
        let name = sheet_name(name, &names);
        ws.set_name(&name).map_err(err)?;
        names.push(name);
        for (c, col) in t.columns.iter().enumerate() {
            let c = c as u16;
            ws.write_string_with_format(0, c, &col.name, &header)
                .map_err(err)?;
            ws.set_column_width(c, col.width).map_err(err)?;
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
        let mut r: u32 = 0;
        for row in t.rows.iter().filter(|row| row.sheet == s) {
            r += 1;
            for (c, cell) in row.cells.iter().enumerate() {
                let fmt = if t.columns.get(c).is_some_and(|col| col.wrap) {
                    &wrap
                } else {
                    &top
                };
                let c = c as u16;
                match cell {
                    Cell::Text(s) => {
                        ws.write_string_with_format(r, c, cell_text(s), fmt)
                            .map_err(err)?;
                    }
                    Cell::Coloured(s, rgb) => {
                        let f = fmt
                            .clone()
                            .set_background_color(colour(*rgb))
                            .set_font_color(colour(rgb.readable_foreground()));
                        ws.write_string_with_format(r, c, cell_text(s), &f)
                            .map_err(err)?;
                    }
                    Cell::Int(n) => {
                        ws.write_number_with_format(r, c, *n as f64, &top)
                            .map_err(err)?;
                    }
                    Cell::Share(n, of) if *of > 0 => {
                        ws.write_number_with_format(r, c, *n as f64 / *of as f64, &share)
                            .map_err(err)?;
                    }
                    Cell::Share(..) | Cell::Empty => {}
                }
            }
        }
        if !t.columns.is_empty() {
            ws.autofilter(0, 0, r, (t.columns.len() - 1) as u16)
                .map_err(err)?;
        }
    }
    wb.save_to_buffer().map_err(err)
}

fn colour(rgb: Rgb) -> Color {
    Color::RGB((u32::from(rgb.0) << 16) | (u32::from(rgb.1) << 8) | u32::from(rgb.2))
}

/// Excel keeps at most 32,767 characters in a cell: a longer text is cut, and says so.
fn cell_text(s: &str) -> Cow<'_, str> {
    let n = s.chars().count();
    if n <= XLSX_MAX_CELL {
        return Cow::Borrowed(s);
    }
    let note = format!(" [… cut: {n} characters in all; see the CSV or JSON export]");
    let keep: String = s
        .chars()
        .take(XLSX_MAX_CELL - note.chars().count())
        .collect();
    Cow::Owned(keep + &note)
}

/// A valid, unique sheet name: at most 31 characters, none of `[]:*?/\`, no apostrophe at
/// either end (a typographic ’ is used instead).
pub fn sheet_name(wanted: &str, taken: &[String]) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '-',
            '\'' => '’',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let clean = clean.trim();
    let base: String = if clean.is_empty() {
        "sheet".into()
    } else {
        clean.chars().take(31).collect()
    };
    let lower = |s: &str| s.to_lowercase();
    if !taken.iter().any(|t| lower(t) == lower(&base)) {
        return base;
    }
    for n in 2.. {
        let suffix = format!(" ({n})");
        let head: String = base.chars().take(31 - suffix.chars().count()).collect();
        let name = format!("{}{suffix}", head.trim_end());
        if !taken.iter().any(|t| lower(t) == lower(&name)) {
            return name;
        }
    }
    unreachable!("some suffix is free")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            columns: vec![
                Column::new("tekst", 10.0),
                Column::new("n", 5.0),
                Column::new("aandeel", 5.0),
            ],
            rows: vec![
                Row {
                    sheet: 0,
                    cells: vec![Cell::text("=1+1"), Cell::Int(3), Cell::Share(1, 3)],
                },
                Row {
                    sheet: 0,
                    cells: vec![Cell::text("a;b,\"c\"\nd"), Cell::Int(0), Cell::Share(0, 0)],
                },
            ],
            sheets: vec!["één".into()],
        }
    }

    #[test]
    fn formula_cells_are_escaped_in_csv() {
        for s in ["=1+1", "+31", "-ja", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(spreadsheet_safe(s), format!("'{s}"));
        }
        for s in ["ja - nee", "", "'al", "1=1", " =x", "-4", "-0,5", "-12.25"] {
            assert_eq!(spreadsheet_safe(s), s);
        }
        for s in ["-", "-1-1", "-1,2,3", "-.", "-4e3"] {
            assert_eq!(spreadsheet_safe(s), format!("'{s}"), "{s}");
        }
        let csv = String::from_utf8(to_csv(&table(), false).unwrap()).unwrap();
        assert_eq!(
            csv,
            "tekst,n,aandeel\n'=1+1,3,0.333\n\"a;b,\"\"c\"\"\nd\",0,\n"
        );
    }

    #[test]
    fn excel_csv_has_bom_semicolons_and_decimal_comma() {
        let csv = to_csv(&table(), true).unwrap();
        assert!(csv.starts_with(b"\xEF\xBB\xBF"));
        let s = String::from_utf8(csv[3..].to_vec()).unwrap();
        assert_eq!(
            s,
            "tekst;n;aandeel\r\n'=1+1;3;0,333\r\n\"a;b,\"\"c\"\"\nd\";0;\r\n"
        );
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        assert_eq!(
            sheet_name("2. Knelpunten en dilemma's", &[]),
            "2. Knelpunten en dilemma’s"
        );
        let long = "1. Een heel erg lange titel van een deelvraag";
        let a = sheet_name(long, &[]);
        assert_eq!(a.chars().count(), 31);
        let b = sheet_name(long, std::slice::from_ref(&a));
        assert!(b.ends_with(" (2)") && b.chars().count() <= 31, "{b}");
        assert_eq!(sheet_name("a/b:c?", &[]), "a-b-c-");
    }

    proptest::proptest! {
        /// Any text survives the CSV round trip (plain and Excel), as its escaped form, and the
        /// escaped form never starts with a formula character.
        #[test]
        fn csv_round_trips_any_text(text in "\\PC*", other in "[=+@;,\"\n -]{0,6}") {
            let t = Table {
                columns: vec![Column::new("a", 1.0), Column::new("b", 1.0)],
                rows: vec![Row { sheet: 0, cells: vec![Cell::text(text.clone()), Cell::text(other.clone())] }],
                sheets: vec![],
            };
            for excel in [false, true] {
                let bytes = to_csv(&t, excel).unwrap();
                let body = if excel { &bytes[3..] } else { &bytes[..] };
                let mut r = csv::ReaderBuilder::new()
                    .delimiter(if excel { b';' } else { b',' })
                    .from_reader(body);
                let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
                proptest::prop_assert_eq!(rows.len(), 1);
                proptest::prop_assert_eq!(&rows[0][0], &*spreadsheet_safe(&text).into_owned());
                proptest::prop_assert_eq!(&rows[0][1], &*spreadsheet_safe(&other).into_owned());
            }
            let safe = spreadsheet_safe(&text);
            proptest::prop_assert!(
                !safe.starts_with(['=', '+', '-', '@', '\t', '\r']) || is_number(&safe)
            );
            proptest::prop_assert_eq!(safe.trim_start_matches('\'') , text.trim_start_matches('\''));
        }
    }

    #[test]
    fn overlong_cells_are_cut_with_a_note() {
        let s = "é".repeat(XLSX_MAX_CELL + 10);
        let cut = cell_text(&s);
        assert_eq!(cut.chars().count(), XLSX_MAX_CELL);
        assert!(cut.ends_with("see the CSV or JSON export]"));
    }
}
