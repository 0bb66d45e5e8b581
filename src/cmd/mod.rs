//! The command-line front end: one module per subcommand, each a thin layer that loads the
//! project through the core and prints text or JSON.

pub mod agreement;
pub mod autocode;
pub mod bench_docx;
pub mod check;
pub mod export;
pub mod import;
pub mod init;
pub mod kwic;
pub mod pseudonymize;
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
use std::path::Path;

/// Exit with this code after the command has printed why. 2 = invalid input.
#[derive(Debug)]
pub struct Exit(pub u8);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}", self.0)
    }
}

impl std::error::Error for Exit {}

pub fn print_problems(problems: &[Problem]) {
    for p in problems {
        eprintln!("{p}");
    }
}

/// Load the project; if even the codebook or respondents cannot be read, print why and exit 2.
pub fn load(root: &Path) -> Result<Project> {
    // Half old, half new files: nothing may read or write them until the step is finished or
    // undone (`check` says how).
    if let Some(p) = codewerk::core::pseudonym::project::pending_problem(root) {
        eprintln!("{p}");
        return Err(Exit(2).into());
    }
    match Project::load(root) {
        Ok(p) => Ok(p),
        Err(e) => {
            print_problems(&e.problems);
            eprintln!("codewerk: cannot open the project in {}", root.display());
            Err(Exit(2).into())
        }
    }
}

/// Load the project and insist that it has no errors: commands that compute results must not
/// silently leave out a broken transcript or journal.
pub fn load_valid(root: &Path) -> Result<Project> {
    let project = load(root)?;
    if project.has_errors() {
        let errors: Vec<Problem> = project
            .problems
            .iter()
            .filter(|p| p.is_error())
            .cloned()
            .collect();
        print_problems(&errors);
        eprintln!(
            "codewerk: the project has {} error(s); run `codewerk check` and fix them first",
            errors.len()
        );
        return Err(Exit(2).into());
    }
    Ok(project)
}

pub fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
