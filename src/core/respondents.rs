//! `transcripts/respondents.csv`: one row per interview with the respondent's group, school,
//! school type and any further attribute columns (kept, in column order, as attributes).

use super::problem::Problem;
use serde::Serialize;
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Respondent {
    pub id: String,
    pub file: String,
    pub group: String,
    pub school: String,
    pub school_type: String,
    /// Further columns, in file order.
    pub attributes: Vec<(String, String)>,
    /// 1-based line of the row in the CSV file.
    #[serde(skip)]
    pub line: usize,
}

impl Respondent {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

const REQUIRED: [&str; 3] = ["id", "file", "group"];
/// The columns every respondents.csv has, in the order a new one is written.
pub const KNOWN: [&str; 5] = ["id", "file", "group", "school", "school_type"];

/// A column name as the parser reads it: `School type` is `school_type`.
pub fn column_name(header: &str) -> String {
    header.trim().to_lowercase().replace(' ', "_")
}

/// respondents.csv as cells, to change and write back keeping what the researcher chose: the
/// column order and names, the delimiter (`;` from a Dutch Excel), a BOM and CRLF line ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    delimiter: u8,
    bom: bool,
    crlf: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("malformed CSV: {0}")]
pub struct TableError(#[from] csv::Error);

impl Table {
    /// A table with only the standard header, as `init` writes it.
    pub fn new() -> Table {
        Table {
            headers: KNOWN.iter().map(std::string::ToString::to_string).collect(),
            rows: Vec::new(),
            delimiter: b',',
            bom: false,
            crlf: false,
        }
    }

    pub fn read(bytes: &[u8]) -> Result<Table, TableError> {
        let bom = bytes.starts_with(b"\xEF\xBB\xBF");
        let bytes = if bom { &bytes[3..] } else { bytes };
        let header = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
        let semicolons = header.iter().filter(|&&b| b == b';').count();
        let commas = header.iter().filter(|&&b| b == b',').count();
        let delimiter = if semicolons > commas { b';' } else { b',' };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(bytes);
        let headers: Vec<String> = reader.headers()?.iter().map(str::to_string).collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record?;
            let mut row: Vec<String> = record.iter().map(str::to_string).collect();
            row.resize(headers.len().max(row.len()), String::new());
            rows.push(row);
        }
        Ok(Table {
            headers,
            rows,
            delimiter,
            bom,
            crlf: header.ends_with(b"\r"),
        })
    }

    /// Index of a column by its parsed name (`school_type` finds `School type`).
    pub fn column(&self, name: &str) -> Option<usize> {
        let name = column_name(name);
        self.headers.iter().position(|h| column_name(h) == name)
    }

    /// Index of the row of respondent `id`.
    pub fn find(&self, id: &str) -> Option<usize> {
        let col = self.column("id")?;
        self.rows
            .iter()
            .position(|r| r.get(col).is_some_and(|v| v.trim() == id))
    }

    /// The cell of `row` in column `name`, empty if either is missing.
    pub fn get(&self, row: usize, name: &str) -> &str {
        self.column(name)
            .and_then(|c| self.rows.get(row)?.get(c))
            .map_or("", |s| s.trim())
    }

    /// Set a cell, adding the column (empty in other rows) if the table has none of that name.
    pub fn set(&mut self, row: usize, name: &str, value: &str) {
        let col = match self.column(name) {
            Some(c) => c,
            None => {
                self.headers.push(column_name(name));
                for r in &mut self.rows {
                    r.resize(self.headers.len(), String::new());
                }
                self.headers.len() - 1
            }
        };
        if let Some(r) = self.rows.get_mut(row) {
            r.resize(r.len().max(col + 1), String::new());
            r[col] = value.to_string();
        }
    }

    /// Add an empty row; returns its index.
    pub fn push_row(&mut self) -> usize {
        self.rows.push(vec![String::new(); self.headers.len()]);
        self.rows.len() - 1
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = if self.bom {
            b"\xEF\xBB\xBF".to_vec()
        } else {
            Vec::new()
        };
        let terminator = if self.crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        };
        let mut w = csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .terminator(terminator)
            .flexible(true)
            .from_writer(Vec::new());
        // Writing to a Vec cannot fail; a failure would only drop the row, which `parse` of
        // the result (every caller checks it) would notice.
        let _ = w.write_record(&self.headers);
        for r in &self.rows {
            let _ = w.write_record(r);
        }
        out.extend(w.into_inner().unwrap_or_default());
        out
    }
}

impl Default for Table {
    fn default() -> Self {
        Table::new()
    }
}

/// Parse the respondents table. Rows with problems are reported and left out.
pub fn parse(path: &Path, bytes: &[u8]) -> (Vec<Respondent>, Vec<Problem>) {
    let (rows, problems, _) = parse_with_rejected(path, bytes);
    (rows, problems)
}

/// A row `parse` reported and left out: its line and the words in it (its cells, or for a row
/// that is not valid CSV the pieces of its line), so that what the row names (a transcript id,
/// a file) can be said to be left out because of that row rather than to be missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub line: usize,
    pub words: Vec<String>,
}

/// `parse`, with the rows it left out.
pub fn parse_with_rejected(
    path: &Path,
    bytes: &[u8],
) -> (Vec<Respondent>, Vec<Problem>, Vec<Rejected>) {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let mut problems = Vec::new();
    let mut rejected = Vec::new();
    let mut reader = reader(bytes);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(column_name).collect(),
        Err(e) => return (Vec::new(), vec![csv_problem(path, &e)], Vec::new()),
    };
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|r| !headers.iter().any(|h| h == r))
        .collect();
    if !missing.is_empty() {
        let msg = format!("missing column(s) {} in the header", missing.join(", "));
        return (
            Vec::new(),
            vec![Problem::error(path, msg).at(1, None)],
            Vec::new(),
        );
    }
    // Two `group` columns: which one is the group? Refuse rather than pick one.
    for (i, h) in headers.iter().enumerate() {
        if let Some(first) = headers[..i].iter().position(|x| x == h) {
            let msg = format!(
                "column \"{h}\" appears twice in the header (columns {} and {}); remove or rename one",
                first + 1,
                i + 1
            );
            return (
                Vec::new(),
                vec![Problem::error(path, msg).at(1, None)],
                Vec::new(),
            );
        }
    }
    let col = |name: &str| headers.iter().position(|h| h == name);
    let mut out: Vec<Respondent> = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let lines = Lines::new(bytes);
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let mut problem = csv_problem(path, &e);
                if let Some(pos) = e.position() {
                    let at = usize::try_from(pos.byte()).unwrap_or(usize::MAX);
                    problem = problem.at(lines.line_of(at), None);
                    let raw = bytes.get(at..).unwrap_or_default();
                    let raw = raw.split(|&b| b == b'\n').next().unwrap_or_default();
                    let words = String::from_utf8_lossy(raw)
                        .split([',', ';', '\t', '"', '\r'])
                        .map(str::trim)
                        .filter(|w| !w.is_empty())
                        .map(str::to_string)
                        .collect();
                    rejected.push(Rejected {
                        line: lines.line_of(at),
                        words,
                    });
                }
                problems.push(problem);
                continue;
            }
        };
        // Counted from the byte offset: the csv crate's own line count is off with CRLF files.
        let line = record
            .position()
            .map_or(0, |p| lines.line_of(p.byte() as usize));
        let get = |name: &str| {
            col(name)
                .and_then(|i| record.get(i))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let r = Respondent {
            id: get("id"),
            file: get("file"),
            group: get("group"),
            school: get("school"),
            school_type: get("school_type"),
            attributes: headers
                .iter()
                .enumerate()
                .filter(|(_, h)| !KNOWN.contains(&h.as_str()))
                .map(|(i, h)| (h.clone(), record.get(i).unwrap_or("").trim().to_string()))
                .collect(),
            line,
        };
        let mut ok = true;
        for (name, value) in [("id", &r.id), ("file", &r.file), ("group", &r.group)] {
            if value.is_empty() {
                problems.push(Problem::error(path, format!("empty \"{name}\"")).at(line, None));
                ok = false;
            }
        }
        if ok && let Some(first) = ids.get(&r.id) {
            let msg = format!("duplicate id \"{}\" (also on line {first})", r.id);
            problems.push(Problem::error(path, msg).at(line, None));
            ok = false;
        }
        if ok {
            ids.insert(r.id.clone(), line);
        }
        if ok {
            out.push(r);
        } else {
            rejected.push(Rejected {
                line,
                words: record.iter().map(|w| w.trim().to_string()).collect(),
            });
        }
    }
    (out, problems, rejected)
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The CSV reader `parse` reads with (the BOM already stripped).
fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    // Excel in a Dutch locale saves CSV with semicolons.
    let header = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let semicolons = header.iter().filter(|&&b| b == b';').count();
    let commas = header.iter().filter(|&&b| b == b',').count();
    let delimiter = if semicolons > commas { b';' } else { b',' };
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(bytes)
}

/// Where the header and each record of a respondents table are, as byte ranges of `bytes`,
/// records in file order: `parse` of the header's bytes followed by a record's bytes reads just
/// that row, so a search can read the rows of its hits without parsing the whole table. None if
/// a record cannot be read.
pub fn spans(bytes: &[u8]) -> Option<(Range<usize>, Vec<Range<usize>>)> {
    let bom = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
    let mut reader = reader(&bytes[bom..]);
    reader.headers().ok()?;
    let mut starts = Vec::new();
    for record in reader.records() {
        let byte = record.ok()?.position()?.byte();
        starts.push(usize::try_from(byte).ok()? + bom);
    }
    let header = 0..starts.first().copied().unwrap_or(bytes.len());
    let rows = starts
        .iter()
        .enumerate()
        .map(|(i, &s)| s..starts.get(i + 1).copied().unwrap_or(bytes.len()))
        .collect();
    Some((header, rows))
}

/// Line numbers by byte offset, from the newlines found once: counting them from the file start
/// for every row made parsing 40,000 rows quadratic (15 s).
struct Lines<'a> {
    bytes: &'a [u8],
    /// Byte offset of every `\n`, ascending.
    newlines: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        let newlines = bytes
            .iter()
            .enumerate()
            .filter_map(|(i, &b)| (b == b'\n').then_some(i))
            .collect();
        Lines { bytes, newlines }
    }

    /// Line of the record starting at `byte`; with CRLF the csv crate reports the record as
    /// starting at the previous line's `\n`, so line breaks at the start are skipped first.
    fn line_of(&self, byte: usize) -> usize {
        let bytes = self.bytes;
        let mut at = byte.min(bytes.len());
        while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        self.newlines.partition_point(|&nl| nl < at) + 1
    }
}

fn csv_problem(path: &Path, e: &csv::Error) -> Problem {
    // The problem has the line: the csv crate's own "record 3 (line: 4, byte: 226)" in the
    // text would count the same row two ways in one message.
    let what = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "the row has {len} field(s) where the header has {expected_len} (a delimiter too \
             many or too few?); the row is left out"
        ),
        csv::ErrorKind::Utf8 { err, .. } => format!(
            "field {} is not UTF-8 (save the file as UTF-8); the row is left out",
            err.field() + 1
        ),
        _ => e.to_string(),
    };
    let p = Problem::error(path, format!("malformed CSV: {what}"));
    match e.position() {
        Some(pos) => p.at(pos.line() as usize, None),
        None => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_reads_alone_from_its_span_with_the_header() {
        for csv in [
            "\u{feff}id;file;group;school;school_type;geslacht\r\nA;A.txt;docent;A;vmbo;v\r\n\r\nB;\"B; één.txt\";docent;\"School\r\nB\";havo;m\r\n",
            "id,file,group\nA,A.txt,docent\nB,B.txt,zorgcoördinator",
            "id,file,group\n",
        ] {
            let (rows, problems) = parse(Path::new("r.csv"), csv.as_bytes());
            assert!(problems.is_empty(), "{problems:?}");
            let (header, spans) = spans(csv.as_bytes()).unwrap();
            assert_eq!(spans.len(), rows.len());
            for (row, span) in rows.iter().zip(spans) {
                let mut one = csv.as_bytes()[header.clone()].to_vec();
                one.extend_from_slice(&csv.as_bytes()[span]);
                let (alone, problems) = parse(Path::new("r.csv"), &one);
                assert!(problems.is_empty(), "{problems:?}");
                assert_eq!(alone.len(), 1);
                assert_eq!(
                    Respondent {
                        line: row.line,
                        ..alone[0].clone()
                    },
                    *row
                );
            }
        }
        assert_eq!(spans(b"id,file,group\nA,A.txt\n"), None, "a short record");
    }

    #[test]
    fn reads_rows_with_bom_crlf_and_attributes() {
        let csv = "\u{feff}id,file,group,school,school_type,geslacht\r\nA-D1,A-D1.txt,docent,A,vmbo,v\r\n";
        let (rows, problems) = parse(Path::new("r.csv"), csv.as_bytes());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows[0].school_type, "vmbo");
        assert_eq!(rows[0].attribute("geslacht"), Some("v"));
        assert_eq!(rows[0].line, 2);
    }

    #[test]
    fn table_round_trips_and_keeps_delimiter_bom_and_line_ends() {
        let csv = "\u{feff}id;file;group;School type\r\nA;A.txt;docent;vmbo\r\n";
        let mut t = Table::read(csv.as_bytes()).unwrap();
        assert_eq!(t.to_bytes(), csv.as_bytes());
        let row = t.find("A").unwrap();
        t.set(row, "school_type", "havo");
        t.set(row, "geslacht", "v");
        let r = t.push_row();
        t.set(r, "id", "B; één");
        let out = String::from_utf8(t.to_bytes()).unwrap();
        assert_eq!(
            out,
            "\u{feff}id;file;group;School type;geslacht\r\nA;A.txt;docent;havo;v\r\n\"B; één\";;;;\r\n"
        );
        assert_eq!(t.get(r, "id"), "B; één");
        assert_eq!(
            String::from_utf8(Table::new().to_bytes()).unwrap(),
            "id,file,group,school,school_type\n"
        );
    }

    #[test]
    fn reports_missing_columns_and_bad_rows() {
        let (_, p) = parse(Path::new("r.csv"), b"id,file\nA,a.txt\n");
        assert!(p[0].message.contains("group"));
        let (rows, p) = parse(
            Path::new("r.csv"),
            b"id,file,group\nA,a.txt,docent\nA,b.txt,docent\nB,c.txt\n",
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].line, Some(3));
        assert_eq!(p[1].line, Some(4));
    }
}
