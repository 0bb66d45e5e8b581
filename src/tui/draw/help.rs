//! The help overlay.

use super::*;

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

/// The help's popup on a screen of `area`, and the lines one column holds.
fn help_popup(area: Rect) -> (Rect, usize) {
    let lines = help_lines();
    let popup = centered(area, 150, (lines.len() as u16).div_ceil(2) + 2);
    (popup, popup.height.saturating_sub(2) as usize)
}

/// How far the help scrolls on a screen of `area`: until the last line shows at the bottom of
/// the right column. Scrolling stops there, so that ↑ answers at once after a long ↓.
pub fn help_max_scroll(area: Rect) -> usize {
    let (_, cap) = help_popup(area);
    help_lines().len().saturating_sub(2 * cap)
}

/// `line` cut to `width` columns, the span that does not fit ending in "…".
fn fit_line<'a>(line: &'a Line<'a>, width: usize) -> Line<'a> {
    if line.width() <= width {
        return line.clone();
    }
    let mut spans = Vec::new();
    let mut left = width;
    for span in &line.spans {
        let w = span.width();
        if w <= left {
            spans.push(span.clone());
            left -= w;
            continue;
        }
        spans.push(Span::styled(
            crate::tui::views::fit(&span.content, left),
            span.style,
        ));
        break;
    }
    Line::from(spans).style(line.style)
}

/// The help flows like a newspaper over two columns and scrolls when it does not fit.
pub(super) fn draw_help(f: &mut Frame, app: &App, area: Rect) {
    let lines = help_lines();
    let (popup, cap) = help_popup(area);
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
    let [left, _, right] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(COLUMN_GAP),
        Constraint::Fill(1),
    ])
    .areas(inner);
    let scroll = app.help_scroll.min(help_max_scroll(area));
    // Drawn line by line from the built lines, each cut to its column.
    let col = |f: &mut Frame, from: usize, area: Rect| {
        for (k, line) in lines.iter().skip(from).take(cap).enumerate() {
            let line = fit_line(line, area.width as usize);
            f.render_widget(line, Rect::new(area.x, area.y + k as u16, area.width, 1));
        }
    };
    col(f, scroll, left);
    col(f, scroll + cap, right);
}
