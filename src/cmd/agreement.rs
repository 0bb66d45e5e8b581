//! `codewerk agreement A B [C...]`: inter-coder agreement as a table, CSV or JSON, or the list
//! of A and B's disagreements.

use super::{invalid, print_json};
use crate::cli::{AgreementBy, AgreementOpt};
use anyhow::Result;
use codewerk::core::agreement::{
    AgreementError, By, CodeDisagreements, Comparison, Input, Options, Report, Row, Scope,
    fold_subcodes,
};
use std::path::Path;
use unicode_width::UnicodeWidthStr;

pub fn run(root: &Path, o: &AgreementOpt) -> Result<()> {
    // Agreement compares offsets within each transcript's length, which the transcript cache
    // keeps: no text is read, and a coding made on the version its transcript has is taken as
    // on its words (`Project::load_lazy`). Only the compared coders' journals are read.
    let project = super::valid(super::load_lazy_for(root, &o.coders)?)?;
    let done = compare(&project, o);
    super::leave(project);
    done
}

fn compare(project: &codewerk::core::project::Project, o: &AgreementOpt) -> Result<()> {
    let options = Options {
        codes: o.codes.clone(),
        overlap: o.overlap,
        scope: if o.all_transcripts {
            Scope::AllTranscripts
        } else {
            Scope::CodedByAll
        },
        merge_overlapping: !o.keep_overlapping,
    };
    let folded: Vec<codewerk::core::coding::CoderState>;
    let made = if o.fold_subcodes {
        // The same checks of the coder names as without folding, then the folded copies.
        match Comparison::from_project(project, &o.coders, options.clone()) {
            Err(e) => Err(e),
            Ok(_) => {
                folded = o
                    .coders
                    .iter()
                    .filter_map(|c| project.coders.get(c))
                    .map(|s| fold_subcodes(project, s))
                    .collect();
                let mut input = Input::from_project(project, folded.iter().collect());
                input.top_level_only(project);
                Comparison::new(input, options)
            }
        }
    } else {
        Comparison::from_project(project, &o.coders, options)
    };
    let cmp = match made {
        Ok(c) => c,
        // Said as every command says an unknown code (the comparison knows only the codes).
        Err(AgreementError::UnknownCode(c)) => {
            return Err(invalid(project.codebook.unknown_code(&c)));
        }
        Err(e) => {
            return Err(invalid(e.to_string()));
        }
    };
    if o.list {
        let all = cmp.all_disagreements();
        if o.json {
            return print_json(&all);
        }
        if o.csv {
            return write_list_csv(&all);
        }
        print!("{}", render_list(&cmp.coders, &all));
        return Ok(());
    }
    let by = match o.by {
        AgreementBy::Code => By::Code,
        AgreementBy::Transcript => By::Transcript,
        AgreementBy::Group => By::Group,
    };
    let report = cmp.report(by);
    if o.json {
        return print_json(&report);
    }
    if o.csv {
        return write_csv(&report);
    }
    print!("{}", render(&report));
    Ok(())
}

fn coef(x: Option<f64>) -> String {
    x.map_or_else(|| "undefined".to_string(), |v| format!("{v:.3}"))
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "undefined".to_string(), |v| format!("{v:.1}%"))
}

fn joined(row: &Row, f: impl Fn(&codewerk::core::agreement::CoderBase) -> u64) -> String {
    row.coders
        .iter()
        .map(|c| f(c).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

fn cells(r: &Row) -> Vec<String> {
    vec![
        codewerk::core::text::fit(&r.label, 32),
        joined(r, |c| c.passages),
        joined(r, |c| c.coded_chars),
        pct(r.percent),
        coef(r.kappa),
        coef(r.alpha),
        coef(r.alpha_nominal),
        format!(
            "{} of {}",
            r.segments.matched,
            r.segments.matched + r.segments.unmatched
        ),
        pct(r.segments.percent),
        coef(r.segments.kappa_bp),
        r.disagreements.to_string(),
    ]
}

fn names(coders: &[String]) -> String {
    match coders {
        [a, b] => format!("{a} (A) and {b} (B)"),
        [a, b, rest @ ..] => format!("{a} (A), {b} (B) and {}", rest.join(", ")),
        _ => coders.join(", "),
    }
}

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let by = match r.by {
        By::Code => "code",
        By::Transcript => "transcript",
        By::Group => "group",
    };
    out += &format!("Agreement of {}, by {by}\n", names(&r.coders));
    let chars = r.pooled.characters;
    out += &format!(
        "Compared: {} of {} transcripts ({chars} characters), {} code(s).\n",
        r.transcripts.len(),
        r.transcripts_total,
        r.codes.len()
    );
    if !r.not_compared.is_empty() {
        let list: Vec<String> = r
            .not_compared
            .iter()
            .map(|n| format!("{} ({} only)", n.transcript, n.coded_by.join(", ")))
            .collect();
        out += &format!(
            "Not compared, as not every coder has worked on them: {}.\n",
            list.join(", ")
        );
    }
    if r.orphaned_excluded > 0 {
        out += &format!(
            "Left out: {} coding(s) whose text is no longer in the transcript (see `codewerk check`).\n",
            r.orphaned_excluded
        );
    }
    if r.transcripts.is_empty() {
        out += "No transcript has been worked on by every coder: nothing to compare \
                (--all-transcripts compares all).\n";
        return out;
    }
    out += "\n";
    let first = match r.by {
        By::Code => "Code",
        By::Transcript => "Transcript",
        By::Group => "Group",
    };
    let header: Vec<String> = [
        first,
        "Passages",
        "Coded chars",
        "% agree",
        "Kappa",
        "Alpha",
        "Alpha nom.",
        "Segments",
        "Seg. %",
        "Kappa BP",
        "Disagr.",
    ]
    .iter()
    .map(std::string::ToString::to_string)
    .collect();
    let body: Vec<Vec<String>> = r.rows.iter().map(cells).collect();
    let pooled = cells(&r.pooled);
    let all: Vec<&Vec<String>> = std::iter::once(&header)
        .chain(&body)
        .chain([&pooled])
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| all.iter().map(|row| row[i].width()).max().unwrap_or(0))
        .collect();
    let line = |row: &Vec<String>| {
        let mut s = String::new();
        for (i, cell) in row.iter().enumerate() {
            let pad = " ".repeat(widths[i] - cell.width());
            if i == 0 {
                s += &format!("{cell}{pad}");
            } else {
                s += &format!("  {pad}{cell}");
            }
        }
        s.trim_end().to_string() + "\n"
    };
    out += &line(&header);
    for row in &body {
        out += &line(row);
    }
    out += &"-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1));
    out += "\n";
    out += &line(&pooled);
    out += "\n";
    let order = if r.coders.len() == 2 {
        "A/B".to_string()
    } else {
        r.coders.join("/")
    };
    out += &format!("Passages, Coded chars: per coder ({order}).\n");
    out += "% agree, Kappa (Cohen's): A and B; every character x code is a unit.\n";
    out += &format!(
        "Alpha: Krippendorff's, {} coders, binary per code; nominal: the combination of codes.\n",
        r.coders.len()
    );
    out += &format!(
        "Segments: passages of A and B matched by a passage of the other with the same code\n  \
         overlapping at least {}% (intersection/union). Kappa BP: Brennan & Prediger, chance 1/{}.\n",
        r.overlap,
        r.codes.len()
    );
    out += "undefined: nothing coded (or no variation) to compute it from.\n";
    out
}

fn num(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

fn write_csv(r: &Report) -> Result<()> {
    let mut w = csv::Writer::from_writer(std::io::stdout().lock());
    let mut header: Vec<String> = ["kind", "key", "label", "characters", "units"]
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    header.extend(r.coders.iter().map(|c| format!("passages_{c}")));
    header.extend(r.coders.iter().map(|c| format!("coded_chars_{c}")));
    header.extend(
        [
            "both",
            "a_only",
            "b_only",
            "neither",
            "percent",
            "kappa",
            "alpha",
            "alpha_nominal",
            "segments_matched",
            "segments_unmatched",
            "segments_percent",
            "segments_kappa_bp",
            "disagreements",
        ]
        .iter()
        .map(std::string::ToString::to_string),
    );
    w.write_record(&header)?;
    let kind = match r.by {
        By::Code => "code",
        By::Transcript => "transcript",
        By::Group => "group",
    };
    for (k, row) in r
        .rows
        .iter()
        .map(|row| (kind, row))
        .chain([("pooled", &r.pooled)])
    {
        let mut rec: Vec<String> = vec![
            k.to_string(),
            row.key.clone(),
            row.label.clone(),
            row.characters.to_string(),
            row.units.to_string(),
        ];
        rec.extend(row.coders.iter().map(|c| c.passages.to_string()));
        rec.extend(row.coders.iter().map(|c| c.coded_chars.to_string()));
        rec.extend([
            row.table.both.to_string(),
            row.table.a_only.to_string(),
            row.table.b_only.to_string(),
            row.table.neither.to_string(),
            num(row.percent),
            num(row.kappa),
            num(row.alpha),
            num(row.alpha_nominal),
            row.segments.matched.to_string(),
            row.segments.unmatched.to_string(),
            num(row.segments.percent),
            num(row.segments.kappa_bp),
            row.disagreements.to_string(),
        ]);
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

fn quote(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("\"{}\"", codewerk::core::text::fit(&one_line, 60))
}

fn render_list(coders: &[String], all: &[CodeDisagreements]) -> String {
    let mut out = format!("Disagreements of {}\n", names(&coders[..2]));
    let total: usize = all.iter().map(|c| c.items.len()).sum();
    if total == 0 {
        out += "None: on every code compared, both coders have exactly the same passages.\n";
        return out;
    }
    for c in all.iter().filter(|c| !c.items.is_empty()) {
        out += &format!("\n{} ({}): {}\n", c.name, c.code, c.items.len());
        for d in &c.items {
            out += &format!(
                "  {} {}..{}  {}\n",
                d.transcript,
                d.start,
                d.end,
                d.kind.label()
            );
            for p in &d.a {
                out += &format!("      A {}..{} {}\n", p.start, p.end, quote(&p.text));
            }
            for p in &d.b {
                out += &format!("      B {}..{} {}\n", p.start, p.end, quote(&p.text));
            }
        }
    }
    out
}

fn write_list_csv(all: &[CodeDisagreements]) -> Result<()> {
    let mut w = csv::Writer::from_writer(std::io::stdout().lock());
    w.write_record([
        "code",
        "transcript",
        "kind",
        "start",
        "end",
        "a",
        "b",
        "disputed_chars",
    ])?;
    for c in all {
        for d in &c.items {
            let spans = |cs: &[codewerk::Coding]| {
                cs.iter()
                    .map(|p| format!("{}..{}", p.start, p.end))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            w.write_record([
                c.code.clone(),
                d.transcript.clone(),
                d.kind.label().to_string(),
                d.start.to_string(),
                d.end.to_string(),
                spans(&d.a),
                spans(&d.b),
                d.disputed_chars().to_string(),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}
