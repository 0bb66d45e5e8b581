//! `codewerk import quotes`: codings given as exact quotes, anchored and journaled.

use super::{failed, load_valid, print_json};
use anyhow::{Context, Result};
use codewerk::core::coding::Op;
use serde_json::json;
use std::collections::HashSet;
use std::path::PathBuf;

pub fn quotes(
    root: &std::path::Path,
    coder: &str,
    files: &[PathBuf],
    dry_run: bool,
    json: bool,
) -> Result<()> {
    let project = load_valid(root)?;
    let mut codings = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        let bytes =
            std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        match codewerk::core::import::read_quotes(&project, file, &bytes) {
            Ok(cs) => codings.extend(cs),
            Err(ps) => problems.extend(ps),
        }
    }
    if !problems.is_empty() {
        let n = problems.len();
        return Err(super::problems(
            problems,
            format!("{n} problem(s); nothing was imported"),
        ));
    }
    let mut journal = project.open_journal(coder)?;
    // Importing the same file twice must not double the codings.
    let existing: HashSet<(String, String, usize, usize)> = journal
        .state
        .codings
        .values()
        .map(|c| (c.transcript.clone(), c.code.clone(), c.start, c.end))
        .collect();
    let total = codings.len();
    let mut seen = existing;
    let new: Vec<Op> = codings
        .into_iter()
        .filter(|c| seen.insert((c.transcript.clone(), c.code.clone(), c.start, c.end)))
        .map(Op::Add)
        .collect();
    let added = new.len();
    if !dry_run {
        journal
            .record(new)
            .with_context(|| format!("cannot write {}", journal.path.display()))?;
    }
    if json {
        print_json(&json!({"coder": coder, "read": total, "added": added,
            "skipped_duplicates": total - added, "dry_run": dry_run}))?;
    } else {
        let verb = if dry_run { "would add" } else { "added" };
        println!(
            "{coder}: read {total} quoted codings, {verb} {added} ({} already present) to {}",
            total - added,
            journal.path.display()
        );
    }
    Ok(())
}

/// `codewerk import transcripts`: read, check everything, then write (or show, with --dry-run).
pub fn transcripts(root: &std::path::Path, o: &crate::cli::ImportTranscriptsOpt) -> Result<()> {
    use codewerk::core::import_transcripts::{self as it, ImportOptions, PerFile};
    use std::io::IsTerminal;

    let project = load_valid(root)?;
    let fail = |problems: Vec<codewerk::core::problem::Problem>| -> anyhow::Error {
        let n = problems.len();
        super::problems(problems, format!("{n} problem(s); nothing was imported"))
    };
    let mut opts = ImportOptions {
        id: o.id.clone(),
        group: o.group.clone(),
        school: o.school.clone(),
        school_type: o.school_type.clone(),
        replace: o.replace,
        ..Default::default()
    };
    if let Some(spec) = &o.speakers {
        opts.speakers = it::parse_speakers(spec).map_err(|p| fail(vec![p]))?;
    }
    for a in &o.attr {
        let Some((k, v)) = a.split_once('=') else {
            return Err(fail(vec![codewerk::core::problem::Problem::error(
                "--attr",
                format!("\"{a}\" is not NAME=VALUE"),
            )]));
        };
        opts.attrs
            .push((k.trim().to_string(), v.trim().to_string()));
    }
    if let Some(path) = &o.respondents {
        let bytes = std::fs::read(path).map_err(|e| {
            fail(vec![codewerk::core::problem::Problem::error(
                path,
                format!("cannot read: {e}"),
            )])
        })?;
        opts.per_file = Some(PerFile::read(path, &bytes).map_err(|p| fail(vec![p]))?);
    }
    let paths = it::collect_paths(&o.files, o.respondents.as_deref()).map_err(fail)?;
    let sources = it::read_sources(&paths).map_err(fail)?;

    let ask = !o.no_input
        && !o.json
        && o.speakers.is_none()
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal();
    if ask {
        opts.speakers = ask_speakers(&project, &sources);
    }

    let plan = it::plan(&project, &sources, &opts).map_err(fail)?;
    if !o.dry_run {
        it::write(&project.root, &plan)
            .map_err(|e| failed(format!("{e}; nothing was imported")))?;
    }
    if o.json {
        print_json(&json!({
            "dry_run": o.dry_run,
            "imported": plan.items.len(),
            "transcripts": plan.items,
        }))?;
        return Ok(());
    }
    for item in &plan.items {
        let verb = if item.replaces { "replaces" } else { "→" };
        println!(
            "{}: {} {verb} transcripts/{}, id {}, group {}",
            item.source.display(),
            item.format.name(),
            item.file,
            item.id,
            item.row.get("group").map_or("", String::as_str),
        );
        let speakers: Vec<String> = item
            .speakers
            .iter()
            .map(|s| {
                if s.from == s.to {
                    format!("{} ({})", s.to, turns(s.turns))
                } else {
                    format!("{} → {} ({})", s.from, s.to, turns(s.turns))
                }
            })
            .collect();
        let speakers = if speakers.is_empty() {
            "none".to_string()
        } else {
            speakers.join(", ")
        };
        print!(
            "  {} turns, {} words; speakers: {speakers}",
            item.turns, item.words
        );
        if item.timestamped_turns > 0 {
            print!("; {} with timestamps", item.timestamped_turns);
        }
        println!();
        for n in &item.notes {
            println!("  note: {n}");
        }
    }
    let n = plan.items.len();
    if o.dry_run {
        println!("Would import {n} transcript(s); nothing was written (--dry-run).");
    } else {
        let p = super::init::project_arg(&project.root);
        println!(
            "Imported {n} transcript(s). Next: `codewerk{p} check`, then `codewerk{p}` to code."
        );
    }
    Ok(())
}

/// On a terminal: for every speaker label the project does not know yet (neither an interviewer
/// label nor a label in its transcripts), ask what it should be called.
fn ask_speakers(
    project: &codewerk::core::project::Project,
    sources: &[codewerk::core::import_transcripts::Source],
) -> Vec<(String, String)> {
    use std::io::{BufRead, Write};
    let mut known: HashSet<String> = project
        .settings
        .interviewer_labels()
        .iter()
        .map(|s| s.to_lowercase())
        .collect();
    known.insert("r".into());
    for t in &project.transcripts {
        for turn in t.turns() {
            if let Some(s) = &turn.speaker {
                known.insert(s.to_lowercase());
            }
        }
    }
    let mut unknown: Vec<(String, usize, String)> = Vec::new();
    for src in sources {
        for (label, n) in src.speakers() {
            if known.contains(&label.to_lowercase()) {
                continue;
            }
            match unknown.iter_mut().find(|(l, _, _)| *l == label) {
                Some((_, total, _)) => *total += n,
                None => {
                    let first = src
                        .ingested
                        .turns
                        .iter()
                        .find(|t| t.speaker.as_deref() == Some(&label))
                        .map(|t| codewerk::core::text::fit(&t.text, 60))
                        .unwrap_or_default();
                    unknown.push((label, n, first));
                }
            }
        }
    }
    if unknown.is_empty() {
        return Vec::new();
    }
    eprintln!(
        "The files use speaker labels this project does not use yet. Give each the label to \
         write (interviewer: {}; e.g. R for the respondent), or Enter to keep it.",
        project.settings.interviewer_labels().join(", ")
    );
    let mut input = std::io::stdin().lock();
    let mut out = Vec::new();
    for (label, n, first) in unknown {
        eprint!(
            "  {label} ({}, \"{}…\") → [{label}]: ",
            turns(n),
            first.replace('\n', " ")
        );
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        if input.read_line(&mut line).is_ok_and(|n| n > 0) && !line.trim().is_empty() {
            out.push((label, line.trim().to_string()));
        }
    }
    out
}

fn turns(n: usize) -> String {
    if n == 1 {
        "1 turn".into()
    } else {
        format!("{n} turns")
    }
}
