//! Keys, pastes and the mouse, resolved into actions (through the keymap's layers) or
//! handed to the text field that has the focus.

use super::*;

impl App {
    pub(super) fn on_key(&mut self, key: KeyEvent) {
        if key.kind == crossterm::event::KeyEventKind::Release {
            return;
        }
        if !matches!(key.code, KeyCode::Char('u')) {
            self.confirm_undo = false;
        }
        match &self.mode {
            Mode::Help => {
                match key.code {
                    KeyCode::Char('j') | KeyCode::Down | KeyCode::PageDown => self.help_scroll += 1,
                    KeyCode::Char('k') | KeyCode::Up | KeyCode::PageUp => {
                        self.help_scroll = self.help_scroll.saturating_sub(1);
                    }
                    _ => {
                        self.mode = Mode::Normal;
                        self.help_scroll = 0;
                    }
                }
                return;
            }
            Mode::Input(_) => return self.on_input_key(key),
            Mode::PickRemoval(ids) => {
                let ids = ids.clone();
                self.mode = Mode::Normal;
                let picked = match key.code {
                    KeyCode::Char(c) => c
                        .to_digit(10)
                        .and_then(|d| ids.get((d as usize).checked_sub(1)?)),
                    _ => None,
                };
                match picked.and_then(|id| self.state().codings.get(id).cloned()) {
                    Some(c) => self.remove_coding(c),
                    None => self.say("nothing removed", false),
                }
                return;
            }
            Mode::Normal => {}
        }
        if self.view.is_some() {
            return self.on_view_key(key);
        }
        if self.codes.filtering {
            return self.on_filter_key(key);
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            self.should_quit = true;
            return;
        }
        if let Some(action) = keymap::lookup(self.focus, key) {
            self.update(action);
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
        if let Mode::Input(input) = &mut self.mode {
            input.value.push_str(&text);
        } else if self.mode == Mode::Normal && matches!(self.view, Some(View::Search(_))) {
            for c in text.chars() {
                self.on_view_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
            }
        } else if self.mode == Mode::Normal && self.view.is_none() && self.codes.filtering {
            self.codes.filter.push_str(&text);
            self.codes.selected = 0;
        } else {
            self.say(
                "paste ignored: no text field is open (m for a memo, / to search, f for a code)",
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
                    let rows = draw::codebook_rows(self);
                    let first = draw::codebook_offset(
                        self,
                        areas.codebook.height.saturating_sub(2) as usize,
                    );
                    let height = areas.codebook.height.saturating_sub(2);
                    if m.row < areas.codebook.y + 1 || m.row >= areas.codebook.y + 1 + height {
                        return;
                    }
                    let row = (m.row - areas.codebook.y - 1) as usize;
                    if let Some(Some(pos)) = rows.get(first + row).map(|r| r.position) {
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

    pub(super) fn on_filter_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Esc => {
                self.codes.filtering = false;
                self.codes.filter.clear();
                self.codes.selected = 0;
            }
            KeyCode::Enter => {
                self.codes.filtering = false;
                if self.selection().is_some() {
                    self.update(Action::ApplySelectedCode);
                    self.codes.filter.clear();
                    self.codes.selected = 0;
                } else {
                    // Keep the code highlighted: clear the filter but point at the same code.
                    let id = self.selected_code().map(|c| c.id.clone());
                    self.codes.filter.clear();
                    self.codes.selected = id
                        .and_then(|id| self.project.codebook.index_of(&id))
                        .unwrap_or(0);
                    self.set_focus(Focus::Codebook);
                }
            }
            KeyCode::Backspace => {
                self.codes.filter.pop();
                self.codes.selected = 0;
            }
            KeyCode::Up => self.codes.selected = self.codes.selected.saturating_sub(1),
            KeyCode::Down => {
                let n = self.visible_codes().len();
                self.codes.selected = (self.codes.selected + 1).min(n.saturating_sub(1));
            }
            KeyCode::Char(c) => {
                self.codes.filter.push(c);
                self.codes.selected = 0;
            }
            _ => {}
        }
    }

    pub(super) fn on_input_key(&mut self, key: KeyEvent) {
        let Mode::Input(input) = &mut self.mode else {
            return;
        };
        match key.code {
            KeyCode::Esc => {
                self.mode = Mode::Normal;
                self.say("cancelled", false);
            }
            KeyCode::Enter => {
                let input = input.clone();
                self.mode = Mode::Normal;
                self.submit_input(input);
            }
            KeyCode::Backspace => {
                input.value.pop();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                input.value.push(c);
            }
            _ => {}
        }
    }

    pub(super) fn submit_input(&mut self, input: Input) {
        let value = input.value.trim().to_string();
        match input.purpose {
            InputPurpose::ListFilter => {
                self.list.attribute = (!value.is_empty()).then_some(value);
                self.list.selected = 0;
                let n = self.visible_transcripts().len();
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
        }
    }
}
