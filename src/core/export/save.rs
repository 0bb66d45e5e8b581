//! Writing an export's bytes to a file: durably, and never over an existing file unless asked.

use super::error::ExportError;
use crate::core::fsutil;
use std::path::{Path, PathBuf};

/// What to do when the file to write exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    Refuse,
    /// Write `name-2.ext`, `name-3.ext`, ... instead.
    NewName,
    /// Replace it atomically.
    Replace,
}

/// Write `bytes` durably: never over an existing file unless `Overwrite::Replace`.
pub fn save(path: &Path, bytes: &[u8], mode: Overwrite) -> Result<PathBuf, ExportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |err| ExportError::Io { path, err }
    };
    // A device or a pipe (/dev/null, /dev/stdout, a FIFO) is written into, never replaced:
    // the atomic replace would put a regular file in its place.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(io(path))?;
        std::io::Write::write_all(&mut f, bytes).map_err(io(path))?;
        return Ok(path.to_path_buf());
    }
    match mode {
        Overwrite::Replace => {
            // Replace the file a symlink points to, not the link.
            let target = match std::fs::symlink_metadata(path) {
                Ok(m) if m.file_type().is_symlink() => {
                    std::fs::canonicalize(path).map_err(io(path))?
                }
                _ => path.to_path_buf(),
            };
            fsutil::write_atomic(&target, bytes).map_err(io(&target))?;
            Ok(path.to_path_buf())
        }
        Overwrite::Refuse => match fsutil::write_new(path, bytes) {
            Ok(()) => Ok(path.to_path_buf()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(ExportError::Exists(path.to_path_buf()))
            }
            Err(e) => Err(io(path)(e)),
        },
        Overwrite::NewName => {
            let stem = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let ext = path
                .extension()
                .map(|e| format!(".{}", e.to_string_lossy()))
                .unwrap_or_default();
            for n in 1u32.. {
                let candidate = if n == 1 {
                    path.to_path_buf()
                } else {
                    path.with_file_name(format!("{stem}-{n}{ext}"))
                };
                match fsutil::write_new(&candidate, bytes) {
                    Ok(()) => return Ok(candidate),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 10_000 => {}
                    Err(e) => return Err(io(&candidate)(e)),
                }
            }
            unreachable!("the loop returns")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_never_overwrites_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        assert_eq!(save(&path, b"1", Overwrite::NewName).unwrap(), path);
        assert_eq!(
            save(&path, b"2", Overwrite::NewName).unwrap(),
            dir.path().join("x-2.csv")
        );
        assert!(matches!(
            save(&path, b"3", Overwrite::Refuse),
            Err(ExportError::Exists(_))
        ));
        assert_eq!(std::fs::read(&path).unwrap(), b"1");
        save(&path, b"4", Overwrite::Replace).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"4");
    }

    #[cfg(unix)]
    #[test]
    fn pipes_are_written_into_and_symlinks_kept() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let reader = {
                let fifo = fifo.clone();
                std::thread::spawn(move || std::fs::read(fifo).unwrap())
            };
            save(&fifo, b"via de pijp", Overwrite::Replace).unwrap();
            assert_eq!(reader.join().unwrap(), b"via de pijp");
            assert!(
                std::fs::symlink_metadata(&fifo)
                    .unwrap()
                    .file_type()
                    .is_fifo()
            );
        }
        let real = dir.path().join("echt.csv");
        let link = dir.path().join("link.csv");
        std::fs::write(&real, "oud").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(matches!(
            save(&link, b"x", Overwrite::Refuse),
            Err(ExportError::Exists(_))
        ));
        save(&link, b"nieuw", Overwrite::Replace).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"nieuw");
    }
}
