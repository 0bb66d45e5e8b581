//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A copy of a fixture project in a temporary folder, to write to.
pub fn copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(name), dir.path());
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// The real binary on a project, with a known coder environment.
pub fn codewerk(project: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("codewerk").unwrap();
    cmd.arg("--project")
        .arg(project)
        .env_remove("CODEWERK_CODER")
        .env("USER", "tester");
    cmd
}
/// A copy of a fixture project with the codings of `coders` imported from its
/// `quotes/<coder>.jsonl`, as `codewerk import quotes` writes them.
pub fn copy_coded(name: &str, coders: &[&str]) -> tempfile::TempDir {
    let dir = copy(name);
    for coder in coders {
        let quotes = dir.path().join(format!("quotes/{coder}.jsonl"));
        codewerk(dir.path())
            .args(["--coder", coder, "import", "quotes"])
            .arg(&quotes)
            .assert()
            .success();
    }
    dir
}

/// A copy of the demo project (the repository root's project files).
pub fn demo() -> tempfile::TempDir {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for part in ["project.json", "codebook", "transcripts", "codings"] {
        let from = repo.join(part);
        if from.is_dir() {
            copy_dir(&from, &dir.path().join(part));
        } else {
            std::fs::copy(&from, dir.path().join(part)).unwrap();
        }
    }
    dir
}

/// Run a command that must succeed and return its standard output; on failure the message
/// names the command and shows its standard error.
#[track_caller]
pub fn stdout_of(cmd: &mut assert_cmd::Command) -> Vec<u8> {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Run a command that must succeed and read its standard output as JSON.
#[track_caller]
pub fn json_of(cmd: &mut assert_cmd::Command) -> serde_json::Value {
    serde_json::from_slice(&stdout_of(cmd)).unwrap()
}

pub mod docx;
pub mod tui;
