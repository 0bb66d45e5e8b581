//! Saved queries (`codewerk query save NAME 'EXPR'`): named respondent sets kept in the project
//! as `queries.json`, so that "kent meldcode niet" can be used like a group in every export
//! (`--by set:NAME`, `--among set:NAME`) and stays in git with the codings it is made from.
//!
//! A set is evaluated at respondent level with the codings of the coder of the export, each time:
//! it stores the query, never a list of respondents that would go stale.

use crate::core::fsutil;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSet {
    pub query: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct File {
    #[serde(default)]
    sets: BTreeMap<String, SavedSet>,
}

pub fn path(root: &Path) -> PathBuf {
    root.join("queries.json")
}

/// The saved sets; none when the file does not exist. A damaged file is an error naming it.
pub fn load(root: &Path) -> Result<BTreeMap<String, SavedSet>, String> {
    let path = path(root);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    serde_json::from_slice::<File>(&bytes)
        .map(|f| f.sets)
        .map_err(|e| format!("{}:{}:{}: {e}", path.display(), e.line(), e.column()))
}

/// A name usable after `set:`: letters, digits, `-` and `_`, so that it reads as one word.
pub fn valid_name(name: &str) -> Result<(), String> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "a set name is letters, digits, - and _ (one word), not \"{name}\""
        ));
    }
    Ok(())
}

/// Save (or replace) a set, atomically. Returns whether one of that name existed.
pub fn save(root: &Path, name: &str, set: SavedSet) -> Result<bool, String> {
    valid_name(name)?;
    let mut sets = load(root)?;
    let existed = sets.insert(name.to_string(), set).is_some();
    let mut bytes = serde_json::to_vec_pretty(&File { sets }).map_err(|e| e.to_string())?;
    bytes.push(b'\n');
    let path = path(root);
    fsutil::write_atomic(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(existed)
}

/// Remove a set; false if there was none of that name.
pub fn remove(root: &Path, name: &str) -> Result<bool, String> {
    let mut sets = load(root)?;
    if sets.remove(name).is_none() {
        return Ok(false);
    }
    let mut bytes = serde_json::to_vec_pretty(&File { sets }).map_err(|e| e.to_string())?;
    bytes.push(b'\n');
    let path = path(root);
    fsutil::write_atomic(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(true)
}
