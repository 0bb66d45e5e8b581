//! Plain text: decoding the encodings transcripts arrive in, and finding turns, speaker labels
//! and timestamps in paragraphs. The paragraph logic is shared by every format whose source is
//! running text (.txt, .docx, .odt).
//!
//! What a paragraph's first line may start with:
//! - a label before a colon: "I:", "R:", "Interviewer:", "Speaker 1:", "SPEAKER_00:",
//!   "Jan de Vries:" (up to three name words plus particles). A label with lowercase words
//!   ("Interne begeleider:") counts only if it starts three or more paragraphs, so that
//!   "Dat zei hij: nee" stays speech; "Ja:", "Dus:", "Datum:" and the like never count;
//! - a timestamp before or after the label: "[00:12:31]", "(01:02)", "00:12:31", f4's
//!   "#00:12:31-5#", or between label and colon: "Speaker 1 (00:12:31):". A bare "10:30" is
//!   not taken (more often the time of day);
//! - a header line of a transcription service, with the text on the next lines or in the next
//!   paragraph: "Speaker 1  00:00:05" (Otter), "00:00:05 Speaker 1" (Word), "Jan (01:02)", or
//!   a role alone ("Interviewer", "Speaker 2"). The header's speaker carries on to the
//!   paragraphs after it until the next label or header.
//!
//! f4 puts a timestamp at the end of each paragraph: it is taken as the next turn's start.

use super::{IngestError, RawTurn};
use std::collections::HashMap;

pub(crate) fn read(bytes: &[u8], notes: &mut Vec<String>) -> Result<Vec<RawTurn>, IngestError> {
    let text = decode(bytes, notes)?;
    Ok(turns_from_text(&text))
}

// ---------------------------------------------------------------------------------------------
// Decoding

/// Decode a text file: UTF-8 (BOM or not), UTF-16 with a BOM, or Windows-1252 when the bytes
/// are not UTF-8 but read as plausible text. Binary files and UTF-16 without a BOM are refused
/// rather than turned into mojibake. Line ends come back as LF.
pub(crate) fn decode(bytes: &[u8], notes: &mut Vec<String>) -> Result<String, IngestError> {
    if bytes.is_empty() {
        return Err(IngestError::Empty);
    }
    if let Some(what) = sniff_container(bytes) {
        return Err(IngestError::WrongFormat(what));
    }
    let text = if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        check_controls(rest)?;
        match std::str::from_utf8(rest) {
            Ok(s) => s.to_string(),
            Err(e) => return Err(utf8_error(rest, e.valid_up_to())),
        }
    } else if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        let s = decode_utf16(rest, encoding_rs::UTF_16LE)?;
        notes.push("UTF-16 converted to UTF-8".to_string());
        s
    } else if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        let s = decode_utf16(rest, encoding_rs::UTF_16BE)?;
        notes.push("UTF-16 converted to UTF-8".to_string());
        s
    } else {
        if bytes.iter().all(|&b| b == 0) {
            return Err(IngestError::AllZero);
        }
        if looks_like_utf16(bytes) {
            return Err(IngestError::Utf16WithoutBom);
        }
        check_controls(bytes)?;
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(e) => {
                let valid_up_to = e.valid_up_to();
                // Real Windows-1252 text never holds a valid multi-byte UTF-8 sequence (that
                // would be mojibake like "Ã©"): a file with both is UTF-8 with a broken byte,
                // and guessing would corrupt the good part.
                if has_utf8_multibyte(bytes) {
                    return Err(utf8_error(bytes, valid_up_to));
                }
                let (s, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
                // The five bytes Windows-1252 leaves undefined come out as C1 controls: not
                // text, so not this encoding either.
                if s.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c)) {
                    return Err(utf8_error(bytes, valid_up_to));
                }
                notes.push("Windows-1252 converted to UTF-8".to_string());
                s.into_owned()
            }
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    Ok(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Files people rename or mistake for text: better named than called binary.
pub(crate) fn sniff_container(bytes: &[u8]) -> Option<&'static str> {
    Some(if bytes.starts_with(b"PK\x03\x04") {
        "a zip package (a .docx or .odt saved under another name?)"
    } else if bytes.starts_with(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        "an old Word (.doc) file or a password-protected document; save it as .docx"
    } else if bytes.starts_with(b"%PDF-") {
        "a PDF; export the text as .txt or .docx"
    } else if bytes.starts_with(b"{\\rtf") {
        "an RTF document; save it as .docx or .txt"
    } else {
        return None;
    })
}

fn decode_utf16(
    bytes: &[u8],
    encoding: &'static encoding_rs::Encoding,
) -> Result<String, IngestError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(IngestError::InvalidUtf16);
    }
    let s = encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or(IngestError::InvalidUtf16)?;
    if let Some((i, c)) = s.char_indices().find(|(_, c)| is_binary_char(*c)) {
        return Err(IngestError::Binary {
            offset: 2 + s[..i].encode_utf16().count() * 2,
            byte: u8::try_from(u32::from(c)).unwrap_or(0),
        });
    }
    Ok(s.into_owned())
}

fn is_binary_char(c: char) -> bool {
    matches!(c, '\0'..='\u{08}' | '\u{0e}'..='\u{1f}' | '\u{7f}') && c != '\u{1a}'
}

/// NUL and the control bytes no text editor writes (tab, LF, CR, form feed and the DOS
/// end-of-file mark are fine) mean a binary file.
fn check_controls(bytes: &[u8]) -> Result<(), IngestError> {
    match bytes
        .iter()
        .position(|&b| matches!(b, 0..=8 | 0x0e..=0x19 | 0x1b..=0x1f | 0x7f))
    {
        Some(offset) => Err(IngestError::Binary {
            offset,
            byte: bytes[offset],
        }),
        None => Ok(()),
    }
}

/// UTF-16 of mostly Latin text has a zero in every other byte: lots of zeros at one parity,
/// hardly any at the other.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    if bytes.len() < 4 {
        return false;
    }
    let pairs = bytes.len() / 2;
    let even = bytes.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = bytes.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let (many, few) = if even > odd { (even, odd) } else { (odd, even) };
    many * 10 >= pairs * 3 && few * 20 <= pairs
}

fn has_utf8_multibyte(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => return s.bytes().any(|b| b >= 0x80),
            Err(e) => {
                let good = &rest[..e.valid_up_to()];
                if good.iter().any(|&b| b >= 0x80) {
                    return true;
                }
                let skip = e.error_len().unwrap_or(rest.len() - e.valid_up_to());
                rest = &rest[e.valid_up_to() + skip..];
            }
        }
    }
}

fn utf8_error(bytes: &[u8], valid_up_to: usize) -> IngestError {
    let good = String::from_utf8_lossy(&bytes[..valid_up_to]);
    let line = 1 + good.matches('\n').count();
    let column = 1 + good.rsplit('\n').next().map_or(0, |l| l.chars().count());
    IngestError::InvalidUtf8 { line, column }
}

// ---------------------------------------------------------------------------------------------
// Paragraphs into turns

/// A piece of a document in reading order: running text (one paragraph, which may hold line
/// breaks), or a turn a table already gave with its speaker.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    Para(String),
    Turn(RawTurn),
}

/// Split plain text into paragraphs and then turns. Paragraphs are separated by blank lines; a
/// file without any blank line is taken as one turn per line (what Whisper's .txt and many
/// exports write).
pub(crate) fn turns_from_text(text: &str) -> Vec<RawTurn> {
    let lines: Vec<&str> = text.split('\n').collect();
    let nonblank: Vec<usize> = (0..lines.len())
        .filter(|&i| !lines[i].trim().is_empty())
        .collect();
    let has_blank_between = nonblank.windows(2).any(|w| w[1] > w[0] + 1);
    let mut paras = Vec::new();
    if has_blank_between {
        let mut cur: Vec<&str> = Vec::new();
        for line in &lines {
            if line.trim().is_empty() {
                if !cur.is_empty() {
                    paras.push(Item::Para(cur.join("\n")));
                    cur.clear();
                }
            } else {
                cur.push(line);
            }
        }
        if !cur.is_empty() {
            paras.push(Item::Para(cur.join("\n")));
        }
    } else {
        paras.extend(nonblank.iter().map(|&i| Item::Para(lines[i].to_string())));
    }
    turns_from_items(paras)
}

/// Turn paragraphs into turns: speaker labels ("R:", "Jan de Vries:"), timestamps ("[00:12:31]")
/// and transcription-service headers ("Speaker 1  00:00:05" on a line of its own, the text
/// after it) are recognised; a line inside a paragraph that starts with a label starts a new
/// turn (hard-wrapped or shift-enter separated turns).
pub(crate) fn turns_from_items(items: Vec<Item>) -> Vec<RawTurn> {
    // Labels with lowercase words ("Interne begeleider:") are only believed when they recur, so
    // that "Dat zei hij: nee" at the start of one paragraph stays speech.
    let mut weak_counts: HashMap<String, usize> = HashMap::new();
    for item in &items {
        if let Item::Para(p) = item {
            for line in p.split('\n') {
                let (_, rest) = strip_time(line.trim_start(), false);
                if let Some((label, _, _)) = split_label(rest)
                    && classify_label(label) == LabelKind::Weak
                {
                    *weak_counts.entry(label.to_lowercase()).or_default() += 1;
                }
            }
        }
    }
    let ctx = Ctx { weak_counts };

    let mut out = Vec::new();
    // A header line with nothing after it ("00:00:05 Speaker 1" as its own paragraph, as Word's
    // transcription writes it) names the speaker of the text that follows.
    let mut pending: Option<Head> = None;
    // The speaker such a header named carries over to the paragraphs after its text, until the
    // next header or label.
    let mut carried: Option<String> = None;
    // f4/f5 put a timestamp at the end of each paragraph: where this one ends, the next starts.
    let mut f4_end: Option<f64> = None;
    for item in items {
        let para = match item {
            Item::Turn(t) => {
                pending = None;
                carried = None;
                out.push(t);
                continue;
            }
            Item::Para(p) => p,
        };
        for seg in ctx.segments(&para) {
            let mut head = ctx.parse_head(&seg);
            if head.body.trim().is_empty() {
                if head.speaker.is_some() || head.start.is_some() {
                    pending = Some(head);
                    carried = None;
                }
                continue;
            }
            if let Some(p) = pending.take() {
                if head.speaker.is_none() {
                    head.speaker = p.speaker;
                }
                if head.start.is_none() {
                    head.start = p.start;
                }
                carried = head.speaker.clone();
            } else if head.from_header {
                carried = head.speaker.clone();
            } else if head.speaker.is_some() {
                carried = None;
            } else {
                head.speaker = carried.clone();
            }
            let prev_end = f4_end.take();
            if let Some((end, before)) = strip_trailing_f4(&head.body) {
                f4_end = Some(end);
                head.body = before.to_string();
            }
            if head.start.is_none() {
                head.start = prev_end;
            }
            out.push(RawTurn::new(head.speaker, head.start, head.body));
        }
    }
    out
}

struct Ctx {
    weak_counts: HashMap<String, usize>,
}

#[derive(Debug, Default)]
struct Head {
    speaker: Option<String>,
    start: Option<f64>,
    body: String,
    from_header: bool,
}

impl Ctx {
    fn label_ok(&self, label: &str) -> bool {
        match classify_label(label) {
            LabelKind::Strong => true,
            LabelKind::Weak => {
                self.weak_counts
                    .get(&label.to_lowercase())
                    .copied()
                    .unwrap_or(0)
                    >= 3
            }
            LabelKind::No => false,
        }
    }

    /// A paragraph's lines grouped into turns: a new turn starts at a line that opens with a
    /// speaker label or is a header line. Inside a paragraph the label must start with a
    /// capital or digit: a hard-wrapped line may well begin "school: daar...".
    fn segments(&self, para: &str) -> Vec<String> {
        let mut segs: Vec<String> = Vec::new();
        for line in para.split('\n') {
            let starts_turn = segs.is_empty() || self.header(line).is_some() || {
                let (_, rest) = strip_time(line.trim_start(), false);
                split_label(rest).is_some_and(|(l, _, _)| {
                    l.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
                        && self.label_ok(l)
                })
            };
            match segs.last_mut() {
                Some(last) if !starts_turn => {
                    last.push('\n');
                    last.push_str(line);
                }
                _ => segs.push(line.to_string()),
            }
        }
        segs
    }

    fn parse_head(&self, seg: &str) -> Head {
        let (first, rest) = seg.split_once('\n').unwrap_or((seg, ""));
        if let Some((speaker, start)) = self.header(first) {
            return Head {
                speaker,
                start,
                body: rest.to_string(),
                from_header: true,
            };
        }
        let mut line = first.trim_start();
        let (mut start, after) = strip_time(line, false);
        line = after;
        let mut speaker = None;
        if let Some((label, t, body)) = split_label(line)
            && self.label_ok(label)
        {
            speaker = Some(label.to_string());
            line = body;
            start = start.or(t);
            if start.is_none() {
                let (t, after) = strip_time(line.trim_start(), false);
                start = t;
                line = after;
            }
        }
        let mut body = line.trim().to_string();
        if !rest.is_empty() {
            body.push('\n');
            body.push_str(rest);
        }
        Head {
            speaker,
            start,
            body,
            from_header: false,
        }
    }

    /// A line that is only a speaker and/or a time: "Speaker 1  00:00:05", "00:00:05 Speaker 1",
    /// "Jan de Vries (01:02)", "SPEAKER_00:", "[00:12:31]".
    fn header(&self, line: &str) -> Option<(Option<String>, Option<f64>)> {
        let line = line.trim();
        if line.is_empty() {
            return None;
        }
        // "R:" alone, or "[00:01:02] R:" alone.
        let (t, rest) = strip_time(line, true);
        if rest.is_empty() {
            return t.map(|t| (None, Some(t)));
        }
        if let Some((label, t1, body)) = split_label(rest)
            && self.label_ok(label)
        {
            let (t2, after) = strip_time(body.trim(), true);
            if after.is_empty() {
                return Some((Some(label.to_string()), t.or(t1).or(t2)));
            }
        }
        // Time first: "00:00:05 Speaker 1".
        if let Some(t) = t
            && is_header_speaker(rest)
        {
            return Some((Some(rest.to_string()), Some(t)));
        }
        // Time last: "Speaker 1  00:00:05", "Jan (01:02)".
        if let Some((name, t)) = strip_time_end(line)
            && is_header_speaker(name)
        {
            return Some((Some(name.to_string()), Some(t)));
        }
        // A role alone on its line: "Interviewer", "Speaker 2", "SPEAKER_01".
        is_role_label(line).then(|| (Some(line.to_string()), None))
    }
}

/// A speaker on a header line (no colon, so judged more strictly than a label): capitalised
/// words, digits or name particles, or a machine label like SPEAKER_00.
fn is_header_speaker(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty() && !s.contains(':') && classify_label(s) == LabelKind::Strong && {
        let words: Vec<&str> = s.split_whitespace().collect();
        words.len() >= 2
            || s.chars().any(|c| c.is_ascii_digit() || c == '_')
            || ROLE_WORDS.contains(&s.to_lowercase().as_str())
    }
}

/// "Interviewer", "Respondent 2", "Speaker B", "Spreker 1", "SPEAKER_00": a label by its form,
/// even without a colon.
fn is_role_label(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    let first = words.first().map(|w| w.to_lowercase()).unwrap_or_default();
    let role = |w: &str| ROLE_WORDS.contains(&w);
    match words.len() {
        1 => {
            role(&first)
                || first.split_once('_').is_some_and(|(a, n)| {
                    role(a) && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
                })
        }
        2 => {
            role(&first)
                && words[1].chars().count() <= 3
                && words[1].chars().all(char::is_alphanumeric)
        }
        _ => false,
    }
}

const ROLE_WORDS: &[&str] = &[
    "interviewer",
    "interviewee",
    "respondent",
    "spreker",
    "speaker",
    "moderator",
    "deelnemer",
    "onderzoeker",
];

/// "Label: text" -> ("Label", None, " text"), if the colon is followed by a space or the end.
/// A time in brackets between label and colon is the turn's start: "Speaker 1 (00:01:02): ja",
/// "Jan [01:02]: ja".
fn split_label(line: &str) -> Option<(&str, Option<f64>, &str)> {
    let colon = line.find(':')?;
    let (label, time, body) = match line[..colon].find(['(', '[']) {
        Some(open) if !line[..open].trim().is_empty() => {
            let (t, after) = bracketed_time(&line[open..])?;
            (line[..open].trim_end(), Some(t), after.strip_prefix(':')?)
        }
        _ => (line[..colon].trim_end(), None, &line[colon + 1..]),
    };
    if !(body.is_empty() || body.starts_with(char::is_whitespace)) {
        return None;
    }
    if label.is_empty() || label.chars().count() > 40 {
        return None;
    }
    Some((label, time, body))
}

/// "[00:01:02]" or "(01:02)" at the start of `s`: the seconds and what follows the bracket.
fn bracketed_time(s: &str) -> Option<(f64, &str)> {
    let close = match s.chars().next()? {
        '[' => ']',
        '(' => ')',
        _ => return None,
    };
    let (secs, _, len) = parse_clock(&s[1..])?;
    Some((secs, s[1 + len..].strip_prefix(close)?))
}

#[derive(Debug, PartialEq, Eq)]
enum LabelKind {
    /// Looks like a speaker label wherever it appears.
    Strong,
    /// Could be a label (lowercase words), believed only when it recurs.
    Weak,
    No,
}

/// Words that start speech, not a speaker label, when followed by a colon.
const NOT_LABELS: &[&str] = &[
    "ja",
    "nee",
    "nou",
    "dus",
    "maar",
    "en",
    "want",
    "toen",
    "dan",
    "oké",
    "ok",
    "okay",
    "kijk",
    "zeg",
    "namelijk",
    "bijvoorbeeld",
    "eh",
    "uh",
    "tja",
    "yes",
    "no",
    "so",
    "well",
    "note",
    "nb",
    "http",
    "https",
    // Metadata lines at the top of a transcript, not speakers.
    "datum",
    "date",
    "duur",
    "duration",
    "locatie",
    "location",
    "plaats",
    "onderwerp",
    "subject",
    "titel",
    "title",
    "bestand",
    "file",
    "opname",
    "recording",
    "versie",
    "version",
];

/// Name particles that are lowercase inside a name ("Jan de Vries", "Anna van der Berg").
const PARTICLES: &[&str] = &[
    "de", "van", "der", "den", "het", "'t", "’t", "ter", "ten", "te", "la", "le", "von", "du",
    "di", "da", "del", "dos", "bin", "al", "el", "op", "in", "v.d.", "vd",
];

fn classify_label(label: &str) -> LabelKind {
    let ok_chars = label.chars().all(|c| {
        c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.' | '\'' | '’' | '(' | ')' | '/')
    });
    if !ok_chars || !label.chars().next().is_some_and(char::is_alphanumeric) {
        return LabelKind::No;
    }
    let words: Vec<&str> = label.split_whitespace().collect();
    match words.len() {
        0 => LabelKind::No,
        1 => {
            let w = words[0];
            if w.chars().count() > 24 || NOT_LABELS.contains(&w.to_lowercase().as_str()) {
                LabelKind::No
            } else {
                LabelKind::Strong
            }
        }
        2..=5 => {
            let capitalised = |w: &str| {
                w.chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
                    || w.chars().any(|c| c.is_ascii_digit())
            };
            let particle = |w: &str| PARTICLES.contains(&w.to_lowercase().as_str());
            let names = words.iter().filter(|w| !particle(w)).count();
            if capitalised(words[0])
                && names <= 3
                && words[1..].iter().all(|w| capitalised(w) || particle(w))
            {
                LabelKind::Strong
            } else if words.len() <= 3
                && !NOT_LABELS.contains(&words[0].to_lowercase().as_str())
                && words
                    .iter()
                    .all(|w| w.chars().all(|c| c.is_alphanumeric() || c == '-'))
            {
                LabelKind::Weak
            } else {
                LabelKind::No
            }
        }
        _ => LabelKind::No,
    }
}

// ---------------------------------------------------------------------------------------------
// Timestamps

/// A timestamp at the start of `s`: "[00:12:31]", "(01:02)", "00:12:31", "00:12:31.250",
/// "[1:02:03,5]". A bare two-part time ("10:30") only when `loose` (header lines), because at
/// the start of speech it is more often the time of day. Returns the seconds and the rest of
/// `s` after the timestamp and a following separator (" - ", " – ").
pub(crate) fn strip_time(s: &str, loose: bool) -> (Option<f64>, &str) {
    if let Some((secs, len)) = f4_time(s) {
        let rest = &s[len..];
        if rest.is_empty() || rest.starts_with(char::is_whitespace) {
            return (Some(secs), rest.trim_start());
        }
        return (None, s);
    }
    let (open, inner) = match s.chars().next() {
        Some('[') => (Some(']'), &s[1..]),
        Some('(') => (Some(')'), &s[1..]),
        _ => (None, s),
    };
    let Some((secs, parts, len)) = parse_clock(inner) else {
        return (None, s);
    };
    let mut rest = &inner[len..];
    match open {
        Some(close) => {
            let Some(r) = rest.strip_prefix(close) else {
                return (None, s);
            };
            rest = r;
        }
        None => {
            if parts < 3 && !loose {
                return (None, s);
            }
        }
    }
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return (None, s);
    }
    let mut rest = rest.trim_start();
    for sep in ["- ", "– ", "— "] {
        if let Some(r) = rest.strip_prefix(sep) {
            rest = r.trim_start();
        }
    }
    (Some(secs), rest)
}

/// An f4/f5 transcription timestamp at the start of `s`: "#00:01:23-4#" (the digit after the
/// dash is tenths of a second). Returns the seconds and its length in bytes.
fn f4_time(s: &str) -> Option<(f64, usize)> {
    let inner = s.strip_prefix('#')?;
    let (secs, parts, len) = parse_clock(inner)?;
    if parts != 3 || inner[..len].contains(['.', ',']) {
        return None;
    }
    let mut rest = &inner[len..];
    let mut secs = secs;
    if let Some(r) = rest.strip_prefix('-') {
        let digits = r.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 3 {
            return None;
        }
        let v: f64 = r[..digits].parse().ok()?;
        secs += v / 10f64.powi(digits as i32);
        rest = &r[digits..];
    }
    rest.strip_prefix('#')?;
    Some((secs, s.len() - rest.len() + 1))
}

/// An f4/f5 timestamp ending a paragraph ("Dat klopt. #00:01:23-4#"): the time the paragraph
/// ends, and the text before it.
fn strip_trailing_f4(body: &str) -> Option<(f64, &str)> {
    let trimmed = body.trim_end();
    let without_last = trimmed.strip_suffix('#')?;
    let at = without_last.rfind('#')?;
    let (secs, len) = f4_time(&trimmed[at..])?;
    (at + len == trimmed.len()).then(|| (secs, trimmed[..at].trim_end()))
}

/// A timestamp at the end of a line, after two or more spaces, a tab, or in brackets:
/// "Speaker 1  00:05", "Jan de Vries (01:02)", "Spreker 2 00:00:05".
fn strip_time_end(line: &str) -> Option<(&str, f64)> {
    let line = line.trim_end();
    let (idx, ws) = line.char_indices().rev().find(|(_, c)| c.is_whitespace())?;
    let start = idx + ws.len_utf8();
    let tail = &line[start..];
    let head = &line[..start];
    let (t, rest) = strip_time(tail, true);
    let t = t?;
    if !rest.is_empty() {
        return None;
    }
    let bracketed = tail.starts_with('[') || tail.starts_with('(');
    let three_part = tail.matches(':').count() >= 2;
    let wide_gap = head.ends_with("  ") || head.ends_with('\t');
    if !(bracketed || three_part || wide_gap) {
        return None;
    }
    Some((head.trim_end(), t))
}

/// "h:mm:ss(.fff)" or "m:ss(.fff)" at the start of `s`: (seconds, number of colon parts, bytes).
pub(crate) fn parse_clock(s: &str) -> Option<(f64, usize, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut fields: Vec<u64> = Vec::new();
    loop {
        let from = i;
        while i < b.len() && b[i].is_ascii_digit() && i - from < 3 {
            i += 1;
        }
        let digits = &s[from..i];
        if digits.is_empty() || (i < b.len() && b[i].is_ascii_digit()) {
            return None;
        }
        if !fields.is_empty() && digits.len() != 2 {
            return None;
        }
        fields.push(digits.parse().ok()?);
        if fields.len() < 3 && i + 1 < b.len() && b[i] == b':' && b[i + 1].is_ascii_digit() {
            i += 1;
            continue;
        }
        break;
    }
    if fields.len() < 2 || fields[1..].iter().any(|&f| f >= 60) {
        return None;
    }
    let mut secs = fields.iter().fold(0u64, |acc, &f| acc * 60 + f) as f64;
    if i + 1 < b.len() && (b[i] == b'.' || b[i] == b',') && b[i + 1].is_ascii_digit() {
        let from = i + 1;
        let mut j = from;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let frac = &s[from..j.min(from + 9)];
        let value: f64 = frac.parse().ok()?;
        secs += value / 10f64.powi(frac.len() as i32);
        i = j;
    }
    Some((secs, fields.len(), i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turns(text: &str) -> Vec<RawTurn> {
        turns_from_text(text)
    }

    fn sp(t: &RawTurn) -> Option<&str> {
        t.speaker.as_deref()
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let mut notes = Vec::new();
        assert_eq!(
            decode("\u{feff}R: één\r\n".as_bytes(), &mut notes).unwrap(),
            "R: één\n"
        );
        assert_eq!(decode("R: één".as_bytes(), &mut notes).unwrap(), "R: één");
        assert!(notes.is_empty());
    }

    #[test]
    fn utf16_with_bom_both_orders() {
        let s = "I: De coördinator zei ’nee’.\r\n";
        let mut le = vec![0xff, 0xfe];
        let mut be = vec![0xfe, 0xff];
        for u in s.encode_utf16() {
            le.extend(u.to_le_bytes());
            be.extend(u.to_be_bytes());
        }
        let mut notes = Vec::new();
        assert_eq!(
            decode(&le, &mut notes).unwrap(),
            "I: De coördinator zei ’nee’.\n"
        );
        assert_eq!(
            decode(&be, &mut notes).unwrap(),
            "I: De coördinator zei ’nee’.\n"
        );
        assert_eq!(notes.len(), 2);
        // The same bytes without a BOM are refused, not read as Latin-1 with NULs.
        assert_eq!(
            decode(&le[2..], &mut notes),
            Err(IngestError::Utf16WithoutBom)
        );
        assert_eq!(
            decode(&be[2..], &mut notes),
            Err(IngestError::Utf16WithoutBom)
        );
        // Odd length or a lone surrogate.
        assert_eq!(
            decode(&le[..le.len() - 1], &mut notes),
            Err(IngestError::InvalidUtf16)
        );
        assert_eq!(
            decode(&[0xff, 0xfe, 0x00, 0xd8, 0x41, 0x00], &mut notes),
            Err(IngestError::InvalidUtf16)
        );
    }

    #[test]
    fn windows_1252_is_converted_with_a_note() {
        // "R: Eén coördinator zei ’ja’." in Windows-1252.
        let bytes = b"R: E\xe9n co\xf6rdinator zei \x92ja\x92.\r\n";
        let mut notes = Vec::new();
        let s = decode(bytes, &mut notes).unwrap();
        assert_eq!(s, "R: Eén coördinator zei ’ja’.\n");
        assert_eq!(notes, vec!["Windows-1252 converted to UTF-8".to_string()]);
    }

    #[test]
    fn broken_utf8_is_an_error_with_its_line() {
        // Valid UTF-8 "één" and then a stray byte: not Windows-1252, and not guessed.
        let bytes = "I: één\nR: ja\nR: no\u{e9}".as_bytes();
        let mut b = bytes.to_vec();
        b.push(0xe9);
        let mut notes = Vec::new();
        assert_eq!(
            decode(&b, &mut notes),
            Err(IngestError::InvalidUtf8 { line: 3, column: 7 })
        );
        // 0x81 is undefined in Windows-1252.
        assert_eq!(
            decode(b"ab\ncd\x81", &mut notes),
            Err(IngestError::InvalidUtf8 { line: 2, column: 3 })
        );
    }

    #[test]
    fn binary_and_zero_files_are_refused() {
        let mut notes = Vec::new();
        assert_eq!(decode(&[0; 64], &mut notes), Err(IngestError::AllZero));
        assert_eq!(
            decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", &mut notes),
            Err(IngestError::Binary { offset: 8, byte: 0 })
        );
        assert_eq!(
            decode(b"R: hallo\x07", &mut notes),
            Err(IngestError::Binary { offset: 8, byte: 7 })
        );
        assert_eq!(decode(b"", &mut notes), Err(IngestError::Empty));
        assert!(matches!(
            decode(b"{\\rtf1\\ansi Hallo}", &mut notes),
            Err(IngestError::WrongFormat(m)) if m.starts_with("an RTF")
        ));
        assert!(matches!(
            decode(b"%PDF-1.7\n", &mut notes),
            Err(IngestError::WrongFormat(m)) if m.starts_with("a PDF")
        ));
    }

    #[test]
    fn paragraphs_with_labels() {
        let t = turns("I: Hallo.\n\nR: Dag, één\ncoördinator.\n\n\nZonder label.\n");
        assert_eq!(t.len(), 3);
        assert_eq!(sp(&t[0]), Some("I"));
        assert_eq!(t[1].text, "Dag, één\ncoördinator.");
        assert_eq!(sp(&t[2]), None);
    }

    #[test]
    fn one_turn_per_line_files() {
        let t = turns("Interviewer: Vraag?\nRespondent: Antwoord.\nInterviewer: Nog een.\n");
        assert_eq!(t.len(), 3);
        assert_eq!(sp(&t[1]), Some("Respondent"));
        // No blank lines and no labels: every line is a turn.
        let t = turns("Eerste zin.\nTweede zin.\n");
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn labelled_lines_inside_a_paragraph_split_it() {
        let t = turns("I: Vraag?\nR: Antwoord\ndat doorloopt.\n\nI: Volgende.\n");
        assert_eq!(t.len(), 3);
        assert_eq!(t[1].text, "Antwoord\ndat doorloopt.");
        // A wrapped line that happens to start with "word:" does not.
        let t = turns("R: Het ging over de\nschool: daar was het.\n\nI: Ja.\n");
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].text, "Het ging over de\nschool: daar was het.");
    }

    #[test]
    fn times_between_label_and_colon() {
        let t = turns(
            "Speaker 1 (00:01:02): Hallo.\n\nJan de Vries [01:05]: Dag.\n\nSpeaker 2 (00:01:09):\nAntwoord.\n",
        );
        assert_eq!((sp(&t[0]), t[0].start), (Some("Speaker 1"), Some(62.0)));
        assert_eq!(t[0].text, "Hallo.");
        assert_eq!((sp(&t[1]), t[1].start), (Some("Jan de Vries"), Some(65.0)));
        assert_eq!((sp(&t[2]), t[2].start), (Some("Speaker 2"), Some(69.0)));
        assert_eq!(t[2].text, "Antwoord.");
        // Brackets that are not a time stay in the text.
        let t = turns("R: (lacht) ja: echt.\n");
        assert_eq!(t[0].text, "(lacht) ja: echt.");
    }

    #[test]
    fn f4_timestamps() {
        let t = turns(
            "I: Hoe gaat het? #00:00:04-2#\n\nR: Goed, één ding. #00:00:09-0#\n\n#00:00:15-5# I: En verder?\n",
        );
        assert_eq!((sp(&t[0]), t[0].start), (Some("I"), None));
        assert_eq!(t[0].text, "Hoe gaat het?");
        assert_eq!((sp(&t[1]), t[1].start), (Some("R"), Some(4.2)));
        assert_eq!(t[1].text, "Goed, één ding.");
        assert_eq!((sp(&t[2]), t[2].start), (Some("I"), Some(15.5)));
        assert_eq!(f4_time("#00:01:23-4# x"), Some((83.4, 12)));
        assert_eq!(f4_time("#00:01:23#"), Some((83.0, 10)));
        assert_eq!(f4_time("#1:23-4#"), None);
        assert_eq!(strip_trailing_f4("a # b"), None);
    }

    #[test]
    fn roles_alone_on_a_line() {
        let t = turns(
            "Interviewer\nHoe gaat het?\n\nRespondent 2\n\nGoed.\n\nNog iets.\n\nSPEAKER_00\nJa.\n\nJa\n\nNee.\n",
        );
        let got: Vec<(Option<&str>, &str)> = t.iter().map(|t| (sp(t), t.text.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (Some("Interviewer"), "Hoe gaat het?"),
                (Some("Respondent 2"), "Goed."),
                (Some("Respondent 2"), "Nog iets."),
                (Some("SPEAKER_00"), "Ja."),
                (Some("SPEAKER_00"), "Ja"),
                (Some("SPEAKER_00"), "Nee."),
            ]
        );
    }

    #[test]
    fn tab_separated_headers() {
        let t = turns("Speaker 1\t0:05\nHallo.\n\nSpeaker 2\t0:09\nDag.\n");
        assert_eq!((sp(&t[1]), t[1].start), (Some("Speaker 2"), Some(9.0)));
    }

    #[test]
    fn label_forms() {
        for (line, want) in [
            ("I: x", Some("I")),
            ("R: x", Some("R")),
            ("Interviewer: x", Some("Interviewer")),
            ("Speaker 1: x", Some("Speaker 1")),
            ("SPEAKER_00: x", Some("SPEAKER_00")),
            ("Jan de Vries: x", Some("Jan de Vries")),
            ("Anna van der Berg: x", Some("Anna van der Berg")),
            ("Dat zei hij: nee", None),
            ("Ja: dat klopt", None),
            ("Om 10:30 was ik thuis", None),
            ("Zie https://example.org", None),
            ("Een lange zin met veel woorden: en dan", None),
        ] {
            let t = turns(line);
            assert_eq!(sp(&t[0]), want, "{line}");
        }
    }

    #[test]
    fn lowercase_labels_count_when_they_recur() {
        let t = turns(
            "Interne begeleider: Eén.\n\nR: Twee.\n\nInterne begeleider: Drie.\n\nInterne begeleider: Vier.\n",
        );
        assert_eq!(sp(&t[0]), Some("Interne begeleider"));
        assert_eq!(t[0].text, "Eén.");
        let t = turns("Dat zei hij: nee.\n\nR: Twee.\n");
        assert_eq!(sp(&t[0]), None);
        assert_eq!(t[0].text, "Dat zei hij: nee.");
    }

    #[test]
    fn timestamps_before_or_after_the_label() {
        let t = turns(
            "[00:12:31] I: Vraag?\n\nR: (01:02) Antwoord.\n\n00:00:05 Zonder label.\n\n10:30 was ik thuis.\n",
        );
        assert_eq!((sp(&t[0]), t[0].start), (Some("I"), Some(751.0)));
        assert_eq!(t[0].text, "Vraag?");
        assert_eq!((sp(&t[1]), t[1].start), (Some("R"), Some(62.0)));
        assert_eq!(t[1].text, "Antwoord.");
        assert_eq!((sp(&t[2]), t[2].start), (None, Some(5.0)));
        assert_eq!(t[2].text, "Zonder label.");
        assert_eq!(t[3].start, None);
        assert_eq!(t[3].text, "10:30 was ik thuis.");
    }

    #[test]
    fn transcription_service_headers() {
        // Otter / Word style: speaker and time on a line, text on the next lines.
        let t =
            turns("Speaker 1  00:00:05\nGoedemorgen, één vraag.\n\nSpeaker 2  0:12\nJa.\nPrima.\n");
        assert_eq!(t.len(), 2);
        assert_eq!((sp(&t[0]), t[0].start), (Some("Speaker 1"), Some(5.0)));
        assert_eq!(t[0].text, "Goedemorgen, één vraag.");
        assert_eq!((sp(&t[1]), t[1].start), (Some("Speaker 2"), Some(12.0)));
        assert_eq!(t[1].text, "Ja.\nPrima.");
        // Word's transcription: time first, header and text as separate paragraphs.
        let t = turns("00:00:03 Jan de Vries\n\nDe coördinator.\n\n00:00:09 Speaker 2\n\nJa.\n");
        assert_eq!(t.len(), 2);
        assert_eq!((sp(&t[0]), t[0].start), (Some("Jan de Vries"), Some(3.0)));
        assert_eq!(t[0].text, "De coördinator.");
        assert_eq!((sp(&t[1]), t[1].start), (Some("Speaker 2"), Some(9.0)));
    }

    #[test]
    fn clock_parsing() {
        assert_eq!(parse_clock("00:12:31"), Some((751.0, 3, 8)));
        assert_eq!(parse_clock("1:02"), Some((62.0, 2, 4)));
        assert_eq!(parse_clock("00:00:01,500 x"), Some((1.5, 3, 12)));
        assert_eq!(parse_clock("00:61"), None);
        assert_eq!(parse_clock("12"), None);
        assert_eq!(parse_clock("1:2"), None);
        assert_eq!(strip_time("(01:02) x", false), (Some(62.0), "x"));
        assert_eq!(strip_time("01:02 x", false), (None, "01:02 x"));
        assert_eq!(strip_time("01:02 x", true), (Some(62.0), "x"));
        assert_eq!(strip_time("[01:02 x", false), (None, "[01:02 x"));
    }
}
