//! `init`: a new, empty, valid project.
//!
//! ```text
//! project.json                 name, groups with plurals, school types, interviewer labels
//! codebook/codebook.json       deelvragen, no codes (or a given codebook)
//! transcripts/respondents.csv  the header only
//! codings/  exports/           empty
//! .gitignore                   the derived files: search index, locks, temp files
//! ```

use super::codebook::{Codebook, Deelvraag};
use super::fsutil;
use super::problem::Problem;
use super::project::Project;
use super::respondents::Table;
use super::settings::{DEFAULT_INTERVIEWER_LABELS, Group, Settings};
use serde_json::json;
use std::path::{Path, PathBuf};

/// What the new project declares.
#[derive(Debug, Clone)]
pub struct NewProject {
    pub name: String,
    pub groups: Vec<Group>,
    pub school_types: Vec<String>,
    pub interviewer_labels: Vec<String>,
    pub deelvragen: Vec<Deelvraag>,
    /// A starting codebook (its file's bytes), used as it is instead of `deelvragen`.
    pub codebook: Option<(PathBuf, Vec<u8>)>,
}

impl NewProject {
    /// The defaults `init` uses for what it is not told.
    pub fn defaults(name: &str) -> NewProject {
        NewProject {
            name: name.to_string(),
            groups: vec![Group {
                id: "respondent".into(),
                plural: "respondenten".into(),
            }],
            school_types: Vec::new(),
            interviewer_labels: DEFAULT_INTERVIEWER_LABELS
                .iter()
                .map(std::string::ToString::to_string)
                .collect(),
            deelvragen: vec![Deelvraag {
                number: 1,
                title: "Deelvraag 1".into(),
                question: String::new(),
            }],
            codebook: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{0} already holds a codewerk project ({1} exists)")]
    AlreadyAProject(PathBuf, String),
    #[error(
        "{0} is not empty; init a new folder, or give --force to add a project next to what is \
         there (no file is overwritten)"
    )]
    NotEmpty(PathBuf),
    #[error("{} exists already; nothing is overwritten", .0.display())]
    Exists(PathBuf),
    #[error("{0}")]
    Invalid(String),
    #[error("the starting codebook is not valid")]
    Codebook(Vec<Problem>),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Files that mark a folder as a project.
const MARKERS: [&str; 3] = [
    "project.json",
    "codebook/codebook.json",
    "transcripts/respondents.csv",
];

/// What the derived files are: the search index and its lock under `.codewerk/`, each coder's
/// journal lock, and the temporary files of atomic writes.
pub const GITIGNORE: &str = "\
# codewerk: derived files (rebuilt when missing), locks and temporary files
/.codewerk/
codings/.*.lock
*.tmp.*
";

/// Create the project in `dir` (made if missing). Everything is checked before the first file
/// is written; files are written with `write_new`, so an existing file is never replaced (an
/// identical one, left by an interrupted init, is kept as it is). Returns the files written.
pub fn create(dir: &Path, p: &NewProject, force: bool) -> Result<Vec<PathBuf>, InitError> {
    let files = contents(p)?;
    // The same files of an init that was interrupted before project.json do not count: running
    // it again completes it.
    let interrupted = !dir.join("project.json").exists()
        && files.iter().all(|(rel, bytes)| {
            std::fs::read(dir.join(rel))
                .map_or(true, |there| there == *bytes || *rel == ".gitignore")
        });
    for m in MARKERS {
        if dir.join(m).exists() && !interrupted {
            return Err(InitError::AlreadyAProject(dir.to_path_buf(), m.to_string()));
        }
    }
    let holds_marker = MARKERS.iter().any(|m| dir.join(m).exists());
    // A fresh `git init` (or the Finder's .DS_Store) does not make a folder "not empty".
    let occupied = std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| !matches!(e.file_name().to_str(), Some(".git" | ".DS_Store")))
    });
    if occupied && !force && !holds_marker {
        return Err(InitError::NotEmpty(dir.to_path_buf()));
    }
    let mut todo = Vec::new();
    for (rel, bytes) in files {
        let path = dir.join(rel);
        match std::fs::read(&path) {
            Ok(there) if there == bytes => {}
            // Someone's own .gitignore stays; the project works without ours.
            Ok(_) if rel == ".gitignore" => {}
            Ok(_) => return Err(InitError::Exists(path)),
            Err(_) if path.exists() => return Err(InitError::Exists(path)),
            Err(_) => todo.push((path, bytes)),
        }
    }
    for sub in ["codings", "exports", "transcripts", "codebook"] {
        let path = dir.join(sub);
        std::fs::create_dir_all(&path).map_err(|source| InitError::Io {
            path: path.clone(),
            source,
        })?;
    }
    let mut written = Vec::new();
    // project.json last: a folder is "a project" once it is there, and an interrupted init
    // must be able to run again.
    todo.sort_by_key(|(path, _)| path.ends_with("project.json"));
    for (path, bytes) in todo {
        fsutil::write_new(&path, &bytes).map_err(|source| InitError::Io {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    fsutil::sync_dir(dir).map_err(|source| InitError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    Ok(written)
}

/// The files of the project, relative to its folder, checked.
fn contents(p: &NewProject) -> Result<Vec<(&'static str, Vec<u8>)>, InitError> {
    let mut ids = std::collections::HashSet::new();
    for g in &p.groups {
        if g.id.trim().is_empty() || g.id.contains([',', ';', '"']) {
            return Err(InitError::Invalid(format!(
                "group \"{}\": a group id must be a non-empty word without , ; or \"",
                g.id
            )));
        }
        if !ids.insert(g.id.as_str()) {
            return Err(InitError::Invalid(format!(
                "group \"{}\" is given twice",
                g.id
            )));
        }
    }
    if p.groups.is_empty() {
        return Err(InitError::Invalid(
            "a project needs at least one respondent group".into(),
        ));
    }
    let settings = Settings {
        name: p.name.clone(),
        description: String::new(),
        groups: p.groups.clone(),
        school_types: p.school_types.clone(),
        interviewer_labels: p.interviewer_labels.clone(),
        report_language: None,
    };
    let codebook = match &p.codebook {
        Some((path, bytes)) => {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| InitError::Codebook(vec![Problem::error(path, "not valid UTF-8")]))?;
            Codebook::parse(path, text.strip_prefix('\u{feff}').unwrap_or(text))
                .map_err(InitError::Codebook)?;
            bytes.clone()
        }
        None => {
            let doc = json!({"deelvragen": p.deelvragen, "codes": []});
            let text = pretty(&doc)?;
            // What init writes must load: the same check as for a given codebook.
            Codebook::parse(&Project::codebook_path(Path::new("")), &text)
                .map_err(InitError::Codebook)?;
            text.into_bytes()
        }
    };
    let settings = pretty(&settings)?.into_bytes();
    Ok(vec![
        ("codebook/codebook.json", codebook),
        ("transcripts/respondents.csv", Table::new().to_bytes()),
        (".gitignore", GITIGNORE.as_bytes().to_vec()),
        ("project.json", settings),
    ])
}

fn pretty<T: serde::Serialize>(value: &T) -> Result<String, InitError> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| InitError::Invalid(e.to_string()))
}

/// `"docent=docenten"` or `"docent"` (plural the same) as a group.
pub fn parse_group(spec: &str) -> Group {
    match spec.split_once('=') {
        Some((id, plural)) => Group {
            id: id.trim().to_string(),
            plural: plural.trim().to_string(),
        },
        None => Group {
            id: spec.trim().to_string(),
            plural: String::new(),
        },
    }
}

/// `"1=Signaleren"` or `"Signaleren"` (numbered after `previous`) as a deelvraag.
pub fn parse_deelvraag(spec: &str, previous: u32) -> Result<Deelvraag, InitError> {
    let (number, title) = match spec.split_once('=') {
        Some((n, t)) => {
            let n: u32 = n.trim().parse().map_err(|_| {
                InitError::Invalid(format!(
                    "deelvraag \"{spec}\": give it as N=Title, e.g. \"1=Signaleren\""
                ))
            })?;
            (n, t.trim())
        }
        None => (previous + 1, spec.trim()),
    };
    if title.is_empty() {
        return Err(InitError::Invalid(format!(
            "deelvraag \"{spec}\" has no title"
        )));
    }
    Ok(Deelvraag {
        number,
        title: title.to_string(),
        question: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_a_project_that_loads_without_problems() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("studie");
        let mut p = NewProject::defaults("Studie één");
        p.school_types = vec!["vmbo".into()];
        create(&root, &p, false).unwrap();
        let project = Project::load(&root).unwrap();
        assert!(project.problems.is_empty(), "{:?}", project.problems);
        assert_eq!(project.settings.name, "Studie één");
        assert!(project.transcripts.is_empty());
        assert_eq!(project.codebook.deelvragen.len(), 1);
        assert!(root.join("codings").is_dir() && root.join("exports").is_dir());
        assert!(matches!(
            create(&root, &p, true),
            Err(InitError::AlreadyAProject(..))
        ));
        // An init interrupted before project.json completes when run again.
        std::fs::remove_file(root.join("project.json")).unwrap();
        assert_eq!(create(&root, &p, false).unwrap().len(), 1);
        let other = NewProject::defaults("Ander");
        std::fs::remove_file(root.join("project.json")).unwrap();
        std::fs::write(root.join("codebook/codebook.json"), "{}").unwrap();
        assert!(matches!(
            create(&root, &other, true),
            Err(InitError::AlreadyAProject(..))
        ));
    }

    #[test]
    fn refuses_a_non_empty_folder_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.md"), "mine").unwrap();
        let p = NewProject::defaults("x");
        assert!(matches!(
            create(dir.path(), &p, false),
            Err(InitError::NotEmpty(_))
        ));
        std::fs::create_dir(dir.path().join("codebook")).unwrap();
        std::fs::write(dir.path().join(".gitignore"), "target\n").unwrap();
        create(dir.path(), &p, true).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("notes.md")).unwrap(),
            "mine"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".gitignore")).unwrap(),
            "target\n"
        );
    }

    #[test]
    fn parses_groups_and_deelvragen() {
        assert_eq!(parse_group("docent=docenten").plural(), "docenten");
        assert_eq!(parse_group("zorgcoördinator").plural(), "zorgcoördinator");
        assert_eq!(parse_deelvraag("2=Knelpunten", 0).unwrap().number, 2);
        assert_eq!(parse_deelvraag("Meldcode", 2).unwrap().number, 3);
        assert!(parse_deelvraag("x=Y", 0).is_err());
    }
}
