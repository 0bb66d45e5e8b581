//! `codewerk kwic`: keyword in context, as aligned text, JSON or CSV.

use super::print_json;
use super::search::{filters_query, load_searchable, open_index, search_failed};
use crate::cli::KwicOpt;
use anyhow::Result;
use codewerk::core::export::table::{Cell, Column, Row, Table, to_csv};
use codewerk::core::index::{Index, Query, Source};
use codewerk::core::kwic::{KwicLine, KwicOptions, KwicSort, kwic};
use serde_json::json;
use std::io::Write;
use std::path::Path;
use unicode_width::UnicodeWidthStr;

pub fn run(root: &Path, o: &KwicOpt) -> Result<()> {
    // As `search`: an index known to be up to date answers alone, reading only the
    // transcripts with hits (see `core::index::fresh`).
    if let Some((index, light)) = Index::open_fresh(root) {
        return answer(&light, &index, o);
    }
    let project = load_searchable(root)?;
    let index = open_index(&project)?;
    answer(&project, &index, o)
}

fn answer<S: Source>(project: &S, index: &Index, o: &KwicOpt) -> Result<()> {
    let sort: KwicSort = o.sort.parse().map_err(anyhow::Error::msg)?;
    let query = Query {
        text: o.query.clone(),
        ..filters_query(&o.filters)?
    };
    let options = KwicOptions {
        width: o.width,
        sort,
        include_interviewer: o.include_interviewer,
    };
    let mut k = kwic(project, index, &query, &options).map_err(search_failed)?;
    for note in &k.notes {
        eprintln!("codewerk: note: {note}");
    }
    let total = k.lines.len();
    if o.limit > 0 {
        k.lines.truncate(o.limit);
    }
    if o.json {
        return print_json(&json!({
            "query": o.query,
            "total": total,
            "interviewer_lines": k.interviewer_lines,
            "lines": k.lines,
        }));
    }
    if o.csv {
        let bytes = to_csv(&table(&k.lines), false)?;
        std::io::stdout().write_all(&bytes)?;
        return Ok(());
    }
    print!("{}", aligned(&k.lines));
    let left_out = if k.interviewer_lines > 0 {
        format!(
            " ({} in interviewer turns left out; --include-interviewer shows them)",
            k.interviewer_lines
        )
    } else {
        String::new()
    };
    match total {
        0 => println!("No occurrences of {}{left_out}.", o.query),
        n if n == k.lines.len() => println!("{n} occurrence(s){left_out}."),
        n => println!("{} of {n} occurrences shown{left_out}.", k.lines.len()),
    }
    Ok(())
}

/// One line per occurrence: place, left context right-aligned, the keyword, right context.
fn aligned(lines: &[KwicLine]) -> String {
    let place = |l: &KwicLine| {
        let speaker = l
            .speaker
            .as_deref()
            .map(|s| format!(" {s}"))
            .unwrap_or_default();
        format!("{} {}{speaker}", l.transcript, l.group)
    };
    let pw = lines.iter().map(|l| place(l).width()).max().unwrap_or(0);
    let lw = lines.iter().map(|l| l.left.width()).max().unwrap_or(0);
    let mut out = String::new();
    for l in lines {
        let p = place(l);
        out += &format!(
            "{p}{}  {}{}  [{}]  {}\n",
            " ".repeat(pw - p.width()),
            " ".repeat(lw - l.left.width()),
            l.left,
            l.keyword,
            l.right
        );
    }
    out
}

fn table(lines: &[KwicLine]) -> Table {
    let names = [
        "transcript",
        "respondent",
        "group",
        "school",
        "school_type",
        "speaker",
        "start",
        "end",
        "left",
        "keyword",
        "right",
    ];
    let rows = lines
        .iter()
        .map(|l| Row {
            sheet: 0,
            cells: vec![
                Cell::text(&l.transcript),
                Cell::text(&l.respondent),
                Cell::text(&l.group),
                Cell::text(&l.school),
                Cell::text(&l.school_type),
                Cell::text(l.speaker.clone().unwrap_or_default()),
                Cell::Int(l.start as u64),
                Cell::Int(l.end as u64),
                Cell::text(&l.left),
                Cell::text(&l.keyword),
                Cell::text(&l.right),
            ],
        })
        .collect();
    Table {
        columns: names.iter().map(|n| Column::new(*n, 12.0)).collect(),
        rows,
        sheets: vec!["kwic".into()],
    }
}
