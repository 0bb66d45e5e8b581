//! The clusters view (`C`): the quotes of one code, grouped by respondent group (and, toggled,
//! by school type), each cluster headed "N of M <group>". Pick the code with ←→ (or the next
//! deelvraag with `d`), filter by group and school type, Enter shows a quote in its transcript,
//! `x` exports the quotes shown as CSV.

use super::{Outcome, cycle, fit};
use crate::core::export::clusters::{Cluster, Quote, clusters};
use crate::core::export::matrix::{Columns, MatrixRow, code_matrix};
use crate::core::export::{Count, Filter, Kind, Request};
use crate::core::project::Project;
use crate::tui::action::Action;
use crate::tui::keymap::Layer;
use crate::tui::theme::Theme;
use crate::tui::wrap::wrap;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub struct ClustersView {
    pub coder: String,
    /// The code shown (id).
    pub code: String,
    pub group: Option<String>,
    pub school_type: Option<String>,
    /// One cluster per group × school type instead of per group.
    pub by_school_type: bool,
    /// Respondent filters carried over from the matrix it was opened from (`NAME=VALUE`s and
    /// a code query), so that its quotes are those of the cell's count.
    pub attrs: Vec<String>,
    pub among: Option<String>,
    pub clusters: Vec<Cluster>,
    /// Every code with its counts under the filter, in report order: the code picker.
    pub codes: Vec<MatrixRow>,
    /// Position of the selected quote, counted over all clusters.
    pub selected: usize,
    /// The codebook highlight the view was opened on: `C` comes back to this view while the
    /// highlight is unchanged.
    pub opened_on: String,
}

impl ClustersView {
    /// The clusters of `code` (id or name) for `coder`, optionally for one group and school type.
    pub fn open(
        project: &Project,
        coder: &str,
        code: &str,
        group: Option<String>,
        school_type: Option<String>,
    ) -> Result<ClustersView, String> {
        let mut v = ClustersView {
            coder: coder.to_string(),
            code: code.to_string(),
            group,
            school_type,
            by_school_type: false,
            attrs: Vec::new(),
            among: None,
            clusters: Vec::new(),
            codes: Vec::new(),
            selected: 0,
            opened_on: code.to_string(),
        };
        v.reload(project)?;
        if let Some(row) = v.codes.iter().find(|r| r.code == code || r.name == code) {
            v.code = row.code.clone();
        }
        Ok(v)
    }

    /// The filter the view shows (and exports): its group and school type.
    pub fn filter(&self) -> Filter {
        Filter {
            groups: self.group.iter().cloned().collect(),
            school_types: self.school_type.iter().cloned().collect(),
            attrs: self.attrs.clone(),
            among: self.among.clone(),
            ..Filter::default()
        }
    }

    /// Count again from the project (whose coder state the app keeps current).
    pub fn reload(&mut self, project: &Project) -> Result<(), String> {
        let filter = self.filter();
        let m = code_matrix(project, &self.coder, &filter, Columns::Groups)
            .map_err(|e| e.to_string())?;
        self.clusters = clusters(
            project,
            &self.coder,
            &self.code,
            &filter,
            self.by_school_type,
        )
        .map_err(|e| e.to_string())?;
        self.codes = m.rows;
        self.selected = self.selected.min(self.len().saturating_sub(1));
        Ok(())
    }

    /// Number of quotes over all clusters.
    pub fn len(&self) -> usize {
        self.clusters.iter().map(|c| c.quotes.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The quote at a position counted over all clusters.
    pub fn quote(&self, i: usize) -> Option<&Quote> {
        self.clusters.iter().flat_map(|c| &c.quotes).nth(i)
    }

    /// The shown code's counts over the respondents in the filter.
    pub fn total(&self) -> Count {
        self.row().map(|r| r.total).unwrap_or_default()
    }

    fn row(&self) -> Option<&MatrixRow> {
        self.codes.iter().find(|r| r.code == self.code)
    }

    /// "respondents", or the group's plural when filtered to one group.
    fn plural<'a>(&'a self, project: &'a Project) -> &'a str {
        self.group
            .as_deref()
            .map_or("respondents", |g| project.group_plural(g))
    }

    pub fn on_action(&mut self, action: Action, project: &Project) -> Outcome {
        let n = self.len();
        let page = 5;
        let before = (
            self.code.clone(),
            self.group.clone(),
            self.school_type.clone(),
            self.by_school_type,
        );
        match action {
            Action::Close => return Outcome::Close,
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1));
            }
            Action::PageUp => self.selected = self.selected.saturating_sub(page),
            Action::PageDown => self.selected = (self.selected + page).min(n.saturating_sub(1)),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = n.saturating_sub(1),
            Action::Left => self.step_code(-1),
            Action::Right => self.step_code(1),
            Action::NextDeelvraag => self.next_deelvraag(),
            Action::CycleGroup => self.group = cycle(&project.groups(), &self.group),
            Action::CycleSchoolType => {
                self.school_type = cycle(&project.school_types(), &self.school_type);
            }
            Action::ToggleColumns => self.by_school_type = !self.by_school_type,
            Action::Choose => {
                return match self.quote(self.selected) {
                    Some(q) => Outcome::Jump {
                        transcript: q.respondent.clone(),
                        start: q.start,
                        end: q.end,
                        layer: None,
                    },
                    None => Outcome::Say("no quotes to show".into(), false),
                };
            }
            Action::Export | Action::ExportExcel => {
                return self.export(action == Action::ExportExcel);
            }
            _ => {}
        }
        let after = (
            self.code.clone(),
            self.group.clone(),
            self.school_type.clone(),
            self.by_school_type,
        );
        if before != after {
            if before.0 != after.0 {
                self.selected = 0;
            }
            if let Err(e) = self.reload(project) {
                return Outcome::Say(e, true);
            }
        }
        Outcome::Stay
    }

    fn step_code(&mut self, delta: isize) {
        let Some(i) = self.codes.iter().position(|r| r.code == self.code) else {
            return;
        };
        let j = (i as isize + delta).clamp(0, self.codes.len() as isize - 1) as usize;
        self.code = self.codes[j].code.clone();
    }

    fn next_deelvraag(&mut self) {
        let Some(dv) = self.row().map(|r| r.deelvraag) else {
            return;
        };
        let next = self
            .codes
            .iter()
            .find(|r| r.deelvraag > dv)
            .or_else(|| self.codes.first());
        if let Some(r) = next {
            self.code = r.code.clone();
        }
    }

    /// Write the quotes shown (this code, this group and school type) under `exports/`.
    pub fn export(&self, excel: bool) -> Outcome {
        let mut req = Request::new(Kind::Quotes, &self.coder);
        req.filter = self.filter();
        if let Some(row) = self.row() {
            req.filter.deelvragen = vec![row.deelvraag];
        }
        req.filter.codes = vec![self.code.clone()];
        req.excel = excel;
        Outcome::Export(req)
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, project: &Project, theme: &Theme) {
        let total = self.total();
        let name = self.row().map_or(self.code.as_str(), |r| r.name.as_str());
        let title = format!(
            " Clusters · {} · {name} · {} of {} {} ",
            self.coder,
            total.respondents,
            total.of,
            self.plural(project)
        );
        let blk = super::view_block(
            &title,
            area.width,
            Layer::Clusters,
            &[
                Action::Choose,
                Action::Export,
                Action::ExportExcel,
                Action::Help,
            ],
        );
        let inner = blk.inner(area);
        f.render_widget(blk, area);
        let (picker, main) = if inner.width >= 100 {
            let [p, _, m] = Layout::horizontal([
                Constraint::Length(34),
                Constraint::Length(1),
                Constraint::Min(20),
            ])
            .areas(inner);
            (Some(p), m)
        } else {
            (None, inner)
        };
        if let Some(p) = picker {
            self.draw_picker(f, p, project, theme);
        }
        self.draw_quotes(f, main, project, theme);
    }

    /// The codes by deelvraag, with how many respondents (in the filter) have each.
    fn draw_picker(&self, f: &mut Frame, area: Rect, project: &Project, theme: &Theme) {
        let width = area.width as usize;
        let mut lines: Vec<Line> = Vec::new();
        let mut at = 0;
        let mut last_dv = None;
        for r in &self.codes {
            if last_dv != Some(r.deelvraag) {
                last_dv = Some(r.deelvraag);
                lines.push(super::deelvraag_heading(project, r.deelvraag, width));
            }
            let count = format!("{:>3}", r.total.respondents);
            let name_w = width.saturating_sub(5 + count.len() + 1);
            let indent = "  ".repeat(r.depth.min(3));
            let name = format!(
                "{indent}{}",
                fit(&r.name, name_w.saturating_sub(indent.len()))
            );
            let pad = name_w.saturating_sub(name.chars().count());
            let style = if r.code == self.code {
                at = lines.len();
                Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
            } else {
                Style::default()
            };
            let count_style = if r.total.respondents == 0 {
                theme.dim()
            } else {
                Style::default()
            };
            lines.push(Line::from(vec![
                Span::raw(" "),
                Span::styled("██", theme.swatch(r.colour)),
                Span::styled(format!(" {name}{} ", " ".repeat(pad)), style),
                Span::styled(count, count_style),
            ]));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            fit(
                &format!("respondents with the code, of {}", self.total().of),
                width,
            ),
            theme.dim(),
        ));
        let first = crate::tui::draw::list_offset(at, area.height as usize);
        let shown: Vec<Line> = lines.into_iter().skip(first).collect();
        f.render_widget(Paragraph::new(shown), area);
    }

    fn draw_quotes(&self, f: &mut Frame, area: Rect, project: &Project, theme: &Theme) {
        let width = area.width as usize;
        let row = self.row();
        let colour = row.map_or(Color::Reset, |r| theme.color(r.colour));
        // Head: deelvraag, code, total, filters.
        let mut head: Vec<Line> = Vec::new();
        if let Some(r) = row {
            let dv = project.codebook.deelvraag(r.deelvraag);
            head.push(Line::styled(
                fit(
                    &format!(
                        "{}. {}{}",
                        r.deelvraag,
                        dv.map_or("", |d| d.title.as_str()),
                        dv.filter(|d| !d.question.is_empty())
                            .map(|d| format!(" — {}", d.question))
                            .unwrap_or_default()
                    ),
                    width,
                ),
                theme.dim(),
            ));
            let total = self.total();
            let mut spans = vec![
                Span::styled("██ ", Style::default().fg(colour)),
                Span::styled(
                    r.name.clone(),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Span::styled(
                    r.category
                        .as_ref()
                        .map(|c| format!(" · {c}"))
                        .unwrap_or_default(),
                    theme.dim(),
                ),
                Span::raw("  "),
                Span::styled(
                    format!(
                        "{} of {} {}",
                        total.respondents,
                        total.of,
                        self.plural(project)
                    ),
                    Style::default()
                        .fg(Color::Cyan)
                        .add_modifier(Modifier::BOLD),
                ),
                Span::styled(
                    format!(
                        " · {}",
                        crate::core::text::count(total.passages, "passage", "passages")
                    ),
                    theme.dim(),
                ),
            ];
            let mut filters = Vec::new();
            if let Some(g) = &self.group {
                filters.push(project.group_plural(g).to_string());
            }
            if let Some(t) = &self.school_type {
                filters.push(t.clone());
            }
            if self.by_school_type {
                filters.push("per school type".into());
            }
            if !filters.is_empty() {
                spans.push(Span::styled(
                    format!("  [{}]", filters.join(" · ")),
                    Style::default().fg(Color::Yellow),
                ));
            }
            head.push(Line::from(spans));
        }
        head.push(Line::raw(""));
        let [head_area, body] =
            Layout::vertical([Constraint::Length(head.len() as u16), Constraint::Min(1)])
                .areas(area);
        f.render_widget(Paragraph::new(head), head_area);

        // Body: the clusters, each quote as a block of lines; scrolled to keep the selected
        // quote in view.
        let mut lines: Vec<Line> = Vec::new();
        let mut sel_range = (0, 0);
        let mut pos = 0;
        let text_w = width.saturating_sub(4).max(10);
        for c in &self.clusters {
            let label = match &c.school_type {
                Some(t) if t.is_empty() => format!("{} · no school type", c.plural),
                Some(t) => format!("{} · {t}", c.plural),
                None => c.plural.clone(),
            };
            lines.push(Line::from(vec![
                Span::styled(
                    format!(" {label} "),
                    Style::default()
                        .add_modifier(Modifier::BOLD)
                        .fg(Color::Black)
                        .bg(Color::Gray),
                ),
                Span::raw(" "),
                Span::styled(
                    c.heading(),
                    Style::default()
                        .fg(Color::Cyan)
                        .add_modifier(Modifier::BOLD),
                ),
                Span::styled(
                    format!(
                        " · {}",
                        crate::core::text::count(c.count.passages, "passage", "passages")
                    ),
                    theme.dim(),
                ),
            ]));
            if c.quotes.is_empty() {
                lines.push(Line::styled("   no quotes", theme.dim()));
            }
            for q in &c.quotes {
                let selected = pos == self.selected;
                let start = lines.len();
                let bar = if selected { "█ " } else { "▌ " };
                let meta = format!(
                    "{} · {} · {}{}",
                    q.respondent,
                    q.school,
                    if q.school_type.is_empty() {
                        "–"
                    } else {
                        q.school_type.as_str()
                    },
                    q.speaker
                        .as_ref()
                        .map(|s| format!(" · {s}:"))
                        .unwrap_or_default()
                );
                let meta_style = if selected {
                    Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
                } else {
                    theme.dim()
                };
                lines.push(Line::from(vec![
                    Span::raw("  "),
                    Span::styled(fit(&meta, text_w), meta_style),
                ]));
                let chars: Vec<char> = q.text.chars().collect();
                let text_style = if selected {
                    Style::default().add_modifier(Modifier::BOLD)
                } else {
                    Style::default()
                };
                for l in wrap(&q.text, text_w) {
                    let s: String = chars[l.start..l.end.min(chars.len())].iter().collect();
                    lines.push(Line::from(vec![
                        Span::raw(" "),
                        Span::styled(bar, Style::default().fg(colour)),
                        Span::styled(s, text_style),
                    ]));
                }
                if let Some(m) = &q.memo {
                    lines.push(Line::styled(
                        format!(
                            "   ✎ {}",
                            fit(&m.replace('\n', " "), text_w.saturating_sub(2))
                        ),
                        theme.dim().add_modifier(Modifier::ITALIC),
                    ));
                }
                if selected {
                    sel_range = (start, lines.len());
                }
                pos += 1;
            }
            lines.push(Line::raw(""));
        }
        let h = body.height as usize;
        let (start, end) = sel_range;
        let mut first = if end <= h { 0 } else { start.min(end - h) };
        // A quote at the top: show the line above it too (its cluster's heading) if it fits.
        if first > 0 && first == start && end - first < h {
            first -= 1;
        }
        let shown: Vec<Line> = lines.into_iter().skip(first).take(h).collect();
        f.render_widget(Paragraph::new(shown), body);
    }
}
