//! The help overlay.

use super::*;
use crate::tui::views::fit_line;

/// All help lines, in the order of the keymap table.
/// Built once: the keymap is fixed for the run.
pub fn help_lines() -> &'static [Line<'static>] {
    static LINES: std::sync::OnceLock<Vec<Line<'static>>> = std::sync::OnceLock::new();
    LINES.get_or_init(build_help_lines)
}

fn build_help_lines() -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (title, rows) in keymap::help_table() {
        lines.push(Line::styled(
            title.to_string(),
            Style::default().add_modifier(Modifier::BOLD),
        ));
        for (key, desc) in rows {
            lines.push(Line::from(vec![
                Span::styled(format!("{key:>12}  "), Style::default().fg(Color::Cyan)),
                Span::raw(desc),
            ]));
        }
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled(
        "Mouse",
        Style::default().add_modifier(Modifier::BOLD),
    ));
    lines.push(Line::raw("  click: cursor · drag: select · wheel: scroll"));
    lines.push(Line::raw("  click a code: apply it to the selection"));
    lines
}

/// Columns between the two halves of the help: a line cut at the left column's edge must not
/// run into the right column's first word.
const COLUMN_GAP: u16 = 3;

/// The help's widest popup.
const HELP_WIDTH: u16 = 150;

/// Columns of the key before each description ("{key:>12}  ").
const KEY_WIDTH: usize = 14;

/// The help lines for columns `width` wide: a description too long for its column goes on
/// under itself, indented past the keys, rather than being cut (a new user reads the help to
/// learn what a key does; "a colour is propo…" does not say it).
fn help_lines_for(width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for line in help_lines() {
        let [key, desc] = line.spans.as_slice() else {
            out.push(fit_line(line.clone(), width));
            continue;
        };
        if line.width() <= width || width < KEY_WIDTH + 10 {
            out.push(fit_line(line.clone(), width));
            continue;
        }
        let text = desc.content.to_string();
        let chars: Vec<char> = text.chars().collect();
        for (i, l) in crate::tui::wrap::wrap(&text, width - KEY_WIDTH)
            .into_iter()
            .enumerate()
        {
            let part: String = chars[l.start..l.end].iter().collect();
            let lead = if i == 0 {
                key.clone()
            } else {
                Span::raw(" ".repeat(KEY_WIDTH))
            };
            out.push(fit_line(
                Line::from(vec![
                    lead,
                    Span::styled(part.trim().to_string(), desc.style),
                ]),
                width,
            ));
        }
    }
    out
}

/// The width of one of the help's two columns on a screen of `area`.
fn column_width(area: Rect) -> usize {
    let inner = HELP_WIDTH.min(area.width).saturating_sub(2);
    (inner.saturating_sub(COLUMN_GAP) / 2) as usize
}

/// The help's popup on a screen of `area`, the lines one column holds, and all the lines.
fn help_popup(area: Rect) -> (Rect, usize, Vec<Line<'static>>) {
    let lines = help_lines_for(column_width(area));
    let popup = centered(area, HELP_WIDTH, (lines.len() as u16).div_ceil(2) + 2);
    (popup, popup.height.saturating_sub(2) as usize, lines)
}

/// How far the help scrolls on a screen of `area`: until the last line shows at the bottom of
/// the right column. Scrolling stops there, so that ↑ answers at once after a long ↓.
pub fn help_max_scroll(area: Rect) -> usize {
    let (_, cap, lines) = help_popup(area);
    // More when scrolling is needed: the left column may end early by a description's
    // continued lines (`draw_help`).
    match lines.len().saturating_sub(2 * cap) {
        0 => 0,
        n => {
            let longest = lines
                .split(|l| !continues(Some(l)))
                .map(<[Line]>::len)
                .max()
                .unwrap_or(0);
            n + longest
        }
    }
}

/// Whether `line` goes on with the description of the line above it.
fn continues(line: Option<&Line>) -> bool {
    line.and_then(|l| l.spans.first())
        .is_some_and(|s| s.content.len() == KEY_WIDTH && s.content.trim().is_empty())
}

/// The help flows like a newspaper over two columns and scrolls when it does not fit.
pub(super) fn draw_help(f: &mut Frame, app: &App, area: Rect) {
    let (popup, cap, lines) = help_popup(area);
    f.render_widget(Clear, popup);
    let blk = Block::default()
        .borders(Borders::ALL)
        .title(" Keys ")
        .title_bottom(format!(
            "{}(any other key closes) ",
            keymap::hint_text(Layer::Help, &[])
        ));
    let inner = blk.inner(popup);
    f.render_widget(blk, popup);
    // Both columns as wide as the lines were wrapped for; an odd width's spare column widens
    // the gap.
    let w = column_width(area) as u16;
    let [left, _, right] = Layout::horizontal([
        Constraint::Length(w),
        Constraint::Fill(1),
        Constraint::Length(w),
    ])
    .areas(inner);
    let scroll = app.help_scroll.min(help_max_scroll(area));
    // Drawn line by line from the lines made for this width: each fits its column.
    let col = |f: &mut Frame, from: usize, n: usize, area: Rect| {
        for (k, line) in lines.iter().skip(from).take(n).enumerate() {
            f.render_widget(
                line.clone(),
                Rect::new(area.x, area.y + k as u16, area.width, 1),
            );
        }
    };
    // A description is not split over the two columns: its key would be out of sight.
    let mut left_n = cap;
    while left_n > 1 && continues(lines.get(scroll + left_n)) {
        left_n -= 1;
    }
    col(f, scroll, left_n, left);
    col(f, scroll + left_n, cap, right);
}
