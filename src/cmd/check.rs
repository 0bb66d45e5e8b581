//! `codewerk check`: load, validate and summarise the project.

use super::{Exit, load, print_json, print_problems};
use anyhow::Result;
use codewerk::core::summary::{Count, Summary, summarise};
use serde_json::json;
use std::path::Path;

pub fn run(root: &Path, json: bool, names: Option<&Path>) -> Result<()> {
    let project = load(root)?;
    if let Some(names) = names {
        super::pseudonymize::refuse_names(root, names)?;
    }
    let summary = summarise(&project);
    let errors = project.problems.iter().filter(|p| p.is_error()).count();
    if json {
        print_json(&json!({
            "valid": errors == 0,
            "summary": summary,
            "problems": project.problems,
        }))?;
    } else {
        print!("{}", render(&summary, &project.root.display().to_string()));
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

fn counts(list: &[Count]) -> String {
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
    out += &format!("  by school type:  {}\n", counts(&s.by_school_type));
    out += &format!("Schools: {}\n", s.schools);
    out += &format!(
        "Codebook: {} codes in {} deelvragen\n",
        s.codes,
        s.by_deelvraag.len()
    );
    for d in &s.by_deelvraag {
        out += &format!("  {}. {}: {} codes\n", d.number, d.title, d.codes);
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
                "  {:<14} {:>5} passages in {} transcripts ({} marked done)\n",
                c.coder, c.passages, c.transcripts_coded, c.transcripts_done
            );
        }
    }
    out
}
