//! `codewerk stats`: per code, passages and distinct respondents per group.

use super::{load_valid, print_json};
use anyhow::Result;
use codewerk::core::summary::{CoderStats, code_stats};
use std::path::Path;

pub fn run(root: &Path, coder: Option<&str>, json: bool, include_interviewer: bool) -> Result<()> {
    let project = load_valid(root)?;
    let coders: Vec<String> = match coder {
        Some(c) => vec![c.to_string()],
        None => project.coders.keys().cloned().collect(),
    };
    let stats: Vec<CoderStats> = coders
        .iter()
        .map(|c| code_stats(&project, c, include_interviewer))
        .collect();
    if json {
        return print_json(&stats);
    }
    if stats.is_empty() {
        println!("No codings yet: every code has 0 passages.");
        let empty = code_stats(&project, "", include_interviewer);
        print!("{}", render(&empty));
    }
    for s in &stats {
        println!("Coder: {}", s.coder);
        print!("{}", render(s));
        if s.interviewer_left_out > 0 {
            println!(
                "  ({} in interviewer turns not counted; --include-interviewer counts them)",
                codewerk::core::text::count(s.interviewer_left_out, "passage", "passages")
            );
        }
        println!();
        if s.flagged > 0 {
            eprintln!(
                "codewerk: warning: {} coding(s) of {} no longer sit on their text after a \
                 transcript edit and are not counted; `codewerk check` lists them",
                s.flagged, s.coder
            );
        }
    }
    Ok(())
}

fn render(s: &CoderStats) -> String {
    let mut out = String::new();
    let width = s
        .codes
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(4)
        .min(48);
    for c in &s.codes {
        let name: String = c.name.chars().take(width).collect();
        let groups: Vec<String> = c
            .by_group
            .iter()
            .map(|g| format!("{} of {} {}", g.respondents, g.of, g.plural))
            .collect();
        let noun =
            |n: usize, one: &'static str, many: &'static str| if n == 1 { one } else { many };
        out += &format!(
            "  {:<width$}  {:>4} {:<8}  {:>3} {:<11}  ({})\n",
            name,
            c.passages,
            noun(c.passages, "passage", "passages"),
            c.respondents,
            noun(c.respondents, "respondent", "respondents"),
            groups.join(", "),
        );
    }
    out
}
