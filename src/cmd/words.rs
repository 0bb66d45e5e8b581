//! `codewerk words`: word frequencies per group, and the words one group uses more.

use super::{invalid, load_valid, problems};
use crate::cli::{WordsFormat, WordsOpt};
use anyhow::{Context, Result};
use codewerk::core::export::table::{Cell, Column, Row, Table, to_csv, to_xlsx};
use codewerk::core::fsutil;
use codewerk::core::stopwords::{self, StopWords};
use codewerk::core::words::{Frequencies, Keyness, WordsOptions, compare, frequencies, part_of};
use serde_json::json;
use std::io::Write;
use std::path::Path;
use unicode_width::UnicodeWidthStr;

pub fn run(root: &Path, o: &WordsOpt) -> Result<()> {
    if o.init_stopwords {
        let path = root.join(stopwords::PROJECT_FILE);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        fsutil::write_new(&path, stopwords::BUILTIN_TEXT.as_bytes()).with_context(|| {
            format!("cannot write {} (it is never overwritten)", path.display())
        })?;
        println!(
            "wrote the shipped stop words to {}; edit it to change the list",
            path.display()
        );
        return Ok(());
    }
    if o.format == WordsFormat::Xlsx && o.out.is_none() {
        return Err(invalid("--format xlsx needs --out FILE.xlsx"));
    }
    let project = load_valid(root)?;
    let stop = match StopWords::for_project(root) {
        Ok(s) => s,
        Err(p) => {
            return Err(problems(vec![p], ""));
        }
    };
    let options = WordsOptions {
        by: o.by.clone(),
        stems: o.stems,
        min_length: o.min_length,
        include_interviewer: o.include_interviewer,
    };
    let f = frequencies(&project, &options, &stop).map_err(|e| invalid(format!("{e}")))?;
    let top = |n: usize| if o.top == 0 { n } else { o.top.min(n) };
    let bytes: Vec<u8> = if let Some(value) = &o.compare {
        let mut rows = compare(&f, value).map_err(|e| invalid(format!("{e}")))?;
        rows.truncate(top(rows.len()));
        match o.format {
            WordsFormat::Json => serde_json::to_vec_pretty(&json!({
                "by": f.by, "compare": value, "measure": "log-likelihood G2, log ratio",
                "words": rows,
            }))?,
            WordsFormat::Csv => to_csv(&compare_table(&rows), false)?,
            WordsFormat::Xlsx => to_xlsx(&compare_table(&rows))?,
            WordsFormat::Text => compare_text(&f, value, &rows).into_bytes(),
        }
    } else {
        let n = top(f.words.len());
        match o.format {
            WordsFormat::Json => serde_json::to_vec_pretty(&json!({
                "by": f.by, "parts": f.parts, "total_words": f.total_words,
                "stopwords": stop.source.as_ref().map_or("shipped".to_string(), |p| p.display().to_string()),
                "words": &f.words[..n],
            }))?,
            WordsFormat::Csv => to_csv(&freq_table(&f, n), false)?,
            WordsFormat::Xlsx => to_xlsx(&freq_table(&f, n))?,
            WordsFormat::Text => freq_text(&f, n, &stop, o.include_interviewer).into_bytes(),
        }
    };
    match &o.out {
        Some(path) => {
            fsutil::write_new(path, &bytes).with_context(|| {
                format!("cannot write {} (it is never overwritten)", path.display())
            })?;
            eprintln!("codewerk: wrote {}", path.display());
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(())
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(s.width())))
}

fn freq_text(f: &Frequencies, n: usize, stop: &StopWords, interviewer: bool) -> String {
    let turns = if interviewer {
        "all turns"
    } else {
        "respondent turns"
    };
    let respondents: usize = f.parts.iter().map(|p| p.respondents).sum();
    let list = match &stop.source {
        Some(p) => format!("{} ({} words)", p.display(), stop.len()),
        None => format!(
            "the shipped list ({} words; `--init-stopwords` to edit)",
            stop.len()
        ),
    };
    let mut out = format!(
        "Words in {turns} of {respondents} respondents ({} words), by {}; stop words: {list}.\n\n",
        f.total_words, f.by
    );
    let ww = f.words[..n]
        .iter()
        .map(|w| w.word.width())
        .max()
        .unwrap_or(4)
        .max(4);
    let heads: Vec<String> = f
        .parts
        .iter()
        .map(|p| format!("{} ({})", p.label, p.respondents))
        .collect();
    let cells = |w: &codewerk::core::words::WordRow| -> Vec<String> {
        w.parts
            .iter()
            .zip(&f.parts)
            .map(|(c, p)| format!("{} · {}/{}", c.count, c.respondents, p.respondents))
            .collect()
    };
    let widths: Vec<usize> = heads
        .iter()
        .enumerate()
        .map(|(k, h)| {
            f.words[..n]
                .iter()
                .map(|w| cells(w)[k].width())
                .chain([h.width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    out += &format!("{}  {:>6}  {:>8}", pad("word", ww), "count", "used by");
    for (h, w) in heads.iter().zip(&widths) {
        out += &format!("  {}", pad(h, *w));
    }
    out = out.trim_end().to_string() + "\n";
    for w in &f.words[..n] {
        let mut line = format!(
            "{}  {:>6}  {:>8}",
            pad(&w.word, ww),
            w.count,
            format!("{}/{respondents}", w.respondents)
        );
        for (c, width) in cells(w).iter().zip(&widths) {
            line += &format!("  {}", pad(c, *width));
        }
        out += line.trim_end();
        out += "\n";
    }
    if f.words.len() > n {
        out += &format!(
            "({} of {} words shown; --top 0 for all)\n",
            n,
            f.words.len()
        );
    }
    out
}

fn compare_text(f: &Frequencies, value: &str, rows: &[Keyness]) -> String {
    // The group's own name, not the user's spelling of it.
    let label = part_of(f, value)
        .and_then(|k| f.parts.get(k))
        .map_or(value, |p| p.label.as_str());
    let mut out = format!(
        "Words {label} use more than the other respondents (log-likelihood G²; 3.84 is p < 0.05, \
         6.63 p < 0.01, 10.83 p < 0.001; log ratio 1 = twice as often):\n\n"
    );
    let ww = rows
        .iter()
        .map(|w| w.word.width())
        .max()
        .unwrap_or(4)
        .max(4);
    out += &format!(
        "{}  {:>6}  {:>6}  {:>8}  {:>9}  {}\n",
        pad("word", ww),
        "here",
        "rest",
        "G²",
        "log ratio",
        "used by"
    );
    for r in rows {
        out += &format!(
            "{}  {:>6}  {:>6}  {:>8.2}  {:>9.2}  {} of {} {label}\n",
            pad(&r.word, ww),
            r.count,
            r.rest,
            r.g2,
            r.log_ratio,
            r.respondents,
            r.of
        );
    }
    if rows.is_empty() {
        out += "(none)\n";
    }
    out
}

fn freq_table(f: &Frequencies, n: usize) -> Table {
    let mut columns = vec![
        Column::new("word", 24.0),
        Column::new("counted_as", 24.0),
        Column::new("count", 8.0),
        Column::new("respondents", 12.0),
    ];
    for p in &f.parts {
        columns.push(Column::new(format!("{} count", p.label), 12.0));
        columns.push(Column::new(format!("{} respondents", p.label), 12.0));
        columns.push(Column::new(format!("{} of", p.label), 8.0));
    }
    let rows = f.words[..n]
        .iter()
        .map(|w| {
            let mut cells = vec![
                Cell::text(&w.word),
                Cell::text(&w.key),
                Cell::Int(w.count as u64),
                Cell::Int(w.respondents as u64),
            ];
            for (c, p) in w.parts.iter().zip(&f.parts) {
                cells.push(Cell::Int(c.count as u64));
                cells.push(Cell::Int(c.respondents as u64));
                cells.push(Cell::Int(p.respondents as u64));
            }
            Row { sheet: 0, cells }
        })
        .collect();
    Table {
        columns,
        rows,
        sheets: vec!["words".into()],
    }
}

fn compare_table(rows: &[Keyness]) -> Table {
    let names = [
        "word",
        "counted_as",
        "count",
        "rest",
        "respondents",
        "of",
        "g2",
        "log_ratio",
    ];
    Table {
        columns: names.iter().map(|n| Column::new(*n, 12.0)).collect(),
        rows: rows
            .iter()
            .map(|r| Row {
                sheet: 0,
                cells: vec![
                    Cell::text(&r.word),
                    Cell::text(&r.key),
                    Cell::Int(r.count as u64),
                    Cell::Int(r.rest as u64),
                    Cell::Int(r.respondents as u64),
                    Cell::Int(r.of as u64),
                    Cell::text(format!("{:.3}", r.g2)),
                    Cell::text(format!("{:.3}", r.log_ratio)),
                ],
            })
            .collect(),
        sheets: vec!["compare".into()],
    }
}
