//! `codewerk code …`: shaping the codebook. Each change goes through
//! `core::codebook_history::change` (locked, journaled with who and when, atomic), so that
//! `code undo` can take it back.

use super::{failed, invalid, load, print_json};
use crate::cli::{CodeAddOpt, CodeCommand, CodeMoveOpt};
use anyhow::Result;
use codewerk::core::codebook::{Codebook, CodebookError, Criteria, Describe, MoveTo, NewCode, Rgb};
use codewerk::core::codebook_history as history;
use codewerk::core::project::Project;
use codewerk::core::text;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;

pub fn run(root: &Path, who: &str, cmd: CodeCommand) -> Result<()> {
    let path = Project::codebook_path(root);
    let result = match cmd {
        CodeCommand::List(o) => return list(root, o.json),
        CodeCommand::History { json } => return show_history(&path, json),
        CodeCommand::Add(o) => add(&path, who, &o),
        CodeCommand::Rename { code, new_name } => {
            let what = format!("rename \"{code}\" to \"{new_name}\"");
            history::change(&path, who, &what, |cb| cb.rename(&code, &new_name)).map(|cb| {
                let c = cb.find(&new_name).map(|c| c.id.clone()).unwrap_or_default();
                format!("renamed: {c} is now \"{new_name}\"")
            })
        }
        CodeCommand::Recolour {
            code,
            colour,
            colour_name,
        } => {
            let what = format!("recolour \"{code}\" {colour}");
            history::change(&path, who, &what, |cb| {
                cb.recolour(&code, &colour, colour_name.as_deref())
            })
            .map(|_| format!("recoloured \"{code}\": {}", colour.to_uppercase()))
        }
        CodeCommand::Describe(o) => {
            let d = Describe {
                description: o.description.clone(),
                inclusion: o.inclusion.clone(),
                exclusion: o.exclusion.clone(),
                example: o.example.clone(),
            };
            let what = format!("describe \"{}\"", o.code);
            history::change(&path, who, &what, |cb| cb.describe(&o.code, &d))
                .map(|_| format!("definition of \"{}\" changed", o.code))
        }
        CodeCommand::Move(o) => move_code(&path, who, &o),
        CodeCommand::Merge { code, into } => merge(root, &path, who, &code, &into),
        CodeCommand::Delete {
            code,
            merge_into: Some(into),
            ..
        } => merge(root, &path, who, &code, &into),
        CodeCommand::Delete {
            code,
            merge_into: None,
            force,
        } => delete(root, &path, who, &code, force),
        CodeCommand::Undo => codings_per_code(root).and_then(|counts| {
            let of = |id: &str| counts.get(id).copied().unwrap_or(0);
            history::undo(&path, who, &of).map(|(_, what)| format!("undone: {what}"))
        }),
    };
    match result {
        Ok(msg) => {
            println!("{msg}");
            Ok(())
        }
        // Held by another codewerk, or the disk: not wrong input, and retrying may help.
        Err(e @ (CodebookError::Locked { .. } | CodebookError::Io { .. })) => {
            Err(failed(e.to_string()))
        }
        Err(e) => Err(invalid(format!("{}", e))),
    }
}

fn add(path: &Path, who: &str, o: &CodeAddOpt) -> Result<String, CodebookError> {
    let colour = match &o.colour {
        Some(c) => Some(Rgb::parse(c.trim()).ok_or_else(|| CodebookError::BadColour(c.clone()))?),
        None => None,
    };
    if o.deelvraag.is_none() && o.parent.is_none() {
        return Err(CodebookError::Usage(
            "a new code needs --deelvraag N (or --parent CODE for a sub-code)".into(),
        ));
    }
    let new = NewCode {
        name: o.name.clone(),
        deelvraag: o.deelvraag.unwrap_or(0),
        id: o.id.clone(),
        parent: o.parent.clone(),
        category: o.category.clone(),
        colour,
        colour_name: o.colour_name.clone(),
        description: o.description.clone(),
        criteria: Criteria {
            inclusion: o.inclusion.clone(),
            exclusion: o.exclusion.clone(),
            example: o.example.clone(),
        },
        inductive: !o.deductive,
    };
    let mut id = String::new();
    let cb = history::change(path, who, &format!("add code \"{}\"", o.name), |cb| {
        id = cb.add(new)?;
        Ok(())
    })?;
    let code = cb
        .code(&id)
        .ok_or_else(|| CodebookError::UnknownCode(cb.unknown_code(&id)))?;
    if o.json {
        return serde_json::to_string_pretty(code)
            .map_err(|e| CodebookError::Encode(e.to_string()));
    }
    let under = code
        .parent
        .as_deref()
        .map(|p| format!(", sub-code of \"{}\"", cb.path_of(p)))
        .unwrap_or_default();
    Ok(format!(
        "added code {} \"{}\" under deelvraag {}{under}, colour {}",
        code.id, code.name, code.deelvraag, code.colour
    ))
}

fn none_or(s: &Option<String>) -> Option<Option<String>> {
    s.as_ref().map(|v| {
        if v.eq_ignore_ascii_case("none") || v.is_empty() {
            None
        } else {
            Some(v.clone())
        }
    })
}

fn move_code(path: &Path, who: &str, o: &CodeMoveOpt) -> Result<String, CodebookError> {
    let to = MoveTo {
        parent: none_or(&o.parent),
        deelvraag: o.deelvraag,
        category: none_or(&o.category),
        before: o.before.clone(),
        after: o.after.clone(),
    };
    if to.parent.is_none()
        && to.deelvraag.is_none()
        && to.category.is_none()
        && to.before.is_none()
        && to.after.is_none()
    {
        return Err(CodebookError::Usage(
            "say where to: --parent, --deelvraag, --category, --before or --after".into(),
        ));
    }
    let cb = history::change(path, who, &format!("move \"{}\"", o.code), |cb| {
        cb.move_code(&o.code, &to)
    })?;
    let code = cb.find(&o.code)?;
    Ok(format!(
        "moved: {} is now {} (deelvraag {})",
        code.id,
        cb.path_of(&code.id),
        code.deelvraag
    ))
}

/// Codings of each code id (after merges are mapped), over every coder, flagged ones included.
fn codings_per_code(root: &Path) -> Result<HashMap<String, usize>, CodebookError> {
    let project = load(root).map_err(|_| {
        CodebookError::Usage(
            "cannot count the codings: the project does not load (see above)".into(),
        )
    })?;
    let mut n: HashMap<String, usize> = HashMap::new();
    for state in project.coders.values() {
        for c in state.codings.values() {
            *n.entry(c.code.clone()).or_default() += 1;
        }
    }
    Ok(n)
}

fn merge(root: &Path, path: &Path, who: &str, a: &str, b: &str) -> Result<String, CodebookError> {
    let counts = codings_per_code(root)?;
    let mut moved = 0;
    let mut names = (String::new(), String::new());
    history::change(path, who, &format!("merge \"{a}\" into \"{b}\""), |cb| {
        let (ca, cbb) = (cb.find(a)?.clone(), cb.find(b)?.clone());
        moved = counts.get(&ca.id).copied().unwrap_or(0);
        names = (ca.name, cbb.name);
        cb.merge(a, b)
    })?;
    Ok(format!(
        "merged \"{}\" into \"{}\": {moved} coding(s) now count as \"{}\" (the journals are \
         unchanged; `codewerk code undo` takes it back)",
        names.0, names.1, names.1
    ))
}

fn delete(
    root: &Path,
    path: &Path,
    who: &str,
    code: &str,
    force: bool,
) -> Result<String, CodebookError> {
    let counts = codings_per_code(root)?;
    let mut n = 0;
    history::change(path, who, &format!("delete \"{code}\""), |cb| {
        let id = cb.find(code)?.id.clone();
        n = counts.get(&id).copied().unwrap_or(0);
        cb.delete(&id, n, force)
    })?;
    Ok(if n > 0 {
        format!(
            "deleted \"{code}\"; its {n} coding(s) are flagged and counted nowhere \
             (`codewerk code undo` brings the code back)"
        )
    } else {
        format!("deleted \"{code}\"")
    })
}

#[derive(Serialize)]
struct Listed<'a> {
    id: &'a str,
    name: &'a str,
    deelvraag: u32,
    depth: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<&'a str>,
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<&'a str>,
    colour: String,
    colour_name: &'a str,
    description: &'a str,
    inclusion: String,
    exclusion: String,
    example: String,
    inductive: bool,
    /// Codings of the code itself, over every coder.
    codings: usize,
    /// Distinct respondents with a passage of the code itself (any coder).
    respondents: usize,
    /// Distinct respondents with a passage of the code or any of its sub-codes (any coder).
    respondents_with_subcodes: usize,
}

#[derive(Serialize)]
struct RetiredOut<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    merged_into: Option<&'a str>,
    deleted: bool,
}

#[derive(Serialize)]
struct Listing<'a> {
    codes: Vec<Listed<'a>>,
    retired: Vec<RetiredOut<'a>>,
}

fn list(root: &Path, json: bool) -> Result<()> {
    let project = load(root)?;
    let cb: &Codebook = &project.codebook;
    let mut codings: HashMap<&str, usize> = HashMap::new();
    let mut who: HashMap<&str, HashSet<&str>> = HashMap::new();
    for state in project.coders.values() {
        for c in state.codings.values().filter(|c| !c.anchor.is_flagged()) {
            *codings.entry(c.code.as_str()).or_default() += 1;
            who.entry(c.code.as_str())
                .or_default()
                .insert(c.transcript.as_str());
        }
    }
    let codes: Vec<Listed> = cb
        .tree()
        .into_iter()
        .map(|(c, depth)| {
            let rolled: HashSet<&str> = cb
                .subtree(&c.id)
                .iter()
                .flat_map(|s| who.get(s.id.as_str()).into_iter().flatten().copied())
                .collect();
            let crit = cb.criteria_of(&c.id);
            Listed {
                id: &c.id,
                name: &c.name,
                deelvraag: c.deelvraag,
                depth,
                parent: c.parent.as_deref(),
                path: cb.path_of(&c.id),
                category: c.category.as_deref(),
                colour: c.colour.to_string(),
                colour_name: &c.colour_name,
                description: &c.description,
                inclusion: crit.inclusion,
                exclusion: crit.exclusion,
                example: crit.example,
                inductive: c.inductive,
                codings: codings.get(c.id.as_str()).copied().unwrap_or(0),
                respondents: who.get(c.id.as_str()).map_or(0, HashSet::len),
                respondents_with_subcodes: rolled.len(),
            }
        })
        .collect();
    let retired = cb
        .retired
        .iter()
        .map(|r| RetiredOut {
            id: &r.code.id,
            name: &r.code.name,
            merged_into: r.merged_into.as_deref(),
            deleted: r.deleted,
        })
        .collect();
    let listing = Listing { codes, retired };
    if json {
        return print_json(&listing);
    }
    let total = project.respondents.len();
    let width = listing
        .codes
        .iter()
        .map(|c| text::width(c.name) + 2 * c.depth)
        .max()
        .unwrap_or(4)
        .min(50);
    println!(
        "{:<width$}  {:<7}  {:>8}  {:>11}  {:>14}  id",
        "code", "colour", "codings", "respondents", "incl. sub-codes"
    );
    let mut dv = None;
    for c in &listing.codes {
        if dv != Some(c.deelvraag) {
            dv = Some(c.deelvraag);
            println!("{}. {}", c.deelvraag, cb.deelvraag_title(c.deelvraag));
        }
        // Cut with …, by display width: a name cut silently reads as a whole word.
        let name = text::pad(
            &text::fit(&format!("{}{}", "  ".repeat(c.depth), c.name), width),
            width,
        );
        let has_sub = cb.children(c.id).next().is_some();
        let rolled = if has_sub {
            format!("{}/{total}", c.respondents_with_subcodes)
        } else {
            String::new()
        };
        println!(
            "{name}  {:<7}  {:>8}  {:>11}  {:>14}  {}",
            c.colour,
            c.codings,
            format!("{}/{total}", c.respondents),
            rolled,
            c.id
        );
    }
    for r in &listing.retired {
        match r.merged_into {
            Some(into) => println!("(merged) {} \"{}\" → {into}", r.id, r.name),
            None => println!("(deleted) {} \"{}\"", r.id, r.name),
        }
    }
    Ok(())
}

fn show_history(path: &Path, json: bool) -> Result<()> {
    let entries = history::read(path).map_err(|e| invalid(format!("{e}")))?;
    if json {
        #[derive(Serialize)]
        struct Line<'a> {
            seq: u64,
            at: &'a str,
            who: &'a str,
            action: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            undoes: Option<u64>,
        }
        let lines: Vec<Line> = entries
            .iter()
            .map(|e| Line {
                seq: e.seq,
                at: &e.at,
                who: &e.who,
                action: &e.action,
                undoes: e.undoes,
            })
            .collect();
        return print_json(&lines);
    }
    if entries.is_empty() {
        println!("No codebook changes recorded yet.");
    }
    let open: HashSet<u64> = history::undoable(&entries).iter().map(|e| e.seq).collect();
    for e in &entries {
        let state = if e.undoes.is_none() && !open.contains(&e.seq) {
            "  (undone)"
        } else {
            ""
        };
        println!("{}  {:<12}  {}{state}", e.at, e.who, e.action);
    }
    Ok(())
}
