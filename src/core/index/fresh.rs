//! Searching without loading the project: when the index is known to be up to date with the
//! files, a search needs only the index, respondents.csv, the codebook, project.json and the
//! texts of the transcripts it shows. Loading a project of 10,000 transcripts (reading and
//! checking every text and journal) took 2.2 s; this takes milliseconds.
//!
//! "Known to be up to date": after a full load of a project without errors brought the index up
//! to date, `Index::remember_sources` writes into the manifest the size and modification time
//! of every file the index was made from. `Index::open_fresh` compares them with the files as
//! they are: any difference in respondents.csv, the codebook, project.json, a journal, the set
//! of journals or the snapshots folder means a full load. A transcript whose stamp differs is
//! read and its text hash compared with the manifest's (a `touch` or a copy keeps it fresh);
//! only a changed text means a full load. A file written in the two seconds before the full
//! load began is not stamped ("racy": it may have changed while it was being read), so it is
//! checked the slow way next time.

use super::{Index, Stamp, file_stamp, index_dir_in, read_manifest};
use crate::core::codebook::Codebook;
use crate::core::coding::valid_coder;
use crate::core::project::Project;
use crate::core::respondents::{self, Respondent};
use crate::core::settings::Settings;
use crate::core::transcript::Transcript;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Stamps of the files the index was last brought up to date from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Sources {
    /// Transcript file stamps by transcript id; a transcript missing here is checked by hash.
    transcripts: BTreeMap<String, Stamp>,
    /// Every other file read, by path relative to the project root; None: it did not exist.
    files: BTreeMap<String, Option<Stamp>>,
    /// The journals' file names in `codings/`: a new coder changes the index.
    journals: Vec<String>,
}

const SETTINGS: &str = "project.json";
const CODEBOOK: &str = "codebook/codebook.json";
const RESPONDENTS: &str = "transcripts/respondents.csv";
const VERSIONS: &str = "codings/versions";

/// Files written this long before a load began are trusted by their stamps.
const RACY: Duration = Duration::from_secs(2);

/// A project as far as a search needs it, read without its transcripts (see the module doc).
#[derive(Debug)]
pub struct Light {
    pub root: PathBuf,
    pub settings: Settings,
    pub codebook: Codebook,
    pub respondents: Vec<Respondent>,
    /// Coders with a journal.
    pub coders: Vec<String>,
    by_id: HashMap<String, usize>,
}

impl Light {
    pub fn respondent(&self, id: &str) -> Option<&Respondent> {
        self.by_id.get(id).map(|&i| &self.respondents[i])
    }

    /// Read the transcripts with these ids (hits to show), on all cores.
    pub fn read_transcripts(&self, ids: &[&str]) -> HashMap<String, Transcript> {
        ids.par_iter()
            .filter_map(|id| {
                let r = self.respondent(id)?;
                let path = self.root.join("transcripts").join(&r.file);
                let bytes = std::fs::read(&path).ok()?;
                let t = Transcript::from_bytes(id, &path, &bytes).ok()?;
                Some((id.to_string(), t))
            })
            .collect()
    }
}

/// The journals in `codings/`, sorted: `.jsonl` files not hidden.
fn journals(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join("codings")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".jsonl") && !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

fn mtime(s: &Stamp) -> SystemTime {
    let nanos = u64::try_from(s.mtime_ns).unwrap_or(u64::MAX);
    UNIX_EPOCH + Duration::from_nanos(nanos)
}

/// Paths as `Project::load` writes them: `.` is the empty path.
fn normal_root(root: &Path) -> PathBuf {
    if root == Path::new(".") {
        PathBuf::new()
    } else {
        root.to_path_buf()
    }
}

impl Index {
    /// The project's index and what a search needs of the project, if the index is known to be
    /// up to date with the files (see the module doc); None means: load the project.
    pub fn open_fresh(root: &Path) -> Option<(Index, Light)> {
        let root = normal_root(root);
        if crate::core::pseudonym::project::pending_problem(&root).is_some() {
            return None;
        }
        let dir = index_dir_in(&root);
        if !dir.join("meta.json").exists() {
            return None;
        }
        let manifest = read_manifest(&dir).ok()?;
        let sources = manifest.sources.as_ref()?;
        for (path, stamp) in &sources.files {
            if file_stamp(&root.join(path)) != *stamp {
                return None;
            }
        }
        if journals(&root) != sources.journals {
            return None;
        }
        let csv_path = Project::respondents_path(&root);
        let bytes = std::fs::read(&csv_path).ok()?;
        let (rows, problems) = respondents::parse(&csv_path, &bytes);
        if !problems.is_empty() || rows.len() != manifest.transcripts.len() {
            return None;
        }
        let tdir = root.join("transcripts");
        let fresh = rows.par_iter().all(|r| {
            let Some(entry) = manifest.transcripts.get(&r.id) else {
                return false;
            };
            let path = tdir.join(&r.file);
            let stamp = file_stamp(&path);
            if stamp.is_some() && stamp.as_ref() == sources.transcripts.get(&r.id) {
                return true;
            }
            // Touched, copied, or stamped too close to its load: the text decides.
            std::fs::read(&path)
                .ok()
                .and_then(|b| Transcript::from_bytes(&r.id, &path, &b).ok())
                .is_some_and(|t| t.content_hash() == entry.content)
        });
        if !fresh {
            return None;
        }
        let settings = Settings::load(&root.join(SETTINGS)).ok()?;
        let codebook = Codebook::load(&Project::codebook_path(&root)).ok()?;
        let coders = sources
            .journals
            .iter()
            .filter_map(|n| n.strip_suffix(".jsonl"))
            .filter(|c| valid_coder(c))
            .map(str::to_string)
            .collect();
        let index = Index::open_with(&dir, manifest).ok()?;
        let by_id = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        Some((
            index,
            Light {
                root,
                settings,
                codebook,
                respondents: rows,
                coders,
                by_id,
            },
        ))
    }

    /// After `project` (loaded without errors, its load begun at `loaded_at`) brought this
    /// index up to date: remember the files' stamps, so that the next search can trust the
    /// index without loading the project. Nothing is remembered for a project with errors, an
    /// index in memory, or when the index changed since (another codewerk updated it).
    pub fn remember_sources(
        &mut self,
        project: &Project,
        loaded_at: SystemTime,
    ) -> Result<(), super::IndexError> {
        let Some(dir) = self.dir.clone() else {
            return Ok(());
        };
        if project.has_errors() {
            return Ok(());
        }
        let trusted = |s: &Stamp| mtime(s) + RACY < loaded_at;
        let root = &project.root;
        let mut files = BTreeMap::new();
        let names = journals(root);
        let others = [SETTINGS, CODEBOOK, RESPONDENTS, VERSIONS]
            .into_iter()
            .map(str::to_string)
            .chain(names.iter().map(|n| format!("codings/{n}")));
        for path in others {
            let stamp = file_stamp(&root.join(&path));
            if stamp.as_ref().is_some_and(|s| !trusted(s)) {
                return Ok(()); // written while it was read, perhaps: next time
            }
            files.insert(path, stamp);
        }
        let transcripts = project
            .transcripts
            .par_iter()
            .filter_map(|t| {
                let s = file_stamp(&t.path)?;
                trusted(&s).then(|| (t.id.clone(), s))
            })
            .collect();
        let sources = Sources {
            transcripts,
            files,
            journals: names,
        };
        let cache = project.cache_dir();
        let _lock = super::take_lock(&cache).map_err(super::io_err(&cache))?;
        match read_manifest(&dir) {
            Ok(on_disk) if on_disk.transcripts == self.manifest.transcripts => {}
            _ => return Ok(()),
        }
        self.manifest.sources = Some(sources);
        self.save_manifest()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::index::search::{Query, search_all};

    fn fresh_project(n: usize) -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        crate::core::index::synth::write_corpus(dir.path(), n, 200, 3).unwrap();
        // Stamps are trusted only for files older than the load.
        let old = SystemTime::now() - Duration::from_secs(60);
        for e in walk(dir.path()) {
            let f = std::fs::File::options().write(true).open(&e);
            if let Ok(f) = f {
                f.set_modified(old).unwrap();
            }
        }
        let p = Project::load(dir.path()).unwrap();
        (dir, p)
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }

    fn remember(p: &Project) {
        let (mut index, _) = Index::open(p, &mut |_| {}).unwrap();
        index.remember_sources(p, SystemTime::now()).unwrap();
    }

    #[test]
    fn a_remembered_index_opens_without_the_project_and_finds_the_same() {
        let (dir, p) = fresh_project(5);
        assert!(
            Index::open_fresh(dir.path()).is_none(),
            "nothing remembered yet"
        );
        remember(&p);
        let (index, light) = Index::open_fresh(dir.path()).expect("fresh");
        let (full, _) = Index::open(&p, &mut |_| {}).unwrap();
        let q = Query {
            text: "meldcode".into(),
            ..Default::default()
        };
        let a = search_all(&p, &full, &q).unwrap();
        let b = search_all(&light, &index, &q).unwrap();
        assert!(a.total > 0);
        assert_eq!(a.total, b.total);
        assert_eq!(a.hits, b.hits);
    }

    #[test]
    fn any_change_to_what_the_index_is_made_of_means_a_full_load() {
        let (dir, p) = fresh_project(4);
        remember(&p);
        assert!(Index::open_fresh(dir.path()).is_some());
        let t = dir.path().join("transcripts").join("T00002.txt");
        // Touched but the same text: still fresh (checked by hash).
        let f = std::fs::File::options().write(true).open(&t).unwrap();
        f.set_modified(SystemTime::now()).unwrap();
        drop(f);
        assert!(Index::open_fresh(dir.path()).is_some(), "touched only");
        // A changed text.
        let mut text = std::fs::read_to_string(&t).unwrap();
        text.push_str("R: Een nieuwe zin.\n");
        std::fs::write(&t, &text).unwrap();
        assert!(Index::open_fresh(dir.path()).is_none(), "text changed");
        // A full load brings it back; then a new journal, a changed row, a changed codebook.
        let p = Project::load(dir.path()).unwrap();
        remember_at(&p, SystemTime::now() + RACY * 2);
        assert!(Index::open_fresh(dir.path()).is_some());
        let journal = dir.path().join("codings").join("ann.jsonl");
        std::fs::write(&journal, "").unwrap();
        assert!(Index::open_fresh(dir.path()).is_none(), "new journal");
        std::fs::remove_file(&journal).unwrap();
        assert!(Index::open_fresh(dir.path()).is_some());
        let csv = Project::respondents_path(dir.path());
        let rows = std::fs::read_to_string(&csv).unwrap();
        std::fs::write(&csv, rows.replace("School 0", "School X")).unwrap();
        assert!(
            Index::open_fresh(dir.path()).is_none(),
            "respondents changed"
        );
    }

    fn remember_at(p: &Project, at: SystemTime) {
        let (mut index, _) = Index::open(p, &mut |_| {}).unwrap();
        index.remember_sources(p, at).unwrap();
    }

    #[test]
    fn files_written_just_before_the_load_are_not_trusted() {
        let (dir, p) = fresh_project(3);
        let csv = Project::respondents_path(dir.path());
        let f = std::fs::File::options().write(true).open(&csv).unwrap();
        f.set_modified(SystemTime::now()).unwrap();
        drop(f);
        remember(&p);
        assert!(Index::open_fresh(dir.path()).is_none());
    }

    #[test]
    fn a_project_with_errors_is_not_remembered() {
        let (dir, _) = fresh_project(3);
        // A sync tool's conflict copy of a journal is an error.
        let copy = dir
            .path()
            .join("codings")
            .join("ann (conflicted copy).jsonl");
        std::fs::write(copy, "").unwrap();
        let p = Project::load(dir.path()).unwrap();
        assert!(p.has_errors());
        remember(&p);
        assert!(Index::open_fresh(dir.path()).is_none());
    }
}
