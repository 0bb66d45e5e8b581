//! `export report`: a draft results chapter, as Markdown or as one self-contained HTML file
//! (inline CSS, no scripts, no external files: it opens in any browser without a server).
//!
//! Per respondent group, per deelvraag, per code: "N of M <group plural>", the split by school
//! type, and the quotes, each with the respondent id and school type. Codes nobody in the group
//! mentioned are listed after the deelvraag's codes. An overview table (codes × groups) comes
//! first.

use super::clusters::{Quote, of_code};
use super::matrix::{CodeMatrix, Columns, code_matrix_of};
use super::words::{Lang, Noun, Words};
use super::{Count, ExportError, Format, Request, Selection, Tally};
use crate::core::codebook::{Code, Rgb};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use std::fmt::Write;

/// The report's content, before it is written as Markdown or HTML.
#[derive(Debug, Clone)]
pub struct Report<'p> {
    pub title: String,
    pub coder: String,
    pub has_journal: bool,
    /// What the filter kept, e.g. "deelvraag 1; group docent", or empty.
    pub filter: String,
    /// Passages left out because they lie wholly in interviewer turns.
    pub interviewer_left_out: usize,
    pub overview: CodeMatrix,
    pub groups: Vec<GroupSection<'p>>,
    /// What "N of M" counts and what the sections are (`--by`).
    pub unit: super::split::Unit,
    pub by: String,
    /// The language of the fixed words, and numbers as words.
    pub words: Words,
}

#[derive(Debug, Clone)]
pub struct GroupSection<'p> {
    pub group: String,
    pub plural: String,
    /// The group's noun in the report's language (singular for a count of 1).
    pub noun: Noun,
    pub size: usize,
    pub deelvragen: Vec<DeelvraagSection<'p>>,
}

#[derive(Debug, Clone)]
pub struct DeelvraagSection<'p> {
    pub number: u32,
    pub title: String,
    pub question: String,
    /// Codes at least one respondent of the group mentioned, in codebook order.
    pub codes: Vec<CodeSection<'p>>,
    /// Codes no respondent of the group mentioned.
    pub not_mentioned: Vec<&'p Code>,
}

#[derive(Debug, Clone)]
pub struct CodeSection<'p> {
    pub code: &'p Code,
    /// 0 for a top-level code, 1 for a sub-code, ...
    pub depth: usize,
    /// "Signalen herkennen › Ander gedrag".
    pub path: String,
    /// Respondents with a passage of this code itself.
    pub count: Count,
    /// The respondents (or schools) behind `count`.
    pub ids: Vec<String>,
    /// For a code with sub-codes: respondents with a passage of the code or any sub-code.
    pub with_subcodes: Option<Count>,
    /// The definition: ("Definition", description), ("Inclusion", …), … where given.
    pub definition: Vec<(&'static str, String)>,
    /// The coder's memo on the code.
    pub memo: Option<String>,
    /// School types with respondents in the group, and their counts.
    pub by_school_type: Vec<(String, Count)>,
    pub quotes: Vec<Quote>,
    /// With `--key-quotes`: how the quotes were chosen (None: all quotes are shown).
    pub chosen: Option<Chosen>,
}

/// How a code section's quotes were chosen with `--key-quotes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chosen {
    /// The passages the coder marked as key quotes.
    Marked,
    /// None marked: the shortest `n` of `of`.
    Shortest { n: usize, of: usize },
}

/// `--key-quotes`: the marked key quotes, or, when none of these is marked, the `fallback`
/// shortest (by characters; the earlier one first when two are as long), in their order.
pub fn choose_quotes(
    quotes: Vec<Quote>,
    marked: &std::collections::BTreeSet<crate::core::coding::CodingId>,
    fallback: usize,
) -> (Vec<Quote>, Chosen) {
    let key: Vec<Quote> = quotes
        .iter()
        .filter(|q| marked.contains(&q.coding))
        .cloned()
        .collect();
    if !key.is_empty() {
        return (key, Chosen::Marked);
    }
    let of = quotes.len();
    let mut by_length: Vec<usize> = (0..of).collect();
    by_length.sort_by_key(|&i| (quotes[i].text.chars().count(), i));
    by_length.truncate(fallback);
    by_length.sort_unstable();
    let n = by_length.len();
    let short = by_length.into_iter().map(|i| quotes[i].clone()).collect();
    (short, Chosen::Shortest { n, of })
}

pub fn build<'p>(sel: &Selection<'p>, tally: &Tally) -> Report<'p> {
    build_with(sel, tally, None, Words::default())
}

/// The report, with `key_quotes` = `Some(fallback)` for `--key-quotes`, in the words given.
pub fn build_with<'p>(
    sel: &Selection<'p>,
    tally: &Tally,
    key_quotes: Option<usize>,
    words: Words,
) -> Report<'p> {
    let p = sel.project;
    let empty = std::collections::BTreeSet::new();
    let marked = p.coders.get(&tally.coder).map_or(&empty, |s| &s.key_quotes);
    let mut groups = Vec::new();
    for (b, bucket) in sel.split.buckets.iter().enumerate() {
        let g = &bucket.key;
        let mut deelvragen = Vec::new();
        for d in &sel.deelvragen {
            let mut section = DeelvraagSection {
                number: d.number,
                title: d.title.clone(),
                question: d.question.clone(),
                codes: Vec::new(),
                not_mentioned: Vec::new(),
            };
            for (c, code) in sel
                .codes
                .iter()
                .enumerate()
                .filter(|(_, c)| c.deelvraag == d.number)
            {
                let count = sel.count(tally, c, |r| sel.in_bucket(b, r));
                let with_subcodes = sel
                    .has_subcodes(c)
                    .then(|| sel.count_with_subcodes(tally, c, |r| sel.in_bucket(b, r)));
                if count.respondents == 0 && with_subcodes.is_none_or(|n| n.respondents == 0) {
                    section.not_mentioned.push(code);
                    continue;
                }
                let by_school_type = sel
                    .school_types
                    .iter()
                    .map(|t| {
                        (
                            t.clone(),
                            sel.count(tally, c, |r| sel.in_bucket(b, r) && &r.school_type == t),
                        )
                    })
                    .filter(|(_, n)| n.of > 0)
                    .collect();
                let quotes = of_code(sel, tally, c, false)
                    .into_iter()
                    .find(|cl| &cl.group == g)
                    .map(|cl| cl.quotes)
                    .unwrap_or_default();
                let (quotes, chosen) = match key_quotes {
                    Some(n) => {
                        let (q, c) = choose_quotes(quotes, marked, n);
                        (q, Some(c))
                    }
                    None => (quotes, None),
                };
                let crit = p.codebook.criteria_of(&code.id);
                let definition = [
                    ("Definition", code.description.clone()),
                    ("Inclusion", crit.inclusion),
                    ("Exclusion", crit.exclusion),
                    ("Example", crit.example),
                ]
                .into_iter()
                .filter(|(_, t)| !t.trim().is_empty())
                .collect();
                let memo = p
                    .coders
                    .get(&tally.coder)
                    .and_then(|s| s.code_memos.get(&code.id))
                    .filter(|m| !m.trim().is_empty())
                    .cloned();
                section.codes.push(CodeSection {
                    code,
                    depth: sel.depths.get(c).copied().unwrap_or(0),
                    path: sel.path(c),
                    count,
                    ids: sel.ids(tally, c, |r| sel.in_bucket(b, r)),
                    with_subcodes,
                    definition,
                    memo,
                    by_school_type,
                    quotes,
                    chosen,
                });
            }
            deelvragen.push(section);
        }
        groups.push(GroupSection {
            group: g.clone(),
            plural: bucket.noun(words.lang).many.clone(),
            noun: bucket.noun(words.lang).clone(),
            size: sel.size(|r| sel.in_bucket(b, r)),
            deelvragen,
        });
    }
    let name = if p.settings.name.is_empty() {
        "codewerk project"
    } else {
        &p.settings.name
    };
    Report {
        title: format!("{}: {name}", words.t("Results")),
        coder: tally.coder.clone(),
        has_journal: tally.has_journal,
        filter: describe_filter(sel, &words),
        interviewer_left_out: tally.interviewer_left_out,
        overview: code_matrix_of(sel, tally, Columns::Groups),
        groups,
        unit: sel.split.unit,
        by: sel.split.by.clone(),
        words,
    }
}

fn describe_filter(sel: &Selection, w: &Words) -> String {
    let p = sel.project;
    let mut parts = Vec::new();
    if sel.deelvragen.len() < p.codebook.deelvragen.len() {
        let n: Vec<String> = sel
            .deelvragen
            .iter()
            .map(|d| d.number.to_string())
            .collect();
        parts.push(format!("deelvraag {}", n.join(", ")));
    }
    let all_codes = sel
        .deelvragen
        .iter()
        .map(|d| p.codebook.codes_of(d.number).count())
        .sum::<usize>();
    if sel.codes.len() < all_codes {
        let n: Vec<&str> = sel.codes.iter().map(|c| c.name.as_str()).collect();
        parts.push(format!("code {}", n.join(", ")));
    }
    if sel.groups.len() < p.groups().len() {
        parts.push(format!("{} {}", w.t("group"), sel.groups.join(", ")));
    }
    if sel.school_types.len() < p.school_types().len() {
        parts.push(format!(
            "{} {}",
            w.t("school type"),
            sel.school_types.join(", ")
        ));
    }
    for (k, v) in &sel.attrs {
        parts.push(format!("{k} = {v}"));
    }
    if let Some(q) = &sel.queries.0 {
        parts.push(format!("{} {q}", w.t("only passages where")));
    }
    if let Some(a) = &sel.queries.1 {
        parts.push(format!("{} {a}", w.t("only respondents with")));
    }
    parts.join("; ")
}

pub fn render(sel: &Selection, tally: &Tally, req: &Request) -> Result<Vec<u8>, ExportError> {
    let lang = match (req.lang, &sel.project.settings.report_language) {
        (Some(l), _) => l,
        (None, Some(l)) => Lang::parse(l)
            .map_err(|e| ExportError::Usage(format!("project.json: report_language: {e}")))?,
        (None, None) => Lang::En,
    };
    let words = Words {
        lang,
        number_words: req.number_words,
    };
    let report = build_with(sel, tally, req.key_quotes, words);
    Ok(match req.format {
        Format::Html => html(&report).into_bytes(),
        _ => markdown(&report).into_bytes(),
    })
}

/// What `--key-quotes` chose, said under the count.
fn chosen_note(w: &Words, c: Option<Chosen>) -> Option<String> {
    match c? {
        Chosen::Marked => Some(w.t("key quotes").into()),
        Chosen::Shortest { n, of } if n < of => Some(w.shortest(n, of)),
        Chosen::Shortest { .. } => Some(w.t("no key quote marked").into()),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn school_split(w: &Words, by: &[(String, Count)]) -> Vec<String> {
    by.iter()
        .map(|(t, n)| w.split(t, n.respondents, n.of))
        .collect()
}

fn attribution(q: &Quote) -> String {
    if q.school_type.is_empty() {
        q.respondent.clone()
    } else {
        format!("{}, {}", q.respondent, q.school_type)
    }
}

fn intro(r: &Report) -> String {
    if r.words.lang == Lang::Nl {
        return intro_nl(r);
    }
    let counted = match (r.unit, r.by.as_str()) {
        (super::split::Unit::Schools, _) => {
            "schools where at least one respondent has a passage of the code (a school counts \
             once)"
                .to_string()
        }
        (_, "group") => {
            "respondents of the group with at least one passage of the code".to_string()
        }
        (_, by) => {
            format!("respondents of the section (by {by}) with at least one passage of the code")
        }
    };
    let mut s = format!(
        "Draft generated by codewerk from the codings of coder {}. \"N of M\" counts distinct \
         {counted}; for a code with sub-codes, \"with sub-codes\" counts those with a passage of \
         the code or any of its sub-codes (the roll-up).",
        r.coder
    );
    if !r.has_journal {
        s += &format!(
            " Coder {} has no codings yet, so every count is 0.",
            r.coder
        );
    }
    if !r.filter.is_empty() {
        s += &format!(" Selection: {}.", r.filter);
    }
    if r.interviewer_left_out > 0 {
        let n = r.interviewer_left_out;
        s += &format!(
            " {} in interviewer turns {} not counted.",
            super::super::text::count(n, "passage", "passages"),
            if n == 1 { "is" } else { "are" }
        );
    }
    s
}

fn intro_nl(r: &Report) -> String {
    let counted = match (r.unit, r.by.as_str()) {
        (super::split::Unit::Schools, _) => {
            "scholen waar ten minste één respondent een passage met de code heeft (een school \
             telt één keer)"
                .to_string()
        }
        (_, "group") => "respondenten in de groep met ten minste één passage met de code".into(),
        (_, by) => format!(
            "respondenten in het onderdeel (naar {by}) met ten minste één passage met de code"
        ),
    };
    let mut s = format!(
        "Concept gemaakt door codewerk uit de coderingen van codeur {}. \"N van de M\" telt \
         verschillende {counted}.",
        r.coder
    );
    if !r.has_journal {
        s += &format!(
            " Codeur {} heeft nog niets gecodeerd, dus elk aantal is 0.",
            r.coder
        );
    }
    if !r.filter.is_empty() {
        s += &format!(" Selectie: {}.", r.filter);
    }
    if r.interviewer_left_out > 0 {
        let n = r.interviewer_left_out;
        s += &format!(
            " {} in beurten van de interviewer {} niet meegeteld.",
            super::super::text::count(n, "passage", "passages"),
            if n == 1 { "is" } else { "zijn" }
        );
    }
    s
}

// ---------------------------------------------------------------- Markdown

/// Escape text for Markdown so that it reads as the words it is: inline punctuation that
/// Markdown acts on gets a backslash, and so does what would start a heading, list or block at
/// the start of a line.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start_matches(' ');
        // Leading spaces would make a code block (four) or be lost: keep them visible as
        // non-breaking spaces, which Markdown leaves alone.
        let indent = line.len() - trimmed.len();
        out.push_str(&"\u{a0}".repeat(indent));
        // A block marker at the start of the line: # - + = > or "12." / "12)".
        let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
        let ordered = digits > 0 && matches!(trimmed[digits..].chars().next(), Some('.' | ')'));
        if matches!(
            trimmed.chars().next(),
            Some('#' | '-' | '+' | '=' | '>' | '~')
        ) {
            out.push('\\');
        }
        for (at, c) in trimmed.char_indices() {
            if ordered && at == digits {
                out.push('\\');
            }
            if matches!(
                c,
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~'
            ) && !(at == 0 && matches!(c, '>' | '~'))
            {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// A quote as a Markdown block quote: each line behind `> `, hard line breaks (`\` at the end
/// of a line) so that the respondent's line breaks stay, blank lines kept inside the quote.
fn md_quote(text: &str) -> String {
    let escaped = md_escape(text);
    let lines: Vec<&str> = escaped.split('\n').collect();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let next_blank = lines.get(i + 1).is_some_and(|l| l.trim().is_empty());
        let last = i + 1 == lines.len();
        if line.trim().is_empty() {
            out += ">\n";
        } else if last || next_blank {
            let _ = writeln!(out, "> {line}");
        } else {
            let _ = writeln!(out, "> {line}\\");
        }
    }
    out
}

pub fn markdown(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {}\n\n{}\n",
        md_escape(&r.title),
        md_escape(&intro(r))
    );
    let w = &r.words;
    let _ = writeln!(out, "## {}\n", w.t("Overview"));
    let mut header = "| Deelvraag | Code |".to_string();
    let mut rule = "|---:|---|".to_string();
    for c in &r.overview.columns {
        let _ = write!(header, " {} ({}) |", md_escape(&c.label), c.size);
        rule += "---:|";
    }
    let _ = writeln!(out, "{header}\n{rule}");
    for row in &r.overview.rows {
        let name = format!(
            "{}{}",
            "\u{a0}\u{a0}↳ ".repeat(row.depth.min(1)),
            md_escape(&row.name)
        );
        let _ = write!(out, "| {} | {} |", row.deelvraag, name);
        for (i, n) in row.cells.iter().enumerate() {
            let _ = write!(out, " {}", w.split("", n.respondents, n.of).trim_start());
            if let Some((_, rolled)) = &row.with_subcodes {
                let _ = write!(out, " ({} with sub-codes)", rolled[i].respondents);
            }
            out += " |";
        }
        out.push('\n');
    }
    for g in &r.groups {
        let _ = writeln!(
            out,
            "\n## {} ({})",
            md_escape(&capitalise(&g.plural)),
            g.size
        );
        for d in &g.deelvragen {
            let _ = writeln!(out, "\n### Deelvraag {}. {}", d.number, md_escape(&d.title));
            if !d.question.is_empty() {
                let _ = writeln!(out, "\n*{}*", md_escape(&d.question));
            }
            for c in &d.codes {
                let _ = writeln!(out, "\n#### {}\n", md_escape(&c.path));
                let mut line = vec![
                    format!(
                        "**{}**",
                        md_escape(&w.n_of_m(c.count.respondents, c.count.of, &g.noun))
                    ),
                    w.passages(c.count.passages),
                ];
                if let Some(n) = &c.with_subcodes {
                    line.push(format!(
                        "**{}** with sub-codes ({})",
                        md_escape(&w.n_of_m(n.respondents, n.of, &g.noun)),
                        w.passages(n.passages)
                    ));
                }
                line.extend(
                    school_split(w, &c.by_school_type)
                        .iter()
                        .map(|s| md_escape(s)),
                );
                if let Some(note) = chosen_note(w, c.chosen) {
                    line.push(format!("*{}*", md_escape(&note)));
                }
                let _ = writeln!(out, "{}", line.join(" · "));
                for (label, text) in &c.definition {
                    let _ = writeln!(out, "\n*{label}:* {}", md_escape(&text.replace('\n', " ")));
                }
                if let Some(m) = &c.memo {
                    let _ = writeln!(out, "\n*Code memo:* {}", md_escape(&m.replace('\n', " ")));
                }
                for q in &c.quotes {
                    out.push('\n');
                    out += &md_quote(&q.text);
                    let _ = writeln!(out, ">\n> — {}", md_escape(&attribution(q)));
                    if let Some(m) = &q.memo {
                        let _ = writeln!(out, ">\n> *Memo: {}*", md_escape(&m.replace('\n', " ")));
                    }
                }
            }
            if !d.not_mentioned.is_empty() {
                let names: Vec<String> =
                    d.not_mentioned.iter().map(|c| md_escape(&c.name)).collect();
                let _ = writeln!(
                    out,
                    "\n{}: {}.",
                    md_escape(&w.not_mentioned(g.size, &g.noun)),
                    names.join(", ")
                );
            }
        }
    }
    out
}

// ---------------------------------------------------------------- HTML
//
// Built with maud: every `(value)` is escaped (text and attribute values alike), so a code
// name, quote or memo can hold `<`, `&` or `"` and stays text. The `"\n"` literals only keep
// the file readable (one block per line) and its diffs small; browsers ignore them.

fn swatch(name: &str, colour: Rgb) -> Markup {
    html! {
        span class="code" style={ "background:" (colour) ";color:" (colour.readable_foreground()) } {
            (name)
        }
    }
}

/// Markup items with `sep` between them.
fn joined(items: &[Markup], sep: &str) -> Markup {
    html! {
        @for (i, item) in items.iter().enumerate() {
            @if i > 0 { (sep) }
            (item)
        }
    }
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:60rem;\
margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}\
h1{font-size:1.8rem}h2{margin-top:3rem;border-bottom:2px solid #ccc}h3{margin-top:2rem}\
.intro,.question,.none{color:#555}.code{display:inline-block;padding:.1rem .5rem;border-radius:.3rem}\
.count{font-weight:600}.split{color:#555}\
blockquote{margin:1rem 0;padding:.3rem 1rem;border-left:.4rem solid #ccc;background:#fafafa}\
blockquote .q{white-space:pre-wrap;margin:0}blockquote footer{color:#555;margin-top:.3rem}\
.memo{font-style:italic;color:#555}table{border-collapse:collapse;margin:1rem 0}\
th,td{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}\
td.n{text-align:right;white-space:nowrap;min-width:7rem}\
.bar{height:.35rem;margin-top:.15rem;border-radius:.1rem}\
@media print{h2{break-before:page}blockquote{break-inside:avoid}}";

pub fn html(r: &Report) -> String {
    html! {
        (DOCTYPE) "\n"
        html lang="nl" {
            "\n"
            head {
                "\n"
                meta charset="utf-8"; "\n"
                meta name="viewport" content="width=device-width, initial-scale=1"; "\n"
                title { (r.title) } "\n"
                // A constant of this file, not data: no escaping needed (and none wanted).
                style { (PreEscaped(CSS)) } "\n"
            }
            "\n"
            body {
                "\n"
                h1 { (r.title) } "\n"
                p class="intro" { (intro(r)) } "\n"
                @if !r.groups.is_empty() {
                    nav { ul { "\n"
                        @for (i, g) in r.groups.iter().enumerate() {
                            li { a href={ "#g" (i) } { (capitalise(&g.plural)) " (" (g.size) ")" } } "\n"
                        }
                    } } "\n"
                }
                (overview(r))
                @for (i, g) in r.groups.iter().enumerate() {
                    h2 id={ "g" (i) } { (capitalise(&g.plural)) " (" (g.size) ")" } "\n"
                    @for d in &g.deelvragen {
                        (deelvraag(&r.words, g, d))
                    }
                }
            }
            "\n"
        }
        "\n"
    }
    .into_string()
}

/// The codes × groups table, each cell with a bar in the code's colour.
fn overview(r: &Report) -> Markup {
    let w = &r.words;
    html! {
        h2 { (w.t("Overview")) } "\n"
        table { "\n"
            tr {
                th { "Deelvraag" } th { "Code" }
                @for c in &r.overview.columns { th { (c.label) " (" (c.size) ")" } }
            } "\n"
            @for row in &r.overview.rows {
                tr {
                    td { (row.deelvraag) }
                    td style={ "padding-left:" (0.5 + 1.5 * row.depth as f64) "rem" } {
                        (swatch(&row.name, row.colour))
                    }
                    @for (i, n) in row.cells.iter().enumerate() {
                        td class="n" {
                            (n.respondents) " of " (n.of)
                            @if let Some(rolled) = row.with_subcodes.as_ref().and_then(|(_, c)| c.get(i)) {
                                " " span class="split" { "(" (rolled.respondents) " with sub-codes)" }
                            }
                            div class="bar" style={
                                "width:" (format!("{:.0}", n.share().map_or(0.0, |s| s * 100.0)))
                                "%;background:" (row.colour)
                            } {}
                        }
                    }
                } "\n"
            }
        } "\n"
    }
}

/// One deelvraag of one group: its codes with counts, definition, memo and quotes, then the
/// codes nobody in the group mentioned.
fn deelvraag(w: &Words, g: &GroupSection, d: &DeelvraagSection) -> Markup {
    html! {
        h3 { "Deelvraag " (d.number) ". " (d.title) } "\n"
        @if !d.question.is_empty() {
            p class="question" { em { (d.question) } } "\n"
        }
        @for c in &d.codes {
            h4 {
                @if let Some((up, _)) = c.path.rsplit_once(" › ") { (up) " › " }
                (swatch(&c.code.name, c.code.colour))
            } "\n"
            p { (joined(&count_line(w, g, c), " · ")) } "\n"
            @for (label, text) in &c.definition {
                p class="definition" { em { (label) ":" } " " (text) } "\n"
            }
            @if let Some(m) = &c.memo {
                p class="memo" { "Code memo: " (m) } "\n"
            }
            @for q in &c.quotes {
                blockquote style={ "border-left-color:" (c.code.colour) } {
                    p class="q" { (q.text) }
                    footer { "— " (attribution(q)) }
                    @if let Some(m) = &q.memo {
                        p class="memo" { "Memo: " (m) }
                    }
                } "\n"
            }
        }
        @if !d.not_mentioned.is_empty() {
            p class="none" {
                (w.not_mentioned(g.size, &g.noun)) ": "
                (joined(&d.not_mentioned.iter().map(|c| swatch(&c.name, c.colour)).collect::<Vec<_>>(), " "))
                "."
            } "\n"
        }
    }
}

/// "N of M" (the ids behind it as its hover title), passages, the roll-up, the split by school
/// type and how the quotes were chosen: the parts of the line under a code's heading.
fn count_line(w: &Words, g: &GroupSection, c: &CodeSection) -> Vec<Markup> {
    let mut line = vec![
        html! {
            span class="count" title=(c.ids.join(", ")) {
                (w.n_of_m(c.count.respondents, c.count.of, &g.noun))
            }
        },
        html! { (w.passages(c.count.passages)) },
    ];
    if let Some(n) = &c.with_subcodes {
        line.push(html! {
            span class="count" { (w.n_of_m(n.respondents, n.of, &g.noun)) }
            " with sub-codes (" (w.passages(n.passages)) ")"
        });
    }
    line.extend(
        school_split(w, &c.by_school_type)
            .iter()
            .map(|s| html! { span class="split" { (s) } }),
    );
    if let Some(note) = chosen_note(w, c.chosen) {
        line.push(html! { em { (note) } });
    }
    line
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{Kind, render as render_export, testutil};
    use super::*;

    #[test]
    fn markdown_report_has_counts_and_quotes_by_group() {
        let dir = tempfile::tempdir().unwrap();
        let p = testutil::project(dir.path());
        let md = String::from_utf8(render_export(&p, &Request::new(Kind::Report, "ann")).unwrap())
            .unwrap();
        let docenten = md.find("## Docenten (3)").unwrap();
        let zorg = md.find("## Zorgcoördinatoren (1)").unwrap();
        assert!(docenten < zorg);
        let part = &md[docenten..zorg];
        assert!(
            part.contains("**1 of 3 docenten** · 2 passages · vmbo 1 of 1 · havo-vwo 0 of 2"),
            "{part}"
        );
        assert!(part.contains("> Ik had een \"niet pluis\"-gevoel; echt.\\\n> Tweede regel, één.\n>\n> — A-D1, vmbo\n"), "{part}");
        assert!(part.contains("> \\=SOM(1;2) zei hij."), "{part}");
        assert!(
            part.contains("Not mentioned by any of the 3 docenten: Signalen herkennen."),
            "{part}"
        );
        assert!(
            md.contains("| 1 | Niet pluis gevoel | 1 of 3 | 1 of 1 |"),
            "{md}"
        );
    }

    #[test]
    fn html_report_is_self_contained_and_coloured() {
        let dir = tempfile::tempdir().unwrap();
        let p = testutil::project(dir.path());
        let mut req = Request::new(Kind::Report, "ann");
        req.format = Format::Html;
        let html = String::from_utf8(render_export(&p, &req).unwrap()).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(!html.contains("src=") && !html.contains("<link") && !html.contains("<script"));
        assert!(
            html.contains("style=\"background:#FFE135;color:#000000\">Niet pluis gevoel</span>")
        );
        assert!(html.contains(
            "<p class=\"q\">Ik had een &quot;niet pluis&quot;-gevoel; echt.\nTweede regel, één.</p>"
        ));
        // The noun follows the group size: one zorgcoördinator, not "1 zorgcoördinatoren".
        assert!(html.contains("1 of 1 zorgcoördinator<"), "{html}");
    }

    /// What a coder can type (code names, definitions, memos, titles) and what transcripts
    /// hold (quotes, ids) may contain HTML; each place it lands must hold it as text.
    pub(crate) const HOSTILE: &str = "<script>alert(\"x&y\")</script>";
    pub(crate) const ESCAPED: &str = "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;";

    /// The testutil project with `text` in every field a user controls.
    pub(crate) fn project_saying(
        dir: &std::path::Path,
        text: &str,
    ) -> crate::core::project::Project {
        let mut p = testutil::project(dir);
        p.settings.name = text.into();
        for g in &mut p.settings.groups {
            g.plural = format!("{text} {}", g.id);
        }
        for d in &mut p.codebook.deelvragen {
            d.title = text.into();
            d.question = text.into();
        }
        p.codebook.codes.update(|codes| {
            for (i, c) in codes.iter_mut().enumerate() {
                c.name = format!("{text}{i}");
                c.description = text.into();
            }
        });
        let ids: Vec<String> = p.codebook.codes.iter().map(|c| c.id.clone()).collect();
        for id in &ids {
            p.codebook.criteria.insert(
                id.clone(),
                crate::core::codebook::Criteria {
                    inclusion: text.into(),
                    exclusion: text.into(),
                    example: text.into(),
                },
            );
        }
        let ann = p.coders.get_mut("ann").unwrap();
        for id in ids {
            ann.code_memos.insert(id, text.into());
        }
        p
    }

    fn hostile_html(text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let p = project_saying(dir.path(), text);
        let req = Request::new(Kind::Report, "ann");
        let sel = req.filter.resolve_for(&p, Some("ann")).unwrap();
        let tally = Tally::new(&sel, "ann");
        let mut r = build_with(&sel, &tally, Some(1), Words::default());
        // What comes from the transcripts and respondents.csv, set here rather than in files.
        for g in &mut r.groups {
            for d in &mut g.deelvragen {
                for c in &mut d.codes {
                    c.ids = vec![text.into(), text.into()];
                    c.path = format!("{text} › {}", c.code.name);
                    for q in &mut c.quotes {
                        q.text = text.into();
                        q.memo = Some(text.into());
                        q.respondent = text.into();
                        q.school_type = text.into();
                    }
                }
            }
        }
        html(&r)
    }

    #[test]
    fn hostile_text_is_escaped_everywhere_in_the_html_report() {
        let hostile = hostile_html(HOSTILE);
        assert!(
            !hostile.contains("<script") && !hostile.contains("\"x&"),
            "{hostile}"
        );
        // Attributes (the ids behind a count) and text alike.
        for place in [
            format!("<title>Results: {ESCAPED}</title>"),
            format!("title=\"{ESCAPED}, {ESCAPED}\""),
            format!("<h4>{ESCAPED} › <span class=\"code\""),
            format!("<p class=\"q\">{ESCAPED}</p><footer>— {ESCAPED}, {ESCAPED}</footer>"),
            format!("<p class=\"memo\">Memo: {ESCAPED}</p>"),
            format!("<p class=\"memo\">Code memo: {ESCAPED}</p>"),
            format!("<em>Inclusion:</em> {ESCAPED}</p>"),
            format!("<p class=\"question\"><em>{ESCAPED}</em></p>"),
        ] {
            assert!(hostile.contains(&place), "{place} in {hostile}");
        }
        // Everywhere else too: read back as a plain word, it is the report of that word.
        assert_eq!(hostile.replace(ESCAPED, "X"), hostile_html("X"));
    }

    #[test]
    fn markdown_escaping_keeps_the_words() {
        assert_eq!(md_escape("# kop"), "\\# kop");
        assert_eq!(md_escape("1. punt"), "1\\. punt");
        assert_eq!(md_escape("a *b* <c>"), "a \\*b\\* \\<c\\>");
        assert_eq!(md_escape("- ja\n  - nee"), "\\- ja\n\u{a0}\u{a0}\\- nee");
        assert_eq!(md_escape("~~doorgestreept~~"), "\\~\\~doorgestreept\\~\\~");
        assert!(
            !md_escape("    vier spaties").starts_with(' '),
            "no code block"
        );
        assert_eq!(md_escape("gewoon één zin."), "gewoon één zin.");
        assert_eq!(md_quote("a\nb\n\nc"), "> a\\\n> b\n>\n> c\n");
    }
}
