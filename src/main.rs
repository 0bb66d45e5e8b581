//! codewerk: parse the command line, dispatch, and report errors without panicking.

mod cli;
mod cmd;

use clap::Parser;
use cli::{Cli, Command, ImportCommand};
use std::process::ExitCode;

fn main() -> ExitCode {
    restore_sigpipe();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => match e.downcast_ref::<cmd::Exit>() {
            Some(cmd::Exit(code)) => ExitCode::from(*code),
            None => {
                eprintln!("codewerk: error: {e:#}");
                ExitCode::from(1)
            }
        },
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let root = cli.project.clone();
    let coder = cli::coder_name(cli.coder.as_deref());
    match cli.command {
        None => cmd::tui::run(&root, &coder),
        Some(Command::Check(o)) => cmd::check::run(&root, o.json, o.fix),
        Some(Command::Stats(o)) => cmd::stats::run(&root, cli.coder.as_deref(), o.json),
        Some(Command::Keys) => {
            print!("{}", codewerk::tui::keymap::markdown());
            Ok(())
        }
        Some(Command::Import(ImportCommand::Quotes(o))) => {
            cmd::import::quotes(&root, &coder, &o.files, o.dry_run, o.json)
        }
        Some(Command::Agreement(o)) => cmd::agreement::run(&root, &o),
        Some(Command::Recode(o)) => cmd::recode::run(&root, &coder, &o),
        Some(Command::Reconcile(o)) => cmd::reconcile::run(&root, &o),
        Some(Command::Search(o)) => cmd::search::run(&root, cli.coder.as_deref(), &o),
        Some(Command::Autocode(o)) => cmd::autocode::run(&root, &coder, &o),
        Some(Command::BenchCorpus(o)) => cmd::search::bench_corpus(&o),
        Some(Command::Export(e)) => cmd::export::run(&root, cli.coder.as_deref(), e),
    }
}

/// Die quietly when the reader of our output goes away (`codewerk stats | head`), as Unix
/// tools do, instead of panicking on a failed print.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to the default at start-up, before any thread.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
