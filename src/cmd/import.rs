//! `codewerk import quotes`: codings given as exact quotes, anchored and journaled.

use super::{Exit, load_valid, print_json, print_problems};
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
        print_problems(&problems);
        eprintln!(
            "codewerk: {} problem(s); nothing was imported",
            problems.len()
        );
        return Err(Exit(2).into());
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
