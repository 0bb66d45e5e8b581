//! Coding through the journal: apply, remove, edit boundaries, undo and redo, new codes.

use super::*;

impl App {
    /// Ask for the next field of a new code, or create it when all are given.
    pub(super) fn new_code_step(&mut self, values: Vec<String>) {
        let dvs: Vec<String> = self
            .project
            .codebook
            .deelvragen
            .iter()
            .map(|d| d.number.to_string())
            .collect();
        let prompt = match values.len() {
            0 => "New code: name".to_string(),
            1 => format!("Deelvraag ({})", dvs.join("/")),
            2 => "Colour name (e.g. oranje)".to_string(),
            3 => "Colour as #RRGGBB".to_string(),
            _ => return self.create_code(values),
        };
        if values.len() == 1 && values[0].is_empty() {
            return self.say("a code needs a name", true);
        }
        self.mode = Mode::Input(Input {
            purpose: InputPurpose::NewCode { values },
            prompt,
            value: String::new(),
        });
    }

    pub(super) fn create_code(&mut self, v: Vec<String>) {
        let Ok(deelvraag) = v[1].parse::<u32>() else {
            return self.say(format!("\"{}\" is not a deelvraag number", v[1]), true);
        };
        let Some(colour) = Rgb::parse(&v[3]) else {
            return self.say(format!("\"{}\" is not a colour like #FF8800", v[3]), true);
        };
        if self.is_readonly() {
            return self.say("read-only: cannot add codes", true);
        }
        let code = Code {
            id: slug(&v[0]),
            name: v[0].clone(),
            deelvraag,
            category: None,
            colour_name: v[2].clone(),
            colour,
            description: String::new(),
            inductive: true,
            guid: None,
            parent: None,
        };
        let name = code.name.clone();
        match self.project.codebook.add_code(code) {
            Ok(()) => {
                self.codes.filter.clear();
                let id = slug(&name);
                self.codes.selected = self.project.codebook.index_of(&id).unwrap_or(0);
                self.refresh();
                self.say(format!("code \"{name}\" added to the codebook"), false);
            }
            Err(e) => self.say(e, true),
        }
    }

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
            return self.say(
                "select a passage first (v, s or t, or drag with the mouse)",
                true,
            );
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
                "this passage has {} characters: apply {name} again to code it all, or Esc",
                end - start
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

    /// With one passage under the cursor, remove it; with several, ask which (naming each
    /// code, innermost first), so that overlapping codes are never removed by guess.
    pub(super) fn remove_code(&mut self) {
        let here: Vec<Coding> = self.codings_at_cursor().into_iter().cloned().collect();
        match here.as_slice() {
            [] => self.say("no coded passage under the cursor", true),
            [one] => self.remove_coding(one.clone()),
            many => {
                if self.refuse_readonly() {
                    return;
                }
                self.mode = Mode::PickRemoval(many.iter().take(9).map(|c| c.id).collect());
            }
        }
    }

    pub(super) fn remove_coding(&mut self, c: Coding) {
        let msg = format!(
            "{} removed from this passage (u to undo)",
            self.code_name(&c.code)
        );
        self.record(vec![Op::Remove(c)], &msg);
    }

    pub(super) fn start_edit(&mut self) {
        let Some(c) = self.codings_at_cursor().first().map(|c| (*c).clone()) else {
            return self.say("no coded passage under the cursor", true);
        };
        self.text.editing = Some(c.id);
        self.text.anchor = Some(c.start);
        self.set_cursor(c.end.saturating_sub(1));
        self.say(
            format!("editing the {} passage: move to set its end, v to set its start here, Enter saves, Esc cancels", self.code_name(&c.code)),
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
                format!("the last action changed {n} codings at once: press u again to undo it"),
                false,
            );
        }
        self.confirm_undo = false;
        let result = if undo { journal.undo() } else { journal.redo() };
        // What comes back may have been recorded before the transcript changed: anchor it again.
        let path = journal.path.clone();
        // What it finds about the codings brought back is said below, not dropped.
        let _ = self.project.check_codings(&path, &mut journal.state);
        let word = if undo { "undid" } else { "redid" };
        match result {
            Ok(Some(ops)) => {
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
        many => format!("{} changes", many.len()),
    }
}
