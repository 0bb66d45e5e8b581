//! The command line: every job of codewerk as a subcommand, most with `--json` for scripts.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "codewerk",
    version,
    about = "A terminal workbench for qualitative coding of interview transcripts",
    long_about = "A terminal workbench for qualitative coding of interview transcripts.\n\n\
                  Without a subcommand, opens the coding TUI on the project."
)]
pub struct Cli {
    /// The project folder (holding codebook/, transcripts/, codings/).
    #[arg(
        long,
        short = 'p',
        global = true,
        default_value = ".",
        env = "CODEWERK_PROJECT"
    )]
    pub project: PathBuf,

    /// Who is coding: names the journal codings/<CODER>.jsonl. Default: $CODEWERK_CODER, else
    /// the login name.
    #[arg(long, short = 'c', global = true)]
    pub coder: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Load and validate the project; print a summary. Exit 2 if anything is invalid.
    Check(JsonOpt),
    /// Per code: coded passages and distinct respondents per group.
    Stats(StatsOpt),
    /// Import codings from other sources.
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Args, Debug)]
pub struct JsonOpt {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct StatsOpt {
    /// Print JSON instead of text. Counts are for --coder if given, else for every coder.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Codings given as exact quotes, JSON Lines of {"transcript", "code", "quote"[, "memo",
    /// "occurrence"]}; each quote is anchored to its offsets. Written to the coder's journal.
    Quotes(ImportQuotesOpt),
}

#[derive(Args, Debug)]
pub struct ImportQuotesOpt {
    /// Files of quotes (.jsonl).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Check and report, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long)]
    pub json: bool,
}

/// The coder: --coder, else $CODEWERK_CODER, else the login name.
pub fn coder_name(flag: Option<&str>) -> String {
    flag.map(str::to_string)
        .or_else(|| {
            std::env::var("CODEWERK_CODER")
                .ok()
                .filter(|s| !s.is_empty())
        })
        .or_else(|| std::env::var("USER").ok().filter(|s| !s.is_empty()))
        .or_else(|| std::env::var("LOGNAME").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "coder".to_string())
}
