//! The stand-in for a view whose counts are computed off the UI thread (agreement, matrix,
//! clusters): at 10,000 transcripts they take long enough that computing them on the key
//! would freeze the screen. It takes the keys of the view to come (so its hints show and Esc
//! or q close it) and is replaced by that view when the answer to its request arrives; a view
//! closed or replaced meanwhile drops the answer.

use crate::tui::action::Action;
use crate::tui::keymap::{self, Layer};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use super::Outcome;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComputingView {
    /// The request whose answer this view waits for.
    pub id: u64,
    /// What is being computed, e.g. "the agreement of ann and bo".
    pub what: String,
    /// The layer of the view to come.
    pub layer: Layer,
}

impl ComputingView {
    pub fn on_action(&self, action: Action) -> Outcome {
        match action {
            Action::Close | Action::Quit => Outcome::Close,
            _ => Outcome::Stay,
        }
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let blk = Block::default()
            .borders(Borders::ALL)
            .title(super::block_title(&format!(" {} ", self.what), area.width))
            .title_bottom(keymap::hint_text(self.layer, &[Action::Close]));
        let text = Paragraph::new(Line::styled(
            super::fit(
                &format!("computing {}…", self.what),
                area.width.saturating_sub(4) as usize,
            ),
            theme.dim(),
        ))
        .block(blk);
        f.render_widget(text, area);
    }
}
