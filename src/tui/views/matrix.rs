//! The code matrix view (`M`): codes (rows, in their colours) × respondent groups (columns), each
//! cell the number of respondents who said it, "N/M", with a bar for the share, like the code
//! matrix browsers of the big QDA programs. `t` switches the columns to groups × school type and
//! to school types; Enter on a cell opens its quotes in the clusters view; `x` exports the summary.

use super::clusters::ClustersView;
use super::{Outcome, fit};
use crate::core::codebook::Rgb;
use crate::core::export::matrix::{CodeMatrix, Columns, code_matrix};
use crate::core::export::{Count, Filter, Kind, Request};
use crate::core::project::Project;
use crate::tui::action::Action;
use crate::tui::keymap::Layer;

use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// What the matrix view asks the coder for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// `NAME=VALUE`: only respondents with it.
    Attribute,
    /// A code query: only respondents for whom it holds (they are the "M" of "N of M").
    Query,
}

pub struct MatrixView {
    pub coder: String,
    /// `NAME=VALUE` filters on respondents.csv columns (all must hold).
    pub attrs: Vec<String>,
    /// A code query: only respondents for whom it holds count (also as the denominator).
    pub among: Option<String>,
    /// Columns by this respondent attribute instead of `columns` (None: `columns`).
    pub by: Option<String>,
    pub columns: Columns,
    /// Only this deelvraag's codes.
    pub deelvraag: Option<u32>,
    pub matrix: CodeMatrix,
    /// Selected code (row of `matrix.rows`).
    pub row: usize,
    /// Selected column; `matrix.columns.len()` is the column of all respondents.
    pub col: usize,
    /// The quotes of a cell, opened by Enter.
    pub clusters: Option<Box<ClustersView>>,
}

impl MatrixView {
    pub fn open(project: &Project, coder: &str) -> Result<MatrixView, String> {
        let mut v = MatrixView {
            coder: coder.to_string(),
            attrs: Vec::new(),
            among: None,
            by: None,
            columns: Columns::Groups,
            deelvraag: None,
            matrix: CodeMatrix {
                coder: coder.to_string(),
                columns: Vec::new(),
                rows: Vec::new(),
            },
            row: 0,
            col: 0,
            clusters: None,
        };
        v.reload(project)?;
        Ok(v)
    }

    pub fn filter(&self) -> Filter {
        Filter {
            deelvragen: self.deelvraag.into_iter().collect(),
            attrs: self.attrs.clone(),
            among: self.among.clone(),
            by: self.by.clone(),
            ..Filter::default()
        }
    }

    /// The coder's answer to an [`Ask`]; an error (unknown attribute, a query that does not
    /// parse) leaves the matrix as it was and says why.
    pub fn set(&mut self, what: Ask, value: &str, project: &Project) -> Result<(), String> {
        let value = value.trim();
        let before = (self.attrs.clone(), self.among.clone());
        match what {
            Ask::Attribute => {
                self.attrs = value
                    .split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect();
                if let Some(bad) = self.attrs.iter().find(|a| !a.contains('=')) {
                    let bad = bad.clone();
                    (self.attrs, self.among) = before;
                    return Err(format!("\"{bad}\" is not NAME=VALUE"));
                }
            }
            Ask::Query => self.among = (!value.is_empty()).then(|| value.to_string()),
        }
        self.row = 0;
        if let Err(e) = self.reload(project) {
            (self.attrs, self.among) = before;
            let _ = self.reload(project);
            return Err(e);
        }
        Ok(())
    }

    /// The split's next respondent attribute (respondents.csv's columns after the fixed ones),
    /// then back to the group columns.
    fn next_split(&self, project: &Project) -> Option<String> {
        let mut names: Vec<String> = Vec::new();
        for r in &project.respondents {
            for (k, _) in &r.attributes {
                if !names.contains(k) {
                    names.push(k.clone());
                }
            }
        }
        match &self.by {
            None => names.first().cloned(),
            Some(b) => names.iter().skip_while(|n| *n != b).nth(1).cloned(),
        }
    }

    /// Count again from the project (whose coder state the app keeps current).
    pub fn reload(&mut self, project: &Project) -> Result<(), String> {
        self.matrix = code_matrix(project, &self.coder, &self.filter(), self.columns)
            .map_err(|e| e.to_string())?;
        self.row = self.row.min(self.matrix.rows.len().saturating_sub(1));
        self.col = self.col.min(self.matrix.columns.len());
        if let Some(c) = &mut self.clusters {
            c.reload(project)?;
        }
        Ok(())
    }

    /// The counts of a cell; the last column is all respondents.
    pub fn cell(&self, row: usize, col: usize) -> Option<Count> {
        let r = self.matrix.rows.get(row)?;
        r.cells
            .get(col)
            .copied()
            .or((col == r.cells.len()).then_some(r.total))
    }

    pub fn on_action(&mut self, action: Action, project: &Project) -> Outcome {
        if let Some(c) = &mut self.clusters {
            return match c.on_action(action, project) {
                Outcome::Close => {
                    self.clusters = None;
                    Outcome::Stay
                }
                other => other,
            };
        }
        let rows = self.matrix.rows.len();
        let cols = self.matrix.columns.len() + 1;
        match action {
            Action::Close => return Outcome::Close,
            Action::Up => self.row = self.row.saturating_sub(1),
            Action::Down => {
                self.row = (self.row + 1).min(rows.saturating_sub(1));
            }
            Action::Left => self.col = self.col.saturating_sub(1),
            Action::Right => self.col = (self.col + 1).min(cols - 1),
            Action::PageUp => self.row = self.row.saturating_sub(10),
            Action::PageDown => self.row = (self.row + 10).min(rows.saturating_sub(1)),
            Action::ToggleColumns => {
                self.columns = match self.columns {
                    Columns::Groups => Columns::GroupsBySchoolType,
                    Columns::GroupsBySchoolType => Columns::SchoolTypes,
                    Columns::SchoolTypes => Columns::Groups,
                };
                self.col = 0;
                return self.reloaded(project);
            }
            Action::NextDeelvraag => {
                let numbers: Vec<u32> = project
                    .codebook
                    .deelvragen
                    .iter()
                    .map(|d| d.number)
                    .collect();
                self.deelvraag = match self.deelvraag {
                    None => numbers.first().copied(),
                    Some(n) => numbers.iter().skip_while(|&&d| d != n).nth(1).copied(),
                };
                self.row = 0;
                return self.reloaded(project);
            }
            Action::Choose => return self.open_cell(project),
            Action::FilterAttribute => {
                return Outcome::AskMatrix(
                    Ask::Attribute,
                    "Only respondents with NAME=VALUE (several: a=b, c=d; empty: all)".into(),
                    self.attrs.join(", "),
                );
            }
            Action::FilterQuery => {
                return Outcome::AskMatrix(
                    Ask::Query,
                    "Only respondents for whom this code query holds (e.g. veilig-thuis AND \
                     NOT meldcode; empty: all)"
                        .into(),
                    self.among.clone().unwrap_or_default(),
                );
            }
            Action::CycleSplit => {
                self.by = self.next_split(project);
                // An attribute's values are the columns; back to the groups after the last.
                self.columns = Columns::Groups;
                self.col = 0;
                return self.reloaded(project);
            }
            Action::Export | Action::ExportExcel => {
                let mut req = Request::new(Kind::Summary, &self.coder);
                req.filter = self.filter();
                req.excel = action == Action::ExportExcel;
                return Outcome::Export(req);
            }
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

    fn open_cell(&mut self, project: &Project) -> Outcome {
        let Some(row) = self.matrix.rows.get(self.row) else {
            return Outcome::Stay;
        };
        if let Some(by) = &self.by {
            return Outcome::Say(
                format!(
                    "the quotes view is per group, not per {by}: b until the columns are groups \
                     again"
                ),
                true,
            );
        }
        let (group, school_type) = self
            .matrix
            .columns
            .get(self.col)
            .map_or((None, None), |c| (c.group.clone(), c.school_type.clone()));
        match ClustersView::open(project, &self.coder, &row.code, group, school_type) {
            Ok(mut v) => {
                if !self.attrs.is_empty() || self.among.is_some() {
                    v.attrs = self.attrs.clone();
                    v.among = self.among.clone();
                    if let Err(e) = v.reload(project) {
                        return Outcome::Say(e, true);
                    }
                }
                v.by_school_type = self.columns == Columns::GroupsBySchoolType
                    && v.group.is_some()
                    && v.school_type.is_none();
                self.clusters = Some(Box::new(v));
                Outcome::Stay
            }
            Err(e) => Outcome::Say(e, true),
        }
    }

    /// The keys in force: the clusters view's while it is open over the matrix.
    pub fn layer(&self) -> Layer {
        match self.clusters {
            Some(_) => Layer::Clusters,
            None => Layer::Matrix,
        }
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, project: &Project, theme: &Theme) {
        if let Some(c) = &self.clusters {
            return c.draw(f, area, project, theme);
        }
        let m = &self.matrix;
        let what = match (&self.by, self.columns) {
            (Some(b), _) => b.as_str(),
            (None, Columns::Groups) => "group",
            (None, Columns::GroupsBySchoolType) => "group × school type",
            (None, Columns::SchoolTypes) => "school type",
        };
        let all = self.cell(0, m.columns.len()).map_or(0, |c| c.of);
        let mut only: Vec<String> = self.attrs.clone();
        only.extend(self.among.iter().map(|q| format!("where {q}")));
        let title = format!(
            " Code matrix · {} · respondents per code × {what} · {all} respondents{}{} ",
            self.coder,
            self.deelvraag
                .map(|d| format!(" · deelvraag {d}"))
                .unwrap_or_default(),
            if only.is_empty() {
                String::new()
            } else {
                format!(" · only {}", only.join(", "))
            }
        );
        let blk = super::view_block(
            &title,
            area.width,
            Layer::Matrix,
            &[
                Action::Choose,
                Action::Export,
                Action::ExportExcel,
                Action::Help,
            ],
        );
        let inner = blk.inner(area);
        f.render_widget(blk, area);
        let by_type = self.columns == Columns::GroupsBySchoolType;
        let [head, body, foot] = Layout::vertical([
            Constraint::Length(if by_type { 4 } else { 3 }),
            Constraint::Min(1),
            Constraint::Length(2),
        ])
        .areas(inner);

        let width = inner.width as usize;
        let ncols = m.columns.len() + 1;
        // The names get what the columns leave, within reason; too many columns scroll.
        let name_w = width.saturating_sub(ncols * 16).clamp(24, 40);
        let col_w = (width.saturating_sub(name_w) / ncols.max(1)).clamp(12, 26);
        let fit_cols = (width.saturating_sub(name_w) / col_w).max(1);
        let first_col = crate::tui::draw::list_offset(self.col, fit_cols);
        let shown_cols: Vec<usize> = (first_col..ncols).take(fit_cols).collect();
        // "14/27" at its widest, so that the bars line up.
        let num_w = m
            .rows
            .iter()
            .flat_map(|r| r.cells.iter().chain([&r.total]))
            .map(|c| format!("{}/{}", c.respondents, c.of).len())
            .max()
            .unwrap_or(3);

        let mut head_lines = Vec::new();
        // Groups × school type: each group's name over its columns.
        if by_type {
            let group_of = |c: usize| m.columns.get(c).and_then(|k| k.group.as_deref());
            let mut spans = vec![Span::raw(" ".repeat(name_w))];
            let mut i = 0;
            while i < shown_cols.len() {
                let g = group_of(shown_cols[i]);
                let mut j = i + 1;
                while j < shown_cols.len() && g.is_some() && group_of(shown_cols[j]) == g {
                    j += 1;
                }
                let w = (j - i) * col_w - 1;
                let label = fit(g.map_or("", |g| project.group_plural(g)), w);
                let rule = if g.is_some() {
                    "─".repeat(w.saturating_sub(label.chars().count() + 1))
                } else {
                    String::new()
                };
                spans.push(Span::styled(
                    format!(" {label}"),
                    Style::default().add_modifier(Modifier::BOLD),
                ));
                spans.push(Span::styled(
                    format!("{}{rule}", if rule.is_empty() { "" } else { " " }),
                    theme.dim(),
                ));
                let used =
                    label.chars().count() + rule.chars().count() + usize::from(!rule.is_empty());
                spans.push(Span::raw(" ".repeat(w.saturating_sub(used))));
                i = j;
            }
            head_lines.push(Line::from(spans));
        }
        // Column names (the selected one reversed), then their sizes.
        let more = match (first_col > 0, first_col + shown_cols.len() < ncols) {
            (true, true) => " ◀ ▶ more columns",
            (true, false) => " ◀ more columns",
            (false, true) => " ▶ more columns",
            (false, false) => "",
        };
        let mut l1 = vec![Span::styled(
            format!("{:<name_w$}", fit(more, name_w)),
            Style::default().fg(Color::Yellow),
        )];
        let mut l2 = vec![Span::styled(
            format!("{:<name_w$}", fit(" respondents with code", name_w)),
            theme.dim(),
        )];
        for &c in &shown_cols {
            let (name, size) = match m.columns.get(c) {
                Some(k) => (
                    match (&k.group, &k.school_type) {
                        (_, Some(t)) => t.clone(),
                        _ => k.label.clone(),
                    },
                    k.size,
                ),
                None => ("all".to_string(), all),
            };
            let style = if c == self.col {
                Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED)
            } else {
                Style::default().add_modifier(Modifier::BOLD)
            };
            let name = fit(&name, col_w - 1);
            l1.push(Span::raw(" "));
            l1.push(Span::styled(name.clone(), style));
            l1.push(Span::raw(" ".repeat(col_w - 1 - name.chars().count())));
            l2.push(Span::styled(
                format!(
                    " {:<w$}",
                    fit(&format!("n={size}"), col_w - 1),
                    w = col_w - 1
                ),
                theme.dim(),
            ));
        }
        head_lines.push(Line::from(l1));
        head_lines.push(Line::from(l2));
        head_lines.push(Line::styled("─".repeat(width), theme.dim()));
        f.render_widget(Paragraph::new(head_lines), head);

        // Rows: deelvraag headings, then a line per code.
        let mut lines: Vec<Line> = Vec::new();
        let mut sel_line = 0;
        let mut last_dv = None;
        for (i, r) in m.rows.iter().enumerate() {
            if last_dv != Some(r.deelvraag) {
                last_dv = Some(r.deelvraag);
                lines.push(super::deelvraag_heading(project, r.deelvraag, width));
            }
            if i == self.row {
                sel_line = lines.len();
            }
            // Sub-codes indented under their parent (the rows come in tree order).
            let indent = "  ".repeat(r.depth.min(3));
            let name = format!(
                "{indent}{}",
                fit(&r.name, (name_w - 5).saturating_sub(indent.len()))
            );
            let name_style = if i == self.row {
                Style::default().add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            };
            let mut spans = vec![
                Span::raw(" "),
                Span::styled("██", theme.swatch(r.colour)),
                Span::styled(format!(" {name:<w$} ", w = name_w - 5), name_style),
            ];
            for &c in &shown_cols {
                let count = self.cell(i, c).unwrap_or_default();
                let selected = i == self.row && c == self.col;
                spans.extend(cell_spans(count, r.colour, col_w, num_w, selected, theme));
            }
            lines.push(Line::from(spans));
        }
        if m.rows.is_empty() {
            lines.push(Line::styled(" no codes", theme.dim()));
        }
        let h = body.height as usize;
        // Rows that do not fit: the last line says how many are above and below, so that the
        // blank line before the readout is not taken for the end of the table.
        let fits = lines.len() <= h;
        let room = if fits { h } else { h.saturating_sub(1) };
        let first = crate::tui::draw::list_offset(sel_line, room);
        let total = lines.len();
        let mut shown: Vec<Line> = lines.into_iter().skip(first).take(room).collect();
        if !fits && h > 0 {
            let below = total - first - shown.len();
            let mut more = Vec::new();
            if first > 0 {
                more.push(format!("▲ {first} more above"));
            }
            if below > 0 {
                more.push(format!("▼ {below} more below"));
            }
            shown.push(Line::styled(
                fit(&format!(" {} (↑↓ scroll)", more.join(" · ")), width),
                Style::default().fg(Color::Yellow),
            ));
        }
        f.render_widget(Paragraph::new(shown), body);

        // The selected cell in words.
        let mut detail = vec![Line::raw("")];
        if let (Some(r), Some(count)) = (m.rows.get(self.row), self.cell(self.row, self.col)) {
            let (label, plural) = match m.columns.get(self.col) {
                Some(k) => (
                    k.label.clone(),
                    k.group
                        .as_deref()
                        .map_or("respondents", |g| project.group_plural(g))
                        .to_string(),
                ),
                None => ("all respondents".to_string(), "respondents".to_string()),
            };
            let share = count
                .share()
                .map(|s| format!(" ({:.0}%)", s * 100.0))
                .unwrap_or_default();
            detail.push(Line::from(vec![
                Span::raw(" "),
                Span::styled("██ ", theme.swatch(r.colour)),
                Span::styled(
                    r.name.clone(),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Span::raw(format!(" × {label}: ")),
                Span::styled(
                    format!("{} of {} {plural}{share}", count.respondents, count.of),
                    Style::default()
                        .fg(Color::Cyan)
                        .add_modifier(Modifier::BOLD),
                ),
                Span::styled(
                    format!(
                        " · {} · Enter: the quotes",
                        crate::core::text::count(count.passages, "passage", "passages")
                    ),
                    theme.dim(),
                ),
            ]));
        }
        let detail: Vec<Line> = detail
            .into_iter()
            .map(|l| super::fit_line(l, width))
            .collect();
        f.render_widget(Paragraph::new(detail), foot);
    }
}

/// One cell: "3/6" and a bar as long as the share of the column's respondents, in the code's
/// colour on a dark track.
fn cell_spans(
    count: Count,
    colour: Rgb,
    col_w: usize,
    num_w: usize,
    selected: bool,
    theme: &Theme,
) -> Vec<Span<'static>> {
    let num = format!("{}/{}", count.respondents, count.of);
    let num_style = match (selected, count.respondents) {
        (true, _) => Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        (false, 0) => theme.dim(),
        (false, _) => Style::default(),
    };
    let mut spans = vec![
        Span::raw(" "),
        Span::styled(format!("{num:>num_w$}"), num_style),
        Span::raw(" "),
    ];
    let bar_w = col_w.saturating_sub(num_w + 3);
    if bar_w >= 2 {
        spans.push(Span::styled(
            bar(count.share().unwrap_or(0.0), bar_w),
            Style::default()
                .fg(theme.color(colour))
                .bg(theme.color(Rgb(52, 52, 52))),
        ));
    } else {
        spans.push(Span::raw(" ".repeat(bar_w)));
    }
    spans.push(Span::raw(" "));
    spans
}

/// A bar of `width` cells filled to `share`, to an eighth of a cell; anything above 0 shows.
pub fn bar(share: f64, width: usize) -> String {
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let mut eighths = (share.clamp(0.0, 1.0) * (width * 8) as f64).round() as usize;
    if share > 0.0 && eighths == 0 {
        eighths = 1;
    }
    let full = eighths / 8;
    let part = PARTS[eighths % 8];
    let used = full + usize::from(!part.is_empty());
    format!(
        "{}{part}{}",
        "█".repeat(full),
        " ".repeat(width.saturating_sub(used))
    )
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn bars_fill_to_the_share() {
        assert_eq!(bar(0.0, 4), "    ");
        assert_eq!(bar(1.0, 4), "████");
        assert_eq!(bar(0.5, 4), "██  ");
        assert_eq!(bar(0.01, 4), "▏   ", "anything above 0 shows");
        assert_eq!(bar(0.75, 2), "█▌");
        assert_eq!(bar(3.0 / 16.0, 2), "▍ ");
        for w in 1..10 {
            for k in 0..=20 {
                assert_eq!(bar(k as f64 / 20.0, w).chars().count(), w);
            }
        }
    }
}
