//! The search view (`/`): results update as you type, filters by Ctrl keys, Enter shows the hit
//! in the transcript with the match selected, so that a digit or `f` codes it at once.

use super::{Outcome, cycle};
use crate::core::index::Index;
use crate::core::index::search::{Hit, Query, search_all};
use crate::core::project::Project;
use crate::tui::action::Action;
use crate::tui::keymap::{self, Layer};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// Hits shown at most; the total is counted in full.
const LIMIT: usize = 200;

#[derive(Default)]
pub struct SearchView {
    pub query: String,
    pub group: Option<String>,
    pub school_type: Option<String>,
    pub uncoded: bool,
    pub hits: Vec<Hit>,
    pub total: usize,
    pub error: Option<String>,
    pub selected: usize,
}

impl SearchView {
    pub fn on_action(
        &mut self,
        action: Action,
        project: &Project,
        index: Option<&Index>,
        coder: &str,
    ) -> Outcome {
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
            Action::DeleteChar => {
                self.query.pop();
            }
            Action::Type(c) => self.query.push(c),
            _ => return Outcome::Stay,
        }
        if !matches!(action, Action::Up | Action::Down) {
            self.run(project, index, coder);
        }
        Outcome::Stay
    }

    /// Search again with the current query and filters.
    pub fn run(&mut self, project: &Project, index: Option<&Index>, coder: &str) {
        self.selected = 0;
        let Some(index) = index else {
            self.error = Some("the search index is still being built…".into());
            return;
        };
        let query = Query {
            text: self.query.clone(),
            group: self.group.clone(),
            school_type: self.school_type.clone(),
            coder: self.uncoded.then(|| coder.to_string()),
            uncoded: self.uncoded,
            limit: LIMIT,
            ..Query::default()
        };
        if self.query.trim().is_empty()
            && !self.uncoded
            && self.group.is_none()
            && self.school_type.is_none()
        {
            self.hits.clear();
            self.total = 0;
            self.error = None;
            return;
        }
        match search_all(project, index, &query) {
            Ok(h) => {
                self.hits = h.hits;
                self.total = h.total;
                self.error = None;
            }
            // Half-typed queries ("a AND") are normal while typing: keep the last hits.
            Err(e) => self.error = Some(e.to_string()),
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
        if self.uncoded {
            filters.push("not coded by you".to_string());
        }
        let title = format!(
            " Search · {} hit(s){} {}",
            self.total,
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
            lines.push(Line::from(vec![
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
        let blk = Block::default()
            .borders(Borders::ALL)
            .title(title)
            .title_bottom(keymap::hint_text(
                Layer::Search,
                &[
                    Action::Choose,
                    Action::CycleGroup,
                    Action::CycleSchoolType,
                    Action::ToggleUncoded,
                    Action::Close,
                ],
            ));
        f.render_widget(Paragraph::new(lines).block(blk), area);
    }
}

/// The snippet with its matches highlighted.
fn snippet_line(hit: &Hit, width: usize) -> Line<'static> {
    let chars: Vec<char> = hit.snippet.text.chars().take(width).collect();
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
