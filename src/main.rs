//! codewerk: parse the command line, dispatch, and report errors without panicking.

mod cli;
mod cmd;

use clap::Parser;
use cli::{Cli, Command, ImportCommand};
use std::process::ExitCode;

fn main() -> ExitCode {
    restore_sigpipe();
    let mut cli = Cli::parse();
    // An empty $CODEWERK_CODER (or `--coder ""`) names nobody: as if not given.
    cli.coder.retain(|c| !c.is_empty());
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // The one place errors are printed.
        Err(e) => match e.downcast_ref::<cmd::CliError>() {
            Some(err) => {
                err.print();
                ExitCode::from(err.code())
            }
            None => {
                eprintln!("codewerk: error: {e:#}");
                ExitCode::from(1)
            }
        },
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let root = cli.project.clone();
    let many_coders = matches!(
        cli.command,
        Some(Command::Export(cli::ExportCommand::Qdpx(_)))
    );
    if cli.coder.len() > 1 && !many_coders {
        return Err(cmd::invalid(format!(
            "--coder is given {} times; this command takes one",
            cli.coder.len()
        )));
    }
    let coder = cli::coder_name(cli.coder_flag());
    let coder_flag = cli.coder_flag().map(str::to_string);
    let coder_flag = coder_flag.as_deref();
    match cli.command {
        None => cmd::tui::run(&root, &coder, cli.theme),
        Some(Command::Init(o)) => cmd::init::run(&root, &o),
        Some(Command::Check(o)) => cmd::check::run(&root, o.json, o.names.as_deref(), o.fix),
        Some(Command::Stats(o)) => cmd::stats::run(&root, coder_flag, &o),
        Some(Command::Query(o)) => cmd::query::run(&root, coder_flag, o),
        Some(Command::Keyquote(o)) => cmd::export::keyquote(&root, coder_flag, &o),
        Some(Command::Diff(o)) => cmd::export::diff(&o),
        Some(Command::Keys) => {
            print!("{}", codewerk::tui::keymap::markdown());
            Ok(())
        }
        Some(Command::Import(ImportCommand::Quotes(o))) => {
            cmd::import::quotes(&root, &coder, &o.files, o.dry_run, o.json)
        }
        Some(Command::Import(ImportCommand::Transcripts(o))) => cmd::import::transcripts(&root, &o),
        Some(Command::Respondents(o)) => cmd::respondents::run(&root, &o),
        Some(Command::Code(o)) => cmd::code::run(&root, &coder, o),
        Some(Command::Memo(o)) => cmd::memo::run(&root, &coder, coder_flag, o),
        Some(Command::Kwic(o)) => cmd::kwic::run(&root, &o),
        Some(Command::Words(o)) => cmd::words::run(&root, &o),
        Some(Command::Agreement(o)) => cmd::agreement::run(&root, &o),
        Some(Command::Recode(o)) => cmd::recode::run(&root, &coder, &o),
        Some(Command::Reconcile(o)) => cmd::reconcile::run(&root, &o),
        Some(Command::Search(o)) => cmd::search::run(&root, coder_flag, &o),
        Some(Command::Autocode(o)) => cmd::autocode::run(&root, &coder, &o),
        Some(Command::BenchCorpus(o)) => cmd::search::bench_corpus(&o),
        Some(Command::BenchDocx(o)) => cmd::bench_docx::run(&o),
        Some(Command::Pseudonymize(o)) => cmd::pseudonymize::run(&root, &o),
        Some(Command::Export(cli::ExportCommand::Qdc(o))) => cmd::refi::export_qdc(&root, &o),
        Some(Command::Export(cli::ExportCommand::Qdpx(o))) => {
            cmd::refi::export_qdpx(&root, &cli.coder.clone(), &o)
        }
        Some(Command::Export(e)) => cmd::export::run(&root, coder_flag, e),
        Some(Command::Import(ImportCommand::Qdc(o))) => cmd::refi::import_qdc(&root, &o),
        Some(Command::Import(ImportCommand::Qdpx(o))) => cmd::refi::import_qdpx(&root, &o),
    }
}

/// Die quietly when the reader of our output goes away (`codewerk stats | head`), as Unix
/// tools do, instead of panicking on a failed print.
fn restore_sigpipe() {
    #[cfg(unix)]
    #[allow(unsafe_code)]
    // SAFETY: setting a signal's disposition to the default at start-up, before any thread.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
