//! The codebook: research sub-questions (deelvragen) and the colour-coded codes under them.
//!
//! Stored as `codebook/codebook.json`. Each code has a stable id (what codings refer to), a name,
//! its deelvraag, an optional category, the colour as the researchers name it and as `#RRGGBB`,
//! a description with optional `inclusion`/`exclusion` criteria and an `example`, and optionally
//! a `parent` code (sub-codes, any depth).
//!
//! Rules of the tree (checked on load, with the line of the offending code):
//! - a parent is a live code, and no code is its own ancestor;
//! - a sub-code is under the same deelvraag as its parent (the tree hangs under one research
//!   question; `code move` of a parent to another deelvraag takes its sub-codes along); its
//!   category is its own and only matters for top-level codes.
//!
//! Codes merged into another one or deleted are not removed but *retired*: they move to the
//! `retired` list of the file with `merged_into` (the code that now counts their codings) or
//! `deleted: true`. Journals keep naming the old id; loading maps it through
//! [`Codebook::canonical`], so no coder's journal is rewritten and nothing points at nothing.

use super::codes::Codes;
use super::fsutil;
use super::problem::{LineCols, Problem, line_col};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deelvraag {
    pub number: u32,
    pub title: String,
    #[serde(default)]
    pub question: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Parse `#RRGGBB` (case-insensitive).
    pub fn parse(s: &str) -> Option<Rgb> {
        let hex = s.strip_prefix('#')?;
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Rgb(byte(0)?, byte(2)?, byte(4)?))
    }

    /// Relative luminance (WCAG), 0 = black, 1 = white.
    pub fn luminance(self) -> f64 {
        fn lin(c: u8) -> f64 {
            let c = f64::from(c) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        }
        0.2126 * lin(self.0) + 0.7152 * lin(self.1) + 0.0722 * lin(self.2)
    }

    /// Black or white, whichever reads better on this colour.
    pub fn readable_foreground(self) -> Rgb {
        let l = self.luminance();
        // Contrast ratio against black vs against white; pick the larger.
        if (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) {
            Rgb(0, 0, 0)
        } else {
            Rgb(255, 255, 255)
        }
    }
}

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02X}{:02X}{:02X}", self.0, self.1, self.2)
    }
}

impl Serialize for Rgb {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Code {
    pub id: String,
    pub name: String,
    pub deelvraag: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub colour_name: String,
    pub colour: Rgb,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub inductive: bool,
    /// The code's REFI-QDA GUID: made once (at the first export or import) and kept, so that
    /// ATLAS.ti, MAXQDA or NVivo recognise the code again in a later exchange.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
    /// The id of the code this one is a sub-code of (same deelvraag, any depth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// The optional parts of a code's definition besides its description: what falls under it,
/// what does not, and an example. Kept beside the codes (by id) so that `Code` stays as other
/// parts of codewerk build it; in the file they are fields of the code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criteria {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub inclusion: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub exclusion: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub example: String,
}

impl Criteria {
    pub fn is_empty(&self) -> bool {
        self.inclusion.is_empty() && self.exclusion.is_empty() && self.example.is_empty()
    }
}

/// A code that is no longer in use: merged into another code, or deleted. Its codings in the
/// journals are counted as `merged_into`'s, or (deleted) flagged and counted nowhere.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retired {
    #[serde(flatten)]
    pub code: Code,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

/// A code as written in the file, before validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeFile {
    id: String,
    name: String,
    deelvraag: u32,
    #[serde(default)]
    category: Option<String>,
    colour_name: String,
    colour: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    inclusion: String,
    #[serde(default)]
    exclusion: String,
    #[serde(default)]
    example: String,
    #[serde(default)]
    inductive: bool,
    #[serde(default)]
    guid: Option<String>,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    merged_into: Option<String>,
    #[serde(default)]
    deleted: bool,
}

#[derive(Deserialize)]
struct CodebookFile<'a> {
    #[serde(borrow)]
    deelvragen: Vec<&'a RawValue>,
    #[serde(borrow)]
    codes: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    retired: Vec<&'a RawValue>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Codebook {
    pub deelvragen: Vec<Deelvraag>,
    /// The live codes, in file order (which is the order within a deelvraag and among
    /// siblings; see [`Codebook::tree`]), with lookups by id kept in step.
    pub codes: Codes,
    /// Inclusion/exclusion criteria and examples, by code id (live or retired).
    pub criteria: BTreeMap<String, Criteria>,
    /// Merged and deleted codes, in the order they were retired.
    pub retired: Vec<Retired>,
    pub path: PathBuf,
}

/// Everything that can go wrong reading or changing the codebook.
#[derive(Debug, thiserror::Error)]
pub enum CodebookError {
    #[error("the codebook is not valid, not changing it:\n{}", lines(.0))]
    Invalid(Vec<Problem>),
    #[error(
        "the codebook is being changed by another codewerk (pid {pid}, lock {}); \
         try again in a moment",
        path.display()
    )]
    Locked { path: PathBuf, pid: String },
    /// The OS error is part of the message and not a `source`, so it is printed once.
    #[error("{}: {err}", path.display())]
    Io { path: PathBuf, err: std::io::Error },
    /// [`Codebook::unknown_code`]'s message.
    #[error("{0}")]
    UnknownCode(String),
    #[error("code \"{id}\" is not in use any more: {why}")]
    Retired { id: String, why: String },
    #[error("code \"{id}\" has the name \"{name}\" already")]
    NameTaken { id: String, name: String },
    #[error("a code with id \"{0}\" exists already (retired codes keep their id too)")]
    IdTaken(String),
    #[error("code id \"{0}\" must be non-empty letters, digits, '-', '_' or '.'")]
    BadId(String),
    #[error("a code needs a name")]
    EmptyName,
    #[error("colour \"{0}\" is not #RRGGBB (e.g. #FF8800)")]
    BadColour(String),
    #[error("deelvraag {number} does not exist (known: {known})")]
    UnknownDeelvraag { number: u32, known: String },
    #[error("cannot merge code \"{0}\" into itself")]
    MergeIntoItself(String),
    #[error("cannot merge code \"{code}\" into \"{into}\": \"{into}\" is one of its sub-codes")]
    MergeIntoSubcode { code: String, into: String },
    #[error("code \"{code}\" cannot go under \"{parent}\": {why}")]
    BadParent {
        code: String,
        parent: String,
        why: String,
    },
    #[error(
        "code \"{code}\" has {n} coding(s); use --merge-into CODE to count them as another \
         code, or --force to delete it anyway (its codings are then flagged: counted nowhere, \
         listed by `codewerk check`, back with `codewerk code undo`)"
    )]
    HasCodings { code: String, n: usize },
    #[error("{0}")]
    Usage(String),
    #[error(
        "undoing \"{action}\" would leave {n} coding(s) of code \"{code}\" pointing at nothing: \
         remove them first (u in the TUI), or `codewerk code delete {code} --force`"
    )]
    UndoWouldOrphan {
        action: String,
        code: String,
        n: usize,
    },
    #[error("nothing to undo: {}", .0.display())]
    NothingToUndo(PathBuf),
    #[error(
        "the codebook changed after \"{what}\" in a way its history does not record (edited by \
         hand?); not undoing, so that the other change is not lost"
    )]
    ChangedSince { what: String },
    #[error("cannot encode the codebook: {0}")]
    Encode(String),
}

impl From<CodebookError> for String {
    fn from(e: CodebookError) -> String {
        e.to_string()
    }
}

fn lines(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a new code needs: a name and a deelvraag; everything else has a default (the colour
/// is proposed by [`super::palette::propose`]).
#[derive(Debug, Clone, Default)]
pub struct NewCode {
    pub name: String,
    pub deelvraag: u32,
    pub id: Option<String>,
    pub parent: Option<String>,
    pub category: Option<String>,
    pub colour: Option<Rgb>,
    pub colour_name: Option<String>,
    pub description: String,
    pub criteria: Criteria,
    /// Made while coding (true) or from the research questions before (false).
    pub inductive: bool,
}

/// Where `code move` puts a code. `None` leaves that part as it is.
#[derive(Debug, Clone, Default)]
pub struct MoveTo {
    /// `Some(None)`: make it a top-level code.
    pub parent: Option<Option<String>>,
    pub deelvraag: Option<u32>,
    /// `Some(None)`: no category.
    pub category: Option<Option<String>>,
    /// Put it just before / after this code (a sibling, in the file order).
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A new definition; `None` leaves a part as it is, `Some("")` clears it.
#[derive(Debug, Clone, Default)]
pub struct Describe {
    pub description: Option<String>,
    pub inclusion: Option<String>,
    pub exclusion: Option<String>,
    pub example: Option<String>,
}

impl Serialize for Codebook {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        #[derive(Serialize)]
        struct CodeOut<'a> {
            #[serde(flatten)]
            code: &'a Code,
            #[serde(flatten, skip_serializing_if = "Option::is_none")]
            criteria: Option<&'a Criteria>,
        }
        #[derive(Serialize)]
        struct RetiredOut<'a> {
            #[serde(flatten)]
            code: CodeOut<'a>,
            #[serde(skip_serializing_if = "Option::is_none")]
            merged_into: &'a Option<String>,
            #[serde(skip_serializing_if = "std::ops::Not::not")]
            deleted: bool,
        }
        let crit = |id: &str| self.criteria.get(id).filter(|c| !c.is_empty());
        let codes: Vec<CodeOut> = self
            .codes
            .iter()
            .map(|code| CodeOut {
                code,
                criteria: crit(&code.id),
            })
            .collect();
        let retired: Vec<RetiredOut> = self
            .retired
            .iter()
            .map(|r| RetiredOut {
                code: CodeOut {
                    code: &r.code,
                    criteria: crit(&r.code.id),
                },
                merged_into: &r.merged_into,
                deleted: r.deleted,
            })
            .collect();
        let mut st = s.serialize_struct("Codebook", 3)?;
        st.serialize_field("deelvragen", &self.deelvragen)?;
        st.serialize_field("codes", &codes)?;
        if retired.is_empty() {
            st.skip_field("retired")?;
        } else {
            st.serialize_field("retired", &retired)?;
        }
        st.end()
    }
}

impl Codebook {
    pub fn load(path: &Path) -> Result<Codebook, Vec<Problem>> {
        let bytes = std::fs::read(path).map_err(|e| {
            vec![Problem::error(
                path,
                format!("cannot read the codebook: {e}"),
            )]
        })?;
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            let good = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            let (l, c) = line_col(good, good.len());
            vec![Problem::error(path, "not valid UTF-8").at(l, Some(c))]
        })?;
        Self::parse(path, text.strip_prefix('\u{feff}').unwrap_or(text))
    }

    /// Parse and validate; all problems are returned, not just the first.
    pub fn parse(path: &Path, text: &str) -> Result<Codebook, Vec<Problem>> {
        let file: CodebookFile = serde_json::from_str(text).map_err(|e| {
            vec![
                Problem::error(path, format!("malformed codebook JSON: {e}"))
                    .at(e.line(), Some(e.column())),
            ]
        })?;
        let mut problems = Vec::new();
        // The values come in file order: positions are counted on from the previous one, not
        // from the file start for each (quadratic: 7 s for a codebook of 10,000 codes).
        let mut positions = LineCols::new(text);
        let mut at = |raw: &RawValue| {
            let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
            positions.at(offset)
        };
        let mut deelvragen = Vec::new();
        for raw in &file.deelvragen {
            let (l, c) = at(raw);
            match serde_json::from_str::<Deelvraag>(raw.get()) {
                Ok(d) if deelvragen.iter().any(|x: &Deelvraag| x.number == d.number) => problems
                    .push(
                        Problem::error(path, format!("deelvraag {} is declared twice", d.number))
                            .at(l, Some(c)),
                    ),
                Ok(d) => deelvragen.push(d),
                Err(e) => problems
                    .push(Problem::error(path, format!("invalid deelvraag: {e}")).at(l, Some(c))),
            }
        }
        let mut codes: Vec<Code> = Vec::new();
        let mut retired: Vec<Retired> = Vec::new();
        let mut criteria = BTreeMap::new();
        // Where each code (live, then retired) is in the file, for the tree checks.
        let mut places: HashMap<String, (usize, usize)> = HashMap::new();
        let mut seen = HashSet::new();
        // Lower-cased name -> id of the first live code with it.
        let mut names: HashMap<String, String> = HashMap::new();
        let entries = file
            .codes
            .iter()
            .map(|r| (r, false))
            .chain(file.retired.iter().map(|r| (r, true)));
        for (raw, is_retired) in entries {
            let (l, c) = at(raw);
            let here = |msg: String| Problem::error(path, msg).at(l, Some(c));
            let code: CodeFile = match serde_json::from_str(raw.get()) {
                Ok(code) => code,
                Err(e) => {
                    problems.push(here(format!("invalid code: {e}")));
                    continue;
                }
            };
            if let Err(e) = validate_id(&code.id) {
                problems.push(here(e.to_string()));
            }
            if !seen.insert(code.id.clone()) {
                problems.push(here(format!("duplicate code id \"{}\"", code.id)));
            }
            places.insert(code.id.clone(), (l, c));
            if !is_retired && (code.merged_into.is_some() || code.deleted) {
                problems.push(here(format!(
                    "code \"{}\" is merged or deleted but listed under \"codes\": move it to \
                     \"retired\"",
                    code.id
                )));
            }
            if is_retired && code.merged_into.is_none() && !code.deleted {
                problems.push(here(format!(
                    "retired code \"{}\" needs \"merged_into\" (a code id) or \"deleted\": true",
                    code.id
                )));
            }
            // Codes are also found by name (`import quotes`, the command line): one name, one
            // code. Retired codes may share a name with a live one (merged under its name).
            let name = code.name.trim().to_lowercase();
            match names.get(&name) {
                _ if is_retired => {}
                Some(other) if *other != code.id => problems.push(here(format!(
                    "code \"{}\" has the name \"{}\", as code \"{}\" does: give each code its \
                     own name",
                    code.id, code.name, other
                ))),
                Some(_) => {}
                None => {
                    names.insert(name, code.id.clone());
                }
            }
            if !is_retired && !deelvragen.iter().any(|d| d.number == code.deelvraag) {
                problems.push(here(format!(
                    "code \"{}\" is under deelvraag {}, which is not declared in \"deelvragen\"",
                    code.id, code.deelvraag
                )));
            }
            let colour = Rgb::parse(&code.colour);
            if colour.is_none() {
                problems.push(here(format!(
                    "code \"{}\": colour \"{}\" is not #RRGGBB",
                    code.id, code.colour
                )));
            }
            let crit = Criteria {
                inclusion: code.inclusion,
                exclusion: code.exclusion,
                example: code.example,
            };
            if !crit.is_empty() {
                criteria.insert(code.id.clone(), crit);
            }
            let parsed = Code {
                id: code.id,
                name: code.name,
                deelvraag: code.deelvraag,
                category: code.category.filter(|c| !c.is_empty()),
                colour_name: code.colour_name,
                colour: colour.unwrap_or(Rgb(128, 128, 128)),
                description: code.description,
                inductive: code.inductive,
                guid: code.guid,
                parent: code.parent.filter(|p| !p.is_empty()),
            };
            if is_retired {
                retired.push(Retired {
                    code: parsed,
                    merged_into: code.merged_into.filter(|m| !m.is_empty()),
                    deleted: code.deleted,
                });
            } else {
                codes.push(parsed);
            }
        }
        let cb = Codebook {
            deelvragen,
            codes: Codes::new(codes),
            criteria,
            retired,
            path: path.to_path_buf(),
        };
        problems.extend(cb.check_tree(&places));
        if problems.is_empty() {
            Ok(cb)
        } else {
            Err(problems)
        }
    }

    /// GUIDs must be REFI-QDA GUIDs and unique; a parent must be a live code of the same
    /// deelvraag, and no code its own ancestor (a cycle would make the code tree endless); a
    /// merged code must end at a live code.
    fn check_tree(&self, places: &HashMap<String, (usize, usize)>) -> Vec<Problem> {
        let path = &self.path;
        let here = |id: &str, msg: String| {
            let p = Problem::error(path, msg);
            match places.get(id) {
                Some(&(l, c)) => p.at(l, Some(c)),
                None => p,
            }
        };
        let mut problems = Vec::new();
        let mut guids: HashSet<String> = HashSet::new();
        // By id, so that following parents is not a scan of all codes per step (a codebook
        // of 10,000 codes).
        let mut by_id: HashMap<&str, &Code> = HashMap::new();
        for c in &self.codes {
            by_id.entry(c.id.as_str()).or_insert(c);
        }
        let retired: HashSet<&str> = self.retired.iter().map(|r| r.code.id.as_str()).collect();
        for c in &self.codes {
            if let Some(g) = &c.guid {
                match normalise_guid(g) {
                    None => problems.push(here(
                        &c.id,
                        format!(
                            "code \"{}\": guid \"{g}\" is not a GUID (8-4-4-4-12 hex digits)",
                            c.id
                        ),
                    )),
                    Some(n) if guids.contains(&n) => problems.push(here(
                        &c.id,
                        format!(
                            "code \"{}\": guid \"{g}\" is used by another code too",
                            c.id
                        ),
                    )),
                    Some(n) => {
                        guids.insert(n);
                    }
                }
            }
            if let Some(p) = &c.parent {
                match by_id.get(p.as_str()) {
                    None if retired.contains(p.as_str()) => problems.push(here(
                        &c.id,
                        format!(
                            "code \"{}\": parent \"{p}\" is merged or deleted; give it a live \
                             parent",
                            c.id
                        ),
                    )),
                    None => problems.push(here(
                        &c.id,
                        format!("code \"{}\": parent \"{p}\" is not a code", c.id),
                    )),
                    Some(parent) if parent.deelvraag != c.deelvraag => problems.push(here(
                        &c.id,
                        format!(
                            "code \"{}\" is under deelvraag {} but its parent \"{p}\" under \
                             deelvraag {}: a sub-code belongs to its parent's deelvraag",
                            c.id, c.deelvraag, parent.deelvraag
                        ),
                    )),
                    Some(_) => {}
                }
            }
        }
        for c in &self.codes {
            let mut at = c.parent.as_deref();
            let mut steps = 0;
            while let Some(p) = at {
                if p == c.id {
                    problems.push(here(
                        &c.id,
                        format!("code \"{}\" is its own ancestor (a cycle of parents)", c.id),
                    ));
                    break;
                }
                steps += 1;
                if steps > self.codes.len() {
                    break; // a cycle above this code, reported at its own codes
                }
                at = by_id.get(p).and_then(|x| x.parent.as_deref());
            }
        }
        for r in &self.retired {
            if let Some(into) = &r.merged_into
                && self.canonical(into).is_none()
            {
                problems.push(here(
                    &r.code.id,
                    format!(
                        "retired code \"{}\" is merged into \"{into}\", which is not a code in \
                         use (a deleted code, a cycle of merges or no code at all)",
                        r.code.id
                    ),
                ));
            }
        }
        problems
    }

    pub fn code(&self, id: &str) -> Option<&Code> {
        self.codes.by_id(id)
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.codes.index_of(id)
    }

    /// A merged or deleted code.
    pub fn retired(&self, id: &str) -> Option<&Retired> {
        self.retired.iter().find(|r| r.code.id == id)
    }

    /// The live code that codings of `id` count as: the code itself, or the code it was
    /// merged into (through any chain of merges). None for a deleted or unknown code.
    pub fn canonical(&self, id: &str) -> Option<&Code> {
        let mut at = id;
        for _ in 0..=self.retired.len() {
            if let Some(c) = self.code(at) {
                return Some(c);
            }
            at = self.retired(at)?.merged_into.as_deref()?;
        }
        None
    }

    /// The definition parts of a code besides its description (empty if none).
    pub fn criteria_of(&self, id: &str) -> Criteria {
        self.criteria.get(id).cloned().unwrap_or_default()
    }

    pub fn deelvraag(&self, number: u32) -> Option<&Deelvraag> {
        self.deelvragen.iter().find(|d| d.number == number)
    }

    /// The short title of a deelvraag ("" for an undeclared one).
    pub fn deelvraag_title(&self, number: u32) -> &str {
        self.deelvraag(number).map_or("", |d| d.title.as_str())
    }

    /// Codes of one deelvraag, in codebook order.
    pub fn codes_of(&self, deelvraag: u32) -> impl Iterator<Item = &Code> {
        self.codes.iter().filter(move |c| c.deelvraag == deelvraag)
    }

    /// Direct sub-codes, in codebook order.
    pub fn children<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Code> + 'a {
        self.codes.children_of(id).iter().map(|&i| &self.codes[i])
    }

    /// The code and all its sub-codes at any depth, parents before their children.
    pub fn subtree(&self, id: &str) -> Vec<&Code> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        if let Some(c) = self.code(id) {
            self.walk(c, 0, &mut seen, &mut |c, _| out.push(c));
        }
        out
    }

    fn walk<'a>(
        &'a self,
        c: &'a Code,
        depth: usize,
        seen: &mut HashSet<&'a str>,
        f: &mut dyn FnMut(&'a Code, usize),
    ) {
        if !seen.insert(c.id.as_str()) {
            return; // a cycle made in memory; the file's are refused on load
        }
        f(c, depth);
        for child in self.children(&c.id) {
            self.walk(child, depth + 1, seen, f);
        }
    }

    /// The codes of a deelvraag in tree order (each top-level code in codebook order,
    /// followed by its sub-codes) with their depth (0 = top level).
    pub fn tree_of(&self, deelvraag: u32) -> Vec<(&Code, usize)> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for c in self.codes_of(deelvraag) {
            let top = c
                .parent
                .as_deref()
                .and_then(|p| self.code(p))
                .is_none_or(|p| p.deelvraag != deelvraag);
            if top {
                self.walk(c, 0, &mut seen, &mut |c, d| out.push((c, d)));
            }
        }
        out
    }

    /// All codes in tree order, deelvraag by deelvraag.
    pub fn tree(&self) -> Vec<(&Code, usize)> {
        self.deelvragen
            .iter()
            .flat_map(|d| self.tree_of(d.number))
            .collect()
    }

    /// The parent, grandparent, … of a code, nearest first.
    pub fn ancestors(&self, id: &str) -> Vec<&Code> {
        let mut out: Vec<&Code> = Vec::new();
        let mut at = self.code(id).and_then(|c| c.parent.as_deref());
        while let Some(p) = at {
            let Some(c) = self.code(p) else { break };
            if out.iter().any(|x| x.id == c.id) || c.id == id {
                break;
            }
            out.push(c);
            at = c.parent.as_deref();
        }
        out
    }

    /// How deep a code is in the tree (0 = top level).
    pub fn depth(&self, id: &str) -> usize {
        self.ancestors(id).len()
    }

    /// The top-level code above `id` (itself if it is one); what `--fold-subcodes` counts as.
    pub fn top<'a>(&'a self, id: &'a str) -> &'a str {
        self.ancestors(id).last().map_or(id, |c| c.id.as_str())
    }

    /// "Signalen herkennen › Ander gedrag": the names from the top-level code down.
    pub fn path_of(&self, id: &str) -> String {
        let mut names: Vec<&str> = self
            .ancestors(id)
            .iter()
            .rev()
            .map(|c| c.name.as_str())
            .collect();
        if let Some(c) = self.code(id) {
            names.push(&c.name);
        }
        names.join(" › ")
    }

    /// Find a code by id or by name (case-insensitive), as users type either on the command line.
    pub fn resolve(&self, id_or_name: &str) -> Option<&Code> {
        self.code(id_or_name).or_else(|| {
            let lower = id_or_name.to_lowercase();
            self.codes.iter().find(|c| c.name.to_lowercase() == lower)
        })
    }

    /// Like [`Codebook::resolve`], also ignoring accents; an error names near matches, or
    /// says that the code was merged or deleted.
    pub fn find(&self, id_or_name: &str) -> Result<&Code, CodebookError> {
        let fold = super::text::fold_key;
        let v = fold(id_or_name);
        if let Some(c) = self.resolve(id_or_name).or_else(|| {
            self.codes
                .iter()
                .find(|c| fold(&c.id) == v || fold(&c.name) == v)
        }) {
            return Ok(c);
        }
        // The start of one code's name is enough ("Handelen dat niet"), as long as it is
        // the only code that starts so.
        let mut starting = self
            .codes
            .iter()
            .filter(|c| !v.is_empty() && fold(&c.name).starts_with(&v));
        if let (Some(c), None) = (starting.next(), starting.next()) {
            return Ok(c);
        }
        if let Some(r) = self
            .retired
            .iter()
            .find(|r| fold(&r.code.id) == v || fold(&r.code.name) == v)
        {
            let why = match self.canonical(&r.code.id) {
                Some(into) => format!("it was merged into \"{}\" ({})", into.name, into.id),
                None => "it was deleted".to_string(),
            };
            return Err(CodebookError::Retired {
                id: r.code.id.clone(),
                why,
            });
        }
        Err(CodebookError::UnknownCode(self.unknown_code(id_or_name)))
    }

    /// The one message for a code the codebook does not have, whichever command was given it:
    /// the codes it may have meant, or, with none near, the codes there are.
    pub fn unknown_code(&self, typed: &str) -> String {
        /// Enough to find a typo's code by eye; a longer codebook is better read in a list.
        const LISTED: usize = 30;
        let near = self.near(typed);
        if !near.is_empty() {
            return format!(
                "unknown code \"{typed}\" (did you mean: {}?)",
                near.join(", ")
            );
        }
        if self.codes.is_empty() {
            return format!("unknown code \"{typed}\": the codebook has no codes yet");
        }
        let mut known: Vec<&str> = self.codes.iter().map(|c| c.id.as_str()).collect();
        let more = known.len().saturating_sub(LISTED);
        known.truncate(LISTED);
        let more = if more > 0 {
            format!(", and {more} more: `codewerk code list`")
        } else {
            String::new()
        };
        format!(
            "unknown code \"{typed}\" (known: {}{more})",
            known.join(", ")
        )
    }

    /// Up to five code names close to what was typed: containing it, or a few edits away.
    pub fn near(&self, typed: &str) -> Vec<String> {
        let fold = super::text::fold_key;
        let t = fold(typed);
        let mut scored: Vec<(usize, &Code)> = self
            .codes
            .iter()
            .filter_map(|c| {
                let (name, id) = (fold(&c.name), fold(&c.id));
                let d = edit_distance(&t, &name).min(edit_distance(&t, &id));
                let contains = !t.is_empty() && (name.contains(&t) || id.contains(&t));
                let limit = (t.chars().count() / 3).max(2);
                (contains || d <= limit).then_some((if contains { 0 } else { d }, c))
            })
            .collect();
        scored.sort_by_key(|(d, _)| *d);
        scored
            .into_iter()
            .take(5)
            .map(|(_, c)| format!("\"{}\" ({})", c.name, c.id))
            .collect()
    }

    // ----- changes (in memory; `codebook_history::change` saves them, journaled) -----

    fn name_free(&self, name: &str, except: Option<&str>) -> Result<(), CodebookError> {
        let n = name.trim().to_lowercase();
        if n.is_empty() {
            return Err(CodebookError::EmptyName);
        }
        match self
            .codes
            .iter()
            .find(|c| Some(c.id.as_str()) != except && c.name.trim().to_lowercase() == n)
        {
            Some(other) => Err(CodebookError::NameTaken {
                id: other.id.clone(),
                name: other.name.clone(),
            }),
            None => Ok(()),
        }
    }

    fn known_deelvraag(&self, number: u32) -> Result<(), CodebookError> {
        if self.deelvraag(number).is_some() {
            Ok(())
        } else {
            Err(CodebookError::UnknownDeelvraag {
                number,
                known: self
                    .deelvragen
                    .iter()
                    .map(|d| d.number.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        }
    }

    fn id_taken(&self, id: &str) -> bool {
        self.code(id).is_some() || self.retired(id).is_some()
    }

    /// Where a new code of `deelvraag` (under `parent`) goes in the file: after the last code
    /// of its parent's subtree, else after the last code of its deelvraag, else at the end of
    /// the codes of the deelvragen before it. So it shows in its deelvraag's place.
    fn insertion_point(&self, deelvraag: u32, parent: Option<&str>) -> usize {
        if let Some(p) = parent {
            let sub: HashSet<&str> = self.subtree(p).iter().map(|c| c.id.as_str()).collect();
            if let Some(last) = self.codes.iter().rposition(|c| sub.contains(c.id.as_str())) {
                return last + 1;
            }
        }
        if let Some(last) = self.codes.iter().rposition(|c| c.deelvraag == deelvraag) {
            return last + 1;
        }
        let order: Vec<u32> = self.deelvragen.iter().map(|d| d.number).collect();
        let rank = |n: u32| order.iter().position(|&x| x == n).unwrap_or(usize::MAX);
        self.codes
            .iter()
            .rposition(|c| rank(c.deelvraag) < rank(deelvraag))
            .map_or(0, |i| i + 1)
    }

    /// Add a code; returns its id (from the name, made unique).
    pub fn add(&mut self, new: NewCode) -> Result<String, CodebookError> {
        let name = new.name.trim().to_string();
        self.name_free(&name, None)?;
        let parent = match &new.parent {
            Some(p) => {
                let parent = self.find(p)?;
                if parent.deelvraag != new.deelvraag && new.deelvraag != 0 {
                    return Err(CodebookError::BadParent {
                        code: name,
                        parent: parent.id.clone(),
                        why: format!(
                            "it is under deelvraag {}, not {}: a sub-code belongs to its \
                             parent's deelvraag",
                            parent.deelvraag, new.deelvraag
                        ),
                    });
                }
                Some(parent.clone())
            }
            None => None,
        };
        // A sub-code's deelvraag may be left out (0): its parent's.
        let deelvraag = parent.as_ref().map_or(new.deelvraag, |p| p.deelvraag);
        self.known_deelvraag(deelvraag)?;
        let id = match new.id {
            Some(id) => {
                validate_id(&id)?;
                if self.id_taken(&id) {
                    return Err(CodebookError::IdTaken(id));
                }
                id
            }
            None => {
                let base = match slug(&name) {
                    s if s.is_empty() => "code".to_string(),
                    s => s,
                };
                let mut id = base.clone();
                let mut n = 2;
                while self.id_taken(&id) {
                    id = format!("{base}-{n}");
                    n += 1;
                }
                id
            }
        };
        let colour = new.colour.unwrap_or_else(|| {
            super::palette::propose(&self.codes.iter().map(|c| c.colour).collect::<Vec<_>>())
        });
        let code = Code {
            id: id.clone(),
            name,
            deelvraag,
            category: new
                .category
                .filter(|c| !c.trim().is_empty())
                .or_else(|| parent.as_ref().and_then(|p| p.category.clone())),
            colour_name: new.colour_name.unwrap_or_else(|| colour.to_string()),
            colour,
            description: new.description.trim().to_string(),
            inductive: new.inductive,
            guid: None,
            parent: parent.map(|p| p.id),
        };
        let at = self.insertion_point(deelvraag, code.parent.as_deref());
        self.codes.insert(at, code);
        if !new.criteria.is_empty() {
            self.criteria.insert(id.clone(), new.criteria);
        }
        Ok(id)
    }

    /// Change the live code `id` (an id or name, as [`Codebook::find`] takes) in place.
    fn change_live<R>(
        &mut self,
        id: &str,
        f: impl FnOnce(&mut Code) -> R,
    ) -> Result<R, CodebookError> {
        let id = self.find(id)?.id.clone();
        self.index_of(&id)
            .and_then(|i| self.codes.update_at(i, f))
            .ok_or_else(|| CodebookError::UnknownCode(self.unknown_code(&id)))
    }

    /// Give a code a new name (its id, and so every coding of it, stays).
    pub fn rename(&mut self, id: &str, name: &str) -> Result<(), CodebookError> {
        let code_id = self.find(id)?.id.clone();
        self.name_free(name, Some(&code_id))?;
        self.change_live(&code_id, |c| c.name = name.trim().to_string())
    }

    /// A new colour (`#RRGGBB`), and optionally its name as the researchers call it.
    pub fn recolour(
        &mut self,
        id: &str,
        colour: &str,
        colour_name: Option<&str>,
    ) -> Result<(), CodebookError> {
        let rgb = Rgb::parse(colour.trim())
            .ok_or_else(|| CodebookError::BadColour(colour.to_string()))?;
        self.change_live(id, |code| {
            code.colour = rgb;
            code.colour_name = colour_name.map_or_else(|| rgb.to_string(), str::to_string);
        })
    }

    /// Change a code's definition.
    pub fn describe(&mut self, id: &str, d: &Describe) -> Result<(), CodebookError> {
        let id = self.change_live(id, |code| {
            if let Some(text) = &d.description {
                code.description = text.trim().to_string();
            }
            code.id.clone()
        })?;
        let mut crit = self.criteria_of(&id);
        for (part, new) in [
            (&mut crit.inclusion, &d.inclusion),
            (&mut crit.exclusion, &d.exclusion),
            (&mut crit.example, &d.example),
        ] {
            if let Some(text) = new {
                *part = text.trim().to_string();
            }
        }
        if crit.is_empty() {
            self.criteria.remove(&id);
        } else {
            self.criteria.insert(id, crit);
        }
        Ok(())
    }

    /// Change a code's parent, category, deelvraag or place. Its sub-codes go with it (to its
    /// new deelvraag too).
    pub fn move_code(&mut self, id: &str, to: &MoveTo) -> Result<(), CodebookError> {
        let code = self.find(id)?.clone();
        let mut deelvraag = code.deelvraag;
        let mut parent = code.parent.clone();
        if let Some(p) = &to.parent {
            parent = match p {
                None => None,
                Some(p) => {
                    let target = self.find(p)?;
                    if self.subtree(&code.id).iter().any(|c| c.id == target.id) {
                        return Err(CodebookError::BadParent {
                            code: code.id.clone(),
                            parent: target.id.clone(),
                            why: "that is the code itself or one of its sub-codes (a cycle)".into(),
                        });
                    }
                    deelvraag = target.deelvraag;
                    Some(target.id.clone())
                }
            };
        }
        if let Some(d) = to.deelvraag {
            self.known_deelvraag(d)?;
            if let Some(p) = parent.as_deref().and_then(|p| self.code(p))
                && p.deelvraag != d
            {
                return Err(CodebookError::BadParent {
                    code: code.id.clone(),
                    parent: p.id.clone(),
                    why: format!(
                        "the parent is under deelvraag {}, not {d}: move the parent, or give \
                         --parent none or a parent under deelvraag {d}",
                        p.deelvraag
                    ),
                });
            }
            deelvraag = d;
        }
        let subtree: HashSet<String> = self
            .subtree(&code.id)
            .iter()
            .map(|c| c.id.clone())
            .collect();
        self.codes.update(|codes| {
            for c in codes {
                if subtree.contains(&c.id) {
                    c.deelvraag = deelvraag;
                }
            }
        });
        self.change_live(&code.id, |c| {
            c.parent = parent;
            if let Some(cat) = &to.category {
                c.category = cat.clone().filter(|x| !x.trim().is_empty());
            }
        })?;
        let anchor = match (&to.before, &to.after) {
            (Some(_), Some(_)) => {
                return Err(CodebookError::Usage(
                    "give --before or --after, not both".into(),
                ));
            }
            (Some(b), None) => Some((self.find(b)?.id.clone(), false)),
            (None, Some(a)) => Some((self.find(a)?.id.clone(), true)),
            (None, None) => None,
        };
        let changed_group = code.deelvraag != deelvraag || to.parent.is_some();
        if anchor.is_some() || changed_group {
            let pos = self.index_of(&code.id).unwrap_or(0);
            let Some(moved) = self.codes.remove(pos) else {
                return Ok(());
            };
            let at = match anchor {
                Some((other, _)) if other == code.id => pos,
                Some((other, after)) => {
                    let i = self.index_of(&other).unwrap_or(self.codes.len());
                    if after { i + 1 } else { i }
                }
                None => self.insertion_point(deelvraag, moved.parent.as_deref()),
            };
            self.codes.insert(at, moved);
        }
        Ok(())
    }

    /// Merge `a` into `b`: every coding of `a`, by every coder, counts as `b` from now on; `a`'s
    /// sub-codes become `b`'s. The journals are not touched (see the module doc).
    pub fn merge(&mut self, a: &str, b: &str) -> Result<(), CodebookError> {
        let a = self.find(a)?.clone();
        let b = self.find(b)?.clone();
        if a.id == b.id {
            return Err(CodebookError::MergeIntoItself(a.id));
        }
        if self.subtree(&a.id).iter().any(|c| c.id == b.id) {
            return Err(CodebookError::MergeIntoSubcode {
                code: a.id,
                into: b.id,
            });
        }
        self.codes.update(|codes| {
            for c in codes {
                if c.parent.as_deref() == Some(a.id.as_str()) {
                    c.parent = Some(b.id.clone());
                    c.deelvraag = b.deelvraag;
                }
            }
        });
        // Grandchildren follow their parents to b's deelvraag.
        let sub: HashSet<String> = self.subtree(&b.id).iter().map(|c| c.id.clone()).collect();
        self.codes.update(|codes| {
            for c in codes {
                if sub.contains(&c.id) {
                    c.deelvraag = b.deelvraag;
                }
            }
        });
        self.retire(&a.id, Some(b.id));
        Ok(())
    }

    /// Delete a code that has `codings` codings (over all coders). Refused when it has any,
    /// unless `force`: then they are flagged (the code is retired as deleted, so they still
    /// name a code in the file, and count nowhere). Its sub-codes move up to its parent.
    pub fn delete(&mut self, id: &str, codings: usize, force: bool) -> Result<(), CodebookError> {
        let code = self.find(id)?.clone();
        if codings > 0 && !force {
            return Err(CodebookError::HasCodings {
                code: code.id,
                n: codings,
            });
        }
        self.codes.update(|codes| {
            for c in codes {
                if c.parent.as_deref() == Some(code.id.as_str()) {
                    c.parent = code.parent.clone();
                }
            }
        });
        self.retire(&code.id, None);
        Ok(())
    }

    fn retire(&mut self, id: &str, into: Option<String>) {
        if let Some(code) = self.index_of(id).and_then(|pos| self.codes.remove(pos)) {
            self.retired.push(Retired {
                code,
                deleted: into.is_none(),
                merged_into: into,
            });
        }
    }

    /// Add a code (e.g. an inductive one made during coding) and save the codebook atomically,
    /// journaled in `codebook/history.jsonl` as done by `who`.
    pub fn add_code(&mut self, code: Code, who: &str) -> Result<(), CodebookError> {
        validate_id(&code.id)?;
        if Rgb::parse(&code.colour.to_string()).is_none() {
            return Err(CodebookError::BadColour(code.colour.to_string()));
        }
        let summary = format!("add code \"{}\"", code.name);
        let new = NewCode {
            name: code.name.clone(),
            deelvraag: code.deelvraag,
            id: Some(code.id.clone()),
            parent: code.parent.clone(),
            category: code.category.clone(),
            colour: Some(code.colour),
            colour_name: Some(code.colour_name.clone()),
            description: code.description.clone(),
            criteria: Criteria::default(),
            inductive: code.inductive,
        };
        let path = self.path.clone();
        let updated =
            super::codebook_history::change(&path, who, &summary, |cb| cb.add(new).map(|_| ()))?;
        *self = updated;
        Ok(())
    }

    pub fn to_json(&self) -> serde_json::Result<String> {
        let mut s = serde_json::to_string_pretty(self)?;
        s.push('\n');
        Ok(s)
    }

    pub fn save(&self) -> std::io::Result<()> {
        let json = self.to_json().map_err(std::io::Error::other)?;
        fsutil::write_atomic(&self.path, json.as_bytes())
    }
}

/// Levenshtein distance in characters (names are short).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// A GUID in the form REFI-QDA compares: lower case, braces stripped; None if it is not one.
pub fn normalise_guid(g: &str) -> Option<String> {
    let g = g.trim();
    let inner = g
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(g);
    let groups: Vec<&str> = inner.split('-').collect();
    let ok = groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(part, n)| part.len() == n && part.chars().all(|c| c.is_ascii_hexdigit()));
    ok.then(|| inner.to_ascii_lowercase())
}

/// Make an id from a name: lower case, ASCII letters and digits, words joined by `-`.
pub fn slug(name: &str) -> String {
    let folded = super::text::fold_accents(&name.to_lowercase());
    let mut out = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn validate_id(id: &str) -> Result<(), CodebookError> {
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(CodebookError::BadId(id.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r##"{
  "deelvragen": [{"number": 1, "title": "Een", "question": "Hoe?"}],
  "codes": [
    {"id": "a", "name": "Niet pluis", "deelvraag": 1, "category": "Signaleren",
     "colour_name": "geel 1", "colour": "#FFEE00"}
  ]
}"##;

    #[test]
    fn a_new_code_may_not_take_an_existing_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("codebook.json");
        std::fs::write(&path, GOOD).unwrap();
        let mut cb = Codebook::load(&path).unwrap();
        let mut code = cb.codes[0].clone();
        code.id = "b".into();
        code.name = "niet PLUIS ".into();
        let err = cb.add_code(code, "tester").unwrap_err().to_string();
        assert!(err.contains("has the name \"Niet pluis\" already"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), GOOD);
    }

    #[test]
    fn parses_a_good_codebook() {
        let cb = Codebook::parse(Path::new("c.json"), GOOD).unwrap();
        assert_eq!(cb.codes[0].colour, Rgb(0xFF, 0xEE, 0));
        assert_eq!(cb.resolve("niet PLUIS").unwrap().id, "a");
    }

    #[test]
    fn reports_all_problems_with_lines() {
        let bad = r##"{
  "deelvragen": [{"number": 1, "title": "Een"}],
  "codes": [
    {"id": "a", "name": "A", "deelvraag": 1, "colour_name": "x", "colour": "#FFEE00"},
    {"id": "a", "name": "B", "deelvraag": 2, "colour_name": "x", "colour": "geel"}
  ]
}"##;
        let problems = Codebook::parse(Path::new("c.json"), bad).unwrap_err();
        let msgs: Vec<String> = problems
            .iter()
            .map(std::string::ToString::to_string)
            .collect();
        assert_eq!(problems.len(), 3, "{msgs:?}");
        assert!(problems.iter().all(|p| p.line == Some(5)));
        assert!(msgs[0].contains("duplicate code id"));
        assert!(msgs[1].contains("not declared"));
        assert!(msgs[2].contains("not #RRGGBB"));
    }

    #[test]
    fn malformed_json_names_line() {
        let p = Codebook::parse(Path::new("c.json"), "{\n  \"codes\": [,\n}").unwrap_err();
        assert_eq!(p[0].line, Some(2));
        assert!(p[0].message.contains("malformed"));
    }

    #[test]
    fn readable_foreground_by_contrast() {
        assert_eq!(Rgb(255, 238, 0).readable_foreground(), Rgb(0, 0, 0));
        assert_eq!(Rgb(20, 30, 120).readable_foreground(), Rgb(255, 255, 255));
    }

    #[test]
    fn slug_folds_accents() {
        assert_eq!(slug("Zorgcoördinator één!"), "zorgcoordinator-een");
    }

    const TREE: &str = r##"{
  "deelvragen": [{"number": 1, "title": "Een"}, {"number": 2, "title": "Twee"}],
  "codes": [
    {"id": "a", "name": "A", "deelvraag": 1, "colour_name": "x", "colour": "#FFEE00"},
    {"id": "b", "name": "B", "deelvraag": 2, "colour_name": "x", "colour": "#00EEFF"},
    {"id": "a1", "name": "A1", "deelvraag": 1, "colour_name": "x", "colour": "#FF0000",
     "parent": "a"},
    {"id": "a11", "name": "A11", "deelvraag": 1, "colour_name": "x", "colour": "#00FF00",
     "parent": "a1"}
  ]
}"##;

    fn tree() -> Codebook {
        Codebook::parse(Path::new("c.json"), TREE).unwrap()
    }

    fn ids<'a>(v: impl IntoIterator<Item = (&'a Code, usize)>) -> Vec<(String, usize)> {
        v.into_iter().map(|(c, d)| (c.id.clone(), d)).collect()
    }

    #[test]
    fn tree_order_puts_sub_codes_under_their_parent() {
        let cb = tree();
        assert_eq!(
            ids(cb.tree()),
            [("a", 0), ("a1", 1), ("a11", 2), ("b", 0)].map(|(i, d)| (i.to_string(), d))
        );
        assert_eq!(cb.path_of("a11"), "A › A1 › A11");
        assert_eq!(cb.top("a11"), "a");
        let sub: Vec<&str> = cb.subtree("a1").iter().map(|c| c.id.as_str()).collect();
        assert_eq!(sub, ["a1", "a11"]);
    }

    fn problems_of(text: &str) -> Vec<String> {
        Codebook::parse(Path::new("c.json"), text)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_bad_tree_is_reported_at_the_code_line() {
        // A cycle a1 → a11 → a1.
        let cyc = TREE.replace(r#""parent": "a"}"#, r#""parent": "a11"}"#);
        let p = problems_of(&cyc);
        assert!(
            p.iter()
                .any(|m| m.contains("c.json:6:") && m.contains("own ancestor")),
            "{p:?}"
        );
        // A missing parent.
        let p = problems_of(&TREE.replace(r#""parent": "a1""#, r#""parent": "zz""#));
        assert!(
            p.iter()
                .any(|m| m.contains("c.json:8:") && m.contains("\"zz\" is not a code")),
            "{p:?}"
        );
        // A parent under another deelvraag.
        let p = problems_of(&TREE.replace(r#""parent": "a"}"#, r#""parent": "b"}"#));
        assert!(
            p.iter()
                .any(|m| m.contains("c.json:6:") && m.contains("its parent's deelvraag")),
            "{p:?}"
        );
    }

    #[test]
    fn a_retired_code_needs_a_live_target() {
        let with = |retired: &str| {
            TREE.replace(
                "\n  ]\n}",
                &format!("\n  ],\n  \"retired\": [{retired}]\n}}"),
            )
        };
        let ok = with(
            r##"{"id": "old", "name": "Old", "deelvraag": 1, "colour_name": "x", "colour": "#000000", "merged_into": "a1"}"##,
        );
        let cb = Codebook::parse(Path::new("c.json"), &ok).unwrap();
        assert_eq!(cb.canonical("old").unwrap().id, "a1");
        assert!(cb.code("old").is_none(), "a retired code is not a live one");
        let p = problems_of(&with(
            r##"{"id": "old", "name": "Old", "deelvraag": 1, "colour_name": "x", "colour": "#000000", "merged_into": "nope"}"##,
        ));
        assert!(p.iter().any(|m| m.contains("not a code in use")), "{p:?}");
        let p = problems_of(&with(
            r##"{"id": "old", "name": "Old", "deelvraag": 1, "colour_name": "x", "colour": "#000000"}"##,
        ));
        assert!(
            p.iter().any(|m| m.contains("needs \"merged_into\"")),
            "{p:?}"
        );
    }

    #[test]
    fn old_codebooks_load_and_save_without_new_fields() {
        let cb = Codebook::parse(Path::new("c.json"), GOOD).unwrap();
        let json = cb.to_json().unwrap();
        for field in [
            "retired",
            "inclusion",
            "exclusion",
            "example",
            "parent",
            "merged_into",
        ] {
            assert!(!json.contains(field), "{field} in {json}");
        }
        assert_eq!(Codebook::parse(Path::new("c.json"), &json).unwrap(), cb);
    }

    #[test]
    fn criteria_round_trip_as_fields_of_the_code() {
        let mut cb = tree();
        cb.describe(
            "a1",
            &Describe {
                description: Some("Wat".into()),
                inclusion: Some("ja".into()),
                example: Some("\"één\"".into()),
                ..Describe::default()
            },
        )
        .unwrap();
        let json = cb.to_json().unwrap();
        let back = Codebook::parse(Path::new("c.json"), &json).unwrap();
        assert_eq!(back.criteria_of("a1").inclusion, "ja");
        assert_eq!(back.criteria_of("a1").example, "\"één\"");
        assert_eq!(back.code("a1").unwrap().description, "Wat");
        assert_eq!(back, cb);
    }

    #[test]
    fn merge_maps_the_code_and_moves_its_sub_codes() {
        let mut cb = tree();
        assert!(matches!(
            cb.merge("a", "a"),
            Err(CodebookError::MergeIntoItself(_))
        ));
        assert!(matches!(
            cb.merge("a", "a11"),
            Err(CodebookError::MergeIntoSubcode { .. })
        ));
        cb.merge("a1", "b").unwrap();
        assert_eq!(cb.canonical("a1").unwrap().id, "b");
        let a11 = cb.code("a11").unwrap();
        assert_eq!((a11.parent.as_deref(), a11.deelvraag), (Some("b"), 2));
        // A chain: b merged on into a.
        cb.merge("b", "a").unwrap();
        assert_eq!(cb.canonical("a1").unwrap().id, "a");
        Codebook::parse(Path::new("c.json"), &cb.to_json().unwrap()).unwrap();
    }

    #[test]
    fn delete_refuses_a_code_with_codings_unless_forced() {
        let mut cb = tree();
        let e = cb.delete("a1", 3, false).unwrap_err();
        assert!(e.to_string().contains("has 3 coding(s)"), "{e}");
        cb.delete("a1", 3, true).unwrap();
        assert!(cb.canonical("a1").is_none());
        assert!(cb.retired("a1").unwrap().deleted);
        assert_eq!(cb.code("a11").unwrap().parent.as_deref(), Some("a"));
    }

    #[test]
    fn rename_and_recolour_check_their_input() {
        let mut cb = tree();
        assert!(matches!(
            cb.rename("a1", " b "),
            Err(CodebookError::NameTaken { .. })
        ));
        cb.rename("a1", "Nieuw").unwrap();
        assert_eq!(cb.code("a1").unwrap().name, "Nieuw");
        assert!(matches!(
            cb.recolour("a1", "#12345", None),
            Err(CodebookError::BadColour(_))
        ));
        let e = cb.rename("zzz", "x").unwrap_err().to_string();
        assert!(e.contains("unknown code"), "{e}");
        let e = cb.find("nieuuw").unwrap_err().to_string();
        assert!(e.contains("did you mean") && e.contains("a1"), "{e}");
    }

    #[test]
    fn move_keeps_the_tree_valid() {
        let mut cb = tree();
        let e = cb
            .move_code(
                "a",
                &MoveTo {
                    parent: Some(Some("a11".into())),
                    ..MoveTo::default()
                },
            )
            .unwrap_err();
        assert!(e.to_string().contains("cycle"), "{e}");
        // Moving a parent to deelvraag 2 takes its sub-codes along.
        cb.move_code(
            "a",
            &MoveTo {
                deelvraag: Some(2),
                ..MoveTo::default()
            },
        )
        .unwrap();
        assert!(cb.subtree("a").iter().all(|c| c.deelvraag == 2));
        Codebook::parse(Path::new("c.json"), &cb.to_json().unwrap()).unwrap();
        // A sub-code cannot leave its parent's deelvraag on its own.
        let e = cb
            .move_code(
                "a1",
                &MoveTo {
                    deelvraag: Some(1),
                    ..MoveTo::default()
                },
            )
            .unwrap_err();
        assert!(e.to_string().contains("parent is under deelvraag 2"), "{e}");
        cb.move_code(
            "b",
            &MoveTo {
                after: Some("a11".into()),
                ..MoveTo::default()
            },
        )
        .unwrap();
        assert_eq!(cb.index_of("b"), cb.index_of("a11").map(|i| i + 1));
    }

    #[test]
    fn a_new_code_lands_in_its_deelvraag_and_under_its_parent() {
        let mut cb = tree();
        let id = cb
            .add(NewCode {
                name: "Één".into(),
                deelvraag: 1,
                ..NewCode::default()
            })
            .unwrap();
        assert_eq!(id, "een");
        // After a11, the last code of deelvraag 1 (in the file too).
        assert_eq!(cb.index_of("een"), Some(4));
        let dv1 = |cb: &Codebook| -> Vec<String> {
            cb.tree_of(1).iter().map(|(c, _)| c.id.clone()).collect()
        };
        assert_eq!(dv1(&cb), ["a", "a1", "a11", "een"]);
        let sub = cb
            .add(NewCode {
                name: "A2".into(),
                parent: Some("A".into()),
                ..NewCode::default()
            })
            .unwrap();
        assert_eq!(cb.code(&sub).unwrap().deelvraag, 1);
        assert_eq!(dv1(&cb), ["a", "a1", "a11", "a2", "een"]);
        assert_eq!(cb.index_of(&sub), Some(4), "after a's subtree in the file");
        let used: Vec<Rgb> = cb
            .codes
            .iter()
            .filter(|c| c.id != sub)
            .map(|c| c.colour)
            .collect();
        assert_eq!(
            cb.code(&sub).unwrap().colour,
            super::super::palette::propose(&used)
        );
        assert!(matches!(
            cb.add(NewCode {
                name: "X".into(),
                deelvraag: 9,
                ..NewCode::default()
            }),
            Err(CodebookError::UnknownDeelvraag { .. })
        ));
    }

    /// Every public change of the codebook keeps the lookups by id (code, index_of,
    /// children) as a scan of the codes finds them; retired ids are found by none.
    #[test]
    fn lookups_by_id_follow_every_change() {
        let check = |cb: &Codebook, step: &str| {
            crate::core::codes::tests::assert_as_scanned(&cb.codes);
            for c in cb.codes.iter() {
                assert_eq!(cb.code(&c.id).map(|x| &x.id), Some(&c.id), "{step}");
                let kids: Vec<&str> = cb.children(&c.id).map(|k| k.id.as_str()).collect();
                let scanned: Vec<&str> = cb
                    .codes
                    .iter()
                    .filter(|k| k.parent.as_deref() == Some(c.id.as_str()))
                    .map(|k| k.id.as_str())
                    .collect();
                assert_eq!(kids, scanned, "{step}: children of {}", c.id);
            }
            for r in &cb.retired {
                assert!(cb.code(&r.code.id).is_none(), "{step}: {}", r.code.id);
                assert!(cb.index_of(&r.code.id).is_none(), "{step}: {}", r.code.id);
            }
        };
        let mut cb = tree();
        check(&cb, "load");
        let c = cb
            .add(NewCode {
                name: "C".into(),
                deelvraag: 1,
                ..NewCode::default()
            })
            .unwrap();
        check(&cb, "add");
        cb.add(NewCode {
            name: "A2".into(),
            parent: Some("a".into()),
            ..NewCode::default()
        })
        .unwrap();
        check(&cb, "add a sub-code");
        assert_eq!(cb.index_of("a2"), Some(4), "inserted in the middle");
        cb.rename("a1", "Een-een").unwrap();
        check(&cb, "rename");
        cb.recolour("a1", "#123456", None).unwrap();
        check(&cb, "recolour");
        cb.describe(
            "a1",
            &Describe {
                description: Some("x".into()),
                ..Describe::default()
            },
        )
        .unwrap();
        check(&cb, "describe");
        let moves = [
            MoveTo {
                parent: Some(Some(c.clone())),
                ..MoveTo::default()
            },
            MoveTo {
                parent: Some(None),
                deelvraag: Some(2),
                ..MoveTo::default()
            },
            MoveTo {
                before: Some("a".into()),
                ..MoveTo::default()
            },
            MoveTo {
                after: Some("b".into()),
                ..MoveTo::default()
            },
        ];
        for to in &moves {
            cb.move_code("a1", to).unwrap();
            check(&cb, &format!("move {to:?}"));
        }
        cb.merge("a1", "a").unwrap();
        check(&cb, "merge");
        assert!(
            cb.children("a").any(|k| k.id == "a11"),
            "a1's sub-code is a's"
        );
        cb.delete(&c, 0, false).unwrap();
        check(&cb, "delete");
        let dir = tempfile::tempdir().unwrap();
        cb.path = dir.path().join("codebook.json");
        cb.save().unwrap();
        let mut d = cb.codes[0].clone();
        d.id = "d".into();
        d.name = "D".into();
        d.parent = Some(cb.codes[0].id.clone());
        cb.add_code(d, "tester").unwrap();
        check(&cb, "add_code");
        let first = cb.codes[0].id.clone();
        cb.codes.update_at(0, |x| x.id = "renamed".into());
        check(&cb, "id changed in place");
        assert!(cb.code(&first).is_none() && cb.code("renamed").is_some());
    }
}
