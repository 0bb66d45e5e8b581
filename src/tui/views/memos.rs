//! The memo view (`N`): every memo of the coder at work in one list (logbook, transcripts,
//! codes, passages), filtered by kind (Tab) and by typed text, which is looked for in the memo,
//! the quoted passage, the code's name and the transcript id (case and accents ignored).
//! Enter goes to what the memo is about: the passage in its transcript, the transcript, or
//! the code in the codebook panel.

use super::{Outcome, fit};
use crate::core::coding::CoderState;
use crate::core::memo::{self, Memo, MemoKind};
use crate::core::project::Project;
use crate::core::text::fold_accents;
use crate::tui::action::Action;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

#[derive(Debug, Default)]
pub struct MemosView {
    pub memos: Vec<Memo>,
    /// None: every kind.
    pub kind: Option<MemoKind>,
    pub query: String,
    pub selected: usize,
}

impl MemosView {
    pub fn of(project: &Project, state: &CoderState) -> MemosView {
        MemosView {
            memos: memo::all(project, &[state]),
            ..MemosView::default()
        }
    }

    /// The memos again (after an edit elsewhere), keeping the filters and the place.
    pub fn reload(&mut self, project: &Project, state: &CoderState) {
        self.memos = memo::all(project, &[state]);
        let n = self.visible().len();
        self.selected = self.selected.min(n.saturating_sub(1));
    }

    pub fn visible(&self) -> Vec<&Memo> {
        let q = crate::core::text::fold_key(&self.query);
        let hit = |s: &str| fold_accents(&s.to_lowercase()).contains(&q);
        self.memos
            .iter()
            .filter(|m| self.kind.is_none_or(|k| m.kind == k))
            .filter(|m| {
                q.is_empty()
                    || hit(&m.text)
                    || hit(&m.quote)
                    || hit(&m.code_name)
                    || hit(&m.code)
                    || hit(&m.transcript)
                    || hit(&m.date)
            })
            .collect()
    }

    pub fn on_action(&mut self, action: Action) -> Outcome {
        let n = self.visible().len();
        match action {
            Action::Close => return Outcome::Close,
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Action::Type(c) => {
                self.query.push(c);
                self.selected = 0;
            }
            Action::DeleteChar => {
                self.query.pop();
                self.selected = 0;
            }
            Action::ToggleColumns => {
                self.kind = match self.kind {
                    None => Some(MemoKind::ALL[0]),
                    Some(k) => MemoKind::ALL
                        .iter()
                        .position(|x| *x == k)
                        .and_then(|i| MemoKind::ALL.get(i + 1))
                        .copied(),
                };
                self.selected = 0;
            }
            Action::Choose => {
                let Some(m) = self.visible().get(self.selected).copied().cloned() else {
                    return Outcome::Stay;
                };
                return match m.kind {
                    MemoKind::Passage => {
                        let start = m.start.unwrap_or(0);
                        Outcome::Jump {
                            transcript: m.transcript,
                            start,
                            end: start + m.quote.chars().count(),
                            layer: None,
                        }
                    }
                    MemoKind::Transcript => Outcome::Jump {
                        transcript: m.transcript,
                        start: 0,
                        end: 0,
                        layer: None,
                    },
                    MemoKind::Code => Outcome::ShowCode(m.code),
                    MemoKind::Logbook => Outcome::Say(
                        format!("logbook entry of {}: about the project as a whole", m.date),
                        false,
                    ),
                };
            }
            _ => {}
        }
        Outcome::Stay
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, project: &Project, theme: &Theme) {
        let visible = self.visible();
        let kind = self.kind.map_or("all kinds", MemoKind::name);
        let title = format!(
            " Memos · {} of {} · {kind} · find: {}▏ ",
            visible.len(),
            self.memos.len(),
            self.query
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .title(super::block_title(&title, area.width));
        let inner = block.inner(area);
        f.render_widget(block, area);
        if visible.is_empty() {
            let p = Paragraph::new(if self.memos.is_empty() {
                "No memos yet: m on a passage, a code or a transcript, L for the logbook."
            } else {
                "No memo matches: Backspace or Tab to widen the filter."
            });
            return f.render_widget(p, inner);
        }
        let height = inner.height as usize;
        let first = crate::tui::draw::list_offset(self.selected, height);
        let width = inner.width as usize;
        let lines: Vec<Line> = visible
            .iter()
            .enumerate()
            .skip(first)
            .take(height)
            .map(|(i, m)| {
                let code = project.codebook.code(&m.code);
                let swatch = code.map_or(Span::raw("   "), |c| {
                    Span::styled("██ ", theme.swatch(c.colour))
                });
                let about = match m.kind {
                    MemoKind::Logbook => m.date.clone(),
                    MemoKind::Transcript => m.transcript.clone(),
                    MemoKind::Code => m.code_name.clone(),
                    MemoKind::Passage => format!("{} · {}", m.transcript, m.code_name),
                };
                let head = format!("{:<10} {} · ", m.kind.name(), fit(&about, 30));
                let rest = width.saturating_sub(3 + super::width_of(&head));
                let mut style = Style::default();
                if i == self.selected {
                    style = style.add_modifier(Modifier::REVERSED);
                }
                Line::from(vec![
                    swatch,
                    Span::styled(head, style),
                    Span::styled(fit(&m.text.replace('\n', " / "), rest), style),
                ])
            })
            .collect();
        f.render_widget(Paragraph::new(lines), inner);
    }
}
