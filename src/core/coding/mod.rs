//! Codings and the per-coder journal `codings/<coder>.jsonl`.
//!
//! The journal is append-only: every action a coder takes is one JSON line (or a batch of lines),
//! fsynced before the screen shows it. The current codings are what replaying the journal gives.
//! Each line carries the coder, a time stamp and the quoted text, so the file is a readable audit
//! trail. Undo and redo are journaled too, so they work across a restart.
//!
//! Crash safety: a line torn by a crash (no final newline) is skipped with a warning and, when
//! the journal is next opened for writing, moved aside to `<coder>.jsonl.torn` before appending.
//! Only one process may write a coder's journal: `Journal::open` takes an OS lock on
//! `codings/.<coder>.lock`, which also records the holder's pid for the error message. Neither
//! the lock nor the journal may be a symbolic link: writing through one would change a file
//! elsewhere.
//!
//! Journals merge: a coder on two machines (a laptop and the secure server) brings the two
//! journals together with git's union merge or by concatenating them. New coding ids and line
//! `seq`s are random, so the machines never hand out the same one; a line read twice is applied
//! once; the lines of a batch are applied together wherever they are; an undo names its action.
//! Replaying the merged file (in file order) gives the union of both machines' work.

mod journal;
mod op;
mod passage;
mod seal;
mod state;
#[cfg(test)]
mod tests;

// Where a coding stands belongs to anchoring; it is re-exported so that every
// `coding::Anchor` path keeps working.
pub use super::anchor::Anchor;
pub use journal::{Journal, JournalError, journal_path, now, valid_coder};
pub use op::{LogEntry, Op, Record};
pub use passage::{Coding, CodingId, Span};
pub use seal::reseal;
pub use state::CoderState;
