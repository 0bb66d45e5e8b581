//! The one error type of the command line, and the exit code each kind gives. `main` prints
//! it, once, to stderr; commands return it instead of printing their own errors.
//!
//! Exit codes: 0 success; 1 the work failed (a disk, a lock held elsewhere: retrying may help);
//! 2 the input is wrong (a file, an option, the project), nothing was written.

use codewerk::core::problem::Problem;

#[derive(Debug)]
pub enum CliError {
    /// The input is wrong: its problems (each `file:line: …`) and a last line saying what
    /// that means for the command ("nothing was imported"). Exit 2.
    Invalid {
        problems: Vec<Problem>,
        message: String,
    },
    /// The work failed for a reason outside the input. Exit 1.
    Failed(String),
    /// The command has already said everything on stdout (a `check` report whose verdict is
    /// the exit code): exit with this code, print nothing more.
    Quiet(u8),
}

impl CliError {
    pub fn code(&self) -> u8 {
        match self {
            CliError::Invalid { .. } => 2,
            CliError::Failed(_) => 1,
            CliError::Quiet(code) => *code,
        }
    }

    /// Print it to stderr, as every command's errors are printed.
    pub fn print(&self) {
        match self {
            CliError::Invalid { problems, message } => {
                for p in problems {
                    eprintln!("{p}");
                }
                if !message.is_empty() {
                    eprintln!("{}", prefixed(message));
                }
            }
            CliError::Failed(message) => eprintln!("{}", prefixed(message)),
            CliError::Quiet(_) => {}
        }
    }
}

/// Every line of ours starts with "codewerk: ", once.
fn prefixed(message: &str) -> String {
    if message.starts_with("codewerk: ") {
        message.to_string()
    } else {
        format!("codewerk: {message}")
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Invalid { message, .. } | CliError::Failed(message) => f.write_str(message),
            CliError::Quiet(code) => write!(f, "exit {code}"),
        }
    }
}

impl std::error::Error for CliError {}

/// Wrong input, said in one message: exit 2.
pub fn invalid(message: impl Into<String>) -> anyhow::Error {
    CliError::Invalid {
        problems: Vec::new(),
        message: message.into(),
    }
    .into()
}

/// Wrong input found as problems (file:line), then what it means: exit 2.
pub fn problems(problems: Vec<Problem>, message: impl Into<String>) -> anyhow::Error {
    CliError::Invalid {
        problems,
        message: message.into(),
    }
    .into()
}

/// The work failed (not the input): exit 1.
pub fn failed(message: impl Into<String>) -> anyhow::Error {
    CliError::Failed(message.into()).into()
}

/// Exit with `code` after the command has printed its report. Kept under the old name so
/// that `Err(Exit(2).into())` reads as before.
#[allow(non_snake_case)]
pub fn Exit(code: u8) -> CliError {
    CliError::Quiet(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_exit_code_and_one_prefix() {
        let e = invalid("codewerk: already prefixed");
        let e = e.downcast_ref::<CliError>().unwrap();
        assert_eq!(e.code(), 2);
        assert_eq!(prefixed(&e.to_string()), "codewerk: already prefixed");
        assert_eq!(prefixed("bare"), "codewerk: bare");
        assert_eq!(failed("disk").downcast_ref::<CliError>().unwrap().code(), 1);
        assert_eq!(Exit(3).code(), 3);
        // Through anyhow and back, as main sees it.
        let through: anyhow::Error = Exit(2).into();
        assert_eq!(
            through.downcast_ref::<CliError>().map(CliError::code),
            Some(2)
        );
    }
}
