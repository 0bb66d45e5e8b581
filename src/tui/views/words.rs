//! The word-frequency view (`W`): the words of the respondent turns per respondent group, with
//! how many of the group use each (as `codewerk words`); `s` counts stems, `b` counts by the
//! next respondent column, `c` shows the words one group uses more than the rest (G²); Enter
//! shows the word in context.

use super::{Outcome, fit, width_of};
use crate::core::index::search::Query;
use crate::core::project::Project;
use crate::core::stopwords::StopWords;
use crate::core::words::{Frequencies, Keyness, WordsOptions, compare, frequencies};
use crate::tui::action::Action;
use crate::tui::keymap::{self, Layer};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

#[derive(Debug, Default)]
pub struct WordsView {
    pub options: WordsOptions,
    pub freq: Option<Frequencies>,
    /// The part compared with the rest (index in `freq.parts`), if any.
    pub compare: Option<usize>,
    pub keyness: Vec<Keyness>,
    pub selected: usize,
    pub error: Option<String>,
}

impl WordsView {
    pub fn open(project: &Project) -> WordsView {
        let mut v = WordsView {
            options: WordsOptions::default(),
            ..WordsView::default()
        };
        v.run(project);
        v
    }

    fn run(&mut self, project: &Project) {
        let stop = match StopWords::for_project(&project.root) {
            Ok(s) => s,
            Err(p) => {
                self.error = Some(p.to_string());
                StopWords::builtin()
            }
        };
        match frequencies(project, &self.options, &stop) {
            Ok(f) => {
                self.keyness = match self.compare.and_then(|k| f.parts.get(k)) {
                    Some(p) => compare(&f, &p.value).unwrap_or_default(),
                    None => Vec::new(),
                };
                self.freq = Some(f);
            }
            Err(e) => self.error = Some(e.to_string()),
        }
        self.selected = 0;
    }

    fn rows(&self) -> usize {
        match (&self.freq, self.compare) {
            (Some(_), Some(_)) => self.keyness.len(),
            (Some(f), None) => f.words.len(),
            _ => 0,
        }
    }

    pub fn on_action(&mut self, action: Action, project: &Project) -> Outcome {
        let n = self.rows();
        match action {
            Action::Close => return Outcome::Close,
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Action::PageUp => self.selected = self.selected.saturating_sub(20),
            Action::PageDown => self.selected = (self.selected + 20).min(n.saturating_sub(1)),
            Action::ToggleStems => {
                self.options.stems = !self.options.stems;
                self.run(project);
            }
            Action::CycleBy => {
                let mut columns = vec!["group".to_string(), "school_type".to_string()];
                for r in &project.respondents {
                    for (k, _) in &r.attributes {
                        if !columns.contains(k) {
                            columns.push(k.clone());
                        }
                    }
                }
                let i = columns
                    .iter()
                    .position(|c| *c == self.options.by)
                    .unwrap_or(0);
                self.options.by = columns[(i + 1) % columns.len()].clone();
                self.compare = None;
                self.run(project);
            }
            Action::CycleCompare => {
                let parts = self.freq.as_ref().map_or(0, |f| f.parts.len());
                self.compare = match self.compare {
                    None if parts > 1 => Some(0),
                    Some(k) if k + 1 < parts => Some(k + 1),
                    _ => None,
                };
                self.run(project);
            }
            Action::Choose => {
                let word = match (&self.freq, self.compare) {
                    (Some(_), Some(_)) => self.keyness.get(self.selected).map(|k| k.word.clone()),
                    (Some(f), None) => f.words.get(self.selected).map(|w| w.word.clone()),
                    _ => None,
                };
                if let Some(word) = word {
                    // As a phrase when counting words, so the word itself is shown; a stem is
                    // searched as a word, which finds its inflections.
                    let text = if self.options.stems {
                        word
                    } else {
                        format!("\"{word}\"")
                    };
                    return Outcome::Kwic(Query {
                        text,
                        ..Query::default()
                    });
                }
            }
            _ => {}
        }
        Outcome::Stay
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let Some(freq) = &self.freq else {
            let msg = self.error.clone().unwrap_or_default();
            f.render_widget(
                Paragraph::new(msg).block(Block::default().borders(Borders::ALL)),
                area,
            );
            return;
        };
        let what = if self.options.stems { "stems" } else { "words" };
        let title = match self.compare.and_then(|k| freq.parts.get(k)) {
            Some(p) => format!(
                " Words {} use more than the rest · log-likelihood G² (3.84: p < 0.05) · log ratio ",
                p.label
            ),
            None => format!(
                " Words · {what} of the respondent turns by {} · {} words · {} distinct ",
                freq.by,
                freq.total_words,
                freq.words.len()
            ),
        };
        let height = area.height.saturating_sub(3) as usize;
        let first = crate::tui::draw::list_offset(self.selected, height);
        let inner = area.width.saturating_sub(2) as usize;
        let mut lines: Vec<Line> = Vec::new();
        let ww = 22;
        let sel = |i: usize| {
            if i == self.selected {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            }
        };
        let head = Style::default().add_modifier(Modifier::BOLD);
        if let Some(k) = self.compare {
            let of = freq.parts.get(k).map_or(0, |p| p.respondents);
            lines.push(Line::styled(
                format!(
                    "{}  {:>6}  {:>6}  {:>8}  {:>9}  used by",
                    pad("word", ww),
                    "here",
                    "rest",
                    "G²",
                    "log ratio"
                ),
                head,
            ));
            for (i, r) in self.keyness.iter().enumerate().skip(first).take(height) {
                let strong = if r.g2 >= 3.84 {
                    Style::default().fg(Color::LightGreen)
                } else {
                    theme.dim()
                };
                lines.push(Line::from(vec![
                    Span::styled(pad(&fit(&r.word, ww), ww), sel(i)),
                    Span::raw(format!("  {:>6}  {:>6}  ", r.count, r.rest)),
                    Span::styled(format!("{:>8.2}", r.g2), strong),
                    Span::raw(format!("  {:>9.2}  {} of {of}", r.log_ratio, r.respondents)),
                ]));
            }
        } else {
            let mut h = format!("{}  {:>6}  {:>7}", pad("word", ww), "count", "used by");
            let cw = 14;
            for p in &freq.parts {
                h += &format!(
                    "  {}",
                    pad(&fit(&format!("{} ({})", p.label, p.respondents), cw), cw)
                );
            }
            lines.push(Line::styled(fit(&h, inner), head));
            let all: usize = freq.parts.iter().map(|p| p.respondents).sum();
            for (i, w) in freq.words.iter().enumerate().skip(first).take(height) {
                let mut spans = vec![
                    Span::styled(pad(&fit(&w.word, ww), ww), sel(i)),
                    Span::raw(format!(
                        "  {:>6}  {:>7}",
                        w.count,
                        format!("{}/{all}", w.respondents)
                    )),
                ];
                for (c, p) in w.parts.iter().zip(&freq.parts) {
                    let cell = format!("{} · {}/{}", c.count, c.respondents, p.respondents);
                    let style = if c.count == 0 {
                        theme.dim()
                    } else {
                        Style::default()
                    };
                    spans.push(Span::styled(format!("  {}", pad(&cell, cw)), style));
                }
                lines.push(Line::from(spans));
            }
        }
        let blk = Block::default()
            .borders(Borders::ALL)
            .title(fit(&title, inner))
            .title_bottom(keymap::hint_text(
                Layer::Words,
                &[
                    Action::Choose,
                    Action::ToggleStems,
                    Action::CycleBy,
                    Action::CycleCompare,
                    Action::Close,
                ],
            ));
        f.render_widget(Paragraph::new(lines).block(blk), area);
    }
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width_of(s))))
}
