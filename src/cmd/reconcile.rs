//! `codewerk reconcile A B --as consensus`: start a consensus coder with every passage A and B
//! agree on, and list how many disagreements per code are left to decide (in the TUI's
//! agreement view, or through `core::reconcile::decide`).

use super::{invalid, load_valid, print_json};
use crate::cli::ReconcileOpt;
use anyhow::{Context, Result};
use codewerk::core::agreement::{Comparison, Options, Scope};
use codewerk::core::coding::CoderState;
use codewerk::core::reconcile::plan_seed;
use serde_json::json;
use std::path::Path;

pub fn run(root: &Path, o: &ReconcileOpt) -> Result<()> {
    let project = load_valid(root)?;
    // Checked here too, so that a dry run refuses what the real run would.
    if !codewerk::core::coding::valid_coder(&o.target) {
        return Err(invalid(format!(
            "invalid coder name \"{}\": use letters, digits, '-', '_' or '.'",
            o.target
        )));
    }
    if o.target == o.a || o.target == o.b {
        return Err(invalid(format!(
            "the consensus coder must be another coder than {} and {}",
            o.a, o.b
        )));
    }
    let options = Options {
        codes: o.codes.clone(),
        scope: if o.all_transcripts {
            Scope::AllTranscripts
        } else {
            Scope::CodedByAll
        },
        ..Options::default()
    };
    let coders = [o.a.clone(), o.b.clone()];
    let cmp = match Comparison::from_project(&project, &coders, options) {
        Ok(c) => c,
        Err(e) => {
            return Err(invalid(e.to_string()));
        }
    };
    let added = if o.dry_run {
        let empty = CoderState::new(&o.target);
        plan_seed(
            &project,
            &cmp,
            project.coders.get(&o.target).unwrap_or(&empty),
        )
        .len()
    } else {
        let mut journal = project.open_journal(&o.target)?;
        let ops = plan_seed(&project, &cmp, &journal.state);
        let n = ops.len();
        journal
            .record(ops)
            .with_context(|| format!("cannot write {}", journal.path.display()))?;
        n
    };
    let left = cmp.all_disagreements();
    if o.json {
        let per_code: Vec<_> = left
            .iter()
            .map(|c| json!({"code": c.code, "name": c.name, "disagreements": c.items.len()}))
            .collect();
        return print_json(&json!({
            "a": o.a, "b": o.b, "consensus": o.target, "dry_run": o.dry_run,
            "agreed_copied": added, "to_decide": per_code,
        }));
    }
    let verb = if o.dry_run { "would copy" } else { "copied" };
    println!(
        "{}: {verb} {added} passage(s) on which {} and {} agree ({} transcripts compared).",
        o.target,
        o.a,
        o.b,
        cmp.compared_transcripts().len()
    );
    let total: usize = left.iter().map(|c| c.items.len()).sum();
    if total == 0 {
        println!("Nothing left to decide.");
        return Ok(());
    }
    println!("Left to decide: {total} disagreement(s).");
    for c in left.iter().filter(|c| !c.items.is_empty()) {
        println!("  {:<32} {:>4}", c.name, c.items.len());
    }
    println!(
        "List them with `codewerk agreement {} {} --list`; decide them in the TUI's agreement view.",
        o.a, o.b
    );
    Ok(())
}
