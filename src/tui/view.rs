//! Drawing: reads the app state and draws only what is visible. No state changes here.

use super::app::{App, InputPurpose, Mode};
use super::keymap::{self, Focus};
use super::wrap::VLine;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table};
use unicode_width::UnicodeWidthStr;

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

pub fn draw(f: &mut Frame, app: &App) {
    let a = areas(f.area(), app.focus, app.panels_hidden);
    if let Some(v) = &app.view {
        let [main, _, _] = Layout::vertical([
            Constraint::Min(3),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(f.area());
        match v {
            super::app::View::Agreement(view) => {
                // The consensus coder's codings: live when that is the coder at work, else as
                // the app last wrote them (it updates the project's copy after each decision).
                let consensus = if app.coder == super::panels::agreement::CONSENSUS {
                    Some(app.state())
                } else {
                    app.project.coders.get(super::panels::agreement::CONSENSUS)
                };
                view.draw(f, main, &app.project, &app.theme, consensus);
            }
            super::app::View::Search(view) => view.draw(f, main, &app.theme, &app.index_status()),
            super::app::View::Clusters(view) => view.draw(f, main, &app.project, &app.theme),
            super::app::View::Matrix(view) => view.draw(f, main, &app.project, &app.theme),
            super::app::View::Review(view) => view.draw(f, main, &app.project, &app.theme),
        }
        draw_status(f, app, a.status);
        draw_hints(f, app, a.hints);
        if app.mode == Mode::Help {
            draw_help(f, app, f.area());
        }
        return;
    }
    if app.project.transcripts.is_empty() {
        // A new project: the first steps get the room of the (empty) list too.
        let room = a.list.union(a.text);
        if room.width > 0 {
            draw_text(f, app, room);
        }
    } else {
        if a.list.width > 0 {
            draw_list(f, app, a.list);
        }
        if a.text.width > 0 {
            draw_text(f, app, a.text);
        }
    }
    if a.codebook.width > 0 {
        draw_codebook(f, app, a.codebook);
    }
    draw_status(f, app, a.status);
    draw_hints(f, app, a.hints);
    match &app.mode {
        Mode::Help => draw_help(f, app, f.area()),
        Mode::Input(input) => draw_input(f, app, &input.prompt, &input.value, &input.purpose),
        Mode::PickRemoval(ids) => draw_pick_removal(f, app, ids),
        Mode::Normal => {}
    }
}

fn block<'a>(app: &App, title: String, focus: Focus) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.border(app.focus == focus))
        .title(title)
}

fn draw_list(f: &mut Frame, app: &App, area: Rect) {
    let visible = app.visible_transcripts();
    let mut title = format!(" Transcripts {} ", visible.len());
    if let Some(g) = &app.list.group {
        title += &format!("[{g}] ");
    }
    if let Some(s) = &app.list.school_type {
        title += &format!("[{s}] ");
    }
    if let Some(a) = &app.list.attribute {
        title += &format!("[{a}] ");
    }
    let height = area.height.saturating_sub(3) as usize;
    let first = list_offset(app.list.selected, height);
    let state = app.state();
    let rows = visible
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(pos, &i)| {
            let r = &app.project.respondents[i];
            let t = &app.project.transcripts[i];
            let n = app.coded_per_transcript.get(i).copied().unwrap_or(0);
            let progress = if state.done.contains(&t.id) {
                "✓".to_string()
            } else {
                n.to_string()
            };
            let mut style = Style::default();
            if Some(i) == app.current {
                style = style.add_modifier(Modifier::BOLD);
            }
            if pos == app.list.selected && app.focus == Focus::List {
                style = style.add_modifier(Modifier::REVERSED);
            }
            Row::new(vec![
                t.id.clone(),
                abbreviate(&r.group),
                abbreviate(&r.school_type),
                t.word_count().to_string(),
                progress,
            ])
            .style(style)
        });
    // Fixed widths: ratatui's constraint solver may split spare space differently between runs.
    let widths: [u16; 5] = if area.width >= 31 {
        [6, 6, 5, 5, 3]
    } else {
        [5, 4, 5, 4, 3]
    };
    let table = Table::new(rows, widths.map(Constraint::Length))
        .header(Row::new(vec!["id", "group", "type", "words", "cod"]).style(app.theme.dim()))
        .column_spacing(1)
        .block(block(app, title, Focus::List));
    f.render_widget(table, area);
}

/// Short form for a narrow column: "vmbo-havo-vwo" -> "v/h/v", "praktijk" -> "prakt".
fn abbreviate(s: &str) -> String {
    if s.contains('-') {
        s.split('-')
            .filter_map(|w| w.chars().next())
            .map(String::from)
            .collect::<Vec<_>>()
            .join("/")
    } else {
        s.chars().take(6).collect()
    }
}

fn draw_text(f: &mut Frame, app: &App, area: Rect) {
    let Some(t) = app.transcript() else {
        let p = Paragraph::new(first_steps(app))
            .wrap(ratatui::widgets::Wrap { trim: false })
            .block(block(app, " Transcript ".into(), Focus::Text));
        return f.render_widget(p, area);
    };
    let r = &app.project.respondents[app.current.unwrap_or(0)];
    // Parts a project leaves empty (no schools, say) are left out, not shown as "·  ·".
    let words = format!("{} words", t.word_count());
    let parts: Vec<&str> = [
        t.id.as_str(),
        r.group.as_str(),
        r.school.as_str(),
        r.school_type.as_str(),
        words.as_str(),
    ]
    .into_iter()
    .filter(|s| !s.trim().is_empty())
    .collect();
    let mut title = format!(" {} ", parts.join(" · "));
    if app.state().done.contains(&t.id) {
        title += "✓ done ";
    }
    let layer = app
        .layer
        .as_ref()
        .map(|l| format!(" second layer: {l} "))
        .unwrap_or_default();
    let blk = block(app, title, Focus::Text).title_bottom(layer);
    let inner = blk.inner(area);
    f.render_widget(blk, area);
    let height = inner.height as usize;
    let lines: Vec<Line> = app
        .layout
        .lines
        .iter()
        .skip(app.text.scroll)
        .take(height)
        .map(|l| text_line(app, t, *l))
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

/// What a new project shows instead of an empty screen: the commands that bring interviews in.
fn first_steps(app: &App) -> Vec<Line<'static>> {
    let root = app.project.root.display().to_string();
    let p = if root.is_empty() || root == "." {
        String::new()
    } else if root
        .chars()
        .all(|c| c.is_alphanumeric() || "/._-".contains(c))
    {
        format!(" -p {root}")
    } else {
        format!(" -p '{}'", root.replace('\'', "'\\''"))
    };
    let group = app
        .project
        .settings
        .groups
        .first()
        .map_or("GROUP", |g| g.id.as_str());
    let cmd = |s: String| {
        Line::styled(
            format!("    {s}"),
            Style::default().add_modifier(Modifier::BOLD),
        )
    };
    let mut lines = vec![
        Line::raw(""),
        Line::raw("  No transcripts yet. Quit (q) and import your interviews, one file each:"),
        Line::raw(""),
        cmd(format!(
            "codewerk{p} import transcripts INTERVIEWS/ --group {group}"
        )),
        Line::raw(""),
        Line::raw("  Word (.docx), OpenDocument (.odt), subtitles (.srt, .vtt), Whisper"),
        Line::raw("  (.json), tables (.csv, .tsv) and text (.txt). Then check and code:"),
        Line::raw(""),
        cmd(format!("codewerk{p} check")),
        cmd(format!("codewerk{p}")),
        Line::raw(""),
        Line::styled(
            "  All options: codewerk import transcripts --help".to_string(),
            app.theme.dim(),
        ),
    ];
    if app.project.codebook.codes.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::raw(
            "  The codebook has no codes yet: press n to add one.",
        ));
    }
    lines
}

/// One visual line: gutter marks, then the text with per-character styles, merged into spans.
fn text_line<'a>(app: &App, t: &crate::core::transcript::Transcript, l: VLine) -> Line<'a> {
    let theme = &app.theme;
    let cb = &app.project.codebook;
    let own: Vec<&crate::core::coding::Coding> = app
        .here
        .iter()
        .filter(|c| c.overlaps(l.start, l.end.max(l.start + 1)))
        .collect();
    let other: Vec<&crate::core::coding::Coding> = app
        .layer_here
        .iter()
        .filter(|c| c.overlaps(l.start, l.end.max(l.start + 1)))
        .collect();
    let mut spans: Vec<Span> = Vec::with_capacity(8);
    // Gutter: one mark per distinct code of this coder (two at most, then +), one for the layer.
    let mut codes: Vec<&str> = Vec::new();
    for c in &own {
        if !codes.contains(&c.code.as_str()) {
            codes.push(&c.code);
        }
    }
    for slot in 0..2 {
        let span = match codes.get(slot) {
            Some(_) if slot == 1 && codes.len() > 2 => Span::raw("+"),
            Some(code) => match cb.code(code) {
                Some(c) => Span::styled("▌", theme.swatch(c.colour)),
                None => Span::raw("?"),
            },
            None => Span::raw(" "),
        };
        spans.push(span);
    }
    spans.push(match other.first().and_then(|c| cb.code(&c.code)) {
        Some(c) => Span::styled("┃", theme.swatch(c.colour)),
        None => Span::raw(" "),
    });

    let turn = t
        .turn_index_at(l.start)
        .map(|i| &t.turns[i])
        .filter(|tr| l.start >= tr.start && l.start <= tr.end);
    let interviewer = turn.is_some_and(|tr| app.project.is_interviewer(tr.speaker.as_deref()));
    let selection = app.selection();
    let focus_text = app.focus == Focus::Text && matches!(app.mode, Mode::Normal);
    let mut run = String::new();
    let mut run_style = Style::default();
    for (k, ch) in t.slice(l.start, l.end).chars().enumerate() {
        let at = l.start + k;
        let mut style = if interviewer {
            theme.interviewer()
        } else {
            Style::default()
        };
        if turn.is_some_and(|tr| at < tr.body_start) {
            style = style.patch(theme.speaker_label());
        }
        // The innermost passage gives the colour; the gutter shows the others.
        if let Some(c) = own
            .iter()
            .filter(|c| c.start <= at && at < c.end)
            .min_by_key(|c| c.len())
            && let Some(code) = cb.code(&c.code)
        {
            style = style.patch(theme.highlight(code.colour));
        }
        if other.iter().any(|c| c.start <= at && at < c.end) {
            style = style.add_modifier(Modifier::UNDERLINED);
        }
        if app.text.flash.is_some_and(|(s, e)| at >= s && at < e) {
            style = style.bg(Color::Magenta).fg(Color::White);
        }
        if selection.is_some_and(|(s, e)| at >= s && at < e) {
            style = style.patch(theme.selection());
        }
        if focus_text && at == app.text.cursor {
            style = style.patch(theme.cursor());
        }
        if style != run_style && !run.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut run), run_style));
        }
        run_style = style;
        // A tab is one column in the layout; ratatui would drop it, shifting the line.
        run.push(if ch == '\t' { ' ' } else { ch });
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, run_style));
    }
    // The cursor on an empty line (between turns) still shows.
    if l.start == l.end && focus_text && app.text.cursor == l.start {
        spans.push(Span::styled(" ", theme.cursor()));
    }
    Line::from(spans)
}

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
                    line: super::panels::deelvraag_heading(&app.project, code.deelvraag, width),
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
        let name = super::panels::fit(&code.name, name_w);
        let pad = name_w.saturating_sub(super::panels::width_of(&name));
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
fn rows_offset(app: &App, rows: &[CodebookRow], height: usize) -> usize {
    let sel = rows
        .iter()
        .position(|r| r.position == Some(app.codes.selected))
        .unwrap_or(0);
    list_offset(sel, height)
}

fn draw_codebook(f: &mut Frame, app: &App, area: Rect) {
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

fn draw_status(f: &mut Frame, app: &App, area: Rect) {
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
        let here = app.codings_at_cursor();
        if !here.is_empty() {
            spans.push(Span::raw("│ "));
            for c in here {
                if let Some(code) = app.project.codebook.code(&c.code) {
                    spans.push(Span::styled(
                        format!(" {} ", code.name),
                        app.theme.highlight(code.colour),
                    ));
                    if let Some(memo) = &c.memo {
                        let short: String = memo.chars().take(40).collect();
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
        spans.push(Span::raw("│ "));
        let style = if m.error {
            app.theme.error()
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        };
        spans.push(Span::styled(m.text.clone(), style));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_hints(f: &mut Frame, app: &App, area: Rect) {
    let owned: Vec<(String, &str)>;
    let hints: Vec<(&str, &str)> = match (&app.view, app.focus) {
        (Some(super::app::View::Agreement(_)), _) => super::panels::agreement::KEYS.keys.to_vec(),
        (Some(super::app::View::Search(_)), _) => vec![
            ("↑↓", "hits"),
            ("Enter", "show & select"),
            ("Ctrl-g", "group"),
            ("Ctrl-t", "type"),
            ("Ctrl-n", "not coded"),
            ("Esc", "close"),
        ],
        (Some(super::app::View::Clusters(_)), _) => super::panels::clusters::HINTS.to_vec(),
        (Some(super::app::View::Matrix(v)), _) => v.hints().to_vec(),
        (Some(super::app::View::Review(_)), _) => super::panels::review::HINTS.to_vec(),
        (None, Focus::Text) if app.text.editing.is_some() => vec![
            ("move", "end"),
            ("v", "start here"),
            ("Enter", "save"),
            ("Esc", "cancel"),
        ],
        (None, focus) => {
            owned = keymap::hints(focus);
            owned.iter().map(|(k, d)| (k.as_str(), *d)).collect()
        }
    };
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

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

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
    for v in super::panels::VIEWS {
        lines.push(Line::styled(
            v.title,
            Style::default().add_modifier(Modifier::BOLD),
        ));
        for (key, desc) in v.keys {
            lines.push(Line::from(vec![
                Span::styled(format!("{key:>12}  "), Style::default().fg(Color::Cyan)),
                Span::raw(*desc),
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
fn draw_help(f: &mut Frame, app: &App, area: Rect) {
    let lines = help_lines();
    let popup = centered(area, 150, (lines.len() as u16).div_ceil(2) + 2);
    f.render_widget(Clear, popup);
    let blk = Block::default()
        .borders(Borders::ALL)
        .title(" Keys ")
        .title_bottom(" j/k scroll · any other key closes ");
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

fn draw_pick_removal(f: &mut Frame, app: &App, ids: &[crate::core::coding::CodingId]) {
    let popup = centered(f.area(), 60, ids.len() as u16 + 2);
    f.render_widget(Clear, popup);
    let lines: Vec<Line> = ids
        .iter()
        .enumerate()
        .filter_map(|(i, id)| {
            let c = app.state().codings.get(id)?;
            let code = app.project.codebook.code(&c.code)?;
            let mut preview: String = c.text.chars().take(30).collect();
            if preview.len() < c.text.len() {
                preview.push('…');
            }
            Some(Line::from(vec![
                Span::styled(format!(" {} ", i + 1), Style::default().fg(Color::Cyan)),
                Span::styled(format!(" {} ", code.name), app.theme.highlight(code.colour)),
                Span::raw(format!(" {} chars · {preview}", c.len())),
            ]))
        })
        .collect();
    let blk = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(Color::Yellow))
        .title(" Remove which code here? ")
        .title_bottom(" 1-9 remove · any other key cancels ");
    f.render_widget(Paragraph::new(lines).block(blk), popup);
}

fn draw_input(f: &mut Frame, app: &App, prompt: &str, value: &str, purpose: &InputPurpose) {
    let popup = centered(f.area(), 70, 5);
    f.render_widget(Clear, popup);
    let hint = match purpose {
        InputPurpose::NewCode { values } => {
            format!(" step {} of 4 · Enter next · Esc cancel ", values.len() + 1)
        }
        _ => " Enter save · Esc cancel · empty removes ".to_string(),
    };
    let blk = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(Color::Yellow))
        .title(format!(" {prompt} "))
        .title_bottom(hint);
    let p = Paragraph::new(Line::from(vec![
        Span::raw(value.to_string()),
        Span::styled(" ", app.theme.cursor()),
    ]))
    .wrap(ratatui::widgets::Wrap { trim: false })
    .block(blk);
    f.render_widget(p, popup);
}
