//! The stamps file, `codewerk-sources.bin` next to the manifest: what `fresh` needs to trust
//! the index without loading the project, in one small binary file read in one pass.
//!
//! Every search that skips loading the project reads it, so it holds no more than that check
//! needs and costs no allocation per transcript to read: the names are borrowed from the
//! file's bytes. Kept out of the JSON manifest, whose 1.2 MB at 10,000 transcripts took longer
//! to parse than the rest of such a search. It records the hash of tantivy's `meta.json` it was
//! written for: any commit to the index (by this or another codewerk) changes `meta.json`, so
//! the stamps of an older state of the index are never taken for this one.
//!
//! The journals are not in it: the index holds nothing of them (see `schema`), so coding leaves
//! it fresh. A search with a code filter needs the codings too, and reads them from the
//! codings file (`CodingsFile`, `codewerk-codings.bin`), valid while the journals are as they
//! were when it was written.
//!
//! Layout, little-endian: the magic (format version in its last byte); the schema version
//! (u32); the hash of `meta.json` (u64); then lists, each a u32 count followed by its items:
//! the index's segment files (name, stamp), the other project files (path, flag, stamp if the
//! flag is 1, i.e. the file existed); the end of respondents.csv's header
//! (u32); the transcripts sorted by id (id, file, flag and stamp, content hash u64, flag and
//! if 1 the row's span in respondents.csv: start, end, line, u32 each). A string is a u32
//! length and UTF-8 bytes; a stamp a u64 size and a u128 modification time in nanoseconds.
//! Anything else (a short file, trailing bytes, bad UTF-8) is unreadable, which means: load
//! the project.

use super::Stamp;

/// The file's name in the index folder.
pub(super) const FILE: &str = "codewerk-sources.bin";

const MAGIC: &[u8; 8] = b"cwstamp\x02";

/// The codings file's name in the index folder.
pub(super) const CODINGS_FILE: &str = "codewerk-codings.bin";

const CODINGS_MAGIC: &[u8; 8] = b"cwcoded\x01";

/// One transcript as the index was made from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TranscriptStamp<'a> {
    pub id: &'a str,
    /// The file name in `transcripts/`, as respondents.csv gives it.
    pub file: &'a str,
    /// None: stamped too close to its load, or no modification time; checked by hash.
    pub stamp: Option<Stamp>,
    /// `Transcript::content_hash` of the indexed text.
    pub content: u64,
    /// Where its row is in respondents.csv; None if not known.
    pub row: Option<RowSpan>,
}

/// A record of respondents.csv: bytes `start..end` of the file, starting on line `line`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct RowSpan {
    pub start: u32,
    pub end: u32,
    pub line: u32,
}

/// The files an index state was made from (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stamps<'a> {
    pub schema_version: u32,
    /// `fnv1a` of the index's `meta.json` when these were recorded.
    pub meta_hash: u64,
    /// The manifest's segment files, checked as a full open checks them.
    pub segments: Vec<(&'a str, Stamp)>,
    /// Every other file read, by path relative to the project root; None: it did not exist.
    pub files: Vec<(&'a str, Option<Stamp>)>,
    /// End of respondents.csv's header (it starts the file): with a row's span, what reads the
    /// row alone.
    pub header_end: u32,
    /// Sorted by id, to find a hit's respondent row.
    pub transcripts: Vec<TranscriptStamp<'a>>,
}

impl<'a> Stamps<'a> {
    pub fn encode(&self) -> Vec<u8> {
        let names: usize = self
            .transcripts
            .iter()
            .map(|t| t.id.len() + t.file.len())
            .sum();
        let mut w = Writer(Vec::with_capacity(64 + names + self.transcripts.len() * 41));
        w.0.extend_from_slice(MAGIC);
        w.u32(self.schema_version);
        w.u64(self.meta_hash);
        w.len(self.segments.len());
        for (name, stamp) in &self.segments {
            w.str(name);
            w.stamp(stamp);
        }
        w.len(self.files.len());
        for (path, stamp) in &self.files {
            w.str(path);
            w.opt_stamp(stamp.as_ref());
        }
        w.u32(self.header_end);
        w.len(self.transcripts.len());
        for t in &self.transcripts {
            w.str(t.id);
            w.str(t.file);
            w.opt_stamp(t.stamp.as_ref());
            w.u64(t.content);
            match t.row {
                Some(row) => {
                    w.0.push(1);
                    w.u32(row.start);
                    w.u32(row.end);
                    w.u32(row.line);
                }
                None => w.0.push(0),
            }
        }
        w.0
    }

    /// None if the bytes are not a stamps file of this format, whole.
    pub fn decode(bytes: &'a [u8]) -> Option<Stamps<'a>> {
        let mut r = Reader(bytes.strip_prefix(MAGIC)?);
        let schema_version = r.u32()?;
        let meta_hash = r.u64()?;
        let n = r.len(8 + 4 + 24)?;
        let mut segments = Vec::with_capacity(n);
        for _ in 0..n {
            segments.push((r.str()?, r.stamp()?));
        }
        let n = r.len(4 + 1)?;
        let mut files = Vec::with_capacity(n);
        for _ in 0..n {
            files.push((r.str()?, r.opt_stamp()?));
        }
        let header_end = r.u32()?;
        let n = r.len(4 + 4 + 1 + 8 + 1)?;
        let mut transcripts = Vec::with_capacity(n);
        for _ in 0..n {
            transcripts.push(TranscriptStamp {
                id: r.str()?,
                file: r.str()?,
                stamp: r.opt_stamp()?,
                content: r.u64()?,
                row: match r.take::<1>()? {
                    [0] => None,
                    [1] => Some(RowSpan {
                        start: r.u32()?,
                        end: r.u32()?,
                        line: r.u32()?,
                    }),
                    _ => return None,
                },
            });
        }
        r.0.is_empty().then_some(Stamps {
            schema_version,
            meta_hash,
            segments,
            files,
            header_end,
            transcripts,
        })
    }
}

/// The codings of a load without errors, for a search with a code filter that does not load
/// the project: who coded what where (codings flagged for review left out, merged codes as the
/// code they went into), and the files they were read from.
///
/// Layout, little-endian, as the stamps file's: the magic; the hash (u64) of the stamps file it
/// was written with (a codings file of another load is never taken for this one); the files
/// (path, flag, stamp if 1): the journals and the snapshots folder; the journals' names in
/// `codings/`; the coders, codes and transcripts named (strings); the codings, five u32 each:
/// coder, code and transcript (positions in those lists), start, end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CodingsFile<'a> {
    pub stamps_hash: u64,
    pub files: Vec<(&'a str, Option<Stamp>)>,
    pub journals: Vec<&'a str>,
    pub coders: Vec<&'a str>,
    pub codes: Vec<&'a str>,
    pub transcripts: Vec<&'a str>,
    /// `[coder, code, transcript, start, end]`, every position within its list.
    pub codings: Vec<[u32; 5]>,
}

impl<'a> CodingsFile<'a> {
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(64 + self.codings.len() * 20));
        w.0.extend_from_slice(CODINGS_MAGIC);
        w.u64(self.stamps_hash);
        w.len(self.files.len());
        for (path, stamp) in &self.files {
            w.str(path);
            w.opt_stamp(stamp.as_ref());
        }
        for list in [&self.journals, &self.coders, &self.codes, &self.transcripts] {
            w.len(list.len());
            for s in list {
                w.str(s);
            }
        }
        w.len(self.codings.len());
        for c in &self.codings {
            for n in c {
                w.u32(*n);
            }
        }
        w.0
    }

    /// None if the bytes are not a codings file of this format, whole and consistent.
    pub fn decode(bytes: &'a [u8]) -> Option<CodingsFile<'a>> {
        let mut r = Reader(bytes.strip_prefix(CODINGS_MAGIC)?);
        let stamps_hash = r.u64()?;
        let n = r.len(4 + 1)?;
        let mut files = Vec::with_capacity(n);
        for _ in 0..n {
            files.push((r.str()?, r.opt_stamp()?));
        }
        let mut strings = || -> Option<Vec<&'a str>> {
            let n = r.len(4)?;
            (0..n).map(|_| r.str()).collect()
        };
        let journals = strings()?;
        let coders = strings()?;
        let codes = strings()?;
        let transcripts = strings()?;
        let n = r.len(20)?;
        let mut codings = Vec::with_capacity(n);
        let within = |i: u32, list: &[&str]| usize::try_from(i).is_ok_and(|i| i < list.len());
        for _ in 0..n {
            let c = [r.u32()?, r.u32()?, r.u32()?, r.u32()?, r.u32()?];
            if !(within(c[0], &coders) && within(c[1], &codes) && within(c[2], &transcripts)) {
                return None;
            }
            codings.push(c);
        }
        r.0.is_empty().then_some(CodingsFile {
            stamps_hash,
            files,
            journals,
            coders,
            codes,
            transcripts,
            codings,
        })
    }
}

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, n: u32) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }
    fn u64(&mut self, n: u64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }
    /// Counts and lengths are u32: a project file list or name over 4 G is no project.
    fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }
    fn stamp(&mut self, s: &Stamp) {
        self.u64(s.size);
        self.0.extend_from_slice(&s.mtime_ns.to_le_bytes());
    }
    fn opt_stamp(&mut self, s: Option<&Stamp>) {
        match s {
            Some(s) => {
                self.0.push(1);
                self.stamp(s);
            }
            None => self.0.push(0),
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }
    fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }
    /// A count of items of at least `min` bytes each: one the rest of the file cannot hold is
    /// damage, not a reason to reserve gigabytes.
    fn len(&mut self, min: usize) -> Option<usize> {
        let n = usize::try_from(self.u32()?).ok()?;
        (n.checked_mul(min)? <= self.0.len()).then_some(n)
    }
    fn str(&mut self) -> Option<&'a str> {
        let n = self.len(1)?;
        let (s, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        std::str::from_utf8(s).ok()
    }
    fn stamp(&mut self) -> Option<Stamp> {
        Some(Stamp {
            size: self.u64()?,
            mtime_ns: u128::from_le_bytes(self.take()?),
        })
    }
    fn opt_stamp(&mut self) -> Option<Option<Stamp>> {
        match self.take::<1>()? {
            [0] => Some(None),
            [1] => self.stamp().map(Some),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(size: u64, mtime_ns: u128) -> Stamp {
        Stamp { size, mtime_ns }
    }

    fn sample() -> Stamps<'static> {
        Stamps {
            schema_version: 2,
            meta_hash: 0xdead_beef,
            segments: vec![("abc.idx", stamp(10, 1_700_000_000_123_456_789))],
            files: vec![
                ("project.json", Some(stamp(281, 5))),
                ("codebook/codebook.json", None),
            ],
            header_end: 40,
            transcripts: vec![
                TranscriptStamp {
                    id: "coördinator-1",
                    file: "coördinator 1.txt",
                    stamp: Some(stamp(21_000, u128::from(u64::MAX) + 7)),
                    content: 42,
                    row: Some(RowSpan {
                        start: 40,
                        end: 90,
                        line: 2,
                    }),
                },
                TranscriptStamp {
                    id: "één",
                    file: "één.txt",
                    stamp: None,
                    content: u64::MAX,
                    row: None,
                },
            ],
        }
    }

    #[test]
    fn what_is_written_reads_back_the_same() {
        let s = sample();
        let bytes = s.encode();
        assert_eq!(Stamps::decode(&bytes), Some(s));
        let empty = Stamps {
            segments: vec![],
            files: vec![],
            transcripts: vec![],
            ..sample()
        };
        assert_eq!(Stamps::decode(&empty.encode()), Some(empty));
    }

    #[test]
    fn a_damaged_file_is_unreadable_never_a_panic() {
        let bytes = sample().encode();
        // Every truncation, one byte more, and every single-byte change that breaks the format.
        for n in 0..bytes.len() {
            assert_eq!(Stamps::decode(&bytes[..n]), None, "cut at {n}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Stamps::decode(&longer), None);
        let mut other = bytes.clone();
        other[7] = 1;
        assert_eq!(Stamps::decode(&other), None, "another format version");
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] = 0xff;
            let _ = Stamps::decode(&b);
        }
        // A count far beyond the file reserves nothing.
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&[0; 12]);
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(Stamps::decode(&huge), None);
    }

    fn codings_sample() -> CodingsFile<'static> {
        CodingsFile {
            stamps_hash: 0x1234,
            files: vec![
                ("codings/student.jsonl", Some(stamp(700, 9))),
                ("codings/versions", None),
            ],
            journals: vec!["student.jsonl"],
            coders: vec!["student"],
            codes: vec!["meldcode", "zorgcoördinator"],
            transcripts: vec!["T00001", "één"],
            codings: vec![[0, 0, 0, 10, 20], [0, 1, 1, 0, 3]],
        }
    }

    #[test]
    fn a_codings_file_reads_back_the_same_and_damage_is_unreadable() {
        let c = codings_sample();
        let bytes = c.encode();
        assert_eq!(CodingsFile::decode(&bytes), Some(c));
        for n in 0..bytes.len() {
            assert_eq!(CodingsFile::decode(&bytes[..n]), None, "cut at {n}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(CodingsFile::decode(&longer), None);
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] = 0xff;
            let _ = CodingsFile::decode(&b);
        }
        // A coding naming a code the file does not list is damage, not an index out of range.
        let bad = CodingsFile {
            codings: vec![[0, 2, 0, 10, 20]],
            ..codings_sample()
        };
        assert_eq!(CodingsFile::decode(&bad.encode()), None);
        // The stamps file is not a codings file, nor the other way round.
        assert_eq!(CodingsFile::decode(&sample().encode()), None);
        assert_eq!(Stamps::decode(&bytes), None);
    }
}
