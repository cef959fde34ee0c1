//! Undo and redo of this person's own typing (see `dreieck_model::undo`): the histories
//! follow every edit from elsewhere, and a signature makes them forget.

use dreieck_model::text_control::{TextEdit, TextTarget};
use dreieck_model::Role;
use leptos::prelude::*;

use super::{Session, GOALS};
use crate::state::platform::now_ms;

impl Session {
    /// Takes back this person's last typing in `target` (or makes it again: `redo`), never a
    /// peer's. Returns the edits made, for the text's view to show.
    pub fn undo(&self, role: Role, target: &TextTarget, redo: bool) -> Vec<TextEdit> {
        self.flush_live();
        let text = match self.inner.borrow().report.target_text(target) {
            Ok(text) => text,
            Err(_) => return Vec::new(),
        };
        let key = target.key();
        let edits = {
            let mut histories = self.histories.borrow_mut();
            let Some(history) = histories.get_mut(&key) else {
                return Vec::new();
            };
            if redo {
                history.redo(&text)
            } else {
                history.undo(&text)
            }
        };
        if edits.is_empty() {
            return edits;
        }
        let mut made = Vec::new();
        let (outcome, bytes) = {
            let mut inner = self.inner.borrow_mut();
            let inner = &mut *inner;
            inner.report.set_now_ms(now_ms() as i64);
            let mut text = text;
            let mut outcome = Ok(None);
            for edit in &edits {
                let len = text.chars().count();
                let after = edit.apply(&text);
                outcome = inner.report.type_edit(role, target, edit, len, &after);
                if outcome.is_err() {
                    break;
                }
                made.push(edit.clone());
                text = after;
            }
            inner.report.take_recorded_input();
            let bytes = inner.report.save_incremental();
            inner.autosave.edited(&bytes);
            (outcome, bytes)
        };
        // One edit travels with its splice; several in one change take the normal path.
        let splice = outcome.map(|t| {
            t.filter(|_| made.len() == 1)
                .and_then(|t| t.index.map(|i| (i, t.splice)))
        });
        self.typed_out(splice, &bytes, None);
        *self.last_typed.borrow_mut() = Some(target.clone());
        self.refresh_undo_state();
        made
    }

    /// Undo or redo (`redo`) in the text this person typed in last (the buttons in the
    /// editor bar, for touch screens): its view shows the edits like any from elsewhere.
    pub fn undo_last(&self, role: Role, redo: bool) {
        let Some(target) = self.last_typed.borrow().clone() else {
            return;
        };
        let edits = self.undo(role, &target, redo);
        if edits.is_empty() {
            return;
        }
        let key = target.key();
        let signal = self.live.borrow().previews.get(&key).cloned();
        match (signal, &target) {
            (Some(signal), _) => signal.update(|v| v.extend(edits)),
            // No view shows it (a section out of sight): it re-reads when shown.
            (None, TextTarget::Field(field)) => self.bump_touched(field),
            (None, TextTarget::Goal { .. }) => self.bump_touched(GOALS),
        }
    }

    /// The undo buttons' state, for the text typed in last.
    pub(super) fn refresh_undo_state(&self) {
        let state = self
            .last_typed
            .borrow()
            .as_ref()
            .map_or((false, false), |t| {
                self.histories
                    .borrow()
                    .get(&t.key())
                    .map_or((false, false), |h| (h.can_undo(), h.can_redo()))
            });
        if self.undo_state.get_untracked() != state {
            self.undo_state.set(state);
        }
    }

    /// This person's typing histories move with changes from elsewhere; a field changed in a
    /// way no splice describes forgets its history, and a signature line touched forgets all.
    pub(super) fn follow_in_histories(&self, touched: &dreieck_model::Touched) {
        let mut histories = self.histories.borrow_mut();
        if histories.is_empty() {
            return;
        }
        let signed = self.with_template(|t| {
            touched.fields.iter().any(|f| {
                t.field(f)
                    .is_some_and(|f| matches!(f.kind, dreieck_model::FieldKind::Signature { .. }))
            })
        });
        if signed || touched.everything {
            histories.clear();
        } else {
            for field in &touched.fields {
                match (touched.edits.get(field), histories.get_mut(field)) {
                    (Some(edits), Some(history)) => edits.iter().for_each(|e| history.follow(e)),
                    (None, Some(history)) => history.clear(),
                    _ => {}
                }
            }
            // Goals' texts: keyed apart from the fields (`TextTarget::key`).
            for (key, history) in histories.iter_mut() {
                if touched.fields.contains(key) {
                    continue;
                }
                if touched.rewritten(key) {
                    history.clear();
                } else if let Some(edits) = touched.edits.get(key) {
                    edits.iter().for_each(|e| history.follow(e));
                }
            }
        }
        drop(histories);
        self.refresh_undo_state();
    }

    /// Forgets every field's undo history: a signature was made, and undo must never reach
    /// behind it.
    pub fn forget_undo(&self) {
        self.histories.borrow_mut().clear();
        self.refresh_undo_state();
    }
}
