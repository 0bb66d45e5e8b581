//! Durable file writes. Research data is precious: whatever the user was told is saved must
//! survive a crash, a kill or a power cut, so every write is either an fsynced append or an
//! atomic replace (temp file, fsync, rename, fsync of the directory).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Replace `path` with `bytes` atomically: readers see the old or the new file, never a mix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (dir, tmp) = durable_temp(path, bytes)?;
    // A failed persist hands the temp file back; dropping it removes it.
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(&dir)
}

/// Create `path` only if it does not exist yet, atomically and durably.
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (dir, tmp) = durable_temp(path, bytes)?;
    // Fails if the target exists (a hard link or renameat2's RENAME_NOREPLACE underneath), which
    // makes "never overwrite" race-free.
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    sync_dir(&dir)
}

/// A batch of [`write_new`]s (an import of hundreds of files): the files are written and
/// fsynced in parallel, and each folder is fsynced once at the end rather than after every
/// file. When this returns Ok, every file is durable. On an error, the files created so far are
/// in the error, for the caller to remove.
pub fn write_new_all(files: &[(PathBuf, &[u8])]) -> Result<(), BatchError> {
    use rayon::prelude::*;
    let results: Vec<io::Result<()>> = files
        .par_iter()
        .map(|(path, bytes)| {
            let (_, tmp) = durable_temp(path, bytes)?;
            tmp.persist_noclobber(path).map(drop).map_err(|e| e.error)
        })
        .collect();
    let mut created = Vec::new();
    let mut failed = None;
    for ((path, _), r) in files.iter().zip(results) {
        match r {
            Ok(()) => created.push(path.clone()),
            Err(e) if failed.is_none() => failed = Some((path.clone(), e)),
            Err(_) => {}
        }
    }
    if failed.is_none() {
        let mut dirs: Vec<&Path> = files.iter().filter_map(|(p, _)| p.parent()).collect();
        dirs.sort();
        dirs.dedup();
        for d in dirs {
            if let Err(e) = sync_dir(d) {
                failed = Some((d.to_path_buf(), e));
                break;
            }
        }
    }
    match failed {
        None => Ok(()),
        Some((path, source)) => Err(BatchError {
            created,
            path,
            source,
        }),
    }
}

/// Why [`write_new_all`] stopped, and what it had created by then.
#[derive(Debug)]
pub struct BatchError {
    pub created: Vec<PathBuf>,
    pub path: PathBuf,
    pub source: io::Error,
}

/// Write `bytes` to a fsynced temporary file next to `path` (same folder, so the rename is
/// atomic); returns its folder and the file, which removes itself unless persisted. The name
/// (`.NAME.tmp.RANDOM`) is created exclusively, so a link planted there is never written
/// through, and two writers of one path never share a temp file.
fn durable_temp(path: &Path, bytes: &[u8]) -> io::Result<(PathBuf, tempfile::NamedTempFile)> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    // `create_dir_all` on a file says "already exists", which `write_new` would take for the
    // target existing.
    if fs::metadata(&dir).is_ok_and(|m| !m.is_dir()) {
        return Err(io::Error::new(
            io::ErrorKind::NotADirectory,
            format!("{} is a file, not a folder", dir.display()),
        ));
    }
    fs::create_dir_all(&dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.tmp.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).rand_bytes(8);
    // tempfile creates files 0600; project files are ordinary files (0666 less the umask), as
    // before, so a project shared by a research group stays readable by the group.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(&dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    Ok((dir, tmp))
}

/// Append `bytes` and make them durable before returning.
pub fn append_durable(file: &mut File, bytes: &[u8]) -> io::Result<()> {
    file.write_all(bytes)?;
    file.sync_data()
}

/// Make `open` fail on a symbolic link as the last part of the path (Unix): a link planted as a
/// journal or lock file must not make codewerk write into the file it points to.
pub fn no_follow(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW)
    }
    #[cfg(not(unix))]
    {
        options
    }
}

/// Open a file for appending, creating it (and making its directory entry durable) if needed.
/// A symbolic link is not followed (an error).
pub fn open_append(path: &Path) -> io::Result<File> {
    let existed = path.exists();
    let file = no_follow(OpenOptions::new().create(true).append(true).read(true)).open(path)?;
    if !existed && let Some(dir) = path.parent() {
        sync_dir(dir)?;
    }
    Ok(file)
}

/// fsync a directory so that a create or rename in it survives a crash.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn write_new_all_writes_every_file_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<(PathBuf, &[u8])> = (0..20)
            .map(|i| (dir.path().join(format!("{i}.txt")), b"x".as_slice()))
            .collect();
        write_new_all(&files).unwrap();
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 20);
        let again = [
            (dir.path().join("new.txt"), b"n".as_slice()),
            (dir.path().join("3.txt"), b"y".as_slice()),
        ];
        let e = write_new_all(&again).unwrap_err();
        assert_eq!(e.path, dir.path().join("3.txt"));
        assert_eq!(e.created, vec![dir.path().join("new.txt")]);
        assert_eq!(fs::read(dir.path().join("3.txt")).unwrap(), b"x");
    }

    #[cfg(unix)]
    #[test]
    fn written_files_are_ordinary_files_not_private_temp_files() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("codebook.json");
        write_atomic(&p, b"{}").unwrap();
        let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        // 0666 less the umask: at least the group or others can read, unlike tempfile's 0600.
        assert_ne!(mode, 0o600, "mode {mode:o}");
    }

    #[test]
    fn a_failed_write_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("e.csv");
        write_new(&p, b"a").unwrap();
        // The target exists: the temp file written for the second try must be gone.
        assert!(write_new(&p, b"b").is_err());
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("e.csv")]);
    }

    #[test]
    fn write_new_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("e.csv");
        write_new(&p, b"a").unwrap();
        assert!(write_new(&p, b"b").is_err());
        assert_eq!(fs::read(&p).unwrap(), b"a");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
