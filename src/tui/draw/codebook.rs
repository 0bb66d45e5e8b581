//! The codebook panel.

use super::*;

/// A row of the codebook panel: a header, or a code at `position` of the visible codes.
pub struct CodebookRow {
    pub position: Option<usize>,
    pub line: Line<'static>,
}

pub fn codebook_rows(app: &App) -> Vec<CodebookRow> {
    let cb = &app.project.codebook;
    let visible = app.visible_codes();
    let mut rows = Vec::new();
    let grouped = app.codes.filter.is_empty() && !app.codes.filtering;
    let mut last: Option<(u32, Option<String>)> = None;
    let width = (areas(app.size, Focus::Codebook, false).codebook.width as usize).saturating_sub(2);
    for (pos, &i) in visible.iter().enumerate() {
        let code = &cb.codes[i];
        if grouped {
            if last.as_ref().is_none_or(|(d, _)| *d != code.deelvraag) {
                rows.push(CodebookRow {
                    position: None,
                    line: crate::tui::views::deelvraag_heading(&app.project, code.deelvraag, width),
                });
                last = Some((code.deelvraag, None));
            }
            if let Some((_, cat)) = &mut last
                && code.category.is_some()
                && *cat != code.category
            {
                *cat = code.category.clone();
                rows.push(CodebookRow {
                    position: None,
                    line: Line::styled(
                        format!(" {}", code.category.clone().unwrap_or_default()),
                        app.theme.dim(),
                    ),
                });
            }
        }
        let key = match i {
            0..9 => format!("{}", i + 1),
            9 => "0".into(),
            _ => " ".into(),
        };
        // ✎: the coder wrote a memo on this code (m in the codebook panel shows it).
        let memo = if app.state().code_memos.contains_key(&code.id) {
            "✎"
        } else {
            ""
        };
        let counts = format!(
            "{memo}{}/{}",
            app.count_here.get(i).unwrap_or(&0),
            app.count_all.get(i).unwrap_or(&0)
        );
        let name_w = width.saturating_sub(7 + counts.chars().count());
        let name = crate::tui::views::fit(&code.name, name_w);
        let pad = name_w.saturating_sub(crate::tui::views::width_of(&name));
        let mut style = Style::default();
        if pos == app.codes.selected && (app.focus == Focus::Codebook || app.codes.filtering) {
            style = style.add_modifier(Modifier::REVERSED);
        } else if pos == app.codes.selected {
            style = style.add_modifier(Modifier::BOLD);
        }
        let line = Line::from(vec![
            Span::styled(format!("{key:>2} "), app.theme.dim()),
            Span::styled("██", app.theme.swatch(code.colour)),
            Span::styled(format!(" {name}{} ", " ".repeat(pad)), style),
            Span::styled(counts, app.theme.dim()),
        ]);
        rows.push(CodebookRow {
            position: Some(pos),
            line,
        });
    }
    rows
}

pub fn codebook_offset(app: &App, height: usize) -> usize {
    rows_offset(app, &codebook_rows(app), height)
}

/// First row shown so that the highlighted code is on screen.
pub(super) fn rows_offset(app: &App, rows: &[CodebookRow], height: usize) -> usize {
    let sel = rows
        .iter()
        .position(|r| r.position == Some(app.codes.selected))
        .unwrap_or(0);
    list_offset(sel, height)
}

pub(super) fn draw_codebook(f: &mut Frame, app: &App, area: Rect) {
    let title = if app.codes.filtering || !app.codes.filter.is_empty() {
        format!(" Codes /{}▏", app.codes.filter)
    } else {
        format!(" Codebook {} · here/all ", app.project.codebook.codes.len())
    };
    let blk = block(app, title, Focus::Codebook);
    let inner = blk.inner(area);
    f.render_widget(blk, area);
    let height = inner.height as usize;
    // Rows built once per frame, for the offset and the lines alike.
    let rows = codebook_rows(app);
    if app.project.codebook.codes.is_empty() {
        let hint = vec![
            Line::raw("No codes yet."),
            Line::raw(""),
            Line::raw("n  add a code (name, deelvraag, colour)"),
            Line::raw(""),
            Line::styled("or write them in codebook/codebook.json", app.theme.dim()),
        ];
        let p = Paragraph::new(hint).wrap(ratatui::widgets::Wrap { trim: false });
        return f.render_widget(p, inner);
    }
    let first = rows_offset(app, &rows, height);
    let lines: Vec<Line> = rows
        .into_iter()
        .skip(first)
        .take(height)
        .map(|r| r.line)
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
