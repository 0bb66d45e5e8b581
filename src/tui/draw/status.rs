//! The status line and the key-hint bar.

use super::*;

pub(super) fn draw_status(f: &mut Frame, app: &App, area: Rect) {
    let mut spans = vec![Span::styled(
        format!(" {} ", app.coder),
        Style::default()
            .bg(Color::Blue)
            .fg(Color::White)
            .add_modifier(Modifier::BOLD),
    )];
    if app.is_readonly() {
        spans.push(Span::styled(" READ-ONLY ", app.theme.error()));
    }
    // Always in sight while the project has errors: the views' counts and the exports (which
    // are refused) cannot be trusted until `codewerk check` is clean.
    let errors = app.errors();
    if errors > 0 {
        spans.push(Span::styled(
            format!(" {} ", crate::core::text::count(errors, "ERROR", "ERRORS")),
            app.theme.error(),
        ));
    }
    let badges = spans.len();
    if let Some(t) = app.transcript() {
        spans.push(Span::raw(format!(
            " {} {}/{} ",
            t.id,
            app.text.cursor,
            t.len_chars()
        )));
        if let Some((s, e)) = app.selection() {
            spans.push(Span::styled(
                format!(" sel {} chars ", e - s),
                app.theme.selection(),
            ));
            // What Enter would apply: the highlighted code, visible while the codebook is not.
            if let Some(code) = app.selected_code() {
                spans.push(Span::raw(" Enter: "));
                spans.push(Span::styled(
                    format!(" {} ", code.name),
                    app.theme.highlight(code.colour),
                ));
                spans.push(Span::raw(" "));
            }
        }
        if app.codings_at_cursor().next().is_some() {
            spans.push(Span::raw("│ "));
            for c in app.codings_at_cursor() {
                if let Some(code) = app.project.codebook.code(&c.code) {
                    spans.push(Span::styled(
                        format!(" {} ", code.name),
                        app.theme.highlight(code.colour),
                    ));
                    // ★: a key quote for the report (K marks and unmarks it).
                    if app.state().key_quotes.contains(&c.id) {
                        spans.push(Span::styled(
                            "★ key quote ",
                            Style::default().add_modifier(Modifier::BOLD),
                        ));
                    }
                    if let Some(memo) = &c.memo {
                        // A multi-line memo on one line: its line breaks as " / ".
                        let short = crate::core::text::fit(&memo.replace('\n', " / "), 40);
                        spans.push(Span::styled(
                            format!("✎ {short}"),
                            Style::default().add_modifier(Modifier::ITALIC),
                        ));
                    }
                    spans.push(Span::raw(" "));
                }
            }
        }
    }
    if let Some(m) = &app.message {
        let style = if m.error {
            app.theme.error()
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        };
        let width = usize::from(area.width);
        let used: usize = spans.iter().map(Span::width).sum();
        // An error or a question is what the user must read now ("apply it again to code it
        // anyway"): when it does not fit after the position and the selection, those give way
        // to it (the selection is on screen in the text anyway). What is still too long, or an
        // ordinary message after them, ends in "…".
        if m.error && used + 2 + crate::core::text::width(&m.text) > width {
            spans.truncate(badges);
        }
        let used: usize = spans.iter().map(Span::width).sum::<usize>() + 2;
        spans.push(Span::raw("│ "));
        spans.push(Span::styled(
            crate::core::text::fit(&m.text, width.saturating_sub(used)),
            style,
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The hint bar of the layer that has the input, generated from the keymap.
pub(super) fn draw_hints(f: &mut Frame, app: &App, area: Rect) {
    let owned = keymap::hints(app.layer());
    let hints: Vec<(&str, &str)> = owned.iter().map(|(k, d)| (k.as_str(), *d)).collect();
    f.render_widget(Paragraph::new(hint_line(&hints, area.width)), area);
}

/// As many hints as fit, whole: a hint cut in half ("Tab  pan") reads as a wrong key.
pub fn hint_line<'a>(hints: &[(&'a str, &'a str)], width: u16) -> Line<'a> {
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (k, d) in hints {
        let w = k.width() + d.width() + 4;
        if used + w > width as usize {
            break;
        }
        used += w;
        spans.push(Span::styled(
            format!(" {k} "),
            Style::default().add_modifier(Modifier::REVERSED),
        ));
        spans.push(Span::raw(format!(" {d} ")));
    }
    Line::from(spans)
}
