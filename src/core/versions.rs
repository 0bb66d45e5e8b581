//! Snapshots of the transcript versions that codings were made on.
//!
//! Every coding records the version (`Transcript::version`, a SHA-256 of the normalised text)
//! its offsets refer to, and `codings/versions/<version>.txt` keeps that text, written once and
//! never changed. When a transcript is edited later, the coding is carried from its snapshot to
//! the new text through a diff (`anchor::Carrier`). The files are plain text, so a project in
//! git stays readable and diffable; only versions that codings were made on are kept.
//!
//! A snapshot is written (and fsynced) before the journal line that needs it, so a crash never
//! leaves an acknowledged coding that points at a missing snapshot.

use super::fsutil;
use super::transcript::{normalise, version_of};
use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};

/// Folder of the snapshots, inside `codings/`.
pub fn versions_dir(codings_dir: &Path) -> PathBuf {
    codings_dir.join("versions")
}

/// A version as the journal gives it must be a lowercase SHA-256 in hex: anything else could
/// name a path outside `codings/versions/`.
pub fn valid_version(v: &str) -> bool {
    v.len() == 64 && v.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

pub fn snapshot_path(codings_dir: &Path, version: &str) -> Option<PathBuf> {
    valid_version(version).then(|| versions_dir(codings_dir).join(format!("{version}.txt")))
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("no snapshot of transcript version {version} in {dir}")]
    Missing { version: String, dir: PathBuf },
    #[error("{path}: the snapshot does not match its name (edited by hand?); not used")]
    Corrupt { path: PathBuf },
    #[error("{path}: cannot read the snapshot: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("\"{0}\" is not a transcript version (a SHA-256 in hex)")]
    BadVersion(String),
}

/// Read a snapshot and check that its text is the version it is named after.
pub fn load(codings_dir: &Path, version: &str) -> Result<String, SnapshotError> {
    let path = snapshot_path(codings_dir, version)
        .ok_or_else(|| SnapshotError::BadVersion(version.to_string()))?;
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(SnapshotError::Missing {
                version: version.to_string(),
                dir: versions_dir(codings_dir),
            });
        }
        Err(source) => return Err(SnapshotError::Io { path, source }),
    };
    let text =
        String::from_utf8(bytes).map_err(|_| SnapshotError::Corrupt { path: path.clone() })?;
    if version_of(&text) != version {
        return Err(SnapshotError::Corrupt { path });
    }
    Ok(text)
}

/// The writer's side: makes sure the snapshot of every version a journal line refers to exists.
#[derive(Debug, Default)]
pub struct Snapshots {
    codings_dir: PathBuf,
    /// Transcript id -> its file. The snapshot is taken from the file, checked against the
    /// version: if the file changed on disk since codewerk read it, nothing is written.
    sources: HashMap<String, PathBuf>,
    known: HashSet<String>,
}

impl Snapshots {
    pub fn new(codings_dir: &Path, sources: HashMap<String, PathBuf>) -> Snapshots {
        Snapshots {
            codings_dir: codings_dir.to_path_buf(),
            sources,
            known: HashSet::new(),
        }
    }

    /// Write the snapshot of `version` of transcript `transcript` unless it is there already.
    pub fn ensure(&mut self, transcript: &str, version: &str) -> io::Result<()> {
        let Some((path, text)) = self.missing(transcript, version)? else {
            return Ok(());
        };
        match fsutil::write_new(&path, text.as_bytes()) {
            Ok(()) => {}
            // Content-addressed: whoever wrote it first wrote the same text.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(io::Error::new(e.kind(), format!("{}: {e}", path.display())));
            }
        }
        self.known.insert(version.to_string());
        Ok(())
    }

    /// [`Snapshots::ensure`] for many (transcript, version) pairs, as one autocode over
    /// thousands of transcripts needs: the missing snapshots are written a chunk at a time
    /// with one fsync of the folder per chunk ([`fsutil::write_new_all`]), not a file and a
    /// folder fsync one after the other per snapshot (9,000 fsyncs, most of a 50 s autocode
    /// at 4,500 transcripts). A chunk bounds the texts held at once.
    pub fn ensure_all<'a>(
        &mut self,
        wanted: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> io::Result<()> {
        const CHUNK: usize = 256;
        let mut chunk: Vec<(&str, PathBuf, String)> = Vec::new();
        let mut queued: HashSet<&str> = HashSet::new();
        for (transcript, version) in wanted {
            if !queued.insert(version) {
                continue;
            }
            if let Some((path, text)) = self.missing(transcript, version)? {
                chunk.push((version, path, text));
            }
            if chunk.len() == CHUNK {
                self.write_chunk(std::mem::take(&mut chunk))?;
            }
        }
        self.write_chunk(chunk)
    }

    fn write_chunk(&mut self, chunk: Vec<(&str, PathBuf, String)>) -> io::Result<()> {
        if chunk.is_empty() {
            return Ok(());
        }
        let files: Vec<(PathBuf, &[u8])> = chunk
            .iter()
            .map(|(_, path, text)| (path.clone(), text.as_bytes()))
            .collect();
        if fsutil::write_new_all(&files).is_err() {
            // Another codewerk wrote one of them meanwhile (the same text), or a write failed:
            // one at a time, which tells the two apart, then the folder fsync the batch did
            // not get to.
            for (_, path, text) in &chunk {
                match fsutil::write_new(path, text.as_bytes()) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                    Err(e) => {
                        return Err(io::Error::new(e.kind(), format!("{}: {e}", path.display())));
                    }
                }
            }
            fsutil::sync_dir(&versions_dir(&self.codings_dir))?;
        }
        for (version, _, _) in chunk {
            self.known.insert(version.to_string());
        }
        Ok(())
    }

    /// Where the snapshot of `version` goes and its text, read from the transcript's file and
    /// checked; None if it is there already.
    fn missing(
        &mut self,
        transcript: &str,
        version: &str,
    ) -> io::Result<Option<(PathBuf, String)>> {
        if self.known.contains(version) {
            return Ok(None);
        }
        let path = snapshot_path(&self.codings_dir, version).ok_or_else(|| {
            io::Error::other(SnapshotError::BadVersion(version.to_string()).to_string())
        })?;
        if path.exists() {
            self.known.insert(version.to_string());
            return Ok(None);
        }
        let source = self.sources.get(transcript).ok_or_else(|| {
            io::Error::other(format!(
                "unknown transcript \"{transcript}\"; nothing was written"
            ))
        })?;
        let bytes = std::fs::read(source)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", source.display())))?;
        let text = std::str::from_utf8(&bytes).map(normalise).ok();
        let Some(text) = text.filter(|t| version_of(t) == version) else {
            return Err(io::Error::other(format!(
                "{} was changed on disk since codewerk read it; nothing was written: quit and \
                 reopen codewerk",
                source.display()
            )));
        };
        Ok(Some((path, text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_all_writes_the_missing_snapshots_and_refuses_a_changed_file() {
        let dir = tempfile::tempdir().unwrap();
        let codings = dir.path().join("codings");
        let mut sources = HashMap::new();
        let mut wanted = Vec::new();
        for i in 0..300 {
            let file = dir.path().join(format!("T{i}.txt"));
            std::fs::write(&file, format!("R: één {i}\n")).unwrap();
            sources.insert(format!("T{i}"), file);
            wanted.push((format!("T{i}"), version_of(&format!("R: één {i}\n"))));
        }
        // One there already, one asked for twice.
        let mut s = Snapshots::new(&codings, sources.clone());
        s.ensure("T7", &wanted[7].1).unwrap();
        wanted.push(wanted[3].clone());
        let mut s = Snapshots::new(&codings, sources.clone());
        s.ensure_all(wanted.iter().map(|(t, v)| (t.as_str(), v.as_str())))
            .unwrap();
        for (i, (_, v)) in wanted.iter().enumerate().take(300) {
            assert_eq!(load(&codings, v).unwrap(), format!("R: één {i}\n"));
        }
        let written = std::fs::read_dir(versions_dir(&codings)).unwrap().count();
        assert_eq!(written, 300, "no temp files left, none twice");
        std::fs::write(&sources["T1"], "R: anders\n").unwrap();
        let v = version_of("R: nooit\n");
        let mut s = Snapshots::new(&codings, sources);
        let err = s.ensure_all([("T1", v.as_str())]).unwrap_err().to_string();
        assert!(err.contains("changed on disk"), "{err}");
        assert!(matches!(
            load(&codings, &v),
            Err(SnapshotError::Missing { .. })
        ));
    }

    #[test]
    fn a_snapshot_is_written_once_from_the_file_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("T1.txt");
        std::fs::write(&file, "R: ja\r\n").unwrap();
        let v = version_of("R: ja\n");
        let codings = dir.path().join("codings");
        let mut s = Snapshots::new(&codings, HashMap::from([("T1".to_string(), file.clone())]));
        s.ensure("T1", &v).unwrap();
        assert_eq!(load(&codings, &v).unwrap(), "R: ja\n");
        // The file changed: a version that is not its content is refused.
        std::fs::write(&file, "R: nee\n").unwrap();
        let err = s.ensure("T1", &version_of("R: ja hoor\n")).unwrap_err();
        assert!(err.to_string().contains("changed on disk"), "{err}");
        assert!(s.ensure("T1", "../../etc/passwd").is_err());
        assert!(matches!(
            load(&codings, "../x"),
            Err(SnapshotError::BadVersion(_))
        ));
    }

    #[test]
    fn a_snapshot_edited_by_hand_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let v = version_of("R: ja\n");
        let path = snapshot_path(dir.path(), &v).unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "R: nee\n").unwrap();
        assert!(matches!(
            load(dir.path(), &v),
            Err(SnapshotError::Corrupt { .. })
        ));
        assert!(matches!(
            load(dir.path(), &version_of("x")),
            Err(SnapshotError::Missing { .. })
        ));
    }
}
