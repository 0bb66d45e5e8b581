//! Import codings given as quotes: `{"transcript": ID, "code": CODE, "quote": TEXT}` per line,
//! optionally with `"memo"` and `"occurrence"` (1-based, for a quote that occurs more than once).
//! Each quote is anchored to its character offsets in the transcript; a quote that is not found,
//! an unknown transcript or an unknown code is an error naming the file and line. Nothing is
//! written unless every line is good.

use super::anchor::find_quote;
use super::coding::Coding;
use super::problem::Problem;
use super::project::Project;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuoteLine {
    transcript: String,
    code: String,
    quote: String,
    #[serde(default)]
    memo: Option<String>,
    #[serde(default)]
    occurrence: Option<usize>,
}

/// Parse and anchor one quotes file.
pub fn read_quotes(
    project: &Project,
    path: &Path,
    bytes: &[u8],
) -> Result<Vec<Coding>, Vec<Problem>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            let good = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            let (l, c) = super::problem::line_col(good, good.len());
            return Err(vec![Problem::error(path, "not valid UTF-8").at(l, Some(c))]);
        }
    };
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let err = |msg: String| Problem::error(path, msg).at(line_no, None);
        let q: QuoteLine = match serde_json::from_str(line) {
            Ok(q) => q,
            Err(e) => {
                problems.push(err(format!("malformed JSON: {e}")).at(line_no, Some(e.column())));
                continue;
            }
        };
        let Some(code) = project.codebook.resolve(&q.code) else {
            problems.push(err(project.codebook.unknown_code(&q.code)));
            continue;
        };
        let Some(t) = project.transcript(&q.transcript) else {
            problems.push(err(format!("unknown transcript \"{}\"", q.transcript)));
            continue;
        };
        match find_quote(t, &q.quote, q.occurrence) {
            Ok((start, end)) => out.push(Coding {
                memo: q.memo.filter(|m| !m.trim().is_empty()),
                line: line_no,
                ..Coding::quoted(t, &code.id, start, end)
            }),
            Err(e) => problems.push(err(e.to_string())),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}
