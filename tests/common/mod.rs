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
pub mod docx;
pub mod tui;
