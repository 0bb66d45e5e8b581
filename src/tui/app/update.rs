//! `update`: what each action does.

use super::*;

impl App {
    /// The one place an action takes effect: routed to the popup, help or view that has the
    /// input, else done on the coding screen.
    pub fn update(&mut self, action: Action) {
        // Derived data is fresh for the action (a test or the session may have set state
        // directly) and after it, for the next frame.
        self.derive();
        self.apply(action);
        self.drop_stale_message();
        self.derive();
    }

    fn apply(&mut self, action: Action) {
        use Action::*;
        // A second `u` confirms a large undo; anything else in between cancels it.
        if action != Undo {
            self.confirm_undo = false;
        }
        match self.layer() {
            Layer::Help => return self.on_help_action(action),
            Layer::Input => return self.on_input_action(action),
            Layer::PickPassage => return self.on_pick_action(action),
            Layer::CodeFilter => return self.on_filter_action(action),
            // Keys reach the editor as keys (`on_memo_key`); an action here is a test's.
            Layer::MemoEditor => {
                if matches!(action, Choose | Close) {
                    let key = if action == Choose {
                        KeyEvent::new(crossterm::event::KeyCode::Char('s'), KeyModifiers::CONTROL)
                    } else {
                        KeyEvent::new(crossterm::event::KeyCode::Esc, KeyModifiers::NONE)
                    };
                    self.on_memo_key(key);
                }
                return;
            }
            Layer::Search
            | Layer::Kwic
            | Layer::Words
            | Layer::Agreement
            | Layer::Clusters
            | Layer::Matrix
            | Layer::Review
            | Layer::Cooccurrence
            | Layer::Memos => {
                return self.on_view_action(action);
            }
            Layer::Global | Layer::Text | Layer::Editing | Layer::List | Layer::Codebook => {}
        }
        if !matches!(action, Help) {
            self.text.flash = None;
        }
        match action {
            Quit => self.should_quit = true,
            Help => {
                self.mode = if self.mode == Mode::Help {
                    Mode::Normal
                } else {
                    Mode::Help
                }
            }
            TogglePanels => {
                self.panels_hidden = !self.panels_hidden;
                self.focus = Focus::Text;
                // The text's width changed: wrap it again for the new width.
                self.refresh();
            }
            FocusNext => self.cycle_focus(1),
            FocusPrev => self.cycle_focus(-1),
            Left => self.move_to(self.text.cursor.saturating_sub(1)),
            Right => self.move_to(self.text.cursor + 1),
            Up => self.move_lines(-1),
            Down => self.move_lines(1),
            PageDown => self.move_lines(self.page() as isize),
            PageUp => self.move_lines(-(self.page() as isize)),
            Top => self.move_to(0),
            Bottom => self.move_to(usize::MAX),
            WordNext | WordPrev | SentenceNext | SentencePrev | TurnNext | TurnPrev => {
                if let Some(t) = self.transcript() {
                    let forward = matches!(action, WordNext | SentenceNext | TurnNext);
                    // While selecting, a forward motion extends to the end of the next unit:
                    // measured from one past the cursor (the cursor sits on the last selected
                    // character), and snapped back off the unit it lands on.
                    let selecting = self.text.anchor.filter(|&a| a <= self.text.cursor);
                    let at = match selecting {
                        Some(_) if forward => self.text.cursor + 1,
                        _ => self.text.cursor,
                    };
                    let step = |from: usize| match action {
                        WordNext => motion::word_next(t, from),
                        WordPrev => motion::word_prev(t, from),
                        SentenceNext => motion::sentence_next(t, from),
                        SentencePrev => motion::sentence_prev(t, from),
                        TurnNext => motion::turn_next(t, from),
                        _ => motion::turn_prev(t, from),
                    };
                    let to = step(at);
                    let to = match selecting {
                        Some(anchor) if forward => {
                            // Right after a unit's end the next unit is one step further.
                            let end = motion::selection_end(t, anchor, at, to);
                            if end > self.text.cursor || to <= at {
                                end
                            } else {
                                motion::selection_end(t, anchor, to, step(to))
                            }
                        }
                        _ => to,
                    };
                    self.move_to(to);
                }
            }
            // While editing boundaries, v swaps which end moves (as vim's `o`).
            ToggleSelect if self.text.editing.is_some() => {
                if let Some(a) = self.text.anchor.replace(self.text.cursor) {
                    self.set_cursor(a);
                }
            }
            ToggleSelect => {
                self.text.anchor = match self.text.anchor {
                    Some(_) => None,
                    None => Some(self.text.cursor),
                }
            }
            SelectSentence => self.select_with(motion::sentence_at),
            SelectTurn => self.select_with(motion::turn_body_at),
            ClearSelection => {
                if self.text.editing.take().is_some() {
                    self.say("boundary edit cancelled", false);
                }
                self.text.anchor = None;
                self.codes.filter.clear();
            }
            ApplyHotkey(n) => {
                let i = if n == 10 { 9 } else { n as usize - 1 };
                let tree = self.tree_codes();
                if let Some(code) = tree
                    .get(i)
                    .and_then(|&k| self.project.codebook.codes.get(k))
                {
                    let id = code.id.clone();
                    self.apply_code(&id);
                }
            }
            ApplySelectedCode => {
                if self.text.editing.is_some() && self.focus == Focus::Text {
                    return self.commit_edit();
                }
                match self.selected_code().map(|c| c.id.clone()) {
                    Some(id) => self.apply_code(&id),
                    None => self.say("no code highlighted in the codebook", true),
                }
            }
            RemoveCode => self.remove_code(),
            EditBounds => self.start_edit(),
            MemoPassage => {
                if let Some(c) = self.passage_for(PickFor::Memo) {
                    self.edit_memo(MemoTarget::Passage(c.id));
                }
            }
            MemoCode => {
                let Some(code) = self.selected_code().map(|c| c.id.clone()) else {
                    return;
                };
                self.edit_memo(MemoTarget::Code(code));
            }
            MemoTranscript => {
                let target = match self.focus {
                    Focus::List => self.visible_transcripts().get(self.list.selected).copied(),
                    _ => self.current,
                };
                let Some(id) = target.map(|i| self.project.transcripts[i].id.clone()) else {
                    return;
                };
                self.edit_memo(MemoTarget::Transcript(id));
            }
            LogbookEntry => self.edit_memo(MemoTarget::Logbook),
            NewCode => {
                if !self.refuse_readonly() {
                    self.new_code_step(Vec::new());
                }
            }
            AddSubcode => self.codebook_dialogue(CodebookOp::Subcode),
            RenameCode => self.codebook_dialogue(CodebookOp::Rename),
            RecolourCode => self.codebook_dialogue(CodebookOp::Recolour),
            DescribeCode => self.codebook_dialogue(CodebookOp::Describe),
            MoveCode => self.codebook_dialogue(CodebookOp::Move),
            MergeCode => self.codebook_dialogue(CodebookOp::Merge),
            DeleteCode => self.codebook_dialogue(CodebookOp::Delete),
            UndoCodebook => self.undo_codebook(),
            Undo | Redo => self.undo_redo(action == Undo),
            ToggleDone => {
                // In the list: the highlighted transcript; elsewhere the one that is open.
                let target = match self.focus {
                    Focus::List => self.visible_transcripts().get(self.list.selected).copied(),
                    _ => self.current,
                };
                let Some(t) = target.map(|i| &self.project.transcripts[i]) else {
                    return;
                };
                let id = t.id.clone();
                let done = !self.state().done.contains(&id);
                let msg = if done {
                    format!("{id} marked done")
                } else {
                    format!("{id} marked not done")
                };
                self.record(
                    vec![Op::Done {
                        transcript: id,
                        done,
                    }],
                    &msg,
                );
            }
            NextCoded | PrevCoded => {
                let at = self.text.cursor;
                let target = if action == NextCoded {
                    self.here.iter().map(|c| c.start).filter(|&s| s > at).min()
                } else {
                    self.here.iter().map(|c| c.start).filter(|&s| s < at).max()
                };
                match target {
                    Some(s) => self.move_to(s),
                    None => self.say("no more coded passages in this transcript", false),
                }
            }
            NextOfCode | PrevOfCode => self.jump_to_code(action == NextOfCode),
            NextUncodedTurn => self.next_uncoded_turn(),
            ListUp => self.list.selected = self.list.selected.saturating_sub(1),
            ListDown => {
                let n = self.visible_transcripts().len();
                self.list.selected = (self.list.selected + 1).min(n.saturating_sub(1));
            }
            OpenSelected => {
                if let Some(&i) = self.visible_transcripts().get(self.list.selected) {
                    self.open(i);
                    self.set_focus(Focus::Text);
                }
            }
            CycleGroup => {
                self.list.group = cycle(&self.project.groups(), &self.list.group);
                self.list.selected = 0;
            }
            FilterByAttribute => {
                let names: Vec<String> = self
                    .project
                    .respondents
                    .first()
                    .map(|r| r.attributes.iter().map(|(k, _)| k.clone()).collect())
                    .unwrap_or_default();
                let known = if names.is_empty() {
                    "group, school, school_type".to_string()
                } else {
                    format!("group, school, school_type, {}", names.join(", "))
                };
                self.mode = Mode::Input(Input {
                    purpose: InputPurpose::ListFilter,
                    prompt: format!("Show transcripts with (name=value or text; {known})"),
                    value: self.list.attribute.clone().unwrap_or_default(),
                });
            }
            CycleSchoolType => {
                self.list.school_type = cycle(&self.project.school_types(), &self.list.school_type);
                self.list.selected = 0;
            }
            CodeUp => self.codes.selected = self.codes.selected.saturating_sub(1),
            CodeDown => {
                let n = self.visible_codes().len();
                self.codes.selected = (self.codes.selected + 1).min(n.saturating_sub(1));
            }
            FilterCodes => {
                self.codes.before_filter = self.selected_code().map(|c| c.id.clone());
                self.codes.filtering = true;
                self.codes.filter.clear();
                self.codes.selected = 0;
            }
            OpenAgreement => self.open_agreement(),
            OpenSearch => self.open_search(),
            OpenClusters => self.open_clusters(),
            OpenMatrix => self.open_matrix(),
            OpenReview => self.open_review(),
            OpenCooccurrence => self.open_cooccurrence(),
            ToggleKeyQuote => self.toggle_key_quote(),
            OpenMemos => self.open_memos(),
            OpenWords => self.open_words(),
            ToggleLayer => {
                let others: Vec<String> = self
                    .project
                    .coders
                    .keys()
                    .filter(|c| **c != self.coder)
                    .cloned()
                    .collect();
                self.layer = cycle(&others, &self.layer);
                match &self.layer {
                    Some(l) => self.say(
                        format!("showing {l}'s codings as a second layer (gutter: ┃)"),
                        false,
                    ),
                    None if others.is_empty() => self.say("no other coders in this project", false),
                    None => self.say("second layer off", false),
                }
                self.refresh();
            }
            // The views' and popups' own actions are routed above.
            Close | Choose | Type(_) | DeleteChar | Pick(_) | NextDeelvraag | ToggleColumns
            | FilterAttribute | FilterQuery | CycleSplit | ToggleUncoded | CycleSpeaker
            | ToggleRank | MarkHit | AutocodeHits | OpenKwic | CycleSort | ToggleStems
            | CycleBy | CycleCompare | Export | ExportExcel | DecideA | DecideB | DecideBoth
            | DecideNeither | AcceptPlace | DropCoding => {}
        }
    }

    pub(super) fn cycle_focus(&mut self, step: isize) {
        let order = [Focus::List, Focus::Text, Focus::Codebook];
        let i = order.iter().position(|f| *f == self.focus).unwrap_or(0) as isize;
        self.set_focus(order[(i + step).rem_euclid(3) as usize]);
    }

    /// On a narrow terminal the focus decides which side panel shows, and so the width the
    /// transcript is wrapped to.
    pub(super) fn set_focus(&mut self, focus: Focus) {
        let before = self.areas().text;
        self.focus = focus;
        if self.areas().text != before {
            self.refresh();
        }
    }

    pub(super) fn resize(&mut self, width: u16, height: u16) {
        self.size = Rect::new(0, 0, width, height);
        self.refresh();
    }
}
