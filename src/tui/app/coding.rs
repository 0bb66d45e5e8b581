//! Coding through the journal: apply, remove, edit boundaries, undo and redo, new codes.

use super::*;

impl App {
    /// Write ops to the journal; only when that succeeded does the screen change.
    pub(super) fn record(&mut self, ops: Vec<Op>, done: &str) -> bool {
        let mut touched: Vec<String> = ops.iter().filter_map(op_transcript).collect();
        // Boundary edits and memos name no transcript: they happen in the open one.
        touched.extend(self.transcript().map(|t| t.id.clone()));
        if self.refuse_readonly() {
            return false;
        }
        let Some(journal) = self.journal.as_mut() else {
            return false;
        };
        match journal.record(ops) {
            Ok(_) => {
                self.index_dirty.extend(touched);
                self.coder_synced = false;
                self.say(done, false);
                self.refresh();
                true
            }
            Err(e) => {
                let msg = format!("NOT saved: cannot write {}: {e}", journal.path.display());
                self.say(msg, true);
                false
            }
        }
    }

    pub(super) fn apply_code(&mut self, code_id: &str) {
        let Some((start, end)) = self.selection() else {
            self.say(
                format!(
                    "select a passage first ({}, {} or {}, or drag with the mouse)",
                    keymap::key(Layer::Text, Action::ToggleSelect),
                    keymap::key(Layer::Text, Action::SelectSentence),
                    keymap::key(Layer::Text, Action::SelectTurn)
                ),
                true,
            );
            if let Some(m) = &mut self.message {
                m.until_selection = true;
            }
            return;
        };
        let Some(t) = self.transcript() else { return };
        let name = self.code_name(code_id);
        if self
            .here
            .iter()
            .any(|c| c.code == code_id && c.start == start && c.end == end)
        {
            return self.say(format!("this passage has {name} already"), false);
        }
        let coding = Coding::quoted(t, code_id, start, end);
        // An interviewer's question, or a stretch far longer than a quote, is rarely what is
        // meant: ask once; the same code again on the same passage goes ahead.
        let ask = (start, end, code_id.to_string());
        let doubt = if self.project.in_interviewer_turn(&coding) {
            Some(format!(
                "this passage is in an interviewer turn: apply {name} again to code it anyway \
                 (exports and counts leave it out unless --include-interviewer)"
            ))
        } else if end - start > LARGE_PASSAGE {
            Some(format!(
                "this passage has {} characters: apply {name} again to code it all, or {}",
                end - start,
                keymap::key(Layer::Text, Action::ClearSelection)
            ))
        } else {
            None
        };
        if let Some(question) = doubt
            && self.confirm_coding.as_ref() != Some(&ask)
        {
            self.confirm_coding = Some(ask);
            return self.say(question, true);
        }
        self.confirm_coding = None;
        let msg = format!("{name} applied to {} characters", end - start);
        // The passage stays highlighted as coded; a live selection would keep growing with
        // the next motion and be coded again by the next digit.
        if self.record(vec![Op::Add(coding)], &msg) {
            self.text.anchor = None;
            // The highlight follows the code just applied: Enter, > and C act on it next.
            self.highlight_code(code_id);
        }
    }

    /// The one passage under the cursor, or None after asking which of several (naming each
    /// code, innermost first) or saying there is none: overlapping passages are never removed,
    /// memoed or edited by guess.
    pub(super) fn passage_for(&mut self, purpose: PickFor) -> Option<Coding> {
        let here: Vec<Coding> = self.codings_at_cursor().cloned().collect();
        match here.as_slice() {
            [] => self.say("no coded passage under the cursor", true),
            [one] => return Some(one.clone()),
            many => {
                if !self.refuse_readonly() {
                    let ids = many.iter().take(9).map(|c| c.id).collect();
                    self.mode = Mode::PickPassage(purpose, ids);
                }
            }
        }
        None
    }

    pub(super) fn remove_code(&mut self) {
        if let Some(c) = self.passage_for(PickFor::Remove) {
            self.remove_coding(c);
        }
    }

    pub(super) fn remove_coding(&mut self, c: Coding) {
        let msg = format!(
            "{} removed from this passage ({} to undo)",
            self.code_name(&c.code),
            keymap::key(Layer::Text, Action::Undo)
        );
        self.record(vec![Op::Remove(c)], &msg);
    }

    /// Mark the passage under the cursor (the innermost) as a key quote for `export report
    /// --key-quotes`, or unmark it: journaled and undoable like any coding action.
    pub(super) fn toggle_key_quote(&mut self) {
        if self.refuse_readonly() {
            return;
        }
        let Some(c) = self.codings_at_cursor().next().cloned() else {
            return self.say("no coded passage under the cursor", true);
        };
        let before = self.state().key_quotes.contains(&c.id);
        let msg = format!(
            "{} passage {} as a key quote ({} to undo)",
            self.code_name(&c.code),
            if before { "unmarked" } else { "marked" },
            keymap::key(Layer::Text, Action::Undo)
        );
        self.record(
            vec![Op::KeyQuote {
                id: c.id,
                before,
                after: !before,
            }],
            &msg,
        );
    }

    pub(super) fn start_edit(&mut self) {
        if let Some(c) = self.passage_for(PickFor::Edit) {
            self.edit_passage(c);
        }
    }

    pub(super) fn edit_passage(&mut self, c: Coding) {
        self.text.editing = Some(c.id);
        self.text.anchor = Some(c.start);
        self.set_cursor(c.end.saturating_sub(1));
        self.say(
            format!(
                "editing the {} passage: move to set its end, {} to set its start here, {} saves, {} cancels",
                self.code_name(&c.code),
                keymap::key(Layer::Editing, Action::ToggleSelect),
                keymap::key(Layer::Editing, Action::ApplySelectedCode),
                keymap::key(Layer::Editing, Action::ClearSelection)
            ),
            false,
        );
    }

    pub(super) fn commit_edit(&mut self) {
        let Some(id) = self.text.editing.take() else {
            return;
        };
        let (Some((start, end)), Some(t)) = (self.selection(), self.transcript()) else {
            return;
        };
        let Some(c) = self.state().codings.get(&id).cloned() else {
            return;
        };
        let before = c.span();
        // The new boundaries are on the text as it is now: the edit records its version.
        let after = Span::of(t, start, end);
        if (before.start, before.end) != (after.start, after.end) {
            self.record(
                vec![Op::Edit { id, before, after }],
                "passage boundaries saved",
            );
        }
        self.text.anchor = None;
    }

    pub(super) fn undo_redo(&mut self, undo: bool) {
        self.text.editing = None;
        let Some(journal) = self.journal.as_mut() else {
            return self.say("read-only", true);
        };
        // Taking back many codings at once (an import, an autocode) asks for a second press.
        if undo
            && !self.confirm_undo
            && let Some(n) = journal.state.next_undo_size().filter(|&n| n > 1)
        {
            self.confirm_undo = true;
            return self.say(
                format!(
                    "the last action changed {n} codings at once: press {} again to undo it",
                    keymap::key(Layer::Text, Action::Undo)
                ),
                false,
            );
        }
        self.confirm_undo = false;
        let result = if undo { journal.undo() } else { journal.redo() };
        // What comes back may have been recorded before the transcript changed: anchor it again.
        let path = journal.path.clone();
        // What it finds about the codings brought back is said below, not dropped.
        let _ = self.project.check_codings(&path, &mut journal.state);
        // Anchors it changed are outside the journal's ops: the counts are counted again.
        self.counts_key = None;
        let word = if undo { "undid" } else { "redid" };
        match result {
            Ok(Some(ops)) => {
                self.coder_synced = false;
                self.index_dirty
                    .extend(ops.iter().filter_map(op_transcript));
                let what = describe(&ops);
                // Show where the change happened.
                let target = ops.iter().find_map(|op| match op {
                    Op::Add(c) | Op::Remove(c) => Some((c.transcript.clone(), c.start)),
                    _ => None,
                });
                if let Some((tid, at)) = target
                    && let Some(i) = self.project.index_of(&tid)
                {
                    self.open(i);
                    self.move_to(at);
                }
                // "Wrong code, undo, right code": undoing one coding selects its passage again,
                // so the next digit codes exactly what was undone.
                self.text.anchor = None;
                if let [Op::Add(c)] = ops.as_slice()
                    && undo
                    && c.end > c.start
                {
                    self.text.anchor = Some(c.start);
                    self.set_cursor(c.end - 1);
                }
                // A coding brought back whose text has changed since is not on its words.
                let off = ops
                    .iter()
                    .filter_map(|op| match op {
                        Op::Add(c) | Op::Remove(c) => self.state().codings.get(&c.id),
                        _ => None,
                    })
                    .filter(|c| c.anchor.is_flagged())
                    .count();
                if off == 0 {
                    self.say(format!("{word}: {what}"), false);
                } else {
                    self.say(
                        format!(
                            "{word}: {what} · {} no longer on {} words: see codewerk check",
                            crate::core::text::count(off, "coding", "codings"),
                            if off == 1 { "its" } else { "their" }
                        ),
                        true,
                    );
                }
                self.refresh();
            }
            Ok(None) => self.say(
                format!("nothing to {}", if undo { "undo" } else { "redo" }),
                false,
            ),
            Err(e) => self.say(format!("NOT saved: {e}"), true),
        }
    }
}

/// The transcript an op changes codings in.
fn op_transcript(op: &Op) -> Option<String> {
    match op {
        Op::Add(c) | Op::Remove(c) => Some(c.transcript.clone()),
        _ => None,
    }
}

fn describe(ops: &[Op]) -> String {
    match ops {
        [Op::Add(c)] => format!("coding {} at {}", c.code, c.transcript),
        [Op::Remove(c)] => format!("removal of {} at {}", c.code, c.transcript),
        [Op::Edit { .. }] => "boundary edit".into(),
        [Op::Memo { .. }] => "memo".into(),
        [Op::CodeMemo { code, .. }] => format!("memo on code {code}"),
        [Op::Done { transcript, .. }] => format!("done mark of {transcript}"),
        [Op::KeyQuote { after, .. }] => {
            format!("key quote {}", if *after { "mark" } else { "unmark" })
        }
        many => format!("{} changes", many.len()),
    }
}
