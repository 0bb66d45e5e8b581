//! The transcript cache, `.codewerk/transcripts.bin`: what a transcript is without its text
//! (length, word count, version, content hash, and its turns: where each starts and ends and
//! who speaks), per file, with the file's stamp when it was read. `Project::load_lazy` takes a transcript whose file has the same stamp from here and
//! reads its text only when it is used: at 10,000 transcripts (213 MB) that is the difference
//! between reading and hashing every text at start-up and one `stat` per file.
//!
//! A stamp is the size, the modification time in nanoseconds, the inode number and the status
//! change time (ctime): an editor that saves by writing a new file and renaming it over the old
//! one gives it a new inode even when size and time are kept (`cp -p`, a sync tool), and a
//! rewrite in place that puts the old modification time back (`cp -p` onto the file, `touch
//! -r`) still changes the ctime, which no program can set. It is `index::Stamp` plus these;
//! that type is not reused because the index's manifest serialises it. A file modified in the
//! two seconds before it was read is not cached (it may have changed while being read, within
//! the resolution of its time stamp), as for the index's stamps file.
//!
//! The cache is only ever a shortcut: an unreadable, truncated or foreign file is ignored and
//! every transcript read; a text read later is compared with the cached version
//! (`Transcript::read`).
//!
//! Layout, little-endian: the magic (format version in its last byte), a u32 count, then per
//! file: its name as respondents.csv gives it (u32 length, UTF-8), size u64, modification time
//! u128 ns, inode u64, status change time u128 ns, version (32 bytes, the SHA-256), content
//! hash u64, characters u64, words u64, the packed turns (u32 length, then `pack_turns`'
//! bytes; length 0: not known).
//!
//! The turns are what `stats` and the exports count by (a passage in an interviewer's turn is
//! not what the respondent said, and a quote names its speaker): kept here, those commands read
//! no text at all when every coding is vouched for by its version.

use super::fsutil;
use super::transcript::{Meta, Turn};
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The file's name in `.codewerk/`.
pub const FILE: &str = "transcripts.bin";

// Format 2 added the ctime, format 3 the turns; a cache of an older format is not read (every
// text is read once, and the cache written anew).
const MAGIC: &[u8; 8] = b"cwtrans\x03";

/// Files modified this long before they were read are trusted by their stamps.
const RACY: Duration = Duration::from_secs(2);

/// What tells that a file is the one that was read (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    pub size: u64,
    pub mtime_ns: u128,
    pub ino: u64,
    /// The status change time in ns (0 where the platform has none).
    pub ctime_ns: u128,
}

impl FileStamp {
    /// The stamp of an open file's metadata, where the platform gives its inode and status
    /// change time (none elsewhere: size and modification time alone do not tell every write
    /// apart).
    pub fn of(m: &std::fs::Metadata) -> Option<FileStamp> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let ns = |secs: i64, nanos: i64| {
                Some(u128::try_from(secs).ok()? * 1_000_000_000 + u128::try_from(nanos).ok()?)
            };
            Some(FileStamp {
                size: m.len(),
                mtime_ns: ns(m.mtime(), m.mtime_nsec())?,
                ino: m.ino(),
                ctime_ns: ns(m.ctime(), m.ctime_nsec())?,
            })
        }
        #[cfg(not(unix))]
        {
            let _ = m;
            None
        }
    }

    /// Whether a file with this stamp, read after `read_at` began, can be cached.
    pub fn trusted(&self, read_at: SystemTime) -> bool {
        // The modification time only: a write during the read that then puts an old time back
        // (`cp -p`) changes the ctime, so the entry made from the stamp taken before the read
        // never matches again.
        let nanos = u64::try_from(self.mtime_ns).unwrap_or(u64::MAX);
        UNIX_EPOCH + Duration::from_nanos(nanos) + RACY < read_at
    }
}

/// The cache as read from disk, or being filled for writing.
#[derive(Debug, Default)]
pub struct Cache {
    entries: HashMap<String, (FileStamp, Meta)>,
}

impl Cache {
    /// The cache in `cache_dir`; empty if there is none or it cannot be used.
    pub fn read(cache_dir: &Path) -> Cache {
        std::fs::read(cache_dir.join(FILE))
            .ok()
            .and_then(|b| decode(&b))
            .unwrap_or_default()
    }

    /// The cached metadata of `file` if its stamp is still `stamp`.
    pub fn get(&self, file: &str, stamp: &FileStamp) -> Option<Meta> {
        self.entries
            .get(file)
            .filter(|(s, _)| s == stamp)
            .map(|(_, m)| m.clone())
    }

    pub fn insert(&mut self, file: &str, stamp: FileStamp, meta: Meta) {
        self.entries.insert(file.to_string(), (stamp, meta));
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drop the cache in `cache_dir`: a text read late was not the one a stamp vouched for
    /// (rewritten in place within its time stamp), so no stamp is trusted until every text
    /// was read and checked again by the next load.
    pub fn forget(cache_dir: &Path) {
        // Nothing to drop, or it cannot be: the late text is reported either way.
        let _ = std::fs::remove_file(cache_dir.join(FILE));
    }

    /// Write it to `cache_dir` atomically (a reader sees the old cache or the new one).
    pub fn write(&self, cache_dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(cache_dir)?;
        fsutil::write_atomic(&cache_dir.join(FILE), &self.encode())
    }

    fn encode(&self) -> Vec<u8> {
        let mut names: Vec<&String> = self.entries.keys().collect();
        names.sort();
        let mut out = Vec::with_capacity(12 + names.len() * 120);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&u32::try_from(names.len()).unwrap_or(0).to_le_bytes());
        for name in names.iter().take(u32::MAX as usize) {
            let Some((s, m)) = self.entries.get(*name) else {
                continue;
            };
            out.extend_from_slice(&u32::try_from(name.len()).unwrap_or(0).to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&s.size.to_le_bytes());
            out.extend_from_slice(&s.mtime_ns.to_le_bytes());
            out.extend_from_slice(&s.ino.to_le_bytes());
            out.extend_from_slice(&s.ctime_ns.to_le_bytes());
            out.extend_from_slice(&hex32(&m.version).unwrap_or([0; 32]));
            out.extend_from_slice(&m.content.to_le_bytes());
            out.extend_from_slice(&(m.chars as u64).to_le_bytes());
            out.extend_from_slice(&(m.words as u64).to_le_bytes());
            let turns = m.turns.as_deref().unwrap_or_default();
            match u32::try_from(turns.len()) {
                Ok(n) => {
                    out.extend_from_slice(&n.to_le_bytes());
                    out.extend_from_slice(turns);
                }
                Err(_) => out.extend_from_slice(&0u32.to_le_bytes()),
            }
        }
        out
    }
}

/// None unless `bytes` are a whole cache of this format.
fn decode(bytes: &[u8]) -> Option<Cache> {
    let mut r = bytes.strip_prefix(MAGIC)?;
    let n = u32::from_le_bytes(take(&mut r)?) as usize;
    // Each entry is at least 112 bytes: a count larger than the file allows is garbage.
    if n > r.len() / 112 {
        return None;
    }
    let mut entries = HashMap::with_capacity(n);
    for _ in 0..n {
        let len = u32::from_le_bytes(take(&mut r)?) as usize;
        let name = std::str::from_utf8(r.get(..len)?).ok()?.to_string();
        r = &r[len..];
        let stamp = FileStamp {
            size: u64::from_le_bytes(take(&mut r)?),
            mtime_ns: u128::from_le_bytes(take(&mut r)?),
            ino: u64::from_le_bytes(take(&mut r)?),
            ctime_ns: u128::from_le_bytes(take(&mut r)?),
        };
        let version: [u8; 32] = take(&mut r)?;
        let meta = Meta {
            version: version.iter().map(|b| format!("{b:02x}")).collect(),
            content: u64::from_le_bytes(take(&mut r)?),
            chars: usize::try_from(u64::from_le_bytes(take(&mut r)?)).ok()?,
            words: usize::try_from(u64::from_le_bytes(take(&mut r)?)).ok()?,
            turns: {
                let len = u32::from_le_bytes(take(&mut r)?) as usize;
                let packed = r.get(..len)?;
                r = &r[len..];
                (len > 0).then(|| std::sync::Arc::from(packed))
            },
        };
        entries.insert(name, (stamp, meta));
    }
    r.is_empty().then_some(Cache { entries })
}

/// A transcript's turns in a few bytes each: the distinct speaker labels once, then per turn
/// LEB128 numbers: its start after the previous turn's start, its length, where its spoken
/// text starts, its label (0: none, else 1 + its place in the labels) and its timestamp (0:
/// none, else 1 + seconds). About 6 bytes a turn, against 56 in memory: the cache is read by
/// every lazy load, and a turn's table is unpacked only when asked for (`Transcript::turn_spans`).
/// None if a turn is not in order (never from `split_turns`).
pub fn pack_turns(turns: &[Turn]) -> Option<Vec<u8>> {
    let mut labels: Vec<&str> = Vec::new();
    for t in turns {
        if let Some(l) = t.speaker.as_deref()
            && !labels.contains(&l)
        {
            labels.push(l);
        }
    }
    let mut out = Vec::with_capacity(8 + turns.len() * 6);
    put(&mut out, labels.len() as u64);
    for l in &labels {
        put(&mut out, l.len() as u64);
        out.extend_from_slice(l.as_bytes());
    }
    put(&mut out, turns.len() as u64);
    let mut prev = 0;
    for t in turns {
        put(&mut out, t.start.checked_sub(prev)? as u64);
        put(&mut out, t.end.checked_sub(t.start)? as u64);
        put(&mut out, t.body_start.checked_sub(t.start)? as u64);
        let label = t
            .speaker
            .as_deref()
            .and_then(|l| labels.iter().position(|x| *x == l))
            .map_or(0, |i| i as u64 + 1);
        put(&mut out, label);
        put(&mut out, t.timestamp.map_or(0, |s| u64::from(s) + 1));
        prev = t.start;
    }
    Some(out)
}

/// The turns `pack_turns` packed; None if the bytes are not such a table.
pub fn unpack_turns(mut r: &[u8]) -> Option<Vec<Turn>> {
    let n = usize::try_from(get(&mut r)?).ok()?;
    let mut labels: Vec<String> = Vec::with_capacity(n.min(r.len()));
    for _ in 0..n {
        let len = usize::try_from(get(&mut r)?).ok()?;
        labels.push(std::str::from_utf8(r.get(..len)?).ok()?.to_string());
        r = &r[len..];
    }
    let n = usize::try_from(get(&mut r)?).ok()?;
    // Each turn is at least 5 bytes.
    if n > r.len() / 5 {
        return None;
    }
    let mut turns = Vec::with_capacity(n);
    let mut prev = 0usize;
    for _ in 0..n {
        let mut num = || get(&mut r).and_then(|v| usize::try_from(v).ok());
        let start = prev.checked_add(num()?)?;
        let end = start.checked_add(num()?)?;
        let body_start = start.checked_add(num()?)?;
        let speaker = match num()? {
            0 => None,
            i => Some(labels.get(i - 1)?.clone()),
        };
        let timestamp = match num()? {
            0 => None,
            s => Some(u32::try_from(s - 1).ok()?),
        };
        turns.push(Turn {
            speaker,
            start,
            end,
            body_start,
            timestamp,
        });
        prev = start;
    }
    r.is_empty().then_some(turns)
}

/// LEB128: seven bits a byte, low bits first, the high bit set on all but the last.
fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get(r: &mut &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = r.split_first()?;
        *r = rest;
        v |= u64::from(b & 0x7f).checked_shl(shift)?;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

fn take<const N: usize>(r: &mut &[u8]) -> Option<[u8; N]> {
    let (head, rest) = r.split_first_chunk::<N>()?;
    *r = rest;
    Some(*head)
}

/// The 32 bytes of a SHA-256 in hex.
fn hex32(hex: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if hex.len() != 64 {
        return None;
    }
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// A folder whose files are stamped by name relative to it: the kernel looks up one name per
/// file instead of walking the whole path (as `index::fresh` does for its stamps).
pub struct Folder {
    #[cfg(unix)]
    fd: std::fs::File,
    #[cfg(not(unix))]
    path: std::path::PathBuf,
}

impl Folder {
    pub fn open(path: &Path) -> std::io::Result<Folder> {
        #[cfg(unix)]
        {
            Ok(Folder {
                fd: std::fs::File::open(path)?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Folder {
                path: path.to_path_buf(),
            })
        }
    }

    /// The stamp of `name` in the folder, symbolic links followed; None if it has none.
    pub fn stamp(&self, name: &str) -> Option<FileStamp> {
        #[cfg(unix)]
        {
            let st = rustix::fs::statat(&self.fd, name, rustix::fs::AtFlags::empty()).ok()?;
            let secs = u128::try_from(st.st_mtime).ok()?;
            // u64 on Linux, i64 elsewhere.
            #[allow(clippy::unnecessary_fallible_conversions)]
            let nanos = u128::try_from(st.st_mtime_nsec).ok()?;
            let csecs = u128::try_from(st.st_ctime).ok()?;
            #[allow(clippy::unnecessary_fallible_conversions)]
            let cnanos = u128::try_from(st.st_ctime_nsec).ok()?;
            #[allow(clippy::useless_conversion)]
            Some(FileStamp {
                size: u64::try_from(st.st_size).ok()?,
                mtime_ns: secs * 1_000_000_000 + nanos,
                ino: u64::from(st.st_ino),
                ctime_ns: csecs * 1_000_000_000 + cnanos,
            })
        }
        #[cfg(not(unix))]
        {
            let m = std::fs::metadata(self.path.join(name)).ok()?;
            let mtime_ns = m
                .modified()
                .ok()?
                .duration_since(UNIX_EPOCH)
                .ok()?
                .as_nanos();
            // No inode number through std here: size and time only.
            Some(FileStamp {
                size: m.len(),
                mtime_ns,
                ino: 0,
                ctime_ns: 0,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::transcript::Transcript;

    fn transcript(text: &str) -> Transcript {
        Transcript::from_text("t", std::path::Path::new("t.txt"), text.to_string())
    }

    fn meta(n: usize) -> Meta {
        let t = transcript(&format!(
            "I: Vraag {n}?\n\nR2: [00:01:02] Antwoord, coördinator.\n\nzonder label"
        ));
        Meta {
            chars: n,
            words: n / 5,
            version: format!("{:064x}", n * 7919),
            content: n as u64 * 31,
            turns: pack_turns(t.turns()).map(std::sync::Arc::from),
        }
    }

    /// Labels met again, none, numbered, with a timestamp, hard-wrapped lines, diacritics and a
    /// turn far into a long text (offsets of several LEB128 bytes).
    const TURNS: &str = "I: Hoe gaat het?\n\nR: Goed, één ding:\nde coördinator.\n\nzonder \
        label\n\nInterviewer 2: [01:02:03] En nu?\n\nR: ja\n\n";

    #[test]
    fn turns_are_unpacked_as_they_were_packed() {
        let long = format!("{TURNS}R: {}\n\nI: eind?", "woord ".repeat(40_000));
        for text in [TURNS, &long, "R: één turn", "geen labels"] {
            let t = transcript(text);
            let packed = pack_turns(t.turns()).unwrap();
            assert_eq!(unpack_turns(&packed).unwrap(), t.turns(), "{text:.40}");
            // A cut or lengthened table is no table (the cache then reads the text).
            for cut in 0..packed.len() {
                assert_eq!(unpack_turns(&packed[..cut]), None, "cut at {cut}");
            }
            let mut more = packed.clone();
            more.push(0);
            assert_eq!(unpack_turns(&more), None);
        }
    }

    #[test]
    fn an_unread_transcript_knows_its_turns_from_the_cache_without_its_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.txt");
        std::fs::write(&path, TURNS).unwrap();
        let full = transcript(TURNS);
        let lazy = Transcript::unread("t", &path, full.meta());
        assert_eq!(lazy.turn_spans(), full.turns());
        assert_eq!(lazy.speaker_of(40), full.speaker_at(40));
        assert!(
            !lazy.is_read(),
            "the turns are known without reading the text"
        );
        // Without turns in the cache (a table that does not unpack), the text is read for them.
        let mut meta = full.meta();
        meta.turns = Some(std::sync::Arc::from(&b"\xff"[..]));
        let broken = Transcript::unread("t", &path, meta);
        assert_eq!(broken.turn_spans(), full.turns());
        assert!(broken.is_read());
    }

    #[test]
    fn what_is_written_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Cache::default();
        let s = FileStamp {
            size: 10,
            mtime_ns: 1_700_000_000_123_456_789,
            ino: 42,
            ctime_ns: 1_700_000_001_000_000_000,
        };
        c.insert("a.txt", s, meta(100));
        c.insert("sub/één.txt", FileStamp { ino: 43, ..s }, meta(7));
        c.write(dir.path()).unwrap();
        let back = Cache::read(dir.path());
        assert_eq!(back.len(), 2);
        assert_eq!(back.get("a.txt", &s), Some(meta(100)));
        assert_eq!(
            back.get("sub/één.txt", &FileStamp { ino: 43, ..s }),
            Some(meta(7))
        );
        // Any part of the stamp differing: not vouched for.
        for other in [
            FileStamp { size: 11, ..s },
            FileStamp {
                mtime_ns: s.mtime_ns + 1,
                ..s
            },
            FileStamp { ino: 41, ..s },
            FileStamp {
                ctime_ns: s.ctime_ns + 1,
                ..s
            },
        ] {
            assert_eq!(back.get("a.txt", &other), None);
        }
    }

    #[test]
    fn garbage_truncation_and_trailing_bytes_are_no_cache() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Cache::default();
        let s = FileStamp {
            size: 1,
            mtime_ns: 2,
            ino: 3,
            ctime_ns: 4,
        };
        c.insert("a.txt", s, meta(5));
        let bytes = c.encode();
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        let mut more = bytes.clone();
        more.push(0);
        assert!(decode(&more).is_none());
        std::fs::write(dir.path().join(FILE), b"not a cache at all").unwrap();
        assert!(Cache::read(dir.path()).is_empty());
    }
}
