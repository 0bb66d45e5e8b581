//! REFI-QDA into codewerk: a `.qdc` merged into the codebook, a `.qdpx` made into a new project.
//!
//! Reading is lenient (see `read`), converting is explicit: every element that has no place in
//! a codewerk project is counted in the report, every single thing skipped (a selection outside
//! its text, a coding of an unknown code, a duplicate GUID) is listed with why.

use super::read;
use super::{
    Counts, ImportReport, PositionUnit, Qda, QdaCode, QdaSelection, RefiError, SourceKind,
    guid_key, random_guid,
};
use crate::core::codebook::{self, Code, Codebook, Deelvraag, Rgb};
use crate::core::coding::{Coding, Journal, Op, valid_coder};
use crate::core::fsutil;
use crate::core::ingest::xml::Package;
use crate::core::ingest::{IngestError, Limits};
use crate::core::project::Project;
use crate::core::settings::Settings;
use crate::core::transcript::Transcript;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The case variable whose value becomes the respondent group.
    pub group_variable: Option<String>,
    /// `import qdc`: the deelvraag new codes go under (default: a new one).
    pub deelvraag: Option<u32>,
    pub dry_run: bool,
}

/// A `.qdpx` read: the model, the bytes of the text files its sources name, and what was met.
pub struct Loaded {
    pub qda: Qda,
    /// Per source (same index): its plain text as stored, or why it has none.
    texts: Vec<Result<String, NoText>>,
    notes: HashMap<String, String>,
    pub report: ImportReport,
}

fn package_error(file: &Path) -> impl Fn(IngestError) -> RefiError + '_ {
    move |source| RefiError::Package {
        file: file.to_path_buf(),
        source,
    }
}

/// Why a source or note has no text to import; the import reports it and leaves it out.
/// Printed after the source's name ("text source \"X\" is not in the archive").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum NoText {
    #[error("is not a text source")]
    NotText,
    #[error("has neither plainTextPath nor PlainTextContent")]
    Missing,
    #[error("is an external file ({0}), not inside the .qdpx")]
    External(String),
    #[error("has path \"{0}\", which escapes the sources folder")]
    Escapes(String),
    #[error("{0} is stored as a symbolic link: not followed")]
    Symlink(String),
    #[error("{0} is not in the archive")]
    NotInArchive(String),
    #[error("{entry} is not UTF-8 (byte {byte})")]
    NotUtf8 { entry: String, byte: usize },
    #[error("{0} contains NUL bytes: not a text file")]
    Nul(String),
    #[error("{0}")]
    Package(String),
}

/// Text as a REFI file stores it: UTF-8, a BOM stripped (never counted in positions).
fn decode_text(entry: &str, bytes: &[u8]) -> Result<String, NoText> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| NoText::NotUtf8 {
        entry: entry.to_string(),
        byte: e.valid_up_to(),
    })?;
    if text.contains('\0') {
        return Err(NoText::Nul(entry.to_string()));
    }
    Ok(text.to_string())
}

/// Where an internal path points inside the archive, or why it may not be followed.
fn internal_entry(path: &str) -> Result<String, NoText> {
    let lower = path.to_ascii_lowercase();
    if lower.starts_with("relative://") || lower.starts_with("absolute://") {
        return Err(NoText::External(path.to_string()));
    }
    let name = path
        .strip_prefix("internal://")
        .or_else(|| path.strip_prefix("INTERNAL://"))
        .unwrap_or(path)
        .replace('\\', "/");
    let name = name.trim_start_matches("./");
    if name.starts_with('/')
        || name.split('/').any(|p| p == "..")
        || name.contains(':')
        || name.is_empty()
    {
        return Err(NoText::Escapes(path.to_string()));
    }
    // Sources live flat in sources/ (any case); a path that names the folder is accepted too.
    let lname = name.to_ascii_lowercase();
    let rest = lname
        .strip_prefix("sources/")
        .map_or(name, |_| &name["sources/".len()..]);
    Ok(format!("sources/{rest}"))
}

/// Load a project built in a temporary folder and insist it has no errors: only then may it
/// replace (or become) the real one.
fn load_clean(dir: &Path, what: &str, outcome: &str) -> Result<Project, RefiError> {
    let project = Project::load(dir).map_err(|e| {
        RefiError::Project(format!(
            "the {what} does not load: {}",
            e.problems
                .first()
                .map(ToString::to_string)
                .unwrap_or_default()
        ))
    })?;
    let errors: Vec<_> = project.problems.iter().filter(|p| p.is_error()).collect();
    match errors.first() {
        Some(p) => Err(RefiError::Project(format!(
            "the {what} has errors ({} in all), {outcome}: {p}",
            errors.len()
        ))),
        None => Ok(project),
    }
}

/// Read a `.qdpx` file: the single `.qde` at its root (whatever its name), and the text files.
pub fn read_qdpx_file(file: &Path) -> Result<Loaded, RefiError> {
    let bytes = std::fs::read(file).map_err(|err| RefiError::Io {
        path: file.to_path_buf(),
        err,
    })?;
    read_qdpx(file, &bytes)
}

/// Read a `.qdpx` from its bytes (`file` names it in errors). Any bytes give a project or an
/// error, never a panic: the cargo-fuzz target `refi` holds it to that.
pub fn read_qdpx(file: &Path, bytes: &[u8]) -> Result<Loaded, RefiError> {
    let mut pkg = Package::open(bytes, &Limits::DEFAULT).map_err(package_error(file))?;
    let symlinks: HashSet<String> = pkg
        .symlinks()
        .into_iter()
        .map(|n| n.to_ascii_lowercase())
        .collect();
    let names = pkg.names();
    let qdes: Vec<&String> = names
        .iter()
        .filter(|n| !n.contains('/') && !n.contains('\\'))
        .filter(|n| n.to_ascii_lowercase().ends_with(".qde"))
        .collect();
    let qde = match qdes.as_slice() {
        [] => {
            return Err(RefiError::invalid(
                file,
                "no .qde file at the root of the archive: not a REFI-QDA project",
            ));
        }
        [one] => (*one).clone(),
        many => match many.iter().find(|n| n.eq_ignore_ascii_case("project.qde")) {
            Some(n) => (*n).clone(),
            None => {
                return Err(RefiError::invalid(
                    file,
                    format!(
                        "{} .qde files at the root ({}): which is the project?",
                        many.len(),
                        many.iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        },
    };
    if symlinks.contains(&qde.to_ascii_lowercase()) {
        return Err(RefiError::invalid(
            file,
            format!("{qde} is stored as a symbolic link"),
        ));
    }
    let xml = pkg
        .part(&qde)
        .map_err(package_error(file))?
        .unwrap_or_default();
    let root = read::parse(&xml, "project.qde").map_err(package_error(file))?;
    let qda = read::model(&root).map_err(|m| RefiError::invalid(file, format!("{qde}: {m}")))?;
    let mut report = ImportReport {
        file: file.to_path_buf(),
        origin: qda.origin.clone(),
        ..ImportReport::default()
    };
    if !qde.eq_ignore_ascii_case("project.qde") {
        report.converted.push(format!(
            "the project file is named {qde} (read as project.qde)"
        ));
    }
    let mut read_entry = |path: &str| -> Result<String, NoText> {
        let entry = internal_entry(path)?;
        if symlinks.contains(&entry.to_ascii_lowercase()) {
            return Err(NoText::Symlink(entry));
        }
        match pkg.part(&entry) {
            Ok(Some(b)) => decode_text(&entry, &b),
            Ok(None) => Err(NoText::NotInArchive(entry)),
            Err(e) => Err(NoText::Package(e.to_string())),
        }
    };
    let mut texts = Vec::new();
    for s in &qda.sources {
        let t = if s.kind != SourceKind::Text {
            Err(NoText::NotText)
        } else if let Some(t) = &s.text {
            Ok(t.clone())
        } else if let Some(p) = &s.plain_text_path {
            read_entry(p)
        } else {
            Err(NoText::Missing)
        };
        texts.push(t);
    }
    let mut notes = HashMap::new();
    for n in &qda.notes {
        let text = match &n.plain_text_path {
            Some(p) if n.text.trim().is_empty() => match read_entry(p) {
                Ok(t) => t,
                Err(e) => {
                    report
                        .skipped
                        .push(format!("the text of note \"{}\": {e}", n.name));
                    String::new()
                }
            },
            _ => n.text.clone(),
        };
        notes.insert(guid_key(&n.guid), text.replace("\r\n", "\n"));
    }
    Ok(Loaded {
        qda,
        texts,
        notes,
        report,
    })
}

// ----------------------------------------------------------------------------------------
// Positions

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Unit {
    utf16: bool,
    crlf_as_one: bool,
}

impl Unit {
    fn describe(self, has_cr: bool) -> String {
        let base = if self.utf16 {
            "UTF-16 code units"
        } else {
            "code points"
        };
        if !has_cr {
            base.to_string()
        } else if self.crlf_as_one {
            format!("{base}, CRLF counted as 1")
        } else {
            format!("{base}, CRLF counted as 2")
        }
    }
}

/// One source's text made into a transcript's (BOM gone, LF, NFC), and the maps from the
/// positions of the file to character offsets in that text.
struct Mapped {
    text: String,
    chars: Vec<char>,
    raw_has_cr: bool,
    raw_astral: bool,
    /// Raw code point → LF code point.
    raw_to_lf: Vec<u32>,
    /// LF code point → final code point.
    lf_to_final: Vec<u32>,
    /// UTF-16 unit → code point, over the raw and over the LF text (None inside a pair).
    u16_raw: Vec<Option<u32>>,
    u16_lf: Vec<Option<u32>>,
}

fn utf16_map(chars: &[char]) -> Vec<Option<u32>> {
    let mut out = Vec::with_capacity(chars.len() + 1);
    for (i, c) in chars.iter().enumerate() {
        out.push(Some(i as u32));
        if c.len_utf16() == 2 {
            out.push(None);
        }
    }
    out.push(Some(chars.len() as u32));
    out
}

impl Mapped {
    fn new(raw: &str) -> Mapped {
        let raw_chars: Vec<char> = raw.chars().collect();
        let mut lf = Vec::with_capacity(raw_chars.len());
        let mut raw_to_lf = Vec::with_capacity(raw_chars.len() + 1);
        let mut i = 0;
        while i < raw_chars.len() {
            raw_to_lf.push(lf.len() as u32);
            if raw_chars[i] == '\r' {
                if raw_chars.get(i + 1) == Some(&'\n') {
                    // The CR and the LF become one LF: an offset between them is before it.
                    raw_to_lf.push(lf.len() as u32);
                    i += 1;
                }
                lf.push('\n');
            } else {
                lf.push(raw_chars[i]);
            }
            i += 1;
        }
        raw_to_lf.push(lf.len() as u32);
        // NFC per run that starts at an ASCII character: ASCII never combines with what
        // precedes it, so normalising the runs one by one equals normalising the whole.
        let mut out: Vec<char> = Vec::with_capacity(lf.len());
        let mut lf_to_final = vec![0u32; lf.len() + 1];
        let mut start = 0;
        while start < lf.len() {
            let mut end = start + 1;
            while end < lf.len() && !lf[end].is_ascii() {
                end += 1;
            }
            let seg = &lf[start..end];
            let at = out.len() as u32;
            if seg.iter().all(char::is_ascii) {
                for k in 0..seg.len() {
                    lf_to_final[start + k] = at + k as u32;
                }
                out.extend_from_slice(seg);
            } else {
                let nfc: Vec<char> = seg.iter().copied().nfc().collect();
                if nfc == seg {
                    for k in 0..seg.len() {
                        lf_to_final[start + k] = at + k as u32;
                    }
                } else {
                    // Composed characters: an offset inside the run goes to its start.
                    for k in 0..seg.len() {
                        lf_to_final[start + k] = at;
                    }
                }
                out.extend(nfc);
            }
            start = end;
        }
        lf_to_final[lf.len()] = out.len() as u32;
        Mapped {
            text: out.iter().collect(),
            raw_has_cr: raw_chars.contains(&'\r'),
            raw_astral: raw_chars.iter().any(|c| c.len_utf16() == 2),
            u16_raw: utf16_map(&raw_chars),
            u16_lf: utf16_map(&lf),
            raw_to_lf,
            lf_to_final,
            chars: out,
        }
    }

    fn map(&self, unit: Unit, pos: i64) -> Option<usize> {
        let pos = usize::try_from(pos).ok()?;
        let cp = if unit.utf16 {
            let m = if unit.crlf_as_one {
                &self.u16_lf
            } else {
                &self.u16_raw
            };
            (*m.get(pos)?)? as usize
        } else {
            pos
        };
        let lf = if unit.crlf_as_one {
            cp
        } else {
            *self.raw_to_lf.get(cp)? as usize
        };
        self.lf_to_final.get(lf).map(|&f| f as usize)
    }

    fn range(&self, unit: Unit, s: &QdaSelection) -> Option<(usize, usize)> {
        if s.start > s.end {
            return None;
        }
        Some((self.map(unit, s.start)?, self.map(unit, s.end)?))
    }

    fn aligned(&self, (s, e): (usize, usize)) -> bool {
        let word = |i: usize| self.chars.get(i).is_some_and(|c| c.is_alphanumeric());
        let start_ok = s == 0 || !word(s - 1) || !word(s);
        let end_ok = e >= self.chars.len() || !word(e) || e == 0 || !word(e - 1);
        start_ok && end_ok
    }
}

/// Pick the unit under which the selections fall inside the text and on word boundaries;
/// ties go to what the producer is known to write.
fn choose_unit(origin: &str, m: &Mapped, sels: &[QdaSelection]) -> (Unit, String) {
    let lower = origin.to_lowercase();
    let mut order = if lower.starts_with("nvivo") {
        vec![(true, false), (true, true), (false, false), (false, true)]
    } else if lower.contains("atlas.ti") {
        vec![(false, true), (false, false), (true, true), (true, false)]
    } else {
        vec![(false, false), (false, true), (true, false), (true, true)]
    };
    if !m.raw_has_cr {
        order.retain(|u| !u.1);
    }
    if !m.raw_astral {
        order.retain(|u| !u.0);
    }
    let units: Vec<Unit> = order
        .into_iter()
        .map(|(utf16, crlf_as_one)| Unit { utf16, crlf_as_one })
        .collect();
    if units.len() == 1 || sels.is_empty() {
        let why = if sels.is_empty() {
            "no selections to tell by".to_string()
        } else {
            "the units agree on this text (no CRLF, no characters outside the BMP)".to_string()
        };
        return (units[0], why);
    }
    let mut best = (units[0], 0usize, 0usize);
    let mut evidence = Vec::new();
    for (i, &u) in units.iter().enumerate() {
        let ranges: Vec<(usize, usize)> = sels.iter().filter_map(|s| m.range(u, s)).collect();
        let inside = ranges.len();
        let aligned = ranges.iter().filter(|r| m.aligned(**r)).count();
        evidence.push(format!(
            "{}: {aligned}/{} on word boundaries",
            u.describe(m.raw_has_cr),
            sels.len()
        ));
        if i == 0 || (aligned, inside) > (best.1, best.2) {
            best = (u, aligned, inside);
        }
    }
    (best.0, evidence.join("; "))
}

// ----------------------------------------------------------------------------------------
// Names

fn unique(base: String, taken: &mut HashSet<String>) -> String {
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.to_lowercase()) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

/// A file-safe id from a source or user name: letters, digits, `-`, `_`, `.`.
fn safe_id(name: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches(['-', '.']).to_string();
    // Not too long for a file name.
    let out: String = out.chars().take(80).collect();
    if out.is_empty() {
        fallback.to_string()
    } else {
        out
    }
}

/// A variable name as a respondents.csv column (which is read lower case, spaces as `_`).
fn column_name(name: &str) -> String {
    let c: String = name
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c == ',' || c == ';' || c.is_whitespace() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if c.is_empty() { "variable".into() } else { c }
}

const PALETTE: [Rgb; 8] = [
    Rgb(0x4E, 0x79, 0xA7),
    Rgb(0xF2, 0x8E, 0x2B),
    Rgb(0xE1, 0x57, 0x59),
    Rgb(0x76, 0xB7, 0xB2),
    Rgb(0x59, 0xA1, 0x4F),
    Rgb(0xED, 0xC9, 0x48),
    Rgb(0xB0, 0x7A, 0xA1),
    Rgb(0x9C, 0x75, 0x5F),
];

// ----------------------------------------------------------------------------------------
// The code tree

/// Codes of a REFI tree as codewerk codes.
struct Tree {
    deelvragen: Vec<Deelvraag>,
    codes: Vec<Code>,
    /// GUID key → code id.
    by_guid: HashMap<String, String>,
    /// Code id → the note GUIDs on it.
    notes: Vec<(String, Vec<String>)>,
    /// The deelvraag foreign top-level codes are under (if any code is).
    default_dv: Option<u32>,
}

fn parse_deelvraag(name: &str) -> Option<(u32, String)> {
    let rest = name.strip_prefix("Deelvraag ")?;
    let (num, title) = match rest.split_once(':') {
        Some((n, t)) => (n, t.trim()),
        None => (rest, ""),
    };
    Some((num.trim().parse().ok()?, title.to_string()))
}

struct TreeCtx<'a> {
    used: &'a HashSet<String>,
    taken_names: HashSet<String>,
    taken_ids: HashSet<String>,
    guids: HashSet<String>,
    report: &'a mut ImportReport,
    colourless: usize,
    renamed: usize,
    folders: usize,
    coded_folders: usize,
}

fn map_tree(
    roots: &[QdaCode],
    default_title: &str,
    used: &HashSet<String>,
    report: &mut ImportReport,
) -> Tree {
    let mut tree = Tree {
        deelvragen: Vec::new(),
        codes: Vec::new(),
        by_guid: HashMap::new(),
        notes: Vec::new(),
        default_dv: None,
    };
    let dv_roots: Vec<Option<(u32, String)>> = roots
        .iter()
        .map(|r| {
            if r.codable && !used.contains(&guid_key(&r.guid)) {
                None
            } else {
                parse_deelvraag(&r.name)
            }
        })
        .collect();
    let max = dv_roots.iter().flatten().map(|d| d.0).max().unwrap_or(0);
    let mut ctx = TreeCtx {
        used,
        taken_names: HashSet::new(),
        taken_ids: HashSet::new(),
        guids: HashSet::new(),
        report,
        colourless: 0,
        renamed: 0,
        folders: 0,
        coded_folders: 0,
    };
    for (root, dv) in roots.iter().zip(dv_roots) {
        match dv {
            Some((n, title)) if !tree.deelvragen.iter().any(|d| d.number == n) => {
                tree.deelvragen.push(Deelvraag {
                    number: n,
                    title,
                    question: root.description.clone(),
                });
                ctx.guids.insert(guid_key(&root.guid));
                for c in &root.children {
                    walk(&mut tree, &mut ctx, c, n, None, None, None);
                }
            }
            _ => {
                let n = *tree.default_dv.get_or_insert(max + 1);
                walk(&mut tree, &mut ctx, root, n, None, None, None);
            }
        }
    }
    if let Some(n) = tree.default_dv {
        tree.deelvragen.push(Deelvraag {
            number: n,
            title: default_title.to_string(),
            question: String::new(),
        });
    }
    if ctx.folders > 0 {
        ctx.report.converted.push(format!(
            "{} non-codable parent code(s) became categories of the codes under them",
            ctx.folders
        ));
    }
    if ctx.coded_folders > 0 {
        ctx.report.converted.push(format!(
            "{} non-codable code(s) that carry codings became codes",
            ctx.coded_folders
        ));
    }
    if ctx.colourless > 0 {
        ctx.report.converted.push(format!(
            "{} code(s) without a colour were given one",
            ctx.colourless
        ));
    }
    if ctx.renamed > 0 {
        ctx.report.converted.push(format!(
            "{} code name(s) were already taken and got their parent's name added \
             (codewerk finds codes by name)",
            ctx.renamed
        ));
    }
    tree
}

fn walk(
    tree: &mut Tree,
    ctx: &mut TreeCtx<'_>,
    node: &QdaCode,
    dv: u32,
    category: Option<&str>,
    parent: Option<&str>,
    parent_name: Option<&str>,
) {
    let key = guid_key(&node.guid);
    let coded = ctx.used.contains(&key);
    if !node.codable && !coded {
        ctx.folders += 1;
        ctx.guids.insert(key);
        for c in &node.children {
            walk(tree, ctx, c, dv, Some(&node.name), parent, parent_name);
        }
        return;
    }
    if !node.codable {
        ctx.coded_folders += 1;
    }
    let base = if node.name.trim().is_empty() {
        "(unnamed code)".to_string()
    } else {
        node.name.trim().to_string()
    };
    let mut name = base.clone();
    if ctx.taken_names.contains(&name.to_lowercase()) {
        ctx.renamed += 1;
        let ctx_name = parent_name.or(category).unwrap_or("2");
        name = format!("{base} ({ctx_name})");
        let mut n = 2;
        while ctx.taken_names.contains(&name.to_lowercase()) {
            name = format!("{base} ({ctx_name}) {n}");
            n += 1;
        }
    }
    ctx.taken_names.insert(name.to_lowercase());
    let slug = codebook::slug(&name);
    let id = unique(
        if slug.is_empty() { "code".into() } else { slug },
        &mut ctx.taken_ids,
    );
    let guid = if codebook::normalise_guid(&node.guid).is_none() {
        ctx.report.skipped.push(format!(
            "code \"{name}\": guid \"{}\" is not a GUID; it was given a new one",
            node.guid
        ));
        random_guid()
    } else if !ctx.guids.insert(key.clone()) {
        ctx.report.skipped.push(format!(
            "code \"{name}\": guid {} is used twice in the file; this code was given a new one \
             (codings of that GUID go to the first code)",
            node.guid
        ));
        random_guid()
    } else {
        tree.by_guid.insert(key, id.clone());
        node.guid.trim().to_string()
    };
    let colour = node.color.unwrap_or_else(|| {
        ctx.colourless += 1;
        PALETTE[tree.codes.len() % PALETTE.len()]
    });
    tree.codes.push(Code {
        id: id.clone(),
        name: name.clone(),
        deelvraag: dv,
        category: category.map(str::to_string),
        colour_name: colour.to_string().to_lowercase(),
        colour,
        description: node.description.trim().to_string(),
        inductive: false,
        guid: Some(guid),
        parent: parent.map(str::to_string),
    });
    if !node.notes.is_empty() {
        tree.notes.push((id.clone(), node.notes.clone()));
    }
    for c in &node.children {
        walk(tree, ctx, c, dv, category, Some(&id), Some(&name));
    }
}

fn used_codes(qda: &Qda) -> HashSet<String> {
    let mut used = HashSet::new();
    for s in &qda.sources {
        for c in s
            .codings
            .iter()
            .chain(s.selections.iter().flat_map(|x| &x.codings))
        {
            used.insert(guid_key(&c.code));
        }
    }
    used
}

fn counts_read(qda: &Qda) -> Counts {
    Counts {
        users: qda.users.len(),
        sources: qda.sources.len(),
        codes: qda.code_count(),
        selections: qda.sources.iter().map(|s| s.selections.len()).sum(),
        codings: qda
            .sources
            .iter()
            .map(|s| s.codings.len() + s.selections.iter().map(|x| x.codings.len()).sum::<usize>())
            .sum(),
        memos: qda.notes.len(),
        cases: qda.cases.len(),
        variables: qda.variables.len(),
        sets: qda.sets.len(),
    }
}

// ----------------------------------------------------------------------------------------
// .qdpx → project

struct Built {
    settings: Settings,
    codebook: Codebook,
    respondents_csv: Vec<u8>,
    transcripts: Vec<(String, String)>,
    /// Coder → ops.
    journals: BTreeMap<String, Vec<Op>>,
    /// The deelvraag foreign top-level codes went to, and the GUIDs of codes with a colour (for
    /// merging into an existing codebook).
    default_dv: Option<u32>,
    coloured: HashSet<String>,
}

fn convert(
    loaded: Loaded,
    file: &Path,
    opts: &ImportOptions,
) -> Result<(Built, ImportReport), RefiError> {
    let Loaded {
        qda,
        texts,
        notes,
        mut report,
    } = loaded;
    report.read = counts_read(&qda);
    for (what, n) in &qda.unread {
        report.leave_out(what.clone(), *n);
    }
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let used = used_codes(&qda);
    let title = if qda.origin.is_empty() {
        format!("Imported from {stem}")
    } else {
        format!("Imported from {}", qda.origin)
    };
    let tree = map_tree(&qda.codes, &title, &used, &mut report);
    let coloured = coloured_guids(&qda.codes);

    // Users as coders.
    let mut taken = HashSet::new();
    let mut coder_of: HashMap<String, String> = HashMap::new();
    for (i, u) in qda.users.iter().enumerate() {
        let name = safe_id(&u.name, &format!("user-{}", i + 1));
        let name = if valid_coder(&name) {
            name
        } else {
            format!("user-{}", i + 1)
        };
        let name = unique(name, &mut taken);
        coder_of.insert(guid_key(&u.guid), name);
    }
    let fallback_coder = "imported".to_string();
    let coder_for = |user: Option<&str>| -> String {
        user.and_then(|u| coder_of.get(&guid_key(u)).cloned())
            .unwrap_or_else(|| fallback_coder.clone())
    };
    let mut used_notes: HashSet<String> = HashSet::new();
    let mut journals: BTreeMap<String, Vec<Op>> = BTreeMap::new();
    let mut dedupe: HashSet<(String, String, String, usize, usize)> = HashSet::new();

    // Code memos.
    let mut memos_written = 0;
    for (code, refs) in &tree.notes {
        for r in refs {
            let k = guid_key(r);
            let Some(text) = notes.get(&k) else {
                report.skipped.push(format!(
                    "a note on code {code} refers to note {r}, which does not exist"
                ));
                continue;
            };
            used_notes.insert(k.clone());
            let user = qda
                .notes
                .iter()
                .find(|n| guid_key(&n.guid) == k)
                .and_then(|n| n.user.clone());
            let coder = coder_for(user.as_deref());
            journals.entry(coder).or_default().push(Op::CodeMemo {
                code: code.clone(),
                before: None,
                after: Some(text.clone()),
            });
            memos_written += 1;
        }
    }

    // Variables: which becomes the group, which the school and school type.
    let var_name: HashMap<String, String> = qda
        .variables
        .iter()
        .map(|v| (guid_key(&v.guid), v.name.clone()))
        .collect();
    let group_var = match &opts.group_variable {
        Some(g) => {
            let found = qda
                .variables
                .iter()
                .find(|v| v.name.eq_ignore_ascii_case(g) || column_name(&v.name) == column_name(g));
            match found {
                Some(v) => Some(v.name.clone()),
                None => {
                    let names: Vec<&str> = qda.variables.iter().map(|v| v.name.as_str()).collect();
                    return Err(RefiError::invalid(
                        file,
                        format!(
                            "there is no variable \"{g}\" for --group-variable (variables: {})",
                            if names.is_empty() {
                                "none".to_string()
                            } else {
                                names.join(", ")
                            }
                        ),
                    ));
                }
            }
        }
        None => None,
    };

    // Sources as transcripts.
    let mut ids = HashSet::new();
    let mut transcripts = Vec::new();
    let mut id_of_source: HashMap<String, String> = HashMap::new();
    let mut source_values: HashMap<String, Vec<(String, String)>> = HashMap::new();
    let (mut crlf, mut bom_or_nfc, mut selections_written) = (0, 0, 0);
    let mut annotations = 0;
    let mut kinds: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut source_notes = 0;
    for (i, (s, text)) in qda.sources.iter().zip(texts).enumerate() {
        // qc names its sources only by their file (`plainTextPath="board_2017.txt"`).
        let name = if s.name.trim().is_empty() {
            s.plain_text_path
                .as_deref()
                .and_then(|p| p.rsplit(['/', '\\']).next())
                .map(|f| f.rsplit_once('.').map_or(f, |(stem, _)| stem).to_string())
                .unwrap_or_default()
        } else {
            s.name.clone()
        };
        let label = if name.is_empty() {
            s.guid.clone()
        } else {
            name.clone()
        };
        if s.kind != SourceKind::Text {
            *kinds
                .entry(match s.kind {
                    SourceKind::Picture => "picture sources (with their selections and codings)",
                    SourceKind::Pdf => "PDF sources (with their selections and codings)",
                    SourceKind::Audio => "audio sources (with their selections and codings)",
                    SourceKind::Video => "video sources (with their selections and codings)",
                    SourceKind::Text => "text sources",
                })
                .or_default() += 1;
            continue;
        }
        let raw = match text {
            Ok(t) => t,
            Err(why) => {
                report.skipped.push(format!(
                    "text source \"{label}\" {why}; left out with its {} selection(s)",
                    s.selections.len()
                ));
                continue;
            }
        };
        let m = Mapped::new(&raw);
        if m.text.trim().is_empty() {
            report.skipped.push(format!(
                "text source \"{label}\" is empty; left out with its {} selection(s)",
                s.selections.len()
            ));
            continue;
        }
        if m.raw_has_cr {
            crlf += 1;
        }
        if m.text != raw.replace("\r\n", "\n").replace('\r', "\n") {
            bom_or_nfc += 1;
        }
        let id = unique(safe_id(&name, &format!("source-{}", i + 1)), &mut ids);
        id_of_source.insert(guid_key(&s.guid), id.clone());
        if !s.values.is_empty() {
            source_values.insert(id.clone(), s.values.clone());
        }
        source_notes += s.notes.len();
        let (unit, evidence) = choose_unit(&qda.origin, &m, &s.selections);
        report.positions.push(PositionUnit {
            source: id.clone(),
            unit: unit.describe(m.raw_has_cr),
            evidence,
        });
        let t = Transcript::from_text(&id, Path::new(&format!("{id}.txt")), m.text.clone());
        let mut bad = Vec::new();
        let mut empty = 0;
        let mut add = |coder: String,
                       code_guid: &str,
                       start: usize,
                       end: usize,
                       memo: Option<String>,
                       journals: &mut BTreeMap<String, Vec<Op>>,
                       report: &mut ImportReport|
         -> bool {
            let Some(code) = tree.by_guid.get(&guid_key(code_guid)) else {
                report.skipped.push(format!(
                    "a coding in \"{label}\" at {start}..{end} refers to code {code_guid}, which is \
                     not in the codebook"
                ));
                return false;
            };
            if !dedupe.insert((coder.clone(), id.clone(), code.clone(), start, end)) {
                report.leave_out("duplicate codings (same coder, code and passage)", 1);
                return false;
            }
            let mut c = Coding::quoted(&t, code, start, end);
            c.memo = memo;
            journals.entry(coder).or_default().push(Op::Add(c));
            true
        };
        for sel in &s.selections {
            let Some((fs, fe)) = m.range(unit, sel) else {
                bad.push(format!("{}..{}", sel.start, sel.end));
                continue;
            };
            if fs >= fe {
                empty += 1;
                continue;
            }
            let mut memo_parts: Vec<String> = Vec::new();
            if !sel.description.is_empty() {
                memo_parts.push(sel.description.clone());
            }
            for r in &sel.notes {
                let k = guid_key(r);
                if let Some(text) = notes.get(&k) {
                    used_notes.insert(k);
                    if !text.trim().is_empty() {
                        memo_parts.push(text.trim().to_string());
                    }
                }
            }
            if sel.codings.is_empty() {
                annotations += 1;
                continue;
            }
            let mut any = false;
            for c in &sel.codings {
                let coder = coder_for(c.user.as_deref().or(sel.user.as_deref()));
                let mut parts = memo_parts.clone();
                // A note on the coding itself belongs to that coding only.
                for r in &c.notes {
                    let k = guid_key(r);
                    if let Some(text) = notes.get(&k) {
                        used_notes.insert(k);
                        parts.push(text.trim().to_string());
                    }
                }
                let memo = (!parts.is_empty()).then(|| parts.join("\n\n"));
                if memo.is_some() {
                    memos_written += 1;
                }
                any |= add(coder, &c.code, fs, fe, memo, &mut journals, &mut report);
            }
            if any {
                selections_written += 1;
            }
        }
        let len = t.len_chars();
        for c in &s.codings {
            let coder = coder_for(c.user.as_deref().or(s.user.as_deref()));
            add(coder, &c.code, 0, len, None, &mut journals, &mut report);
        }
        if !bad.is_empty() {
            let shown: Vec<&str> = bad.iter().take(5).map(String::as_str).collect();
            report.skipped.push(format!(
                "{} selection(s) of \"{label}\" lie outside its text or end before they start \
                 ({}{})",
                bad.len(),
                shown.join(", "),
                if bad.len() > 5 { ", ..." } else { "" }
            ));
        }
        if empty > 0 {
            report.skipped.push(format!(
                "{empty} empty selection(s) of \"{label}\" (start = end): codewerk codes passages"
            ));
        }
        transcripts.push((id, m.text));
    }
    for (what, n) in kinds {
        report.leave_out(what, n);
    }
    report.leave_out(
        "notes on sources (codewerk has no transcript memos)",
        source_notes,
    );
    report.leave_out(
        "annotations (a selection with a memo but no code)",
        annotations,
    );
    if crlf > 0 {
        report.converted.push(format!(
            "{crlf} source(s) with CRLF line breaks: made LF, positions mapped"
        ));
    }
    if bom_or_nfc > 0 {
        report.converted.push(format!(
            "{bom_or_nfc} source(s) normalised to NFC (or a BOM removed), positions mapped"
        ));
    }

    // Cases and variables as respondents' attributes.
    let mut attrs_of: HashMap<String, Vec<(String, String)>> = HashMap::new();
    let mut conflicts = 0;
    let mut caseless = 0;
    for case in &qda.cases {
        let targets: Vec<&String> = case
            .sources
            .iter()
            .filter_map(|s| id_of_source.get(&guid_key(s)))
            .collect();
        if targets.is_empty() {
            caseless += 1;
        }
        for t in targets {
            let entry = attrs_of.entry(t.clone()).or_default();
            for (var, value) in &case.values {
                let name = var_name
                    .get(&guid_key(var))
                    .cloned()
                    .unwrap_or_else(|| var.clone());
                match entry.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) if v != value => conflicts += 1,
                    Some(_) => {}
                    None => entry.push((name, value.clone())),
                }
            }
        }
        report.leave_out("case references to selections", case.selections);
        report.leave_out("case references to codes", case.code_refs);
    }
    for (id, values) in &source_values {
        let entry = attrs_of.entry(id.clone()).or_default();
        for (var, value) in values {
            let name = var_name
                .get(&guid_key(var))
                .cloned()
                .unwrap_or_else(|| var.clone());
            if !entry.iter().any(|(k, _)| *k == name) {
                entry.push((name, value.clone()));
            }
        }
    }
    report.leave_out("cases without a text source that was imported", caseless);
    if conflicts > 0 {
        report.skipped.push(format!(
            "{conflicts} variable value(s) of a source given differently by two cases: the first kept"
        ));
    }
    let mut columns: Vec<String> = Vec::new();
    let mut column_of: HashMap<String, String> = HashMap::new();
    for v in &qda.variables {
        if Some(&v.name) == group_var.as_ref() {
            continue;
        }
        let mut c = column_name(&v.name);
        if matches!(c.as_str(), "id" | "file" | "group") {
            report.converted.push(format!(
                "variable \"{}\" became column \"var_{c}\" (\"{c}\" is codewerk's own)",
                v.name
            ));
            c = format!("var_{c}");
        }
        if !columns.contains(&c) {
            columns.push(c.clone());
        }
        column_of.insert(v.name.clone(), c);
    }
    match &group_var {
        Some(g) => report
            .converted
            .push(format!("variable \"{g}\" became the respondent group")),
        None => report.converted.push(
            "every respondent is in the group \"respondent\" (give --group-variable NAME to take \
             the group from a case variable)"
                .into(),
        ),
    }
    // Sets of sources (MAXQDA's document groups) become one column naming the sets each
    // transcript is in, so that a group of documents can still be filtered on.
    let mut sets_of: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut source_sets = 0;
    for set in &qda.sets {
        if set.sources.is_empty() {
            continue;
        }
        source_sets += 1;
        for s in &set.sources {
            if let Some(id) = id_of_source.get(&guid_key(s)) {
                sets_of
                    .entry(id.as_str())
                    .or_default()
                    .push(set.name.as_str());
            }
        }
    }
    let sets_column = if columns.iter().any(|c| c == "sets") {
        "refi_sets".to_string()
    } else {
        "sets".to_string()
    };
    if source_sets > 0 {
        report.converted.push(format!(
            "{source_sets} set(s) of sources (document groups) became column \"{sets_column}\" \
             (the names of the sets a transcript is in, joined by \"; \")"
        ));
        columns.push(sets_column.clone());
    }
    let extra: Vec<&String> = columns
        .iter()
        .filter(|c| c.as_str() != "school" && c.as_str() != "school_type")
        .collect();
    let mut csv = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["id", "file", "group", "school", "school_type"];
    header.extend(extra.iter().map(|s| s.as_str()));
    let csv_err = |e: csv::Error| RefiError::Project(format!("cannot write respondents.csv: {e}"));
    csv.write_record(&header).map_err(csv_err)?;
    let mut no_group = 0;
    for (id, _) in &transcripts {
        let values = attrs_of.get(id).cloned().unwrap_or_default();
        let get = |col: &str| -> String {
            values
                .iter()
                .find(|(k, _)| column_of.get(k).is_some_and(|c| c == col))
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let group = match &group_var {
            Some(g) => values
                .iter()
                .find(|(k, _)| k == g)
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| {
                    no_group += 1;
                    "respondent".into()
                }),
            None => "respondent".into(),
        };
        let mut row = vec![
            id.clone(),
            format!("{id}.txt"),
            group,
            get("school"),
            get("school_type"),
        ];
        row.extend(extra.iter().map(|c| {
            if **c == sets_column && source_sets > 0 {
                sets_of
                    .get(id.as_str())
                    .map(|v| v.join("; "))
                    .unwrap_or_default()
            } else {
                get(c)
            }
        }));
        csv.write_record(&row).map_err(csv_err)?;
    }
    if no_group > 0 {
        report.converted.push(format!(
            "{no_group} respondent(s) without a value for the group variable are in group \"respondent\""
        ));
    }
    let respondents_csv = csv
        .into_inner()
        .map_err(|e| RefiError::Project(format!("cannot write respondents.csv: {e}")))?;

    // Notes nothing above took.
    let unused = qda
        .notes
        .iter()
        .filter(|n| !used_notes.contains(&guid_key(&n.guid)))
        .count();
    report.leave_out(
        "notes not on a coded passage or a code (project or free notes)",
        unused.saturating_sub(source_notes),
    );
    for set in &qda.sets {
        report.leave_out("sets of codes", usize::from(!set.codes.is_empty()));
        report.leave_out("sets of notes", usize::from(!set.notes.is_empty()));
    }

    let mut written = Counts {
        users: journals.len(),
        sources: transcripts.len(),
        codes: tree.codes.len(),
        selections: selections_written,
        codings: journals
            .values()
            .map(|ops| ops.iter().filter(|o| matches!(o, Op::Add(_))).count())
            .sum(),
        memos: memos_written,
        cases: transcripts.len(),
        variables: columns.len() + usize::from(group_var.is_some()),
        sets: 0,
    };
    written.users = journals.len();
    let idle: Vec<&String> = coder_of
        .values()
        .filter(|c| !journals.contains_key(*c))
        .collect();
    if !idle.is_empty() {
        let mut idle: Vec<&str> = idle.iter().map(|s| s.as_str()).collect();
        idle.sort_unstable();
        report.converted.push(format!(
            "{} user(s) without codings or memos are no coder in codewerk (a coder is a journal): {}",
            idle.len(),
            idle.join(", ")
        ));
    }
    report.written = written;
    let settings = Settings {
        name: if qda.name.is_empty() {
            stem
        } else {
            qda.name.clone()
        },
        description: qda.description.trim().to_string(),
        ..Settings::default()
    };
    let default_dv = tree.default_dv;
    let codebook = Codebook {
        deelvragen: tree.deelvragen,
        codes: tree.codes.into(),
        criteria: Default::default(),
        retired: Vec::new(),
        path: PathBuf::new(),
    };
    Ok((
        Built {
            settings,
            codebook,
            respondents_csv,
            transcripts,
            journals,
            default_dv,
            coloured,
        },
        report,
    ))
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> RefiError + '_ {
    move |err| RefiError::Io {
        path: path.to_path_buf(),
        err,
    }
}

fn write_project(dir: &Path, built: &Built) -> Result<(), RefiError> {
    let json = serde_json::to_string_pretty(&built.settings)
        .map_err(|e| RefiError::Project(e.to_string()))?;
    let p = dir.join("project.json");
    fsutil::write_new(&p, format!("{json}\n").as_bytes()).map_err(io(&p))?;
    let p = Project::codebook_path(dir);
    let json = built
        .codebook
        .to_json()
        .map_err(|e| RefiError::Project(e.to_string()))?;
    fsutil::write_new(&p, json.as_bytes()).map_err(io(&p))?;
    let p = Project::respondents_path(dir);
    fsutil::write_new(&p, &built.respondents_csv).map_err(io(&p))?;
    for (id, text) in &built.transcripts {
        let p = dir.join("transcripts").join(format!("{id}.txt"));
        fsutil::write_new(&p, text.as_bytes()).map_err(io(&p))?;
    }
    let codings = dir.join("codings");
    for (coder, ops) in &built.journals {
        let mut j = Journal::open(&codings, coder)
            .map_err(|e| RefiError::Project(format!("journal of {coder}: {e}")))?;
        j.record(ops.clone())?;
    }
    Ok(())
}

/// Import a `.qdpx` as a new project in `into` (which must not exist or be empty). The project
/// is built in a folder next to it and renamed into place only when it loads without errors.
pub fn import_qdpx(
    file: &Path,
    into: &Path,
    opts: &ImportOptions,
) -> Result<ImportReport, RefiError> {
    let loaded = read_qdpx_file(file)?;
    let (built, mut report) = convert(loaded, file, opts)?;
    if opts.dry_run {
        return Ok(report);
    }
    if let Ok(mut entries) = std::fs::read_dir(into) {
        if entries.next().is_some() {
            return Err(RefiError::TargetNotEmpty {
                path: into.to_path_buf(),
            });
        }
    } else if into.exists() {
        return Err(RefiError::TargetNotEmpty {
            path: into.to_path_buf(),
        });
    }
    let parent = into
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let name = into
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "project".into());
    let tmp = parent.join(format!(".{name}.import-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    std::fs::create_dir(&tmp).map_err(io(&tmp))?;
    let result = (|| {
        write_project(&tmp, &built)?;
        load_clean(&tmp, "imported project", "nothing was written")?;
        if into.exists() {
            std::fs::remove_dir(into).map_err(io(into))?;
        }
        std::fs::rename(&tmp, into).map_err(io(into))?;
        fsutil::sync_dir(&parent).map_err(io(&parent))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result?;
    report.target = Some(into.to_path_buf());
    Ok(report)
}

// ----------------------------------------------------------------------------------------
// .qdpx → an existing project

/// Copy a project folder (not its search cache); a symbolic link in it is refused, since the
/// copy would either follow it or lose it.
fn copy_tree(from: &Path, to: &Path) -> Result<(), RefiError> {
    std::fs::create_dir(to).map_err(io(to))?;
    for e in std::fs::read_dir(from).map_err(io(from))? {
        let e = e.map_err(io(from))?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let kind = e.file_type().map_err(io(&src))?;
        if kind.is_symlink() {
            return Err(RefiError::Project(format!(
                "{} is a symbolic link: the project cannot be extended safely (import into a \
                 new folder with --into)",
                src.display()
            )));
        }
        if kind.is_dir() {
            if e.file_name() == ".codewerk" {
                continue;
            }
            copy_tree(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst).map_err(io(&src))?;
        }
    }
    Ok(())
}

/// Add a `.qdpx` to the project in `root`: codes merged by the clash rules of `import qdc`,
/// sources as new transcripts (ids made unique), codings added to the journals of their coders.
/// The result is built in a copy next to the project and swapped in only when it loads
/// without errors; the coders' journals are locked meanwhile.
pub fn extend_project(
    root: &Path,
    file: &Path,
    opts: &ImportOptions,
) -> Result<ImportReport, RefiError> {
    let project = Project::load(root).map_err(|e| {
        RefiError::Project(format!(
            "cannot open the project: {}",
            e.problems
                .first()
                .map(ToString::to_string)
                .unwrap_or_default()
        ))
    })?;
    if let Some(p) = project.problems.iter().find(|p| p.is_error()) {
        return Err(RefiError::Project(format!(
            "the project has errors; run `codewerk check` and fix them first: {p}"
        )));
    }
    let loaded = read_qdpx_file(file)?;
    let (built, mut report) = convert(loaded, file, opts)?;
    let mut ours = project.codebook.clone();
    let (id_map, _) = merge_codes(
        &mut ours,
        &built.codebook.deelvragen,
        &built.codebook.codes,
        built.default_dv,
        &built.coloured,
        opts,
        &mut report,
    )?;
    let mut taken: HashSet<String> = project
        .respondents
        .iter()
        .map(|r| r.id.to_lowercase())
        .collect();
    if let Ok(entries) = std::fs::read_dir(root.join("transcripts")) {
        for e in entries.flatten() {
            if let Some(stem) = e.path().file_stem() {
                taken.insert(stem.to_string_lossy().to_lowercase());
            }
        }
    }
    let mut t_map: HashMap<String, String> = HashMap::new();
    for (id, _) in &built.transcripts {
        let new = unique(id.clone(), &mut taken);
        if &new != id {
            report.converted.push(format!(
                "source \"{id}\" became transcript \"{new}\" (the id was taken)"
            ));
        }
        t_map.insert(id.clone(), new);
    }
    // respondents.csv again, with the new rows and any new columns.
    let mut columns: Vec<String> = Vec::new();
    for r in &project.respondents {
        for (k, _) in &r.attributes {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    let mut theirs = csv::Reader::from_reader(built.respondents_csv.as_slice());
    let their_header: Vec<String> = theirs
        .headers()
        .map_err(|e| RefiError::Project(e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    for h in their_header.iter().skip(5) {
        if !columns.contains(h) {
            columns.push(h.clone());
        }
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| RefiError::Project(format!("cannot write respondents.csv: {e}"));
    let mut header: Vec<&str> = vec!["id", "file", "group", "school", "school_type"];
    header.extend(columns.iter().map(String::as_str));
    out.write_record(&header).map_err(csv_err)?;
    for r in &project.respondents {
        let mut row = vec![
            r.id.clone(),
            r.file.clone(),
            r.group.clone(),
            r.school.clone(),
            r.school_type.clone(),
        ];
        row.extend(
            columns
                .iter()
                .map(|c| r.attribute(c).unwrap_or_default().to_string()),
        );
        out.write_record(&row).map_err(csv_err)?;
    }
    for rec in theirs.records() {
        let rec = rec.map_err(|e| RefiError::Project(e.to_string()))?;
        let get = |name: &str| {
            their_header
                .iter()
                .position(|h| h == name)
                .and_then(|i| rec.get(i))
                .unwrap_or_default()
                .to_string()
        };
        let id = t_map.get(&get("id")).cloned().unwrap_or_else(|| get("id"));
        let mut row = vec![
            id.clone(),
            format!("{id}.txt"),
            get("group"),
            get("school"),
            get("school_type"),
        ];
        row.extend(columns.iter().map(|c| get(c)));
        out.write_record(&row).map_err(csv_err)?;
    }
    let csv_bytes = out
        .into_inner()
        .map_err(|e| RefiError::Project(format!("cannot write respondents.csv: {e}")))?;
    if !project.settings.groups.is_empty() {
        let their_group = their_header.iter().position(|h| h == "group");
        let mut theirs = csv::Reader::from_reader(built.respondents_csv.as_slice());
        for rec in theirs.records().flatten() {
            let g = their_group.and_then(|i| rec.get(i)).unwrap_or_default();
            if project.settings.group(g).is_none() {
                let known: Vec<&str> = project
                    .settings
                    .groups
                    .iter()
                    .map(|g| g.id.as_str())
                    .collect();
                return Err(RefiError::Project(format!(
                    "the imported respondents would be in group \"{g}\", which project.json does \
                     not declare (groups: {}): give --group-variable NAME, a case variable with \
                     these values, or declare the group; nothing was changed",
                    known.join(", ")
                )));
            }
        }
    }
    if opts.dry_run {
        return Ok(report);
    }

    // Nobody may write a journal while the copy is made and swapped in.
    let mut locks = Vec::new();
    for coder in project.coders.keys() {
        locks.push(
            Journal::open(&project.codings_dir(), coder)
                .map_err(|e| RefiError::Project(format!("cannot extend the project now: {e}")))?,
        );
    }
    let abs = root.canonicalize().map_err(io(root))?;
    let parent = abs.parent().unwrap_or(Path::new("/")).to_path_buf();
    let name = abs
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "project".into());
    let tmp = parent.join(format!(".{name}.import-{}", std::process::id()));
    let backup = parent.join(format!(".{name}.before-import-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    let result = (|| {
        copy_tree(&abs, &tmp)?;
        let json = ours
            .to_json()
            .map_err(|e| RefiError::Project(e.to_string()))?;
        let p = Project::codebook_path(&tmp);
        fsutil::write_atomic(&p, json.as_bytes()).map_err(io(&p))?;
        let p = Project::respondents_path(&tmp);
        fsutil::write_atomic(&p, &csv_bytes).map_err(io(&p))?;
        for (id, text) in &built.transcripts {
            let p = tmp.join("transcripts").join(format!("{}.txt", t_map[id]));
            fsutil::write_new(&p, text.as_bytes()).map_err(io(&p))?;
        }
        for (coder, ops) in &built.journals {
            let ops: Vec<Op> = ops
                .iter()
                .cloned()
                .map(|op| match op {
                    Op::Add(mut c) => {
                        c.code = id_map.get(&c.code).cloned().unwrap_or(c.code);
                        c.transcript = t_map.get(&c.transcript).cloned().unwrap_or(c.transcript);
                        Op::Add(c)
                    }
                    Op::CodeMemo {
                        code,
                        before,
                        after,
                    } => Op::CodeMemo {
                        code: id_map.get(&code).cloned().unwrap_or(code),
                        before,
                        after,
                    },
                    other => other,
                })
                .collect();
            if project.coders.contains_key(coder) {
                report.converted.push(format!(
                    "coder {coder} exists: the imported codings were added to their journal"
                ));
            }
            let codings = tmp.join("codings");
            let mut j = Journal::open(&codings, coder)
                .map_err(|e| RefiError::Project(format!("journal of {coder}: {e}")))?;
            j.record(ops)?;
        }
        load_clean(&tmp, "extended project", "nothing was changed")?;
        std::fs::rename(&abs, &backup).map_err(io(&abs))?;
        if let Err(err) = std::fs::rename(&tmp, &abs) {
            let _ = std::fs::rename(&backup, &abs);
            return Err(RefiError::Io {
                path: abs.clone(),
                err,
            });
        }
        fsutil::sync_dir(&parent).map_err(io(&parent))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result?;
    drop(locks);
    let _ = std::fs::remove_dir_all(&backup);
    report.target = Some(root.to_path_buf());
    Ok(report)
}

// ----------------------------------------------------------------------------------------
// .qdc → the codebook

pub(crate) fn read_qdc(file: &Path, bytes: &[u8]) -> Result<Qda, RefiError> {
    let root = read::parse(bytes, "codebook.qdc").map_err(package_error(file))?;
    read::model(&root).map_err(|m| RefiError::invalid(file, m.to_string()))
}

/// Merge the codes of a `.qdc` into the project's codebook. Clash rules: a code with the same
/// GUID is the same code, and so is one with the same name (case-insensitive) — ours is kept
/// as it is (our colour, description, place), and each difference is listed.
pub fn import_qdc(
    project_root: &Path,
    file: &Path,
    opts: &ImportOptions,
) -> Result<ImportReport, RefiError> {
    let bytes = std::fs::read(file).map_err(io(file))?;
    let qda = read_qdc(file, &bytes)?;
    let mut report = ImportReport {
        file: file.to_path_buf(),
        origin: qda.origin.clone(),
        read: counts_read(&qda),
        ..ImportReport::default()
    };
    let path = Project::codebook_path(project_root);
    let mut ours = Codebook::load(&path).map_err(|ps| {
        RefiError::Project(
            ps.first()
                .map(ToString::to_string)
                .unwrap_or_else(|| "the codebook does not load".into()),
        )
    })?;
    let title = format!(
        "Imported from {}",
        if qda.origin.is_empty() {
            file.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        } else {
            qda.origin.clone()
        }
    );
    let tree = map_tree(&qda.codes, &title, &HashSet::new(), &mut report);
    let coloured = coloured_guids(&qda.codes);
    let (_, same) = merge_codes(
        &mut ours,
        &tree.deelvragen,
        &tree.codes,
        tree.default_dv,
        &coloured,
        opts,
        &mut report,
    )?;
    // Validate the merged codebook as it will be read, before anything is written.
    let json = ours
        .to_json()
        .map_err(|e| RefiError::Project(e.to_string()))?;
    if let Err(ps) = Codebook::parse(&path, &json) {
        return Err(RefiError::Project(format!(
            "the merged codebook would not be valid, nothing written: {}",
            ps.first().map(ToString::to_string).unwrap_or_default()
        )));
    }
    if !opts.dry_run && report.written.codes + same > 0 {
        fsutil::write_atomic(&path, json.as_bytes()).map_err(io(&path))?;
        report.target = Some(path);
    }
    Ok(report)
}

/// Their codes into our codebook by the clash rules; returns their code id → ours.
fn merge_codes(
    ours: &mut Codebook,
    deelvragen: &[Deelvraag],
    codes: &[Code],
    default_dv: Option<u32>,
    coloured: &HashSet<String>,
    opts: &ImportOptions,
    report: &mut ImportReport,
) -> Result<(HashMap<String, String>, usize), RefiError> {
    // Their deelvraag numbers → ours: a codewerk deelvraag of the same number is the same one;
    // the foreign codes go to --deelvraag or to a new deelvraag.
    let next = ours.deelvragen.iter().map(|d| d.number).max().unwrap_or(0) + 1;
    let mut dv_map: HashMap<u32, u32> = HashMap::new();
    let mut new_dvs = Vec::new();
    for d in deelvragen {
        let target = if Some(d.number) == default_dv {
            match opts.deelvraag {
                Some(n) if ours.deelvraag(n).is_some() => n,
                Some(n) => {
                    return Err(RefiError::Project(format!(
                        "deelvraag {n} does not exist in the codebook"
                    )));
                }
                None => next,
            }
        } else {
            d.number
        };
        if ours.deelvraag(target).is_none()
            && !new_dvs.iter().any(|x: &Deelvraag| x.number == target)
        {
            new_dvs.push(Deelvraag {
                number: target,
                ..d.clone()
            });
        }
        dv_map.insert(d.number, target);
    }
    let mut id_map: HashMap<String, String> = HashMap::new();
    let mut added: Vec<Code> = Vec::new();
    let mut same = 0;
    let mut taken_ids: HashSet<String> = ours.codes.iter().map(|c| c.id.clone()).collect();
    for code in codes {
        let key = code.guid.as_deref().map(guid_key);
        let by_guid = key.as_ref().and_then(|k| {
            ours.codes
                .iter()
                .position(|c| c.guid.as_deref().map(guid_key).as_ref() == Some(k))
        });
        let by_name = || {
            let n = code.name.trim().to_lowercase();
            ours.codes
                .iter()
                .position(|c| c.name.trim().to_lowercase() == n)
        };
        if let Some(i) = by_guid.or_else(by_name) {
            same += 1;
            let our = &ours.codes[i];
            if our.colour != code.colour
                && code
                    .guid
                    .as_deref()
                    .is_some_and(|g| coloured.contains(&guid_key(g)))
            {
                report.skipped.push(format!(
                    "code \"{}\": their colour {} differs, ours ({}) kept",
                    our.name, code.colour, our.colour
                ));
            }
            id_map.insert(code.id.clone(), our.id.clone());
            if our.guid.is_none() {
                ours.codes.update_at(i, |our| our.guid = code.guid.clone());
            }
            continue;
        }
        let mut c = code.clone();
        c.id = unique(c.id.clone(), &mut taken_ids);
        c.deelvraag = dv_map.get(&code.deelvraag).copied().unwrap_or(next);
        id_map.insert(code.id.clone(), c.id.clone());
        added.push(c);
    }
    for c in &mut added {
        c.parent = c.parent.as_ref().and_then(|p| id_map.get(p).cloned());
    }
    report.written.codes = added.len();
    if same > 0 {
        report.converted.push(format!(
            "{same} code(s) were in the codebook already (same GUID or name): ours kept"
        ));
    }
    ours.deelvragen.extend(new_dvs);
    ours.codes.extend(added);
    Ok((id_map, same))
}

fn coloured_guids(codes: &[QdaCode]) -> HashSet<String> {
    let mut out = HashSet::new();
    for c in codes {
        if c.color.is_some() {
            out.insert(guid_key(&c.guid));
        }
        out.extend(coloured_guids(&c.children));
    }
    out
}

#[cfg(test)]
pub(crate) mod tests_api {
    use super::*;

    pub fn mapped_text(raw: &str) -> String {
        Mapped::new(raw).text
    }

    pub fn map_unit(raw: &str, utf16: bool, crlf_as_one: bool, pos: i64) -> Option<usize> {
        Mapped::new(raw).map(Unit { utf16, crlf_as_one }, pos)
    }
}
