//! Keys, pastes and the mouse, resolved into actions (through the keymap's layers) or
//! handed to the text field that has the focus.

use super::*;

impl App {
    /// A key becomes an action in the layer that has the input (see `keymap`), and goes to
    /// `update`; a key no layer binds does nothing.
    pub(super) fn on_key(&mut self, key: KeyEvent) {
        if key.kind == crossterm::event::KeyEventKind::Release {
            return;
        }
        if matches!(self.mode, Mode::Memo(_)) {
            return self.on_memo_key(key);
        }
        if let Some(action) = keymap::resolve(self.layer(), key) {
            self.update(action);
        }
    }

    /// The layer of keys in force: a popup's or the help's over everything, then a
    /// full-screen view's, the code filter's, the boundary edit's, else the focused panel's.
    pub fn layer(&self) -> Layer {
        match &self.mode {
            Mode::Help => Layer::Help,
            Mode::Input(_) => Layer::Input,
            Mode::Memo(_) => Layer::MemoEditor,
            Mode::PickPassage(..) => Layer::PickPassage,
            Mode::Normal => match &self.view {
                Some(v) => v.layer(),
                None if self.codes.filtering => Layer::CodeFilter,
                None if self.text.editing.is_some() && self.focus == Focus::Text => Layer::Editing,
                None => Layer::of(self.focus),
            },
        }
    }

    /// A paste (bracketed by the terminal) goes into the text field that has the focus, as
    /// text: never as keys, which would run its letters and newlines as commands.
    pub(super) fn on_paste(&mut self, pasted: &str) {
        // Fields are one line: line breaks become spaces.
        let text: String = pasted
            .chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .filter(|c| !c.is_control())
            .collect();
        if let Mode::Memo(editor) = &mut self.mode {
            // The memo editor keeps the paste's line breaks.
            editor
                .area
                .insert_str(pasted.replace("\r\n", "\n").replace('\r', "\n"));
        } else if let Mode::Input(input) = &mut self.mode {
            input.value.push_str(&text);
        } else if self.mode == Mode::Normal && matches!(self.view, Some(View::Search(_))) {
            // The whole paste is typed, then searched for once.
            if let Some(View::Search(v)) = &mut self.view {
                for c in text.chars() {
                    v.on_action(Action::Type(c), &self.project);
                }
            }
            self.run_search();
        } else if self.mode == Mode::Normal && self.view.is_none() && self.codes.filtering {
            self.codes.filter.push_str(&text);
            self.codes.selected = 0;
        } else {
            let key = |a| keymap::key(Layer::Text, a);
            self.say(
                format!(
                    "paste ignored: no text field is open ({} for a memo, {} to search, {} for a code)",
                    key(Action::MemoPassage),
                    key(Action::OpenSearch),
                    key(Action::FilterCodes)
                ),
                true,
            );
        }
    }

    pub(super) fn on_mouse(&mut self, m: MouseEvent) {
        // Under a full-screen view or a popup the panels are hidden: clicks must not reach them.
        if self.view.is_some() || self.mode != Mode::Normal {
            return;
        }
        let areas = self.areas();
        let inside = |r: Rect| {
            m.column >= r.x && m.column < r.x + r.width && m.row >= r.y && m.row < r.y + r.height
        };
        match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                if inside(areas.text) {
                    // The character under the pointer as drawn, before the focus can change
                    // the layout.
                    let at = self.char_at(m.column, m.row);
                    self.set_focus(Focus::Text);
                    if let Some(ch) = at {
                        self.text.anchor = None;
                        self.text.editing = None;
                        self.set_cursor(ch);
                        self.dragging = true;
                    }
                } else if inside(areas.list) {
                    self.set_focus(Focus::List);
                    // Rows start below the border and the header line; the bottom border is
                    // no row.
                    let rows = areas.list.height.saturating_sub(3);
                    if m.row < areas.list.y + 2 || m.row >= areas.list.y + 2 + rows {
                        return;
                    }
                    let row = (m.row - areas.list.y - 2) as usize;
                    let visible = self.visible_transcripts();
                    let first = draw::list_offset(
                        self.list.selected,
                        areas.list.height.saturating_sub(3) as usize,
                    );
                    if let Some(&i) = visible.get(first + row) {
                        self.list.selected = first + row;
                        self.open(i);
                    }
                } else if inside(areas.codebook) {
                    let first = draw::codebook_offset(
                        self,
                        areas.codebook.height.saturating_sub(2) as usize,
                    );
                    let height =
                        draw::codebook_list_height(areas.codebook.height.saturating_sub(2));
                    if m.row < areas.codebook.y + 1 || m.row >= areas.codebook.y + 1 + height {
                        return;
                    }
                    let row = (m.row - areas.codebook.y - 1) as usize;
                    let hit = self.codebook_rows().get(first + row).map(|r| r.position);
                    if let Some(Some(pos)) = hit {
                        self.codes.selected = pos;
                        if self.selection().is_some() {
                            self.update(Action::ApplySelectedCode);
                        } else {
                            self.set_focus(Focus::Codebook);
                        }
                    }
                }
            }
            MouseEventKind::Drag(MouseButton::Left) if self.dragging => {
                if let Some(ch) = self.char_at(m.column, m.row) {
                    if self.text.anchor.is_none() {
                        self.text.anchor = Some(self.text.cursor);
                    }
                    self.set_cursor(ch);
                }
            }
            MouseEventKind::Up(MouseButton::Left) => {
                // A dragged selection snaps to whole words (hold Alt for exact characters):
                // a quote that starts or ends mid-word is almost never what was meant.
                if self.dragging
                    && !m.modifiers.contains(KeyModifiers::ALT)
                    && let (Some(anchor), Some(t)) = (self.text.anchor, self.transcript())
                    && anchor != self.text.cursor
                {
                    let (s, e) = motion::snap_to_words(t, anchor, self.text.cursor);
                    let forward = self.text.cursor >= anchor;
                    self.text.anchor = Some(if forward { s } else { e });
                    self.set_cursor(if forward { e } else { s });
                }
                self.dragging = false;
            }
            MouseEventKind::ScrollDown if inside(areas.text) => self.scroll_by(3),
            MouseEventKind::ScrollUp if inside(areas.text) => self.scroll_by(-3),
            _ => {}
        }
    }

    /// The help: scrolls, and closes on any other key.
    pub(super) fn on_help_action(&mut self, action: Action) {
        match action {
            Action::Down => {
                self.help_scroll = (self.help_scroll + 1).min(draw::help_max_scroll(self.size));
            }
            Action::Up => self.help_scroll = self.help_scroll.saturating_sub(1),
            _ => {
                self.mode = Mode::Normal;
                self.help_scroll = 0;
            }
        }
    }

    /// Which of the overlapping passages `x`, `m` or `e` is for: a number picks, anything
    /// else cancels.
    pub(super) fn on_pick_action(&mut self, action: Action) {
        let Mode::PickPassage(purpose, ids) = std::mem::replace(&mut self.mode, Mode::Normal)
        else {
            return;
        };
        let picked = match action {
            Action::Pick(n) => (n as usize).checked_sub(1).and_then(|i| ids.get(i)),
            _ => None,
        };
        let Some(c) = picked.and_then(|id| self.state().codings.get(id).cloned()) else {
            let what = match purpose {
                PickFor::Remove => "nothing removed",
                PickFor::Memo | PickFor::Edit => "no passage chosen",
            };
            return self.say(what, false);
        };
        match purpose {
            PickFor::Remove => self.remove_coding(c),
            PickFor::Memo => self.edit_memo(MemoTarget::Passage(c.id)),
            PickFor::Edit => self.edit_passage(c),
        }
    }

    pub(super) fn on_filter_action(&mut self, action: Action) {
        match action {
            Action::Close => {
                self.codes.filtering = false;
                self.restore_highlight();
            }
            Action::Choose => {
                self.codes.filtering = false;
                let Some(id) = self.selected_code().map(|c| c.id.clone()) else {
                    self.restore_highlight();
                    return self.say("no code matches what was typed", true);
                };
                self.codes.before_filter = None;
                if self.selection().is_some() {
                    // Applied while the list is still the filtered one `selected` points into;
                    // then the code found stays highlighted in the full list.
                    self.update(Action::ApplySelectedCode);
                    self.highlight_code(&id);
                } else {
                    // Keep the code found highlighted, with the filter cleared.
                    self.highlight_code(&id);
                    self.set_focus(Focus::Codebook);
                }
            }
            Action::DeleteChar => {
                self.codes.filter.pop();
                self.codes.selected = 0;
            }
            Action::CodeUp => self.codes.selected = self.codes.selected.saturating_sub(1),
            Action::CodeDown => {
                let n = self.visible_codes().len();
                self.codes.selected = (self.codes.selected + 1).min(n.saturating_sub(1));
            }
            Action::Type(c) => {
                self.codes.filter.push(c);
                self.codes.selected = 0;
            }
            _ => {}
        }
    }

    /// Back to the code highlighted before `f`, the filter cleared.
    fn restore_highlight(&mut self) {
        self.codes.filter.clear();
        match self.codes.before_filter.take() {
            Some(id) => self.highlight_code(&id),
            None => self.codes.selected = 0,
        }
    }

    pub(super) fn on_input_action(&mut self, action: Action) {
        let Mode::Input(input) = &mut self.mode else {
            return;
        };
        match action {
            Action::Close => {
                self.mode = Mode::Normal;
                self.say("cancelled", false);
            }
            Action::Choose => {
                let input = input.clone();
                self.mode = Mode::Normal;
                self.submit_input(input);
            }
            Action::DeleteChar => {
                input.value.pop();
            }
            Action::Type(c) => input.value.push(c),
            _ => {}
        }
    }

    pub(super) fn submit_input(&mut self, input: Input) {
        let value = input.value.trim().to_string();
        match input.purpose {
            InputPurpose::Matrix(what) => {
                let project = Arc::clone(&self.project);
                if let Some(View::Matrix(v)) = &mut self.view
                    && let Err(e) = v.set(what, &value, &project)
                {
                    self.say(e, true);
                }
            }
            InputPurpose::ListFilter => {
                self.list.attribute = (!value.is_empty()).then_some(value);
                self.list.selected = 0;
                // Counted afresh: the kept list is brought up to date only after this message.
                let n = self.compute_visible_transcripts().len();
                self.say(
                    crate::core::text::count(n, "transcript", "transcripts") + " shown",
                    n == 0,
                );
            }
            InputPurpose::PassageMemo(id) => {
                let Some(c) = self.state().codings.get(&id) else {
                    return;
                };
                let before = c.memo.clone();
                let after = (!value.is_empty()).then_some(value);
                if before != after {
                    self.record(vec![Op::Memo { id, before, after }], "memo saved");
                }
            }
            InputPurpose::CodeMemo(code) => {
                let before = self.state().code_memos.get(&code).cloned();
                let after = (!value.is_empty()).then_some(value);
                if before != after {
                    self.record(
                        vec![Op::CodeMemo {
                            code,
                            before,
                            after,
                        }],
                        "code memo saved",
                    );
                }
            }
            InputPurpose::NewCode { mut values } => {
                values.push(value);
                self.new_code_step(values);
            }
            InputPurpose::Codebook { op, code, values } => {
                // The untrimmed text: trimmed where it is saved.
                self.codebook_input(op, code, values, input.value.clone(), input.prompt.clone());
            }
        }
    }
}
