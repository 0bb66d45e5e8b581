//! What a search reads of the project besides the index.

use super::Index;
use crate::core::codebook::Codebook;
use crate::core::project::{Project, ordered};
use crate::core::respondents::Respondent;
use crate::core::settings::Settings;
use crate::core::transcript::Transcript;
use std::collections::{HashMap, HashSet};

/// What a search reads of the project besides the index: a loaded `Project`, or a
/// `fresh::Light` that reads only the transcripts of the hits it shows.
pub trait Source {
    fn settings(&self) -> &Settings;
    fn codebook(&self) -> &Codebook;
    /// The respondents whose transcripts are searched.
    fn respondents(&self) -> &[Respondent];
    fn respondent(&self, id: &str) -> Option<&Respondent>;
    /// Coders with a journal.
    fn coder_names(&self) -> Vec<&str>;
    /// Speaker labels of the turns.
    fn speaker_labels(&self, index: &Index) -> Vec<String>;
    /// The texts of these transcripts, to make the hits' snippets.
    fn texts(&self, ids: &[&str]) -> Texts<'_>;
    /// Every coding a search filter counts (none flagged for review), for the code, coder and
    /// "not coded" filters; None if this source has not read them (a `fresh::Light` opened for
    /// a search without such filters).
    fn codings(&self) -> Option<Box<dyn Iterator<Item = CodingRef<'_>> + '_>>;

    /// Respondent groups in report order, as `Project::groups`.
    fn groups(&self) -> Vec<String> {
        ordered(
            self.settings().groups.iter().map(|g| g.id.clone()),
            self.respondents().iter().map(|r| r.group.clone()),
        )
    }

    /// School types in report order, as `Project::school_types`.
    fn school_types(&self) -> Vec<String> {
        ordered(
            self.settings().school_types.iter().cloned(),
            self.respondents()
                .iter()
                .map(|r| r.school_type.clone())
                .filter(|s| !s.is_empty()),
        )
    }
}

/// One coding as the search filters see it: who applied which code where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodingRef<'a> {
    pub coder: &'a str,
    pub transcript: &'a str,
    /// The code's id (a merged code's codings count as the code it went into).
    pub code: &'a str,
    /// Character offsets in the transcript, end exclusive.
    pub start: usize,
    pub end: usize,
}

/// Transcript texts a search shows: all of a loaded project, or the few read for the hits.
pub enum Texts<'a> {
    Loaded(&'a Project),
    Read(HashMap<String, Transcript>),
}

impl Texts<'_> {
    pub fn get(&self, id: &str) -> Option<&Transcript> {
        match self {
            Texts::Loaded(p) => p.transcript(id),
            Texts::Read(m) => m.get(id),
        }
    }
}

impl Source for Project {
    fn settings(&self) -> &Settings {
        &self.settings
    }
    fn codebook(&self) -> &Codebook {
        &self.codebook
    }
    fn respondents(&self) -> &[Respondent] {
        &self.respondents
    }
    fn respondent(&self, id: &str) -> Option<&Respondent> {
        Project::respondent(self, id)
    }
    fn coder_names(&self) -> Vec<&str> {
        self.coders.keys().map(String::as_str).collect()
    }
    fn speaker_labels(&self, _: &Index) -> Vec<String> {
        distinct(
            self.transcripts
                .iter()
                .flat_map(|t| t.turns().iter().filter_map(|tr| tr.speaker.as_deref())),
        )
    }
    fn texts(&self, _: &[&str]) -> Texts<'_> {
        Texts::Loaded(self)
    }
    fn codings(&self) -> Option<Box<dyn Iterator<Item = CodingRef<'_>> + '_>> {
        Some(Box::new(self.coders.iter().flat_map(|(coder, state)| {
            state
                .codings
                .values()
                .filter(|c| !c.anchor.is_flagged())
                .map(move |c| CodingRef {
                    coder,
                    transcript: &c.transcript,
                    code: &c.code,
                    start: c.start,
                    end: c.end,
                })
        })))
    }
}

/// Distinct non-empty values, in order of first appearance.
pub(super) fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen = HashSet::new();
    values
        .filter(|v| !v.is_empty() && seen.insert(*v))
        .map(str::to_string)
        .collect()
}
