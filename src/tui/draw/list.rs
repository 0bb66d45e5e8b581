//! The transcript list panel.

use super::*;

pub(super) fn draw_list(f: &mut Frame, app: &App, area: Rect) {
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
        .block(block(app, &title, Focus::List, area));
    f.render_widget(table, area);
}

/// Short form for a narrow column: "vmbo-havo-vwo" -> "v/h/v", "praktijk" -> "prakt".
pub(super) fn abbreviate(s: &str) -> String {
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
