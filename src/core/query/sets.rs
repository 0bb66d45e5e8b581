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

/// Why the saved sets could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SetError {
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error("{path}:{line}:{column}: {err}")]
    Damaged {
        path: PathBuf,
        line: usize,
        column: usize,
        err: serde_json::Error,
    },
    #[error("a set name is letters, digits, - and _ (one word), not \"{0}\"")]
    BadName(String),
    #[error("the saved sets could not be written as JSON: {0}")]
    Serialise(serde_json::Error),
}

pub fn path(root: &Path) -> PathBuf {
    root.join("queries.json")
}

/// The saved sets; none when the file does not exist. A damaged file is an error naming it.
pub fn load(root: &Path) -> Result<BTreeMap<String, SavedSet>, SetError> {
    let path = path(root);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(err) => return Err(SetError::Io { path, err }),
    };
    serde_json::from_slice::<File>(&bytes)
        .map(|f| f.sets)
        .map_err(|err| SetError::Damaged {
            line: err.line(),
            column: err.column(),
            path,
            err,
        })
}

/// A name usable after `set:`: letters, digits, `-` and `_`, so that it reads as one word.
pub fn valid_name(name: &str) -> Result<(), SetError> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        return Err(SetError::BadName(name.to_string()));
    }
    Ok(())
}

/// Write the sets atomically.
fn store(root: &Path, sets: BTreeMap<String, SavedSet>) -> Result<(), SetError> {
    let mut bytes = serde_json::to_vec_pretty(&File { sets }).map_err(SetError::Serialise)?;
    bytes.push(b'\n');
    let path = path(root);
    fsutil::write_atomic(&path, &bytes).map_err(|err| SetError::Io { path, err })
}

/// Save (or replace) a set, atomically. Returns whether one of that name existed.
pub fn save(root: &Path, name: &str, set: SavedSet) -> Result<bool, SetError> {
    valid_name(name)?;
    let mut sets = load(root)?;
    let existed = sets.insert(name.to_string(), set).is_some();
    store(root, sets)?;
    Ok(existed)
}

/// Remove a set; false if there was none of that name.
pub fn remove(root: &Path, name: &str) -> Result<bool, SetError> {
    let mut sets = load(root)?;
    if sets.remove(name).is_none() {
        return Ok(false);
    }
    store(root, sets)?;
    Ok(true)
}
