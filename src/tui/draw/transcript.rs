//! The transcript panel: the text with its codings, the cursor and the selection.

use super::*;

pub(super) fn draw_text(f: &mut Frame, app: &App, area: Rect) {
    let Some(t) = app.transcript() else {
        // Wrapped here, not by the paragraph: a wrapped line keeps its paragraph's indent.
        let width = area.width.saturating_sub(2) as usize;
        let p = Paragraph::new(first_steps(app, width)).block(block(
            app,
            " Transcript ",
            Focus::Text,
            area,
        ));
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
    let blk = block(app, &title, Focus::Text, area).title_bottom(layer);
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

/// What a new project shows instead of an empty screen: the commands that bring interviews in,
/// wrapped to `width` columns with each paragraph's indent on all its lines.
pub(super) fn first_steps(app: &App, width: usize) -> Vec<Line<'static>> {
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
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut lines = Vec::new();
    let mut para = |text: &str, indent: usize, style: Style| {
        if text.is_empty() {
            lines.push(Line::raw(""));
            return;
        }
        let chars: Vec<char> = text.chars().collect();
        for l in crate::tui::wrap::wrap(text, width.saturating_sub(indent).max(10)) {
            let part: String = chars[l.start..l.end].iter().collect();
            lines.push(Line::styled(
                format!("{}{}", " ".repeat(indent), part.trim()),
                style,
            ));
        }
    };
    let plain = Style::default();
    para("", 0, plain);
    para(
        "No transcripts yet. Quit (q) and import your interviews, one file each:",
        2,
        plain,
    );
    para("", 0, plain);
    para(
        &format!("codewerk{p} import transcripts INTERVIEWS/ --group {group}"),
        4,
        bold,
    );
    para("", 0, plain);
    para(
        "Word (.docx), OpenDocument (.odt), subtitles (.srt, .vtt), Whisper (.json), tables \
         (.csv, .tsv) and text (.txt). Then check and code:",
        2,
        plain,
    );
    para("", 0, plain);
    para(&format!("codewerk{p} check"), 4, bold);
    para(&format!("codewerk{p}"), 4, bold);
    para("", 0, plain);
    para(
        "All options: codewerk import transcripts --help",
        2,
        app.theme.dim(),
    );
    if app.project.codebook.codes.is_empty() {
        para("", 0, plain);
        para(
            "The codebook has no codes yet: press n to add one.",
            2,
            plain,
        );
    }
    lines
}

/// One visual line: gutter marks, then the text with per-character styles, merged into spans.
pub(super) fn text_line<'a>(
    app: &App,
    t: &crate::core::transcript::Transcript,
    l: VLine,
) -> Line<'a> {
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
        .map(|i| &t.turns()[i])
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
