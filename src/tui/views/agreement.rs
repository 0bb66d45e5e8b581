//! The agreement view: codes sorted by worst agreement between two coders, every coefficient
//! next to its base; Enter lists a code's disagreements, Enter on one jumps to it with the other
//! coder as a second layer, and a/b/2/0 settle it in the consensus coder's journal.

use super::{Outcome, coefficient_style, fit_line, fmt_coefficient};
use crate::core::agreement::disagreements::Disagreement;
use crate::core::agreement::{By, Comparison, Input, Options, Report};
use crate::core::coding::CoderState;
use crate::core::project::Project;
use crate::core::reconcile::Decision;
use crate::tui::action::Action;
use crate::tui::keymap::{self, Layer};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};
use std::collections::HashMap;

/// The consensus coder's name, as in the study's method.
pub const CONSENSUS: &str = "consensus";

pub struct AgreementView {
    pub a: String,
    pub b: String,
    pub report: Report,
    /// Indices into `report.rows`, weakest agreement first.
    pub order: Vec<usize>,
    pub selected: usize,
    pub list: Option<DisagreementList>,
    /// Decisions taken in this view, by disagreement (transcript, code, start, end).
    decisions: HashMap<(String, String, usize, usize), Decision>,
}

pub struct DisagreementList {
    pub code: String,
    pub items: Vec<Disagreement>,
    pub selected: usize,
}

impl AgreementView {
    /// Compare coder `a` (whose live state is `a_state`) with `b`.
    pub fn open(project: &Project, a_state: &CoderState, b: &str) -> Result<AgreementView, String> {
        let b_state = project
            .coders
            .get(b)
            .ok_or_else(|| format!("no coder \"{b}\""))?;
        let report = compare(project, a_state, b_state)?.report(By::Code);
        let order = report
            .worst_first()
            .into_iter()
            .filter_map(|r| report.rows.iter().position(|x| std::ptr::eq(x, r)))
            .collect();
        Ok(AgreementView {
            a: a_state.coder.clone(),
            b: b.to_string(),
            report,
            order,
            selected: 0,
            list: None,
            decisions: HashMap::new(),
        })
    }

    /// Compute again from the coders' current codings (the coder may have changed passages
    /// after jumping from here), keeping the highlighted code and disagreement where they are.
    pub fn refresh(&mut self, project: &Project, live: &CoderState) {
        let a_state = if live.coder == self.a {
            Some(live)
        } else {
            project.coders.get(&self.a)
        };
        let (Some(a_state), Some(b_state)) = (a_state, project.coders.get(&self.b)) else {
            return;
        };
        let Ok(cmp) = compare(project, a_state, b_state) else {
            return;
        };
        let selected_key = self
            .order
            .get(self.selected)
            .map(|&i| self.report.rows[i].key.clone());
        self.report = cmp.report(By::Code);
        self.order = self
            .report
            .worst_first()
            .into_iter()
            .filter_map(|r| self.report.rows.iter().position(|x| std::ptr::eq(x, r)))
            .collect();
        if let Some(key) = selected_key {
            self.selected = self
                .order
                .iter()
                .position(|&i| self.report.rows[i].key == key)
                .unwrap_or(0);
        }
        if let Some(list) = &mut self.list {
            list.items = cmp.disagreements(&list.code);
            list.selected = list.selected.min(list.items.len().saturating_sub(1));
            if list.items.is_empty() {
                self.list = None;
            }
        }
    }

    /// `live` is the state of the coder at work, fresher than the project's copy when that
    /// coder is A.
    pub fn on_action(&mut self, action: Action, project: &Project, live: &CoderState) -> Outcome {
        let a_state = if live.coder == self.a {
            live
        } else {
            match project.coders.get(&self.a) {
                Some(s) => s,
                None => return Outcome::Close,
            }
        };
        if let Some(list) = &mut self.list {
            match action {
                Action::Close => self.list = None,
                Action::Up => list.selected = list.selected.saturating_sub(1),
                Action::Down => {
                    list.selected = (list.selected + 1).min(list.items.len().saturating_sub(1));
                }
                Action::Choose => {
                    if let Some(d) = list.items.get(list.selected) {
                        return Outcome::Jump {
                            transcript: d.transcript.clone(),
                            start: d.start,
                            end: d.end,
                            layer: Some(if a_state.coder == self.a {
                                self.b.clone()
                            } else {
                                self.a.clone()
                            }),
                        };
                    }
                }
                Action::DecideA => return self.decide(Decision::AcceptA),
                Action::DecideB => return self.decide(Decision::AcceptB),
                Action::DecideBoth => return self.decide(Decision::Both),
                Action::DecideNeither => return self.decide(Decision::Neither),
                _ => {}
            }
            return Outcome::Stay;
        }
        match action {
            Action::Close => return Outcome::Close,
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => {
                self.selected = (self.selected + 1).min(self.order.len().saturating_sub(1));
            }
            Action::Choose => {
                let Some(&i) = self.order.get(self.selected) else {
                    return Outcome::Stay;
                };
                let code = self.report.rows[i].key.clone();
                let b_state = project.coders.get(&self.b);
                let items = match b_state.map(|b| compare(project, a_state, b)) {
                    Some(Ok(cmp)) => cmp.disagreements(&code),
                    Some(Err(e)) => return Outcome::Say(e, true),
                    None => Vec::new(),
                };
                if items.is_empty() {
                    return Outcome::Say("no disagreements on this code".into(), false);
                }
                self.list = Some(DisagreementList {
                    code,
                    items,
                    selected: 0,
                });
            }
            _ => {}
        }
        Outcome::Stay
    }

    /// The view never writes: it asks the app to settle the highlighted disagreement, and the
    /// app writes the consensus journal through its one write path.
    fn decide(&self, decision: Decision) -> Outcome {
        let Some(list) = &self.list else {
            return Outcome::Stay;
        };
        match list.items.get(list.selected) {
            Some(d) => Outcome::Decide {
                disagreement: d.clone(),
                decision,
            },
            None => Outcome::Stay,
        }
    }

    /// The app wrote a decision: mark it and move on to the next disagreement.
    pub fn decided(&mut self, d: &Disagreement, decision: Decision) {
        self.decisions.insert(
            (d.transcript.clone(), d.code.clone(), d.start, d.end),
            decision,
        );
        if let Some(list) = &mut self.list {
            list.selected = (list.selected + 1).min(list.items.len().saturating_sub(1));
        }
    }

    /// What the list shows about a disagreement's settlement: the decision taken here, else
    /// whether the consensus coder has a passage there (from an earlier session), else nothing.
    fn settlement(&self, d: &Disagreement, consensus: Option<&CoderState>) -> &'static str {
        let key = (d.transcript.clone(), d.code.clone(), d.start, d.end);
        match self.decisions.get(&key) {
            Some(Decision::AcceptA) => return "→ decided: A",
            Some(Decision::AcceptB) => return "→ decided: B",
            Some(Decision::Both) => return "→ decided: both",
            Some(Decision::Neither) => return "→ decided: neither",
            Some(Decision::Edit { .. }) => return "→ decided: edited",
            None => {}
        }
        let coded = consensus.is_some_and(|s| {
            s.of_transcript(&d.transcript)
                .into_iter()
                .any(|c| c.code == d.code && c.overlaps(d.start, d.end))
        });
        if coded { "✓ coded in consensus" } else { "" }
    }

    pub fn draw(
        &self,
        f: &mut Frame,
        area: Rect,
        project: &Project,
        theme: &Theme,
        consensus: Option<&CoderState>,
    ) {
        match &self.list {
            Some(list) => self.draw_list(f, area, project, theme, list, consensus),
            None => self.draw_table(f, area, project, theme),
        }
    }

    fn draw_table(&self, f: &mut Frame, area: Rect, project: &Project, theme: &Theme) {
        let r = &self.report;
        let title = format!(
            " Agreement: {} (A) vs {} (B) · {} of {} transcripts · worst first ",
            self.a,
            self.b,
            r.transcripts.len(),
            r.transcripts_total
        );
        let height = area.height.saturating_sub(4) as usize;
        let first = crate::tui::draw::list_offset(self.selected, height);
        let mut rows: Vec<Vec<Line>> = Vec::new();
        for (pos, &i) in self.order.iter().enumerate().skip(first).take(height) {
            let row = &r.rows[i];
            let colour = project
                .codebook
                .code(&row.key)
                .map(|c| theme.color(c.colour));
            let mut style = Style::default();
            if pos == self.selected {
                style = style.add_modifier(Modifier::REVERSED);
            }
            rows.push(self.row_cells(row, colour, style));
        }
        let mut rows: Vec<Vec<Line>> = rows;
        rows.push(self.row_cells(
            &r.pooled,
            None,
            Style::default().add_modifier(Modifier::BOLD),
        ));
        let cols = columns(area.width);
        let code_w = code_width(area.width, &cols);
        let rows: Vec<Row> = rows
            .into_iter()
            .map(|cells| keep(cells, &cols, code_w))
            .collect();
        let widths: Vec<Constraint> = cols
            .iter()
            .map(|&c| Constraint::Length(if c == 0 { code_w } else { WIDTHS[c] }))
            .collect();
        let header_cells: Vec<Line> = HEADER.iter().map(|h| Line::raw(*h)).collect();
        let table = Table::new(rows, widths)
            .header(
                keep(header_cells, &cols, code_w)
                    .style(Style::default().add_modifier(Modifier::UNDERLINED)),
            )
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(super::block_title(&title, area.width))
                    .title_bottom(format!(
                        "{}· kappa: red <0.4, yellow <0.6, light green <0.8, green ≥0.8 ",
                        keymap::hint_text(Layer::Agreement, &[Action::Choose, Action::Close])
                    )),
            );
        f.render_widget(table, area);
    }

    fn row_cells<'a>(
        &self,
        row: &crate::core::agreement::Row,
        colour: Option<ratatui::style::Color>,
        style: Style,
    ) -> Vec<Line<'a>> {
        let base = |i: usize| {
            row.coders
                .get(i)
                .map_or((0, 0), |c| (c.passages, c.coded_chars))
        };
        let (pa, ca) = base(0);
        let (pb, cb) = base(1);
        let swatch = match colour {
            Some(c) => Span::styled("██ ", Style::default().fg(c)),
            None => Span::raw("   "),
        };
        let label = if row.key.is_empty() {
            "all codes, pooled".to_string()
        } else {
            row.label.clone()
        };
        vec![
            Line::from(vec![swatch, Span::styled(label, style)]),
            Line::raw(format!("{pa}/{pb}")),
            Line::raw(format!("{ca}/{cb}")),
            Line::raw(row.percent.map_or("undef.".into(), |p| format!("{p:.1}%"))),
            Line::styled(fmt_coefficient(row.kappa), coefficient_style(row.kappa)),
            Line::styled(fmt_coefficient(row.alpha), coefficient_style(row.alpha)),
            Line::raw(
                row.segments
                    .percent
                    .map_or("undef.".into(), |p| format!("{p:.0}%")),
            ),
            Line::styled(
                fmt_coefficient(row.segments.kappa_bp),
                coefficient_style(row.segments.kappa_bp),
            ),
            Line::raw(row.disagreements.to_string()),
        ]
    }

    fn draw_list(
        &self,
        f: &mut Frame,
        area: Rect,
        project: &Project,
        theme: &Theme,
        list: &DisagreementList,
        consensus: Option<&CoderState>,
    ) {
        let name = project
            .codebook
            .code(&list.code)
            .map_or(list.code.clone(), |c| c.name.clone());
        let title = format!(
            " {} · {} disagreements of {} (A) and {} (B) ",
            name,
            list.items.len(),
            self.a,
            self.b
        );
        let height = area.height.saturating_sub(2) as usize;
        // Two lines per item: where and what kind, then the text.
        let per = 2;
        let first = crate::tui::draw::list_offset(list.selected, height / per);
        let mut lines: Vec<Line> = Vec::new();
        for (pos, d) in list.items.iter().enumerate().skip(first).take(height / per) {
            let mark = self.settlement(d, consensus);
            let sel = if pos == list.selected {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            lines.push(Line::from(vec![
                Span::styled(
                    format!(" {:<16}", d.kind.label()),
                    sel.add_modifier(Modifier::BOLD),
                ),
                Span::styled(format!(" {} {}..{} ", d.transcript, d.start, d.end), sel),
                Span::styled(format!(" {mark}"), theme.dim()),
            ]));
            let text = project
                .transcript(&d.transcript)
                .map(|t| t.slice(d.start, d.end).replace('\n', " "))
                .unwrap_or_default();
            let width = area.width.saturating_sub(6) as usize;
            let shown = super::fit(&text, width);
            lines.push(Line::styled(format!("    {shown}"), theme.dim()));
        }
        let blk = Block::default()
            .borders(Borders::ALL)
            .title(super::block_title(&title, area.width))
            .title_bottom(keymap::hint_text(
                Layer::Agreement,
                &[
                    Action::Choose,
                    Action::DecideA,
                    Action::DecideB,
                    Action::DecideBoth,
                    Action::DecideNeither,
                    Action::Close,
                ],
            ));
        f.render_widget(Paragraph::new(lines).block(blk), area);
    }
}

const WIDTHS: [u16; 9] = [44, 9, 13, 8, 7, 7, 6, 8, 7];

const HEADER: [&str; 9] = [
    "Code",
    "Passages",
    "Coded chars",
    "% agree",
    "Kappa",
    "Alpha",
    "Seg.%",
    "Kappa BP",
    "Disagr.",
];

/// The columns in the order a narrow terminal gives them up (the last first): the code, then
/// what a coder reads first (kappa, alpha, segments, disagreements), the bases last. A number
/// is never cut: a column that does not fit is left out whole.
const PRIORITY: [usize; 9] = [0, 4, 5, 6, 8, 3, 1, 7, 2];

/// Narrowest the code column gets before other columns are left out.
const MIN_CODE: u16 = 14;

/// The columns shown at this width, in table order.
fn columns(width: u16) -> Vec<usize> {
    let inner = width.saturating_sub(2);
    let mut cols: Vec<usize> = PRIORITY.to_vec();
    while cols.len() > 1 && fixed_width(&cols) + MIN_CODE > inner {
        cols.pop();
    }
    cols.sort_unstable();
    cols
}

/// Width of the columns other than the code, with their spacing.
fn fixed_width(cols: &[usize]) -> u16 {
    cols.iter()
        .filter(|&&c| c != 0)
        .map(|&c| WIDTHS[c] + 1)
        .sum()
}

fn code_width(width: u16, cols: &[usize]) -> u16 {
    width
        .saturating_sub(2 + fixed_width(cols))
        .clamp(1, WIDTHS[0])
}

/// A row with only the shown columns; the code's name fitted to its column with an ellipsis.
fn keep<'a>(cells: Vec<Line<'a>>, cols: &[usize], code_w: u16) -> Row<'a> {
    let kept: Vec<Line> = cells
        .into_iter()
        .enumerate()
        .filter(|(i, _)| cols.contains(i))
        .map(|(i, line)| {
            if i == 0 {
                fit_line(line, code_w as usize)
            } else {
                line
            }
        })
        .collect();
    Row::new(kept)
}

fn compare<'a>(
    project: &Project,
    a: &'a CoderState,
    b: &'a CoderState,
) -> Result<Comparison<'a>, String> {
    Comparison::new(Input::from_project(project, vec![a, b]), Options::default())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod layout_tests {
    use super::*;

    #[test]
    fn a_narrow_view_leaves_whole_columns_out_and_never_cuts_a_number() {
        // Wide: every column.
        assert_eq!(columns(160), (0..9).collect::<Vec<_>>());
        // 40 columns: the code, kappa and alpha at least; every kept number fits its width.
        let cols = columns(40);
        assert!(
            cols.starts_with(&[0]) && cols.contains(&4) && cols.contains(&5),
            "{cols:?}"
        );
        assert!(!cols.contains(&2), "the coded characters go first");
        assert!(fixed_width(&cols) + MIN_CODE <= 38);
        for &c in &cols[1..] {
            assert!(WIDTHS[c] as usize >= "-0.009".len(), "{}", HEADER[c]);
        }
        // The code's name is cut with an ellipsis, not mid-number.
        let line = fit_line(
            Line::from(vec![
                Span::raw("██ "),
                Span::raw("Knelpunten, moeilijkheden"),
            ]),
            14,
        );
        let text: String = line.spans.iter().map(|s| s.content.to_string()).collect();
        assert_eq!(text, "██ Knelpunten…");
    }
}
