//! A transcript: the text of one interview, split into speaker turns.
//!
//! Offsets everywhere in codewerk are character offsets (Unicode scalar values) into the text as
//! loaded: a UTF-8 BOM stripped and CRLF/CR line endings normalised to LF. Counting characters
//! rather than bytes keeps offsets stable across tools and languages, and is what the REFI-QDA
//! standard uses for plain-text selections.

use super::problem::{Problem, line_col};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// One paragraph of the transcript, usually one speaker's turn (`I: ...`, `R: ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// The speaker label before the colon, if the paragraph starts with one.
    pub speaker: Option<String>,
    /// Character range of the whole paragraph, label included, trailing newline excluded.
    pub start: usize,
    pub end: usize,
    /// Where the spoken text starts, after the label, its colon and space, and the timestamp.
    pub body_start: usize,
    /// Seconds into the recording, from a `[00:12:31]` (or `[12:31]`) right after the label:
    /// imported transcripts keep the time of each turn so the moment can be found in the
    /// recording. Search, quoting and turn motions start after it (at `body_start`).
    pub timestamp: Option<u32>,
}

impl Turn {
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// A transcript's metadata is known from the start; its text may be read only when first used.
///
/// A project of 10,000 transcripts is 213 MB of text, most of which a command never looks at:
/// `Project::load_lazy` takes the metadata of an unchanged file from the transcript cache
/// (`transcript_cache`) and leaves the text unread until something asks for it. The text read
/// then must be the text the metadata describes (its version is compared): if the file changed
/// in between, or cannot be read any more, the text is empty and `late_problem` says why, so
/// that nothing is computed on a text other than the one the codings were checked against.
#[derive(Debug, Clone)]
pub struct Transcript {
    pub id: String,
    pub path: PathBuf,
    /// Length in characters and spoken words, of the text as loaded or as cached.
    chars: usize,
    words: usize,
    /// `version()`, computed when first asked: most transcripts of a large project have no
    /// codings, and hashing them all would slow down start-up for nothing. Set from the cache
    /// for a transcript whose text is not read yet.
    version: OnceLock<String>,
    /// `content_hash()`, known from the cache or computed when first asked.
    content: OnceLock<u64>,
    /// The text and what is derived from it; read from `path` on first use when lazy.
    body: OnceLock<Body>,
    /// Why the text read on first use is not the text described (see the type's doc).
    late: OnceLock<Problem>,
    /// The turns as the transcript cache keeps them (`transcript_cache::pack_turns`), for a
    /// transcript whose text is not read: who speaks where is known without the text.
    packed_turns: Option<Arc<[u8]>>,
    /// `packed_turns` unpacked, when first asked for before the text was read.
    unpacked_turns: OnceLock<Vec<Turn>>,
}

/// The text and its derived tables: what a transcript holds in memory once read.
#[derive(Debug, Clone, Default)]
struct Body {
    text: String,
    /// Byte offset of every `STRIDE`-th character: char <-> byte in O(STRIDE) with a sixty-fourth
    /// of the memory of a full table (which at 10,000 transcripts was most of the RAM used).
    checkpoints: Vec<u32>,
    /// Characters in `text` (equal to `Transcript::chars` unless a late read failed).
    chars: usize,
    turns: Vec<Turn>,
}

/// What a transcript is without its text: what the transcript cache keeps per file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub chars: usize,
    pub words: usize,
    /// `Transcript::version`.
    pub version: String,
    /// `Transcript::content_hash`.
    pub content: u64,
    /// The turns, packed (`transcript_cache::pack_turns`); None if they could not be.
    pub turns: Option<Arc<[u8]>>,
}

impl Transcript {
    /// Decode and normalise a transcript file's bytes. Errors name the file, line and column.
    pub fn from_bytes(id: &str, path: &Path, bytes: &[u8]) -> Result<Self, Problem> {
        // Offsets are kept as u32 checkpoints; a file this size is no interview transcript.
        if u32::try_from(bytes.len()).is_err() {
            return Err(Problem::error(
                path,
                format!(
                    "the file is {} bytes; transcripts over 4 GiB are not supported",
                    bytes.len()
                ),
            ));
        }
        let raw = match std::str::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => {
                let good = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
                let (line, col) = line_col(good, good.len());
                return Err(Problem::error(
                    path,
                    format!(
                        "not valid UTF-8 (byte {}); save the file as UTF-8",
                        e.valid_up_to()
                    ),
                )
                .at(line, Some(col)));
            }
        };
        let text = normalise(raw);
        if text.trim().is_empty() {
            return Err(Problem::error(path, "the transcript is empty"));
        }
        Ok(Self::from_text(id, path, text))
    }

    /// Build from already normalised text of at most 4 GiB (files go through `from_bytes`,
    /// which reports a larger one as a problem).
    pub fn from_text(id: &str, path: &Path, text: String) -> Self {
        let (body, words) = Body::new(text);
        Transcript {
            id: id.to_string(),
            path: path.to_path_buf(),
            chars: body.chars,
            words,
            version: OnceLock::new(),
            content: OnceLock::new(),
            body: OnceLock::from(body),
            late: OnceLock::new(),
            packed_turns: None,
            unpacked_turns: OnceLock::new(),
        }
    }

    /// A transcript known by its metadata (from the transcript cache), its text read from
    /// `path` when first used and checked to be the text `meta` describes.
    pub fn unread(id: &str, path: &Path, meta: Meta) -> Self {
        Transcript {
            id: id.to_string(),
            path: path.to_path_buf(),
            chars: meta.chars,
            words: meta.words,
            version: OnceLock::from(meta.version),
            content: OnceLock::from(meta.content),
            body: OnceLock::new(),
            late: OnceLock::new(),
            packed_turns: meta.turns,
            unpacked_turns: OnceLock::new(),
        }
    }

    /// What the transcript cache keeps of it (hashes the text if not done yet).
    pub fn meta(&self) -> Meta {
        Meta {
            chars: self.chars,
            words: self.words,
            version: self.version().to_string(),
            content: self.content_hash(),
            turns: match (&self.packed_turns, self.body.get()) {
                (Some(packed), _) => Some(packed.clone()),
                (None, Some(body)) => {
                    super::transcript_cache::pack_turns(&body.turns).map(Arc::from)
                }
                (None, None) => None,
            },
        }
    }

    /// Whether the text is in memory (read at load, or used since).
    pub fn is_read(&self) -> bool {
        self.body.get().is_some()
    }

    /// Read the text now if it is not in memory yet; the problem if it is not the text the
    /// metadata describes (then the text is empty). Safe to call from several threads.
    pub fn read(&self) -> Result<(), &Problem> {
        let _ = self.body();
        self.late.get().map_or(Ok(()), Err)
    }

    /// Why the text read on first use could not be used, if it could not.
    pub fn late_problem(&self) -> Option<&Problem> {
        self.late.get()
    }

    fn body(&self) -> &Body {
        self.body.get_or_init(|| match self.read_checked() {
            Ok(body) => body,
            Err(p) => {
                let _ = self.late.set(p);
                Body::default()
            }
        })
    }

    /// The file's text, if it is still the text this transcript was loaded as.
    fn read_checked(&self) -> Result<Body, Problem> {
        let bytes = std::fs::read(&self.path)
            .map_err(|e| Problem::error(&self.path, format!("cannot be read any more: {e}")))?;
        if let Some(why) = not_text(&bytes) {
            return Err(Problem::error(&self.path, why));
        }
        let read = Transcript::from_bytes(&self.id, &self.path, &bytes)?;
        if read.version() != self.version() {
            return Err(Problem::error(
                &self.path,
                "changed since codewerk last read it (its codings were checked against the \
                 text before): run the command again, which reads and checks it anew",
            ));
        }
        Ok(read.body.into_inner().unwrap_or_default())
    }

    /// The version of the text codings are made on: the SHA-256 of the normalised text, in hex.
    /// A coding records it, and `codings/versions/<version>.txt` keeps that text, so that the
    /// coding can be carried exactly through later edits of the transcript.
    pub fn version(&self) -> &str {
        self.version.get_or_init(|| version_of(self.text()))
    }

    pub fn text(&self) -> &str {
        &self.body().text
    }

    /// The paragraphs (speaker turns), in order.
    pub fn turns(&self) -> &[Turn] {
        &self.body().turns
    }

    /// The turns, without reading the text if it is not read yet: from the transcript cache,
    /// which keeps them for the version the text has (what counting by speaker needs: `stats`,
    /// the exports and agreement read no text then). Once the text is read (and only then)
    /// these are `turns()`; one transcript always gives the same slice, so an index into it
    /// stays valid. Where the cache has no turns, the text is read.
    pub fn turn_spans(&self) -> &[Turn] {
        if let Some(turns) = self.unpacked_turns.get() {
            return turns;
        }
        if let Some(body) = self.body.get() {
            return &body.turns;
        }
        if let Some(turns) = self
            .packed_turns
            .as_deref()
            .and_then(super::transcript_cache::unpack_turns)
        {
            return self.unpacked_turns.get_or_init(|| turns);
        }
        self.turns()
    }

    /// The turn (of `turn_spans`) that holds character `ch`, or the nearest one before it.
    pub fn turn_span_at(&self, ch: usize) -> Option<(usize, &Turn)> {
        let turns = self.turn_spans();
        let i = match turns.binary_search_by(|t| t.start.cmp(&ch)) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        };
        turns.get(i).map(|t| (i, t))
    }

    /// Speaker of the turn at character `ch`, by `turn_spans` (the text is not read for it).
    pub fn speaker_of(&self, ch: usize) -> Option<&str> {
        self.turn_span_at(ch)
            .and_then(|(_, t)| t.speaker.as_deref())
    }

    /// Length in characters.
    pub fn len_chars(&self) -> usize {
        self.chars
    }

    /// Number of spoken words (speaker labels not counted).
    pub fn word_count(&self) -> usize {
        self.words
    }

    /// Byte offset of character `ch` (clamped to the end).
    pub fn byte_at(&self, ch: usize) -> usize {
        let b = self.body();
        if ch >= b.chars {
            return b.text.len();
        }
        if b.text.len() == b.chars {
            return ch; // all ASCII
        }
        let from = b.checkpoints[ch / STRIDE] as usize;
        let rest = ch % STRIDE;
        b.text[from..]
            .char_indices()
            .nth(rest)
            .map_or(b.text.len(), |(i, _)| from + i)
    }

    /// Character offset of byte `byte` (which must be on a character boundary, or is rounded down).
    pub fn char_at_byte(&self, byte: usize) -> usize {
        let b = self.body();
        if byte >= b.text.len() {
            return b.chars;
        }
        if b.text.len() == b.chars {
            return byte;
        }
        let block = match b.checkpoints.binary_search(&(byte as u32)) {
            Ok(i) => return i * STRIDE,
            Err(i) => i.saturating_sub(1),
        };
        let from = b.checkpoints[block] as usize;
        // Count characters that start before `byte` (a byte inside a character rounds down).
        let n = b.text[from..]
            .char_indices()
            .take_while(|(i, _)| from + i <= byte)
            .count();
        block * STRIDE + n.saturating_sub(1)
    }

    /// The text of a character range (clamped to the text).
    pub fn slice(&self, start: usize, end: usize) -> &str {
        let end = end.min(self.body().chars);
        let start = start.min(end);
        &self.text()[self.byte_at(start)..self.byte_at(end)]
    }

    /// Index of the turn containing character `ch`, or the nearest turn before it.
    pub fn turn_index_at(&self, ch: usize) -> Option<usize> {
        let turns = self.turns();
        if turns.is_empty() {
            return None;
        }
        Some(match turns.binary_search_by(|t| t.start.cmp(&ch)) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        })
    }

    /// Speaker of the turn at character `ch`.
    pub fn speaker_at(&self, ch: usize) -> Option<&str> {
        self.turn_index_at(ch)
            .and_then(|i| self.turns()[i].speaker.as_deref())
    }

    /// Character offsets of every occurrence of `needle`.
    pub fn find_all(&self, needle: &str) -> Vec<usize> {
        if needle.is_empty() {
            return Vec::new();
        }
        // Overlapping occurrences count too ("ja ja" occurs twice in "ja ja ja").
        let text = self.text();
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(p) = text[from..].find(needle) {
            let at = from + p;
            out.push(self.char_at_byte(at));
            from = at + text[at..].chars().next().map_or(1, char::len_utf8);
        }
        out
    }

    /// A stable 64-bit hash of the content (FNV-1a), to notice changed transcripts.
    pub fn content_hash(&self) -> u64 {
        *self.content.get_or_init(|| fnv1a(self.text().as_bytes()))
    }
}

impl Body {
    /// The body of a normalised text, and its number of spoken words.
    fn new(text: String) -> (Body, usize) {
        let mut checkpoints = Vec::with_capacity(text.len() / STRIDE + 1);
        let mut chars = 0;
        for (b, _) in text.char_indices() {
            if chars % STRIDE == 0 {
                checkpoints.push(u32::try_from(b).unwrap_or(u32::MAX));
            }
            chars += 1;
        }
        let turns = split_turns(&text);
        // Labels ("Interviewer 2:" is two tokens) and timestamps are not spoken words.
        let words = text.split_whitespace().count().saturating_sub(
            turns
                .iter()
                .map(|t| {
                    t.speaker
                        .as_deref()
                        .map_or(0, |s| s.split_whitespace().count())
                        + usize::from(t.timestamp.is_some())
                })
                .sum(),
        );
        (
            Body {
                text,
                checkpoints,
                chars,
                turns,
            },
            words,
        )
    }
}

/// Bytes that are no text file: a transcript saved as UTF-16 without byte order mark, a Word
/// file renamed to .txt, a file of zeros left by a crash. UTF-8 text never has a NUL byte.
pub fn not_text(bytes: &[u8]) -> Option<&'static str> {
    let nuls = bytes.iter().filter(|&&b| b == 0).count();
    if nuls == 0 {
        return None;
    }
    let utf16_bom = bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF");
    Some(if nuls == bytes.len() {
        "the file is all zero bytes (damaged by a crash or a failed copy?); restore it"
    } else if utf16_bom {
        "is UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8"
    } else if nuls * 3 >= bytes.len() {
        "looks like UTF-16 without a byte order mark (every other byte is 0): save it as UTF-8"
    } else {
        "contains NUL bytes: not a text file (a Word or PDF file renamed to .txt?); save it as \
         plain UTF-8 text"
    })
}

const STRIDE: usize = 64;

pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// The version hash of a normalised text (see `Transcript::version`).
pub fn version_of(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Strip a BOM, normalise CRLF and lone CR to LF, and compose to Unicode NFC: a file saved by a
/// Mac tool as NFD ("e" + combining diaeresis) must give the same characters, and so the same
/// offsets and the same quotes, as the NFC file it was made from.
pub fn normalise(raw: &str) -> String {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    let raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    let lf = if raw.contains('\r') {
        std::borrow::Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(raw)
    };
    match is_nfc_quick(lf.chars()) {
        IsNormalized::Yes => lf.into_owned(),
        _ => lf.nfc().collect(),
    }
}

/// Paragraphs are separated by blank lines; a single line break inside a paragraph does not
/// start a new turn, so that hard-wrapped transcripts still read as turns.
fn split_turns(text: &str) -> Vec<Turn> {
    let mut turns = Vec::new();
    let mut ch = 0usize;
    let mut para_start: Option<(usize, usize)> = None; // (char, byte)
    let mut last_nonblank_end = 0usize;
    let mut prev_line_blank = true;
    let mut byte = 0usize;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches('\n');
        let blank = content.trim().is_empty();
        let line_chars = content.chars().count();
        if blank {
            if let Some((s, sb)) = para_start.take() {
                turns.push(make_turn(text, s, sb, last_nonblank_end));
            }
        } else {
            if prev_line_blank && para_start.is_none() {
                para_start = Some((ch, byte));
            }
            last_nonblank_end = ch + line_chars;
        }
        prev_line_blank = blank;
        ch += line.chars().count();
        byte += line.len();
    }
    if let Some((s, sb)) = para_start {
        turns.push(make_turn(text, s, sb, last_nonblank_end));
    }
    turns
}

fn make_turn(text: &str, start: usize, start_byte: usize, end: usize) -> Turn {
    let para = &text[start_byte..];
    let (speaker, mut body_start, after) = match speaker_label(para) {
        Some((label, label_chars, label_bytes)) => {
            (Some(label), start + label_chars, &para[label_bytes..])
        }
        None => (None, start, para),
    };
    let first_line = after.split('\n').next().unwrap_or("");
    let timestamp = timestamp_prefix(first_line).map(|(secs, chars)| {
        body_start += chars;
        secs
    });
    Turn {
        speaker,
        start,
        end,
        body_start: body_start.min(end.max(start)),
        timestamp,
    }
}

/// A `[H:MM:SS]`, `[HH:MM:SS]` or `[MM:SS]` at the start of `s` (fractions `.mmm`/`,mmm`
/// allowed and dropped), with the spaces after it: (seconds, characters taken).
fn timestamp_prefix(s: &str) -> Option<(u32, usize)> {
    let inner = s.strip_prefix('[')?;
    let close = inner.find(']')?;
    let stamp = &inner[..close];
    let whole = stamp.split(['.', ',']).next()?;
    let fraction = &stamp[whole.len()..];
    if fraction.len() > 4 || !fraction.chars().skip(1).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let parts: Vec<&str> = whole.split(':').collect();
    let num = |p: &str, max_len: usize| -> Option<u32> {
        (!p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let secs = match parts.as_slice() {
        [h, m, sec] if m.len() == 2 && sec.len() == 2 => {
            num(h, 3)? * 3600
                + num(m, 2).filter(|m| *m < 60)? * 60
                + num(sec, 2).filter(|s| *s < 60)?
        }
        [m, sec] if sec.len() == 2 => num(m, 3)? * 60 + num(sec, 2).filter(|s| *s < 60)?,
        _ => return None,
    };
    let rest = &inner[close + 1..];
    let spaces = rest.chars().take_while(|c| *c == ' ').count();
    Some((secs, 1 + stamp.chars().count() + 1 + spaces))
}

/// `[00:12:31]`: how imported transcripts write a turn's time.
pub fn format_timestamp(seconds: u32) -> String {
    format!(
        "[{:02}:{:02}:{:02}]",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// Whether a speaker label is the interviewer's by the default labels (`I`, `Int`,
/// `Interviewer`, numbered or not: `Interviewer 2`), case ignored. `Interviewee` is not one, nor
/// is `Interne begeleider`; a turn without a label is not one either. Projects can declare their
/// own labels: use `Settings::is_interviewer` where the project is at hand.
pub fn is_interviewer(label: Option<&str>) -> bool {
    is_interviewer_among(label, &super::settings::DEFAULT_INTERVIEWER_LABELS)
}

/// Whether `label` is one of `labels` (case ignored), alone or numbered/lettered: with labels
/// `I` and `Interviewer`, `I 2`, `Interviewer2` and `Interviewer B` count, `Ina` does not.
pub fn is_interviewer_among(label: Option<&str>, labels: &[&str]) -> bool {
    let Some(label) = label else { return false };
    let l = label.trim().to_lowercase();
    labels.iter().any(|want| {
        let want = want.trim().to_lowercase();
        let Some(rest) = l.strip_prefix(want.as_str()) else {
            return false;
        };
        if want.is_empty() {
            return false;
        }
        // A suffix is a number or a short tag after a space: "2", " 2", " B"; not "na" of "Ina".
        let tag = rest.trim_start();
        rest.is_empty()
            || (tag.chars().count() <= 3
                && tag.chars().all(char::is_alphanumeric)
                && (rest.starts_with(' ') || tag.chars().all(|c| c.is_ascii_digit())))
    })
}

/// The speaker label a paragraph starts with, as turn splitting reads it.
pub fn leading_label(para: &str) -> Option<String> {
    speaker_label(para).map(|(label, _, _)| label)
}

/// A speaker label is a short run (two words at most) of letters, digits, spaces or dots before
/// a colon at the start of a paragraph: `I:`, `R:`, `Interviewer:`, `R2:`, `Interviewer 2:`.
/// Returns the label, and the characters and bytes up to the spoken text.
fn speaker_label(para: &str) -> Option<(String, usize, usize)> {
    let first_line = para.lines().next()?;
    let colon = first_line.find(':')?;
    let label = &first_line[..colon];
    let ok = !label.is_empty()
        && label.chars().count() <= 24
        && label
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || c == '.' || c == '-')
        && label.chars().next().is_some_and(char::is_alphanumeric)
        // "Interviewer 2", "Interne begeleider" are labels; "Dat zei hij: nee" is speech.
        && label.split_whitespace().count() <= 2;
    if !ok {
        return None;
    }
    let after = &first_line[colon + 1..];
    let spaces = after.chars().take_while(|c| *c == ' ').count();
    Some((
        label.trim().to_string(),
        label.chars().count() + 1 + spaces,
        colon + 1 + spaces,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Transcript {
        Transcript::from_bytes("T", Path::new("t.txt"), text.as_bytes()).unwrap()
    }

    #[test]
    fn bom_and_crlf_are_normalised() {
        let tr = t("\u{feff}I: Hallo.\r\n\r\nR: Dag, één coördinator.\r\n");
        assert_eq!(tr.text(), "I: Hallo.\n\nR: Dag, één coördinator.\n");
        assert_eq!(tr.turns().len(), 2);
    }

    #[test]
    fn nfd_text_is_composed_to_nfc() {
        let nfd = "R: e\u{301}e\u{301}n coo\u{308}rdinator\n";
        let tr = t(nfd);
        assert_eq!(tr.text(), "R: één coördinator\n");
        assert_eq!(tr.version(), t("R: één coördinator\n").version());
        assert_eq!(normalise("coo\u{308}rdinator"), "coördinator");
        assert_eq!(tr.version().len(), 64);
    }

    #[test]
    fn offsets_are_characters() {
        let tr = t("R: één coördinator\n");
        let at = tr.find_all("coördinator");
        assert_eq!(at, vec![7]);
        assert_eq!(tr.slice(7, 18), "coördinator");
        assert_eq!(tr.len_chars(), 19);
    }

    #[test]
    fn turns_have_speakers_and_bodies() {
        let tr = t("I: Vraag?\n\nR: Antwoord een\ntwee.\n\n\nZonder label.\n");
        assert_eq!(tr.turns().len(), 3);
        assert_eq!(tr.turns()[0].speaker.as_deref(), Some("I"));
        assert_eq!(
            tr.slice(tr.turns()[1].body_start, tr.turns()[1].end),
            "Antwoord een\ntwee."
        );
        assert_eq!(tr.turns()[2].speaker, None);
        assert_eq!(
            tr.slice(tr.turns()[2].start, tr.turns()[2].end),
            "Zonder label."
        );
        assert_eq!(tr.turn_index_at(tr.turns()[1].start + 3), Some(1));
        assert_eq!(tr.word_count(), 6);
    }

    #[test]
    fn timestamps_after_the_label_are_skipped_with_exact_offsets() {
        let tr = t(
            "I: [00:12:31] Eén vraag?\n\nR: [1:02:03.5]  Coördinator.\n\n[12:05] Geen label.\n\nR: [99:99] Geen tijd.\n",
        );
        let stamps: Vec<Option<u32>> = tr.turns().iter().map(|t| t.timestamp).collect();
        assert_eq!(stamps, vec![Some(751), Some(3723), Some(725), None]);
        assert_eq!(
            tr.slice(tr.turns()[0].body_start, tr.turns()[0].end),
            "Eén vraag?"
        );
        assert_eq!(
            tr.slice(tr.turns()[1].body_start, tr.turns()[1].end),
            "Coördinator."
        );
        assert_eq!(
            tr.slice(tr.turns()[2].body_start, tr.turns()[2].end),
            "Geen label."
        );
        assert_eq!(
            tr.slice(tr.turns()[3].body_start, tr.turns()[3].end),
            "[99:99] Geen tijd."
        );
        assert_eq!(tr.turns()[2].speaker, None);
        // Neither labels nor timestamps are spoken words.
        assert_eq!(tr.word_count(), 8);
        assert_eq!(t("Interviewer 2: Eén vraag.\n").word_count(), 2);
        assert_eq!(format_timestamp(3723), "[01:02:03]");
        let only = t("R: [00:00:01]\n");
        assert_eq!(only.turns()[0].body_start, only.turns()[0].end);
    }

    #[test]
    fn speaker_labels_are_short() {
        let tr = t("Interviewer 2: Vraag?\n\nDat zei hij: nee.\n\nInterne begeleider: ja\n");
        let labels: Vec<Option<&str>> = tr.turns().iter().map(|t| t.speaker.as_deref()).collect();
        assert_eq!(
            labels,
            vec![Some("Interviewer 2"), None, Some("Interne begeleider")]
        );
    }

    #[test]
    fn interviewer_labels() {
        for yes in [
            "I",
            "i",
            "Int",
            "INT",
            "Interviewer",
            "interviewer 2",
            "Interviewer2",
            "I 2",
        ] {
            assert!(is_interviewer(Some(yes)), "{yes}");
        }
        for no in [
            "R",
            "R2",
            "Interviewee",
            "Interne begeleider",
            "Ina",
            "Integrator",
            "Respondent",
        ] {
            assert!(!is_interviewer(Some(no)), "{no}");
        }
        assert!(!is_interviewer(None));
        assert!(is_interviewer_among(
            Some("Interviewer B"),
            &["Interviewer"]
        ));
        assert!(!is_interviewer_among(
            Some("Interviewers"),
            &["Interviewer"]
        ));
        assert!(!is_interviewer_among(Some("x"), &[""]));
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let mut bytes = b"I: ok\n\nR: ab".to_vec();
        bytes.push(0xff);
        let p = Transcript::from_bytes("T", Path::new("x.txt"), &bytes).unwrap_err();
        assert_eq!((p.line, p.column), (Some(3), Some(6)));
        assert!(p.message.contains("UTF-8"));
    }

    #[test]
    fn empty_transcript_is_an_error() {
        let p = Transcript::from_bytes("T", Path::new("x.txt"), b"\n \n").unwrap_err();
        assert!(p.message.contains("empty"));
    }

    proptest::proptest! {
        /// The sparse char <-> byte table agrees with a full one, on any text.
        #[test]
        fn char_byte_mapping_matches_a_full_table(text in "[a-zé€😀 \n]{0,300}") {
            let tr = Transcript::from_text("T", Path::new("t"), text.clone());
            let starts: Vec<usize> = text.char_indices().map(|(b, _)| b).chain([text.len()]).collect();
            proptest::prop_assert_eq!(tr.len_chars(), starts.len() - 1);
            for (ch, &b) in starts.iter().enumerate() {
                proptest::prop_assert_eq!(tr.byte_at(ch), b);
                proptest::prop_assert_eq!(tr.char_at_byte(b), ch);
            }
            for b in 0..text.len() {
                let expect = starts.iter().rposition(|&s| s <= b).unwrap();
                proptest::prop_assert_eq!(tr.char_at_byte(b), expect);
            }
        }
    }
}
