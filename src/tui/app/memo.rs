//! Multi-line memo editing with ratatui-textarea (cursor movement, scrolling, undo, paste
//! with its line breaks): memos on passages, codes and transcripts, and logbook entries.
//! Enter is a new line; Ctrl-s saves through the journal (undoable with `u`), Esc cancels.

use super::*;
use ratatui_textarea::TextArea;

/// What the memo being written is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemoTarget {
    Passage(CodingId),
    Code(String),
    Transcript(String),
    /// A new entry of the coder's logbook, dated today.
    Logbook,
}

#[derive(Debug, Clone)]
pub struct MemoEditor {
    pub target: MemoTarget,
    pub title: String,
    pub area: TextArea<'static>,
}

impl PartialEq for MemoEditor {
    fn eq(&self, other: &Self) -> bool {
        self.target == other.target && self.area.lines() == other.area.lines()
    }
}

impl Eq for MemoEditor {}

impl MemoEditor {
    pub fn new(target: MemoTarget, title: String, text: &str) -> MemoEditor {
        let lines: Vec<String> = if text.is_empty() {
            vec![String::new()]
        } else {
            text.lines().map(str::to_string).collect()
        };
        let mut area = TextArea::new(lines);
        area.move_cursor(ratatui_textarea::CursorMove::Bottom);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        MemoEditor {
            target,
            title,
            area,
        }
    }

    /// The text as it will be saved: lines joined, trailing blank lines and spaces dropped.
    pub fn text(&self) -> String {
        self.area.lines().join("\n").trim_end().to_string()
    }
}

impl App {
    /// Open the editor on a memo (its current text filled in).
    pub(super) fn edit_memo(&mut self, target: MemoTarget) {
        if self.refuse_readonly() {
            return;
        }
        let s = self.state();
        let (title, text) = match &target {
            MemoTarget::Passage(id) => {
                let Some(c) = s.codings.get(id) else { return };
                (
                    format!("Memo on the passage ({})", self.code_name(&c.code)),
                    c.memo.clone().unwrap_or_default(),
                )
            }
            MemoTarget::Code(code) => (
                format!("Memo on code \"{}\"", self.code_name(code)),
                s.code_memos.get(code).cloned().unwrap_or_default(),
            ),
            MemoTarget::Transcript(t) => (
                format!("Memo on transcript {t} (its respondent)"),
                s.transcript_memos.get(t).cloned().unwrap_or_default(),
            ),
            MemoTarget::Logbook => (
                format!("Logbook entry of {}", crate::core::memo::today()),
                String::new(),
            ),
        };
        self.mode = Mode::Memo(Box::new(MemoEditor::new(target, title, &text)));
    }

    /// A key while the memo editor is open: Ctrl-s and Esc (through the keymap's layer), the
    /// rest is the editor's.
    pub(super) fn on_memo_key(&mut self, key: KeyEvent) {
        match keymap::resolve(Layer::MemoEditor, key) {
            Some(Action::Choose) => self.save_memo(),
            Some(Action::Close) => {
                self.mode = Mode::Normal;
                self.say("memo not saved", false);
            }
            _ => {
                if let Mode::Memo(editor) = &mut self.mode {
                    editor.area.input(key);
                }
            }
        }
    }

    fn save_memo(&mut self) {
        let Mode::Memo(editor) = std::mem::replace(&mut self.mode, Mode::Normal) else {
            return;
        };
        let text = editor.text();
        let after = (!text.trim().is_empty()).then(|| text.clone());
        let s = self.state();
        let op = match &editor.target {
            MemoTarget::Passage(id) => {
                let Some(c) = s.codings.get(id) else { return };
                Op::Memo {
                    id: *id,
                    before: c.memo.clone(),
                    after,
                }
            }
            MemoTarget::Code(code) => Op::CodeMemo {
                code: code.clone(),
                before: s.code_memos.get(code).cloned(),
                after,
            },
            MemoTarget::Transcript(t) => Op::TranscriptMemo {
                transcript: t.clone(),
                before: s.transcript_memos.get(t).cloned(),
                after,
            },
            MemoTarget::Logbook => {
                if after.is_none() {
                    return self.say("an empty logbook entry is not saved", false);
                }
                crate::core::memo::logbook_entry(s, &crate::core::memo::today(), &text)
            }
        };
        let unchanged = match &op {
            Op::Memo { before, after, .. }
            | Op::CodeMemo { before, after, .. }
            | Op::TranscriptMemo { before, after, .. } => before == after,
            _ => false,
        };
        if unchanged {
            return self.say("memo unchanged", false);
        }
        self.record(vec![op], "memo saved (u undoes)");
    }
}
