//! `codewerk export quotes|summary|report|matrix`: write an export under exports/ (or --out),
//! never over an existing file unless --force.

use super::{invalid, load_valid};
use crate::cli::{ExportCommand, ExportOpt, coder_name};
use anyhow::{Context, Result};
use codewerk::core::export::cooccurrence::CoUnit;
use codewerk::core::export::{self, ExportError, Exported, Filter, Format, Kind, Request, Target};
use codewerk::core::project::Project;
use std::io::Write;
use std::path::Path;

pub fn run(root: &Path, coder: Option<&str>, cmd: ExportCommand) -> Result<()> {
    let (kind, o) = match cmd {
        ExportCommand::Quotes(o) => (Kind::Quotes, o),
        ExportCommand::Summary(o) => (Kind::Summary, o),
        ExportCommand::Report(o) => (Kind::Report, o),
        ExportCommand::Matrix(o) => (Kind::Matrix, o),
        ExportCommand::Cooccurrence(o) => (Kind::Cooccurrence, o),
        ExportCommand::Memos(o) => return super::memo::export(root, coder, &o),
        ExportCommand::Codebook(o) => return super::memo::export_codebook(root, coder, &o),
        ExportCommand::Qdc(o) => return super::refi::export_qdc(root, &o),
        ExportCommand::Qdpx(o) => {
            let coders: Vec<String> = coder.map(str::to_string).into_iter().collect();
            return super::refi::export_qdpx(root, &coders, &o);
        }
    };
    let project = load_exported(root, coder, &filter(&o))?;
    let done = export_from(&project, root, coder, kind, &o);
    super::leave(project);
    done
}

fn export_from(
    project: &Project,
    root: &Path,
    coder: Option<&str>,
    kind: Kind,
    o: &ExportOpt,
) -> Result<()> {
    let format = o.format.map_or(kind.default_format(), Format::from);
    if let Some(names) = &o.names {
        super::pseudonymize::refuse_names(root, names)?;
    }
    let coder = pick_coder(project, coder)?;
    let co_unit = match o.unit.as_deref() {
        None => CoUnit::default(),
        Some(u) => CoUnit::parse(u).ok_or_else(|| {
            invalid(format!(
                "unknown unit \"{u}\" (known: respondent, turn, overlap)"
            ))
        })?,
    };
    let lang = match o.lang.as_deref().map(export::words::Lang::parse) {
        None => None,
        Some(Ok(l)) => Some(l),
        Some(Err(e)) => {
            return Err(invalid(format!("{e}")));
        }
    };
    let req = Request {
        kind,
        coder,
        filter: filter(o),
        format,
        excel: o.excel,
        binary: o.binary,
        co_unit,
        key_quotes: o.key_quotes.then_some(o.shortest),
        lang,
        number_words: o.number_words,
    };
    if let Some(previous) = &o.check {
        return check(project, req, previous);
    }
    let to_stdout = o.out.as_deref() == Some(Path::new("-"));
    let result = if to_stdout {
        export::render_with_info(project, &req).and_then(|(bytes, info)| {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)
                .and_then(|()| out.flush())
                .map_err(|err| ExportError::Io {
                    path: "<stdout>".into(),
                    err,
                })?;
            Ok(info)
        })
    } else {
        let target = o.out.clone().map_or(Target::Default, Target::File);
        export::export(project, &req, &target, o.force)
    };
    let info = match result {
        Ok(info) => info,
        Err(e @ (ExportError::Io { .. } | ExportError::Xlsx(_))) => {
            return Err(e).context("the export was not written");
        }
        Err(e) => {
            return Err(invalid(e.to_string()));
        }
    };
    report(project, &info);
    Ok(())
}

fn filter(o: &ExportOpt) -> Filter {
    Filter {
        deelvragen: o.deelvraag.clone(),
        groups: o.group.clone(),
        school_types: o.school_type.clone(),
        codes: o.code.clone(),
        where_query: o.where_query.clone(),
        where_scope: o.where_scope.clone(),
        ..o.split.filter()
    }
}

/// Whose codings: --coder, else $CODEWERK_CODER, else the only coder with a journal. With
/// several journals and neither given, say which there are rather than guess.
/// The project, lazily loaded. An export counts and quotes by the codings and the turns (who
/// speaks where), which the transcript cache keeps: no text is read for it, and a coding made
/// on the version its transcript has is taken as on its words (`Project::load_lazy`). A
/// `--where` or `--among` query (or `--by set:NAME`) looks at the words around every passage
/// of the coder's, so then all of their texts are read (and the codings checked against them:
/// see `Project::read_texts`).
fn load_exported(root: &Path, coder: Option<&str>, filter: &Filter) -> Result<Project> {
    let query = filter.where_query.is_some()
        || filter.among.is_some()
        || filter.by.as_deref().is_some_and(|b| b.starts_with("set:"));
    // Only the exported coder's journal, when it is known before loading.
    let names = Project::journal_names(root);
    let mut project = match pick_among(&names, coder) {
        Ok(c) => super::load_lazy_for(root, &[c])?,
        Err(_) => super::load_lazy(root)?,
    };
    if query
        && !project.has_errors()
        && let Ok(coder) = pick_coder(&project, coder)
    {
        project.read_texts(|who, _| who == coder);
    }
    super::valid(project)
}

pub(crate) fn pick_coder(project: &Project, flag: Option<&str>) -> Result<String> {
    let names: Vec<String> = project.coders.keys().cloned().collect();
    pick_among(&names, flag)
}

/// `pick_coder` among the coders with these journals.
pub(crate) fn pick_among(coders: &[String], flag: Option<&str>) -> Result<String> {
    // `flag` holds $CODEWERK_CODER too: clap reads it.
    let named = flag.filter(|s| !s.is_empty()).map(str::to_string);
    if let Some(c) = named {
        // A misspelt coder would give a full export of zeros: refuse it while others exist.
        if !coders.is_empty() && !coders.contains(&c) {
            let names: Vec<&str> = coders.iter().map(String::as_str).collect();
            return Err(invalid(format!(
                "coder \"{c}\" has no codings in this project (coders: {})",
                names.join(", ")
            )));
        }
        return Ok(c);
    }
    match coders.len() {
        0 => Ok(coder_name(None)),
        1 => Ok(coders.first().cloned().unwrap_or_default()),
        _ => {
            let names: Vec<&str> = coders.iter().map(String::as_str).collect();
            Err(invalid(format!(
                "whose codings? give --coder (coders: {})",
                names.join(", ")
            )))
        }
    }
}

fn report(project: &Project, info: &Exported) {
    if !info.has_journal {
        let known: Vec<&str> = project.coders.keys().map(String::as_str).collect();
        eprintln!(
            "codewerk: note: coder {} has no journal in {}, so the export has no codings{}",
            info.coder,
            project.codings_dir().display(),
            if known.is_empty() {
                String::new()
            } else {
                format!(" (coders: {})", known.join(", "))
            }
        );
    }
    if info.orphaned > 0 {
        eprintln!(
            "codewerk: warning: {} passage(s) are not on their words (the transcript was \
             edited, or their journal line; ambiguous or orphaned) and were left out; `codewerk \
             check` lists them",
            info.orphaned
        );
    }
    if info.interviewer_left_out > 0 {
        eprintln!(
            "codewerk: note: {} in interviewer turns not counted (--include-interviewer counts \
             them)",
            codewerk::core::text::count(info.interviewer_left_out, "passage", "passages")
        );
    }
    if let Some(kept) = &info.kept_existing {
        eprintln!("codewerk: {} exists already and was kept", kept.display());
    }
    if let Some(path) = &info.path {
        println!(
            "Wrote {}: {} passage(s) from {} respondent(s), coder {}",
            path.display(),
            info.passages,
            info.respondents,
            info.coder
        );
    }
}

/// `codewerk keyquote ID [--unset]`: mark (or unmark) one of the coder's passages as a key quote,
/// journaled like every coding action.
pub fn keyquote(root: &Path, coder: Option<&str>, o: &crate::cli::KeyQuoteOpt) -> Result<()> {
    let project = load_valid(root)?;
    let coder = pick_coder(&project, coder)?;
    let Some(state) = project.coders.get(&coder) else {
        return Err(invalid(format!("coder {coder} has no codings yet")));
    };
    let Some(coding) = state.codings.get(&o.id) else {
        return Err(invalid(format!(
            "coder {coder} has no coding {} (the coding_id column of `export quotes` lists them)",
            o.id
        )));
    };
    let before = state.key_quotes.contains(&o.id);
    let after = !o.unset;
    let what = format!(
        "{} at {} {}-{}",
        coding.code, coding.transcript, coding.start, coding.end
    );
    if before == after {
        println!(
            "Coding {} ({what}) is {}a key quote already",
            o.id,
            if after { "" } else { "not " }
        );
        return Ok(());
    }
    let mut journal = project
        .open_journal(&coder)
        .context("cannot open the journal")?;
    journal
        .record(vec![codewerk::core::coding::Op::KeyQuote {
            id: o.id,
            before,
            after,
        }])
        .context("the key quote mark was not written")?;
    println!(
        "{} coding {} ({what}) as a key quote, coder {coder}",
        if after { "Marked" } else { "Unmarked" },
        o.id
    );
    Ok(())
}

fn read_snapshot(path: &Path) -> Result<export::trace::Snapshot> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    export::trace::Snapshot::read(&bytes, &path.display().to_string())
        .map_err(|e| invalid(format!("{e}")))
}

fn print_changes(changes: &[export::trace::Change], since: &str) {
    if changes.is_empty() {
        println!("No number and no quote changed since {since}.");
        return;
    }
    let counts = changes.iter().filter(|c| c.what == "count").count();
    for c in changes {
        println!("{c}");
    }
    println!(
        "{} and {} changed since {since}.",
        codewerk::core::text::count(counts, "count", "counts"),
        codewerk::core::text::count(changes.len() - counts, "quote", "quotes")
    );
}

/// `export report --check PREVIOUS.json`: the report's numbers and quotes now against an
/// earlier JSON export; nothing is written.
fn check(project: &Project, mut req: Request, previous: &Path) -> Result<()> {
    if req.kind != Kind::Report {
        return Err(invalid("--check applies to `export report`"));
    }
    let before = read_snapshot(previous)?;
    req.format = Format::Json;
    let now = match export::render(project, &req) {
        Ok(b) => b,
        Err(e) => {
            return Err(invalid(format!("{e}")));
        }
    };
    let after = export::trace::Snapshot::read(&now, "the report now")
        .map_err(|e| invalid(format!("{e}")))?;
    print_changes(
        &export::trace::diff(&before, &after),
        &previous.display().to_string(),
    );
    Ok(())
}

/// `codewerk diff A B`: what changed between two JSON exports.
pub fn diff(o: &crate::cli::DiffOpt) -> Result<()> {
    let (a, b) = (read_snapshot(&o.before)?, read_snapshot(&o.after)?);
    let changes = export::trace::diff(&a, &b);
    if o.json {
        return super::print_json(&changes);
    }
    print_changes(&changes, &o.before.display().to_string());
    Ok(())
}
