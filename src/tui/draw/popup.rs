//! Popups over the coding screen: text input and the removal picker.

use super::*;

pub(super) fn draw_pick_passage(
    f: &mut Frame,
    app: &App,
    purpose: PickFor,
    ids: &[crate::core::coding::CodingId],
) {
    let (question, verb) = purpose.question();
    let popup = centered(f.area(), 60, ids.len() as u16 + 2);
    f.render_widget(Clear, popup);
    let lines: Vec<Line> = ids
        .iter()
        .enumerate()
        .filter_map(|(i, id)| {
            let c = app.state().codings.get(id)?;
            let code = app.project.codebook.code(&c.code)?;
            let number = format!(" {} ", i + 1);
            let name = format!(" {} ", code.name);
            let chars = format!(" {} chars · ", c.len());
            // The quote takes what the popup has left, and says … where it is cut.
            let room = usize::from(popup.width.saturating_sub(2))
                .saturating_sub(number.width() + name.width() + chars.width());
            let preview = crate::tui::views::fit(&c.text.replace('\n', " "), room);
            Some(Line::from(vec![
                Span::styled(number, Style::default().fg(Color::Cyan)),
                Span::styled(name, app.theme.highlight(code.colour)),
                Span::raw(chars + &preview),
            ]))
        })
        .collect();
    let blk = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(Color::Yellow))
        .title(crate::tui::views::block_title(
            &format!(" {question} "),
            popup.width,
        ))
        .title_bottom(format!(" 1-9 {verb} · any other key cancels "));
    f.render_widget(Paragraph::new(lines).block(blk), popup);
}

pub(super) fn draw_input(
    f: &mut Frame,
    app: &App,
    prompt: &str,
    value: &str,
    purpose: &InputPurpose,
) {
    let popup = centered(f.area(), 70, 5);
    f.render_widget(Clear, popup);
    let hint = match purpose {
        InputPurpose::NewCode { values } => {
            format!(
                " step {} of 4 ·{}",
                values.len() + 1,
                keymap::hint_text(Layer::Input, &[])
            )
        }
        InputPurpose::Codebook { .. } => keymap::hint_text(Layer::Input, &[]),
        _ => format!("{}· empty removes ", keymap::hint_text(Layer::Input, &[])),
    };
    let blk = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(Color::Yellow))
        .title(crate::tui::views::block_title(
            &format!(" {prompt} "),
            popup.width,
        ))
        .title_bottom(hint);
    let p = Paragraph::new(Line::from(vec![
        Span::raw(value.to_string()),
        Span::styled(" ", app.theme.cursor()),
    ]))
    .wrap(ratatui::widgets::Wrap { trim: false })
    .block(blk);
    f.render_widget(p, popup);
}

/// The memo editor: a bordered text area over the middle of the screen.
pub(super) fn draw_memo(f: &mut Frame, app: &App, editor: &crate::tui::app::MemoEditor) {
    let popup = centered(f.area(), 70, 12);
    f.render_widget(Clear, popup);
    let blk = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(Color::Yellow))
        .title(crate::tui::views::block_title(
            &format!(" {} ", editor.title),
            popup.width,
        ))
        .title_bottom(keymap::hint_text(Layer::MemoEditor, &[]));
    let inner = blk.inner(popup);
    f.render_widget(blk, popup);
    let _ = app;
    f.render_widget(&editor.area, inner);
}
