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
    /// Load and validate the project; print a summary, and the codings that an edit of their
    /// transcript moved or made ambiguous or orphaned. Exit 2 if anything is invalid.
    Check(CheckOpt),
    /// Per code: coded passages and distinct respondents per group.
    Stats(StatsOpt),
    /// Import codings from other sources.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Full-text search of the transcripts: words (Dutch stemming, accents ignored),
    /// "phrases", AND/OR/NOT, prefix*. --coder filters to that coder's codings.
    Search(SearchOpt),
    /// Code every hit of a search, written to the coder's journal as one undoable action.
    Autocode(AutocodeOpt),
    /// Write a synthetic corpus (a project of N random Dutch transcripts) for benchmarks.
    #[command(hide = true)]
    BenchCorpus(BenchCorpusOpt),
    /// Export coded quotes, counts, a draft report or a matrix (to exports/ by default).
    #[command(subcommand)]
    Export(ExportCommand),
    /// Print the TUI's keys as a Markdown table (the README's key table is this output).
    Keys,
    /// Inter-coder agreement per code (or transcript, group) and pooled: percent agreement,
    /// Cohen's kappa, Krippendorff's alpha, segment agreement, each with its base.
    Agreement(AgreementOpt),
    /// Start a recoder from a copy of another coder's codings (one undoable action).
    Recode(RecodeOpt),
    /// Start a consensus coder from the passages two coders agree on; list what is left.
    Reconcile(ReconcileOpt),
}

/// Which units a search looks at (shared by search and autocode).
#[derive(Args, Debug, Clone, Default)]
pub struct SearchFilters {
    /// Only respondents of this group.
    #[arg(long)]
    pub group: Option<String>,
    /// Only respondents of this school type.
    #[arg(long)]
    pub school_type: Option<String>,
    /// Only respondents of this school.
    #[arg(long)]
    pub school: Option<String>,
    /// Only respondents with this attribute value (a column of respondents.csv); repeatable.
    #[arg(long, value_name = "NAME=VALUE")]
    pub attr: Vec<String>,
    /// Only turns of this speaker label (e.g. R for the respondent's answers).
    #[arg(long)]
    pub speaker: Option<String>,
}

#[derive(Args, Debug)]
pub struct SearchOpt {
    /// The query, e.g. 'meldcode', '"Veilig Thuis"', 'signalen AND NOT ouders', 'zorg*'.
    /// Empty ('') with filters: every unit that passes them.
    pub query: String,
    #[command(flatten)]
    pub filters: SearchFilters,
    /// Only passages coded with this code (id or name), by --coder if given. With --uncoded:
    /// only passages NOT coded with it.
    #[arg(long)]
    pub code: Option<String>,
    /// Only passages without codes (by --coder if given; of --code if given).
    #[arg(long)]
    pub uncoded: bool,
    /// Most hits to show; 0 = all.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct AutocodeOpt {
    /// The query whose hits get the code (see `codewerk search`).
    pub query: String,
    /// The code to apply (id or name).
    #[arg(long, required = true)]
    pub code: String,
    /// What is coded: the matched words, their sentence, or the whole turn.
    #[arg(long, default_value = "match", value_parser = ["match", "sentence", "turn"])]
    pub scope: String,
    #[command(flatten)]
    pub filters: SearchFilters,
    /// Also code hits in interviewer turns (speaker I, Int, Interviewer ...); by default only
    /// respondent turns are coded.
    #[arg(long)]
    pub include_interviewer: bool,
    /// Show what would be coded, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct BenchCorpusOpt {
    /// Folder to write the project into.
    pub dir: PathBuf,
    #[arg(long, default_value_t = 45)]
    pub transcripts: usize,
    /// Words per transcript (about).
    #[arg(long, default_value_t = 3000)]
    pub words: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Args, Debug)]
pub struct CheckOpt {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Write the certain re-anchorings (codings carried to their edited transcript) to the
    /// coders' journals; ambiguous and orphaned codings are left for review.
    #[arg(long)]
    pub fix: bool,
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

#[derive(Args, Debug)]
pub struct AgreementOpt {
    /// Coders A and B (kappa, segments, disagreements), then any more for Krippendorff's alpha.
    #[arg(required = true, num_args = 2.., value_name = "CODER")]
    pub coders: Vec<String>,
    /// Only this code (id or name); repeatable. Default: every code the coders used.
    #[arg(long = "code", value_name = "CODE")]
    pub codes: Vec<String>,
    /// One row per code, transcript or respondent group.
    #[arg(long, value_enum, default_value = "code")]
    pub by: AgreementBy,
    /// Minimum overlap of two passages to match, percent (intersection over union).
    #[arg(long, default_value_t = 90.0, value_name = "T")]
    pub overlap: f64,
    /// Compare every transcript, also those not every coder has worked on (as NVivo does).
    #[arg(long)]
    pub all_transcripts: bool,
    /// List the disagreements of A and B instead of the measures.
    #[arg(long)]
    pub list: bool,
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    #[arg(long)]
    pub csv: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum AgreementBy {
    Code,
    Transcript,
    Group,
}

#[derive(Args, Debug)]
pub struct RecodeOpt {
    /// The coder whose codings are copied.
    #[arg(long, value_name = "CODER")]
    pub from: String,
    /// The recoder (default: --coder, else $CODEWERK_CODER, else the login name).
    #[arg(long = "as", value_name = "CODER")]
    pub target: Option<String>,
    /// Copy even if the recoder already has codings (codings they have already are skipped).
    #[arg(long)]
    pub force: bool,
    /// Report what would be copied; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ReconcileOpt {
    /// Coders A and B.
    #[arg(value_name = "CODER_A")]
    pub a: String,
    #[arg(value_name = "CODER_B")]
    pub b: String,
    /// The consensus coder.
    #[arg(long = "as", value_name = "CODER", default_value = "consensus")]
    pub target: String,
    /// Only this code (id or name); repeatable.
    #[arg(long = "code", value_name = "CODE")]
    pub codes: Vec<String>,
    /// Compare every transcript, also those not both coders have worked on.
    #[arg(long)]
    pub all_transcripts: bool,
    /// Report what would be copied; write nothing.
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
    flag.filter(|s| !s.is_empty())
        .map(str::to_string)
        .or_else(|| {
            std::env::var("CODEWERK_CODER")
                .ok()
                .filter(|s| !s.is_empty())
        })
        .or_else(|| std::env::var("USER").ok().filter(|s| !s.is_empty()))
        .or_else(|| std::env::var("LOGNAME").ok().filter(|s| !s.is_empty()))
        .or_else(login_name)
        .unwrap_or_else(|| "coder".to_string())
}

/// The login name from the password database, for sessions without $USER (cron, some ssh).
fn login_name() -> Option<String> {
    #[cfg(unix)]
    {
        // SAFETY: getpwuid returns a pointer into static storage or null; we copy the name out
        // at once, before any other call could overwrite it.
        unsafe {
            let pw = libc::getpwuid(libc::getuid());
            if pw.is_null() || (*pw).pw_name.is_null() {
                return None;
            }
            let name = std::ffi::CStr::from_ptr((*pw).pw_name)
                .to_string_lossy()
                .into_owned();
            (!name.is_empty()).then_some(name)
        }
    }
    #[cfg(not(unix))]
    {
        None
    }
}
