//! `codewerk export qdc|qdpx` and `codewerk import qdc|qdpx`: REFI-QDA interchange.

use super::{failed, invalid, load_valid, print_json};
use crate::cli::{ImportQdcOpt, ImportQdpxOpt, RefiExportOpt};
use anyhow::Result;
use codewerk::core::refi::{self, ExportSummary, ImportOptions, ImportReport, RefiError};
use std::path::{Path, PathBuf};

fn fail(e: RefiError) -> anyhow::Error {
    match e {
        RefiError::Io { .. } => failed(e.to_string()),
        _ => invalid(e.to_string()),
    }
}

fn default_out(project: &codewerk::core::project::Project, ext: &str) -> PathBuf {
    let name = codewerk::core::codebook::slug(&project.settings.name);
    let name = if name.is_empty() {
        "project".into()
    } else {
        name
    };
    project.exports_dir().join(format!("{name}.{ext}"))
}

fn print_export(path: &Path, s: &ExportSummary, json: bool) -> Result<()> {
    if json {
        return print_json(&serde_json::json!({"file": path, "summary": s}));
    }
    if s.users.is_empty() && s.sources == 0 {
        println!("Wrote {}: {} codes", path.display(), s.codes);
    } else {
        println!(
            "Wrote {}: {} codes, {} sources, {} coded passages, {} memos, {} cases, users: {}",
            path.display(),
            s.codes,
            s.sources,
            s.selections,
            s.memos,
            s.cases,
            if s.users.is_empty() {
                "none".to_string()
            } else {
                s.users.join(", ")
            }
        );
    }
    if s.guids_assigned > 0 {
        println!(
            "{} code(s) got a GUID, saved in codebook.json so that the next export keeps it",
            s.guids_assigned
        );
    }
    for l in &s.left_out {
        println!("Left out: {l}");
    }
    if !s.astral_warning.is_empty() {
        eprintln!(
            "codewerk: note: {} transcript(s) hold characters outside the BMP (emoji): positions \
             are code points as the standard says; NVivo counts such a character as 2 and will \
             shift the passages after it ({})",
            s.astral_warning.len(),
            s.astral_warning.join(", ")
        );
    }
    Ok(())
}

pub fn export_qdc(root: &Path, o: &RefiExportOpt) -> Result<()> {
    let mut project = load_valid(root)?;
    let out = o
        .out
        .clone()
        .unwrap_or_else(|| default_out(&project, "qdc"));
    let s = refi::export_qdc(&mut project, &out, o.force).map_err(fail)?;
    print_export(&out, &s, o.json)
}

pub fn export_qdpx(root: &Path, coders: &[String], o: &RefiExportOpt) -> Result<()> {
    let mut project = load_valid(root)?;
    let out = o
        .out
        .clone()
        .unwrap_or_else(|| default_out(&project, "qdpx"));
    let s = refi::export_qdpx(&mut project, coders, &out, o.force).map_err(fail)?;
    print_export(&out, &s, o.json)
}

fn print_report(r: &ImportReport, json: bool) -> Result<()> {
    if json {
        print_json(r)
    } else {
        print!("{}", r.render());
        Ok(())
    }
}

pub fn import_qdc(root: &Path, o: &ImportQdcOpt) -> Result<()> {
    let opts = ImportOptions {
        deelvraag: o.deelvraag,
        dry_run: o.dry_run,
        ..ImportOptions::default()
    };
    let r = refi::import_qdc(root, &o.file, &opts).map_err(fail)?;
    print_report(&r, o.json)
}

pub fn import_qdpx(root: &Path, o: &ImportQdpxOpt) -> Result<()> {
    let opts = ImportOptions {
        group_variable: o.group_variable.clone(),
        dry_run: o.dry_run,
        ..ImportOptions::default()
    };
    let r = match &o.into {
        Some(into) => refi::import_qdpx(&o.file, into, &opts),
        None => refi::extend_project(root, &o.file, &opts),
    }
    .map_err(fail)?;
    print_report(&r, o.json)
}
