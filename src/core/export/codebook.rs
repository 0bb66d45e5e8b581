//! `export codebook`: the codebook as a methods appendix. Per deelvraag, the code tree with each
//! code's colour (a swatch in HTML, the cell's colour in xlsx), definition, inclusion and
//! exclusion criteria, example, whether it was added inductively, the respondents per group who
//! have it (own, and with its sub-codes), and the coder's memo on it.

use super::ExportError;
use super::report::md_escape;
use super::table::{self, Cell, Column, Row, Table};
use crate::core::project::Project;
use crate::core::summary::{CodeStats, code_stats};
use maud::{DOCTYPE, PreEscaped, html};
use std::fmt::Write;

/// Render the codebook for `coder`'s counts and memos as md, html or xlsx.
pub fn render(p: &Project, coder: &str, format: super::Format) -> Result<Vec<u8>, ExportError> {
    let stats = code_stats(p, coder, false);
    let memo = |id: &str| {
        p.coders
            .get(coder)
            .and_then(|s| s.code_memos.get(id))
            .cloned()
            .unwrap_or_default()
    };
    match format {
        super::Format::Xlsx => xlsx(p, &stats.codes, &memo),
        super::Format::Html => Ok(html(p, coder, &stats.codes, &memo).into_bytes()),
        _ => Ok(markdown(p, coder, &stats.codes, &memo).into_bytes()),
    }
}

/// The codes that have sub-codes: looked up per code, so gathered once (a scan per code was
/// quadratic in a codebook of 10,000 codes).
fn parents(codes: &[CodeStats]) -> std::collections::HashSet<&str> {
    codes.iter().filter_map(|c| c.parent.as_deref()).collect()
}

/// "docenten 12 of 27 (20 with sub-codes)".
fn counts(c: &CodeStats, sub: bool) -> Vec<String> {
    c.by_group
        .iter()
        .zip(&c.with_subcodes.by_group)
        .map(|(g, r)| {
            let mut s = format!("{} {} of {}", g.plural, g.respondents, g.of);
            if sub {
                let _ = write!(s, " ({} with sub-codes)", r.respondents);
            }
            s
        })
        .collect()
}

fn parts(p: &Project, id: &str) -> Vec<(&'static str, String)> {
    let cb = &p.codebook;
    let crit = cb.criteria_of(id);
    [
        (
            "Definition",
            cb.code(id)
                .map(|c| c.description.clone())
                .unwrap_or_default(),
        ),
        ("Inclusion", crit.inclusion),
        ("Exclusion", crit.exclusion),
        ("Example", crit.example),
    ]
    .into_iter()
    .filter(|(_, t)| !t.trim().is_empty())
    .collect()
}

fn markdown(
    p: &Project,
    coder: &str,
    codes: &[CodeStats],
    memo: &dyn Fn(&str) -> String,
) -> String {
    let cb = &p.codebook;
    let parents = parents(codes);
    let mut out = format!(
        "# Codebook\n\n{} code(s) in {} deelvragen. Counts: respondents with a passage of the \
         code, coder {}.\n",
        cb.codes.len(),
        cb.deelvragen.len(),
        md_escape(coder)
    );
    for d in &cb.deelvragen {
        let _ = writeln!(out, "\n## {}. {}\n", d.number, md_escape(&d.title));
        if !d.question.is_empty() {
            let _ = writeln!(out, "*{}*\n", md_escape(&d.question));
        }
        for c in codes.iter().filter(|c| c.deelvraag == d.number) {
            let Some(code) = cb.code(&c.code) else {
                continue;
            };
            let indent = "  ".repeat(c.depth);
            let kind = if code.inductive {
                "inductive"
            } else {
                "deductive"
            };
            let _ = writeln!(
                out,
                "{indent}- **{}** ({}, {}, {kind})",
                md_escape(&code.name),
                md_escape(&code.id),
                code.colour
            );
            for (label, text) in parts(p, &c.code) {
                let _ = writeln!(
                    out,
                    "{indent}  - *{label}:* {}",
                    md_escape(&text.replace('\n', " "))
                );
            }
            let _ = writeln!(
                out,
                "{indent}  - *Respondents:* {}",
                md_escape(&counts(c, parents.contains(c.code.as_str())).join(" · "))
            );
            let m = memo(&c.code);
            if !m.is_empty() {
                let _ = writeln!(
                    out,
                    "{indent}  - *Memo:* {}",
                    md_escape(&m.replace('\n', " "))
                );
            }
        }
    }
    out
}

const CSS: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}\
.code{margin:.8rem 0}.swatch{display:inline-block;width:1rem;height:1rem;border:1px solid #999;\
vertical-align:middle;margin-right:.4rem}.meta,.counts{color:#555}dd{margin-left:1.5rem}";

/// With maud every `(value)` is escaped, attributes included; see `report::html`.
fn html(p: &Project, coder: &str, codes: &[CodeStats], memo: &dyn Fn(&str) -> String) -> String {
    let cb = &p.codebook;
    let parents = parents(codes);
    html! {
        (DOCTYPE) "\n"
        html lang="nl" {
            "\n"
            head {
                "\n"
                meta charset="utf-8"; "\n"
                title { "Codebook" } "\n"
                style { (PreEscaped(CSS)) } "\n"
            }
            "\n"
            body {
                "\n"
                h1 { "Codebook" } "\n"
                p class="meta" { "Counts: respondents with a passage of the code, coder " (coder) "." } "\n"
                @for d in &cb.deelvragen {
                    h2 { (d.number) ". " (d.title) } "\n"
                    @if !d.question.is_empty() {
                        p { em { (d.question) } } "\n"
                    }
                    @for (c, code) in codes
                        .iter()
                        .filter(|c| c.deelvraag == d.number)
                        .filter_map(|c| Some((c, cb.code(&c.code)?)))
                    {
                        div class="code" style={ "margin-left:" (1.5 * c.depth as f64) "rem" } {
                            span class="swatch" style={ "background:" (code.colour) } {}
                            strong { (code.name) }
                            " "
                            span class="meta" {
                                (code.id) " · " (code.colour) " · "
                                (if code.inductive { "inductive" } else { "deductive" })
                            }
                            dl {
                                @for (label, text) in parts(p, &c.code) {
                                    dt { (label) } dd { (text) }
                                }
                                dt { "Respondents" }
                                dd class="counts" { (counts(c, parents.contains(c.code.as_str())).join(" · ")) }
                                @let m = memo(&c.code);
                                @if !m.is_empty() {
                                    dt { "Memo" } dd { (m) }
                                }
                            }
                        } "\n"
                    }
                }
            }
            "\n"
        }
        "\n"
    }
    .into_string()
}

fn xlsx(
    p: &Project,
    codes: &[CodeStats],
    memo: &dyn Fn(&str) -> String,
) -> Result<Vec<u8>, ExportError> {
    let cb = &p.codebook;
    let mut columns = vec![
        Column::new("deelvraag", 4.0),
        Column::new("code_id", 14.0),
        Column::new("code", 26.0),
        Column::new("path", 30.0),
        Column::new("depth", 4.0),
        Column::new("colour", 9.0),
        Column::new("inductive", 6.0),
        Column::wrapped("description", 40.0),
        Column::wrapped("inclusion", 30.0),
        Column::wrapped("exclusion", 30.0),
        Column::wrapped("example", 30.0),
    ];
    let groups = p.groups();
    for g in &groups {
        columns.push(Column::new(format!("respondents_{g}"), 8.0));
        columns.push(Column::new(format!("respondents_with_subcodes_{g}"), 8.0));
    }
    columns.push(Column::wrapped("memo", 40.0));
    let rows = codes
        .iter()
        .filter_map(|c| {
            let code = cb.code(&c.code)?;
            let crit = cb.criteria_of(&c.code);
            let mut cells = vec![
                Cell::Int(code.deelvraag.into()),
                Cell::text(&code.id),
                Cell::Coloured(code.name.clone(), code.colour),
                Cell::text(&c.path),
                Cell::Int(c.depth as u64),
                Cell::text(code.colour.to_string()),
                Cell::text(if code.inductive { "yes" } else { "no" }),
                Cell::text(&code.description),
                Cell::text(crit.inclusion),
                Cell::text(crit.exclusion),
                Cell::text(crit.example),
            ];
            for (g, r) in c.by_group.iter().zip(&c.with_subcodes.by_group) {
                cells.push(Cell::Int(g.respondents as u64));
                cells.push(Cell::Int(r.respondents as u64));
            }
            cells.push(Cell::text(memo(&c.code)));
            Some(Row { sheet: 0, cells })
        })
        .collect();
    table::to_xlsx(&Table {
        columns,
        rows,
        sheets: vec!["codebook".into()],
    })
}

#[cfg(test)]
mod tests {
    use super::super::report::tests::{ESCAPED, HOSTILE, project_saying};
    use super::*;

    fn html_saying(text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let p = project_saying(dir.path(), text);
        String::from_utf8(render(&p, "ann", super::super::Format::Html).unwrap()).unwrap()
    }

    #[test]
    fn hostile_text_is_escaped_everywhere_in_the_html_codebook() {
        let hostile = html_saying(HOSTILE);
        assert!(
            !hostile.contains("<script") && !hostile.contains("\"x&"),
            "{hostile}"
        );
        for place in [
            format!("<h2>1. {ESCAPED}</h2>"),
            format!("<strong>{ESCAPED}0</strong>"),
            format!("<dt>Exclusion</dt><dd>{ESCAPED}</dd>"),
            format!("<dt>Memo</dt><dd>{ESCAPED}</dd>"),
            format!("<dd class=\"counts\">{ESCAPED} docent 1 of 3"),
        ] {
            assert!(hostile.contains(&place), "{place} in {hostile}");
        }
        assert_eq!(hostile.replace(ESCAPED, "X"), html_saying("X"));
    }
}
