//! The codebook panel.

use super::*;

/// A row of the codebook panel: a header, or a code at `position` of the visible codes.
pub struct CodebookRow {
    pub position: Option<usize>,
    pub line: Line<'static>,
}

/// The rows, built by `App::derive` when what they show changed; drawing reads
/// `App::codebook_rows`.
pub fn build_codebook_rows(app: &App) -> Vec<CodebookRow> {
    let cb = &app.project.codebook;
    let visible = app.visible_codes();
    let mut rows = Vec::new();
    let grouped = app.codes.filter.is_empty() && !app.codes.filtering;
    let mut last: Option<(u32, Option<String>)> = None;
    let width = (areas(app.size, Focus::Codebook, false).codebook.width as usize).saturating_sub(2);
    // Hotkeys and depths follow the tree order (what the unfiltered panel shows).
    let tree = app.code_tree();
    let tree_pos = |i: usize| tree.iter().position(|(j, _)| *j == i);
    let depth_of = |i: usize| tree.iter().find(|(j, _)| *j == i).map_or(0, |(_, d)| *d);
    for (pos, &i) in visible.iter().enumerate() {
        let code = &cb.codes[i];
        let depth = if grouped { depth_of(i) } else { 0 };
        if grouped {
            if last.as_ref().is_none_or(|(d, _)| *d != code.deelvraag) {
                rows.push(CodebookRow {
                    position: None,
                    line: crate::tui::views::deelvraag_heading(&app.project, code.deelvraag, width),
                });
                last = Some((code.deelvraag, None));
            }
            if let Some((_, cat)) = &mut last
                && depth == 0
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
        let key = match tree_pos(i) {
            Some(t @ 0..9) => format!("{}", t + 1),
            Some(9) => "0".into(),
            _ => " ".into(),
        };
        // ✎: the coder wrote a memo on this code (m in the codebook panel shows it).
        let memo = if app.state().code_memos.contains_key(&code.id) {
            "✎"
        } else {
            ""
        };
        // A parent also shows its roll-up: respondents with it or any sub-code (Σ).
        let rolled = if cb.children(&code.id).next().is_some() {
            format!(" Σ{}", app.rolled_respondents.get(i).unwrap_or(&0))
        } else {
            String::new()
        };
        let counts = format!(
            "{memo}{}/{}{rolled}",
            app.count_here.get(i).unwrap_or(&0),
            app.count_all.get(i).unwrap_or(&0)
        );
        let indent = "  ".repeat(depth.min(4));
        let name_w = width.saturating_sub(7 + counts.chars().count() + indent.len());
        let name = format!("{indent}{}", crate::tui::views::fit(&code.name, name_w));
        let name_w = name_w + indent.len();
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
    rows_offset(
        app,
        app.codebook_rows(),
        codebook_list_height(height as u16) as usize,
    )
}

/// Rows of the panel's inside that list codes: a tall panel keeps its last lines for the
/// highlighted code's definition, which coders code against.
pub fn codebook_list_height(inner: u16) -> u16 {
    if inner >= DEFINITION_MIN_PANEL {
        inner - DEFINITION_LINES
    } else {
        inner
    }
}

const DEFINITION_LINES: u16 = 5;
const DEFINITION_MIN_PANEL: u16 = 14;

/// The highlighted code's path, roll-up and definition, under the list.
fn definition_lines(app: &App) -> Vec<Line<'static>> {
    let Some(code) = app.selected_code() else {
        return Vec::new();
    };
    let cb = &app.project.codebook;
    let i = cb.index_of(&code.id).unwrap_or(0);
    let mut head = vec![Span::styled(
        cb.path_of(&code.id),
        Style::default().add_modifier(Modifier::BOLD),
    )];
    if cb.children(&code.id).next().is_some() {
        head.push(Span::styled(
            format!(
                " · Σ{}/{} incl. sub-codes",
                app.rolled_respondents.get(i).unwrap_or(&0),
                app.project.respondents.len()
            ),
            app.theme.dim(),
        ));
    }
    let mut lines = vec![Line::from(head)];
    let def = app.definition_of(&code.id);
    if def.is_empty() {
        lines.push(Line::styled(
            "no definition yet (e edits it)",
            app.theme.dim(),
        ));
    }
    for (label, text) in def {
        if label.is_empty() {
            lines.push(Line::raw(text));
        } else {
            lines.push(Line::from(vec![
                Span::styled(format!("{label} "), app.theme.dim()),
                Span::raw(text),
            ]));
        }
    }
    lines
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
    let blk = block(app, &title, Focus::Codebook, area);
    let inner = blk.inner(area);
    f.render_widget(blk, area);
    // Rows built when they change (`App::derive`), not per frame.
    let rows = app.codebook_rows();
    if app.project.codebook.codes.is_empty() {
        let new_code = keymap::binding_for(Layer::Codebook, crate::tui::action::Action::NewCode)
            .map(keymap::key_name)
            .unwrap_or_default();
        let hint = vec![
            Line::raw("No codes yet."),
            Line::raw(""),
            Line::raw(format!("{new_code}  add a code (name, deelvraag, colour)")),
            Line::raw(""),
            Line::styled("or write them in codebook/codebook.json", app.theme.dim()),
        ];
        let p = Paragraph::new(hint).wrap(ratatui::widgets::Wrap { trim: false });
        return f.render_widget(p, inner);
    }
    let list_h = codebook_list_height(inner.height);
    let first = rows_offset(app, rows, list_h as usize);
    // Each row drawn from the cache by reference: nothing rebuilt for the frame.
    for (k, r) in rows.iter().skip(first).take(list_h as usize).enumerate() {
        let row = Rect::new(inner.x, inner.y + k as u16, inner.width, 1);
        f.render_widget(&r.line, row);
    }
    if list_h < inner.height {
        let rule = Rect {
            y: inner.y + list_h,
            height: 1,
            ..inner
        };
        f.render_widget(
            Paragraph::new(Line::styled(
                "─".repeat(inner.width as usize),
                app.theme.dim(),
            )),
            rule,
        );
        let def = Rect {
            y: inner.y + list_h + 1,
            height: inner.height - list_h - 1,
            ..inner
        };
        let p = Paragraph::new(definition_lines(app)).wrap(ratatui::widgets::Wrap { trim: true });
        f.render_widget(p, def);
    }
}
