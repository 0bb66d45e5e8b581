//! Shaping the codebook from the TUI: a new code (name and deelvraag required, colour
//! proposed), a sub-code of the highlighted code, rename, recolour, describe, move, merge,
//! delete, and undo of the latest codebook change. Each goes through
//! `codebook_history::change` (the codebook lock, journaled with the coder's name, undoable
//! from here and from `codewerk code undo`). A field typed wrong is asked again, keeping what
//! was typed before, instead of dropping the whole dialogue.

use super::*;
use crate::core::codebook::{Codebook, CodebookError, Criteria, Describe, MoveTo, NewCode};
use crate::core::codebook_history as history;
use crate::core::palette;

/// What a codebook dialogue is for (the code it is about is in the input's purpose).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodebookOp {
    Subcode,
    Rename,
    Recolour,
    Describe,
    Move,
    Merge,
    Delete,
}

impl App {
    fn ask(&mut self, purpose: InputPurpose, prompt: impl Into<String>, value: impl Into<String>) {
        self.mode = Mode::Input(Input {
            purpose,
            prompt: prompt.into(),
            value: value.into(),
        });
    }

    /// A colour far from every code's, also those added to the codebook file since the TUI
    /// read it (`codewerk code add` while the TUI is open): proposing a colour just taken on
    /// disk would give two codes one colour.
    fn proposed_colour(&self) -> Rgb {
        let on_disk = Codebook::load(&Project::codebook_path(&self.project.root)).ok();
        let used: Vec<Rgb> = self
            .project
            .codebook
            .codes
            .iter()
            .chain(on_disk.iter().flat_map(|cb| cb.codes.iter()))
            .map(|c| c.colour)
            .collect();
        palette::propose(&used)
    }

    /// The deelvraag a new code goes to unless the coder says otherwise: the highlighted
    /// code's, else the first.
    fn default_deelvraag(&self) -> u32 {
        self.selected_code()
            .map(|c| c.deelvraag)
            .or_else(|| self.project.codebook.deelvragen.first().map(|d| d.number))
            .unwrap_or(1)
    }

    /// Ask for the next field of a new code (name, deelvraag, parent, colour), or create it.
    /// A wrong field is asked again with the message why.
    pub(super) fn new_code_step(&mut self, mut values: Vec<String>) {
        let cb = &self.project.codebook;
        let again = |app: &mut App, values: Vec<String>, why: String| {
            app.say(why, true);
            app.new_code_step(values);
        };
        match values.len() {
            0 => self.ask(InputPurpose::NewCode { values }, "New code: name", ""),
            1 => {
                let name = values[0].trim().to_string();
                if name.is_empty() {
                    return again(self, Vec::new(), "a code needs a name".into());
                }
                if let Ok(c) = cb.find(&name) {
                    let why = format!("code \"{}\" has that name already: another name", c.name);
                    return again(self, Vec::new(), why);
                }
                let dvs: Vec<String> = cb.deelvragen.iter().map(|d| d.number.to_string()).collect();
                let prompt = format!("Deelvraag of \"{name}\" ({})", dvs.join("/"));
                let default = self.default_deelvraag().to_string();
                self.ask(InputPurpose::NewCode { values }, prompt, default);
            }
            2 => {
                let ok = values[1]
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| cb.deelvraag(*n).is_some());
                let Some(n) = ok else {
                    let why = format!("\"{}\" is not a deelvraag number", values[1].trim());
                    values.truncate(1);
                    return again(self, values, why);
                };
                values[1] = n.to_string();
                self.ask(
                    InputPurpose::NewCode { values },
                    "Sub-code of (a code's name; empty: a top-level code)",
                    "",
                );
            }
            3 => {
                let parent = values[2].trim().to_string();
                if !parent.is_empty() {
                    let dv: u32 = values[1].parse().unwrap_or(0);
                    let why = match cb.find(&parent) {
                        Err(e) => Some(e.to_string()),
                        Ok(p) if p.deelvraag != dv => Some(format!(
                            "\"{}\" is under deelvraag {}, not {dv}: a sub-code is under its \
                             parent's deelvraag",
                            p.name, p.deelvraag
                        )),
                        Ok(_) => None,
                    };
                    if let Some(why) = why {
                        values.truncate(2);
                        return again(self, values, why);
                    }
                }
                let proposed = self.proposed_colour().to_string();
                self.ask(
                    InputPurpose::NewCode { values },
                    "Colour #RRGGBB (Enter: the proposed one, distinct from those in use)",
                    proposed,
                );
            }
            _ => {
                let Some(colour) = Rgb::parse(values[3].trim()) else {
                    let why = format!("\"{}\" is not a colour like #FF8800", values[3].trim());
                    values.truncate(3);
                    return again(self, values, why);
                };
                let new = NewCode {
                    name: values[0].trim().to_string(),
                    deelvraag: values[1].parse().unwrap_or(0),
                    parent: Some(values[2].trim().to_string()).filter(|p| !p.is_empty()),
                    colour: Some(colour),
                    inductive: true,
                    ..NewCode::default()
                };
                self.add_code(new, values);
            }
        }
    }

    /// Add a code; on a name taken meanwhile (another coder), ask for the name again.
    fn add_code(&mut self, new: NewCode, values: Vec<String>) {
        let name = new.name.clone();
        let mut id = String::new();
        let result = self.change_codebook(&format!("add code \"{name}\""), |cb| {
            id = cb.add(new)?;
            Ok(())
        });
        match result {
            Ok(()) => {
                self.select_code(&id);
                let c = self.project.codebook.path_of(&id);
                self.say(
                    format!("code \"{c}\" added to the codebook (Z undoes)"),
                    false,
                );
            }
            Err(e @ CodebookError::NameTaken { .. }) => {
                self.say(e.to_string(), true);
                let _ = values;
                self.new_code_step(Vec::new());
            }
            Err(e) => self.say(e.to_string(), true),
        }
    }

    /// Change the codebook (locked, journaled, saved), then read every journal again so that
    /// a merged or deleted code's codings count where they now belong.
    fn change_codebook(
        &mut self,
        what: &str,
        f: impl FnOnce(&mut Codebook) -> Result<(), CodebookError>,
    ) -> Result<(), CodebookError> {
        let path = self.project.codebook.path.clone();
        let cb = history::change(&path, &self.coder, what, f)?;
        self.codebook_changed(cb);
        Ok(())
    }

    fn codebook_changed(&mut self, cb: Codebook) {
        let selected = self.selected_code().map(|c| c.id.clone());
        let project = self.project_mut();
        project.codebook = cb;
        project.reload_coders();
        // The panel's cached order and rows are keyed on the filter and the number of codes:
        // a rename or a move keeps both.
        self.derived.codes_key = None;
        self.derived.rows_key = None;
        // The codings are read again (replayed: their revision starts over).
        self.counts_key = None;
        if let Some(j) = self.journal.as_mut()
            && let Err(e) = self.project.reread_journal(j)
        {
            self.say(format!("cannot read the journal again: {e}"), true);
        }
        self.readonly = super::readonly_state(&self.project, &self.coder, self.journal.is_some());
        self.codes.filter.clear();
        self.codes.filtering = false;
        match selected {
            Some(id) if self.project.codebook.code(&id).is_some() => self.select_code(&id),
            _ => {
                let n = self.visible_codes().len();
                self.codes.selected = self.codes.selected.min(n.saturating_sub(1));
            }
        }
        self.refresh();
    }

    /// Highlight a code in the panel.
    pub(super) fn select_code(&mut self, id: &str) {
        self.codes.filter.clear();
        let visible = self.visible_codes();
        if let Some(pos) = visible
            .iter()
            .position(|&i| self.project.codebook.codes[i].id == id)
        {
            self.codes.selected = pos;
        }
    }

    /// Start a dialogue about the highlighted code.
    pub(super) fn codebook_dialogue(&mut self, op: CodebookOp) {
        let Some(code) = self.selected_code().cloned() else {
            return self.say("no code highlighted in the codebook", true);
        };
        let purpose = |values: Vec<String>| InputPurpose::Codebook {
            op,
            code: code.id.clone(),
            values,
        };
        match op {
            CodebookOp::Subcode => self.ask(
                purpose(Vec::new()),
                format!("New sub-code of \"{}\": name", code.name),
                "",
            ),
            CodebookOp::Rename => {
                self.ask(purpose(Vec::new()), format!("Rename \"{}\" to", code.name), code.name.clone());
            }
            CodebookOp::Recolour => self.ask(
                purpose(Vec::new()),
                format!(
                    "Colour of \"{}\" as #RRGGBB (proposed: {})",
                    code.name,
                    self.proposed_colour()
                ),
                code.colour.to_string(),
            ),
            CodebookOp::Describe => self.ask(
                purpose(Vec::new()),
                format!("Definition of \"{}\" (1/4): description", code.name),
                code.description.clone(),
            ),
            CodebookOp::Move => {
                let parent = code
                    .parent
                    .as_deref()
                    .and_then(|p| self.project.codebook.code(p))
                    .map_or_else(|| "none".to_string(), |p| p.name.clone());
                self.ask(
                    purpose(Vec::new()),
                    format!(
                        "Move \"{}\": under CODE (none: top level), deelvraag N, category NAME \
                         (none), before CODE or after CODE",
                        code.name
                    ),
                    parent,
                );
            }
            CodebookOp::Merge => self.ask(
                purpose(Vec::new()),
                format!(
                    "Merge \"{}\" into (a code's name): its codings, every coder's, count as that code",
                    code.name
                ),
                "",
            ),
            CodebookOp::Delete => {
                let n = self.codings_of(&code.id);
                let prompt = if n == 0 {
                    format!("Delete \"{}\"? Type yes", code.name)
                } else {
                    format!(
                        "\"{}\" has {n} coding(s): a code's name to merge them into, or \
                         \"delete\" to flag them (counted nowhere)",
                        code.name
                    )
                };
                self.ask(purpose(Vec::new()), prompt, "");
            }
        }
    }

    /// Codings of a code over every coder (the coder at work as the screen has them).
    fn codings_of(&self, id: &str) -> usize {
        let others: usize = self
            .project
            .coders
            .iter()
            .filter(|(c, _)| **c != self.coder)
            .map(|(_, s)| s.codings.values().filter(|c| c.code == id).count())
            .sum();
        others
            + self
                .state()
                .codings
                .values()
                .filter(|c| c.code == id)
                .count()
    }

    /// A field of a codebook dialogue was entered.
    pub(super) fn codebook_input(
        &mut self,
        op: CodebookOp,
        code: String,
        mut values: Vec<String>,
        value: String,
        asked: String,
    ) {
        let Some(current) = self.project.codebook.code(&code).cloned() else {
            return self.say(
                format!("code \"{code}\" is no longer in the codebook"),
                true,
            );
        };
        let again =
            |app: &mut App, values: Vec<String>, prompt: String, value: String, why: String| {
                app.say(why, true);
                app.ask(
                    InputPurpose::Codebook {
                        op,
                        code: code.clone(),
                        values,
                    },
                    prompt,
                    value,
                );
            };
        match op {
            CodebookOp::Subcode if values.is_empty() => {
                if value.trim().is_empty() {
                    return again(self, values, asked, value, "a code needs a name".into());
                }
                values.push(value);
                let proposed = self.proposed_colour().to_string();
                self.ask(
                    InputPurpose::Codebook { op, code, values },
                    "Colour #RRGGBB (Enter: the proposed one, distinct from those in use)",
                    proposed,
                );
            }
            CodebookOp::Subcode => {
                let Some(colour) = Rgb::parse(value.trim()) else {
                    let why = format!("\"{}\" is not a colour like #FF8800", value.trim());
                    return again(self, values, asked, value, why);
                };
                let new = NewCode {
                    name: values[0].trim().to_string(),
                    deelvraag: current.deelvraag,
                    parent: Some(current.id.clone()),
                    colour: Some(colour),
                    inductive: true,
                    ..NewCode::default()
                };
                let name = new.name.clone();
                let mut id = String::new();
                match self.change_codebook(&format!("add code \"{name}\""), |cb| {
                    id = cb.add(new)?;
                    Ok(())
                }) {
                    Ok(()) => {
                        self.select_code(&id);
                        let p = self.project.codebook.path_of(&id);
                        self.say(format!("sub-code \"{p}\" added (Z undoes)"), false);
                    }
                    Err(e) => {
                        let prompt = format!("New sub-code of \"{}\": name", current.name);
                        again(self, Vec::new(), prompt, name, e.to_string());
                    }
                }
            }
            CodebookOp::Rename => {
                let what = format!("rename \"{}\" to \"{}\"", current.name, value.trim());
                match self.change_codebook(&what, |cb| cb.rename(&code, &value)) {
                    Ok(()) => {
                        self.say(format!("renamed to \"{}\" (Z undoes)", value.trim()), false);
                    }
                    Err(e) => again(self, values, asked, value, e.to_string()),
                }
            }
            CodebookOp::Recolour => {
                let what = format!("recolour \"{}\" {}", current.name, value.trim());
                match self.change_codebook(&what, |cb| cb.recolour(&code, &value, None)) {
                    Ok(()) => {
                        self.say(format!("\"{}\" recoloured (Z undoes)", current.name), false);
                    }
                    Err(e) => again(self, values, asked, value, e.to_string()),
                }
            }
            CodebookOp::Describe if values.len() < 3 => {
                values.push(value);
                let crit = self.project.codebook.criteria_of(&code);
                let (label, now) = match values.len() {
                    1 => ("inclusion (what belongs under it)", crit.inclusion),
                    2 => ("exclusion (what does not)", crit.exclusion),
                    _ => ("an example", crit.example),
                };
                let prompt = format!(
                    "Definition of \"{}\" ({}/4): {label}",
                    current.name,
                    values.len() + 1
                );
                self.ask(InputPurpose::Codebook { op, code, values }, prompt, now);
            }
            CodebookOp::Describe => {
                values.push(value);
                let d = Describe {
                    description: Some(values[0].clone()),
                    inclusion: Some(values[1].clone()),
                    exclusion: Some(values[2].clone()),
                    example: Some(values[3].clone()),
                };
                let what = format!("describe \"{}\"", current.name);
                match self.change_codebook(&what, |cb| cb.describe(&code, &d)) {
                    Ok(()) => self.say(
                        format!("definition of \"{}\" saved (Z undoes)", current.name),
                        false,
                    ),
                    Err(e) => self.say(e.to_string(), true),
                }
            }
            CodebookOp::Move => {
                let to = match move_target(value.trim()) {
                    Ok(to) => to,
                    Err(e) => return again(self, values, asked, value, e),
                };
                let what = format!("move \"{}\"", current.name);
                match self.change_codebook(&what, |cb| cb.move_code(&code, &to)) {
                    Ok(()) => {
                        let p = self.project.codebook.path_of(&code);
                        self.say(format!("moved: {p} (Z undoes)"), false);
                    }
                    Err(e) => again(self, values, asked, value, e.to_string()),
                }
            }
            CodebookOp::Merge => {
                let into = value.trim().to_string();
                let what = format!("merge \"{}\" into \"{into}\"", current.name);
                let n = self.codings_of(&code);
                match self.change_codebook(&what, |cb| cb.merge(&code, &into)) {
                    Ok(()) => {
                        let target = self
                            .project
                            .codebook
                            .canonical(&code)
                            .map(|c| c.id.clone())
                            .unwrap_or_default();
                        self.select_code(&target);
                        let name = self.code_name(&target);
                        self.say(
                            format!(
                                "merged \"{}\" into \"{name}\": {n} coding(s) count as \"{name}\" \
                                 (Z undoes)",
                                current.name
                            ),
                            false,
                        );
                    }
                    Err(e) => again(self, values, asked, value, e.to_string()),
                }
            }
            CodebookOp::Delete => {
                let v = value.trim().to_string();
                let n = self.codings_of(&code);
                let result = if (n == 0 && v.eq_ignore_ascii_case("yes"))
                    || (n > 0 && v.eq_ignore_ascii_case("delete"))
                {
                    self.change_codebook(&format!("delete \"{}\"", current.name), |cb| {
                        cb.delete(&code, n, true)
                    })
                } else if n > 0 && !v.is_empty() {
                    self.change_codebook(
                        &format!("merge \"{}\" into \"{v}\"", current.name),
                        |cb| cb.merge(&code, &v),
                    )
                } else {
                    return self.say("nothing deleted", false);
                };
                match result {
                    Ok(()) => self.say(format!("\"{}\" deleted (Z undoes)", current.name), false),
                    Err(e) => again(self, values, asked, value, e.to_string()),
                }
            }
        }
    }

    /// Take back the latest codebook change (by anyone: the history is the project's).
    pub(super) fn undo_codebook(&mut self) {
        let path = self.project.codebook.path.clone();
        let result = history::undo(&path, &self.coder, &|id| self.codings_of(id));
        match result {
            Ok((cb, what)) => {
                self.codebook_changed(cb);
                self.say(format!("codebook: undone {what}"), false);
            }
            Err(e) => self.say(e.to_string(), true),
        }
    }

    /// The definition of a code as lines for the panel: description, then the criteria.
    pub fn definition_of(&self, id: &str) -> Vec<(&'static str, String)> {
        let cb = &self.project.codebook;
        let Some(code) = cb.code(id) else {
            return Vec::new();
        };
        let Criteria {
            inclusion,
            exclusion,
            example,
        } = cb.criteria_of(id);
        [
            ("", code.description.clone()),
            ("incl.", inclusion),
            ("excl.", exclusion),
            ("e.g.", example),
        ]
        .into_iter()
        .filter(|(_, t)| !t.trim().is_empty())
        .collect()
    }
}

/// What the move dialogue's answer asks for, as `codewerk code move` takes it: a parent code (or
/// `none`), `deelvraag N`, `category NAME` (`none` clears it), `before CODE`, `after CODE`.
fn move_target(v: &str) -> Result<MoveTo, String> {
    let (word, rest) = v.split_once(' ').unwrap_or((v, ""));
    let rest = rest.trim();
    let named = |what: &str| -> Result<String, String> {
        if rest.is_empty() {
            Err(format!("{what} needs a code's name after it"))
        } else {
            Ok(rest.to_string())
        }
    };
    Ok(match word.to_lowercase().as_str() {
        "deelvraag" | "dv" => MoveTo {
            deelvraag: Some(
                rest.parse()
                    .map_err(|_| format!("\"{rest}\" is not a deelvraag number"))?,
            ),
            ..MoveTo::default()
        },
        "category" => MoveTo {
            category: Some(
                (!rest.is_empty() && !rest.eq_ignore_ascii_case("none")).then(|| rest.to_string()),
            ),
            ..MoveTo::default()
        },
        "before" => MoveTo {
            before: Some(named("before")?),
            ..MoveTo::default()
        },
        "after" => MoveTo {
            after: Some(named("after")?),
            ..MoveTo::default()
        },
        _ if v.is_empty() || v.eq_ignore_ascii_case("none") => MoveTo {
            parent: Some(None),
            ..MoveTo::default()
        },
        _ => MoveTo {
            parent: Some(Some(v.to_string())),
            ..MoveTo::default()
        },
    })
}
