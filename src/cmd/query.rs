//! `codewerk query 'EXPR'`: which respondents, turns or passages a code query describes, with
//! "N of M" per group (or per --by bucket); `query save|remove|sets` manage named sets.

use super::{invalid, load_valid, print_json};
use crate::cli::{QueryCommand, QueryOpt};
use anyhow::Result;
use codewerk::core::export::{Filter, Selection};
use codewerk::core::query::{self, Facts, Matches, Scope, sets};
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;

fn usage(msg: impl std::fmt::Display) -> anyhow::Error {
    invalid(format!("{msg}"))
}

#[derive(Serialize)]
struct GroupResult {
    group: String,
    label: String,
    /// Units (respondents, or schools) with at least one match.
    n: usize,
    of: usize,
    text: String,
    /// The respondents behind `n`.
    respondents: Vec<String>,
}

#[derive(Serialize)]
struct Match {
    respondent: String,
    group: String,
    /// Turn index (scope turn) in the transcript.
    #[serde(skip_serializing_if = "Option::is_none")]
    turn: Option<usize>,
    start: usize,
    end: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    coding: Option<u64>,
    text: String,
}

#[derive(Serialize)]
struct Output {
    query: String,
    scope: Scope,
    coder: String,
    unit: &'static str,
    by: String,
    groups: Vec<GroupResult>,
    total: GroupResult,
    matches: Vec<Match>,
}

pub fn run(root: &Path, coder: Option<&str>, o: QueryOpt) -> Result<()> {
    match o.command {
        Some(QueryCommand::Save {
            name,
            expr,
            description,
        }) => return save(root, coder, &name, &expr, description),
        Some(QueryCommand::Remove { name }) => {
            return match sets::remove(root, &name).map_err(usage)? {
                true => {
                    println!("Removed set {name}");
                    Ok(())
                }
                false => Err(usage(format!("no saved set \"{name}\""))),
            };
        }
        Some(QueryCommand::Sets { json }) => {
            let all = sets::load(root).map_err(usage)?;
            if json {
                return print_json(&all);
            }
            if all.is_empty() {
                println!("No saved sets; `codewerk query save NAME 'EXPR'` saves one.");
            }
            for (name, s) in &all {
                println!("set:{name}  {}", s.query);
            }
            return Ok(());
        }
        None => {}
    }
    let Some(expr) = o.expr.as_deref() else {
        return Err(usage(
            "give a query, e.g. codewerk query 'meldcode AND NOT veilig-thuis'",
        ));
    };
    let scope = Scope::parse(&o.scope).ok_or_else(|| {
        usage(format!(
            "unknown scope \"{}\" (known: respondent, turn, passage)",
            o.scope
        ))
    })?;
    let project = load_valid(root)?;
    let coder = super::export::pick_coder(&project, coder)?;
    let filter = Filter {
        groups: o.group.clone(),
        school_types: o.school_type.clone(),
        ..o.split.filter()
    };
    let sel = filter.resolve_for(&project, Some(&coder)).map_err(usage)?;
    let facts = Facts::new(&project, &coder, o.split.include_interviewer).map_err(usage)?;
    let e = query::parse(expr, &project.codebook).map_err(|e| {
        usage(format!(
            "{e}\n  {expr}\n  {}^",
            " ".repeat(e.column.saturating_sub(1))
        ))
    })?;
    facts.check(&e).map_err(usage)?;
    let m = facts.run(&e, scope, &sel.respondents);
    let out = output(&sel, &facts, &m, expr, &coder);
    if o.json {
        return print_json(&out);
    }
    println!(
        "Query: {expr}  (scope {}, coder {coder}{})",
        scope.name(),
        if sel.split.unit.name() == "schools" {
            ", counting schools"
        } else {
            ""
        }
    );
    for x in &out.matches {
        let what = match (&x.code, x.turn) {
            (Some(c), _) => format!("{c} {}-{}", x.start, x.end),
            (None, Some(t)) => format!("turn {} ({}-{})", t + 1, x.start, x.end),
            _ => String::new(),
        };
        println!("  {} · {what}: {}", x.respondent, preview(&x.text));
    }
    if !out.matches.is_empty() {
        println!();
    }
    for g in out.groups.iter().chain(std::iter::once(&out.total)) {
        let ids = if g.respondents.is_empty() {
            String::new()
        } else {
            format!("  ({})", g.respondents.join(", "))
        };
        println!("  {}{ids}", g.text);
    }
    Ok(())
}

fn preview(s: &str) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    codewerk::core::text::fit(&one, 100)
}

fn group_result(
    sel: &Selection,
    matched: &HashSet<usize>,
    label: &str,
    key: &str,
    keep: impl Fn(usize) -> bool,
) -> GroupResult {
    let p = sel.project;
    let unit = sel.split.unit;
    let mut all = HashSet::new();
    let mut hit = HashSet::new();
    let mut respondents = Vec::new();
    for &r in sel.respondents.iter().filter(|&&r| keep(r)) {
        let resp = &p.respondents[r];
        all.insert(unit.key(resp));
        if matched.contains(&r) {
            hit.insert(unit.key(resp));
            respondents.push(resp.id.clone());
        }
    }
    GroupResult {
        group: key.to_string(),
        label: label.to_string(),
        n: hit.len(),
        of: all.len(),
        text: format!("{} of {} {label}", hit.len(), all.len()),
        respondents,
    }
}

fn output(sel: &Selection, facts: &Facts, m: &Matches, expr: &str, coder: &str) -> Output {
    let p = sel.project;
    let matched: HashSet<usize> = m.respondents.iter().copied().collect();
    let groups = sel
        .split
        .buckets
        .iter()
        .enumerate()
        .map(|(b, bucket)| {
            group_result(sel, &matched, &bucket.label, &bucket.key, |r| {
                sel.in_bucket(b, &p.respondents[r])
            })
        })
        .collect();
    let total = group_result(sel, &matched, sel.split.unit.name(), "all", |_| true);
    let mut matches = Vec::new();
    for &(r, t) in &m.turns {
        let turn = &p.transcripts[r].turns()[t];
        matches.push(Match {
            respondent: p.respondents[r].id.clone(),
            group: p.respondents[r].group.clone(),
            turn: Some(t),
            start: turn.start,
            end: turn.end,
            code: None,
            coding: None,
            text: p.transcripts[r].slice(turn.start, turn.end).to_string(),
        });
    }
    for &(r, i) in &m.passages {
        let f = facts.of[r][i];
        matches.push(Match {
            respondent: p.respondents[r].id.clone(),
            group: p.respondents[r].group.clone(),
            turn: None,
            start: f.start,
            end: f.end,
            code: Some(p.codebook.codes[f.code].id.clone()),
            coding: Some(f.coding.id),
            text: f.coding.text.clone(),
        });
    }
    Output {
        query: expr.to_string(),
        scope: m.scope,
        coder: coder.to_string(),
        unit: sel.split.unit.name(),
        by: sel.split.by.clone(),
        groups,
        total,
        matches,
    }
}

fn save(
    root: &Path,
    coder: Option<&str>,
    name: &str,
    expr: &str,
    description: Option<String>,
) -> Result<()> {
    sets::valid_name(name).map_err(usage)?;
    let project = load_valid(root)?;
    let e = query::parse(expr, &project.codebook).map_err(usage)?;
    let coder = coder.map(str::to_string).unwrap_or_default();
    let facts = Facts::new(&project, &coder, false).map_err(usage)?;
    facts.check(&e).map_err(usage)?;
    if let query::Expr::Set(inner) = &e
        && inner == name
    {
        return Err(usage(format!("set:{name} cannot be saved as itself")));
    }
    let existed = sets::save(
        root,
        name,
        sets::SavedSet {
            query: expr.to_string(),
            description,
        },
    )
    .map_err(usage)?;
    println!(
        "{} set:{name} = {expr} in {}",
        if existed { "Replaced" } else { "Saved" },
        sets::path(root).display()
    );
    Ok(())
}
