//! Searching without loading the project: when the index is known to be up to date with the
//! files, a search needs only the index, respondents.csv, the codebook, project.json and the
//! texts of the transcripts it shows. Loading a project of 10,000 transcripts (reading and
//! checking every text and journal) took 2.2 s; this takes milliseconds.
//!
//! "Known to be up to date": after a full load of a project without errors brought the index up
//! to date, `Index::remember_sources` writes the stamps file (`stamps.rs`): the size and
//! modification time of every file the index was made from, and the hash of the index state
//! (`meta.json`) they vouch for. `Index::open_fresh` compares them with the files as they are:
//! any difference in respondents.csv, the codebook, project.json, or an index changed since,
//! means a full load. A transcript whose stamp differs is read and its text hash compared with
//! the recorded one (a `touch` or a copy keeps it fresh); only a changed text means a full
//! load. A file written in the two seconds before the full load began is not stamped ("racy":
//! it may have changed while it was being read), so it is checked the slow way next time.
//!
//! The journals are not among those files: the index holds no codings, so coding leaves it
//! fresh. A search with a code, coder or "not coded" filter needs the codings, and
//! `Index::open_fresh_coded` also reads the codings that load had (the codings file, written
//! with the stamps): only while every journal, the set of journals and the snapshots folder are
//! as they were then. Else a full load, which reads the journals as they are: a search never
//! filters by codings older than the journals.
//!
//! The check is one `stat` per transcript, which is most of such a search at 10,000: made
//! relative to the open `transcripts/` folder (no path walk per file), on all cores.

use super::source::{CodingRef, Source, Texts};
use super::stamps::{self, CodingsFile, RowSpan, Stamps, TranscriptStamp};
use super::{Index, Manifest, SCHEMA_VERSION, Stamp, file_stamp, index_dir_in, read_manifest};
use crate::core::codebook::Codebook;
use crate::core::coding::valid_coder;
use crate::core::fsutil;
use crate::core::project::Project;
use crate::core::respondents::{self, Respondent};
use crate::core::settings::Settings;
use crate::core::transcript::{Transcript, fnv1a};
use rayon::prelude::*;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SETTINGS: &str = "project.json";
const CODEBOOK: &str = "codebook/codebook.json";
const RESPONDENTS: &str = "transcripts/respondents.csv";
const VERSIONS: &str = "codings/versions";
/// tantivy's record of the index's state: rewritten by every commit.
const META: &str = "meta.json";

/// Files written this long before a load began are trusted by their stamps.
const RACY: Duration = Duration::from_secs(2);

/// A project as far as a search needs it, read without its transcripts (see the module doc).
/// Of respondents.csv it parses only the rows of the hits shown, unless a filter needs them all.
#[derive(Debug)]
pub struct Light {
    pub root: PathBuf,
    pub settings: Settings,
    pub codebook: Codebook,
    /// Coders with a journal.
    pub coders: Vec<String>,
    csv_path: PathBuf,
    /// respondents.csv, as stamped.
    csv: Vec<u8>,
    header_end: usize,
    /// The stamps file's bytes, which `rows` point into.
    stamps: Vec<u8>,
    /// The transcripts, sorted by id.
    rows: Vec<Row>,
    /// Every row parsed, when something needs them all.
    all: OnceLock<AllRows>,
    /// The codings, if opened for a search that filters by them (`Index::open_fresh_coded`).
    codings: Option<Remembered>,
}

/// The codings of the codings file, owned.
#[derive(Debug, Default)]
struct Remembered {
    coders: Vec<String>,
    codes: Vec<String>,
    transcripts: Vec<String>,
    /// As `CodingsFile::codings`.
    codings: Vec<[u32; 5]>,
}

#[derive(Debug)]
struct Row {
    /// Byte ranges of `Light::stamps`.
    id: Range<usize>,
    file: Range<usize>,
    span: Option<RowSpan>,
    /// `Transcript::content_hash` of the text the index was made from.
    content: u64,
    parsed: OnceLock<Option<Box<Respondent>>>,
}

#[derive(Debug, Default)]
struct AllRows {
    respondents: Vec<Respondent>,
    by_id: HashMap<String, usize>,
}

impl Light {
    pub fn respondent(&self, id: &str) -> Option<&Respondent> {
        if let Some(all) = self.all.get() {
            return all.get(id);
        }
        let row = self.row(id)?;
        match row
            .parsed
            .get_or_init(|| self.parse_row(id, row).map(Box::new))
        {
            Some(r) => Some(r),
            None => self.all().get(id),
        }
    }

    /// Every respondent, in file order.
    pub fn respondents(&self) -> &[Respondent] {
        &self.all().respondents
    }

    /// Read the transcripts with these ids (hits to show), on all cores.
    pub fn read_transcripts(&self, ids: &[&str]) -> HashMap<String, Transcript> {
        ids.par_iter()
            .filter_map(|id| {
                let row = self.row(id)?;
                let file = &self.stamps[row.file.clone()];
                let path = self
                    .root
                    .join("transcripts")
                    .join(std::str::from_utf8(file).ok()?);
                let bytes = std::fs::read(&path).ok()?;
                let t = Transcript::from_bytes(id, &path, &bytes).ok()?;
                // Saved since its stamp was compared: the index's offsets are not of this text,
                // so it gives no snippet rather than a wrong one.
                (t.content_hash() == row.content).then(|| (id.to_string(), t))
            })
            .collect()
    }

    fn id(&self, row: &Row) -> &[u8] {
        &self.stamps[row.id.clone()]
    }

    fn row(&self, id: &str) -> Option<&Row> {
        let i = self
            .rows
            .binary_search_by(|r| self.id(r).cmp(id.as_bytes()))
            .ok()?;
        Some(&self.rows[i])
    }

    /// The row alone: the header's bytes and the row's, parsed as the whole file is.
    fn parse_row(&self, id: &str, row: &Row) -> Option<Respondent> {
        let span = row.span?;
        let range = usize::try_from(span.start).ok()?..usize::try_from(span.end).ok()?;
        let mut bytes = self.csv.get(..self.header_end)?.to_vec();
        bytes.extend_from_slice(self.csv.get(range)?);
        let (mut rows, problems) = respondents::parse(&self.csv_path, &bytes);
        let r = rows.pop()?;
        (problems.is_empty() && rows.is_empty() && r.id == id).then_some(Respondent {
            line: span.line as usize,
            ..r
        })
    }

    fn all(&self) -> &AllRows {
        self.all.get_or_init(|| {
            // The file is as it was when a load without problems read it.
            let (respondents, _) = respondents::parse(&self.csv_path, &self.csv);
            let by_id = respondents
                .iter()
                .enumerate()
                .map(|(i, r)| (r.id.clone(), i))
                .collect();
            AllRows { respondents, by_id }
        })
    }
}

impl AllRows {
    fn get(&self, id: &str) -> Option<&Respondent> {
        self.by_id.get(id).map(|&i| &self.respondents[i])
    }
}

impl Source for Light {
    fn settings(&self) -> &Settings {
        &self.settings
    }
    fn codebook(&self) -> &Codebook {
        &self.codebook
    }
    fn respondents(&self) -> &[Respondent] {
        Light::respondents(self)
    }
    fn respondent(&self, id: &str) -> Option<&Respondent> {
        Light::respondent(self, id)
    }
    fn coder_names(&self) -> Vec<&str> {
        self.coders.iter().map(String::as_str).collect()
    }
    /// From the index's terms: the texts are not read.
    fn speaker_labels(&self, index: &Index) -> Vec<String> {
        let mut labels = std::collections::BTreeSet::new();
        for segment in index.reader.searcher().segment_readers() {
            let Ok(inverted) = segment.inverted_index(index.fields.speaker) else {
                continue;
            };
            let Ok(mut terms) = inverted.terms().stream() else {
                continue;
            };
            while terms.advance() {
                labels.insert(String::from_utf8_lossy(terms.key()).into_owned());
            }
        }
        labels.into_iter().collect()
    }
    fn texts(&self, ids: &[&str]) -> Texts<'_> {
        Texts::Read(self.read_transcripts(ids))
    }
    fn codings(&self) -> Option<Box<dyn Iterator<Item = CodingRef<'_>> + '_>> {
        let r = self.codings.as_ref()?;
        // Every position was checked against its list when the file was read.
        fn at(list: &[String], i: u32) -> Option<&str> {
            list.get(usize::try_from(i).ok()?).map(String::as_str)
        }
        Some(Box::new(r.codings.iter().filter_map(move |c| {
            Some(CodingRef {
                coder: at(&r.coders, c[0])?,
                code: at(&r.codes, c[1])?,
                transcript: at(&r.transcripts, c[2])?,
                start: usize::try_from(c[3]).ok()?,
                end: usize::try_from(c[4]).ok()?,
            })
        })))
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
        Self::open_fresh_then(root, false, |_, _| ()).map(|(index, light, ())| (index, light))
    }

    /// As `open_fresh`, with the codings, for a search with a code, coder or "not coded"
    /// filter: None also when a journal changed since they were remembered.
    pub fn open_fresh_coded(root: &Path) -> Option<(Index, Light)> {
        Self::open_fresh_then(root, true, |_, _| ()).map(|(index, light, ())| (index, light))
    }

    /// As `open_fresh`, and `then` run on them while the transcripts' stamps are still being
    /// compared (a search is then done when the check is): its answer is kept only if the
    /// index is fresh. `then` must not show anything, since it may be thrown away.
    /// `with_codings`: as `open_fresh_coded`.
    pub fn open_fresh_then<R: Send>(
        root: &Path,
        with_codings: bool,
        then: impl FnOnce(&Index, &Light) -> R + Send,
    ) -> Option<(Index, Light, R)> {
        let root = normal_root(root);
        if crate::core::pseudonym::project::pending_problem(&root).is_some() {
            return None;
        }
        let dir = index_dir_in(&root);
        let meta = std::fs::read(dir.join(META)).ok()?;
        let bytes = std::fs::read(dir.join(stamps::FILE)).ok()?;
        let stamps = Stamps::decode(&bytes)?;
        if stamps.schema_version != SCHEMA_VERSION || stamps.meta_hash != fnv1a(&meta) {
            return None;
        }
        for (path, stamp) in &stamps.files {
            if file_stamp(&root.join(path)) != *stamp {
                return None;
            }
        }
        // Sorted by id, as written: the hits' rows are looked up in them.
        if stamps.transcripts.windows(2).any(|w| w[0].id >= w[1].id) {
            return None;
        }
        let journal_names = journals(&root);
        // The stamps of the transcripts are most of the time: what else is needed is read
        // meanwhile, and `then` is run on it, all thrown away if a transcript changed.
        let (unchanged, done) = rayon::join(
            || transcripts_unchanged(&root.join("transcripts"), &stamps.transcripts),
            || {
                let codings = if with_codings {
                    Some(remembered_codings(&root, &dir, &bytes, &journal_names)?)
                } else {
                    None
                };
                let rest = Rest::read(&root, &dir, &stamps, &bytes, &journal_names)?;
                let light = Light {
                    root: root.clone(),
                    settings: rest.settings,
                    codebook: rest.codebook,
                    coders: rest.coders,
                    csv_path: rest.csv_path,
                    csv: rest.csv,
                    header_end: rest.header_end,
                    // The rows point into this copy; `stamps` still borrows the original.
                    stamps: bytes.clone(),
                    rows: rest.rows,
                    all: OnceLock::new(),
                    codings,
                };
                let r = then(&rest.index, &light);
                Some((rest.index, light, r))
            },
        );
        if !unchanged {
            return None;
        }
        done
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
        let mut files = Vec::new();
        for path in [SETTINGS, CODEBOOK, RESPONDENTS] {
            let stamp = file_stamp(&root.join(path));
            if stamp.as_ref().is_some_and(|s| !trusted(s)) {
                return Ok(()); // written while it was read, perhaps: next time
            }
            files.push((path, stamp));
        }
        // The codings' files, stamped likewise; one written while it was read means only that
        // a search with a code filter loads the project next time.
        let names = journals(root);
        let coding_paths: Vec<String> = std::iter::once(VERSIONS.to_string())
            .chain(names.iter().map(|n| format!("codings/{n}")))
            .collect();
        let coding_files: Option<Vec<(&str, Option<Stamp>)>> = coding_paths
            .iter()
            .map(|path| {
                let stamp = file_stamp(&root.join(path));
                stamp
                    .as_ref()
                    .is_none_or(trusted)
                    .then_some((path.as_str(), stamp))
            })
            .collect();
        if project.respondents.len() != project.transcripts.len() {
            return Ok(());
        }
        // Where each row is in respondents.csv, for a search to parse just its hits' rows. Read
        // after its stamp was taken: a change since makes the stamp differ next time.
        let csv = std::fs::read(Project::respondents_path(root)).unwrap_or_default();
        let (header, spans) = row_spans(project, &csv).unwrap_or_default();
        let mut transcripts: Vec<TranscriptStamp> = Vec::with_capacity(project.transcripts.len());
        for (i, (t, r)) in project
            .transcripts
            .iter()
            .zip(&project.respondents)
            .enumerate()
        {
            let Some(entry) = self.manifest.transcripts.get(&t.id) else {
                return Ok(());
            };
            if r.id != t.id {
                return Ok(());
            }
            transcripts.push(TranscriptStamp {
                id: &t.id,
                file: &r.file,
                stamp: None,
                content: entry.content,
                row: spans.get(i).copied(),
            });
        }
        transcripts
            .par_iter_mut()
            .zip(&project.transcripts)
            .for_each(|(s, t)| s.stamp = file_stamp(&t.path).filter(|s| trusted(s)));
        transcripts.sort_unstable_by(|a, b| a.id.cmp(b.id));
        let cache = project.cache_dir();
        let _lock = super::take_lock(&cache).map_err(super::io_err(&cache))?;
        match read_manifest(&dir) {
            Ok(on_disk) if on_disk.transcripts == self.manifest.transcripts => {}
            _ => return Ok(()),
        }
        let meta_path = dir.join(META);
        let meta = std::fs::read(&meta_path).map_err(super::io_err(&meta_path))?;
        let stamps = Stamps {
            schema_version: self.manifest.schema_version,
            meta_hash: fnv1a(&meta),
            segments: self
                .manifest
                .files
                .iter()
                .map(|(name, stamp)| (name.as_str(), *stamp))
                .collect(),
            files,
            header_end: header,
            transcripts,
        };
        let bytes = stamps.encode();
        // The codings first: they name the stamps they go with, and no stamps file is ever
        // newer than the codings file that names it while another stamps file is in place.
        let codings_path = dir.join(stamps::CODINGS_FILE);
        match coding_files {
            Some(files) => {
                let file = codings_file(project, fnv1a(&bytes), files, &names);
                fsutil::write_atomic(&codings_path, &file.encode())
                    .map_err(super::io_err(&codings_path))?;
            }
            None => match std::fs::remove_file(&codings_path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(super::io_err(&codings_path)(e));
                }
                _ => {}
            },
        }
        let path = dir.join(stamps::FILE);
        fsutil::write_atomic(&path, &bytes).map_err(super::io_err(&path))
    }
}

/// What a search reads besides the transcripts' stamps, for `Light`.
struct Rest {
    index: Index,
    settings: Settings,
    codebook: Codebook,
    coders: Vec<String>,
    csv_path: PathBuf,
    csv: Vec<u8>,
    header_end: usize,
    rows: Vec<Row>,
}

impl Rest {
    /// `bytes`: the stamps file, which `stamps` was decoded from.
    fn read(
        root: &Path,
        dir: &Path,
        stamps: &Stamps,
        bytes: &[u8],
        journals: &[String],
    ) -> Option<Rest> {
        let settings = Settings::load(&root.join(SETTINGS)).ok()?;
        let codebook = Codebook::load(&Project::codebook_path(root)).ok()?;
        let coders = journals
            .iter()
            .filter_map(|n| n.strip_suffix(".jsonl"))
            .filter(|c| valid_coder(c))
            .map(str::to_string)
            .collect();
        // A manifest for searching only: a change to the index reads the whole one from disk
        // first (`refresh`), and `remember_sources` finds this one differs from it.
        let manifest = Manifest {
            schema_version: stamps.schema_version,
            files: stamps
                .segments
                .iter()
                .map(|(name, stamp)| ((*name).to_string(), *stamp))
                .collect(),
            ..Manifest::default()
        };
        let index = Index::open_with(dir, manifest).ok()?;
        // respondents.csv is as it was when the stamps were recorded (its stamp was compared),
        // so the recorded rows are its rows. Read after that: compared again.
        let csv_path = Project::respondents_path(root);
        let csv = std::fs::read(&csv_path).ok()?;
        if file_stamp(&csv_path) != stamps.files.iter().find(|(p, _)| *p == RESPONDENTS)?.1 {
            return None;
        }
        let at = |s: &str| {
            let start = s.as_ptr().addr() - bytes.as_ptr().addr();
            start..start + s.len()
        };
        let rows = stamps
            .transcripts
            .iter()
            .map(|t| Row {
                id: at(t.id),
                file: at(t.file),
                span: t.row,
                content: t.content,
                parsed: OnceLock::new(),
            })
            .collect();
        Some(Rest {
            index,
            settings,
            codebook,
            coders,
            csv_path,
            csv,
            header_end: usize::try_from(stamps.header_end).ok()?,
            rows,
        })
    }
}

/// The codings file of `project`, for the stamps file whose bytes hash to `stamps_hash`.
fn codings_file<'p>(
    project: &'p Project,
    stamps_hash: u64,
    files: Vec<(&'p str, Option<Stamp>)>,
    journals: &'p [String],
) -> CodingsFile<'p> {
    let mut lists: [(Vec<&str>, HashMap<&str, u32>); 3] = Default::default();
    let mut at = |list: usize, s: &'p str| -> u32 {
        let (names, positions) = &mut lists[list];
        *positions.entry(s).or_insert_with(|| {
            names.push(s);
            u32::try_from(names.len() - 1).unwrap_or(u32::MAX)
        })
    };
    let mut codings = Vec::new();
    for c in Source::codings(project).into_iter().flatten() {
        let (Ok(start), Ok(end)) = (u32::try_from(c.start), u32::try_from(c.end)) else {
            continue;
        };
        codings.push([
            at(0, c.coder),
            at(1, c.code),
            at(2, c.transcript),
            start,
            end,
        ]);
    }
    let [(coders, _), (codes, _), (transcripts, _)] = lists;
    // In the order a code filter groups them (`coded`): a sorted run is sorted again in one
    // pass, where 185,000 codings in journal order took a fifth of such a search.
    let name = |i: u32| {
        usize::try_from(i)
            .ok()
            .and_then(|i| transcripts.get(i).copied())
    };
    codings.sort_unstable_by(|a, b| (name(a[2]), a[3], a[4]).cmp(&(name(b[2]), b[3], b[4])));
    CodingsFile {
        stamps_hash,
        files,
        journals: journals.iter().map(String::as_str).collect(),
        coders,
        codes,
        transcripts,
        codings,
    }
}

/// The codings remembered with the stamps file `stamps` (its bytes), if every journal and the
/// snapshots folder are as they were then and `journals` are the journals there were.
fn remembered_codings(
    root: &Path,
    dir: &Path,
    stamps: &[u8],
    journals: &[String],
) -> Option<Remembered> {
    let bytes = std::fs::read(dir.join(stamps::CODINGS_FILE)).ok()?;
    let file = CodingsFile::decode(&bytes)?;
    if file.stamps_hash != fnv1a(stamps) || file.journals != journals {
        return None;
    }
    for (path, stamp) in &file.files {
        if file_stamp(&root.join(path)) != *stamp {
            return None;
        }
    }
    let owned = |list: &[&str]| list.iter().map(|s| (*s).to_string()).collect();
    Some(Remembered {
        coders: owned(&file.coders),
        codes: owned(&file.codes),
        transcripts: owned(&file.transcripts),
        codings: file.codings,
    })
}

/// The end of respondents.csv's header and each row's span in it, in project order, if each
/// span read alone (with the header) gives the project's row: else the rows are not known and
/// a search parses the whole file.
fn row_spans(project: &Project, csv: &[u8]) -> Option<(u32, Vec<RowSpan>)> {
    let (header, spans) = respondents::spans(csv)?;
    if spans.len() != project.respondents.len() {
        return None;
    }
    let u32 = |n: usize| u32::try_from(n).ok();
    let path = Project::respondents_path(&project.root);
    let mut out = Vec::with_capacity(spans.len());
    for (span, r) in spans.into_iter().zip(&project.respondents) {
        let mut bytes = csv[header.clone()].to_vec();
        bytes.extend_from_slice(&csv[span.clone()]);
        match respondents::parse(&path, &bytes) {
            (rows, problems) if problems.is_empty() && rows.len() == 1 => {
                if (Respondent {
                    line: r.line,
                    ..rows[0].clone()
                }) != *r
                {
                    return None;
                }
            }
            _ => return None,
        }
        out.push(RowSpan {
            start: u32(span.start)?,
            end: u32(span.end)?,
            line: u32(r.line)?,
        });
    }
    Some((u32(header.end)?, out))
}

/// Whether every transcript file is as recorded: the same stamp, or else the same text.
fn transcripts_unchanged(tdir: &Path, recorded: &[TranscriptStamp]) -> bool {
    let Ok(folder) = Folder::open(tdir) else {
        return false;
    };
    recorded.par_iter().all(|t| {
        let stamp = folder.stamp(t.file);
        if stamp.is_some() && stamp == t.stamp {
            return true;
        }
        // Touched, copied, or stamped too close to its load: the text decides.
        let path = tdir.join(t.file);
        std::fs::read(&path)
            .ok()
            .and_then(|b| Transcript::from_bytes(t.id, &path, &b).ok())
            .is_some_and(|tr| tr.content_hash() == t.content)
    })
}

/// A folder whose files are stamped by name relative to it: the kernel looks up one name per
/// file instead of walking the whole path, as `file_stamp` makes it do.
struct Folder {
    #[cfg(unix)]
    fd: std::fs::File,
    #[cfg(not(unix))]
    path: PathBuf,
}

impl Folder {
    fn open(path: &Path) -> std::io::Result<Folder> {
        #[cfg(unix)]
        {
            Ok(Folder {
                fd: std::fs::File::open(path)?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Folder {
                path: path.to_path_buf(),
            })
        }
    }

    /// As `file_stamp(folder/name)`: size and modification time, symbolic links followed.
    fn stamp(&self, name: &str) -> Option<Stamp> {
        #[cfg(unix)]
        {
            let st = rustix::fs::statat(&self.fd, name, rustix::fs::AtFlags::empty()).ok()?;
            // Before 1970: no stamp, as `file_stamp` gives none.
            let secs = u128::try_from(st.st_mtime).ok()?;
            // u64 on Linux, i64 elsewhere.
            #[allow(clippy::unnecessary_fallible_conversions)]
            let nanos = u128::try_from(st.st_mtime_nsec).ok()?;
            Some(Stamp {
                size: u64::try_from(st.st_size).ok()?,
                mtime_ns: secs * 1_000_000_000 + nanos,
            })
        }
        #[cfg(not(unix))]
        {
            file_stamp(&self.path.join(name))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::index::query::Query;
    use crate::core::index::search::{Hit, search_all};

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
    fn a_text_saved_after_its_stamp_was_compared_gives_no_snippet() {
        let (dir, p) = fresh_project(3);
        remember(&p);
        let (_, light) = Index::open_fresh(dir.path()).expect("fresh");
        let id = p.transcripts[1].id.clone();
        assert_eq!(light.read_transcripts(&[&id]).len(), 1);
        let t = dir.path().join("transcripts").join(format!("{id}.txt"));
        let text = std::fs::read_to_string(&t).unwrap();
        std::fs::write(&t, text.replacen("R:", "R: Ineens", 1)).unwrap();
        assert!(light.read_transcripts(&[&id]).is_empty());
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
        assert!(Index::open_fresh_coded(dir.path()).is_some());
        // The index holds no codings: a new journal leaves it fresh, but not the codings.
        let journal = dir.path().join("codings").join("ann.jsonl");
        std::fs::write(&journal, "").unwrap();
        assert!(Index::open_fresh(dir.path()).is_some(), "new journal");
        assert!(Index::open_fresh_coded(dir.path()).is_none(), "new journal");
        std::fs::remove_file(&journal).unwrap();
        assert!(Index::open_fresh_coded(dir.path()).is_some());
        let csv = Project::respondents_path(dir.path());
        let rows = std::fs::read_to_string(&csv).unwrap();
        std::fs::write(&csv, rows.replace("School 0", "School X")).unwrap();
        assert!(
            Index::open_fresh(dir.path()).is_none(),
            "respondents changed"
        );
    }

    /// `query` with a code filter, from the project and from the remembered codings.
    fn coded_both_ways(dir: &Path, query: &Query) -> (Vec<Hit>, Vec<Hit>) {
        let p = Project::load(dir).unwrap();
        let (full, _) = Index::open(&p, &mut |_| {}).unwrap();
        let (index, light) = Index::open_fresh_coded(dir).expect("fresh, with codings");
        (
            search_all(&p, &full, query).unwrap().hits,
            search_all(&light, &index, query).unwrap().hits,
        )
    }

    #[test]
    fn a_search_by_code_without_the_project_filters_by_the_journals_as_they_are() {
        let (dir, p) = fresh_project(4);
        remember(&p);
        let meldcode = Query {
            text: "meldcode".into(),
            code: Some("meldcode".into()),
            limit: 0,
            ..Default::default()
        };
        let (a, b) = coded_both_ways(dir.path(), &meldcode);
        assert!(a.is_empty() && b.is_empty(), "nothing coded yet");
        // Fresh without codings: a code filter says it lacks them, never "nothing coded".
        let (index, light) = Index::open_fresh(dir.path()).unwrap();
        assert!(search_all(&light, &index, &meldcode).is_err());
        // Code the first hit of the first transcript with a hit.
        let hit = search_all(
            &p,
            &index,
            &Query {
                limit: 1,
                code: None,
                ..meldcode.clone()
            },
        )
        .unwrap();
        let hit = &hit.hits[0];
        let mut j = p.open_journal("ann").unwrap();
        let t = p.transcript(&hit.transcript).unwrap();
        let m = hit.matches[0].clone();
        j.record(vec![crate::core::coding::Op::Add(
            crate::core::coding::Coding::quoted(t, "meldcode", m.start, m.end),
        )])
        .unwrap();
        // The journal changed: the remembered codings are not used, the project is loaded...
        assert!(Index::open_fresh_coded(dir.path()).is_none());
        assert!(
            Index::open_fresh(dir.path()).is_some(),
            "the index is still fresh"
        );
        let p = Project::load(dir.path()).unwrap();
        let (index, _) = Index::open(&p, &mut |_| {}).unwrap();
        let coded = search_all(&p, &index, &meldcode).unwrap().hits;
        assert_eq!(coded.len(), 1);
        assert_eq!(
            (coded[0].transcript.as_str(), coded[0].start),
            (hit.transcript.as_str(), hit.start)
        );
        // ... and once remembered again, the codings without the project find the same.
        remember_at(&p, SystemTime::now() + RACY * 2);
        let (a, b) = coded_both_ways(dir.path(), &meldcode);
        assert_eq!(a, coded);
        assert_eq!(b, coded);
        let uncoded = Query {
            code: None,
            uncoded: true,
            coder: Some("ann".into()),
            ..meldcode.clone()
        };
        let (a, b) = coded_both_ways(dir.path(), &uncoded);
        assert_eq!(a, b);
        assert!(
            !a.is_empty()
                && !a
                    .iter()
                    .any(|h| h.transcript == hit.transcript && h.start == hit.start)
        );
        // Undone: the same again, the other way.
        j.undo().unwrap();
        assert!(Index::open_fresh_coded(dir.path()).is_none());
        let p = Project::load(dir.path()).unwrap();
        assert!(search_all(&p, &index, &meldcode).unwrap().hits.is_empty());
        remember_at(&p, SystemTime::now() + RACY * 2);
        let (a, b) = coded_both_ways(dir.path(), &meldcode);
        assert!(a.is_empty() && b.is_empty());
    }

    #[test]
    fn a_journal_written_just_before_the_load_leaves_only_the_codings_unremembered() {
        let (dir, p) = fresh_project(3);
        let journal = dir.path().join("codings").join("ann.jsonl");
        std::fs::write(&journal, "").unwrap();
        let p2 = Project::load(dir.path()).unwrap();
        drop(p);
        remember(&p2);
        assert!(Index::open_fresh(dir.path()).is_some());
        assert!(Index::open_fresh_coded(dir.path()).is_none());
        assert!(!index_dir_in(dir.path()).join(stamps::CODINGS_FILE).exists());
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

    #[test]
    fn stamps_relative_to_the_folder_are_the_stamps_of_the_paths() {
        let (dir, _) = fresh_project(2);
        let tdir = dir.path().join("transcripts");
        let folder = Folder::open(&tdir).unwrap();
        for name in ["T00001.txt", "respondents.csv", "missing.txt"] {
            assert_eq!(folder.stamp(name), file_stamp(&tdir.join(name)), "{name}");
        }
        assert!(folder.stamp("T00001.txt").is_some());
        #[cfg(unix)]
        {
            // A symbolic link is stamped as the file it points to, as `file_stamp` does.
            std::os::unix::fs::symlink(tdir.join("T00001.txt"), tdir.join("link.txt")).unwrap();
            assert_eq!(
                folder.stamp("link.txt"),
                file_stamp(&tdir.join("T00001.txt"))
            );
        }
    }

    #[test]
    fn stamps_vouch_only_for_the_index_state_they_were_written_for() {
        let (dir, p) = fresh_project(3);
        remember(&p);
        assert!(Index::open_fresh(dir.path()).is_some());
        let index_dir = index_dir_in(dir.path());
        // Another codewerk committed to the index since (its meta.json is rewritten by every
        // commit): the stamps are of an older index.
        let meta = index_dir.join(META);
        let text = std::fs::read_to_string(&meta).unwrap();
        std::fs::write(&meta, text.replace("\"opstamp\"", " \"opstamp\"")).unwrap();
        assert!(Index::open_fresh(dir.path()).is_none(), "meta.json changed");
        std::fs::write(&meta, &text).unwrap();
        assert!(Index::open_fresh(dir.path()).is_some());
        // A damaged stamps file: load the project, never a panic.
        let file = index_dir.join(stamps::FILE);
        let bytes = std::fs::read(&file).unwrap();
        std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
        assert!(Index::open_fresh(dir.path()).is_none(), "truncated");
        std::fs::remove_file(&file).unwrap();
        assert!(Index::open_fresh(dir.path()).is_none(), "no stamps file");
        // A re-index (a transcript edited) changes the index: the old stamps no longer hold.
        std::fs::write(&file, &bytes).unwrap();
        assert!(Index::open_fresh(dir.path()).is_some());
        let t = dir.path().join("transcripts").join("T00001.txt");
        let before = std::fs::read_to_string(&t).unwrap();
        std::fs::write(&t, format!("{before}R: Nog een zin.\n")).unwrap();
        let p = Project::load(dir.path()).unwrap();
        let (_, report) = Index::open(&p, &mut |_| {}).unwrap();
        assert_eq!(report.updated, 1);
        // The text back as it was: its hash is the recorded one, but the index holds the
        // edited text.
        std::fs::write(&t, &before).unwrap();
        assert!(
            Index::open_fresh(dir.path()).is_none(),
            "index re-committed"
        );
    }

    #[test]
    fn a_search_parses_only_the_respondent_rows_of_its_hits() {
        let (dir, p) = fresh_project(6);
        remember(&p);
        let (index, light) = Index::open_fresh(dir.path()).expect("fresh");
        let q = Query {
            text: "meldcode".into(),
            limit: 2,
            ..Default::default()
        };
        let hits = search_all(&light, &index, &q).unwrap();
        assert!(hits.total > 2);
        assert!(light.all.get().is_none(), "the whole file was parsed");
        let parsed = light
            .rows
            .iter()
            .filter(|r| r.parsed.get().is_some())
            .count();
        assert!((1..=2).contains(&parsed), "{parsed} rows parsed");
        // Each row read alone is the row of the whole file, line included.
        for r in &p.respondents {
            assert_eq!(light.respondent(&r.id), Some(r));
        }
        assert!(light.all.get().is_none());
        assert_eq!(light.respondent("nobody"), None);
        // A filter needs them all.
        let q = Query {
            group: Some(p.respondents[0].group.clone()),
            ..q
        };
        assert_eq!(
            search_all(&light, &index, &q).unwrap().hits,
            search_all(&p, &index, &q).unwrap().hits
        );
        assert_eq!(Light::respondents(&light), &p.respondents[..]);
    }
}
