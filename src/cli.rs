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
    /// Export coded quotes, counts, a draft report or a matrix (to exports/ by default).
    #[command(subcommand)]
    Export(ExportCommand),
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

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// One row per coded passage (deelvraag, code, group, school, respondent, offsets, the quote
    /// with its line breaks, memo), ordered so that each cluster is a block. csv|xlsx|json.
    Quotes(ExportOpt),
    /// One row per deelvraag × code × group: respondents who said it, group size, share,
    /// passages, and the same per school type. csv|xlsx|json.
    Summary(ExportOpt),
    /// A draft results chapter per group, deelvraag and code: "N of M" and the quotes. md|html.
    Report(ExportOpt),
    /// One row per respondent with their attributes, one column per code: passages (or 0/1
    /// with --binary), for statistics programs. csv|xlsx|json.
    Matrix(ExportOpt),
}

#[derive(Args, Debug)]
pub struct ExportOpt {
    /// Only this deelvraag (number); repeatable.
    #[arg(long, short = 'd', value_name = "N")]
    pub deelvraag: Vec<u32>,
    /// Only this respondent group (id or plural); repeatable.
    #[arg(long, short = 'g', value_name = "G")]
    pub group: Vec<String>,
    /// Only this school type; repeatable.
    #[arg(long, short = 't', value_name = "T")]
    pub school_type: Vec<String>,
    /// Only this code (id or name); repeatable.
    #[arg(long, value_name = "C")]
    pub code: Vec<String>,
    /// Write here instead of exports/<name>; `-` writes to standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace an existing file (default: never overwrite; exports/ gets a new name, an
    /// existing --out is an error).
    #[arg(long)]
    pub force: bool,
    /// CSV for Excel in a Dutch locale: UTF-8 BOM, ';' between fields, decimal comma.
    #[arg(long)]
    pub excel: bool,
    /// Output format: csv (default), xlsx or json; md (default) or html for report.
    #[arg(long, short = 'f', value_name = "FORMAT")]
    pub format: Option<String>,
    /// Matrix: cells 0/1 (coded or not) instead of passage counts.
    #[arg(long)]
    pub binary: bool,
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
