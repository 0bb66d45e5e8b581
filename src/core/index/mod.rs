//! The full-text search index of a project's transcripts, kept under `.codewerk/index/`.
//!
//! One tantivy document per unit, a speaker turn's spoken text (see `schema.rs`). Next to the
//! tantivy files, `codewerk-manifest.json` records per transcript a hash of its text and a hash
//! of everything else its documents carry (the respondent's attributes), plus the size and
//! modification time of every index file of the last commit. `Index::open` compares the project
//! with the manifest and re-indexes only transcripts that changed (delete by transcript term,
//! add again); `Index::refresh` does the same later, e.g. after a text was edited. Codings are
//! not indexed (see `schema`): coding never makes the index stale. An index that is missing,
//! unreadable, tampered with, or of another `SCHEMA_VERSION` is rebuilt from scratch, with the
//! reason in the report: never a crash. If the project folder cannot be written, the index is
//! built in memory instead.

pub mod autocode;
mod coded;
pub mod decompound;
mod filter;
pub mod fresh;
mod highlight;
pub mod memos;
mod query;
pub mod schema;
pub mod search;
mod source;
mod stamps;
pub mod stream;
pub mod synth;
pub mod uncoded;

pub use autocode::{AutocodeOptions, AutocodePlan, Scope, plan_autocode, plan_autocode_with};
pub use filter::check_coder;
pub use highlight::Snippet;
pub use query::{ParsedQuery, Query, Rank, SearchError};
pub use schema::{Fields, MAX_WORD_BYTES, SCHEMA_VERSION};
pub use search::{Hit, Hits, match_ranges, search, search_all};
pub use source::{CodingRef, Source, Texts};

use super::fsutil;
use super::project::Project;
use super::transcript::fnv1a;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;
use tantivy::schema::Term;
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};

const MANIFEST: &str = "codewerk-manifest.json";
const LOCK: &str = "index.lock";

/// What a long build reports, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Adding transcripts: `done` of `total`.
    Indexing,
    /// Writing the index to disk and merging segments.
    Committing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub phase: Phase,
    pub done: usize,
    pub total: usize,
}

/// What opening or refreshing the index did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IndexReport {
    /// Set when the whole index was (re)built, with the reason.
    pub rebuilt: Option<String>,
    /// Transcripts indexed for the first time.
    pub added: usize,
    /// Transcripts re-indexed because their text or respondent changed.
    pub updated: usize,
    /// Transcripts no longer in the project, removed.
    pub removed: usize,
    /// Units (turns) in the index afterwards.
    pub units: u64,
    /// Things the user should know (index in memory only, another process updating, ...).
    pub warnings: Vec<String>,
}

impl IndexReport {
    pub fn changed(&self) -> bool {
        self.rebuilt.is_some() || self.added + self.updated + self.removed > 0
    }

    /// One line for a status bar or stderr, if anything worth saying happened.
    pub fn message(&self) -> Option<String> {
        if let Some(reason) = &self.rebuilt {
            return Some(format!(
                "search index {reason}: built it ({} units)",
                self.units
            ));
        }
        if self.added + self.updated + self.removed == 0 {
            return None;
        }
        Some(format!(
            "search index updated: {} transcript(s) re-indexed, {} added, {} removed",
            self.updated, self.added, self.removed
        ))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("search index: {0}")]
    Tantivy(tantivy::TantivyError),
    /// The OS error is in the message and not a `source`, so that printing the error with its
    /// causes does not say it twice.
    #[error("search index: {path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
}

impl From<tantivy::TantivyError> for IndexError {
    fn from(e: tantivy::TantivyError) -> Self {
        IndexError::Tantivy(e)
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> IndexError + '_ {
    move |err| IndexError::Io {
        path: path.to_path_buf(),
        err,
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    /// `Transcript::content_hash`.
    content: u64,
    /// Hash of the respondent's attributes.
    meta: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    size: u64,
    mtime_ns: u128,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Manifest {
    schema_version: u32,
    transcripts: BTreeMap<String, Entry>,
    /// Files of the last commit's segments, by name.
    files: BTreeMap<String, Stamp>,
}

/// An open search index, up to date with the project it was opened or last refreshed with.
pub struct Index {
    /// Where it lives; None if it is in memory only.
    pub dir: Option<PathBuf>,
    pub fields: Fields,
    pub(crate) index: tantivy::Index,
    pub(crate) reader: IndexReader,
    manifest: Manifest,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("dir", &self.dir)
            .field("units", &self.num_units())
            .finish()
    }
}

/// The index folder of a project.
pub fn index_dir(project: &Project) -> PathBuf {
    index_dir_in(&project.root)
}

/// The index folder of the project in `root`.
fn index_dir_in(root: &Path) -> PathBuf {
    root.join(".codewerk").join("index")
}

impl Index {
    /// Open the project's index, building or updating it as needed. Only I/O failures the user
    /// must fix (e.g. a full disk) are errors; a missing or broken index is rebuilt.
    pub fn open(
        project: &Project,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(Index, IndexReport), IndexError> {
        let dir = index_dir(project);
        let mut report = IndexReport::default();
        let lock = match take_lock(&project.cache_dir()) {
            Ok(lock) => lock,
            Err(e) => {
                report.warnings.push(format!(
                    "cannot write the search index in {} ({e}); using an index in memory",
                    dir.display()
                ));
                return Self::in_memory(project, progress, report);
            }
        };
        let mut index = match Self::open_existing(&dir) {
            Ok(index) => index,
            Err(reason) => {
                report.rebuilt = Some(reason.to_string());
                match Self::create(&dir) {
                    Ok(index) => index,
                    Err(e) => {
                        report.warnings.push(format!(
                            "cannot create the search index in {} ({e}); using an index in memory",
                            dir.display()
                        ));
                        return Self::in_memory(project, progress, report);
                    }
                }
            }
        };
        if let Err(e) = index.update(project, None, progress, &mut report) {
            // A full disk (or a quota) while writing: search still works, from memory, as on a
            // read-only folder. What was half written is not committed, and is rebuilt next time.
            drop(index);
            drop(lock);
            report.warnings.push(format!(
                "cannot write the search index in {} ({e}); using an index in memory",
                dir.display()
            ));
            report.rebuilt = None;
            return Self::in_memory(project, progress, report);
        }
        drop(lock);
        Ok((index, report))
    }

    /// Bring the index up to date with the project (e.g. a transcript was edited elsewhere).
    pub fn refresh(
        &mut self,
        project: &Project,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<IndexReport, IndexError> {
        self.refresh_impl(project, None, progress)
    }

    /// Re-index just these transcripts if they changed (their texts or respondents): cheaper
    /// than `refresh`, which hashes every transcript. Coding in them changes nothing here.
    pub fn refresh_only(
        &mut self,
        project: &Project,
        transcripts: &[&str],
        progress: &mut dyn FnMut(Progress),
    ) -> Result<IndexReport, IndexError> {
        self.refresh_impl(project, Some(transcripts), progress)
    }

    fn refresh_impl(
        &mut self,
        project: &Project,
        only: Option<&[&str]>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<IndexReport, IndexError> {
        let mut report = IndexReport::default();
        let Some(dir) = self.dir.clone() else {
            self.update(project, only, progress, &mut report)?;
            return Ok(report);
        };
        // A full disk (or a folder gone read-only) keeps search working from memory, as in
        // `open`; the index on disk is rebuilt when it can be written again.
        let on_disk = (|| -> Result<(), IndexError> {
            let cache = project.cache_dir();
            let _lock = take_lock(&cache).map_err(io_err(&cache))?;
            // Read it afresh: another codewerk may have updated or rebuilt it, or someone
            // deleted it.
            let only = match Self::open_existing(&dir) {
                Ok(fresh) => {
                    *self = fresh;
                    only
                }
                Err(reason) => {
                    report.rebuilt = Some(reason.to_string());
                    *self = Self::create(&dir)?;
                    None
                }
            };
            self.update(project, only, progress, &mut report)
        })();
        if let Err(e) = on_disk {
            report.warnings.push(format!(
                "cannot write the search index in {} ({e}); using an index in memory",
                dir.display()
            ));
            let (index, more) = Self::in_memory(project, progress, IndexReport::default())?;
            *self = index;
            report.rebuilt = more.rebuilt;
            report.units = more.units;
        }
        Ok(report)
    }

    /// An index in memory of loose texts (memos): one unit each, its position as `transcript`,
    /// analysed as transcripts are (compounds split with the texts' own words and those of
    /// `words`, e.g. the transcripts' index).
    pub fn of_texts(
        texts: &[&str],
        words: Option<&dyn decompound::Lexicon>,
    ) -> Result<Index, IndexError> {
        let fields = Fields::new();
        let index = tantivy::Index::create_in_ram(fields.schema.clone());
        schema::register_analyzers(index.tokenizers());
        let words_too = words;
        let words = decompound::words_of(texts.par_iter().copied());
        let splits = match words_too {
            Some(more) => decompound::Splits::compute(&words, &decompound::Either(&words, more)),
            None => decompound::Splits::compute(&words, &words),
        };
        schema::register_parts(index.tokenizers(), std::sync::Arc::new(splits));
        let mut writer: IndexWriter<TantivyDocument> =
            index.writer_with_num_threads(1, 15 * 1024 * 1024)?;
        for (i, text) in texts.iter().enumerate() {
            let mut doc = TantivyDocument::new();
            doc.add_text(fields.transcript, i.to_string());
            doc.add_u64(fields.start, 0);
            doc.add_u64(fields.end, text.chars().count() as u64);
            doc.add_text(fields.text, text);
            doc.add_text(fields.exact, text);
            doc.add_text(fields.parts, text);
            writer.add_document(doc)?;
        }
        writer.commit()?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Index {
            dir: None,
            fields,
            index,
            reader,
            manifest: Manifest::default(),
        })
    }

    /// The words in the index (its `exact` terms), for splitting compounds.
    pub fn lexicon(&self) -> decompound::IndexedWords {
        decompound::IndexedWords::new(&self.reader.searcher(), self.fields.exact)
    }

    /// Number of units (turns) searchable.
    pub fn num_units(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn in_memory(
        project: &Project,
        progress: &mut dyn FnMut(Progress),
        mut report: IndexReport,
    ) -> Result<(Index, IndexReport), IndexError> {
        let fields = Fields::new();
        let index = tantivy::Index::create_in_ram(fields.schema.clone());
        schema::register_analyzers(index.tokenizers());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let mut index = Index {
            dir: None,
            fields,
            index,
            reader,
            manifest: Manifest::default(),
        };
        index.manifest.schema_version = SCHEMA_VERSION;
        report
            .rebuilt
            .get_or_insert_with(|| "is in memory only".to_string());
        index.update(project, None, progress, &mut report)?;
        Ok((index, report))
    }

    /// Open what is on disk, or say why it cannot be used.
    fn open_existing(dir: &Path) -> Result<Index, Unusable> {
        if !dir.join("meta.json").exists() {
            return Err(Unusable::Missing);
        }
        Self::open_with(dir, read_manifest(dir)?)
    }

    /// `open_existing` with the manifest already read.
    fn open_with(dir: &Path, manifest: Manifest) -> Result<Index, Unusable> {
        if manifest.schema_version != SCHEMA_VERSION {
            return Err(Unusable::OtherVersion(manifest.schema_version));
        }
        let fields = Fields::new();
        let index =
            tantivy::Index::open_in_dir(dir).map_err(|e| Unusable::Corrupt(e.to_string()))?;
        if index.schema() != fields.schema {
            return Err(Unusable::UnexpectedSchema);
        }
        let mut suspicious = false;
        for (name, stamp) in &manifest.files {
            match file_stamp(&dir.join(name)) {
                None => return Err(Unusable::Corrupt(format!("file {name} is missing"))),
                Some(s) if s.size != stamp.size => {
                    return Err(Unusable::Corrupt(format!("file {name} changed size")));
                }
                Some(s) if s != *stamp => suspicious = true,
                Some(_) => {}
            }
        }
        if suspicious {
            let damaged = index
                .validate_checksum()
                .map_err(|e| Unusable::Corrupt(e.to_string()))?;
            if !damaged.is_empty() {
                let names: Vec<String> = damaged.iter().map(|p| p.display().to_string()).collect();
                return Err(Unusable::Corrupt(format!("damaged: {}", names.join(", "))));
            }
        }
        schema::register_analyzers(index.tokenizers());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e: tantivy::TantivyError| Unusable::Corrupt(e.to_string()))?;
        Ok(Index {
            dir: Some(dir.to_path_buf()),
            fields,
            index,
            reader,
            manifest,
        })
    }

    /// A new, empty index in `dir`, replacing whatever was there.
    fn create(dir: &Path) -> Result<Index, IndexError> {
        if dir.exists() {
            fs::remove_dir_all(dir).map_err(io_err(dir))?;
        }
        fs::create_dir_all(dir).map_err(io_err(dir))?;
        let fields = Fields::new();
        let index = tantivy::Index::create_in_dir(dir, fields.schema.clone())?;
        schema::register_analyzers(index.tokenizers());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let manifest = Manifest {
            schema_version: SCHEMA_VERSION,
            ..Default::default()
        };
        Ok(Index {
            dir: Some(dir.to_path_buf()),
            fields,
            index,
            reader,
            manifest,
        })
    }

    /// Re-index what changed since the manifest was written.
    fn update(
        &mut self,
        project: &Project,
        only: Option<&[&str]>,
        progress: &mut dyn FnMut(Progress),
        report: &mut IndexReport,
    ) -> Result<(), IndexError> {
        let wanted: Vec<usize> = match only {
            None => (0..project.transcripts.len()).collect(),
            Some(ids) => ids.iter().filter_map(|id| project.index_of(id)).collect(),
        };
        // Hashing every transcript's text is most of an up-to-date open: use every core.
        let entry = |i: usize| {
            let t = &project.transcripts[i];
            (
                i,
                Entry {
                    content: t.content_hash(),
                    meta: meta_hash(project, i),
                },
            )
        };
        let current: Vec<(usize, Entry)> = wanted.par_iter().map(|&i| entry(i)).collect();
        let todo: Vec<(usize, Entry, bool)> = current
            .iter()
            .filter_map(
                |&(i, e)| match self.manifest.transcripts.get(&project.transcripts[i].id) {
                    Some(old) if *old == e => None,
                    Some(_) => Some((i, e, true)),
                    None => Some((i, e, false)),
                },
            )
            .collect();
        let gone: Vec<String> = match only {
            None => {
                let ids: std::collections::HashSet<&str> =
                    project.transcripts.iter().map(|t| t.id.as_str()).collect();
                self.manifest
                    .transcripts
                    .keys()
                    .filter(|id| !ids.contains(id.as_str()))
                    .cloned()
                    .collect()
            }
            Some(ids) => ids
                .iter()
                .filter(|id| project.index_of(id).is_none())
                .filter(|id| self.manifest.transcripts.contains_key(**id))
                .map(std::string::ToString::to_string)
                .collect(),
        };
        if todo.is_empty() && gone.is_empty() {
            if report.rebuilt.is_some() {
                // An empty project: remember that the (empty) index is built.
                self.save_manifest()?;
            }
            report.units = self.num_units();
            return Ok(());
        }

        // A text read only now (a lazily loaded project) that is not the text its cached hash
        // stands for: indexing it would record another text under that hash.
        if let Some((t, p)) = todo.par_iter().find_map_any(|&(i, _, _)| {
            let t = &project.transcripts[i];
            t.read().err().map(|p| (t, p))
        }) {
            return Err(IndexError::Io {
                path: t.path.clone(),
                err: std::io::Error::other(p.message.clone()),
            });
        }
        // Compounds are split with the words of the transcripts being indexed and those already
        // in the index (see `decompound`), computed once for the token filter to look up.
        let words = decompound::words_of(
            todo.par_iter()
                .map(|&(i, _, _)| project.transcripts[i].text()),
        );
        let splits = if decompound::disabled() {
            decompound::Splits::default()
        } else {
            let indexed = self.lexicon();
            decompound::Splits::compute(&words, &decompound::Either(&words, &indexed))
        };
        schema::register_parts(self.index.tokenizers(), std::sync::Arc::new(splits));
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .clamp(1, 4);
        let threads = if todo.len() < 50 { 1 } else { threads };
        let mut writer: IndexWriter<TantivyDocument> = self
            .index
            .writer_with_num_threads(threads, threads * 64 * 1024 * 1024)?;
        for id in &gone {
            writer.delete_term(Term::from_field_text(self.fields.transcript, id));
        }
        let total = todo.len();
        for (n, &(i, _, existed)) in todo.iter().enumerate() {
            let t = &project.transcripts[i];
            if existed {
                writer.delete_term(Term::from_field_text(self.fields.transcript, &t.id));
            }
            for doc in unit_docs(&self.fields, project, i) {
                writer.add_document(doc)?;
            }
            progress(Progress {
                phase: Phase::Indexing,
                done: n + 1,
                total,
            });
        }
        progress(Progress {
            phase: Phase::Committing,
            done: total,
            total,
        });
        writer.commit()?;
        writer.wait_merging_threads()?;

        for id in &gone {
            self.manifest.transcripts.remove(id);
        }
        for &(i, e, existed) in &todo {
            self.manifest
                .transcripts
                .insert(project.transcripts[i].id.clone(), e);
            if existed {
                report.updated += 1;
            } else {
                report.added += 1;
            }
        }
        if report.rebuilt.is_some() {
            report.added += report.updated;
            report.updated = 0;
        }
        report.removed = gone.len();
        self.save_manifest()?;
        self.reader.reload()?;
        report.units = self.num_units();
        Ok(())
    }

    fn save_manifest(&mut self) -> Result<(), IndexError> {
        let Some(dir) = &self.dir else { return Ok(()) };
        let mut files = BTreeMap::new();
        for meta in self.index.searchable_segment_metas()? {
            for path in meta.list_files() {
                if let Some(stamp) = file_stamp(&dir.join(&path)) {
                    files.insert(path.display().to_string(), stamp);
                }
            }
        }
        self.manifest.files = files;
        let path = dir.join(MANIFEST);
        // Compact: every search that skips loading the project reads it (10,000 transcripts).
        let bytes = serde_json::to_vec(&self.manifest)
            .map_err(|e| io_err(&path)(std::io::Error::other(e)))?;
        fsutil::write_atomic(&path, &bytes).map_err(io_err(&path))
    }
}

/// Why the index on disk cannot be used and is rebuilt; printed after "the search index …".
#[derive(Debug, thiserror::Error)]
enum Unusable {
    #[error("did not exist yet")]
    Missing,
    #[error("had no manifest")]
    NoManifest,
    #[error("had an unreadable manifest ({0})")]
    BadManifest(serde_json::Error),
    #[error("was built by another version of codewerk (schema {0}, now {SCHEMA_VERSION})")]
    OtherVersion(u32),
    #[error("has an unexpected schema")]
    UnexpectedSchema,
    #[error("is corrupt ({0})")]
    Corrupt(String),
}

fn read_manifest(dir: &Path) -> Result<Manifest, Unusable> {
    let bytes = fs::read(dir.join(MANIFEST)).map_err(|_| Unusable::NoManifest)?;
    serde_json::from_slice(&bytes).map_err(Unusable::BadManifest)
}

fn file_stamp(path: &Path) -> Option<Stamp> {
    let m = fs::metadata(path).ok()?;
    let mtime_ns = m
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some(Stamp {
        size: m.len(),
        mtime_ns,
    })
}

/// An exclusive lock on `.codewerk/index.lock` while the index is written: two codewerks
/// updating at once take turns.
fn take_lock(cache_dir: &Path) -> std::io::Result<File> {
    fs::create_dir_all(cache_dir)?;
    let path = cache_dir.join(LOCK);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)?;
    file.lock()?;
    Ok(file)
}

fn meta_hash(project: &Project, i: usize) -> u64 {
    let r = &project.respondents[i];
    let mut s = format!(
        "{}\u{1}{}\u{1}{}\u{1}{}",
        r.file, r.group, r.school, r.school_type
    );
    for (k, v) in &r.attributes {
        s += &format!("\u{1}{k}={v}");
    }
    fnv1a(s.as_bytes())
}

/// The documents of one transcript: one per turn with spoken text.
fn unit_docs(f: &Fields, project: &Project, i: usize) -> Vec<TantivyDocument> {
    let t = &project.transcripts[i];
    let r = &project.respondents[i];
    let mut docs = Vec::with_capacity(t.turns().len());
    for turn in t.turns() {
        let (start, end) = (turn.body_start, turn.end);
        let text = t.slice(start, end);
        if text.trim().is_empty() {
            continue;
        }
        let mut doc = TantivyDocument::new();
        doc.add_text(f.transcript, &t.id);
        doc.add_text(f.group, &r.group);
        doc.add_text(f.school, &r.school);
        doc.add_text(f.school_type, &r.school_type);
        for (k, v) in &r.attributes {
            doc.add_text(f.attribute, format!("{k}={v}"));
        }
        if let Some(s) = &turn.speaker {
            doc.add_text(f.speaker, s);
        }
        doc.add_u64(f.start, start as u64);
        doc.add_u64(f.end, end as u64);
        doc.add_text(f.text, text);
        doc.add_text(f.exact, text);
        doc.add_text(f.parts, text);
        docs.push(doc);
    }
    docs
}

#[cfg(test)]
mod tests;
