//! The help overlay.

use super::*;

/// All help lines, in the order of the keymap table.
pub fn help_lines() -> Vec<Line<'static>> {
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

/// The help flows like a newspaper over two columns and scrolls when it does not fit.
pub(super) fn draw_help(f: &mut Frame, app: &App, area: Rect) {
    let lines = help_lines();
    let popup = centered(area, 150, (lines.len() as u16).div_ceil(2) + 2);
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
    let cap = inner.height as usize;
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
    let scroll = app.help_scroll.min(lines.len().saturating_sub(2 * cap));
    let col = |from: usize| {
        lines
            .iter()
            .skip(from)
            .take(cap)
            .cloned()
            .collect::<Vec<_>>()
    };
    f.render_widget(Paragraph::new(col(scroll)), left);
    f.render_widget(Paragraph::new(col(scroll + cap)), right);
}
