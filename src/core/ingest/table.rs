//! Speaker/text tables (.csv, .tsv): one turn per row.
//!
//! The header names the columns, case ignored, in English or Dutch: a text column is required
//! (text, tekst, transcript, utterance, ...), a speaker column and start/end times are optional.
//! Times are seconds ("12.5", or "12,5" in a `;`-separated Dutch Excel file) or clock times
//! ("00:12:31.250"). Whisper's own .tsv (columns start, end, text, whole numbers) is in
//! milliseconds, and read as such.

use super::text::{decode, parse_clock};
use super::{IngestError, RawTurn};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Speaker,
    Text,
    Start,
    End,
}

/// What a column header means, if anything.
pub(crate) fn column_role(header: &str) -> Option<Role> {
    let key: String = header
        .trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    Some(match key.as_str() {
        "speaker" | "spreker" | "spk" | "speakerlabel" | "speakername" | "name" | "naam"
        | "participant" | "deelnemer" | "who" | "wie" | "voice" => Role::Speaker,
        "text" | "tekst" | "transcript" | "transcriptie" | "utterance" | "uitspraak"
        | "content" | "inhoud" | "sentence" | "zin" | "caption" => Role::Text,
        "start" | "begin" | "time" | "tijd" | "starttime" | "begintijd" | "starttijd"
        | "timestamp" | "tijdstip" | "from" | "van" | "startseconds" | "startms" => Role::Start,
        "end" | "eind" | "einde" | "stop" | "endtime" | "eindtijd" | "to" | "tot"
        | "endseconds" | "endms" => Role::End,
        _ => return None,
    })
}

/// A time as tables and transcript tables write it: seconds ("12.5", "12,5") or a clock time
/// ("00:12:31", "[00:12:31]", "01:02.5").
pub(crate) fn parse_time_value(s: &str) -> Option<f64> {
    let s = s.trim();
    let inner = s
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .or_else(|| s.strip_prefix('(').and_then(|x| x.strip_suffix(')')))
        .unwrap_or(s)
        .trim();
    if inner.contains(':') {
        let (secs, _, len) = parse_clock(inner)?;
        return (len == inner.len()).then_some(secs);
    }
    let dotted = inner.replace(',', ".");
    if dotted.is_empty()
        || dotted.matches('.').count() > 1
        || !dotted.chars().all(|c| c.is_ascii_digit() || c == '.')
        || dotted.starts_with('.')
    {
        return None;
    }
    dotted.parse::<f64>().ok().filter(|v| v.is_finite())
}

pub(crate) fn read(
    bytes: &[u8],
    delimiter: Option<u8>,
    notes: &mut Vec<String>,
) -> Result<Vec<RawTurn>, IngestError> {
    let text = decode(bytes, notes)?;
    if text.trim().is_empty() {
        return Err(IngestError::Empty);
    }
    // Excel's "sep=;" first line names the delimiter; line numbers still count it.
    let (body, skipped, delimiter) = match excel_sep(&text) {
        Some((d, rest)) => (rest, 1, delimiter.unwrap_or(d)),
        None => (
            text.as_str(),
            0,
            delimiter.unwrap_or_else(|| sniff_delimiter(&text)),
        ),
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(false)
        .from_reader(body.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| csv_error(&e, 1, skipped))?
        .iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
    let find = |role: Role| headers.iter().position(|h| column_role(h) == Some(role));
    let Some(text_col) = find(Role::Text) else {
        return Err(IngestError::MissingColumn {
            wanted: "text",
            found: headers,
        });
    };
    let speaker_col = find(Role::Speaker);
    let start_col = find(Role::Start);
    let end_col = find(Role::End);

    let mut rows: Vec<(usize, Option<String>, Option<String>, String)> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(&e, 0, skipped))?;
        let line = skipped
            + record
                .position()
                .map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX - 1));
        let field = |c: usize| record.get(c).unwrap_or("").trim().to_string();
        if let Some(c) = end_col {
            let v = field(c);
            if !v.is_empty() && parse_time_value(&v).is_none() {
                return Err(IngestError::BadTime { line, value: v });
            }
        }
        rows.push((
            line,
            speaker_col.map(field).filter(|s| !s.is_empty()),
            start_col.map(field).filter(|s| !s.is_empty()),
            field(text_col),
        ));
    }
    // Whisper's writer: "start\tend\ttext" in whole milliseconds.
    let whisper_ms = speaker_col.is_none()
        && headers.len() == 3
        && start_col == Some(0)
        && end_col == Some(1)
        && rows.iter().all(|r| {
            r.2.as_deref()
                .is_none_or(|v| v.bytes().all(|b| b.is_ascii_digit()))
        });
    if whisper_ms {
        notes.push("times read as milliseconds (Whisper's .tsv)".to_string());
    }
    let mut turns = Vec::with_capacity(rows.len());
    for (line, speaker, start, text) in rows {
        let start = match start {
            None => None,
            Some(v) => match parse_time_value(&v) {
                Some(t) if whisper_ms => Some(t / 1000.0),
                Some(t) => Some(t),
                None => return Err(IngestError::BadTime { line, value: v }),
            },
        };
        turns.push(RawTurn::new(speaker, start, text));
    }
    Ok(turns)
}

/// The delimiter of the header line: the most frequent of `,` `;` and tab outside quotes
/// (Dutch Excel writes `;`, since `,` is the decimal separator).
fn sniff_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let delims = [b',', b';', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], 2 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        delims[best]
    }
}

/// `sep=;` on the first line (Excel writes it for other locales' readers).
fn excel_sep(text: &str) -> Option<(u8, &str)> {
    let (first, rest) = text.split_once('\n')?;
    let sep = first.trim_end().strip_prefix("sep=")?;
    match sep.as_bytes() {
        [d] if matches!(d, b',' | b';' | b'\t' | b'|') => Some((*d, rest)),
        _ => None,
    }
}

fn csv_error(e: &csv::Error, fallback_line: usize, skipped: usize) -> IngestError {
    let line = skipped
        + e.position()
            .map_or(fallback_line, |p| usize::try_from(p.line()).unwrap_or(0));
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".to_string(),
        _ => e.to_string(),
    };
    IngestError::Table { line, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(s: &str, delim: Option<u8>) -> Result<Vec<RawTurn>, IngestError> {
        read(s.as_bytes(), delim, &mut Vec::new())
    }

    #[test]
    fn csv_with_speaker_text_and_times() {
        let t = table(
            "\u{feff}Speaker,Start,End,Text\r\nInterviewer,00:00:01.5,00:00:03,\"Wat doet de coördinator, precies?\"\r\nR,4,9.25,Eén ding.\r\n",
            None,
        )
        .unwrap();
        assert_eq!(
            t,
            vec![
                RawTurn::new(
                    Some("Interviewer".into()),
                    Some(1.5),
                    "Wat doet de coördinator, precies?"
                ),
                RawTurn::new(Some("R".into()), Some(4.0), "Eén ding."),
            ]
        );
    }

    #[test]
    fn dutch_excel_semicolons_and_decimal_commas() {
        let t = table(
            "Spreker;Begin;Tekst\nI;1,5;Vraag één?\nR;3,25;Antwoord ’ja’.\n",
            None,
        )
        .unwrap();
        assert_eq!(t[0].start, Some(1.5));
        assert_eq!(t[1].speaker.as_deref(), Some("R"));
        assert_eq!(t[1].text, "Antwoord ’ja’.");
    }

    #[test]
    fn excel_windows_1252() {
        let mut notes = Vec::new();
        let t = read(
            b"Spreker;Tekst\r\nR;E\xe9n co\xf6rdinator \x92ja\x92\r\n",
            None,
            &mut notes,
        )
        .unwrap();
        assert_eq!(t[0].text, "Eén coördinator ’ja’");
        assert_eq!(notes, vec!["Windows-1252 converted to UTF-8".to_string()]);
    }

    #[test]
    fn excel_sep_line() {
        let t = table("sep=;\r\nSpreker;Tekst\r\nI;Eén, twee.\r\n", None).unwrap();
        assert_eq!(t, vec![RawTurn::new(Some("I".into()), None, "Eén, twee.")]);
        assert_eq!(
            table("sep=;\nSpreker;Begin;Tekst\nI;x;a\n", None),
            Err(IngestError::BadTime {
                line: 3,
                value: "x".into()
            })
        );
    }

    #[test]
    fn tsv_and_whisper_milliseconds() {
        let t = table(
            "start\tend\ttext\n0\t4000\t Hallo daar.\n4500\t6000\t Dag.\n",
            Some(b'\t'),
        )
        .unwrap();
        assert_eq!(t[1].start, Some(4.5));
        assert_eq!(t[1].speaker, None);
        let t = table("SPK\tUtterance\nA\tJa.\n", Some(b'\t')).unwrap();
        assert_eq!(t[0].speaker.as_deref(), Some("A"));
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            table("speaker,words\nI,x\n", None),
            Err(IngestError::MissingColumn {
                wanted: "text",
                found: vec!["speaker".into(), "words".into()]
            })
        );
        assert_eq!(
            table("speaker,start,text\nI,0,a\nR,1:xx,b\n", None),
            Err(IngestError::BadTime {
                line: 3,
                value: "1:xx".into()
            })
        );
        assert_eq!(
            table("speaker,text\nI,a\nR,b,c\n", None),
            Err(IngestError::Table {
                line: 3,
                message: "3 fields where the header has 2".into()
            })
        );
    }

    #[test]
    fn time_values() {
        assert_eq!(parse_time_value("12"), Some(12.0));
        assert_eq!(parse_time_value("12,5"), Some(12.5));
        assert_eq!(parse_time_value("[00:01:02]"), Some(62.0));
        assert_eq!(parse_time_value("01:02.5"), Some(62.5));
        assert_eq!(parse_time_value("1:02 extra"), None);
        assert_eq!(parse_time_value("-3"), None);
        assert_eq!(parse_time_value("1.2.3"), None);
        assert_eq!(parse_time_value("NaN"), None);
    }
}
