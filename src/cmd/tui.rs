//! No subcommand: open the coding TUI (or, when not on a terminal, print `check`'s summary).

use super::load_lazy;
use anyhow::Result;
use std::io::IsTerminal;
use std::path::Path;

pub fn run(root: &Path, coder: &str, theme: crate::cli::ThemeArg) -> Result<()> {
    // What `CODEWERK_FIRST_FRAME` measures from: before the project is loaded.
    let _ = codewerk::tui::STARTED.set(std::time::Instant::now());
    // A misspelt name must not open a read-only session that looks like work is being saved.
    if !codewerk::core::coding::valid_coder(coder) {
        return Err(super::invalid(format!(
            "\"{coder}\" cannot be a coder name: use letters, digits, '-', '_' or '.' (it names \
             the journal codings/<name>.jsonl)"
        )));
    }
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!("codewerk: not on a terminal; printing the project summary instead of the TUI");
        return super::check::run(root, false, None, false);
    }
    // The first frame needs no transcript text: each is read when it is opened.
    let project = load_lazy(root)?;
    codewerk::tui::run(
        project,
        coder,
        codewerk::tui::theme::Theme::detect(theme.choice()),
    )
}
