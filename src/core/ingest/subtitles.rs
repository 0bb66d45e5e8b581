//! Subtitles (.srt, .vtt) as transcripts: cues joined into turns per speaker.
//!
//! Subtitle tools name the speaker in several ways: WebVTT voice tags (`<v Jan>`), a "Name:"
//! prefix, "[Name]", or "- Name:". Most name the speaker only when it changes, so a cue without
//! a speaker continues the current turn; a cue with a different speaker starts a new one. In a
//! file without any names, a pause of more than two seconds between cues starts a new turn, as
//! for Whisper output (one turn for the whole file would be useless for coding). A turn starts
//! at its first cue's start time. Cue line breaks are layout, so a turn's cues are joined with
//! spaces.

use super::text::decode;
use super::whisper::PAUSE;
use super::{IngestError, RawTurn};

pub(crate) fn read(
    bytes: &[u8],
    vtt: bool,
    notes: &mut Vec<String>,
) -> Result<Vec<RawTurn>, IngestError> {
    let text = decode(bytes, notes)?;
    let cues = parse_cues(&text, vtt)?;
    if cues.is_empty() {
        if text.trim().is_empty() || (vtt && text.trim_start().starts_with("WEBVTT")) {
            return Err(IngestError::Empty);
        }
        return Err(IngestError::NoCues);
    }
    Ok(join_cues(cues))
}

#[derive(Debug)]
struct Cue {
    start: f64,
    end: f64,
    lines: Vec<String>,
}

fn parse_cues(text: &str, vtt: bool) -> Result<Vec<Cue>, IngestError> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut cues: Vec<Cue> = Vec::new();
    let mut i = 0;
    if vtt {
        // The "WEBVTT" header block ends at the first blank line.
        if lines
            .first()
            .is_some_and(|l| l.trim_start_matches('\u{feff}').starts_with("WEBVTT"))
        {
            while i < lines.len() && !lines[i].trim().is_empty() {
                i += 1;
            }
        }
    }
    while i < lines.len() {
        if lines[i].trim().is_empty() {
            i += 1;
            continue;
        }
        let block_start = i;
        let mut end = i;
        while end < lines.len() && !lines[end].trim().is_empty() {
            end += 1;
        }
        let block = &lines[block_start..end];
        i = end;
        let first = block[0].trim();
        if vtt
            && !first.contains("-->")
            && (first == "NOTE"
                || first.starts_with("NOTE ")
                || first.starts_with("NOTE\t")
                || first == "STYLE"
                || first == "REGION")
        {
            continue;
        }
        let Some(timing) = block.iter().position(|l| l.contains("-->")) else {
            // A blank line inside a cue's text splits it in two blocks; the second belongs to
            // the cue before. A lone number is a cue number whose cue went missing.
            if block.len() == 1 && first.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            match cues.last_mut() {
                Some(cue) => cue
                    .lines
                    .extend(block.iter().map(std::string::ToString::to_string)),
                None => {
                    return Err(IngestError::BadCue {
                        line: block_start + 1,
                        message: "text before the first cue's timing line".to_string(),
                    });
                }
            }
            continue;
        };
        // Only a cue number (srt) or identifier (vtt) may come before the timing line.
        if timing > 1 {
            return Err(IngestError::BadCue {
                line: block_start + 2,
                message: "expected a timing line (00:00:01,000 --> 00:00:04,000)".to_string(),
            });
        }
        let line_no = block_start + timing + 1;
        let (start, end) =
            parse_timing(block[timing]).ok_or_else(|| IngestError::BadTimestamp {
                line: line_no,
                text: block[timing].trim().to_string(),
            })?;
        let mut cue_lines = Vec::new();
        for (k, l) in block[timing + 1..].iter().enumerate() {
            if l.contains("-->") {
                return Err(IngestError::BadCue {
                    line: line_no + k + 1,
                    message: "a second timing line in one cue (missing blank line?)".to_string(),
                });
            }
            cue_lines.push(l.to_string());
        }
        cues.push(Cue {
            start,
            end,
            lines: cue_lines,
        });
    }
    Ok(cues)
}

/// "00:00:01,000 --> 00:00:04,000 [settings]" -> start and end in seconds.
fn parse_timing(line: &str) -> Option<(f64, f64)> {
    let (a, b) = line.split_once("-->")?;
    let start = parse_cue_time(a.trim())?;
    let end_field = b.split_whitespace().next()?;
    let end = parse_cue_time(end_field)?;
    if end < start {
        return None;
    }
    Some((start, end))
}

/// "hh:mm:ss,mmm", "hh:mm:ss.mmm" or "mm:ss.mmm" (WebVTT allows leaving out the hours).
fn parse_cue_time(s: &str) -> Option<f64> {
    let (clock, frac) = match s.find([',', '.']) {
        Some(p) => (&s[..p], Some(&s[p + 1..])),
        None => (s, None),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let mut secs = 0u64;
    for (k, p) in parts.iter().enumerate() {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: u64 = p.parse().ok()?;
        if k > 0 && (v >= 60 || p.len() != 2) {
            return None;
        }
        secs = secs * 60 + v;
    }
    let mut t = secs as f64;
    if let Some(f) = frac {
        if f.is_empty() || f.len() > 3 || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: f64 = f.parse().ok()?;
        t += v / 10f64.powi(f.len() as i32);
    }
    Some(t)
}

/// One cue line after tags are read: who speaks (if said), whether it marks a speaker change
/// without a name ("- " or ">>"), and the text.
struct Piece {
    speaker: Option<String>,
    change: bool,
    text: String,
}

fn join_cues(cues: Vec<Cue>) -> Vec<RawTurn> {
    let mut turns: Vec<RawTurn> = Vec::new();
    let mut open = false;
    // Rolling captions (YouTube's) repeat the previous cue's last line as the next cue's first.
    let mut last_text = String::new();
    let mut last_end: Option<f64> = None;
    for cue in cues {
        // Without speaker names a pause is where a turn ends (as for Whisper output).
        let paused = last_end.is_some_and(|e| cue.start - e > PAUSE);
        last_end = Some(cue.end);
        let mut first_line = true;
        for line in &cue.lines {
            let Some(piece) = parse_line(line) else {
                continue;
            };
            if piece.speaker.is_none() && !piece.change && piece.text == last_text {
                continue;
            }
            last_text.clone_from(&piece.text);
            let same = match (&piece.speaker, turns.last()) {
                (Some(s), Some(t)) => t.speaker.as_deref() == Some(s.as_str()),
                (None, Some(t)) => {
                    let pause_ends_it = first_line && paused && t.speaker.is_none();
                    !piece.change && !pause_ends_it
                }
                (_, None) => false,
            };
            first_line = false;
            if open && same {
                if let Some(t) = turns.last_mut() {
                    if !t.text.is_empty() && !piece.text.is_empty() {
                        t.text.push(' ');
                    }
                    t.text.push_str(&piece.text);
                }
            } else {
                turns.push(RawTurn::new(piece.speaker, Some(cue.start), piece.text));
                open = true;
            }
        }
    }
    turns
}

/// Words in brackets that describe a sound, not a speaker ("[muziek]", "[laughs]").
const SOUNDS: &[&str] = &[
    "muziek",
    "applaus",
    "gelach",
    "lacht",
    "lachen",
    "onverstaanbaar",
    "stilte",
    "pauze",
    "geluid",
    "zucht",
    "music",
    "applause",
    "laughter",
    "laughs",
    "laughing",
    "inaudible",
    "silence",
    "pause",
    "crosstalk",
    "noise",
    "sighs",
    "unintelligible",
];

fn parse_line(raw: &str) -> Option<Piece> {
    let (voice, text) = strip_tags(raw);
    let text = decode_entities(&text);
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    let mut change = false;
    for mark in [">>", "- ", "– ", "— "] {
        if let Some(r) = rest.strip_prefix(mark) {
            change = true;
            rest = r.trim_start();
            break;
        }
    }
    let mut speaker = voice;
    if let Some(inner) = rest.strip_prefix('[')
        && let Some(close) = inner.find(']')
    {
        let name = inner[..close].trim();
        let after = inner[close + 1..].trim_start();
        let after = after.strip_prefix(':').map_or(after, str::trim_start);
        if !after.is_empty() && !SOUNDS.contains(&name.to_lowercase().as_str()) && is_name(name) {
            speaker = Some(name.to_string());
            rest = after;
        }
    } else if let Some((name, after)) = rest.split_once(':')
        && (after.is_empty() || after.starts_with(char::is_whitespace))
        && is_name(name.trim())
    {
        speaker = Some(name.trim().to_string());
        rest = after.trim_start();
    }
    if speaker.is_some() {
        change = true;
    }
    Some(Piece {
        speaker,
        change,
        text: rest.to_string(),
    })
}

/// A speaker name in a subtitle: one to four words, no sentence punctuation, starting with a
/// capital or a machine label like SPEAKER_00. Stricter than transcript labels, since subtitle
/// text is often "Let op: ..." style speech.
fn is_name(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    (1..=4).contains(&words.len())
        && s.chars().count() <= 40
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.' | '\'' | '’'))
        && s.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        && !matches!(
            words[0].to_lowercase().as_str(),
            "ja" | "nee" | "nou" | "dus" | "maar" | "let" | "kijk" | "note"
        )
}

/// Strip formatting: WebVTT/SRT tags (`<i>`, `<b>`, `<c.x>`, `<00:00:01.000>`, `<font ...>`)
/// and SSA overrides (`{\an8}`). The first `<v Name>` voice tag names the speaker.
fn strip_tags(s: &str) -> (Option<String>, String) {
    let mut out = String::with_capacity(s.len());
    let mut voice = None;
    let mut rest = s;
    // Once no closing bracket is left, no later opening one can match: stop looking (keeps a
    // line of a million '<' linear).
    let mut angle_open = true;
    let mut brace_open = true;
    while let Some(c) = rest.chars().next() {
        if c == '<' && angle_open {
            match rest.find('>') {
                Some(close) => {
                    let tag = &rest[1..close];
                    if voice.is_none()
                        && let Some(v) = tag
                            .strip_prefix('v')
                            .filter(|v| v.starts_with([' ', '.', '\t']))
                    {
                        // "<v.loud Jan de Vries>": classes after the dot, the name after a space.
                        let name = v.split_once([' ', '\t']).map_or("", |(_, n)| n).trim();
                        if !name.is_empty() {
                            voice = Some(name.to_string());
                        }
                    }
                    rest = &rest[close + 1..];
                    continue;
                }
                None => angle_open = false,
            }
        }
        if c == '{' && brace_open && rest[1..].starts_with('\\') {
            match rest.find('}') {
                Some(close) => {
                    rest = &rest[close + 1..];
                    continue;
                }
                None => brace_open = false,
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    (voice, out)
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&lrm;", "")
        .replace("&rlm;", "")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn srt(s: &str) -> Result<Vec<RawTurn>, IngestError> {
        read(s.as_bytes(), false, &mut Vec::new())
    }
    fn vtt(s: &str) -> Result<Vec<RawTurn>, IngestError> {
        read(s.as_bytes(), true, &mut Vec::new())
    }

    #[test]
    fn srt_cues_join_per_speaker() {
        let t = srt(
            "1\n00:00:01,000 --> 00:00:03,500\nSpeaker 1: Goedemorgen,\nwelkom.\n\n\
             2\n00:00:03,600 --> 00:00:05,000\n<i>Eén vraag</i> voor de coördinator.\n\n\
             3\n00:00:06,000 --> 00:00:08,000\nSpeaker 2: Ja, dat ’klopt’.\n\n\
             4\n00:00:08,000 --> 00:00:09,000\n{\\an8}- Speaker 1: Mooi.\n",
        )
        .unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].speaker.as_deref(), Some("Speaker 1"));
        assert_eq!(t[0].start, Some(1.0));
        assert_eq!(
            t[0].text,
            "Goedemorgen, welkom. Eén vraag voor de coördinator."
        );
        assert_eq!(t[1].speaker.as_deref(), Some("Speaker 2"));
        assert_eq!(t[1].start, Some(6.0));
        assert_eq!(t[1].text, "Ja, dat ’klopt’.");
        assert_eq!(t[2].speaker.as_deref(), Some("Speaker 1"));
        assert_eq!(t[2].text, "Mooi.");
    }

    #[test]
    fn srt_with_crlf_and_bom_and_brackets() {
        let t = srt(
            "\u{feff}1\r\n00:00:01,000 --> 00:00:02,000\r\n[Jan] Hallo.\r\n\r\n2\r\n00:00:02,500 --> 00:00:04,000\r\n[muziek] en dan.\r\n",
        )
        .unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].speaker.as_deref(), Some("Jan"));
        assert_eq!(t[0].text, "Hallo. [muziek] en dan.");
    }

    #[test]
    fn vtt_voice_tags_notes_styles_and_settings() {
        let t = vtt("WEBVTT - Teams\nKind: captions\n\nNOTE dit is een notitie\nover twee regels\n\n\
             STYLE\n::cue { color: red }\n\n\
             a1b2-3\n00:00:01.000 --> 00:00:02.000 align:start position:10%\n<v Jan de Vries>De coördinator.</v>\n\n\
             00:02.500 --> 00:04.000\n<v Jan de Vries>Eén ding &amp; nog iets.</v>\n\n\
             00:05.000 --> 00:06.000\n<v.loud Speaker 2><b>Ja</b>.</v>\n")
        .unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].speaker.as_deref(), Some("Jan de Vries"));
        assert_eq!(t[0].text, "De coördinator. Eén ding & nog iets.");
        assert_eq!(t[1].speaker.as_deref(), Some("Speaker 2"));
        assert_eq!(t[1].start, Some(5.0));
        assert_eq!(t[1].text, "Ja.");
    }

    #[test]
    fn vtt_without_speakers_is_one_turn_per_unnamed_change() {
        let t = vtt("WEBVTT\n\n00:01.000 --> 00:02.000\nEerste zin\n\n00:02.000 --> 00:03.000\ntweede zin.\n\n00:04.000 --> 00:05.000\n>> Ander iemand.\n").unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].text, "Eerste zin tweede zin.");
        assert_eq!(t[0].speaker, None);
        assert_eq!(t[1].text, "Ander iemand.");
    }

    #[test]
    fn broken_timestamp_names_the_line() {
        let e = srt(
            "1\n00:00:01,000 --> 00:00:02,000\nHallo.\n\n2\n00:00:0x,000 --> 00:00:03,000\nDag.\n",
        )
        .unwrap_err();
        assert_eq!(
            e,
            IngestError::BadTimestamp {
                line: 6,
                text: "00:00:0x,000 --> 00:00:03,000".to_string()
            }
        );
        assert_eq!(e.line(), Some(6));
        // An end before the start is broken too.
        let e = srt("1\n00:00:05,000 --> 00:00:02,000\nHallo.\n").unwrap_err();
        assert!(matches!(e, IngestError::BadTimestamp { line: 2, .. }));
    }

    #[test]
    fn malformed_cues() {
        // A blank line inside a cue's text: the rest still belongs to the cue.
        let t = srt("1\n00:00:01,000 --> 00:00:02,000\nHallo\n\nen meer.\n\n2\n00:00:03,000 --> 00:00:04,000\nDag.\n").unwrap();
        assert_eq!(t[0].text, "Hallo en meer. Dag.");
        // Text with no timing line at all.
        assert_eq!(
            srt("Gewoon wat tekst.\n"),
            Err(IngestError::BadCue {
                line: 1,
                message: "text before the first cue's timing line".to_string()
            })
        );
        assert!(matches!(
            srt("1\nfoo\n00:00:01,000 --> 00:00:02,000\nx\n"),
            Err(IngestError::BadCue { line: 2, .. })
        ));
        assert_eq!(srt(""), Err(IngestError::Empty));
        assert_eq!(vtt("WEBVTT\n\n"), Err(IngestError::Empty));
        assert_eq!(
            vtt("WEBVTT\n\nNOTE alleen een notitie\n"),
            Err(IngestError::Empty)
        );
    }

    #[test]
    fn without_names_a_pause_ends_the_turn() {
        let t = srt("1\n00:00:01,000 --> 00:00:02,000\nEen\n\n2\n00:00:02,100 --> 00:00:03,000\ntwee.\n\n\
             3\n00:00:06,000 --> 00:00:07,000\nDrie.\n\n4\n00:00:07,000 --> 00:00:08,000\nJan: Vier.\n\n\
             5\n00:00:12,000 --> 00:00:13,000\nVijf.\n")
        .unwrap();
        let texts: Vec<&str> = t.iter().map(|t| t.text.as_str()).collect();
        // A named speaker keeps the turn across a pause.
        assert_eq!(texts, vec!["Een twee.", "Drie.", "Vier. Vijf."]);
    }

    #[test]
    fn rolling_captions_are_not_repeated() {
        let t = vtt("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nde coördinator\n\n00:00:02.000 --> 00:00:03.000\nde coördinator\nzei <00:00:02.500><c>één</c> ding\n").unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].text, "de coördinator zei één ding");
    }

    #[test]
    fn unclosed_brackets_are_text() {
        let line = "<".repeat(100_000) + "{\\" + &"x".repeat(10);
        let (voice, text) = strip_tags(&line);
        assert_eq!(voice, None);
        assert_eq!(text, line);
    }

    #[test]
    fn cue_times() {
        assert_eq!(parse_cue_time("00:00:01,500"), Some(1.5));
        assert_eq!(parse_cue_time("01:02.003"), Some(62.003));
        assert_eq!(parse_cue_time("1:02:03.5"), Some(3723.5));
        assert_eq!(parse_cue_time("00:60.000"), None);
        assert_eq!(parse_cue_time("00:00:01,5000"), None);
        assert_eq!(parse_cue_time("x"), None);
    }
}
