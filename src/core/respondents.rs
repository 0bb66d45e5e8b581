//! `transcripts/respondents.csv`: one row per interview with the respondent's group, school,
//! school type and any further attribute columns (kept, in column order, as attributes).

use super::problem::Problem;
use serde::Serialize;
use std::collections::HashMap;
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
const KNOWN: [&str; 5] = ["id", "file", "group", "school", "school_type"];

/// Parse the respondents table. Rows with problems are reported and left out.
pub fn parse(path: &Path, bytes: &[u8]) -> (Vec<Respondent>, Vec<Problem>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut problems = Vec::new();
    // Excel in a Dutch locale saves CSV with semicolons.
    let header = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let semicolons = header.iter().filter(|&&b| b == b';').count();
    let commas = header.iter().filter(|&&b| b == b',').count();
    let delimiter = if semicolons > commas { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(bytes);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|s| s.trim().to_lowercase().replace(' ', "_"))
            .collect(),
        Err(e) => return (Vec::new(), vec![csv_problem(path, &e)]),
    };
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|r| !headers.iter().any(|h| h == r))
        .collect();
    if !missing.is_empty() {
        let msg = format!("missing column(s) {} in the header", missing.join(", "));
        return (Vec::new(), vec![Problem::error(path, msg).at(1, None)]);
    }
    // Two `group` columns: which one is the group? Refuse rather than pick one.
    for (i, h) in headers.iter().enumerate() {
        if let Some(first) = headers[..i].iter().position(|x| x == h) {
            let msg = format!(
                "column \"{h}\" appears twice in the header (columns {} and {}); remove or rename one",
                first + 1,
                i + 1
            );
            return (Vec::new(), vec![Problem::error(path, msg).at(1, None)]);
        }
    }
    let col = |name: &str| headers.iter().position(|h| h == name);
    let mut out: Vec<Respondent> = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(csv_problem(path, &e));
                continue;
            }
        };
        // Counted from the byte offset: the csv crate's own line count is off with CRLF files.
        let line = record
            .position()
            .map_or(0, |p| line_of(bytes, p.byte() as usize));
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
        }
    }
    (out, problems)
}

/// Line of the record starting at `byte`; with CRLF the csv crate reports the record as starting
/// at the previous line's `\n`, so line breaks at the start are skipped first.
fn line_of(bytes: &[u8], byte: usize) -> usize {
    let mut at = byte.min(bytes.len());
    while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
        at += 1;
    }
    bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1
}

fn csv_problem(path: &Path, e: &csv::Error) -> Problem {
    let p = Problem::error(path, format!("malformed CSV: {e}"));
    match e.position() {
        Some(pos) => p.at(pos.line() as usize, None),
        None => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
