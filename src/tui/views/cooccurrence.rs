//! The co-occurrence view (`O`): codes × codes, each cell the number of units (respondents,
//! turns or overlapping passage pairs, `u` cycles) that have both codes, its background the
//! brighter the higher the pair's c-coefficient (Jaccard). `g` narrows it to one respondent
//! group; Enter lists the passages behind the cell, and Enter on one shows it in the text.
//! Counted by the same code as `codewerk export cooccurrence`.

use super::{Outcome, cycle, fit};
use crate::core::codebook::Rgb;
use crate::core::export::cooccurrence::{CoRow, CoUnit, rows};
use crate::core::export::{Filter, Tally};
use crate::core::project::Project;
use crate::core::query::{Expr, Facts};
use crate::tui::action::Action;
use crate::tui::keymap::Layer;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::collections::HashMap;

/// One code of the grid.
#[derive(Debug, Clone, PartialEq)]
pub struct CoCode {
    pub id: String,
    pub name: String,
    pub colour: Rgb,
    /// Units with the code.
    pub n: usize,
}

/// A passage behind a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoPassage {
    pub transcript: String,
    pub code: String,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

pub struct CooccurrenceView {
    pub coder: String,
    pub unit: CoUnit,
    /// Only this respondent group (None: everyone).
    pub group: Option<String>,
    pub codes: Vec<CoCode>,
    /// (row, column) with row < column → the pair's counts.
    pub cells: HashMap<(usize, usize), CoRow>,
    pub row: usize,
    pub col: usize,
    /// The passages of the cell opened with Enter, and the one selected.
    pub passages: Option<(Vec<CoPassage>, usize)>,
}

impl CooccurrenceView {
    pub fn open(project: &Project, coder: &str) -> Result<CooccurrenceView, String> {
        let mut v = CooccurrenceView {
            coder: coder.to_string(),
            unit: CoUnit::Respondent,
            group: None,
            codes: Vec::new(),
            cells: HashMap::new(),
            row: 0,
            col: 1,
            passages: None,
        };
        v.reload(project)?;
        Ok(v)
    }

    fn filter(&self) -> Filter {
        Filter {
            groups: self.group.iter().cloned().collect(),
            ..Filter::default()
        }
    }

    /// Count again from the project (whose coder state the app keeps current).
    pub fn reload(&mut self, project: &Project) -> Result<(), String> {
        let sel = self
            .filter()
            .resolve_for(project, Some(&self.coder))
            .map_err(|e| e.to_string())?;
        let tally = Tally::new(&sel, &self.coder);
        let all = rows(&sel, &tally, self.unit);
        // Several groups: the total over them; one: that group's rows.
        let total = all.iter().any(|r| r.by == "all");
        let mine: Vec<CoRow> = all
            .into_iter()
            .filter(|r| !total || r.by == "all")
            .collect();
        let pos: HashMap<&str, usize> = sel
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let mut codes: Vec<CoCode> = sel
            .codes
            .iter()
            .map(|c| CoCode {
                id: c.id.clone(),
                name: c.name.clone(),
                colour: c.colour,
                n: 0,
            })
            .collect();
        self.cells.clear();
        for r in mine {
            let (Some(&a), Some(&b)) = (pos.get(r.code_a.as_str()), pos.get(r.code_b.as_str()))
            else {
                continue;
            };
            codes[a].n = r.n_a;
            codes[b].n = r.n_b;
            self.cells.insert((a.min(b), a.max(b)), r);
        }
        self.codes = codes;
        let n = self.codes.len();
        self.row = self.row.min(n.saturating_sub(1));
        self.col = self.col.min(n.saturating_sub(1));
        Ok(())
    }

    /// The pair's counts (either order); None on the diagonal.
    pub fn cell(&self, a: usize, b: usize) -> Option<&CoRow> {
        self.cells.get(&(a.min(b), a.max(b)))
    }

    pub fn layer(&self) -> Layer {
        Layer::Cooccurrence
    }

    pub fn on_action(&mut self, action: Action, project: &Project) -> Outcome {
        if let Some((list, at)) = &mut self.passages {
            match action {
                Action::Close => self.passages = None,
                Action::Up => *at = at.saturating_sub(1),
                Action::Down => *at = (*at + 1).min(list.len().saturating_sub(1)),
                Action::Choose => {
                    if let Some(p) = list.get(*at) {
                        return Outcome::Jump {
                            transcript: p.transcript.clone(),
                            start: p.start,
                            end: p.end,
                            layer: None,
                        };
                    }
                }
                _ => {}
            }
            return Outcome::Stay;
        }
        let n = self.codes.len();
        match action {
            Action::Close => return Outcome::Close,
            Action::Up => self.row = self.row.saturating_sub(1),
            Action::Down => self.row = (self.row + 1).min(n.saturating_sub(1)),
            Action::Left => self.col = self.col.saturating_sub(1),
            Action::Right => self.col = (self.col + 1).min(n.saturating_sub(1)),
            Action::PageUp => self.row = self.row.saturating_sub(10),
            Action::PageDown => self.row = (self.row + 10).min(n.saturating_sub(1)),
            Action::ToggleColumns => {
                self.unit = match self.unit {
                    CoUnit::Respondent => CoUnit::Turn,
                    CoUnit::Turn => CoUnit::Overlap,
                    CoUnit::Overlap => CoUnit::Respondent,
                };
                return self.reloaded(project);
            }
            Action::CycleGroup => {
                self.group = cycle(&project.groups(), &self.group);
                return self.reloaded(project);
            }
            Action::Choose => return self.open_cell(project),
            _ => {}
        }
        Outcome::Stay
    }

    fn reloaded(&mut self, project: &Project) -> Outcome {
        match self.reload(project) {
            Ok(()) => Outcome::Stay,
            Err(e) => Outcome::Say(e, true),
        }
    }

    /// The passages behind the selected cell: of either code, where they occur together in the
    /// view's unit (the respondent has both; the turn has both; the passages overlap).
    pub fn cell_passages(&self, project: &Project) -> Result<Vec<CoPassage>, String> {
        let (Some(a), Some(b)) = (self.codes.get(self.row), self.codes.get(self.col)) else {
            return Ok(Vec::new());
        };
        let at = |id: &str| project.codebook.index_of(id);
        let (Some(ca), Some(cb)) = (at(&a.id), at(&b.id)) else {
            return Ok(Vec::new());
        };
        let sel = self
            .filter()
            .resolve_for(project, Some(&self.coder))
            .map_err(|e| e.to_string())?;
        let facts = Facts::new(project, &self.coder, false).map_err(|e| e.to_string())?;
        let (x, y) = (Box::new(Expr::Code(ca)), Box::new(Expr::Code(cb)));
        let both = match self.unit {
            CoUnit::Respondent => Expr::And(x, y),
            CoUnit::Turn => Expr::Near(x, y),
            CoUnit::Overlap => Expr::And(x, y),
        };
        let mut out = Vec::new();
        for &r in &sel.respondents {
            let whole = self.unit == CoUnit::Respondent && facts.respondent(&both, r);
            for (i, f) in facts.of[r].iter().enumerate() {
                if f.code != ca && f.code != cb {
                    continue;
                }
                if whole || (self.unit != CoUnit::Respondent && facts.passage(&both, r, i)) {
                    out.push(CoPassage {
                        transcript: project.respondents[r].id.clone(),
                        code: project.codebook.codes[f.code].id.clone(),
                        start: f.start,
                        end: f.end,
                        text: f.coding.text.clone(),
                    });
                }
            }
        }
        Ok(out)
    }

    fn open_cell(&mut self, project: &Project) -> Outcome {
        if self.row == self.col {
            return Outcome::Say("the diagonal is the code itself: pick a pair".into(), true);
        }
        match self.cell_passages(project) {
            Ok(list) if list.is_empty() => {
                Outcome::Say("these two codes do not occur together".into(), false)
            }
            Ok(list) => {
                self.passages = Some((list, 0));
                Outcome::Stay
            }
            Err(e) => Outcome::Say(e, true),
        }
    }

    fn unit_noun(&self) -> &'static str {
        self.unit_nouns().1
    }

    /// The unit counted, singular and plural.
    fn unit_nouns(&self) -> (&'static str, &'static str) {
        match self.unit {
            CoUnit::Respondent => ("respondent", "respondents"),
            CoUnit::Turn => ("turn", "turns"),
            CoUnit::Overlap => ("overlapping passage pair", "overlapping passage pairs"),
        }
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, project: &Project, theme: &Theme) {
        let title = format!(
            " Co-occurrence · {} · {} with both codes · {} ",
            self.coder,
            self.unit_noun(),
            self.group
                .as_deref()
                .map_or("all groups", |g| project.group_plural(g))
        );
        let blk = super::view_block(
            &title,
            area.width,
            Layer::Cooccurrence,
            &[
                Action::Choose,
                Action::ToggleColumns,
                Action::CycleGroup,
                Action::Help,
            ],
        );
        let inner = blk.inner(area);
        f.render_widget(blk, area);
        if let Some((list, at)) = &self.passages {
            return self.draw_passages(f, inner, list, *at, theme);
        }
        let [body, foot] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(3)]).areas(inner);
        let width = inner.width as usize;
        let n = self.codes.len();
        let cell_w = 5usize;
        let name_w = width.saturating_sub(n * cell_w).clamp(16, 32);
        let fit_cols = (width.saturating_sub(name_w) / cell_w).max(1);
        let first_col = crate::tui::draw::list_offset(self.col, fit_cols);
        let cols: Vec<usize> = (first_col..n).take(fit_cols).collect();
        let mut lines = Vec::new();
        // Column heads: the codes' numbers in their colours (the rows name them).
        let mut head = vec![Span::raw(" ".repeat(name_w))];
        for &c in &cols {
            let style = if c == self.col {
                Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED)
            } else {
                Style::default().add_modifier(Modifier::BOLD)
            };
            head.push(Span::styled(format!("{:>4}", c + 1), style));
            head.push(Span::raw(" "));
        }
        lines.push(Line::from(head));
        let h = body.height.saturating_sub(1) as usize;
        let first_row = crate::tui::draw::list_offset(self.row, h);
        for (r, code) in self.codes.iter().enumerate().skip(first_row).take(h) {
            let name_style = if r == self.row {
                Style::default().add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            };
            let mut spans = vec![
                Span::styled(format!("{:>3} ", r + 1), theme.dim()),
                Span::styled("██", theme.swatch(code.colour)),
                Span::styled(
                    format!(
                        " {:<w$}",
                        fit(&code.name, name_w.saturating_sub(7)),
                        w = name_w.saturating_sub(7)
                    ),
                    name_style,
                ),
            ];
            for &c in &cols {
                spans.push(self.cell_span(r, c, code.n, theme));
                spans.push(Span::raw(" "));
            }
            lines.push(Line::from(spans));
        }
        if n == 0 {
            lines.push(Line::styled(" no codes", theme.dim()));
        }
        f.render_widget(Paragraph::new(lines), body);
        f.render_widget(Paragraph::new(self.detail(theme)), foot);
    }

    /// A cell: the count with both codes, on a background as bright as the pair's
    /// c-coefficient; the diagonal shows the code's own count, dimmed.
    fn cell_span(&self, r: usize, c: usize, own: usize, theme: &Theme) -> Span<'static> {
        let selected = r == self.row && c == self.col;
        let mut style = Style::default();
        let text = if r == c {
            style = theme.dim();
            format!("{own:>4}")
        } else {
            let row = self.cell(r, c);
            let n = row.map_or(0, |x| x.n_ab);
            let coefficient = row.and_then(|x| x.c_coefficient).unwrap_or(0.0);
            if n > 0 {
                let (bg, fg) = heat(coefficient);
                style = style.bg(theme.color(bg)).fg(theme.color(fg));
            } else {
                style = theme.dim();
            }
            format!("{n:>4}")
        };
        if selected {
            style = style.add_modifier(Modifier::REVERSED | Modifier::BOLD);
        }
        Span::styled(text, style)
    }

    fn detail(&self, theme: &Theme) -> Vec<Line<'static>> {
        let (Some(a), Some(b)) = (self.codes.get(self.row), self.codes.get(self.col)) else {
            return vec![];
        };
        let mut spans = vec![
            Span::raw(" "),
            Span::styled("██ ", theme.swatch(a.colour)),
            Span::styled(
                a.name.clone(),
                Style::default().add_modifier(Modifier::BOLD),
            ),
        ];
        if self.row == self.col {
            let (one, many) = self.unit_nouns();
            spans.push(Span::raw(format!(
                ": {}",
                crate::core::text::count(a.n, one, many)
            )));
            return vec![Line::raw(""), Line::from(spans)];
        }
        spans.push(Span::raw(" × "));
        spans.push(Span::styled("██ ", theme.swatch(b.colour)));
        spans.push(Span::styled(
            b.name.clone(),
            Style::default().add_modifier(Modifier::BOLD),
        ));
        let row = self.cell(self.row, self.col);
        let (n, c) = row.map_or((0, None), |x| (x.n_ab, x.c_coefficient));
        let words = vec![
            Span::raw(" "),
            Span::styled(
                format!(
                    "{} with both",
                    crate::core::text::count(n, self.unit_nouns().0, self.unit_nouns().1)
                ),
                Style::default()
                    .fg(Color::Cyan)
                    .add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!(
                    " · {} with the first, {} with the second · c-coefficient {} · Enter: the passages",
                    a.n,
                    b.n,
                    c.map_or("–".to_string(), |c| format!("{c:.2}"))
                ),
                theme.dim(),
            ),
        ];
        vec![Line::raw(""), Line::from(spans), Line::from(words)]
    }

    fn draw_passages(
        &self,
        f: &mut Frame,
        area: Rect,
        list: &[CoPassage],
        at: usize,
        theme: &Theme,
    ) {
        let width = area.width as usize;
        let mut lines = vec![Line::styled(
            format!(
                " {} passage(s) where the two codes occur together · Enter: show in the text · Esc: back",
                list.len()
            ),
            theme.dim(),
        )];
        let h = area.height.saturating_sub(1) as usize;
        let first = crate::tui::draw::list_offset(at, h);
        for (i, p) in list.iter().enumerate().skip(first).take(h) {
            let colour = self
                .codes
                .iter()
                .find(|c| c.id == p.code)
                .map_or(Rgb(128, 128, 128), |c| c.colour);
            let one_line: String = p.text.split_whitespace().collect::<Vec<_>>().join(" ");
            let head = format!(" {} · {} ", p.transcript, p.code);
            let style = if i == at {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            lines.push(Line::from(vec![
                Span::styled("▌", Style::default().fg(theme.color(colour))),
                Span::styled(head.clone(), theme.dim()),
                Span::styled(
                    fit(&one_line, width.saturating_sub(head.chars().count() + 2)),
                    style,
                ),
            ]));
        }
        f.render_widget(Paragraph::new(lines), area);
    }
}

/// Background and text colour for a c-coefficient: from a dark blue (rare together) to a bright
/// orange (always together), with text readable on it.
pub fn heat(c: f64) -> (Rgb, Rgb) {
    let t = c.clamp(0.0, 1.0);
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    let bg = Rgb(mix(30.0, 255.0), mix(50.0, 150.0), mix(110.0, 40.0));
    (bg, bg.readable_foreground())
}

#[cfg(test)]
mod tests {
    use super::heat;
    use crate::core::codebook::Rgb;

    #[test]
    fn heat_brightens_with_the_coefficient() {
        let lum = |Rgb(r, g, b): Rgb| u32::from(r) + u32::from(g) + u32::from(b);
        let mut last = 0;
        for k in 0..=10 {
            let (bg, _) = heat(f64::from(k) / 10.0);
            assert!(lum(bg) >= last);
            last = lum(bg);
        }
        assert_eq!(heat(2.0), heat(1.0), "capped");
    }
}
