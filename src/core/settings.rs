//! `project.json`: what a project declares about itself that is not the codebook: its name,
//! the respondent groups (with the plural used in counts, "12 of 27 docenten") and the school
//! types, and which speaker labels are the interviewer's. Optional: without it, groups and
//! school types are taken as they occur and the interviewer is `I`, `Int` or `Interviewer`.

use super::problem::Problem;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Respondent groups in the order reports show them. Empty: not declared.
    #[serde(default)]
    pub groups: Vec<Group>,
    /// School types in the order reports show them. Empty: not declared.
    #[serde(default)]
    pub school_types: Vec<String>,
    /// Speaker labels that mark the interviewer's turns (autocode leaves them out, the TUI dims
    /// them). Empty, or absent in older project.json files: [`DEFAULT_INTERVIEWER_LABELS`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interviewer_labels: Vec<String>,
    /// The language of `export report`'s fixed words, `nl` or `en` (`--lang` overrides it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_language: Option<String>,
}

/// The interviewer labels of a project that does not declare its own.
pub const DEFAULT_INTERVIEWER_LABELS: [&str; 3] = ["I", "Int", "Interviewer"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: String,
    #[serde(default)]
    pub plural: String,
}

impl Group {
    pub fn plural(&self) -> &str {
        if self.plural.is_empty() {
            &self.id
        } else {
            &self.plural
        }
    }
}

impl Settings {
    pub fn load(path: &Path) -> Result<Settings, Problem> {
        if !path.exists() {
            return Ok(Settings::default());
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| Problem::error(path, format!("cannot read: {e}")))?;
        serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(&text)).map_err(|e| {
            Problem::error(path, format!("malformed project settings: {e}"))
                .at(e.line(), Some(e.column()))
        })
    }

    /// What loads but is wrong: a group declared twice (which plural counts?), a group without
    /// its plural (counts would read "3 of 12 docent"). Lines are found in the file's text.
    pub fn lint(&self, path: &Path) -> Vec<Problem> {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        // The n-th `"id"` after `"groups"` is the n-th group's (groups have no nested ids).
        let mut lines = Vec::new();
        if let Some(from) = text.find("\"groups\"") {
            let mut at = from;
            while let Some(i) = text[at..].find("\"id\"") {
                at += i + 4;
                lines.push(text[..at].matches('\n').count() + 1);
            }
        }
        let line = |i: usize| lines.get(i).copied();
        let here = |p: Problem, i: usize| match line(i) {
            Some(l) => p.at(l, None),
            None => p,
        };
        let mut problems = Vec::new();
        for (i, g) in self.groups.iter().enumerate() {
            if let Some(first) = self.groups[..i].iter().position(|x| x.id == g.id) {
                let also = line(first).map_or(String::new(), |l| format!(" (also on line {l})"));
                problems.push(here(
                    Problem::error(path, format!("group \"{}\" is declared twice{also}", g.id)),
                    i,
                ));
            } else if g.plural.trim().is_empty() {
                problems.push(here(
                    Problem::warning(
                        path,
                        format!(
                            "group \"{}\" has no \"plural\": counts will read \"3 of 12 {}\"",
                            g.id, g.id
                        ),
                    ),
                    i,
                ));
            }
        }
        problems
    }

    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }

    /// The labels that mark the interviewer, declared or the default ones.
    pub fn interviewer_labels(&self) -> Vec<&str> {
        if self.interviewer_labels.is_empty() {
            DEFAULT_INTERVIEWER_LABELS.to_vec()
        } else {
            self.interviewer_labels.iter().map(String::as_str).collect()
        }
    }

    /// Whether a turn's speaker label is the interviewer's, by this project's labels.
    pub fn is_interviewer(&self, label: Option<&str>) -> bool {
        crate::core::transcript::is_interviewer_among(label, &self.interviewer_labels())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interviewer_labels_default_and_declared() {
        let old: Settings = serde_json::from_str(r#"{"name": "x"}"#).unwrap();
        assert!(old.is_interviewer(Some("Interviewer 2")));
        assert!(!old.is_interviewer(Some("Speaker 1")));
        let own: Settings =
            serde_json::from_str(r#"{"interviewer_labels": ["Speaker 1", "Onderzoeker"]}"#)
                .unwrap();
        assert!(own.is_interviewer(Some("speaker 1")));
        assert!(own.is_interviewer(Some("Onderzoeker 2")));
        assert!(!own.is_interviewer(Some("I")));
        assert!(!own.is_interviewer(Some("Speaker 2")));
        // Written back, the field is kept; a default one is not written at all.
        assert!(
            serde_json::to_string(&own)
                .unwrap()
                .contains("interviewer_labels")
        );
        assert!(
            !serde_json::to_string(&old)
                .unwrap()
                .contains("interviewer_labels")
        );
    }
}
