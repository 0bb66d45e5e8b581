//! The cursor, the selection and the scroll in the open transcript, and the jumps between
//! passages.

use super::*;

impl App {
    /// The character under a screen cell of the transcript panel.
    pub(super) fn char_at(&self, x: u16, y: u16) -> Option<usize> {
        let inner = draw::text_inner(self.areas().text);
        let t = self.transcript()?;
        if y < inner.y || y >= inner.y + inner.height || x < inner.x {
            return None;
        }
        let line = self
            .layout
            .lines
            .get(self.text.scroll + (y - inner.y) as usize)?;
        let col = x.saturating_sub(inner.x + draw::GUTTER) as usize;
        let mut w = 0;
        let mut ch = line.start;
        for c in t.slice(line.start, line.end).chars() {
            w += char_width(c);
            if w > col {
                break;
            }
            ch += 1;
        }
        Some(
            ch.min(line.end.max(line.start + 1) - 1)
                .min(motion::last(t)),
        )
    }

    /// Open transcript `i`, keeping the list highlight on it.
    pub fn open(&mut self, i: usize) {
        if self.current != Some(i) {
            self.current = Some(i);
            self.text = TextState::default();
            if let Some(pos) = self.visible_transcripts().iter().position(|&v| v == i) {
                self.list.selected = pos;
            }
            // The text is read now (`Project::load_lazy`): a file changed or broken since the
            // project was loaded shows no text, and says why.
            // A broken text shows empty, and is said (once) by `say_late_problems`.
            if self
                .project
                .transcripts
                .get(i)
                .is_some_and(|t| t.read().is_ok())
            {
                self.verify_read_codings(i);
            }
            self.say_late_problems();
        }
        self.refresh();
    }

    /// The coder's codings on transcript `i`, taken as exact without its text at start-up,
    /// checked against the text now read (`anchor::verify_read`): one edited by hand in the
    /// journal is then flagged or found again, never drawn on other words.
    fn verify_read_codings(&mut self, i: usize) {
        let project = Arc::clone(&self.project);
        let Some(t) = project.transcripts.get(i) else {
            return;
        };
        let Some(journal) = self.journal.as_mut() else {
            return;
        };
        let mut moved = 0;
        // Through the index of codings per transcript: what is on this one, not every coding.
        for id in journal.state.ids_of_transcript(&t.id) {
            if let Some(c) = journal.state.codings.get_mut(&id)
                && crate::core::anchor::verify_read(t, c)
            {
                moved += 1;
            }
        }
        // The other coders' codings (the second layer, agreement, the matrix) likewise. The
        // project is changed (copied, if a background job shares it) only when one of them is
        // off its words: looked at on a copy of each coding first.
        let others_off = project.coders.iter().any(|(name, s)| {
            *name != self.coder
                && s.of_transcript(&t.id)
                    .into_iter()
                    .any(|c| crate::core::anchor::verify_read(t, &mut c.clone()))
        });
        // Our own handle on the project would make the change below copy it needlessly.
        drop(project);
        if others_off {
            let me = self.coder.clone();
            let crate::core::project::Project {
                transcripts,
                coders,
                ..
            } = self.project_mut();
            if let Some(t) = transcripts.get(i) {
                let others = coders.iter_mut().filter(|(name, _)| **name != me);
                for s in others.map(|(_, s)| s) {
                    for id in s.ids_of_transcript(&t.id) {
                        if let Some(c) = s.codings.get_mut(&id)
                            && crate::core::anchor::verify_read(t, c)
                        {
                            moved += 1;
                        }
                    }
                }
            }
        }
        if moved > 0 {
            // Anchors changed outside the journal's ops: the counts are counted again, and the
            // views count from the project's copy of this coder, which is behind now.
            self.counts_key = None;
            self.coder_synced = false;
            self.say(
                format!(
                    "{} of this transcript were not on their words (the journal was edited?): \
                     re-anchored or flagged; `codewerk check` lists them",
                    crate::core::text::count(moved, "coding", "codings")
                ),
                true,
            );
        }
    }

    /// Put the cursor and the scroll back as they were (clamped to the text as it is now).
    pub fn restore_position(&mut self, cursor: usize, scroll: usize) {
        self.move_to(cursor);
        let max = self.layout.lines.len().saturating_sub(1);
        self.text.scroll = scroll.min(max);
        self.scroll_to_cursor();
    }

    /// Highlight a code in the codebook panel (clearing a filter that would hide it).
    pub fn highlight_code(&mut self, id: &str) {
        // `selected` counts codes as the panel lists them (tree order), not codebook order:
        // with sub-codes the two differ.
        let codes = &self.project.codebook.codes;
        if let Some(pos) = self.tree_codes().iter().position(|&i| codes[i].id == id) {
            self.codes.filter.clear();
            self.codes.selected = pos;
        }
    }

    /// Open a transcript at a stretch of text and show it as found (used by jumps and search).
    pub fn show_range(&mut self, transcript: usize, start: usize, end: usize) {
        self.set_focus(Focus::Text);
        self.open(transcript);
        self.move_to(start);
        self.text.flash = Some((start, end));
    }

    pub(super) fn page(&self) -> usize {
        (draw::text_inner(self.areas().text).height as usize)
            .saturating_sub(2)
            .max(1)
    }

    pub(super) fn set_cursor(&mut self, ch: usize) {
        let Some(t) = self.transcript() else { return };
        self.text.cursor = ch.min(motion::last(t));
        self.scroll_to_cursor();
    }

    /// Move the cursor (not by line: forget the goal column).
    pub(super) fn move_to(&mut self, ch: usize) {
        self.text.goal_col = None;
        self.set_cursor(ch);
    }

    pub(super) fn move_lines(&mut self, delta: isize) {
        let Some(t) = self.transcript() else { return };
        if self.layout.lines.is_empty() {
            return;
        }
        let line_i = self.layout.line_of(self.text.cursor);
        let line = self.layout.lines[line_i];
        let col = self.text.goal_col.unwrap_or_else(|| {
            t.slice(line.start, self.text.cursor)
                .chars()
                .map(char_width)
                .sum()
        });
        let target_i =
            (line_i as isize + delta).clamp(0, self.layout.lines.len() as isize - 1) as usize;
        let target = self.layout.lines[target_i];
        let mut w = 0;
        let mut ch = target.start;
        for c in t.slice(target.start, target.end).chars() {
            if w + char_width(c) > col {
                break;
            }
            w += char_width(c);
            ch += 1;
        }
        let ch = ch.min(target.end.saturating_sub(1).max(target.start));
        self.set_cursor(ch);
        self.text.goal_col = Some(col);
    }

    pub(super) fn scroll_by(&mut self, delta: isize) {
        let max = self.layout.lines.len().saturating_sub(1);
        self.text.scroll = (self.text.scroll as isize + delta).clamp(0, max as isize) as usize;
        // With a selection the cursor is one end of it: moving it would stretch the selection
        // under the next digit's code. The wheel then only looks; the cursor stays (off screen
        // if need be) and the next motion brings the view back to it.
        if self.text.anchor.is_some() {
            return;
        }
        // Keep the cursor on screen, as editors do when the wheel scrolls.
        let h = draw::text_inner(self.areas().text).height as usize;
        let line = self.layout.line_of(self.text.cursor);
        if line < self.text.scroll || line >= self.text.scroll + h {
            let target = if line < self.text.scroll {
                self.text.scroll
            } else {
                self.text.scroll + h.saturating_sub(1)
            };
            if let Some(l) = self.layout.lines.get(target.min(max)) {
                self.text.cursor = l.start;
            }
        }
    }

    pub(super) fn scroll_to_cursor(&mut self) {
        let h = (draw::text_inner(self.areas().text).height as usize).max(1);
        let line = self.layout.line_of(self.text.cursor);
        // Keep two lines of context above and below the cursor where possible.
        let margin = if h > 6 { 2 } else { 0 };
        if line < self.text.scroll + margin {
            self.text.scroll = line.saturating_sub(margin);
        } else if line + margin >= self.text.scroll + h {
            self.text.scroll = line + margin + 1 - h;
        }
        let max = self.layout.lines.len().saturating_sub(1);
        self.text.scroll = self.text.scroll.min(max);
    }

    pub(super) fn select_with(&mut self, f: fn(&Transcript, usize) -> Option<(usize, usize)>) {
        let Some(t) = self.transcript() else { return };
        if let Some((s, e)) = f(t, self.text.cursor).filter(|(s, e)| e > s) {
            self.text.anchor = Some(s);
            self.set_cursor(e - 1);
        }
    }

    pub(super) fn jump_to_code(&mut self, forward: bool) {
        let Some(code) = self.selected_code().map(|c| c.id.clone()) else {
            return;
        };
        let Some(cur) = self.current else { return };
        let order = self.visible_transcripts();
        let state = self.state();
        let at = self.text.cursor;
        let n = order.len();
        let pos = order.iter().position(|&i| i == cur).unwrap_or(0);
        // This transcript after (before) the cursor, then the others in list order, wrapping.
        let mut found = None;
        for step in 0..=n {
            let idx = if forward {
                (pos + step) % n.max(1)
            } else {
                (pos + n - step % n.max(1)) % n.max(1)
            };
            let Some(&ti) = order.get(idx) else { break };
            let tid = &self.project.transcripts[ti].id;
            // Through the index: a code with no passages must not cost transcripts × codings.
            let mut starts: Vec<usize> = state
                .of_transcript(tid)
                .into_iter()
                .filter(|c| c.code == code)
                .map(|c| c.start)
                .collect();
            starts.sort_unstable();
            let hit = match (step, forward) {
                (0, true) => starts.into_iter().find(|&s| s > at),
                (0, false) => starts.into_iter().rev().find(|&s| s < at),
                (_, true) => starts.first().copied(),
                (_, false) => starts.last().copied(),
            };
            if let Some(s) = hit {
                found = Some((ti, s));
                break;
            }
        }
        match found {
            Some((ti, s)) => {
                self.open(ti);
                self.move_to(s);
                let name = self.code_name(&code);
                self.say(
                    format!("{name} in {}", self.project.transcripts[ti].id),
                    false,
                );
            }
            None => self.say(format!("no passages of {}", self.code_name(&code)), false),
        }
    }

    pub(super) fn next_uncoded_turn(&mut self) {
        let Some(t) = self.transcript() else { return };
        let at = self.text.cursor;
        let target = t.turns().iter().find(|tr| {
            tr.start > at
                && !self.project.is_interviewer(tr.speaker.as_deref())
                && !self.here.iter().any(|c| c.overlaps(tr.start, tr.end))
        });
        match target.map(|tr| tr.body_start) {
            Some(s) => self.move_to(s),
            None => self.say("no uncoded respondent turns below the cursor", false),
        }
    }
}
