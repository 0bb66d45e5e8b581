//! The write side: the journal file, its lock, and appending actions durably.

use super::op::{Op, Record};
use super::passage::CodingId;
use super::state::{CoderState, Logged, fresh, line_key};
use crate::core::fsutil;
use crate::core::transcript_cache::FileStamp;
use crate::core::versions::Snapshots;
use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error(
        "coder \"{coder}\" is already open in another codewerk (pid {pid}); \
         close it first, or open as another coder"
    )]
    Locked { coder: String, pid: String },
    #[error("invalid coder name \"{0}\": use letters, digits, '-', '_' or '.'")]
    BadCoder(String),
    /// The OS error is part of the message and deliberately not a `source`: printed with its
    /// causes (`{:#}`), it would otherwise appear twice.
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error(
        "{0} is a symbolic link; codewerk refuses to write through it (it would change the file \
         it points to): replace it with a file of its own"
    )]
    Symlink(PathBuf),
    /// Replay would skip it (an error), so it is refused before anything is written.
    #[error("a coding of \"{transcript}\" at {start}..{end} would be empty; nothing was recorded")]
    EmptyCoding {
        transcript: String,
        start: usize,
        end: usize,
    },
    /// The quote is not as long as its offsets say: it cannot be the words it claims to be on.
    #[error(
        "a coding of \"{transcript}\" at {start}..{end} quotes {chars} characters, not {}; \
         nothing was recorded",
        end - start
    )]
    QuoteMismatch {
        transcript: String,
        start: usize,
        end: usize,
        chars: usize,
    },
    /// Appending to our handle would write into a file that is no longer the journal (a `git
    /// checkout`, a sync tool), and the coding would be lost at exit.
    #[error(
        "{0} was changed on disk by another program since codewerk read it; nothing was \
         written: quit and reopen codewerk to continue"
    )]
    ChangedOnDisk(PathBuf),
    #[error(
        "{0} could not be repaired after a failed write; nothing was written: quit and reopen \
         codewerk"
    )]
    Broken(PathBuf),
    #[error("a journal line could not be written as JSON: {0}")]
    Serialise(#[from] serde_json::Error),
    /// The text of the transcript version a coding is made on could not be kept.
    #[error("{0}")]
    Snapshot(std::io::Error),
}

/// Callers that report journal writes as I/O (the file-format importers) keep the typed error
/// inside: `io::Error::get_ref` gives it back.
impl From<JournalError> for std::io::Error {
    fn from(e: JournalError) -> std::io::Error {
        match e {
            JournalError::Io { err, .. } => err,
            other => std::io::Error::other(other),
        }
    }
}

/// The write side of a coder's journal. Holds the coder's lock while it lives.
#[derive(Debug)]
pub struct Journal {
    pub path: PathBuf,
    /// None until the first action creates the journal.
    file: Option<File>,
    _lock: File,
    pub state: CoderState,
    identity: Option<(u64, u64)>,
    /// A failed write left bytes that could not be cut off: no more writes.
    broken: bool,
    /// Where the texts of the versions that lines refer to are kept (set by
    /// `Project::open_journal`); None: not checked.
    snapshots: Option<Snapshots>,
    /// The state was taken from a load (`open_known`), not read again.
    reused: bool,
}

pub fn journal_path(codings_dir: &Path, coder: &str) -> PathBuf {
    codings_dir.join(format!("{coder}.jsonl"))
}

pub fn valid_coder(coder: &str) -> bool {
    !coder.is_empty()
        && !coder.starts_with('.')
        && coder
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl Journal {
    /// Lock the coder's journal for writing and read it.
    pub fn open(codings_dir: &Path, coder: &str) -> Result<Journal, JournalError> {
        Journal::open_known(codings_dir, coder, None)
    }

    /// As `open`; `known` is the coder's state as a load read it (`CoderState::load`). If the
    /// file is still as it was then (same inode, size, modification and status change time),
    /// that state is taken instead of reading and replaying the journal again: at 185,000
    /// codings that second read was most of the TUI's start. `reused` says which it was.
    pub fn open_known(
        codings_dir: &Path,
        coder: &str,
        known: Option<&CoderState>,
    ) -> Result<Journal, JournalError> {
        if !valid_coder(coder) {
            return Err(JournalError::BadCoder(coder.to_string()));
        }
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |err| JournalError::Io { path, err }
        };
        if !codings_dir.exists() {
            fs::create_dir_all(codings_dir).map_err(io(codings_dir))?;
            // The new folder itself must survive a power cut, not only the files in it.
            if let Some(parent) = codings_dir.parent() {
                fsutil::sync_dir(parent).map_err(io(parent))?;
            }
        }
        let lock_path = codings_dir.join(format!(".{coder}.lock"));
        let path = journal_path(codings_dir, coder);
        for p in [&lock_path, &path, &path.with_extension("jsonl.torn")] {
            if fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(JournalError::Symlink(p.clone()));
            }
        }
        let mut lock = fsutil::no_follow(
            OpenOptions::new()
                .create(true)
                .truncate(false)
                .read(true)
                .write(true),
        )
        .open(&lock_path)
        .map_err(io(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&lock_path)(e)),
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = lock.read_to_string(&mut pid);
                let pid = pid.trim().to_string();
                return Err(JournalError::Locked {
                    coder: coder.to_string(),
                    pid,
                });
            }
        }
        lock.set_len(0).map_err(io(&lock_path))?;
        write!(lock, "{}", std::process::id()).map_err(io(&lock_path))?;
        let _ = lock.sync_data();

        // The journal is created by the first action, not by opening: a coder who only looked
        // does not show up as a coder with an empty journal.
        if !path.exists() {
            return Ok(Journal {
                path,
                file: None,
                _lock: lock,
                state: CoderState::new(coder),
                identity: None,
                broken: false,
                snapshots: None,
                reused: false,
            });
        }
        let mut file = fsutil::open_append(&path).map_err(io(&path))?;
        let meta = file.metadata().map_err(io(&path))?;
        if let Some(known) = known.filter(|k| {
            k.coder == coder
                && k.read_as.is_some()
                && k.read_as == FileStamp::of(&meta)
                && k.valid_len == meta.len()
                && !k.needs_newline
        }) {
            let mut state = known.clone();
            // Said by the load already.
            state.warnings.clear();
            return Ok(Journal {
                path,
                file: Some(file),
                _lock: lock,
                state,
                identity: Some(file_identity(&meta)),
                broken: false,
                snapshots: None,
                reused: true,
            });
        }
        let mut bytes = Vec::new();
        file.seek(SeekFrom::Start(0)).map_err(io(&path))?;
        file.read_to_end(&mut bytes).map_err(io(&path))?;
        let mut state = CoderState::replay(&path, coder, &bytes);
        if (state.valid_len as usize) < bytes.len() {
            // Keep the torn fragment for the audit trail, then cut it off so that new lines
            // start on a line of their own.
            let torn = path.with_extension("jsonl.torn");
            let mut f = fsutil::open_append(&torn).map_err(io(&torn))?;
            fsutil::append_durable(&mut f, &bytes[state.valid_len as usize..])
                .map_err(io(&torn))?;
            fsutil::append_durable(&mut f, b"\n").map_err(io(&torn))?;
            file.set_len(state.valid_len).map_err(io(&path))?;
            file.sync_all().map_err(io(&path))?;
        }
        if state.needs_newline {
            fsutil::append_durable(&mut file, b"\n").map_err(io(&path))?;
            state.valid_len += 1;
            state.needs_newline = false;
        }
        let identity = Some(file_identity(&file.metadata().map_err(io(&path))?));
        Ok(Journal {
            path,
            file: Some(file),
            _lock: lock,
            state,
            identity,
            broken: false,
            snapshots: None,
            reused: false,
        })
    }

    /// Write the snapshot of every transcript version a line refers to before the line.
    pub fn keep_snapshots(&mut self, snapshots: Snapshots) {
        self.snapshots = Some(snapshots);
    }

    fn ensure_snapshots(&mut self, ops: &[Op]) -> Result<(), JournalError> {
        let Some(snapshots) = self.snapshots.as_mut() else {
            return Ok(());
        };
        let mut needed_all: Vec<(&str, &str)> = Vec::new();
        let mut restored_all: Vec<(&str, &str)> = Vec::new();
        for op in ops {
            // (transcript, the version the op puts a coding on, the version an undo would
            // restore). Only the first must be kept: a coding whose own version is already
            // lost (a snapshot deleted by hand) must still be removable.
            let (transcript, needed, restored) = match op {
                Op::Add(c) => (Some(&c.transcript), c.version.as_ref(), None),
                Op::Remove(c) => (Some(&c.transcript), None, c.version.as_ref()),
                Op::Edit { id, before, after } | Op::Reanchor { id, before, after } => (
                    self.state.codings.get(id).map(|c| &c.transcript),
                    after.version.as_ref(),
                    before.version.as_ref(),
                ),
                _ => (None, None, None),
            };
            let Some(t) = transcript else { continue };
            if let Some(v) = needed {
                needed_all.push((t, v));
            }
            if let Some(v) = restored {
                restored_all.push((t, v));
            }
        }
        // All at once: an autocode's batch needs a snapshot of thousands of transcripts.
        snapshots
            .ensure_all(needed_all)
            .map_err(JournalError::Snapshot)?;
        for (t, v) in restored_all {
            let _ = snapshots.ensure(t, v);
        }
        Ok(())
    }

    /// Whether the state is the one a load had read (`open_known`), already checked.
    pub fn reused(&self) -> bool {
        self.reused
    }

    pub fn coder(&self) -> &str {
        &self.state.coder
    }

    /// Write one action (one or more ops) durably, then apply it. `Add` ops with id 0 get a
    /// new id, unique across machines. Returns the ops as written.
    pub fn record(&mut self, ops: Vec<Op>) -> Result<Vec<Op>, JournalError> {
        if ops.is_empty() {
            return Ok(ops);
        }
        if let Some(c) = ops.iter().find_map(|op| match op {
            Op::Add(c) if c.start >= c.end => Some(c),
            _ => None,
        }) {
            return Err(JournalError::EmptyCoding {
                transcript: c.transcript.clone(),
                start: c.start,
                end: c.end,
            });
        }
        // A coding is its offsets and the words between them: a quote of another length cannot
        // be those words (a text that could not be read, offsets of another version), and would
        // be orphaned at the next load although the coder was told it was coded.
        if let Some(c) = ops.iter().find_map(|op| match op {
            Op::Add(c) if c.text.chars().count() != c.end - c.start => Some(c),
            _ => None,
        }) {
            return Err(JournalError::QuoteMismatch {
                transcript: c.transcript.clone(),
                start: c.start,
                end: c.end,
                chars: c.text.chars().count(),
            });
        }
        self.check_unchanged()?;
        self.ensure_snapshots(&ops)?;
        let count = ops.len() as u64;
        let at = now();
        let mut seqs: HashSet<u64> = HashSet::with_capacity(ops.len());
        let mut ids: HashSet<CodingId> = HashSet::new();
        let mut lines = String::new();
        let mut logged = Vec::with_capacity(ops.len());
        let mut batch = None;
        for (i, mut op) in ops.into_iter().enumerate() {
            let seq = fresh(|s| self.state.seqs.contains_key(&s) || seqs.contains(&s));
            seqs.insert(seq);
            if count > 1 && i == 0 {
                batch = Some(seq);
            }
            if let Op::Add(c) = &mut op {
                if c.id == 0 {
                    c.id = fresh(|id| self.state.ever.contains(&id) || ids.contains(&id));
                }
                ids.insert(c.id);
                c.line = self.state.lines + i + 1;
            }
            let mut rec = Record {
                seq,
                at: at.clone(),
                coder: self.state.coder.clone(),
                batch,
                batch_size: (batch.is_some() && i == 0).then_some(count),
                op,
                sum: None,
            };
            // What places a coding vouches for itself: a later load may take it as on its
            // words without reading the text (see `seal`).
            rec.seal();
            let line = serde_json::to_string(&rec)?;
            logged.push(Logged {
                key: line_key(&line),
                line: self.state.lines + i + 1,
                rec,
            });
            lines.push_str(&line);
            lines.push('\n');
        }
        self.write(lines.as_bytes())?;
        let written = logged.iter().map(|l| l.rec.op.clone()).collect();
        self.apply_written(logged);
        Ok(written)
    }

    /// Apply the lines of one action just written, as replay would apply them.
    fn apply_written(&mut self, lines: Vec<Logged>) {
        for l in &lines {
            self.state.seen.insert(l.key);
            self.state.seqs.insert(l.rec.seq, l.line);
        }
        self.state.lines += lines.len();
        let path = self.path.clone();
        self.state.apply_action(&path, lines);
    }

    /// Take back the last action. Returns the ops that were undone, or None if none.
    pub fn undo(&mut self) -> Result<Option<Vec<Op>>, JournalError> {
        let Some(&target) = self.state.undo.last() else {
            return Ok(None);
        };
        self.write_control(vec![Op::Undo { target }])?;
        Ok(self.state.actions.get(&target).cloned())
    }

    pub fn redo(&mut self) -> Result<Option<Vec<Op>>, JournalError> {
        let Some(&target) = self.state.redo.last() else {
            return Ok(None);
        };
        // Undone on two machines before a merge: it takes a redo for each.
        let times = self.state.undone.get(&target).copied().unwrap_or(1).max(1);
        self.write_control((0..times).map(|_| Op::Redo { target }).collect())?;
        Ok(self.state.actions.get(&target).cloned())
    }

    fn write_control(&mut self, ops: Vec<Op>) -> Result<(), JournalError> {
        let at = now();
        let mut text = String::new();
        let mut logged = Vec::with_capacity(ops.len());
        for op in ops {
            let rec = Record {
                seq: fresh(|s| {
                    self.state.seqs.contains_key(&s)
                        || logged.iter().any(|l: &Logged| l.rec.seq == s)
                }),
                at: at.clone(),
                coder: self.state.coder.clone(),
                batch: None,
                batch_size: None,
                op,
                sum: None,
            };
            let line = serde_json::to_string(&rec)?;
            text.push_str(&line);
            text.push('\n');
            logged.push(Logged {
                key: line_key(&line),
                line: self.state.lines + logged.len() + 1,
                rec,
            });
        }
        self.write(text.as_bytes())?;
        // Each control line is an action of its own.
        for l in logged {
            self.apply_written(vec![l]);
        }
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), JournalError> {
        self.check_unchanged()?;
        let before = self.state.valid_len;
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |err| JournalError::Io { path, err }
        };
        let file = match &mut self.file {
            Some(file) => file,
            None => {
                let file = fsutil::open_append(&self.path).map_err(io(&self.path))?;
                let meta = file.metadata().map_err(io(&self.path))?;
                self.identity = Some(file_identity(&meta));
                self.file.insert(file)
            }
        };
        if let Err(e) = fsutil::append_durable(file, bytes) {
            // A partial line (disk full) must not stay in front of the next one; if it cannot be
            // cut off, stop writing rather than append after it.
            if file.set_len(before).and_then(|()| file.sync_all()).is_err() {
                self.broken = true;
            }
            return Err(JournalError::Io {
                path: self.path.clone(),
                err: e,
            });
        }
        self.state.valid_len = before + bytes.len() as u64;
        Ok(())
    }
}

impl Journal {
    /// Refuse to write when the journal file was replaced or changed behind our back (a `git
    /// checkout`, a sync tool): appending to our handle would then write into a file that is
    /// no longer there, and the coding would be lost at exit.
    fn check_unchanged(&self) -> Result<(), JournalError> {
        if self.broken {
            return Err(JournalError::Broken(self.path.clone()));
        }
        let changed = match (fs::metadata(&self.path), self.identity) {
            (Ok(m), Some(id)) => file_identity(&m) != id || m.len() != self.state.valid_len,
            // Not created yet by us, but there now: someone else wrote it.
            (Ok(_), None) => true,
            (Err(_), Some(_)) => true,
            (Err(_), None) => false,
        };
        if changed {
            return Err(JournalError::ChangedOnDisk(self.path.clone()));
        }
        Ok(())
    }
}

/// Device and inode of a file, to notice that a path now names another file.
fn file_identity(m: &fs::Metadata) -> (u64, u64) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (m.dev(), m.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        (0, 0)
    }
}

/// The current time as RFC 3339 in UTC, e.g. `2026-11-28T18:40:12Z`.
pub fn now() -> String {
    let t = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
