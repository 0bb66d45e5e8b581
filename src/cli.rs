//! The command line: every job of codewerk as a subcommand, most with `--json` for scripts.

use clap::{Args, Parser, Subcommand, ValueEnum};
use codewerk::core::export::Format;

/// The export formats as the command line spells them (clap lists them in help and errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Csv,
    #[value(alias = "excel")]
    Xlsx,
    Json,
    #[value(alias = "markdown")]
    Md,
    #[value(alias = "htm")]
    Html,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Csv => Format::Csv,
            FormatArg::Xlsx => Format::Xlsx,
            FormatArg::Json => Format::Json,
            FormatArg::Md => Format::Md,
            FormatArg::Html => Format::Html,
        }
    }
}
use std::path::PathBuf;

/// The TUI's colour scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ThemeArg {
    Auto,
    Dark,
    Light,
}

impl ThemeArg {
    /// The name the theme module takes (`auto` leaves it to the terminal).
    pub fn choice(self) -> Option<&'static str> {
        match self {
            ThemeArg::Auto => None,
            ThemeArg::Dark => Some("dark"),
            ThemeArg::Light => Some("light"),
        }
    }
}

/// `words --format`: the table formats plus plain text for the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WordsFormat {
    Text,
    Csv,
    #[value(alias = "excel")]
    Xlsx,
    Json,
}

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
    /// the login name. `export qdpx` takes it more than once (one User per coder).
    #[arg(
        long,
        short = 'c',
        global = true,
        action = clap::ArgAction::Append,
        env = "CODEWERK_CODER"
    )]
    pub coder: Vec<String>,

    /// The TUI's colours: dark (light text on a dark terminal), light (for a white terminal),
    /// or auto (from the terminal's COLORFGBG, else dark).
    #[arg(long, env = "CODEWERK_THEME", value_enum, default_value_t = ThemeArg::Auto)]
    pub theme: ThemeArg,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The one --coder given (commands other than `export qdpx` take one).
    pub fn coder_flag(&self) -> Option<&str> {
        self.coder.last().map(String::as_str)
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a new, empty project: project.json, codebook, respondents.csv, codings/, exports/.
    /// Asks for what is not given when run on a terminal.
    Init(InitOpt),
    /// Load and validate the project; print a summary, and the codings that an edit of their
    /// transcript moved or made ambiguous or orphaned. Exit 2 if anything is invalid.
    Check(CheckOpt),
    /// Per code: coded passages and distinct respondents per group.
    Stats(StatsOpt),
    /// Import interviews as transcripts (`import transcripts`, a new study's first step), or
    /// codings and codebooks from other tools (quotes, REFI-QDA).
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
    /// Write N synthetic interviews as .docx files, for the import benchmark.
    #[command(hide = true)]
    BenchDocx(BenchDocxOpt),
    /// Export coded quotes, counts, a draft report or a matrix (to exports/ by default).
    #[command(subcommand)]
    Export(ExportCommand),
    /// Which numbers and quotes changed between two JSON exports (report, summary or quotes).
    Diff(DiffOpt),
    /// Mark a coded passage as a key quote for `export report --key-quotes` (journaled; --unset
    /// unmarks it).
    Keyquote(KeyQuoteOpt),
    /// Code queries: respondents, turns or passages with A AND NOT B, A NEAR B, ..., with
    /// "N of M" per group; `query save NAME EXPR` keeps one as a named set.
    Query(QueryOpt),
    /// Print the TUI's keys as a Markdown table (the README's key table is this output).
    Keys,
    /// Inter-coder agreement per code (or transcript, group) and pooled: percent agreement,
    /// Cohen's kappa, Krippendorff's alpha, segment agreement, each with its base.
    Agreement(AgreementOpt),
    /// Start a recoder from a copy of another coder's codings (one undoable action).
    Recode(RecodeOpt),
    /// Start a consensus coder from the passages two coders agree on; list what is left.
    Reconcile(ReconcileOpt),
    /// Replace real names by pseudonyms in every transcript, carrying every coding along
    /// (offsets exact), in one recoverable step; the key and the originals are kept apart.
    Pseudonymize(PseudonymizeOpt),
    /// List respondents with their attributes; `respondents set ID name=value...` changes them.
    Respondents(RespondentsOpt),
    /// Shape the codebook: list, add, rename, recolour, describe, move, merge, delete, undo.
    /// Every change is journaled (who, when) in codebook/history.jsonl and undoable.
    #[command(subcommand)]
    Code(CodeCommand),
    /// Memos: the project logbook (dated entries) and memos on transcripts (respondents),
    /// codes and coded passages, journaled per coder and undoable.
    #[command(subcommand)]
    Memo(MemoCommand),
    /// Keyword in context: every occurrence of a search's matches with N words either side,
    /// aligned, with respondent and group (respondent turns only by default).
    Kwic(KwicOpt),
    /// Word (or stem) frequencies per respondent group or attribute, with the share of
    /// respondents using each word; --compare GROUP for the words a group uses more (G²).
    Words(WordsOpt),
}

#[derive(Subcommand, Debug)]
pub enum MemoCommand {
    /// Write a memo (replacing the coder's memo on the same thing; "" removes it), or add a
    /// logbook entry.
    Add(MemoAddOpt),
    /// The memos of --coder (default: every coder), filterable.
    List(MemoListOpt),
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("about").required(true).args(["transcript", "code", "passage", "log"])))]
pub struct MemoAddOpt {
    pub text: String,
    /// On a transcript (= its respondent).
    #[arg(long)]
    pub transcript: Option<String>,
    /// On a code (id or name).
    #[arg(long)]
    pub code: Option<String>,
    /// On a coded passage (its coding id, as `export quotes` lists it).
    #[arg(long, value_name = "CODING_ID")]
    pub passage: Option<u64>,
    /// A logbook entry.
    #[arg(long)]
    pub log: bool,
    /// The logbook entry's day, YYYY-MM-DD (default: today).
    #[arg(long, requires = "log")]
    pub date: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct MemoFilterOpt {
    /// Only this kind: logbook, transcript (or respondent), code, passage; repeatable.
    #[arg(long = "kind")]
    pub kinds: Vec<String>,
    /// Only memos on this code or its passages (id or name).
    #[arg(long)]
    pub code: Option<String>,
    /// Only memos on this transcript or its passages.
    #[arg(long)]
    pub transcript: Option<String>,
    /// Only memos containing this text (case and accents ignored).
    #[arg(long)]
    pub text: Option<String>,
}

#[derive(Args, Debug)]
pub struct MemoListOpt {
    #[command(flatten)]
    pub filter: MemoFilterOpt,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ExportMemosOpt {
    #[command(flatten)]
    pub filter: MemoFilterOpt,
    /// md (default), csv or json.
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// The file to write (`-`: standard output). Default: exports/memos-<coder>.<ext>.
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct ExportCodebookOpt {
    /// md (default), html or xlsx.
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// The file to write (`-`: standard output). Default: exports/codebook-<coder>.<ext>.
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long)]
    pub force: bool,
}

#[derive(Subcommand, Debug)]
pub enum CodeCommand {
    /// The code tree per deelvraag: sub-codes indented, with own and roll-up counts.
    List(CodeListOpt),
    /// Add a code. Name and deelvraag (or --parent) are required; without --colour one is
    /// proposed that differs from every colour in use.
    Add(CodeAddOpt),
    /// Give a code a new name (its id, and every coding of it, stay).
    Rename { code: String, new_name: String },
    /// Give a code a new colour (#RRGGBB).
    Recolour {
        code: String,
        colour: String,
        /// The colour's name as the researchers call it (default: the #RRGGBB).
        #[arg(long)]
        colour_name: Option<String>,
    },
    /// Change a code's definition: description, inclusion and exclusion criteria, example
    /// ("" clears a part).
    Describe(CodeDescribeOpt),
    /// Change a code's parent, deelvraag, category or place; its sub-codes come along.
    Move(CodeMoveOpt),
    /// Count every coding of code A as code B, for every coder (journals are not rewritten);
    /// A's sub-codes become B's.
    Merge { code: String, into: String },
    /// Delete a code. Refused while it has codings, unless --merge-into or --force.
    Delete {
        code: String,
        /// Merge its codings into this code instead (as `code merge`).
        #[arg(long, value_name = "CODE", conflicts_with = "force")]
        merge_into: Option<String>,
        /// Delete it although it has codings: they are flagged (counted nowhere, listed by
        /// `codewerk check`) until recoded or `code undo`.
        #[arg(long)]
        force: bool,
    },
    /// Take back the latest codebook change (an add, rename, merge, ...).
    Undo,
    /// The journal of codebook changes: who changed what, when.
    History {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct CodeListOpt {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct CodeAddOpt {
    pub name: String,
    /// The deelvraag number (may be left out for a sub-code: its parent's).
    #[arg(long, short = 'd')]
    pub deelvraag: Option<u32>,
    /// Make it a sub-code of this code (id or name).
    #[arg(long)]
    pub parent: Option<String>,
    #[arg(long)]
    pub category: Option<String>,
    /// #RRGGBB; default: a proposed colour distinct from those in use.
    #[arg(long)]
    pub colour: Option<String>,
    #[arg(long)]
    pub colour_name: Option<String>,
    /// The id codings will name (default: from the name).
    #[arg(long)]
    pub id: Option<String>,
    #[arg(long, default_value = "")]
    pub description: String,
    #[arg(long, default_value = "")]
    pub inclusion: String,
    #[arg(long, default_value = "")]
    pub exclusion: String,
    #[arg(long, default_value = "")]
    pub example: String,
    /// A code from the research questions rather than one found while coding.
    #[arg(long)]
    pub deductive: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct CodeDescribeOpt {
    pub code: String,
    #[arg(long)]
    pub description: Option<String>,
    #[arg(long)]
    pub inclusion: Option<String>,
    #[arg(long)]
    pub exclusion: Option<String>,
    #[arg(long)]
    pub example: Option<String>,
}

#[derive(Args, Debug)]
pub struct CodeMoveOpt {
    pub code: String,
    /// The new parent (id or name), or `none` for a top-level code.
    #[arg(long)]
    pub parent: Option<String>,
    #[arg(long, short = 'd')]
    pub deelvraag: Option<u32>,
    /// The new category, or `none`.
    #[arg(long)]
    pub category: Option<String>,
    /// Put it just before this code.
    #[arg(long, conflicts_with = "after")]
    pub before: Option<String>,
    /// Put it just after this code.
    #[arg(long)]
    pub after: Option<String>,
}

#[derive(Args, Debug)]
pub struct WordsOpt {
    /// The respondent column to count by: group, school, school_type or any attribute of
    /// respondents.csv.
    #[arg(long, default_value = "group")]
    pub by: String,
    /// Count Dutch stems (signaal, signalen as one) instead of words.
    #[arg(long)]
    pub stems: bool,
    /// Shortest word counted, in letters.
    #[arg(long, default_value_t = 3)]
    pub min_length: usize,
    /// Most words to list; 0 = all.
    #[arg(long, default_value_t = 30)]
    pub top: usize,
    /// Also count interviewer turns (left out by default).
    #[arg(long)]
    pub include_interviewer: bool,
    /// The words this value of --by (e.g. a group, by id or plural) uses more than the other
    /// respondents, by log-likelihood G² (with the log ratio).
    #[arg(long, value_name = "VALUE")]
    pub compare: Option<String>,
    /// text (default), csv, xlsx (needs --out) or json.
    #[arg(long, value_enum, default_value_t = WordsFormat::Text)]
    pub format: WordsFormat,
    /// Write to this file (never overwritten) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write the shipped Dutch stop-word list to codebook/stopwords.txt to edit, and stop.
    #[arg(long)]
    pub init_stopwords: bool,
}

#[derive(Args, Debug)]
pub struct KwicOpt {
    /// The query (see `codewerk search`), e.g. 'meldcode', '"Veilig Thuis"', 'zorg*'.
    pub query: String,
    /// Words of context on each side.
    #[arg(long, default_value_t = 6)]
    pub width: usize,
    /// Order: by the words before the keyword (nearest first), after it, or by transcript.
    #[arg(long, default_value = "transcript", value_parser = ["left", "right", "transcript"])]
    pub sort: String,
    #[command(flatten)]
    pub filters: SearchFilters,
    /// Also occurrences in interviewer turns (left out by default).
    #[arg(long)]
    pub include_interviewer: bool,
    /// Most lines to show; 0 = all.
    #[arg(long, default_value_t = 0)]
    pub limit: usize,
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Comma-separated values, one occurrence per row (UTF-8, header row).
    #[arg(long)]
    pub csv: bool,
}

#[derive(Args, Debug)]
pub struct InitOpt {
    /// The folder to create the project in (default: the --project folder, `.`).
    pub dir: Option<PathBuf>,
    /// The project's name (default: the folder's name).
    #[arg(long)]
    pub name: Option<String>,
    /// A respondent group as ID=PLURAL (`docent=docenten`) or ID; repeatable, in report order.
    /// Default: respondent=respondenten.
    #[arg(long = "group", value_name = "ID=PLURAL")]
    pub groups: Vec<String>,
    /// A school type (the study's main attribute, the school_type column); repeatable.
    /// Default: none declared (any value allowed).
    #[arg(long = "school-type", value_name = "TYPE")]
    pub school_types: Vec<String>,
    /// A speaker label that marks the interviewer; repeatable. Default: I, Int, Interviewer.
    #[arg(long = "interviewer-label", value_name = "LABEL")]
    pub interviewer_labels: Vec<String>,
    /// A deelvraag (research sub-question) as N=TITLE or TITLE; repeatable. Default: one,
    /// "1=Deelvraag 1".
    #[arg(
        long = "deelvraag",
        value_name = "N=TITLE",
        conflicts_with = "codebook"
    )]
    pub deelvragen: Vec<String>,
    /// Start from this codebook (a codebook.json, copied as it is) instead of an empty one.
    #[arg(long, value_name = "FILE")]
    pub codebook: Option<PathBuf>,
    /// Create the project in a folder that already holds other files (none is overwritten).
    #[arg(long)]
    pub force: bool,
    /// Never ask, even on a terminal: use the options and the defaults.
    #[arg(long)]
    pub no_input: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ImportTranscriptsOpt {
    /// Transcript files, or folders of them: .txt, .docx, .odt, .srt, .vtt, Whisper .json,
    /// .csv/.tsv with speaker and text columns.
    #[arg(required = true, value_name = "FILE|DIR")]
    pub files: Vec<PathBuf>,
    /// Map the files' speaker labels to the project's: "Speaker 1=I,Speaker 2=R". On a
    /// terminal, labels the project does not use are asked for when this is not given.
    #[arg(long, value_name = "FROM=TO,...")]
    pub speakers: Option<String>,
    /// The transcript id (one file only; default: from the file name).
    #[arg(long)]
    pub id: Option<String>,
    /// The respondents' group (one of project.json's groups; the only one if it declares one).
    #[arg(long)]
    pub group: Option<String>,
    /// The respondents' school (the school column).
    #[arg(long)]
    pub school: Option<String>,
    /// The respondents' school type (one of project.json's school types, if it declares any).
    #[arg(long)]
    pub school_type: Option<String>,
    /// A further attribute column of respondents.csv; repeatable.
    #[arg(long, value_name = "NAME=VALUE")]
    pub attr: Vec<String>,
    /// Per-file values: a CSV with a `file` column (the file's name) and any of id, group,
    /// school, school_type and attribute columns; over the options above. Every imported
    /// file must be listed.
    #[arg(long, value_name = "FILE.csv")]
    pub respondents: Option<PathBuf>,
    /// Re-import transcripts that exist: replace their text (codings are re-anchored by their
    /// text when the project loads).
    #[arg(long)]
    pub replace: bool,
    /// Show what would be written (format, speakers, turns, words per file); write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Never ask about speakers, even on a terminal.
    #[arg(long)]
    pub no_input: bool,
    /// Print JSON instead of text: per file its id, format, speakers, turns, words and row.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RespondentsOpt {
    #[command(subcommand)]
    pub command: Option<RespondentsCommand>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum RespondentsCommand {
    /// Change attributes of a respondent: group, school, school_type or any column (a new
    /// name adds the column). Written atomically; refused if the project would not be valid.
    Set(RespondentsSetOpt),
}

#[derive(Args, Debug)]
pub struct RespondentsSetOpt {
    /// The respondent (transcript id).
    pub id: String,
    /// NAME=VALUE pairs.
    #[arg(required = true, value_name = "NAME=VALUE")]
    pub values: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct CheckOpt {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also fail (exit 2) while a real name of this names file (CSV real,pseudonym) appears in
    /// transcripts/ or codings/, naming where.
    #[arg(long, value_name = "FILE")]
    pub names: Option<PathBuf>,
    /// Write the certain re-anchorings (codings carried to their edited transcript) to the
    /// coders' journals; ambiguous and orphaned codings are left for review.
    #[arg(long)]
    pub fix: bool,
}

#[derive(Args, Debug)]
pub struct PseudonymizeOpt {
    /// CSV of real name and pseudonym per row (header `real,pseudonym` optional; `,` or `;`).
    #[arg(long, value_name = "FILE", required_unless_present_any = ["resume", "rollback", "reverse"])]
    pub names: Option<PathBuf>,
    /// Keep the key and the originals here (default: private/pseudonymisation-<time>/ in the
    /// project, listed in .gitignore). Not inside transcripts/ or codings/.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["resume", "rollback", "reverse"])]
    pub keep: Option<PathBuf>,
    /// Show what would be replaced (per name, per file); write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Put back the originals kept in --key, byte for byte.
    #[arg(long, requires = "key", conflicts_with_all = ["resume", "rollback", "names"])]
    pub reverse: bool,
    /// The key folder of the pseudonymisation to reverse.
    #[arg(long, value_name = "DIR")]
    pub key: Option<PathBuf>,
    /// Finish an interrupted pseudonymisation (or reversal).
    #[arg(long, conflicts_with_all = ["rollback", "names"])]
    pub resume: bool,
    /// Undo an interrupted pseudonymisation (or reversal).
    #[arg(long, conflicts_with = "names")]
    pub rollback: bool,
    #[arg(long)]
    pub json: bool,
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
    /// Only matches no coding covers yet (by --coder if given, of --code if given): a turn
    /// with one coded and one uncoded match stays, with the uncoded one. --uncoded drops it.
    #[arg(long, conflicts_with = "uncoded")]
    pub uncoded_matches: bool,
    /// Search the memos (passage and code memos, of --coder and --code if given) instead of
    /// the transcripts.
    #[arg(long, conflicts_with_all = ["uncoded", "uncoded_matches"])]
    pub memos: bool,
    /// Order of the hits: respondent turns first (interviewer questions after them), or by
    /// score alone.
    #[arg(long, default_value = "interviewer-last", value_parser = ["interviewer-last", "score"])]
    pub rank: String,
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
    /// Also code hits in interviewer turns (the labels in project.json's interviewer_labels,
    /// default I, Int, Interviewer ...); by default only respondent turns are coded.
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
pub struct BenchDocxOpt {
    /// Folder to write the .docx files into.
    pub dir: PathBuf,
    #[arg(long, default_value_t = 450)]
    pub files: usize,
    /// Words per interview (about).
    #[arg(long, default_value_t = 3000)]
    pub words: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Which respondents count, how they are split, and whether interviewer turns count: the same
/// for `stats`, `query` and every export.
#[derive(Args, Debug, Clone, Default)]
pub struct SplitArgs {
    /// Only respondents with this attribute value (any respondents.csv column, also group,
    /// school, school_type); repeatable, all must hold.
    #[arg(long, value_name = "NAME=VALUE")]
    pub attr: Vec<String>,
    /// Split by this instead of the respondent group: any respondents.csv column, group,
    /// school-type, set:NAME (a saved query), or school (count schools, not respondents).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// With --by on a numeric column: bin edges, e.g. 0,5,10 gives < 0, [0, 5), [5, 10), ≥ 10.
    #[arg(long, value_name = "EDGES", requires = "by")]
    pub bins: Option<String>,
    /// Only respondents for whom this code query holds: they are the "of M" (e.g. 'veilig-thuis'
    /// or 'set:NAME').
    #[arg(long, value_name = "EXPR")]
    pub among: Option<String>,
    /// Also count passages that lie wholly in interviewer turns (by default they are left out:
    /// a question is not what the respondent said).
    #[arg(long)]
    pub include_interviewer: bool,
}

impl SplitArgs {
    /// The export filter these options give (the other fields as `Filter::default()`).
    pub fn filter(&self) -> codewerk::core::export::Filter {
        codewerk::core::export::Filter {
            include_interviewer: self.include_interviewer,
            attrs: self.attr.clone(),
            by: self.by.clone(),
            bins: self.bins.clone(),
            among: self.among.clone(),
            ..Default::default()
        }
    }
}

#[derive(Args, Debug)]
pub struct StatsOpt {
    /// Print JSON instead of text. Counts are for --coder if given, else for every coder.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub split: SplitArgs,
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct QueryOpt {
    #[command(subcommand)]
    pub command: Option<QueryCommand>,
    /// The query: codes (id, or "name" in quotes) with AND, OR, NOT, parentheses, A NEAR B (same
    /// turn), A FOLLOWED-BY B (later in the transcript), set:NAME (a saved query).
    #[arg(value_name = "EXPR")]
    pub expr: Option<String>,
    /// What a match is: respondent (default), turn or passage.
    #[arg(long, value_name = "SCOPE", default_value = "respondent")]
    pub scope: String,
    /// Only this respondent group (id or plural); repeatable.
    #[arg(long, short = 'g', value_name = "G")]
    pub group: Vec<String>,
    /// Only this school type; repeatable.
    #[arg(long, short = 't', value_name = "T")]
    pub school_type: Vec<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub split: SplitArgs,
}

#[derive(Subcommand, Debug)]
pub enum QueryCommand {
    /// Save a query as a named respondent set in the project (queries.json), usable as
    /// set:NAME in queries, --by set:NAME and --among set:NAME.
    Save {
        name: String,
        expr: String,
        /// A description kept with it.
        #[arg(long)]
        description: Option<String>,
    },
    /// Remove a saved set.
    Remove { name: String },
    /// List the saved sets.
    Sets {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Interviews from Word, OpenDocument, subtitles, Whisper or tables, as transcripts with a
    /// respondents.csv row each. All or nothing: one bad file imports none.
    Transcripts(ImportTranscriptsOpt),
    /// Codings given as exact quotes, JSON Lines of {"transcript", "code", "quote"[, "memo",
    /// "occurrence"]}; each quote is anchored to its offsets. Written to the coder's journal.
    Quotes(ImportQuotesOpt),
    /// A REFI-QDA codebook (.qdc, from ATLAS.ti, MAXQDA, NVivo, QualCoder, Taguette) merged into
    /// the codebook: a code with the same GUID or name is the same code (ours kept, differences
    /// listed); new codes go under --deelvraag or a new deelvraag.
    Qdc(ImportQdcOpt),
    /// A REFI-QDA project (.qdpx) as a new codewerk project in --into DIR, or added to the
    /// project (-p): sources as transcripts, codes with their tree and colours, codings per user
    /// as coders, notes as memos, cases and variables as respondent attributes. Prints what was
    /// left out.
    Qdpx(ImportQdpxOpt),
}

#[derive(Args, Debug)]
pub struct ImportQdcOpt {
    /// The .qdc file.
    pub file: PathBuf,
    /// The deelvraag (number) new codes go under; default: a new deelvraag.
    #[arg(long, value_name = "N")]
    pub deelvraag: Option<u32>,
    /// Report what would change, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ImportQdpxOpt {
    /// The .qdpx file.
    pub file: PathBuf,
    /// The folder for a new project (must not exist, or be empty). Without it the .qdpx is
    /// added to the project (-p, default the current folder), which is changed only if the
    /// whole import succeeds.
    #[arg(long, value_name = "DIR")]
    pub into: Option<PathBuf>,
    /// The case variable that becomes the respondent group (default: one group "respondent").
    #[arg(long, value_name = "NAME")]
    pub group_variable: Option<String>,
    /// Read and report, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long)]
    pub json: bool,
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
    /// Segment agreement: count a coder's overlapping passages of one code as separate
    /// segments (by default they are merged into one first, as MAXQDA does).
    #[arg(long)]
    pub keep_overlapping: bool,
    /// List the disagreements of A and B instead of the measures.
    #[arg(long)]
    pub list: bool,
    /// Compare at parent level: every sub-code counts as its top-level code (a passage one
    /// coder gave "Signalen herkennen" and the other its sub-code agrees). Rows are the
    /// top-level codes only.
    #[arg(long)]
    pub fold_subcodes: bool,
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
    /// Every memo (logbook, transcripts, codes, passages) of --coder or all coders. md|csv|json.
    Memos(ExportMemosOpt),
    /// The codebook as a methods appendix: deelvraag → code tree, colours, definitions,
    /// criteria, examples, inductive or not, respondents per group, code memos. md|html|xlsx.
    Codebook(ExportCodebookOpt),
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
    /// Code × code: units with both codes (--unit respondent, turn or overlap), per group and
    /// in all, with the c-coefficient (Jaccard) and shares. csv|xlsx|json.
    Cooccurrence(ExportOpt),
    /// The codebook as a REFI-QDA codebook (.qdc) for ATLAS.ti, MAXQDA, NVivo, QualCoder:
    /// deelvragen and categories as non-codable parent codes, GUIDs kept in codebook.json.
    Qdc(RefiExportOpt),
    /// The project as a REFI-QDA project (.qdpx): users (one per --coder, default every coder),
    /// codebook, transcripts, coded passages, memos, respondents as cases with variables.
    Qdpx(RefiExportOpt),
}

#[derive(Args, Debug)]
pub struct RefiExportOpt {
    /// Write here (default: exports/<project>.qdc or .qdpx).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
    #[arg(long)]
    pub json: bool,
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
    #[arg(
        long,
        short = 'f',
        value_name = "FORMAT",
        value_enum,
        ignore_case = true
    )]
    pub format: Option<FormatArg>,
    /// Matrix: cells 0/1 (coded or not) instead of passage counts.
    #[arg(long)]
    pub binary: bool,
    /// Refuse (exit 2) while a real name of this names file still appears in the project.
    #[arg(long, value_name = "FILE")]
    pub names: Option<PathBuf>,
    /// Only passages for which this code query holds, e.g. 'knelpunten AND veilig-thuis'
    /// (group sizes stay); see `codewerk query --help`.
    #[arg(long = "where", value_name = "EXPR")]
    pub where_query: Option<String>,
    /// The unit --where is evaluated on: passage (default), turn or respondent.
    #[arg(long, value_name = "SCOPE", requires = "where_query")]
    pub where_scope: Option<String>,
    /// Co-occurrence: what "together" means: respondent (default), turn, or overlap (passages
    /// whose text overlaps).
    #[arg(long, value_name = "UNIT")]
    pub unit: Option<String>,
    /// Report: per code and group only the passages marked as key quotes (`codewerk keyquote`);
    /// where none is marked, the --shortest N.
    #[arg(long)]
    pub key_quotes: bool,
    /// With --key-quotes: how many of the shortest passages stand in where none is marked.
    #[arg(long, value_name = "N", default_value_t = 2, requires = "key_quotes")]
    pub shortest: usize,
    /// Report: the language of its fixed words, nl or en (default: report_language in
    /// project.json, else en).
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// Report: counts up to twenty as words, as a chapter writes them ("Veertien docenten van de
    /// 27").
    #[arg(long)]
    pub number_words: bool,
    /// Report: write nothing; say which numbers and quotes changed since PREVIOUS.json (an
    /// earlier `export report --format json`, or a summary or quotes JSON).
    #[arg(long, value_name = "PREVIOUS.json")]
    pub check: Option<PathBuf>,
    #[command(flatten)]
    pub split: SplitArgs,
}

#[derive(Args, Debug)]
pub struct DiffOpt {
    /// The earlier JSON export (report, summary or quotes).
    pub before: PathBuf,
    /// The later one.
    pub after: PathBuf,
    /// Print the changes as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct KeyQuoteOpt {
    /// The coding's id (the coding_id column of `export quotes`, `coding` in `query --scope
    /// passage --json`).
    pub id: u64,
    /// Unmark it.
    #[arg(long)]
    pub unset: bool,
}

/// The coder: --coder, else $CODEWERK_CODER (both in `flag`: clap reads the variable), else
/// the login name.
pub fn coder_name(flag: Option<&str>) -> String {
    flag.filter(|s| !s.is_empty())
        .map(str::to_string)
        .or_else(|| std::env::var("USER").ok().filter(|s| !s.is_empty()))
        .or_else(|| std::env::var("LOGNAME").ok().filter(|s| !s.is_empty()))
        .or_else(login_name)
        .unwrap_or_else(|| "coder".to_string())
}

/// The login name from the password database, for sessions without $USER (cron, some ssh).
fn login_name() -> Option<String> {
    whoami::fallible::username().ok().filter(|n| !n.is_empty())
}
