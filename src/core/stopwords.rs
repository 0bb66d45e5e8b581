//! Stop words: the words left out of word frequencies (and never taken as a compound's part).
//!
//! codewerk ships a Dutch list (`stopwords-nl.txt`: function words and the fillers of spoken
//! interviews, `eh`, `ja`, `nou`). A project may keep its own list in `codebook/stopwords.txt`,
//! which then replaces the shipped one for `codewerk words`, so words can be added and removed;
//! `codewerk words --init-stopwords` writes the shipped list there as a start. The decompounder
//! always uses the shipped list, so that the index does not depend on an editable file.

use super::index::schema::{exact_analyzer, tokens};
use super::problem::Problem;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// The shipped list's text.
pub const BUILTIN_TEXT: &str = include_str!("stopwords-nl.txt");

/// Where a project keeps its own list, relative to the project folder.
pub const PROJECT_FILE: &str = "codebook/stopwords.txt";

static BUILTIN: LazyLock<HashSet<String>> = LazyLock::new(|| parse(BUILTIN_TEXT));

/// Whether `word` (lower case, accents folded) is on the shipped list.
pub fn is_builtin(word: &str) -> bool {
    BUILTIN.contains(word)
}

/// The words of a list: one per line, `#` starts a comment; case and accents ignored.
fn parse(text: &str) -> HashSet<String> {
    let mut a = exact_analyzer();
    text.lines()
        .map(|l| l.split('#').next().unwrap_or_default())
        .flat_map(|l| tokens(&mut a, l))
        .collect()
}

/// A stop-word list in use.
#[derive(Debug, Clone)]
pub struct StopWords {
    words: HashSet<String>,
    /// The project file it was read from; None for the shipped list.
    pub source: Option<PathBuf>,
}

impl StopWords {
    pub fn builtin() -> StopWords {
        StopWords {
            words: BUILTIN.clone(),
            source: None,
        }
    }

    /// The project's list if it has one, else the shipped list. A file that is not UTF-8 is a
    /// problem naming the file and line.
    pub fn for_project(root: &Path) -> Result<StopWords, Problem> {
        let path = root.join(PROJECT_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::builtin()),
            Err(e) => return Err(Problem::error(&path, format!("cannot read it: {e}"))),
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
                return Err(Problem::error(&path, "not UTF-8 text").at(line, None));
            }
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        Ok(StopWords {
            words: parse(text),
            source: Some(path),
        })
    }

    /// Whether `word` (as the exact analyzer gives it) is a stop word.
    pub fn contains(&self, word: &str) -> bool {
        self.words.contains(word)
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_list_folded_and_project_list_replaces_it() {
        assert!(is_builtin("oke"), "oké folded");
        assert!(is_builtin("de") && is_builtin("eh"));
        assert!(!is_builtin("meldcode"));
        let dir = tempfile::tempdir().unwrap();
        assert!(StopWords::for_project(dir.path()).unwrap().source.is_none());
        std::fs::create_dir_all(dir.path().join("codebook")).unwrap();
        let f = dir.path().join(PROJECT_FILE);
        std::fs::write(&f, "\u{feff}# mine\nSchool  # too common here\nÉén\n").unwrap();
        let s = StopWords::for_project(dir.path()).unwrap();
        assert!(s.contains("school") && s.contains("een"));
        assert!(
            !s.contains("de"),
            "the project's list replaces the shipped one"
        );
        assert_eq!(s.len(), 2);
        std::fs::write(&f, b"ok\nbad \xff\n").unwrap();
        let e = StopWords::for_project(dir.path()).unwrap_err();
        assert_eq!(e.line, Some(2));
    }
}
