//! `codewerk respondents`: list respondents with their attributes; `respondents set` changes
//! them, atomically, and only if the project stays valid.

use super::{load, print_json, print_problems};
use crate::cli::{RespondentsCommand, RespondentsOpt, RespondentsSetOpt};
use anyhow::Result;
use codewerk::core::fsutil;
use codewerk::core::import_transcripts::{check_attr_name, known_list};
use codewerk::core::problem::Problem;
use codewerk::core::project::Project;
use codewerk::core::respondents::{self, Table};
use serde_json::json;
use std::path::Path;

pub fn run(root: &Path, o: &RespondentsOpt) -> Result<()> {
    match &o.command {
        None => list(root, o.json),
        Some(RespondentsCommand::Set(s)) => set(root, s),
    }
}

fn list(root: &Path, json: bool) -> Result<()> {
    let project = load(root)?;
    if json {
        let rows: Vec<serde_json::Value> = project
            .respondents
            .iter()
            .zip(&project.transcripts)
            .map(|(r, t)| {
                let attrs: serde_json::Map<String, serde_json::Value> = r
                    .attributes
                    .iter()
                    .map(|(k, v)| (k.clone(), json!(v)))
                    .collect();
                json!({"id": r.id, "file": r.file, "group": r.group, "school": r.school,
                       "school_type": r.school_type, "attributes": attrs,
                       "words": t.word_count()})
            })
            .collect();
        print_json(&json!({"respondents": rows}))?;
    } else if project.respondents.is_empty() {
        println!(
            "No respondents yet. Import interviews with `codewerk import transcripts FILE|DIR --group GROUP`."
        );
    } else {
        let extra: Vec<&str> = project
            .respondents
            .first()
            .map(|r| r.attributes.iter().map(|(k, _)| k.as_str()).collect())
            .unwrap_or_default();
        let mut rows: Vec<Vec<String>> = vec![
            ["id", "group", "school", "school_type", "words"]
                .iter()
                .map(std::string::ToString::to_string)
                .chain(extra.iter().map(std::string::ToString::to_string))
                .collect(),
        ];
        for (r, t) in project.respondents.iter().zip(&project.transcripts) {
            let mut row = vec![
                r.id.clone(),
                r.group.clone(),
                r.school.clone(),
                r.school_type.clone(),
                t.word_count().to_string(),
            ];
            row.extend(
                extra
                    .iter()
                    .map(|k| r.attribute(k).unwrap_or("").to_string()),
            );
            rows.push(row);
        }
        let widths: Vec<usize> = (0..rows[0].len())
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        for row in rows {
            let line: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(v, w)| format!("{v}{}", " ".repeat(w - v.chars().count())))
                .collect();
            println!("{}", line.join("  ").trim_end());
        }
    }
    print_problems(&project.problems);
    Ok(())
}

fn set(root: &Path, o: &RespondentsSetOpt) -> Result<()> {
    let project = load(root)?;
    let csv_path = Project::respondents_path(&project.root);
    let fail = |problems: Vec<Problem>| -> anyhow::Error {
        super::problems(problems, "nothing was changed")
    };
    let bytes = std::fs::read(&csv_path)
        .map_err(|e| fail(vec![Problem::error(&csv_path, format!("cannot read: {e}"))]))?;
    let mut table =
        Table::read(&bytes).map_err(|e| fail(vec![Problem::error(&csv_path, e.to_string())]))?;
    let Some(row) = table.find(&o.id) else {
        let known: Vec<&str> = project.respondents.iter().map(|r| r.id.as_str()).collect();
        return Err(fail(vec![Problem::error(
            &csv_path,
            format!(
                "no respondent \"{}\"{}",
                o.id,
                known_list(known.into_iter())
            ),
        )]));
    };
    let s = &project.settings;
    let mut changes = serde_json::Map::new();
    for pair in &o.values {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(fail(vec![Problem::error(
                "respondents set",
                format!("\"{pair}\" is not NAME=VALUE"),
            )]));
        };
        let (name, value) = (respondents::column_name(name), value.trim());
        check_attr_name(&name).map_err(|p| fail(vec![p]))?;
        if name == "group" && !s.groups.is_empty() && s.group(value).is_none() {
            return Err(fail(vec![Problem::error(
                "respondents set",
                format!(
                    "unknown group \"{value}\"{}",
                    known_list(s.groups.iter().map(|g| g.id.as_str()))
                ),
            )]));
        }
        if name == "school_type"
            && !value.is_empty()
            && !s.school_types.is_empty()
            && !s.school_types.iter().any(|t| t == value)
        {
            return Err(fail(vec![Problem::error(
                "respondents set",
                format!(
                    "unknown school type \"{value}\"{}",
                    known_list(s.school_types.iter().map(String::as_str))
                ),
            )]));
        }
        table.set(row, &name, value);
        changes.insert(name, json!(value));
    }
    let new = table.to_bytes();
    // The changed table must read back without a problem the old one did not have.
    let (_, before) = respondents::parse(&csv_path, &bytes);
    let (_, after) = respondents::parse(&csv_path, &new);
    if after.len() > before.len() {
        return Err(fail(after));
    }
    fsutil::write_atomic(&csv_path, &new).map_err(|e| {
        fail(vec![Problem::error(
            &csv_path,
            format!("cannot write: {e}"),
        )])
    })?;
    if o.json {
        print_json(&json!({"id": o.id, "set": changes}))?;
    } else {
        let list: Vec<String> = changes
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
            .collect();
        println!("{}: {}", o.id, list.join(", "));
    }
    Ok(())
}
