//! codewerk: parse the command line, dispatch, and report errors without panicking.

mod cli;
mod cmd;

use clap::Parser;
use cli::{Cli, Command, ImportCommand};
use std::process::ExitCode;

fn main() -> ExitCode {
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
        None => cmd::check::run(&root, false),
        Some(Command::Check(o)) => cmd::check::run(&root, o.json),
        Some(Command::Stats(o)) => cmd::stats::run(&root, cli.coder.as_deref(), o.json),
        Some(Command::Import(ImportCommand::Quotes(o))) => {
            cmd::import::quotes(&root, &coder, &o.files, o.dry_run, o.json)
        }
        Some(Command::Search(o)) => cmd::search::run(&root, cli.coder.as_deref(), &o),
        Some(Command::Autocode(o)) => cmd::autocode::run(&root, &coder, &o),
        Some(Command::BenchCorpus(o)) => cmd::search::bench_corpus(&o),
    }
}
