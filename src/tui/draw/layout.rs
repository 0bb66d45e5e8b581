//! Where each panel goes, shared by drawing and by mouse hit-testing.

use super::*;

/// Columns left of the text: coloured marks per code on the line.
pub const GUTTER: u16 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub list: Rect,
    pub text: Rect,
    pub codebook: Rect,
    pub status: Rect,
    pub hints: Rect,
}

/// Where each panel goes. Shared by drawing and by mouse hit-testing. The transcript gets the
/// room: below 100 columns one side panel shows at a time (the list while it has the focus,
/// else the codebook), below 60 a focused side panel takes the whole width and the transcript
/// has it otherwise, and `panels_hidden` (`z`) gives the transcript every column at any size.
pub fn areas(size: Rect, focus: Focus, panels_hidden: bool) -> Areas {
    let [main, status, hints] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(size);
    let w = size.width;
    let (list_w, code_w) = match (w, focus) {
        _ if panels_hidden && focus == Focus::Text => (0, 0),
        (0..60, Focus::List) => (w, 0),
        (0..60, Focus::Codebook) => (0, w),
        (0..60, Focus::Text) => (0, 0),
        (60..100, Focus::List) => (24, 0),
        (60..100, _) => (0, 28),
        (100..120, _) => (24, 30),
        _ => (31, 38),
    };
    let [list, text, codebook] = Layout::horizontal([
        Constraint::Length(list_w),
        Constraint::Min(if list_w + code_w >= w { 0 } else { 10 }),
        Constraint::Length(code_w),
    ])
    .areas(main);
    Areas {
        list,
        text,
        codebook,
        status,
        hints,
    }
}

pub fn text_inner(text: Rect) -> Rect {
    Block::default().borders(Borders::ALL).inner(text)
}

/// Width available for the wrapped text.
pub fn text_width(text: Rect) -> usize {
    text_inner(text).width.saturating_sub(GUTTER).max(1) as usize
}

pub fn list_offset(selected: usize, height: usize) -> usize {
    if height == 0 || selected < height {
        0
    } else {
        selected + 1 - height
    }
}

pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
