//! codewerk: a terminal workbench for qualitative coding of interview transcripts.
//!
//! The library is the domain core (`core`), shared by the command line and the terminal UI.

pub mod core;

pub use crate::core::codebook::{Code, Codebook, Rgb};
pub use crate::core::coding::{CoderState, Coding, Journal, Op};
pub use crate::core::problem::Problem;
pub use crate::core::project::Project;
pub use crate::core::transcript::Transcript;
pub mod tui;
