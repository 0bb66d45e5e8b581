//! Background work's results, delivered as `Msg::Job`.

use super::*;

/// The search index, built in the background at start-up.
pub enum IndexState {
    Building { done: usize, total: usize },
    Ready(Box<Index>),
    Failed(String),
}

/// Results of background work, delivered as [`Msg::Job`].
pub enum Job {
    IndexProgress { done: usize, total: usize },
    IndexReady(Result<(Box<Index>, Option<String>), String>),
}

impl App {
    /// Deliver the result of background work.
    pub(super) fn on_job(&mut self, job: Job) {
        match job {
            Job::IndexProgress { done, total } => self.index = IndexState::Building { done, total },
            Job::IndexReady(Ok((index, message))) => {
                self.index = IndexState::Ready(index);
                // A notice about the index must not hide what the coder just did.
                if let Some(m) = message.filter(|_| self.message.is_none()) {
                    self.say(m, false);
                }
                if let Some(View::Search(v)) = &mut self.view {
                    let i = match &self.index {
                        IndexState::Ready(i) => Some(&**i),
                        _ => None,
                    };
                    let state = self.journal.as_ref().map_or(&self.readonly, |j| &j.state);
                    v.run(&self.project, i, state);
                }
            }
            Job::IndexReady(Err(e)) => {
                self.say(format!("search index: {e}"), true);
                self.index = IndexState::Failed(e);
            }
        }
    }

    pub fn index_status(&self) -> String {
        match &self.index {
            IndexState::Building { done, total } if *total > 0 => {
                format!("(indexing {done}/{total}…) ")
            }
            IndexState::Building { .. } => "(indexing…) ".into(),
            IndexState::Failed(e) => format!("(no index: {e}) "),
            IndexState::Ready(_) => String::new(),
        }
    }
}
