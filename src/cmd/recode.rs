//! `codewerk recode --from CODER --as CODER`: start a second-round coder from a copy of another
//! coder's codings, written as one undoable action.

use super::{Exit, load_valid, print_json};
use crate::cli::RecodeOpt;
use anyhow::Result;
use codewerk::core::coding::{CoderState, valid_coder};
use codewerk::core::reconcile::{RecodeError, plan_copy, recode};
use serde_json::json;
use std::path::Path;

pub fn run(root: &Path, coder: &str, o: &RecodeOpt) -> Result<()> {
    let project = load_valid(root)?;
    let target = o.target.clone().unwrap_or_else(|| coder.to_string());
    if !valid_coder(&target) {
        eprintln!(
            "codewerk: invalid coder name \"{target}\": use letters, digits, '-', '_' or '.'"
        );
        return Err(Exit(2).into());
    }
    let fail = |e: RecodeError| -> Result<()> {
        eprintln!("codewerk: {e}");
        Err(Exit(2).into())
    };
    let plan = if o.dry_run {
        let Some(source) = project.coders.get(&o.from) else {
            return fail(RecodeError::NoSource(o.from.clone()));
        };
        if target == o.from {
            return fail(RecodeError::SameCoder(target));
        }
        let empty = CoderState::new(&target);
        let current = project.coders.get(&target).unwrap_or(&empty);
        if !current.codings.is_empty() && !o.force {
            return fail(RecodeError::TargetNotEmpty {
                coder: target.clone(),
                count: current.codings.len(),
            });
        }
        plan_copy(&project, source, current)
    } else {
        let mut journal = project.open_journal(&target)?;
        match recode(&project, &o.from, &mut journal, o.force) {
            Ok(plan) => plan,
            Err(RecodeError::Journal(e)) => {
                return Err(anyhow::Error::new(e)
                    .context(format!("cannot write {}", journal.path.display())));
            }
            Err(e) => return fail(e),
        }
    };
    if o.json {
        return print_json(&json!({
            "from": o.from, "to": target, "dry_run": o.dry_run,
            "copied": plan.copied, "already_present": plan.already_present,
            "orphaned_skipped": plan.orphaned,
        }));
    }
    let verb = if o.dry_run { "would copy" } else { "copied" };
    println!("{target}: {verb} {} coding(s) of {}.", plan.copied, o.from);
    if plan.already_present > 0 {
        println!(
            "  {} skipped: {target} already has them.",
            plan.already_present
        );
    }
    if plan.orphaned > 0 {
        println!(
            "  {} skipped: their text is no longer in the transcript.",
            plan.orphaned
        );
    }
    if !o.dry_run && plan.copied > 0 {
        println!("  One action: `u` in the TUI (as {target}) takes the whole copy back.");
    }
    Ok(())
}
