//! The block structure word processors share: paragraphs and (possibly nested) tables, collected
//! in reading order by the .docx and .odt readers and turned into [`Item`]s.
//!
//! A table whose rows read as "speaker | text" (or with a time column as well) gives turns with
//! those speakers; any other table is read cell by cell, paragraph by paragraph.

use super::RawTurn;
use super::table::{Role, column_role, parse_time_value};
use super::text::Item;

#[derive(Default)]
pub(crate) struct Blocks {
    items: Vec<Item>,
    /// Open paragraphs, innermost last (a text box's paragraphs sit inside a paragraph).
    paras: Vec<String>,
    tables: Vec<Table>,
    /// Tables read cell by cell (not as speaker | text).
    pub plain_tables: usize,
    pub speaker_tables: usize,
}

#[derive(Default)]
struct Table {
    rows: Vec<Vec<Vec<String>>>,
    row: Option<Vec<Vec<String>>>,
    cell: Option<Vec<String>>,
}

impl Blocks {
    pub fn start_para(&mut self) {
        self.paras.push(String::new());
    }

    pub fn end_para(&mut self) {
        if let Some(p) = self.paras.pop() {
            self.emit(p);
        }
    }

    /// Text of a run. Newlines and tabs in the XML text are layout, not line breaks.
    pub fn text(&mut self, s: &str) {
        if let Some(p) = self.paras.last_mut() {
            p.extend(s.chars().map(|c| match c {
                '\n' | '\r' | '\t' => ' ',
                c => c,
            }));
        }
    }

    /// A tab: kept as a tab so that "Speaker 1<tab>0:05" still reads as a header line; the
    /// final clean-up makes it a space.
    pub fn tab(&mut self) {
        if let Some(p) = self.paras.last_mut() {
            p.push('\t');
        }
    }

    pub fn line_break(&mut self) {
        if let Some(p) = self.paras.last_mut() {
            p.push('\n');
        }
    }

    fn emit(&mut self, para: String) {
        if let Some(cell) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
            cell.push(para);
        } else if let Some(outer) = self.paras.last_mut() {
            // A paragraph inside a paragraph (a text box): its text joins the outer one.
            if !outer.is_empty() {
                outer.push('\n');
            }
            outer.push_str(&para);
        } else if self.tables.is_empty() {
            self.items.push(Item::Para(para));
        }
        // A paragraph in a table but outside any cell is not valid markup; dropped.
    }

    pub fn start_table(&mut self) {
        self.tables.push(Table::default());
    }

    pub fn start_row(&mut self) {
        if let Some(t) = self.tables.last_mut() {
            t.end_row();
            t.row = Some(Vec::new());
        }
    }

    pub fn end_row(&mut self) {
        if let Some(t) = self.tables.last_mut() {
            t.end_row();
        }
    }

    pub fn start_cell(&mut self) {
        if let Some(t) = self.tables.last_mut() {
            t.end_cell();
            if t.row.is_none() {
                t.row = Some(Vec::new());
            }
            t.cell = Some(Vec::new());
        }
    }

    pub fn end_cell(&mut self) {
        if let Some(t) = self.tables.last_mut() {
            t.end_cell();
        }
    }

    pub fn end_table(&mut self) {
        let Some(mut table) = self.tables.pop() else {
            return;
        };
        table.end_row();
        if let Some(parent) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
            // A table inside a cell: its paragraphs become the cell's.
            parent.extend(table.rows.into_iter().flatten().flatten());
            return;
        }
        let (items, speakers) = table_items(table.rows);
        if items.is_empty() {
            return;
        }
        if speakers {
            self.speaker_tables += 1;
        } else {
            self.plain_tables += 1;
        }
        self.items.extend(items);
    }

    /// Everything collected, with any unclosed elements closed.
    pub fn finish(mut self) -> Vec<Item> {
        while !self.paras.is_empty() {
            self.end_para();
        }
        while !self.tables.is_empty() {
            self.end_cell();
            self.end_table();
        }
        self.items
    }
}

impl Table {
    fn end_cell(&mut self) {
        if let Some(cell) = self.cell.take() {
            self.row.get_or_insert_with(Vec::new).push(cell);
        }
    }

    fn end_row(&mut self) {
        self.end_cell();
        if let Some(row) = self.row.take() {
            self.rows.push(row);
        }
    }
}

/// A table as items: speaker turns if it reads as speaker | text, otherwise its cells'
/// paragraphs. The flag says which.
fn table_items(rows: Vec<Vec<Vec<String>>>) -> (Vec<Item>, bool) {
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|c| c.join("\n").trim().to_string())
                .collect::<Vec<_>>()
        })
        .filter(|r: &Vec<String>| r.iter().any(|c| !c.is_empty()))
        .collect();
    if let Some(turns) = speaker_turns(&rows) {
        return (turns.into_iter().map(Item::Turn).collect(), true);
    }
    let items = rows
        .into_iter()
        .flatten()
        .flat_map(|c| c.split('\n').map(str::to_string).collect::<Vec<_>>())
        .filter(|p| !p.trim().is_empty())
        .map(Item::Para)
        .collect();
    (items, false)
}

/// Rows of 2 (speaker, text) or 3 (with a time column) cells whose speaker cells are short
/// labels that recur: the layout transcription templates use. A first row of column names
/// ("Spreker | Tekst") is a header and names the columns.
fn speaker_turns(rows: &[Vec<String>]) -> Option<Vec<RawTurn>> {
    let width = rows.first()?.len();
    if !(2..=3).contains(&width) || rows.iter().any(|r| r.len() != width) {
        return None;
    }
    let roles: Vec<Option<Role>> = rows[0].iter().map(|c| column_role(c)).collect();
    let (speaker_col, text_col, time_col, body) =
        if roles.contains(&Some(Role::Speaker)) && roles.contains(&Some(Role::Text)) {
            let pos = |r: Role| roles.iter().position(|x| *x == Some(r));
            (
                pos(Role::Speaker)?,
                pos(Role::Text)?,
                pos(Role::Start),
                &rows[1..],
            )
        } else {
            let time_col = if width == 3 {
                Some((0..3).find(|&c| {
                    rows.iter()
                        .all(|r| r[c].is_empty() || parse_time_value(&r[c]).is_some())
                })?)
            } else {
                None
            };
            let mut rest = (0..width).filter(|c| Some(*c) != time_col);
            let speaker_col = rest.next()?;
            let text_col = rest.next()?;
            (speaker_col, text_col, time_col, rows)
        };
    if body.is_empty() {
        return None;
    }
    let speakers: Vec<&str> = body
        .iter()
        .map(|r| r[speaker_col].trim_end_matches(':').trim())
        .filter(|s| !s.is_empty())
        .collect();
    let label_like = |s: &&str| {
        !s.contains('\n')
            && s.chars().count() <= 40
            && s.split_whitespace().count() <= 4
            && !s.ends_with(['.', '?', '!', ','])
    };
    let mut distinct: Vec<&str> = speakers.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let words =
        |col: usize| -> usize { body.iter().map(|r| r[col].split_whitespace().count()).sum() };
    let recurs = distinct.len() < speakers.len() || speakers.len() <= 2;
    if speakers.is_empty()
        || !speakers.iter().all(label_like)
        || distinct.len() > 12
        || !recurs
        || words(text_col) < words(speaker_col)
    {
        return None;
    }
    let mut turns = Vec::new();
    let mut last: Option<String> = None;
    for r in body {
        let s = r[speaker_col].trim_end_matches(':').trim();
        // An empty speaker cell (often a merged one) continues the speaker above.
        let speaker = if s.is_empty() {
            last.clone()
        } else {
            Some(s.to_string())
        };
        last.clone_from(&speaker);
        let start = time_col.and_then(|c| parse_time_value(&r[c]));
        turns.push(RawTurn::new(speaker, start, r[text_col].clone()));
    }
    Some(turns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Blocks {
        let mut b = Blocks::default();
        b.start_table();
        for r in rows {
            b.start_row();
            for c in *r {
                b.start_cell();
                b.start_para();
                b.text(c);
                b.end_para();
                b.end_cell();
            }
            b.end_row();
        }
        b.end_table();
        b
    }

    #[test]
    fn speaker_text_tables_give_turns() {
        let b = table(&[
            &["I", "Wat doet de coördinator?"],
            &["R", "Eén ding: de meldcode."],
            &["I", "En verder?"],
        ]);
        assert_eq!(b.speaker_tables, 1);
        let items = b.finish();
        assert_eq!(
            items[1],
            Item::Turn(RawTurn::new(
                Some("R".into()),
                None,
                "Eén ding: de meldcode."
            ))
        );
    }

    #[test]
    fn header_rows_and_time_columns() {
        let b = table(&[
            &["Tijd", "Spreker", "Tekst"],
            &["00:00:05", "Jan de Vries", "Goedemorgen allemaal."],
            &["00:00:09", "Speaker 2", "Dag Jan, hoe gaat het?"],
        ]);
        let items = b.finish();
        assert_eq!(items.len(), 2);
        assert_eq!(
            items[0],
            Item::Turn(RawTurn::new(
                Some("Jan de Vries".into()),
                Some(5.0),
                "Goedemorgen allemaal."
            ))
        );
        let b = table(&[
            &["I:", "[00:01:02]", "Vraag een twee drie?"],
            &["", "01:05", "Nog een vraag hier."],
            &["R:", "01:09", "Antwoord op de vraag."],
        ]);
        let items = b.finish();
        assert_eq!(
            items[1],
            Item::Turn(RawTurn::new(
                Some("I".into()),
                Some(65.0),
                "Nog een vraag hier."
            ))
        );
    }

    #[test]
    fn other_tables_are_read_cell_by_cell() {
        let b = table(&[&["Naam", "School", "Rol"], &["A", "Het Lyceum", "docent"]]);
        assert_eq!(b.plain_tables, 1);
        let items = b.finish();
        assert_eq!(items.len(), 6);
        assert_eq!(items[4], Item::Para("Het Lyceum".into()));
        // Sentences in the first column are not speakers.
        let b = table(&[
            &["Dit is een zin.", "Nog een."],
            &["Dit is een zin.", "Nog een."],
        ]);
        assert_eq!(b.plain_tables, 1);
    }

    #[test]
    fn nested_tables_flatten_into_their_cell() {
        let mut b = Blocks::default();
        b.start_table();
        b.start_row();
        b.start_cell();
        b.start_para();
        b.text("voor");
        b.end_para();
        b.start_table();
        b.start_row();
        b.start_cell();
        b.start_para();
        b.text("binnen");
        b.end_para();
        b.end_cell();
        b.end_row();
        b.end_table();
        b.end_cell();
        b.end_row();
        b.end_table();
        assert_eq!(
            b.finish(),
            vec![Item::Para("voor".into()), Item::Para("binnen".into())]
        );
    }
}
