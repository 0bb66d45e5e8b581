//! The keyword-in-context view (Ctrl-w in the search view): every occurrence of the search's
//! matches on one line with its context, the keywords in one column; `s` sorts by the left
//! context, the right context or the transcript; Enter shows the occurrence in its transcript,
//! selected, ready to be coded.

use super::{Outcome, fit, width_of};
use crate::core::index::Index;
use crate::core::index::search::Query;
use crate::core::kwic::{KwicLine, KwicOptions, KwicSort, kwic};
use crate::core::project::Project;
use crate::tui::action::Action;
use crate::tui::keymap::Layer;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Words of context either side.
const WIDTH: usize = 8;

#[derive(Debug, Default)]
pub struct KwicView {
    pub query: Query,
    pub sort: KwicSort,
    pub lines: Vec<KwicLine>,
    /// Occurrences left out because they are interviewer turns.
    pub interviewer_lines: usize,
    pub selected: usize,
    pub error: Option<String>,
}

impl KwicView {
    pub fn open(project: &Project, index: &Index, query: Query) -> KwicView {
        let mut v = KwicView {
            query,
            sort: KwicSort::Transcript,
            ..KwicView::default()
        };
        v.run(project, index);
        v
    }

    fn run(&mut self, project: &Project, index: &Index) {
        let options = KwicOptions {
            width: WIDTH,
            sort: self.sort,
            include_interviewer: false,
        };
        match kwic(project, index, &self.query, &options) {
            Ok(k) => {
                self.lines = k.lines;
                self.interviewer_lines = k.interviewer_lines;
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
        self.selected = self.selected.min(self.lines.len().saturating_sub(1));
    }

    pub fn on_action(
        &mut self,
        action: Action,
        project: &Project,
        index: Option<&Index>,
    ) -> Outcome {
        match action {
            Action::Close => return Outcome::Close,
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => {
                self.selected = (self.selected + 1).min(self.lines.len().saturating_sub(1));
            }
            Action::PageDown => {
                self.selected = (self.selected + 20).min(self.lines.len().saturating_sub(1));
            }
            Action::PageUp => self.selected = self.selected.saturating_sub(20),
            Action::CycleSort => {
                self.sort = match self.sort {
                    KwicSort::Transcript => KwicSort::Left,
                    KwicSort::Left => KwicSort::Right,
                    KwicSort::Right => KwicSort::Transcript,
                };
                self.selected = 0;
                if let Some(index) = index {
                    self.run(project, index);
                }
            }
            Action::Choose => {
                if let Some(l) = self.lines.get(self.selected) {
                    return Outcome::Select {
                        transcript: l.transcript.clone(),
                        start: l.start,
                        end: l.end,
                    };
                }
            }
            _ => {}
        }
        Outcome::Stay
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let sort = match self.sort {
            KwicSort::Left => "by left context",
            KwicSort::Right => "by right context",
            KwicSort::Transcript => "by transcript",
        };
        let title = format!(
            " In context · {} · {} in respondent turns · {} interviewer left out · {sort} ",
            self.query.text,
            self.lines.len(),
            self.interviewer_lines
        );
        let inner = area.width.saturating_sub(2) as usize;
        let place = |l: &KwicLine| format!("{} {}", l.transcript, l.group);
        let pw = self
            .lines
            .iter()
            .map(|l| width_of(&place(l)))
            .max()
            .unwrap_or(0)
            .min(24);
        // The keyword column: a third of what is left after the place.
        let rest = inner.saturating_sub(pw + 2);
        let lw = rest / 3;
        let mut lines: Vec<Line> = Vec::new();
        if let Some(e) = &self.error {
            lines.push(Line::styled(
                format!(" {e}"),
                Style::default().fg(Color::LightRed),
            ));
        }
        let height = area.height.saturating_sub(2) as usize - lines.len().min(1);
        let first = crate::tui::draw::list_offset(self.selected, height);
        for (i, l) in self.lines.iter().enumerate().skip(first).take(height) {
            let sel = if i == self.selected {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            let p = fit(&place(l), pw);
            let left = tail_fit(&l.left, lw.saturating_sub(1));
            let kw = fit(&l.keyword, rest.saturating_sub(lw));
            let right_room = rest.saturating_sub(lw + width_of(&kw) + 1);
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{p}{} ", " ".repeat(pw - width_of(&p))),
                    sel.patch(theme.dim()),
                ),
                Span::styled(
                    format!(
                        "{}{left} ",
                        " ".repeat(lw.saturating_sub(1 + width_of(&left)))
                    ),
                    sel,
                ),
                Span::styled(
                    kw,
                    Style::default()
                        .fg(Color::Black)
                        .bg(Color::Yellow)
                        .add_modifier(Modifier::BOLD),
                ),
                Span::styled(format!(" {}", fit(&l.right, right_room)), sel),
            ]));
        }
        let blk = super::view_block(
            &title,
            area.width,
            Layer::Kwic,
            &[Action::Up, Action::Choose, Action::CycleSort, Action::Close],
        );
        f.render_widget(Paragraph::new(lines).block(blk), area);
    }
}

/// The end of `text` that fits in `width` columns, with … in front when cut.
fn tail_fit(text: &str, width: usize) -> String {
    if width_of(text) <= width {
        return text.to_string();
    }
    let rev: String = text.chars().rev().collect();
    let cut: String = fit(&rev, width).chars().rev().collect();
    // `fit` put its … at the end of the reversed text, which is now the front.
    cut
}
