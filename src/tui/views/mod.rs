//! Full-screen views over the coding screen: each holds its own state, receives actions the
//! keymap resolved in its layer (never raw keys) and tells the app what to do through an
//! `Outcome` (it never reaches into the app's state nor writes a journal).

pub mod agreement;
pub mod clusters;
pub mod computing;
pub mod cooccurrence;
pub mod kwic;
pub mod matrix;
pub mod memos;
pub mod review;
pub mod search;
pub mod words;

use crate::core::export::{self, Request, Target};
use crate::core::project::Project;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};

/// What a view asks of the app after a key.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nothing for the app to do.
    Stay,
    /// Ask the coder for a line of text for the matrix view (what, the prompt, the current
    /// value); the answer goes back to the view through `MatrixView::set`.
    AskMatrix(crate::tui::views::matrix::Ask, String, String),
    /// Close the view, back to coding.
    Close,
    /// Close the view and show a stretch of a transcript, optionally with another coder's
    /// codings as the second layer.
    Jump {
        transcript: String,
        start: usize,
        end: usize,
        layer: Option<String>,
    },
    /// Close the view and select a stretch of a transcript, ready to be coded.
    Select {
        transcript: String,
        start: usize,
        end: usize,
    },
    /// A line for the status bar.
    Say(String, bool),
    /// Move a coding flagged for review to the place starting at `start` (the app writes an
    /// undoable edit).
    Accept {
        id: crate::core::coding::CodingId,
        start: usize,
    },
    /// Close the view and highlight a code in the codebook panel.
    ShowCode(String),
    /// Remove a coding flagged for review (the app writes an undoable removal).
    Drop { id: crate::core::coding::CodingId },
    /// Write an export (the app does it off the UI thread and says where it went).
    Export(Request),
    /// Code the hits of a search with the highlighted code as one action (the app plans and
    /// writes it): all of them, or only these matches `(transcript, start, end)`; with
    /// `uncoded`, only matches this coder has not coded.
    Autocode {
        query: crate::core::index::search::Query,
        only: Option<Vec<(String, usize, usize)>>,
        uncoded: bool,
    },
    /// Show the hits of a search as keyword in context.
    Kwic(crate::core::index::search::Query),
    /// Settle a disagreement in the consensus coder's journal (the app writes it).
    Decide {
        disagreement: crate::core::agreement::disagreements::Disagreement,
        decision: crate::core::reconcile::Decision,
    },
}

/// The project's errors, with the texts found changed on disk since the load (said when first
/// read, but not moved into `problems` while the app runs).
pub fn error_count(project: &Project) -> usize {
    let late = project
        .transcripts
        .iter()
        .filter_map(crate::core::transcript::Transcript::late_problem)
        .filter(|p| p.is_error() && !project.problems.contains(p))
        .count();
    project.problems.iter().filter(|p| p.is_error()).count() + late
}

/// Write an export under the project's `exports/` (a new name if the default one is taken) and
/// say which file it went to.
pub fn write_export(project: &Project, req: &Request) -> Outcome {
    // As the command refuses: counts from a project with errors (a row of respondents.csv not
    // read, a journal line skipped, a text changed on disk since the load) would be wrong
    // without saying so.
    let errors = error_count(project);
    if errors > 0 {
        return Outcome::Say(
            format!(
                "NOT exported: the project has {} (run `codewerk check`)",
                crate::core::text::count(errors, "error", "errors")
            ),
            true,
        );
    }
    match export::export(project, req, &Target::Default, false) {
        Ok(info) => {
            let path = info.path.unwrap_or_default();
            let shown = path.strip_prefix(&project.root).unwrap_or(&path);
            let kept = if info.kept_existing.is_some() {
                " · older file kept"
            } else {
                ""
            };
            Outcome::Say(
                format!(
                    "wrote {} · {}, {}{kept}",
                    shown.display(),
                    crate::core::text::count(info.passages, "passage", "passages"),
                    crate::core::text::count(info.respondents, "respondent", "respondents")
                ),
                false,
            )
        }
        Err(e) => Outcome::Say(format!("NOT exported: {e}"), true),
    }
}

/// The next of `options` after `current`; None after the last (None = all).
pub fn cycle(options: &[String], current: &Option<String>) -> Option<String> {
    match current {
        None => options.first().cloned(),
        Some(c) => options
            .iter()
            .position(|o| o == c)
            .and_then(|i| options.get(i + 1))
            .cloned(),
    }
}

pub use crate::core::text::fit;

pub use crate::core::text::width as width_of;

/// Cut a line's spans to `width` columns, by display width, ending in … when cut (also when
/// the cut falls between two spans: a line that just stops reads as complete).
pub fn fit_line(line: Line<'_>, width: usize) -> Line<'_> {
    if line.width() <= width {
        return line;
    }
    let style = line.style;
    let mut left = width;
    let mut spans = Vec::new();
    for s in line.spans {
        let w = width_of(&s.content);
        if w < left {
            left -= w;
            spans.push(s);
            continue;
        }
        // This span reaches the edge with more after it: `fit` of it with one more column
        // than is left cuts it and ends it in ….
        let text = fit(&format!("{}…", s.content), left);
        spans.push(Span::styled(text, s.style));
        break;
    }
    Line::from(spans).style(style)
}

/// Colour for an agreement coefficient: red below 0.4, yellow below 0.6, light green below 0.8.
pub fn coefficient_style(value: Option<f64>) -> Style {
    match value {
        None => Style::default().fg(Color::DarkGray),
        Some(v) if v < 0.4 => Style::default().fg(Color::LightRed),
        Some(v) if v < 0.6 => Style::default().fg(Color::Yellow),
        Some(v) if v < 0.8 => Style::default().fg(Color::LightGreen),
        Some(_) => Style::default().fg(Color::Green),
    }
}

/// Three decimals; a value that rounds to zero is "0.000" whatever its sign (a kappa of
/// -0.0001 is no agreement, not "-0.000" of it).
pub fn fmt_coefficient(value: Option<f64>) -> String {
    value.map_or_else(
        || "undef.".to_string(),
        |v| {
            let s = format!("{v:.3}");
            match s.strip_prefix('-') {
                Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_string(),
                _ => s,
            }
        },
    )
}

/// `title` cut to fit the top border of a block `width` columns wide (the corners take two),
/// with … when cut: ratatui would cut it silently.
pub fn block_title(title: &str, width: u16) -> String {
    fit(title, usize::from(width.saturating_sub(2)))
}

/// The frame of a full-screen view: its title cut to fit, and on the bottom border the keys of
/// `layer` for `actions` (generated from the keymap, as the hint bar is).
pub fn view_block(
    title: &str,
    width: u16,
    layer: crate::tui::keymap::Layer,
    actions: &[crate::tui::action::Action],
) -> ratatui::widgets::Block<'static> {
    ratatui::widgets::Block::default()
        .borders(ratatui::widgets::Borders::ALL)
        .title(block_title(title, width))
        .title_bottom(crate::tui::keymap::hint_text(layer, actions))
}

/// The heading line of a deelvraag in a list of codes: "1. Signaleren en handelen".
pub fn deelvraag_heading(
    project: &crate::core::project::Project,
    deelvraag: u32,
    width: usize,
) -> ratatui::text::Line<'static> {
    let title = project.codebook.deelvraag_title(deelvraag);
    ratatui::text::Line::styled(
        fit(&format!("{deelvraag}. {title}"), width),
        Style::default()
            .add_modifier(ratatui::style::Modifier::BOLD | ratatui::style::Modifier::UNDERLINED),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_counts_columns_not_characters() {
        assert_eq!(fit("Knelpunten", 20), "Knelpunten");
        assert_eq!(fit("Knelpunten", 6), "Knelp…");
        // Wide characters take two columns, combining marks none.
        assert_eq!(fit("日本語テキスト", 7), "日本語…");
        assert_eq!(width_of(&fit("日本語テキスト", 7)), 7);
        assert_eq!(fit("coo\u{308}rdinator", 6), "coo\u{308}rd…");
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn a_cut_line_ends_in_an_ellipsis_also_between_spans() {
        let text = |l: Line| -> String { l.spans.iter().map(|s| s.content.as_ref()).collect() };
        let line = || Line::from(vec![Span::raw("· 23 passages"), Span::raw(" · Enter")]);
        assert_eq!(text(fit_line(line(), 40)), "· 23 passages · Enter");
        // The cut at the end of the first span: it must still say that something was cut.
        assert_eq!(text(fit_line(line(), 13)), "· 23 passage…");
        assert_eq!(text(fit_line(line(), 16)), "· 23 passages ·…");
        assert_eq!(width_of(&text(fit_line(line(), 16))), 16);
        assert_eq!(text(fit_line(line(), 1)), "…");
    }

    #[test]
    fn a_coefficient_that_rounds_to_zero_has_no_sign() {
        assert_eq!(fmt_coefficient(Some(-0.0001)), "0.000");
        assert_eq!(fmt_coefficient(Some(-0.0)), "0.000");
        assert_eq!(fmt_coefficient(Some(-0.0006)), "-0.001");
        assert_eq!(fmt_coefficient(Some(-0.25)), "-0.250");
        assert_eq!(fmt_coefficient(Some(0.8)), "0.800");
        assert_eq!(fmt_coefficient(None), "undef.");
    }

    #[test]
    fn block_titles_are_cut_with_an_ellipsis() {
        assert_eq!(block_title(" Codebook ", 20), " Codebook ");
        assert_eq!(block_title(" Zorgcoördinatoren ", 10), " Zorgco…");
        // A wide character that does not fit whole is left out: 6 of the 7 columns.
        assert_eq!(block_title(" 日本語テキスト ", 9), " 日本…");
    }
}
