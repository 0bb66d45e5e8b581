//! `codewerk check`: load, validate and summarise the project.

use super::{Exit, load, print_json, print_problems};
use anyhow::Result;
use codewerk::core::project::Project;
use codewerk::core::review::{self, Item, Status};
use codewerk::core::summary::{GroupSize, Summary, summarise};
use codewerk::core::text;
use serde_json::json;
use std::path::Path;

/// Per status, how many codings the text output lists one by one (`--json` lists all).
const LIST_AT_MOST: usize = 40;

pub fn run(root: &Path, json: bool, names: Option<&Path>, fix: bool) -> Result<()> {
    let mut project = load(root)?;
    if let Some(names) = names {
        super::pseudonymize::refuse_names(root, names)?;
    }
    let fixed = if fix {
        fix_journals(&project, json)?
    } else {
        Vec::new()
    };
    if !fixed.is_empty() {
        // Show the project as it is now.
        project = load(root)?;
    }
    let summary = summarise(&project);
    let items = review::items(&project);
    let errors = project.problems.iter().filter(|p| p.is_error()).count();
    if json {
        print_json(&json!({
            "valid": errors == 0,
            "summary": summary,
            "review": items,
            "fixed": fixed,
            "problems": project.problems,
        }))?;
    } else {
        print!("{}", render(&summary, &project.root.display().to_string()));
        print!("{}", render_review(&items));
        print_problems(&project.problems);
        let warnings = project.problems.len() - errors;
        match (errors, warnings) {
            (0, 0) => println!("No problems found."),
            (0, w) => println!("Valid, with {w} warning(s)."),
            (e, w) => eprintln!("{e} error(s), {w} warning(s): the project is not valid."),
        }
    }
    if errors > 0 {
        Err(Exit(2).into())
    } else {
        Ok(())
    }
}

/// Write the certain re-anchorings of every coder who has any, each under the coder's lock.
fn fix_journals(project: &Project, json: bool) -> Result<Vec<serde_json::Value>> {
    let mut out = Vec::new();
    let mut refused = false;
    for coder in project.coders.keys() {
        let needs = project.coders[coder]
            .codings
            .values()
            .any(|c| c.anchor != codewerk::core::coding::Anchor::Exact || c.version.is_none());
        if !needs {
            continue;
        }
        let mut journal = match project.open_journal(coder) {
            Ok(j) => j,
            Err(e) => {
                eprintln!("codewerk: {e}: its codings were not fixed");
                refused = true;
                continue;
            }
        };
        let plan = review::plan_fix(project, &journal);
        if !plan.ops.is_empty() {
            journal.record(plan.ops.clone())?;
        }
        let path = journal.path.display().to_string();
        if !json {
            if plan.ops.is_empty() {
                println!(
                    "{path}: nothing to fix ({} coding(s) left for review)",
                    plan.left
                );
            } else {
                println!(
                    "{path}: wrote {} re-anchoring(s): {} moved to a new place, {} carried \
                     through an edit elsewhere, {} made before versions were kept now record \
                     their version; {} coding(s) left for review",
                    plan.ops.len(),
                    plan.moved,
                    plan.carried,
                    plan.stamped,
                    plan.left
                );
            }
        }
        out.push(json!({
            "coder": coder,
            "journal": path,
            "written": plan.ops.len(),
            "moved": plan.moved,
            "carried": plan.carried,
            "stamped": plan.stamped,
            "left_for_review": plan.left,
        }));
    }
    if refused {
        return Err(Exit(2).into());
    }
    if !json && out.is_empty() {
        println!("Nothing to fix: every coding is where it was made.");
    }
    Ok(out)
}

/// The codings an edit of their transcript moved (certain) or flagged, by status.
pub fn render_review(items: &[Item]) -> String {
    let mut out = String::new();
    for (status, title) in [
        (
            Status::Moved,
            "Moved with certainty (`codewerk check --fix` records them)",
        ),
        (Status::Ambiguous, "Ambiguous, not counted until reviewed"),
        (
            Status::Orphaned,
            "Orphaned (text gone), not counted until reviewed",
        ),
    ] {
        let these: Vec<&Item> = items.iter().filter(|i| i.status == status).collect();
        if these.is_empty() {
            continue;
        }
        out += &format!("{title}: {}\n", these.len());
        for i in these.iter().take(LIST_AT_MOST) {
            let place = match (&i.new, i.candidates.as_slice()) {
                (Some(n), _) => format!(
                    "{}..{} -> {}..{} (line {})",
                    i.old.start,
                    i.old.end,
                    n.start,
                    n.end,
                    n.line.unwrap_or(0)
                ),
                (None, []) => format!("was {}..{}", i.old.start, i.old.end),
                (None, cs) => format!(
                    "was {}..{}, now at {} places: {}",
                    i.old.start,
                    i.old.end,
                    cs.len(),
                    cs.iter()
                        .take(6)
                        .map(|p| format!("{} (line {})", p.start, p.line.unwrap_or(0)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let text = codewerk::core::text::fit(&i.text, 50);
            out += &format!(
                "  {} {} #{} {}: {place}: \"{text}\"\n",
                i.coder, i.transcript, i.id, i.code
            );
        }
        if these.len() > LIST_AT_MOST {
            out += &format!(
                "  … and {} more (`codewerk check --json` lists all)\n",
                these.len() - LIST_AT_MOST
            );
        }
    }
    out
}

fn counts(list: &[GroupSize]) -> String {
    list.iter()
        .map(|c| format!("{} {}", c.name, c.count))
        .collect::<Vec<_>>()
        .join(" · ")
}

pub fn render(s: &Summary, root: &str) -> String {
    let mut out = String::new();
    let name = if s.name.is_empty() { root } else { &s.name };
    out += &format!("Project: {name}\n");
    out += &format!("Transcripts: {}\n", s.transcripts);
    out += &format!("  by group:        {}\n", counts(&s.by_group));
    // A project without school types (none declared, none in respondents.csv) has no line.
    if !s.by_school_type.is_empty() {
        out += &format!("  by school type:  {}\n", counts(&s.by_school_type));
    }
    out += &format!("Schools: {}\n", s.schools);
    out += &format!(
        "Codebook: {} in {}\n",
        text::count(s.codes, "code", "codes"),
        text::count(s.by_deelvraag.len(), "deelvraag", "deelvragen")
    );
    for d in &s.by_deelvraag {
        let codes = text::count(d.codes, "code", "codes");
        out += &format!("  {}. {}: {codes}\n", d.number, d.title);
    }
    out += &format!(
        "Words per transcript: min {}, median {}, max {} (total {})\n",
        s.words.min, s.words.median, s.words.max, s.words.total
    );
    if s.coders.is_empty() {
        out += "Coders: none yet\n";
    } else {
        out += "Coders:\n";
        for c in &s.coders {
            out += &format!(
                "  {:<14} {:>5} passages in {} transcripts ({} marked done){}\n",
                c.coder,
                c.passages,
                c.transcripts_coded,
                c.transcripts_done,
                if c.flagged > 0 {
                    format!(", {} flagged for review", c.flagged)
                } else {
                    String::new()
                }
            );
        }
    }
    out
}
