//! No subcommand: open the coding TUI (or, when not on a terminal, print `check`'s summary).

use super::load;
use anyhow::Result;
use std::io::IsTerminal;
use std::path::Path;

pub fn run(root: &Path, coder: &str) -> Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!("codewerk: not on a terminal; printing the project summary instead of the TUI");
        return super::check::run(root, false, false);
    }
    let project = load(root)?;
    codewerk::tui::run(project, coder)
}
