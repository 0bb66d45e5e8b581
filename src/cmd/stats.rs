//! `codewerk stats`: per code, passages and distinct respondents per group.

use super::{invalid, load_valid_for, print_json};
use crate::cli::StatsOpt;
use anyhow::Result;
use codewerk::core::project::Project;
use codewerk::core::summary::{CoderStats, code_stats, code_stats_of};
use codewerk::core::text::{fit, pad};
use std::path::Path;

pub fn run(root: &Path, coder: Option<&str>, o: &StatsOpt) -> Result<()> {
    // Counted passages need their turn's speaker, which the transcript cache keeps: no text is
    // read unless a split's query (`--among`, `--by set:`) looks at the words around them.
    let query =
        o.split.among.is_some() || o.split.by.as_deref().is_some_and(|b| b.starts_with("set:"));
    let project = if query {
        load_valid_for(root, |who, c| {
            coder.is_none_or(|want| want == who) && !c.anchor.is_flagged()
        })?
    } else if let Some(c) = coder.filter(|c| !c.is_empty()) {
        // One coder's counts: only that journal is read.
        super::valid(super::load_lazy_for(root, &[c.to_string()])?)?
    } else {
        super::valid(super::load_lazy(root)?)?
    };
    let done = print_stats(&project, coder, o);
    super::leave(project);
    done
}

fn print_stats(project: &Project, coder: Option<&str>, o: &StatsOpt) -> Result<()> {
    let (json, include_interviewer) = (o.json, o.split.include_interviewer);
    let coders: Vec<String> = match coder {
        // A misspelt coder would print a table of zeros: refused as in the exports.
        Some(c) => vec![super::export::pick_coder(project, Some(c))?],
        None => project.coders.keys().cloned().collect(),
    };
    let split = !o.split.attr.is_empty() || o.split.by.is_some() || o.split.among.is_some();
    let filter = o.split.filter();
    let mut stats: Vec<CoderStats> = Vec::new();
    for c in &coders {
        if split {
            match code_stats_of(project, c, &filter) {
                Ok(s) => stats.push(s),
                Err(e) => {
                    return Err(invalid(format!("{e}")));
                }
            }
        } else {
            stats.push(code_stats(project, c, include_interviewer));
        }
    }
    if json {
        return print_json(&stats);
    }
    if stats.is_empty() {
        println!("No codings yet: every code has 0 passages.");
        let empty = if split {
            code_stats_of(project, "", &filter).map_err(|e| invalid(format!("{e}")))?
        } else {
            code_stats(project, "", include_interviewer)
        };
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
                "codewerk: warning: {} coding(s) of {} are not on their words (the transcript \
                 was edited, or their journal line) and are not counted; `codewerk check` lists \
                 them",
                s.flagged, s.coder
            );
        }
    }
    Ok(())
}

const ROLLUP: &str = "= incl. sub-codes";

/// One line per code in tree order, sub-codes indented; a code with sub-codes gets a second
/// line with the roll-up (the code or any sub-code), marked as such.
fn render(s: &CoderStats) -> String {
    let mut out = String::new();
    let has_sub: std::collections::HashSet<&str> =
        s.codes.iter().filter_map(|c| c.parent.as_deref()).collect();
    let width = s
        .codes
        .iter()
        .map(|c| {
            let label = if has_sub.contains(c.code.as_str()) {
                ROLLUP.len() + 2
            } else {
                0
            };
            codewerk::core::text::width(&c.name).max(label) + 2 * c.depth
        })
        .max()
        .unwrap_or(4)
        .min(48);
    let noun = |n: usize, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    let line = |label: String, passages: usize, respondents: usize, groups: Vec<String>| {
        format!(
            "  {}  {:>4} {:<8}  {:>3} {:<11}  ({})\n",
            pad(&label, width),
            passages,
            noun(passages, "passage", "passages"),
            respondents,
            match s.unit {
                "schools" => noun(respondents, "school", "schools"),
                _ => noun(respondents, "respondent", "respondents"),
            },
            groups.join(", "),
        )
    };
    let groups = |g: &[codewerk::core::summary::GroupCount]| {
        g.iter()
            .map(|g| format!("{} of {} {}", g.respondents, g.of, g.plural))
            .collect::<Vec<_>>()
    };
    for c in &s.codes {
        let indent = "  ".repeat(c.depth);
        let name = fit(&format!("{indent}{}", c.name), width);
        out += &line(name, c.passages, c.respondents, groups(&c.by_group));
        if has_sub.contains(c.code.as_str()) {
            let r = &c.with_subcodes;
            let label = fit(&format!("{indent}  {ROLLUP}"), width);
            out += &line(label, r.passages, r.respondents, groups(&r.by_group));
        }
    }
    out
}
