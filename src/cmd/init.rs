//! `codewerk init [DIR]`: create a new, empty project; on a terminal, ask for what the options
//! do not give.

use super::{invalid, print_json};
use crate::cli::InitOpt;
use anyhow::Result;
use codewerk::core::scaffold::{self, InitError, NewProject, parse_deelvraag, parse_group};
use serde_json::json;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

pub fn run(root: &Path, o: &InitOpt) -> Result<()> {
    let dir = o.dir.as_deref().unwrap_or(root);
    let folder_name = std::path::absolute(dir)
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "codewerk project".into());
    let ask =
        !o.no_input && !o.json && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    match build(o, &folder_name, ask)
        .and_then(|p| scaffold::create(dir, &p, o.force).map(|w| (p, w)))
    {
        Ok((p, written)) => {
            if o.json {
                print_json(&json!({
                    "project": dir,
                    "name": p.name,
                    "written": written,
                }))?;
            } else {
                println!("Created a codewerk project in {}:", dir.display());
                for w in &written {
                    let rel = w.strip_prefix(dir).unwrap_or(w);
                    println!("  {}", rel.display());
                }
                let p_arg = project_arg(dir);
                let group = p.groups.first().map_or("GROUP", |g| g.id.as_str());
                println!("\nNext:");
                println!("  codewerk{p_arg} import transcripts INTERVIEWS/ --group {group}");
                println!(
                    "      (a folder of .docx, .odt, .srt, .vtt, Whisper .json, .csv/.tsv or .txt)"
                );
                println!("  codewerk{p_arg} check");
                println!("  codewerk{p_arg}        # code in the TUI");
            }
            Ok(())
        }
        Err(InitError::Codebook(problems)) => Err(super::problems(
            problems,
            "the starting codebook is not valid; nothing was written",
        )),
        Err(e) => Err(invalid(e.to_string())),
    }
}

/// Options, then (on a terminal) answers, then defaults.
fn build(o: &InitOpt, folder_name: &str, ask: bool) -> Result<NewProject, InitError> {
    let defaults = NewProject::defaults(folder_name);
    let mut p = defaults.clone();
    let mut input = std::io::stdin().lock();
    let mut prompt = |question: &str, default: &str| -> String {
        eprint!("{question} [{default}]: ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        match input.read_line(&mut line) {
            Ok(n) if n > 0 && !line.trim().is_empty() => line.trim().to_string(),
            _ => default.to_string(),
        }
    };
    p.name = match &o.name {
        Some(n) => n.clone(),
        None if ask => prompt("Project name", &defaults.name),
        None => defaults.name.clone(),
    };
    let groups: Vec<String> = if !o.groups.is_empty() {
        o.groups.clone()
    } else if ask {
        let answer = prompt(
            "Respondent groups, as id=plural separated by commas",
            "respondent=respondenten",
        );
        answer.split(',').map(str::to_string).collect()
    } else {
        Vec::new()
    };
    if !groups.is_empty() {
        p.groups = groups
            .iter()
            .filter(|g| !g.trim().is_empty())
            .map(|g| parse_group(g))
            .collect();
    }
    p.school_types = if !o.school_types.is_empty() {
        o.school_types.clone()
    } else if ask {
        let answer = prompt(
            "School types (or the study's main attribute), separated by commas; - for none",
            "-",
        );
        answer
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty() && s != "-")
            .collect()
    } else {
        Vec::new()
    };
    if !o.interviewer_labels.is_empty() {
        p.interviewer_labels = o.interviewer_labels.clone();
    } else if ask {
        let answer = prompt(
            "Speaker labels of the interviewer, separated by commas",
            &defaults.interviewer_labels.join(", "),
        );
        p.interviewer_labels = answer
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
    }
    if let Some(path) = &o.codebook {
        let bytes = std::fs::read(path).map_err(|source| InitError::Io {
            path: path.clone(),
            source,
        })?;
        p.codebook = Some((path.clone(), bytes));
    } else {
        let specs: Vec<String> = if !o.deelvragen.is_empty() {
            o.deelvragen.clone()
        } else if ask {
            let answer = prompt(
                "Deelvragen (research sub-questions), titles separated by ';'",
                "Deelvraag 1",
            );
            answer.split(';').map(str::to_string).collect()
        } else {
            Vec::new()
        };
        let mut last = 0;
        let mut deelvragen = Vec::new();
        for spec in specs.iter().filter(|s| !s.trim().is_empty()) {
            let d = parse_deelvraag(spec, last)?;
            last = d.number;
            deelvragen.push(d);
        }
        if !deelvragen.is_empty() {
            p.deelvragen = deelvragen;
        }
    }
    Ok(p)
}

/// ` -p DIR` for the commands shown to the user, empty for the current folder.
pub fn project_arg(dir: &Path) -> String {
    let d = dir.display().to_string();
    if d.is_empty() || d == "." {
        String::new()
    } else {
        format!(" -p {}", shell_word(&d))
    }
}

/// Quote a path for the "Next:" lines when it needs it.
fn shell_word(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '/' | '.' | '-' | '_'))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
