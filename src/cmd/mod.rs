//! The command-line front end: one module per subcommand, each a thin layer that loads the
//! project through the core and prints text or JSON.

pub mod agreement;
pub mod autocode;
pub mod bench_docx;
pub mod check;
pub mod code;
pub mod error;
pub mod export;
pub mod import;
pub mod init;
pub mod kwic;
pub mod memo;
pub mod pseudonymize;
pub mod query;
pub mod recode;
pub mod reconcile;
pub mod refi;
pub mod respondents;
pub mod search;
pub mod stats;
pub mod tui;
pub mod words;

use anyhow::Result;
use codewerk::core::problem::Problem;
use codewerk::core::project::Project;
pub use error::{CliError, Exit, failed, invalid, problems};
use std::path::Path;

/// Problems that are only warnings (the command goes on): printed where they are found.
pub fn print_problems(problems: &[Problem]) {
    for p in problems {
        eprintln!("{p}");
    }
}

/// Load the project; if even the codebook or respondents cannot be read, print why and exit 2.
pub fn load(root: &Path) -> Result<Project> {
    load_with(root, false, None)
}

/// As `load`, the texts of unchanged transcripts left unread (`Project::load_lazy`).
pub fn load_lazy(root: &Path) -> Result<Project> {
    load_with(root, true, None)
}

/// As `load_lazy`, reading only the journals of `coders` when each of them has one
/// (`Project::load_lazy_for`); otherwise every journal, so that a misspelt coder is refused with
/// the list of all coders.
pub fn load_lazy_for(root: &Path, coders: &[String]) -> Result<Project> {
    let names = Project::journal_names(root);
    if coders.iter().all(|c| names.contains(c)) {
        load_with(root, true, Some(coders))
    } else {
        load_with(root, true, None)
    }
}

fn load_with(root: &Path, lazy: bool, only: Option<&[String]>) -> Result<Project> {
    // Half old, half new files: nothing may read or write them until the step is finished or
    // undone (`check` says how).
    if let Some(p) = codewerk::core::pseudonym::project::pending_problem(root) {
        return Err(problems(vec![p], ""));
    }
    let loaded = match (lazy, only) {
        (true, Some(coders)) => Project::load_lazy_for(root, coders),
        (true, None) => Project::load_lazy(root),
        (false, _) => Project::load(root),
    };
    match loaded {
        Ok(p) => Ok(p),
        Err(e) => Err(problems(
            e.problems,
            format!("cannot open the project in {}", root.display()),
        )),
    }
}

/// Load the project and insist that it has no errors: commands that compute results must not
/// silently leave out a broken transcript or journal.
pub fn load_valid(root: &Path) -> Result<Project> {
    valid(load(root)?)
}

/// As `load_valid`, reading only the texts of the transcripts that the codings `wanted` picks
/// (by coder and coding) are on, and those that loading needs (`Project::load_lazy`): for
/// commands that count, quote or compare codings. Texts used later are read then.
pub fn load_valid_for(
    root: &Path,
    wanted: impl Fn(&str, &codewerk::core::coding::Coding) -> bool,
) -> Result<Project> {
    let mut project = load_lazy(root)?;
    project.read_texts(wanted);
    valid(project)
}

/// End a command with the project it loaded left to the operating system rather than freed:
/// at 10,000 transcripts and 400,000 codings, freeing them one by one took up to a second of a
/// command that exits right after.
pub fn leave(project: Project) {
    std::mem::forget(project);
}

/// The project if it has no errors, else the errors (see `load_valid`).
pub fn valid(project: Project) -> Result<Project> {
    if project.has_errors() {
        let errors: Vec<Problem> = project
            .problems
            .iter()
            .filter(|p| p.is_error())
            .cloned()
            .collect();
        let n = errors.len();
        return Err(problems(
            errors,
            format!("the project has {n} error(s); run `codewerk check` and fix them first"),
        ));
    }
    Ok(project)
}

/// Pretty JSON on stdout, written as it is serialised: a search with every hit is hundreds of
/// megabytes, which as one `String` (or a tree of `serde_json::Value`s) took several times that
/// in memory.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}
