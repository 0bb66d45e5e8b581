//! The domain core: everything codewerk knows about projects, independent of any front end.
//! Nothing here uses the terminal, clap or ratatui.

pub mod agreement;
pub mod anchor;
pub mod codebook;
pub mod codebook_history;
pub mod codes;
pub mod coding;
pub mod export;
pub mod fsutil;
pub mod import;
pub mod import_transcripts;
pub mod memo;

pub mod index;
pub mod ingest;
pub mod kwic;
pub mod palette;
pub mod problem;
pub mod project;
pub mod pseudonym;
pub mod query;
pub mod reconcile;
pub mod refi;
pub mod respondents;
pub mod review;
pub mod scaffold;
pub mod settings;
pub mod stopwords;
pub mod summary;
pub mod text;
pub mod transcript;
pub mod transcript_cache;
pub mod versions;
pub mod words;
