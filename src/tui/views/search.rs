//! The search view (`/`): results update as you type, filters by Ctrl keys, Enter shows the hit
//! in the transcript with the match selected, so that a digit or `f` codes it at once.
//! Respondent turns rank first (Ctrl-o: by score alone); Ctrl-n keeps the matches not coded
//! yet (hit-level: a turn stays while one of its matches is uncoded); Ctrl-k codes all hits (or
//! the ones marked with Ctrl-x) with the highlighted code as one undoable action, leaving out
//! interviewer turns as `codewerk autocode` does; Ctrl-w shows the hits as keyword in context.

use super::{Outcome, cycle};
use crate::core::coding::CoderState;
use crate::core::index::search::{Hit, Hits, Query, Rank};
use crate::core::index::uncoded::keep_uncoded_matches_of;
use crate::core::project::Project;
use crate::tui::action::Action;
use crate::tui::keymap::Layer;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::collections::BTreeSet;

/// Hits shown at most; the total is counted in full.
const LIMIT: usize = 200;
/// Hits looked at for "not coded yet": matches are checked hit by hit, so not all of them.
const UNCODED_SCAN: usize = 2000;

#[derive(Default)]
pub struct SearchView {
    pub query: String,
    pub group: Option<String>,
    pub school_type: Option<String>,
    pub speaker: Option<String>,
    /// Rank by score alone (default: respondent turns first).
    pub by_score: bool,
    /// Only matches this coder has not coded (hit-level).
    pub uncoded: bool,
    pub hits: Vec<Hit>,
    pub total: usize,
    /// The total is at least this (the "not coded" scan stopped at `UNCODED_SCAN` hits).
    pub capped: bool,
    /// Hits marked (by index in `hits`) for autocoding only them.
    pub marked: BTreeSet<usize>,
    pub error: Option<String>,
    pub selected: usize,
    /// A search is out for the query as typed: the hits shown are the last ones.
    pub searching: bool,
    /// The query or a filter changed since the last search was asked for.
    pub changed: bool,
}

impl SearchView {
    pub fn on_action(&mut self, action: Action, project: &Project) -> Outcome {
        match action {
            Action::Close => return Outcome::Close,
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => {
                self.selected = (self.selected + 1).min(self.hits.len().saturating_sub(1));
            }
            Action::Choose => {
                let Some(hit) = self.hits.get(self.selected) else {
                    return Outcome::Stay;
                };
                let (start, end) = hit
                    .matches
                    .first()
                    .map_or((hit.start, hit.end), |m| (m.start, m.end));
                return Outcome::Select {
                    transcript: hit.transcript.clone(),
                    start,
                    end,
                };
            }
            Action::CycleGroup => self.group = cycle(&project.groups(), &self.group),
            Action::CycleSchoolType => {
                self.school_type = cycle(&project.school_types(), &self.school_type);
            }
            Action::ToggleUncoded => self.uncoded = !self.uncoded,
            Action::CycleSpeaker => {
                let mut labels: Vec<String> = Vec::new();
                for t in &project.transcripts {
                    for l in t.turns().iter().filter_map(|tr| tr.speaker.as_ref()) {
                        if !labels.contains(l) {
                            labels.push(l.clone());
                        }
                    }
                }
                self.speaker = cycle(&labels, &self.speaker);
            }
            Action::ToggleRank => self.by_score = !self.by_score,
            Action::MarkHit => {
                if !self.hits.is_empty() && !self.marked.remove(&self.selected) {
                    self.marked.insert(self.selected);
                }
                self.selected = (self.selected + 1).min(self.hits.len().saturating_sub(1));
                return Outcome::Stay;
            }
            Action::AutocodeHits => {
                if self.hits.is_empty() {
                    return Outcome::Say("no hits to code".into(), true);
                }
                let only = (!self.marked.is_empty()).then(|| {
                    self.marked
                        .iter()
                        .filter_map(|&i| self.hits.get(i))
                        .flat_map(|h| {
                            h.matches
                                .iter()
                                .map(|m| (h.transcript.clone(), m.start, m.end))
                                .collect::<Vec<_>>()
                        })
                        .collect()
                });
                return Outcome::Autocode {
                    query: self.query(),
                    only,
                    uncoded: self.uncoded,
                };
            }
            Action::OpenKwic => {
                return Outcome::Kwic(self.query());
            }
            Action::DeleteChar => {
                self.query.pop();
            }
            Action::Type(c) => self.query.push(c),
            _ => return Outcome::Stay,
        }
        if !matches!(action, Action::Up | Action::Down) {
            self.changed = true;
        }
        Outcome::Stay
    }

    /// The query and filters as they stand (all hits: autocode and KWIC take every one).
    pub fn query(&self) -> Query {
        Query {
            text: self.query.clone(),
            group: self.group.clone(),
            school_type: self.school_type.clone(),
            speaker: self.speaker.clone(),
            rank: if self.by_score {
                Rank::Score
            } else {
                Rank::InterviewerLast
            },
            ..Query::default()
        }
    }

    /// The query to search for now (None: nothing typed and no filter, so no hits). The app
    /// sends it to the index worker and hands the answer to `show`. "Not coded" is decided per
    /// match when the answer comes (`show`), so more hits are asked for then.
    pub fn query_to_run(&mut self) -> Option<Query> {
        self.changed = false;
        self.selected = 0;
        self.marked.clear();
        if self.query.trim().is_empty()
            && !self.uncoded
            && self.group.is_none()
            && self.school_type.is_none()
            && self.speaker.is_none()
        {
            self.hits.clear();
            self.total = 0;
            self.capped = false;
            self.error = None;
            self.searching = false;
            return None;
        }
        Some(Query {
            limit: if self.uncoded { UNCODED_SCAN } else { LIMIT },
            ..self.query()
        })
    }

    /// The answer to the latest search; with "not coded", only the matches this coder (`state`)
    /// has not coded are kept.
    pub fn show(&mut self, result: Result<Hits, String>, project: &Project, state: &CoderState) {
        self.searching = false;
        match result {
            Ok(h) if self.uncoded => {
                self.capped = h.total > h.hits.len();
                let mut kept = keep_uncoded_matches_of(project, &[state], None, h.hits);
                self.total = kept.len();
                kept.truncate(LIMIT);
                self.hits = kept;
                self.error = None;
            }
            Ok(h) => {
                self.hits = h.hits;
                self.total = h.total;
                self.capped = false;
                self.error = None;
                self.selected = self.selected.min(self.hits.len().saturating_sub(1));
            }
            // Half-typed queries ("a AND") are normal while typing: keep the last hits.
            Err(e) => self.error = Some(e),
        }
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme, index_status: &str) {
        let mut filters = Vec::new();
        if let Some(g) = &self.group {
            filters.push(format!("group {g}"));
        }
        if let Some(s) = &self.school_type {
            filters.push(format!("type {s}"));
        }
        if let Some(s) = &self.speaker {
            filters.push(format!("speaker {s}"));
        }
        if self.uncoded {
            filters.push("matches not coded by you".to_string());
        }
        filters.push(if self.by_score {
            "by score".to_string()
        } else {
            "respondents first".to_string()
        });
        if !self.marked.is_empty() {
            filters.push(format!("{} marked", self.marked.len()));
        }
        let title = format!(
            " Search · {}{} hit(s){} {}",
            self.total,
            if self.capped { "+" } else { "" },
            if filters.is_empty() {
                String::new()
            } else {
                format!(" · {}", filters.join(" · "))
            },
            index_status
        );
        let mut lines = vec![
            Line::from(vec![
                Span::styled(" / ", Style::default().add_modifier(Modifier::REVERSED)),
                Span::raw(format!(" {}", self.query)),
                Span::styled(" ", theme.cursor()),
            ]),
            match &self.error {
                Some(e) => Line::styled(format!(" {e}"), Style::default().fg(Color::LightRed)),
                None if self.searching => Line::styled(" searching…", theme.dim()),
                None => Line::raw(""),
            },
        ];
        let per = 2;
        let height = (area.height.saturating_sub(4) as usize) / per;
        let first = crate::tui::draw::list_offset(self.selected, height);
        for (i, hit) in self.hits.iter().enumerate().skip(first).take(height) {
            let sel = if i == self.selected {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            let mark = if self.marked.contains(&i) { "✓" } else { " " };
            lines.push(Line::from(vec![
                Span::styled(mark, Style::default().add_modifier(Modifier::BOLD)),
                Span::styled(
                    format!(" {} ", hit.transcript),
                    sel.add_modifier(Modifier::BOLD),
                ),
                Span::styled(
                    format!(
                        " {} · {} · {}{} ",
                        hit.group,
                        hit.school_type,
                        hit.speaker
                            .as_deref()
                            .map(|s| format!("{s}: "))
                            .unwrap_or_default(),
                        hit.start
                    ),
                    theme.dim(),
                ),
            ]));
            lines.push(snippet_line(hit, area.width.saturating_sub(4) as usize));
        }
        let blk = super::view_block(
            &title,
            area.width,
            Layer::Search,
            &[
                Action::Choose,
                Action::CycleGroup,
                Action::CycleSchoolType,
                Action::CycleSpeaker,
                Action::ToggleUncoded,
                Action::AutocodeHits,
                Action::OpenKwic,
                Action::Close,
            ],
        );
        f.render_widget(Paragraph::new(lines).block(blk), area);
    }
}

/// The snippet with its matches highlighted.
fn snippet_line(hit: &Hit, width: usize) -> Line<'static> {
    // Match offsets are in characters: keep as many characters as fill `width` columns.
    let mut used = 0;
    let chars: Vec<char> = hit
        .snippet
        .text
        .chars()
        .take_while(|c| {
            used += unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
            used <= width
        })
        .collect();
    let mut spans = vec![Span::raw("   ")];
    let mut pos = 0;
    for m in &hit.snippet.matches {
        let (s, e) = (m.start.min(chars.len()), m.end.min(chars.len()));
        if s < pos {
            continue;
        }
        spans.push(Span::raw(chars[pos..s].iter().collect::<String>()));
        spans.push(Span::styled(
            chars[s..e].iter().collect::<String>(),
            Style::default()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        ));
        pos = e;
    }
    spans.push(Span::raw(chars[pos..].iter().collect::<String>()));
    Line::from(spans)
}
