//! `codewerk pseudonymize`: real names to pseudonyms in the whole project, codings carried
//! along; `--dry-run`, `--resume`, `--rollback`, `--reverse --key DIR`.

use super::{invalid, print_json, print_problems, problems};
use crate::cli::PseudonymizeOpt;
use anyhow::Result;
use codewerk::core::pseudonym::project::{self as pseudo, PseudoError};
use serde_json::json;
use std::path::Path;

pub fn run(root: &Path, o: &PseudonymizeOpt) -> Result<()> {
    if o.resume {
        let key = pseudo::resume(root).map_err(fail)?;
        println!(
            "Finished the interrupted step; key folder {}",
            key.display()
        );
        return Ok(());
    }
    if o.rollback {
        let key = pseudo::rollback(root).map_err(fail)?;
        println!(
            "Rolled back the interrupted step; key folder {}",
            key.display()
        );
        return Ok(());
    }
    if o.reverse {
        let Some(key) = &o.key else {
            return Err(invalid("--reverse needs --key DIR"));
        };
        pseudo::reverse(root, key).map_err(fail)?;
        println!(
            "Restored the original transcripts and journals from {}",
            key.display()
        );
        return Ok(());
    }
    let Some(names) = &o.names else {
        return Err(invalid("give --names FILE"));
    };
    // A dry run takes no locks, so that it writes nothing at all.
    let plan = pseudo::plan(root, names, !o.dry_run).map_err(fail)?;
    print_problems(&plan.notes);
    if o.json {
        print_json(&json!({
            "dry_run": o.dry_run,
            "names": plan.totals(),
            "files": plan.reports,
        }))?;
    } else {
        let totals = plan.totals();
        println!(
            "{} name(s) replaced {} time(s) in the transcripts:",
            totals.len(),
            totals.values().sum::<usize>()
        );
        for (name, n) in &totals {
            println!("  {name}: {n}");
        }
        for r in &plan.reports {
            let what: Vec<String> = r.names.iter().map(|(n, k)| format!("{n} {k}")).collect();
            let what = if what.is_empty() {
                "offsets only".to_string()
            } else {
                what.join(", ")
            };
            match r.lines {
                Some(l) if l > 0 => {
                    println!("  {}: {l} line(s) rewritten ({what})", r.path.display());
                }
                _ => println!("  {}: {what}", r.path.display()),
            }
        }
    }
    if o.dry_run {
        if !o.json {
            println!("Dry run: nothing was written.");
        }
        return Ok(());
    }
    if plan.changes.is_empty() {
        println!("No listed name appears: nothing to do.");
        return Ok(());
    }
    let keep = o
        .keep
        .clone()
        .unwrap_or_else(|| pseudo::default_key_dir(root));
    let files = plan.changes.len();
    let key = pseudo::apply(plan, &keep).map_err(fail)?;
    if !o.json {
        println!(
            "Pseudonymised: {files} file(s) replaced. Key and originals in {} (keep it apart; \
             `codewerk pseudonymize --reverse --key {}` restores them)",
            key.display(),
            key.display()
        );
    }
    Ok(())
}

fn fail(e: PseudoError) -> anyhow::Error {
    match e {
        PseudoError::Io { .. } => anyhow::Error::new(e).context("pseudonymisation stopped"),
        PseudoError::Problems(ps) => problems(ps, "nothing was pseudonymised"),
        e => invalid(e.to_string()),
    }
}

/// For `check --names` and `export --names`: exit 2, naming every place, while a listed real
/// name appears in transcripts/ or codings/.
pub fn refuse_names(root: &Path, names: &Path) -> Result<()> {
    let (names, _) = pseudo::read_names(names).map_err(fail)?;
    let found = pseudo::scan(root, &names);
    if found.is_empty() {
        return Ok(());
    }
    let n = found.len();
    Err(problems(
        found,
        format!(
            "{n} place(s) still name a listed real name; run `codewerk pseudonymize --names FILE` \
             first"
        ),
    ))
}
