//! `import transcripts`: files of other programs (read by [`ingest`]) become transcripts in the
//! project's format, each with its row in respondents.csv.
//!
//! Three steps, so that the command line can ask about speakers in between and a dry run can
//! show everything: [`read_sources`] reads every file into turns, [`plan`] maps speakers,
//! renders the text, checks ids, files and attributes against the project and builds the new
//! respondents.csv, and [`write`] puts it on disk. Nothing is written unless every file and row
//! is good.

use super::fsutil;
use super::ingest::{self, Format, Ingested, RawTurn};
use super::problem::Problem;
use super::project::Project;
use super::respondents::{self, KNOWN, Table, column_name};
use super::transcript::{Transcript, format_timestamp, normalise};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

/// One source file read into turns.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub ingested: Ingested,
}

impl Source {
    /// The speaker labels of the file, in order of first appearance, with their turn counts.
    pub fn speakers(&self) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = Vec::new();
        for t in &self.ingested.turns {
            let Some(s) = t.speaker.as_deref() else {
                continue;
            };
            match out.iter_mut().find(|(l, _)| l == s) {
                Some((_, n)) => *n += 1,
                None => out.push((s.to_string(), 1)),
            }
        }
        out
    }
}

/// The files to import: files as given, folders as the importable files directly in them
/// (sorted; hidden files and Word's `~$` lock files left out). `skip` is left out too: the
/// `--respondents` table may sit in the folder it describes.
pub fn collect_paths(paths: &[PathBuf], skip: Option<&Path>) -> Result<Vec<PathBuf>, Vec<Problem>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let same = |p: &Path| {
        skip.is_some_and(|s| {
            s == p
                || std::fs::canonicalize(s)
                    .ok()
                    .zip(std::fs::canonicalize(p).ok())
                    .is_some_and(|(a, b)| a == b)
        })
    };
    for path in paths {
        if path.is_dir() {
            let entries = match std::fs::read_dir(path) {
                Ok(e) => e,
                Err(e) => {
                    problems.push(Problem::error(path, format!("cannot read the folder: {e}")));
                    continue;
                }
            };
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .filter(|p| {
                    let name = p
                        .file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default();
                    !name.starts_with('.') && !name.starts_with("~$")
                })
                .filter(|p| ingest::detect(p).is_ok() && !same(p))
                .collect();
            found.sort();
            if found.is_empty() {
                problems.push(Problem::error(
                    path,
                    "the folder holds no files to import (.txt, .docx, .odt, .srt, .vtt, .json, \
                     .csv, .tsv)",
                ));
            }
            out.extend(found);
        } else if !same(path) {
            out.push(path.clone());
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Read every file; all unreadable files are reported, each by name.
pub fn read_sources(paths: &[PathBuf]) -> Result<Vec<Source>, Vec<Problem>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                problems.push(Problem::error(path, format!("cannot read: {e}")));
                continue;
            }
        };
        match ingest::read(path, &bytes) {
            Ok(ingested) => out.push(Source {
                path: path.clone(),
                ingested,
            }),
            Err(e) => {
                let mut msg = e.to_string();
                // A folder of interviews often holds the table describing them too.
                if let ingest::IngestError::MissingColumn { found, .. } = &e
                    && found.iter().any(|c| column_name(c) == "file")
                {
                    msg += "; if this is a table of respondents, give it with --respondents";
                }
                problems.push(Problem::error(path, msg));
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// What the respondents.csv row of each imported file gets.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Speaker labels as in the files -> the project's labels (case ignored on the left).
    pub speakers: Vec<(String, String)>,
    /// The transcript id, for a single file (default: from the file name).
    pub id: Option<String>,
    pub group: Option<String>,
    pub school: Option<String>,
    pub school_type: Option<String>,
    /// Further attribute columns.
    pub attrs: Vec<(String, String)>,
    /// Per-file values (`--respondents`), over the options above.
    pub per_file: Option<PerFile>,
    /// Re-import transcripts whose id exists, replacing their text.
    pub replace: bool,
}

/// A table of per-file respondent values: a `file` column naming the source file (its name or
/// path as given), then any of `id`, `group`, `school`, `school_type` and attribute columns.
#[derive(Debug, Clone, Default)]
pub struct PerFile {
    pub path: PathBuf,
    rows: Vec<(String, Vec<(String, String)>)>,
}

impl PerFile {
    pub fn read(path: &Path, bytes: &[u8]) -> Result<PerFile, Problem> {
        let table = Table::read(bytes).map_err(|e| Problem::error(path, e.to_string()))?;
        if table.column("file").is_none() {
            return Err(Problem::error(path, "missing column file in the header").at(1, None));
        }
        let mut rows = Vec::new();
        let mut seen = HashSet::new();
        for (i, r) in table.rows.iter().enumerate() {
            let file = table.get(i, "file").to_string();
            if file.is_empty() {
                return Err(Problem::error(path, "empty \"file\"").at(i + 2, None));
            }
            if !seen.insert(file.clone()) {
                return Err(
                    Problem::error(path, format!("file \"{file}\" is listed twice"))
                        .at(i + 2, None),
                );
            }
            let values = table
                .headers
                .iter()
                .zip(r)
                .map(|(h, v)| (column_name(h), v.trim().to_string()))
                .filter(|(h, v)| h != "file" && !v.is_empty())
                .collect();
            rows.push((file, values));
        }
        Ok(PerFile {
            path: path.to_path_buf(),
            rows,
        })
    }

    /// The values for a source file: by its path as given, else by its file name.
    fn values(&self, source: &Path) -> Option<&[(String, String)]> {
        let name = source.file_name().map(|n| n.to_string_lossy().into_owned());
        self.rows
            .iter()
            .find(|(f, _)| Path::new(f) == source)
            .or_else(|| self.rows.iter().find(|(f, _)| Some(f) == name.as_ref()))
            .map(|(_, v)| v.as_slice())
    }
}

/// How one speaker label of a file is written in the transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpeakerUse {
    pub from: String,
    pub to: String,
    pub turns: usize,
}

/// One file, ready to write.
#[derive(Debug, Clone, Serialize)]
pub struct Planned {
    pub source: PathBuf,
    pub id: String,
    /// The transcript file, relative to `transcripts/`.
    pub file: String,
    pub format: Format,
    pub speakers: Vec<SpeakerUse>,
    pub turns: usize,
    pub words: usize,
    /// Turns that carry a `[00:12:31]` time.
    pub timestamped_turns: usize,
    pub notes: Vec<String>,
    /// Replaces the text of an existing transcript (`--replace`).
    pub replaces: bool,
    /// The respondents.csv row.
    pub row: BTreeMap<String, String>,
    #[serde(skip)]
    pub text: String,
    /// The file is already there with this text: an interrupted import; only the row is added.
    #[serde(skip)]
    adopt: bool,
}

/// Everything an import writes.
#[derive(Debug, Clone)]
pub struct Plan {
    pub items: Vec<Planned>,
    /// The new respondents.csv.
    pub respondents: Vec<u8>,
}

/// Map, render and check every source against the project. All problems are returned, each
/// naming the source file (or the option) it is about.
pub fn plan(
    project: &Project,
    sources: &[Source],
    opts: &ImportOptions,
) -> Result<Plan, Vec<Problem>> {
    let mut problems = Vec::new();
    let csv_path = Project::respondents_path(&project.root);
    let mut table = match std::fs::read(&csv_path) {
        Ok(bytes) => {
            Table::read(&bytes).map_err(|e| vec![Problem::error(&csv_path, e.to_string())])?
        }
        Err(e) => return Err(vec![Problem::error(&csv_path, format!("cannot read: {e}"))]),
    };
    if opts.id.is_some() && sources.len() > 1 {
        return Err(vec![Problem::error(
            "--id",
            format!(
                "--id names one transcript, but {} files are imported",
                sources.len()
            ),
        )]);
    }
    let speakers = match speaker_map(&opts.speakers) {
        Ok(m) => m,
        Err(p) => return Err(vec![p]),
    };
    for (name, _) in &opts.attrs {
        if let Err(p) = check_attr_name(name) {
            problems.push(p);
        }
    }
    let dir = project.root.join("transcripts");
    let listed: HashSet<String> = (0..table.rows.len())
        .map(|i| table.get(i, "file").to_string())
        .collect();
    let mut ids_in_batch: HashMap<String, PathBuf> = HashMap::new();
    let mut files_in_batch: HashSet<String> = HashSet::new();
    let mut items = Vec::new();
    for src in sources {
        let path = &src.path;
        let err = |msg: String| Problem::error(path, msg);
        let per_file = opts.per_file.as_ref().and_then(|p| p.values(path));
        // With a table of per-file values, a file it does not list is most likely a typo in
        // the table: refuse rather than import it with the wrong attributes.
        if let Some(table) = &opts.per_file
            && per_file.is_none()
        {
            problems.push(err(format!(
                "not listed in {} (its file column names the files by name)",
                table.path.display()
            )));
            continue;
        }
        let value = |name: &str| -> Option<String> {
            per_file
                .and_then(|v| v.iter().find(|(k, _)| k == name))
                .map(|(_, v)| v.clone())
        };

        let id = match value("id").or_else(|| opts.id.clone()) {
            Some(id) => id.trim().to_string(),
            None => id_from_path(path),
        };
        if !valid_id(&id) {
            problems.push(err(format!(
                "transcript id \"{id}\" must be letters, digits, '-', '_' or '.' (give one with \
                 --id or an id column in --respondents)"
            )));
            continue;
        }
        if let Some(other) = ids_in_batch.insert(id.clone(), path.clone()) {
            problems.push(err(format!(
                "transcript id \"{id}\" is also the id of {} in this import",
                other.display()
            )));
            continue;
        }
        let existing = table.find(&id);
        if existing.is_some() && !opts.replace {
            problems.push(err(format!(
                "transcript \"{id}\" already exists in {}; nothing is overwritten (--replace \
                 re-imports it)",
                csv_path.display()
            )));
            continue;
        }
        if existing.is_none() && opts.replace {
            problems.push(err(format!(
                "--replace: there is no transcript \"{id}\" to replace"
            )));
            continue;
        }

        let rendered = render(&src.ingested.turns, &speakers);
        let mut notes = src.ingested.notes.clone();
        if rendered.dropped > 0 {
            notes.push(format!(
                "{} turn(s) without text left out",
                rendered.dropped
            ));
        }
        let file = match existing {
            Some(row) => table.get(row, "file").to_string(),
            None => format!("{id}.txt"),
        };
        let target = dir.join(&file);
        let t = Transcript::from_text(&id, &target, rendered.text.clone());
        if t.turns().is_empty() || rendered.text.trim().is_empty() {
            problems.push(err("the document holds no text".into()));
            continue;
        }
        if !files_in_batch.insert(file.clone()) {
            problems.push(err(format!(
                "transcripts/{file} is written twice in this import"
            )));
            continue;
        }
        let mut adopt = false;
        if existing.is_none() {
            if listed.contains(&file) {
                problems.push(err(format!(
                    "transcripts/{file} is the file of another respondent in {}",
                    csv_path.display()
                )));
                continue;
            }
            if let Ok(there) = std::fs::read(&target) {
                if there == rendered.text.as_bytes() {
                    adopt = true;
                } else {
                    problems.push(err(format!(
                        "transcripts/{file} exists already; nothing is overwritten (give \
                         another --id, or move the file away)"
                    )));
                    continue;
                }
            }
        }

        // The row: kept values of a re-imported transcript, then options, then per-file values.
        let mut row: BTreeMap<String, String> = BTreeMap::new();
        if let Some(r) = existing {
            for h in &table.headers {
                row.insert(column_name(h), table.get(r, h).to_string());
            }
        }
        row.insert("id".into(), id.clone());
        row.insert("file".into(), file.clone());
        for (name, v) in [
            ("group", &opts.group),
            ("school", &opts.school),
            ("school_type", &opts.school_type),
        ] {
            if let Some(v) = v {
                row.insert(name.into(), v.trim().to_string());
            }
        }
        for (k, v) in &opts.attrs {
            row.insert(column_name(k), v.trim().to_string());
        }
        for (k, v) in per_file.unwrap_or_default() {
            row.insert(k.clone(), v.clone());
        }
        if row.get("group").is_none_or(std::string::String::is_empty) {
            match project.settings.groups.as_slice() {
                [only] => {
                    row.insert("group".into(), only.id.clone());
                }
                _ => {
                    problems.push(err(format!(
                        "no respondent group: give --group{}",
                        known_list(project.settings.groups.iter().map(|g| g.id.as_str()))
                    )));
                    continue;
                }
            }
        }
        if let Some(p) = check_row(project, &row, path) {
            problems.push(p);
            continue;
        }

        items.push(Planned {
            source: path.clone(),
            id,
            file,
            format: src.ingested.format,
            speakers: rendered.speakers,
            turns: t.turns().len(),
            words: t.word_count(),
            timestamped_turns: t.turns().iter().filter(|t| t.timestamp.is_some()).count(),
            notes,
            replaces: existing.is_some(),
            row,
            text: rendered.text,
            adopt,
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    for item in &items {
        let row = match table.find(&item.id) {
            Some(r) => r,
            None => table.push_row(),
        };
        // Standard columns first, so that a new column lands after them in a fresh table.
        let mut names: Vec<&String> = item.row.keys().collect();
        names.sort_by_key(|n| KNOWN.iter().position(|k| k == n).unwrap_or(KNOWN.len()));
        for name in names {
            table.set(row, name, &item.row[name]);
        }
    }
    let bytes = table.to_bytes();
    // The table must read back as the project will read it: same rows, no problems.
    let (rows, ps) = respondents::parse(&csv_path, &bytes);
    if !ps.is_empty() {
        return Err(ps);
    }
    if rows.len() != table.rows.len() {
        return Err(vec![Problem::error(
            &csv_path,
            "the new respondents table does not read back; nothing was imported",
        )]);
    }
    Ok(Plan {
        items,
        respondents: bytes,
    })
}

/// Group and school type against the project's declared ones; the error lists the known ones.
fn check_row(project: &Project, row: &BTreeMap<String, String>, path: &Path) -> Option<Problem> {
    let s = &project.settings;
    let group = row.get("group").map_or("", String::as_str);
    if !s.groups.is_empty() && s.group(group).is_none() {
        return Some(Problem::error(
            path,
            format!(
                "unknown group \"{group}\"{}",
                known_list(s.groups.iter().map(|g| g.id.as_str()))
            ),
        ));
    }
    let st = row.get("school_type").map_or("", String::as_str);
    if !s.school_types.is_empty() && !st.is_empty() && !s.school_types.iter().any(|t| t == st) {
        return Some(Problem::error(
            path,
            format!(
                "unknown school type \"{st}\"{}",
                known_list(s.school_types.iter().map(String::as_str))
            ),
        ));
    }
    None
}

/// " (known: a, b)", or " (project.json declares none)".
pub fn known_list<'a>(known: impl Iterator<Item = &'a str>) -> String {
    let known: Vec<&str> = known.collect();
    if known.is_empty() {
        String::new()
    } else {
        format!(" (known: {})", known.join(", "))
    }
}

/// An attribute given on the command line may not be one of the columns that have their own
/// option, nor look like something else.
pub fn check_attr_name(name: &str) -> Result<(), Problem> {
    let n = column_name(name);
    if matches!(n.as_str(), "id" | "file") {
        return Err(Problem::error(
            "--attr",
            format!("\"{name}\" cannot be set as an attribute"),
        ));
    }
    if n.is_empty()
        || !n
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return Err(Problem::error(
            "--attr",
            format!("attribute name \"{name}\" must be letters, digits, '_' or '-'"),
        ));
    }
    Ok(())
}

/// The transcript id of a file: its name without extension, spaces as '-'.
pub fn id_from_path(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().nfc().collect::<String>())
        .unwrap_or_default();
    let mut id = String::new();
    for c in stem.trim().chars() {
        if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_matches(['-', '.']).to_string()
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.chars().count() <= 100
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Parse `"Speaker 1=I,Speaker 2=R"`.
pub fn parse_speakers(spec: &str) -> Result<Vec<(String, String)>, Problem> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((from, to)) = part.split_once('=') else {
            return Err(Problem::error(
                "--speakers",
                format!("\"{part}\" is not FROM=TO (e.g. \"Speaker 1=I,Speaker 2=R\")"),
            ));
        };
        out.push((from.trim().to_string(), to.trim().to_string()));
    }
    Ok(out)
}

/// Validate a mapping: every target must be usable as a label as it is.
fn speaker_map(pairs: &[(String, String)]) -> Result<HashMap<String, String>, Problem> {
    let mut map = HashMap::new();
    for (from, to) in pairs {
        if clean_label(to).as_deref() != Some(to.as_str()) {
            return Err(Problem::error(
                "--speakers",
                format!(
                    "\"{to}\" cannot be a speaker label: at most two words of letters, digits, \
                     '.' or '-', up to 24 characters"
                ),
            ));
        }
        map.insert(from.trim().to_lowercase(), to.clone());
    }
    Ok(map)
}

/// A label the transcript format reads back as a label: letters, digits, '.', '-' and at most
/// two words of 24 characters; `SPEAKER_00` becomes `SPEAKER 00`, longer names are joined
/// with '-'. None if nothing usable is left.
pub fn clean_label(raw: &str) -> Option<String> {
    let raw: String = raw.nfc().collect();
    let words: Vec<String> = raw
        .split(|c: char| !(c.is_alphanumeric() || c == '.' || c == '-'))
        .map(|w| w.trim_start_matches(['.', '-']).to_string())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return None;
    }
    let joined = if words.len() <= 2 {
        words.join(" ")
    } else {
        words.join("-")
    };
    let label: String = joined.chars().take(24).collect();
    let label = label.trim_end().to_string();
    (!label.is_empty()).then_some(label)
}

/// A file's turns in the project's format.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub text: String,
    pub speakers: Vec<SpeakerUse>,
    /// Turns left out because they hold no text.
    pub dropped: usize,
}

/// One paragraph per turn, `LABEL: [00:12:31] text`; Unicode NFC, LF line ends, no blank lines
/// inside a turn (they would split it), spaces at line ends trimmed.
pub fn render(turns: &[RawTurn], speakers: &HashMap<String, String>) -> Rendered {
    let mut paragraphs = Vec::new();
    let mut uses: Vec<SpeakerUse> = Vec::new();
    let mut dropped = 0;
    for turn in turns {
        let text: String = normalise(&turn.text).nfc().collect();
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty())
            .collect();
        if lines.is_empty() {
            dropped += 1;
            continue;
        }
        let body = lines.join("\n");
        let body = body.trim_start();
        let label = turn.speaker.as_deref().and_then(|raw| {
            let to = speakers
                .get(&raw.trim().to_lowercase())
                .cloned()
                .or_else(|| clean_label(raw))?;
            match uses.iter_mut().find(|u| u.from == raw) {
                Some(u) => u.turns += 1,
                None => uses.push(SpeakerUse {
                    from: raw.to_string(),
                    to: to.clone(),
                    turns: 1,
                }),
            }
            Some(to)
        });
        let stamp = turn
            .start
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| format_timestamp(s.min(f64::from(u32::MAX)) as u32));
        let mut p = String::new();
        if let Some(l) = &label {
            p.push_str(l);
            p.push_str(": ");
        }
        if let Some(s) = &stamp {
            p.push_str(s);
            p.push(' ');
        }
        p.push_str(body);
        paragraphs.push(p);
    }
    let mut text = paragraphs.join("\n\n");
    if !text.is_empty() {
        text.push('\n');
    }
    Rendered {
        text,
        speakers: uses,
        dropped,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Write a checked plan. Transcript files first, respondents.csv last and atomically: the table
/// is what makes a transcript part of the project, so until it is replaced the project is as it
/// was. A crash in between leaves transcript files no row lists, which the project loads with a
/// warning (not an error), and which running the same import again adopts (same text). The
/// other order would leave rows naming missing files: errors, and a project that does not load
/// cleanly. On a write error the files written so far are removed (replaced ones restored).
pub fn write(root: &Path, plan: &Plan) -> Result<(), WriteError> {
    let dir = root.join("transcripts");
    let mut created: Vec<PathBuf> = Vec::new();
    let mut replaced: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let undo = |created: &[PathBuf], replaced: &[(PathBuf, Vec<u8>)]| {
        for p in created {
            let _ = std::fs::remove_file(p);
        }
        for (p, old) in replaced {
            let _ = fsutil::write_atomic(p, old);
        }
    };
    let new: Vec<(PathBuf, &[u8])> = plan
        .items
        .iter()
        .filter(|i| !i.adopt && !i.replaces)
        .map(|i| (dir.join(&i.file), i.text.as_bytes()))
        .collect();
    if let Err(e) = fsutil::write_new_all(&new) {
        undo(&e.created, &replaced);
        return Err(WriteError::Io {
            path: e.path,
            source: e.source,
        });
    }
    created.extend(new.into_iter().map(|(p, _)| p));
    for item in plan.items.iter().filter(|i| i.replaces) {
        let path = dir.join(&item.file);
        let old = std::fs::read(&path).unwrap_or_default();
        if let Err(source) = fsutil::write_atomic(&path, item.text.as_bytes()) {
            undo(&created, &replaced);
            return Err(WriteError::Io { path, source });
        }
        replaced.push((path, old));
    }
    let csv = Project::respondents_path(root);
    if let Err(source) = fsutil::write_atomic(&csv, &plan.respondents) {
        undo(&created, &replaced);
        return Err(WriteError::Io { path: csv, source });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(speaker: Option<&str>, start: Option<f64>, text: &str) -> RawTurn {
        RawTurn {
            speaker: speaker.map(str::to_string),
            start,
            text: text.to_string(),
        }
    }

    #[test]
    fn renders_turns_that_read_back_as_the_same_turns() {
        let map = speaker_map(&[("speaker 1".into(), "I".into())]).unwrap();
        let turns = vec![
            turn(
                Some("Speaker 1"),
                Some(751.9),
                "Wat doet de coo\u{308}rdinator?\r\n",
            ),
            turn(
                Some("SPEAKER_01"),
                None,
                "Eén ding.\n\n\nEn nog  iets ’s avonds.  ",
            ),
            turn(None, Some(3723.0), "Zonder spreker."),
            turn(Some("Speaker 1"), None, "   \n "),
        ];
        let r = render(&turns, &map);
        assert_eq!(
            r.text,
            "I: [00:12:31] Wat doet de coördinator?\n\nSPEAKER 01: Eén ding.\nEn nog  iets ’s avonds.\n\n[01:02:03] Zonder spreker.\n"
        );
        assert_eq!(r.dropped, 1);
        assert_eq!(
            r.speakers,
            vec![
                SpeakerUse {
                    from: "Speaker 1".into(),
                    to: "I".into(),
                    turns: 1
                },
                SpeakerUse {
                    from: "SPEAKER_01".into(),
                    to: "SPEAKER 01".into(),
                    turns: 1
                },
            ]
        );
        let t = Transcript::from_text("T", Path::new("t"), r.text);
        let got: Vec<(Option<&str>, Option<u32>)> = t
            .turns()
            .iter()
            .map(|t| (t.speaker.as_deref(), t.timestamp))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("I"), Some(751)),
                (Some("SPEAKER 01"), None),
                (None, Some(3723))
            ]
        );
        assert_eq!(
            t.slice(t.turns()[0].body_start, t.turns()[0].end),
            "Wat doet de coördinator?"
        );
    }

    #[test]
    fn labels_are_cleaned_and_bad_targets_refused() {
        assert_eq!(
            clean_label("Dr. Jan de Vries").as_deref(),
            Some("Dr.-Jan-de-Vries")
        );
        assert_eq!(clean_label("  :: ").as_deref(), None);
        assert_eq!(
            clean_label("Interviewer 2").as_deref(),
            Some("Interviewer 2")
        );
        assert!(speaker_map(&[("a".into(), "I: x".into())]).is_err());
        assert!(parse_speakers("Speaker 1").is_err());
        assert_eq!(
            parse_speakers("Speaker 1=I, Speaker 2=R").unwrap(),
            vec![
                ("Speaker 1".into(), "I".into()),
                ("Speaker 2".into(), "R".into())
            ]
        );
        assert_eq!(
            id_from_path(Path::new("dir/Interview Één (2).docx")),
            "Interview-Één-2"
        );
    }

    proptest::proptest! {
        /// Whatever the turns, the rendered text splits back into exactly the rendered turns,
        /// with their labels and times.
        #[test]
        fn rendered_turns_read_back(
            turns in proptest::collection::vec(
                (
                    proptest::option::of("[A-Za-z_ 0-9:]{1,12}"),
                    proptest::option::of(0.0f64..400000.0),
                    "[a-zé’ :\\[\\]0-9\\n\\r]{0,40}",
                ),
                0..8,
            )
        ) {
            let raw: Vec<RawTurn> = turns
                .iter()
                .map(|(s, t, x)| turn(s.as_deref(), *t, x))
                .collect();
            let r = render(&raw, &HashMap::new());
            let t = Transcript::from_text("T", Path::new("t"), r.text.clone());
            let kept: Vec<&RawTurn> = raw.iter().filter(|t| !t.text.trim().is_empty()).collect();
            proptest::prop_assert_eq!(t.turns().len(), kept.len(), "{:?}", r.text);
            for (got, want) in t.turns().iter().zip(&kept) {
                let label = want.speaker.as_deref().and_then(clean_label);
                if label.is_some() {
                    proptest::prop_assert_eq!(got.speaker.clone(), label);
                }
                if let Some(s) = want.start {
                    proptest::prop_assert_eq!(got.timestamp, Some(s as u32));
                }
            }
        }
    }
}
