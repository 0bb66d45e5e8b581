//! Durable file writes. Research data is precious: whatever the user was told is saved must
//! survive a crash, a kill or a power cut, so every write is either an fsynced append or an
//! atomic replace (temp file, fsync, rename, fsync of the directory).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Replace `path` with `bytes` atomically: readers see the old or the new file, never a mix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (dir, tmp) = durable_temp(path, bytes)?;
    let result = fs::rename(&tmp, path).and_then(|()| sync_dir(&dir));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Create `path` only if it does not exist yet, atomically and durably.
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (dir, tmp) = durable_temp(path, bytes)?;
    // hard_link fails if the target exists, which makes "never overwrite" race-free.
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    linked?;
    sync_dir(&dir)
}

/// Write `bytes` to a fsynced temporary file next to `path`; returns (its folder, its path).
fn durable_temp(path: &Path, bytes: &[u8]) -> io::Result<(PathBuf, PathBuf)> {
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
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let written = (|| {
        let mut file = File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
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
    fn write_new_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("e.csv");
        write_new(&p, b"a").unwrap();
        assert!(write_new(&p, b"b").is_err());
        assert_eq!(fs::read(&p).unwrap(), b"a");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
