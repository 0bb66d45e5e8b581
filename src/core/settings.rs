//! `project.json`: what a project declares about itself that is not the codebook: its name,
//! the respondent groups (with the plural used in counts, "12 of 27 docenten") and the school
//! types. Optional: without it, groups and school types are taken as they occur.

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
}

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

    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }
}
