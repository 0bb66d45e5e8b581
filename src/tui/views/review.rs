//! The review view (`R`): the coder's codings that an edit of their transcript left without a
//! certain place (ambiguous: their text occurs at several places that fit equally well;
//! orphaned: their text is gone). Re-anchoring never guesses, so the coder decides here: jump
//! to a candidate, accept it, or drop the coding. The view only reads; the app writes each
//! decision to the journal (an undoable edit or removal).

use super::{Outcome, fit};
use crate::core::coding::{Anchor, CoderState, CodingId};
use crate::core::project::Project;
use crate::tui::action::Action;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// One coding to review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: CodingId,
    pub transcript: String,
    pub code: String,
    pub text: String,
    /// Where it was (in the version it was made on).
    pub start: usize,
    /// Candidate starts in the current text; empty when its text is gone.
    pub candidates: Vec<usize>,
    pub pick: usize,
}

#[derive(Debug, Default)]
pub struct ReviewView {
    pub items: Vec<Item>,
    pub selected: usize,
}

impl ReviewView {
    /// The flagged codings of `state`, by transcript and place.
    pub fn of(state: &CoderState) -> ReviewView {
        let mut items: Vec<Item> = state
            .codings
            .values()
            .filter_map(|c| {
                let candidates = match &c.anchor {
                    Anchor::Ambiguous { candidates } => candidates.clone(),
                    Anchor::Orphaned => Vec::new(),
                    Anchor::Exact | Anchor::Moved { .. } => return None,
                };
                Some(Item {
                    id: c.id,
                    transcript: c.transcript.clone(),
                    code: c.code.clone(),
                    text: c.text.clone(),
                    start: c.start,
                    candidates,
                    pick: 0,
                })
            })
            .collect();
        items.sort_by(|a, b| (&a.transcript, a.start, a.id).cmp(&(&b.transcript, b.start, b.id)));
        ReviewView { items, selected: 0 }
    }

    /// Take the list again after a decision (the reviewed coding is gone from it), keeping the
    /// place in the list.
    pub fn reload(&mut self, state: &CoderState) {
        let selected = self.selected;
        *self = ReviewView::of(state);
        self.selected = selected.min(self.items.len().saturating_sub(1));
    }

    pub fn on_action(&mut self, action: Action) -> Outcome {
        let n = self.items.len();
        match action {
            Action::Close => return Outcome::Close,
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1));
            }
            Action::Left => {
                if let Some(it) = self.items.get_mut(self.selected) {
                    it.pick = it.pick.saturating_sub(1);
                }
            }
            Action::Right => {
                if let Some(it) = self.items.get_mut(self.selected) {
                    it.pick = (it.pick + 1).min(it.candidates.len().saturating_sub(1));
                }
            }
            Action::Choose => {
                if let Some(it) = self.items.get(self.selected) {
                    let start = it.candidates.get(it.pick).copied().unwrap_or(it.start);
                    return Outcome::Jump {
                        transcript: it.transcript.clone(),
                        start,
                        end: start + it.text.chars().count(),
                        layer: None,
                    };
                }
            }
            Action::AcceptPlace => {
                let Some(it) = self.items.get(self.selected) else {
                    return Outcome::Stay;
                };
                return match it.candidates.get(it.pick) {
                    Some(&start) => Outcome::Accept { id: it.id, start },
                    None => Outcome::Say(
                        "its text is no longer in the transcript: nothing to accept; x drops it \
                         (code the passage again where it belongs)"
                            .into(),
                        true,
                    ),
                };
            }
            Action::DropCoding => {
                if let Some(it) = self.items.get(self.selected) {
                    return Outcome::Drop { id: it.id };
                }
            }
            _ => {}
        }
        Outcome::Stay
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, project: &Project, theme: &Theme) {
        let title = format!(
            " Review · {} a transcript edit left unplaced · not counted until decided ",
            crate::core::text::count(self.items.len(), "coding", "codings")
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .title(super::block_title(&title, area.width));
        let inner = block.inner(area);
        f.render_widget(block, area);
        if self.items.is_empty() {
            let p = Paragraph::new("Nothing to review: every coding is on its words.");
            return f.render_widget(p, inner);
        }
        let height = inner.height as usize;
        let first = crate::tui::draw::list_offset(self.selected, height);
        let width = inner.width as usize;
        let lines: Vec<Line> = self
            .items
            .iter()
            .enumerate()
            .skip(first)
            .take(height)
            .map(|(i, it)| {
                let code = project.codebook.code(&it.code);
                let swatch = code.map_or(Span::raw("   "), |c| {
                    Span::styled("██ ", theme.swatch(c.colour))
                });
                let name = code.map_or(it.code.as_str(), |c| c.name.as_str());
                let status = match it.candidates.len() {
                    0 => "text gone".to_string(),
                    n => format!("place {} of {n}: {}", it.pick + 1, it.candidates[it.pick]),
                };
                let head = format!("{:<8} {} · {status} · ", it.transcript, fit(name, 24));
                let rest = width.saturating_sub(3 + super::width_of(&head));
                let mut style = Style::default();
                if i == self.selected {
                    style = style.add_modifier(Modifier::REVERSED);
                }
                Line::from(vec![
                    swatch,
                    Span::styled(head, style),
                    Span::styled(
                        format!("\"{}\"", fit(&it.text, rest.saturating_sub(2))),
                        style,
                    ),
                ])
            })
            .collect();
        f.render_widget(Paragraph::new(lines), inner);
    }
}
