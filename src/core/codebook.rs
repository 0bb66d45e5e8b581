//! The codebook: research sub-questions (deelvragen) and the colour-coded codes under them.
//!
//! Stored as `codebook/codebook.json`. Each code has a stable id (what codings refer to), a name,
//! its deelvraag, an optional category, the colour as the researchers name it and as `#RRGGBB`.

use super::fsutil;
use super::problem::{LineCols, Problem, line_col};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::{HashMap, HashSet};
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
    /// The id of the code this one is a sub-code of (from an exchange; sub-code roll-ups are
    /// not done yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
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
    inductive: bool,
    #[serde(default)]
    guid: Option<String>,
    #[serde(default)]
    parent: Option<String>,
}

#[derive(Deserialize)]
struct CodebookFile<'a> {
    #[serde(borrow)]
    deelvragen: Vec<&'a RawValue>,
    #[serde(borrow)]
    codes: Vec<&'a RawValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Codebook {
    pub deelvragen: Vec<Deelvraag>,
    pub codes: Vec<Code>,
    #[serde(skip)]
    pub path: PathBuf,
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
        let mut seen = HashSet::new();
        // Lower-cased name -> id of the first code with it.
        let mut names: HashMap<String, String> = HashMap::new();
        for raw in &file.codes {
            let (l, c) = at(raw);
            let here = |msg: String| Problem::error(path, msg).at(l, Some(c));
            let code: CodeFile = match serde_json::from_str(raw.get()) {
                Ok(code) => code,
                Err(e) => {
                    problems.push(here(format!("invalid code: {e}")));
                    continue;
                }
            };
            if let Err(msg) = validate_id(&code.id) {
                problems.push(here(msg));
            }
            if !seen.insert(code.id.clone()) {
                problems.push(here(format!("duplicate code id \"{}\"", code.id)));
            }
            // Codes are also found by name (`import quotes`, the command line): one name, one code.
            let name = code.name.trim().to_lowercase();
            match names.get(&name) {
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
            if !deelvragen.iter().any(|d| d.number == code.deelvraag) {
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
            codes.push(Code {
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
            });
        }
        problems.extend(check_guids_and_parents(path, &codes));
        if problems.is_empty() {
            Ok(Codebook {
                deelvragen,
                codes,
                path: path.to_path_buf(),
            })
        } else {
            Err(problems)
        }
    }

    pub fn code(&self, id: &str) -> Option<&Code> {
        self.codes.iter().find(|c| c.id == id)
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.codes.iter().position(|c| c.id == id)
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

    /// Find a code by id or by name (case-insensitive), as users type either on the command line.
    pub fn resolve(&self, id_or_name: &str) -> Option<&Code> {
        self.code(id_or_name).or_else(|| {
            let lower = id_or_name.to_lowercase();
            self.codes.iter().find(|c| c.name.to_lowercase() == lower)
        })
    }

    /// Add a code (e.g. an inductive one made during coding) and save the codebook atomically.
    pub fn add_code(&mut self, code: Code) -> Result<(), String> {
        validate_id(&code.id)?;
        // Read-modify-write under a lock, from the file as it is now: another coder may have
        // added a code since this codebook was loaded, and that code must not be lost.
        let lock_path = self.path.with_file_name(".codebook.lock");
        // Not through a symbolic link: that could create or lock a file anywhere.
        let lock = fsutil::no_follow(
            std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true),
        )
        .open(&lock_path)
        .map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
        lock.lock()
            .map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
        if self.path.exists() {
            match Codebook::load(&self.path) {
                Ok(on_disk) => {
                    self.deelvragen = on_disk.deelvragen;
                    self.codes = on_disk.codes;
                }
                Err(problems) => {
                    let first = problems
                        .first()
                        .map(std::string::ToString::to_string)
                        .unwrap_or_default();
                    return Err(format!(
                        "the codebook on disk is not valid, not changing it: {first}"
                    ));
                }
            }
        }
        if self.code(&code.id).is_some() {
            return Err(format!("a code with id \"{}\" exists already", code.id));
        }
        let name = code.name.trim().to_lowercase();
        if let Some(other) = self
            .codes
            .iter()
            .find(|c| c.name.trim().to_lowercase() == name)
        {
            return Err(format!(
                "code \"{}\" has the name \"{}\" already",
                other.id, other.name
            ));
        }
        if self.deelvraag(code.deelvraag).is_none() {
            return Err(format!("deelvraag {} does not exist", code.deelvraag));
        }
        self.codes.push(code);
        if let Err(e) = self.save() {
            self.codes.pop();
            return Err(format!("cannot save {}: {e}", self.path.display()));
        }
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

/// GUIDs must be REFI-QDA GUIDs and unique; a parent must be a code, and no code its own
/// ancestor (a cycle would make the code tree endless).
fn check_guids_and_parents(path: &Path, codes: &[Code]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut guids: HashSet<String> = HashSet::new();
    // By id, so that following parents is not a scan of all codes per step.
    let mut by_id: HashMap<&str, &Code> = HashMap::new();
    for c in codes {
        by_id.entry(c.id.as_str()).or_insert(c);
    }
    for c in codes {
        if let Some(g) = &c.guid {
            match normalise_guid(g) {
                None => problems.push(Problem::error(
                    path,
                    format!(
                        "code \"{}\": guid \"{g}\" is not a GUID (8-4-4-4-12 hex digits)",
                        c.id
                    ),
                )),
                Some(n) if guids.contains(&n) => problems.push(Problem::error(
                    path,
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
        if let Some(p) = &c.parent
            && !by_id.contains_key(p.as_str())
        {
            problems.push(Problem::error(
                path,
                format!("code \"{}\": parent \"{p}\" is not a code", c.id),
            ));
        }
    }
    for c in codes {
        let mut at = c.parent.as_deref();
        let mut steps = 0;
        while let Some(p) = at {
            if p == c.id {
                problems.push(Problem::error(
                    path,
                    format!("code \"{}\" is its own ancestor (a cycle of parents)", c.id),
                ));
                break;
            }
            steps += 1;
            if steps > codes.len() {
                break; // a cycle above this code, reported at its own codes
            }
            at = by_id.get(p).and_then(|x| x.parent.as_deref());
        }
    }
    problems
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

fn validate_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "code id \"{id}\" must be non-empty letters, digits, '-', '_' or '.'"
        ))
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
        let err = cb.add_code(code).unwrap_err();
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
}
