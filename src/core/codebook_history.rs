//! Every change of the codebook, journaled and undoable: `codebook/history.jsonl`.
//!
//! One JSON line per change: a random `seq`, when (`at`, UTC), who (the coder), what
//! (`action`, in words), the codebook as it was `before` (whole: it is small, and restoring it
//! is then exact), and a hash of the codebook `after`. An undo is a line of its own naming the
//! line it takes back (`undoes`). The history is appended and fsynced *before* the codebook is
//! replaced (atomically): after a crash in between, the history names a change the file does
//! not have, and an undo of it is refused rather than losing anything.
//!
//! Two writers: every change holds `codebook/.codebook.lock` (an OS lock, dies with its
//! process) from reading the file to writing it; a second writer waits up to
//! [`LOCK_WAIT`] and is then refused with [`CodebookError::Locked`]. A change is made on the
//! codebook as it is on disk at that moment, not on a copy loaded earlier, so a code another
//! coder added meanwhile is kept.

use super::codebook::{Codebook, CodebookError};
use super::fsutil;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a second writer waits for the codebook lock before it is refused.
pub const LOCK_WAIT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    pub at: String,
    pub who: String,
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undoes: Option<u64>,
    pub before: serde_json::Value,
    pub after: String,
}

pub fn history_path(codebook: &Path) -> PathBuf {
    codebook.with_file_name("history.jsonl")
}

fn lock_path(codebook: &Path) -> PathBuf {
    codebook.with_file_name(".codebook.lock")
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> CodebookError + '_ {
    move |err| CodebookError::Io {
        path: path.to_path_buf(),
        err,
    }
}

/// Take the codebook lock, waiting up to `wait`.
pub fn lock(codebook: &Path, wait: Duration) -> Result<File, CodebookError> {
    let path = lock_path(codebook);
    let mut file = fsutil::no_follow(
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true),
    )
    .open(&path)
    .map_err(io(&path))?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&path)(e)),
            Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = file.read_to_string(&mut pid);
                return Err(CodebookError::Locked {
                    path,
                    pid: pid.trim().to_string(),
                });
            }
        }
    }
    let _ = file.set_len(0);
    let _ = file.seek(SeekFrom::Start(0));
    let _ = write!(file, "{}", std::process::id());
    Ok(file)
}

/// The hash a line's `after` holds: of the codebook's JSON as a value, so that a hand edit of
/// whitespace alone does not block an undo.
fn hash_of(text: &str) -> String {
    let canonical = serde_json::from_str::<serde_json::Value>(text)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| text.to_string());
    let digest = Sha256::digest(canonical.as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn read_text(path: &Path) -> Result<String, CodebookError> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        CodebookError::Invalid(vec![super::problem::Problem::error(
            path,
            "not valid UTF-8",
        )])
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
}

/// Every line of the history (a line torn by a crash, the last one, is skipped).
pub fn read(codebook: &Path) -> Result<Vec<Entry>, CodebookError> {
    let path = history_path(codebook);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(&path)(e)),
    };
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

/// The changes that an undo would take back, latest last.
pub fn undoable(entries: &[Entry]) -> Vec<&Entry> {
    let mut stack: Vec<&Entry> = Vec::new();
    for e in entries {
        match e.undoes {
            Some(target) => stack.retain(|x| x.seq != target),
            None => stack.push(e),
        }
    }
    stack
}

/// The seqs of every line, without the codebooks the lines hold: a change needs only them, and
/// reading every line whole made each change cost the whole history (2 MB a line with a
/// codebook of 10,000 codes).
fn read_seqs(codebook: &Path) -> Result<Vec<u64>, CodebookError> {
    #[derive(Deserialize)]
    struct Seq {
        seq: u64,
    }
    let path = history_path(codebook);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(&path)(e)),
    };
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str::<Seq>(l).ok())
        .map(|e| e.seq)
        .collect())
}

fn fresh_seq(taken: &[u64]) -> u64 {
    // Random, as journal seqs are, so histories of two machines merge without a clash.
    loop {
        let mut b = [0u8; 8];
        let n = getrandom::fill(&mut b)
            .map(|()| u64::from_le_bytes(b))
            .unwrap_or_else(|_| super::transcript::fnv1a(super::coding::now().as_bytes()));
        let seq = (n % ((1 << 53) - (1 << 40))) + (1 << 40);
        if !taken.contains(&seq) {
            return seq;
        }
    }
}

fn append(codebook: &Path, entry: &Entry) -> Result<(), CodebookError> {
    let path = history_path(codebook);
    let mut line =
        serde_json::to_string(entry).map_err(|e| CodebookError::Encode(e.to_string()))?;
    line.push('\n');
    let mut file = fsutil::open_append(&path).map_err(io(&path))?;
    // A line torn by an earlier crash must not swallow this one.
    let len = file.metadata().map_err(io(&path))?.len();
    if len > 0 {
        let mut last = [0u8; 1];
        let mut r = File::open(&path).map_err(io(&path))?;
        r.seek(SeekFrom::Start(len - 1)).map_err(io(&path))?;
        r.read_exact(&mut last).map_err(io(&path))?;
        if last[0] != b'\n' {
            line.insert(0, '\n');
        }
    }
    fsutil::append_durable(&mut file, line.as_bytes()).map_err(io(&path))
}

fn write(codebook: &Path, cb: &Codebook) -> Result<String, CodebookError> {
    let text = cb
        .to_json()
        .map_err(|e| CodebookError::Encode(e.to_string()))?;
    // What is written must load: a change that breaks a rule is refused here, not on the next
    // start.
    Codebook::parse(codebook, &text).map_err(CodebookError::Invalid)?;
    Ok(text)
}

/// Change the codebook at `path` as `f` does, under the lock and from the file as it is now;
/// journal it as `action` by `who`, then save it atomically. Returns the codebook as saved.
/// An `f` that changes nothing writes nothing.
pub fn change(
    path: &Path,
    who: &str,
    action: &str,
    f: impl FnOnce(&mut Codebook) -> Result<(), CodebookError>,
) -> Result<Codebook, CodebookError> {
    change_waiting(path, who, action, LOCK_WAIT, f)
}

pub fn change_waiting(
    path: &Path,
    who: &str,
    action: &str,
    wait: Duration,
    f: impl FnOnce(&mut Codebook) -> Result<(), CodebookError>,
) -> Result<Codebook, CodebookError> {
    let _lock = lock(path, wait)?;
    let before_text = read_text(path)?;
    let mut cb = Codebook::parse(path, &before_text).map_err(CodebookError::Invalid)?;
    let old = cb.clone();
    f(&mut cb)?;
    if cb == old {
        return Ok(cb);
    }
    let after_text = write(path, &cb)?;
    let entry = Entry {
        seq: fresh_seq(&read_seqs(path)?),
        at: super::coding::now(),
        who: who.to_string(),
        action: action.to_string(),
        undoes: None,
        before: serde_json::from_str(&before_text)
            .map_err(|e| CodebookError::Encode(e.to_string()))?,
        after: hash_of(&after_text),
    };
    append(path, &entry)?;
    fsutil::write_atomic(path, after_text.as_bytes()).map_err(io(path))?;
    Ok(cb)
}

/// Take back the latest change not yet undone; returns the codebook as restored and what was
/// undone. Refused if the file is not as that change left it (a hand edit since), and if it
/// would take away a code that still has codings (`codings_of(id)`: how many, over every
/// coder), so that no coding is left pointing at nothing.
pub fn undo(
    path: &Path,
    who: &str,
    codings_of: &dyn Fn(&str) -> usize,
) -> Result<(Codebook, String), CodebookError> {
    let _lock = lock(path, LOCK_WAIT)?;
    let entries = read(path)?;
    let Some(target) = undoable(&entries).last().copied().cloned() else {
        return Err(CodebookError::NothingToUndo(history_path(path)));
    };
    let now_text = read_text(path)?;
    if hash_of(&now_text) != target.after {
        return Err(CodebookError::ChangedSince {
            what: target.action.clone(),
        });
    }
    let mut restored = serde_json::to_string_pretty(&target.before)
        .map_err(|e| CodebookError::Encode(e.to_string()))?;
    restored.push('\n');
    let cb = Codebook::parse(path, &restored).map_err(CodebookError::Invalid)?;
    let now = Codebook::parse(path, &now_text).map_err(CodebookError::Invalid)?;
    let known = |c: &Codebook, id: &str| c.code(id).is_some() || c.retired(id).is_some();
    for id in now
        .codes
        .iter()
        .map(|c| &c.id)
        .chain(now.retired.iter().map(|r| &r.code.id))
    {
        let n = codings_of(id);
        if n > 0 && !known(&cb, id) {
            return Err(CodebookError::UndoWouldOrphan {
                action: target.action.clone(),
                code: id.clone(),
                n,
            });
        }
    }
    let entry = Entry {
        seq: fresh_seq(&entries.iter().map(|e| e.seq).collect::<Vec<_>>()),
        at: super::coding::now(),
        who: who.to_string(),
        action: format!("undo: {}", target.action),
        undoes: Some(target.seq),
        before: serde_json::from_str(&now_text)
            .map_err(|e| CodebookError::Encode(e.to_string()))?,
        after: hash_of(&restored),
    };
    append(path, &entry)?;
    fsutil::write_atomic(path, restored.as_bytes()).map_err(io(path))?;
    Ok((cb, target.action))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::codebook::NewCode;

    const CB: &str = r##"{
  "deelvragen": [{"number": 1, "title": "Een"}],
  "codes": [
    {"id": "a", "name": "A", "deelvraag": 1, "colour_name": "x", "colour": "#FFEE00"},
    {"id": "b", "name": "B", "deelvraag": 1, "colour_name": "x", "colour": "#00EEFF"}
  ]
}"##;

    fn setup() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("codebook.json");
        std::fs::write(&path, CB).unwrap();
        (dir, path)
    }

    #[test]
    fn changes_are_journaled_and_undone_in_reverse() {
        let (_d, path) = setup();
        change(&path, "ann", "add c", |cb| {
            cb.add(NewCode {
                name: "C".into(),
                parent: Some("a".into()),
                ..NewCode::default()
            })
            .map(|_| ())
        })
        .unwrap();
        let after_add = std::fs::read_to_string(&path).unwrap();
        change(&path, "bob", "merge a into b", |cb| cb.merge("a", "b")).unwrap();
        let entries = read(&path).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(
            (entries[1].who.as_str(), entries[1].action.as_str()),
            ("bob", "merge a into b")
        );
        assert!(!entries[1].at.is_empty());
        let (_, what) = undo(&path, "ann", &|_| 0).unwrap();
        assert_eq!(what, "merge a into b");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), after_add);
        undo(&path, "ann", &|_| 0).unwrap();
        let restored: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(
            restored,
            serde_json::from_str::<serde_json::Value>(CB).unwrap()
        );
        assert!(matches!(
            undo(&path, "ann", &|_| 0),
            Err(CodebookError::NothingToUndo(_))
        ));
    }

    #[test]
    fn a_failed_change_writes_nothing() {
        let (_d, path) = setup();
        let e = change(&path, "ann", "rename", |cb| cb.rename("a", "B")).unwrap_err();
        assert!(matches!(e, CodebookError::NameTaken { .. }));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), CB);
        assert!(!history_path(&path).exists());
    }

    #[test]
    fn undo_refuses_after_a_hand_edit() {
        let (_d, path) = setup();
        change(&path, "ann", "rename a", |cb| cb.rename("a", "Aa")).unwrap();
        let edited = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"B\"", "\"Bee\"");
        std::fs::write(&path, &edited).unwrap();
        let e = undo(&path, "ann", &|_| 0).unwrap_err();
        assert!(matches!(e, CodebookError::ChangedSince { .. }), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);
    }

    #[test]
    fn a_second_writer_is_refused_while_the_lock_is_held() {
        let (_d, path) = setup();
        let held = lock(&path, LOCK_WAIT).unwrap();
        let e = change_waiting(&path, "bob", "rename", Duration::from_millis(120), |cb| {
            cb.rename("a", "Z")
        })
        .unwrap_err();
        assert!(matches!(e, CodebookError::Locked { .. }), "{e}");
        assert!(
            e.to_string().contains(&std::process::id().to_string()),
            "{e}"
        );
        drop(held);
        change(&path, "bob", "rename", |cb| cb.rename("a", "Z")).unwrap();
    }

    #[test]
    fn a_torn_last_line_does_not_swallow_the_next() {
        let (_d, path) = setup();
        change(&path, "ann", "rename a", |cb| cb.rename("a", "Aa")).unwrap();
        let h = history_path(&path);
        let mut f = std::fs::OpenOptions::new().append(true).open(&h).unwrap();
        f.write_all(b"{\"seq\": 5, \"at\"").unwrap();
        change(&path, "ann", "rename b", |cb| cb.rename("b", "Bb")).unwrap();
        assert_eq!(read(&path).unwrap().len(), 2);
        undo(&path, "ann", &|_| 0).unwrap();
        assert_eq!(Codebook::load(&path).unwrap().code("b").unwrap().name, "B");
    }
}

#[cfg(test)]
mod orphan_tests {
    use super::*;
    use crate::core::codebook::NewCode;

    #[test]
    fn undoing_an_add_is_refused_while_the_code_has_codings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("codebook.json");
        std::fs::write(
            &path,
            r##"{"deelvragen": [{"number": 1, "title": "Een"}], "codes": []}"##,
        )
        .unwrap();
        change(&path, "ann", "add code \"X\"", |cb| {
            cb.add(NewCode {
                name: "X".into(),
                deelvraag: 1,
                ..NewCode::default()
            })
            .map(|_| ())
        })
        .unwrap();
        let e = undo(&path, "ann", &|id| usize::from(id == "x") * 2).unwrap_err();
        assert!(
            e.to_string()
                .contains("would leave 2 coding(s) of code \"x\""),
            "{e}"
        );
        assert!(
            Codebook::load(&path).unwrap().code("x").is_some(),
            "nothing undone"
        );
        undo(&path, "ann", &|_| 0).unwrap();
        assert!(Codebook::load(&path).unwrap().codes.is_empty());
    }
}
