//! The query parser and search: any query text gives hits or a syntax error, never a panic.
#![no_main]
use codewerk::core::index::Index;
use codewerk::core::index::search::{Query, search_all};
use codewerk::core::project::Project;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// One small project and its index, built once per fuzzing process.
fn fixture() -> &'static (tempfile::TempDir, Project, Index) {
    static FIXTURE: OnceLock<(tempfile::TempDir, Project, Index)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/valid");
        copy(std::path::Path::new(src), dir.path());
        let project = Project::load(dir.path()).expect("fixture loads");
        let (index, _) = Index::open(&project, &mut |_| {}).expect("index opens");
        (dir, project, index)
    })
}

fn copy(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).expect("fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).expect("dir");
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (_, project, index) = fixture();
    let query = Query {
        text: text.to_string(),
        limit: 20,
        ..Query::default()
    };
    let _ = search_all(project, index, &query);
});
