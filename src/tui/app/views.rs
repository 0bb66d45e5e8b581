//! The full-screen views: opening them (or the one parked by a jump) and applying the
//! outcomes they return. Writes they ask for go through the app's journal path.

use super::*;

/// A full-screen view open over the coding screen.
pub enum View {
    Agreement(Box<AgreementView>),
    Search(SearchView),
    Kwic(KwicView),
    Words(Box<WordsView>),
    Clusters(Box<ClustersView>),
    Matrix(Box<MatrixView>),
    Review(ReviewView),
    Cooccurrence(Box<CooccurrenceView>),
    Memos(MemosView),
    /// Agreement, matrix or clusters while their counts are computed off the UI thread.
    Computing(ComputingView),
}

impl View {
    /// How to come back to the view after jumping from it into the text.
    pub fn back_hint(&self) -> String {
        let (action, what) = match self {
            View::Agreement(_) => (Action::OpenAgreement, "the list"),
            View::Search(_) => (Action::OpenSearch, "the hits"),
            View::Kwic(_) => (Action::OpenSearch, "the search"),
            View::Words(_) => (Action::OpenWords, "the words"),
            View::Clusters(_) => (Action::OpenClusters, "the clusters"),
            View::Matrix(_) => (Action::OpenMatrix, "the matrix"),
            View::Review(_) => (Action::OpenReview, "the review list"),
            View::Cooccurrence(_) => (Action::OpenCooccurrence, "the co-occurrences"),
            View::Memos(_) => (Action::OpenMemos, "the memos"),
            View::Computing(_) => (Action::Quit, "close it"),
        };
        format!("{}: back to {what}", keymap::key(Layer::Text, action))
    }

    /// The layer of keys the view takes.
    pub fn layer(&self) -> Layer {
        match self {
            View::Agreement(_) => Layer::Agreement,
            View::Search(_) => Layer::Search,
            View::Kwic(_) => Layer::Kwic,
            View::Words(_) => Layer::Words,
            View::Clusters(_) => Layer::Clusters,
            View::Matrix(v) => v.layer(),
            View::Review(_) => Layer::Review,
            View::Cooccurrence(v) => v.layer(),
            View::Memos(_) => Layer::Memos,
            View::Computing(v) => v.layer,
        }
    }
}

impl App {
    /// An action in a full-screen view's layer: the view does it and says what the app is to
    /// do next.
    pub(super) fn on_view_action(&mut self, action: Action) {
        match action {
            // q closes the whole view, as Esc does its outermost level: quitting the program
            // from a view loses its place.
            Action::Quit => return self.apply_outcome(Outcome::Close),
            Action::Help => {
                self.mode = Mode::Help;
                return;
            }
            // In the review list, "x … (u to undo)" means here.
            Action::Undo | Action::Redo if matches!(self.view, Some(View::Review(_))) => {
                self.undo_redo(action == Action::Undo);
                self.reload_review();
                return;
            }
            _ => {}
        }
        if matches!(self.view, Some(View::Kwic(_))) {
            let project = Arc::clone(&self.project);
            let mut view = self.view.take();
            let outcome = match &mut view {
                Some(View::Kwic(v)) => self
                    .with_index(|index| v.on_action(action, &project, Some(index)))
                    .unwrap_or_else(|| v.on_action(action, &project, None)),
                _ => Outcome::Stay,
            };
            self.view = view;
            return self.apply_outcome(outcome);
        }
        let state = match &self.journal {
            Some(j) if self.coder != CONSENSUS => &j.state,
            _ => &self.readonly,
        };
        let outcome = match &mut self.view {
            Some(View::Agreement(v)) => v.on_action(action, &self.project, state),
            Some(View::Search(v)) => v.on_action(action, &self.project),
            // Re-sorting runs the keyword-in-context again: it borrows the index (below).
            Some(View::Kwic(_)) => Outcome::Stay,
            Some(View::Words(v)) => v.on_action(action, &self.project),
            Some(View::Clusters(v)) => v.on_action(action, &self.project),
            Some(View::Matrix(v)) => v.on_action(action, &self.project),
            Some(View::Review(v)) => v.on_action(action),
            Some(View::Cooccurrence(v)) => v.on_action(action, &self.project),
            Some(View::Memos(v)) => v.on_action(action),
            Some(View::Computing(v)) => v.on_action(action),
            None => Outcome::Stay,
        };
        self.apply_outcome(outcome);
        // Typing asks for a search; the answer comes back as a job, never blocking the key.
        if let Some(View::Search(v)) = &self.view
            && v.changed
        {
            self.run_search();
        }
        // A decision may have changed this coder's own codings (as the consensus coder).
        self.refresh();
    }

    pub(super) fn apply_outcome(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Stay => {}
            Outcome::AskMatrix(what, prompt, value) => {
                self.mode = Mode::Input(Input {
                    purpose: InputPurpose::Matrix(what),
                    prompt,
                    value,
                });
            }
            Outcome::Close => self.view = None,
            Outcome::ShowCode(id) => {
                self.parked = self.view.take();
                self.select_code(&id);
                self.set_focus(Focus::Codebook);
                let name = self.code_name(&id);
                self.say(format!("{name} · N: back to the memos"), false);
            }
            Outcome::Say(text, error) => self.say(text, error),
            Outcome::Export(req) => self.start_export(req),
            Outcome::Decide {
                disagreement,
                decision,
            } => self.decide(&disagreement, decision),
            Outcome::Accept { id, start } => self.accept_place(id, start),
            Outcome::Autocode {
                query,
                only,
                uncoded,
            } => self.autocode_hits(&query, only.as_deref(), uncoded),
            Outcome::Kwic(query) => {
                let project = Arc::clone(&self.project);
                let Some(view) = self.with_index(|index| KwicView::open(&project, index, query))
                else {
                    return self.say("the search index is still being built…", true);
                };
                // `/` (or `W`) comes back to the view it was opened from.
                if let Some(v @ (View::Search(_) | View::Words(_))) = self.view.take() {
                    self.parked = Some(v);
                }
                self.view = Some(View::Kwic(view));
            }
            Outcome::Drop { id } => {
                if let Some(c) = self.state().codings.get(&id).cloned() {
                    let msg = format!(
                        "{} dropped ({} to undo)",
                        self.code_name(&c.code),
                        keymap::key(Layer::Text, Action::Undo)
                    );
                    if self.record(vec![Op::Remove(c)], &msg) {
                        self.reload_review();
                    }
                }
            }
            Outcome::Select {
                transcript,
                start,
                end,
            } => {
                let Some(i) = self.project.index_of(&transcript) else {
                    return;
                };
                // From keyword in context, `/` (or `W`) goes back to the search (or words) it
                // came from.
                let current = self.view.take();
                if !matches!(current, Some(View::Kwic(_))) || self.parked.is_none() {
                    self.parked = current;
                }
                self.show_range(i, start, end);
                if end > start {
                    self.text.anchor = Some(start);
                    self.set_cursor(end - 1);
                }
                self.say(
                    format!(
                        "match selected: a digit or {} codes it · {}",
                        keymap::key(Layer::Text, Action::FilterCodes),
                        View::Search(SearchView::default()).back_hint()
                    ),
                    false,
                );
            }
            Outcome::Jump {
                transcript,
                start,
                end,
                layer,
            } => {
                let Some(i) = self.project.index_of(&transcript) else {
                    return;
                };
                if layer.is_some() {
                    self.layer = layer;
                }
                // Keep the view to come back to with A.
                self.parked = self.view.take();
                self.show_range(i, start, end);
                let back = self
                    .parked
                    .as_ref()
                    .map(View::back_hint)
                    .unwrap_or_default();
                self.say(format!("{transcript} {start}..{end} · {back}"), false);
            }
        }
    }

    /// Code the search's hits (or only the given matches) with the highlighted code, leaving
    /// out interviewer turns and what the coder has coded with it, as one undoable action.
    fn autocode_hits(
        &mut self,
        query: &Query,
        only: Option<&[(String, usize, usize)]>,
        uncoded: bool,
    ) {
        let Some((code, name)) = self.selected_code().map(|c| (c.id.clone(), c.name.clone()))
        else {
            return self.say(
                "highlight a code in the codebook first (Tab, or f to find one)",
                true,
            );
        };
        let state = self.journal.as_ref().map_or(&self.readonly, |j| &j.state);
        let planned = self.with_index(|index| {
            plan_autocode_with(
                &self.project,
                index,
                query,
                &code,
                &AutocodeOptions::default(),
                state,
            )
        });
        let plan = match planned {
            None => return self.say("the search index is still being built…", true),
            Some(Ok(plan)) => plan,
            Some(Err(e)) => return self.say(e.to_string(), true),
        };
        let mut codings = plan.codings;
        if let Some(only) = only {
            codings.retain(|c| {
                only.iter()
                    .any(|(t, s, e)| *t == c.transcript && c.start < *e && *s < c.end)
            });
        }
        if uncoded {
            // "Not coded yet" means by any of the coder's codes. Looked up per transcript (the
            // index), not by a scan of every coding for every hit.
            let mut on: std::collections::HashMap<String, Vec<&Coding>> = Default::default();
            codings.retain(|c| {
                !on.entry(c.transcript.clone())
                    .or_insert_with(|| state.of_transcript(&c.transcript))
                    .iter()
                    .any(|x| x.start < c.end && c.start < x.end)
            });
        }
        if codings.is_empty() {
            return self.say(format!("nothing to code with {name}: coded already"), false);
        }
        let n = codings.len();
        let left_out = if plan.interviewer_hits > 0 && only.is_none() {
            format!(", {} interviewer turn(s) left out", plan.interviewer_hits)
        } else {
            String::new()
        };
        let msg = format!("{name}: {n} passage(s) coded{left_out} · u undoes all");
        // The hits again, now that some are coded ("not coded" changes).
        if self.record(codings.into_iter().map(Op::Add).collect(), &msg)
            && matches!(self.view, Some(View::Search(_)))
        {
            self.run_search();
        }
    }

    /// The word-frequency view, as it was if it is the one parked by a jump.
    pub(super) fn open_words(&mut self) {
        let view = match self.parked.take() {
            Some(View::Words(v)) => v,
            other => {
                self.parked = other;
                Box::new(WordsView::open(&self.project))
            }
        };
        self.view = Some(View::Words(view));
    }

    /// The review view: this coder's codings that a transcript edit left without a certain
    /// place. Comes back as it was after a jump into the text.
    pub(super) fn open_review(&mut self) {
        let mut view = match self.parked.take() {
            Some(View::Review(v)) => v,
            other => {
                self.parked = other;
                ReviewView::default()
            }
        };
        view.reload(self.state());
        self.view = Some(View::Review(view));
    }

    /// The memo view: every memo of the coder at work, as it was left after a jump.
    pub(super) fn open_memos(&mut self) {
        let mut view = match self.parked.take() {
            Some(View::Memos(v)) => v,
            other => {
                self.parked = other;
                MemosView::default()
            }
        };
        let state = match &self.journal {
            Some(j) => &j.state,
            None => &self.readonly,
        };
        view.reload(&self.project, state);
        self.view = Some(View::Memos(view));
    }

    pub(super) fn reload_review(&mut self) {
        let state = match &self.journal {
            Some(j) => &j.state,
            None => &self.readonly,
        };
        if let Some(View::Review(v)) = &mut self.view {
            v.reload(state);
        }
    }

    /// Move a flagged coding to the candidate place the coder accepted: an edit to the current
    /// text (with its version), journaled and undoable like any boundary edit.
    pub(super) fn accept_place(&mut self, id: CodingId, start: usize) {
        let Some(c) = self.state().codings.get(&id).cloned() else {
            return;
        };
        let Some(t) = self.project.transcript(&c.transcript) else {
            return;
        };
        let end = start + c.text.chars().count();
        if end > t.len_chars() || t.slice(start, end) != c.text {
            return self.say("that place no longer holds the coding's text", true);
        }
        let before = Span {
            start: c.start,
            end: c.end,
            text: c.text.clone(),
            version: c.version.clone(),
        };
        let after = Span::of(t, start, end);
        let msg = format!(
            "{} placed at {start}..{end} ({} to undo)",
            self.code_name(&c.code),
            keymap::key(Layer::Text, Action::Undo)
        );
        if self.record(vec![Op::Edit { id, before, after }], &msg) {
            // Anchor it again: it is now exact on the current text.
            if let Some(j) = self.journal.as_mut() {
                let path = j.path.clone();
                let _ = self.project.check_codings(&path, &mut j.state);
            }
            // Its anchor changed outside the journal's ops: counted again.
            self.counts_key = None;
            self.refresh();
            self.reload_review();
        }
    }

    /// Settle a disagreement in the consensus coder's journal: the app's own when the coder at
    /// work is the consensus coder, else one the app opens for it once (a second lock on the
    /// same journal would be refused). Either way the write goes through the app, which then
    /// refreshes the index and the screen.
    pub(super) fn decide(&mut self, d: &Disagreement, decision: Decision) {
        let what = decision.label();
        let done = format!("consensus: {what} saved (codings/{CONSENSUS}.jsonl)");
        if self.coder != CONSENSUS && self.consensus.is_none() {
            match self.project.open_journal(CONSENSUS) {
                Ok(j) => self.consensus = Some(j),
                Err(e) => return self.say(format!("cannot open the consensus coder: {e}"), true),
            }
        }
        let planned = {
            let Some(t) = self.project.transcript(&d.transcript) else {
                return;
            };
            let journal = if self.coder == CONSENSUS {
                self.journal.as_ref()
            } else {
                self.consensus.as_ref()
            };
            let Some(j) = journal else {
                self.refuse_readonly();
                return;
            };
            reconcile::plan_decision(&j.state, t, d, decision)
        };
        let ops = match planned {
            Ok(ops) => ops,
            Err(e) => return self.say(format!("NOT saved: {e}"), true),
        };
        let saved = if ops.is_empty() {
            self.say(format!("consensus: {what} already so"), false);
            true
        } else if self.coder == CONSENSUS {
            self.record(ops, &done)
        } else {
            match self.consensus.as_mut().map(|j| j.record(ops)) {
                Some(Ok(_)) => {
                    if let Some(state) = self.consensus.as_ref().map(|j| j.state.clone()) {
                        self.project_mut()
                            .coders
                            .insert(CONSENSUS.to_string(), state);
                    }
                    self.index_dirty.insert(d.transcript.clone());
                    self.say(done, false);
                    true
                }
                Some(Err(e)) => {
                    self.say(format!("NOT saved: {e}"), true);
                    false
                }
                None => false,
            }
        };
        if saved && let Some(View::Agreement(v)) = &mut self.view {
            v.decided(d, decision);
        }
    }

    pub(super) fn open_search(&mut self) {
        // Let the index see codings made since it was built, for the "not coded" filter (in
        // the worker, before the search asked for below).
        self.sync_coder();
        self.refresh_index();
        let view = match self.parked.take() {
            Some(View::Search(v)) => v,
            other => {
                self.parked = other;
                SearchView::default()
            }
        };
        self.view = Some(View::Search(view));
        self.run_search();
    }

    pub(super) fn open_agreement(&mut self) {
        // The view counts from the project (its codings are checked against their texts there
        // first, see `open_in_background`): it gets this coder's latest codings.
        self.sync_coder();
        if matches!(self.parked, Some(View::Agreement(_)))
            && let Some(View::Agreement(mut v)) = self.parked.take()
        {
            let what = format!("the agreement of {} and {}", v.a, v.b);
            return self.open_in_background(what, Layer::Agreement, move |project| {
                // No live state of its own: the project's copies are the current ones.
                v.refresh(project, &CoderState::default());
                Ok(View::Agreement(v))
            });
        }
        // Compare this coder with the second layer's coder, else with the first other coder;
        // a coder with no codings yet compares the project's first two coders.
        let others: Vec<String> = self
            .project
            .coders
            .keys()
            .filter(|c| **c != self.coder && *c != CONSENSUS)
            .filter(|c| !self.project.coders[*c].codings.is_empty())
            .cloned()
            .collect();
        // The consensus coder reconciles the others: it is not one of the two compared.
        let own = !self.state().codings.is_empty() && self.coder != CONSENSUS;
        let (a, b) = match (&self.layer, others.first()) {
            (Some(l), _) if own => (self.coder.clone(), l.clone()),
            (None, Some(o)) if own => (self.coder.clone(), o.clone()),
            _ if others.len() >= 2 => (others[0].clone(), others[1].clone()),
            _ => return self.say("agreement needs two coders with codings", true),
        };
        let what = format!("the agreement of {a} and {b}");
        self.open_in_background(what, Layer::Agreement, move |project| {
            let a_state = project
                .coders
                .get(&a)
                .ok_or_else(|| format!("no coder \"{a}\""))?;
            AgreementView::open(project, a_state, &b).map(|v| View::Agreement(Box::new(v)))
        });
    }

    /// Give the project this coder's latest codings (the journal is fresher than the copy
    /// loaded at start-up), for the views that count from the project.
    pub(super) fn sync_coder(&mut self) {
        // Only after a change: the project may be shared with a search, and changing it then
        // copies it.
        if self.coder_synced {
            return;
        }
        if let Some(state) = self.journal.as_ref().map(|j| j.state.clone()) {
            let coder = self.coder.clone();
            self.project_mut().coders.insert(coder, state);
        }
        self.coder_synced = true;
    }

    /// Whose codings the clusters and the matrix count: the coder at work, or, while that coder
    /// has none yet (a first look at a project), the first coder who has.
    pub(super) fn counted_coder(&self) -> String {
        if !self.state().codings.is_empty() {
            return self.coder.clone();
        }
        let other = self
            .project
            .coders
            .iter()
            .find(|(name, s)| **name != self.coder && !s.codings.is_empty());
        match other {
            Some((name, _)) => name.clone(),
            None => self.coder.clone(),
        }
    }

    /// The clusters view on the code highlighted in the codebook. The view left by a jump into
    /// the text comes back as it was while the highlight is unchanged.
    pub(super) fn open_clusters(&mut self) {
        let Some(code) = self.selected_code().map(|c| c.id.clone()) else {
            return self.say("no code highlighted in the codebook", true);
        };
        self.sync_coder();
        let what = format!("the clusters of {}", self.code_name(&code));
        match self.parked.take() {
            Some(View::Clusters(mut v)) if v.opened_on == code => {
                self.open_in_background(what, Layer::Clusters, move |project| {
                    v.reload(project).map(|()| View::Clusters(v))
                });
            }
            other => {
                self.parked = other;
                let who = self.counted_coder();
                self.open_in_background(what, Layer::Clusters, move |project| {
                    ClustersView::open(project, &who, &code, None, None)
                        .map(|v| View::Clusters(Box::new(v)))
                });
            }
        }
    }

    /// The co-occurrence view; the one left by a jump comes back as it was, counted again.
    /// Computed off the UI thread like the matrix: it counts codings on transcripts never
    /// opened, whose texts are read and checked first (`open_in_background`).
    pub(super) fn open_cooccurrence(&mut self) {
        self.sync_coder();
        let what = "the co-occurrences".to_string();
        match self.parked.take() {
            Some(View::Cooccurrence(mut v)) => {
                self.open_in_background(what, Layer::Cooccurrence, move |project| {
                    v.reload(project).map(|()| View::Cooccurrence(v))
                });
            }
            other => {
                self.parked = other;
                let who = self.counted_coder();
                self.open_in_background(what, Layer::Cooccurrence, move |project| {
                    CooccurrenceView::open(project, &who).map(|v| View::Cooccurrence(Box::new(v)))
                });
            }
        }
    }

    /// The code matrix; the one left by a jump comes back as it was, counted again.
    pub(super) fn open_matrix(&mut self) {
        self.sync_coder();
        let what = "the code matrix".to_string();
        match self.parked.take() {
            Some(View::Matrix(mut v)) => {
                self.open_in_background(what, Layer::Matrix, move |project| {
                    v.reload(project).map(|()| View::Matrix(v))
                });
            }
            other => {
                self.parked = other;
                let who = self.counted_coder();
                self.open_in_background(what, Layer::Matrix, move |project| {
                    MatrixView::open(project, &who).map(|v| View::Matrix(Box::new(v)))
                });
            }
        }
    }
}
