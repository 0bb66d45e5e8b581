//! `codewerk autocode`: code every hit of a search, as one undoable action in the journal.

use super::search::{filters_query, open_index, search_failed};
use super::{load_valid, print_json};
use crate::cli::AutocodeOpt;
use anyhow::{Context, Result};
use codewerk::core::coding::{CoderState, Op};
use codewerk::core::index::{
    AutocodeOptions, Query, Scope, SearchError, plan_autocode_with, search_all,
};
use serde_json::json;
use std::path::Path;

pub fn run(root: &Path, coder: &str, o: &AutocodeOpt) -> Result<()> {
    let project = load_valid(root)?;
    let index = open_index(&project)?;
    let scope: Scope = o.scope.parse().map_err(anyhow::Error::msg)?;
    let query = Query {
        text: o.query.clone(),
        ..filters_query(&o.filters)?
    };
    // A bad query, filter or code is reported before the journal is opened (and created).
    let probe = Query {
        limit: 1,
        ..query.clone()
    };
    if let Err(e) = search_all(&project, &index, &probe) {
        return Err(search_failed(e));
    }
    if project.codebook.resolve(&o.code).is_none() {
        let e = SearchError::Filter(project.codebook.unknown_code(&o.code));
        return Err(search_failed(e));
    }
    // A dry run only reads, so that it works while the coder has the TUI open.
    let mut journal = if o.dry_run {
        None
    } else {
        Some(project.open_journal(coder)?)
    };
    let empty = CoderState::new(coder);
    let existing = match &journal {
        Some(j) => &j.state,
        None => project.coders.get(coder).unwrap_or(&empty),
    };
    let options = AutocodeOptions {
        scope,
        include_interviewer: o.include_interviewer,
    };
    let plan = match plan_autocode_with(&project, &index, &query, &o.code, &options, existing) {
        Ok(plan) => plan,
        Err(e) => return Err(search_failed(e)),
    };
    for note in &plan.notes {
        eprintln!("codewerk: note: {note}");
    }
    let added = plan.codings.len();
    if let Some(j) = &mut journal {
        let ops: Vec<Op> = plan.codings.iter().cloned().map(Op::Add).collect();
        j.record(ops)
            .with_context(|| format!("cannot write {}", j.path.display()))?;
    }
    if o.json {
        let codings: Vec<_> = plan
            .codings
            .iter()
            .map(|c| json!({"transcript": c.transcript, "start": c.start, "end": c.end, "text": c.text}))
            .collect();
        return print_json(&json!({"coder": coder, "query": o.query, "code": plan.code,
            "scope": o.scope, "hits": plan.hits, "interviewer_hits": plan.interviewer_hits,
            "include_interviewer": o.include_interviewer, "added": added,
            "already_coded": plan.already_coded, "dry_run": o.dry_run, "codings": codings}));
    }
    if o.dry_run {
        for c in &plan.codings {
            let text: String = c
                .text
                .chars()
                .map(|ch| if ch.is_whitespace() { ' ' } else { ch })
                .collect();
            println!("{} {}-{}  {}", c.transcript, c.start, c.end, text);
        }
    }
    // Hits are turns, passages are what the scope makes of their matches (a turn can hold
    // several): said apart, so that coded + already coded adds up to the passages.
    let turns = if o.include_interviewer {
        "turn(s)"
    } else {
        "respondent turn(s)"
    };
    let (coded, were) = if o.dry_run {
        ("would be coded", "are")
    } else {
        ("coded", "were")
    };
    println!(
        "{coder}: {} {turns} match {}: {} passage(s) (scope {}), of which {added} {coded} with {} \
         and {} {were} already coded{}",
        plan.hits,
        o.query,
        added + plan.already_coded,
        o.scope,
        plan.code,
        plan.already_coded,
        if o.dry_run || added == 0 {
            String::new()
        } else {
            "; one undo takes them all back".to_string()
        },
    );
    if plan.interviewer_hits > 0 || (o.dry_run && !o.include_interviewer) {
        println!(
            "{} interviewer turn(s) that match left out (--include-interviewer to code them too)",
            plan.interviewer_hits
        );
    }
    Ok(())
}
