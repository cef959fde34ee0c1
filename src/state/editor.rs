//! The handle the editor's views use to read and change the open report.

use std::rc::Rc;

use dreieck_model::text_control::TextTarget;
use dreieck_model::{FieldEdit, ModelError, Report, Role};
use leptos::prelude::*;

use crate::state::session::{SaveStatus, Session};
use crate::sync::link::Link;
use crate::sync::shared::Shared;

/// A `Copy` handle to the open [`Session`], for view closures.
///
/// Reads are not reactive by themselves: a view that should follow changes calls
/// [`Editor::track_field`] first, which ties it to the session's revision. Typing does not bump the
/// revision, so a keystroke re-renders nothing but the field's own DOM (which the browser
/// already updated).
#[derive(Clone, Copy)]
pub struct Editor {
    session: StoredValue<Session, LocalStorage>,
}

impl Editor {
    pub fn new(session: Session) -> Editor {
        Editor {
            session: StoredValue::new_local(session),
        }
    }

    /// Subscribes the current reactive scope to changes of `field` (a template field id, or
    /// [`crate::state::session::GOALS`]) made other than by typing in place: structural edits
    /// on this device, and peers' changes that touched this field.
    pub fn track_field(self, field: &str) {
        self.session.with_value(|s| {
            s.revision.track();
            s.field_revision(field).track();
        });
    }

    /// Subscribes the current reactive scope to changes of the fields a condition
    /// (`shown_when`) looks at: what is shown follows them, wherever they are set, and not
    /// every keystroke elsewhere.
    pub fn track_conditions(self) {
        self.session.with_value(|s| {
            s.revision.track();
            for field in s.condition_fields() {
                s.field_revision(&field).track();
            }
        });
    }

    /// Subscribes the current reactive scope to every change, typing included (signature
    /// lines: any change may outdate a signature).
    pub fn track_all(self) {
        self.session.with_value(|s| s.changes.track());
    }

    /// Reads the report (not reactive; see [`Editor::track_field`]). `None` once the editor is gone.
    pub fn read<R>(self, f: impl FnOnce(&Report) -> R) -> Option<R> {
        self.session.try_with_value(|s| s.read(f))
    }

    /// Who changed `field` when, newest first (on request: it walks every change).
    pub fn field_history(self, field: &str) -> Result<Vec<FieldEdit>, String> {
        self.session
            .try_with_value(|s| s.field_history(field).map_err(|e| e.to_string()))
            .unwrap_or_else(|| Ok(Vec::new()))
    }

    /// Reads the template (labels, code lists, sections): never waits for peers' changes.
    pub fn template<R>(self, f: impl FnOnce(&dreieck_model::Template) -> R) -> Option<R> {
        self.session.try_with_value(|s| s.with_template(f))
    }

    /// An edit made by typing into the field that shows it: nothing else re-renders.
    pub fn type_in(self, f: impl FnOnce(&mut Report) -> Result<(), ModelError>) {
        self.session.with_value(|s| s.edit(false, f));
    }

    /// Typing into a text field (peers get the splice and can show it at once).
    pub fn type_text(
        self,
        role: Role,
        target: &TextTarget,
        edit: &dreieck_model::text_control::TextEdit,
        shown_len: usize,
        value: &str,
    ) {
        self.session
            .with_value(|s| s.type_text(role, target, edit, shown_len, value));
    }

    /// Takes back this person's last typing in `field`, or makes it again (`redo`); returns
    /// the edits made for the field's view to show.
    pub fn undo(
        self,
        role: Role,
        target: &TextTarget,
        redo: bool,
    ) -> Vec<dreieck_model::text_control::TextEdit> {
        self.session
            .try_with_value(|s| s.undo(role, target, redo))
            .unwrap_or_default()
    }

    /// Subscribes to changes of `target` made elsewhere than by typing into it (tracked).
    pub fn track_text(self, target: &TextTarget) {
        match target {
            TextTarget::Field(field) => self.track_field(field),
            TextTarget::Goal { .. } => self.track_field(crate::state::session::GOALS),
        }
    }

    /// The text of `target` now (empty once the editor is gone or the text is missing).
    pub fn read_text(self, target: &TextTarget) -> String {
        self.read(|r| r.target_text(target).unwrap_or_default())
            .unwrap_or_default()
    }

    /// Undo or redo in the field typed in last (the buttons in the editor bar).
    pub fn undo_last(self, role: Role, redo: bool) {
        self.session.with_value(|s| s.undo_last(role, redo));
    }

    /// Whether there is something to undo and to redo there (tracked).
    pub fn undo_state(self) -> (bool, bool) {
        self.session
            .try_with_value(|s| s.undo_state.get())
            .unwrap_or((false, false))
    }

    /// A signature was made: undo must not reach behind it.
    pub fn forget_undo(self) {
        self.session.with_value(|s| s.forget_undo());
    }

    /// Splices of peers' keystrokes to show in `field` before the document has them (tracked;
    /// the view takes them out with [`Editor::take_previews`]).
    pub fn track_previews(self, field: &str) {
        self.session.with_value(|s| s.previews(field).track());
    }

    /// Takes the edits waiting for `field`, in order.
    pub fn take_previews(self, field: &str) -> Vec<dreieck_model::text_control::TextEdit> {
        self.session
            .try_with_value(|s| {
                let signal = s.previews(field);
                let mut taken = Vec::new();
                signal.update_untracked(|v| taken = std::mem::take(v));
                taken
            })
            .unwrap_or_default()
    }

    /// Any other edit (choices, dates, goals, resolving a conflict): views re-read.
    pub fn change(self, f: impl FnOnce(&mut Report) -> Result<(), ModelError>) {
        self.session.with_value(|s| s.edit(true, f));
    }

    /// The save indicator's state (tracked).
    pub fn status(self) -> SaveStatus {
        self.session
            .try_with_value(|s| s.status.get())
            .unwrap_or(SaveStatus::Saved)
    }

    /// The last refused edit, in both variants (tracked).
    pub fn notice(self) -> Option<crate::state::session::Notice> {
        self.session.try_with_value(|s| s.notice.get()).flatten()
    }

    /// Changes from elsewhere the gate refused, with who and why (tracked).
    pub fn refused(self) -> Vec<dreieck_model::trust::Refusal> {
        self.session
            .try_with_value(|s| s.refused.get())
            .unwrap_or_default()
    }

    /// Removes a participant, signed with this device's key for `as_role` (see
    /// [`crate::state::session::Session::remove_member`]).
    pub fn remove_member(self, as_role: Role, key: [u8; 32]) {
        self.session.with_value(|s| s.remove_member(as_role, &key));
    }

    /// Withdraws the invitation with `key` (nothing moves; see `Session::withdraw_invitation`).
    pub fn withdraw_invitation(self, as_role: Role, key: [u8; 32]) {
        self.session
            .with_value(|s| s.withdraw_invitation(as_role, &key));
    }

    /// The role this device may delete the report for everyone as (tracked).
    pub fn may_delete_for_everyone(self) -> Option<Role> {
        self.session
            .try_with_value(|s| {
                s.revision.track();
                s.may_delete_for_everyone()
            })
            .flatten()
    }

    /// Deletes the report for everyone (see `Session::delete_for_everyone`).
    pub fn delete_for_everyone(self, as_role: Role) -> Result<(), String> {
        self.session
            .try_with_value(|s| s.delete_for_everyone(as_role))
            .unwrap_or_else(|| Err("Der Bericht ist nicht mehr geöffnet.".to_string()))
    }

    /// The deletion this device accepted for the report, once it was deleted (tracked).
    pub fn deleted(self) -> Option<crate::state::deleted_reports::DeletedReport> {
        self.session.try_with_value(|s| s.deleted.get()).flatten()
    }

    /// Whether the report moved on to a room this device cannot open (tracked).
    pub fn moved_away(self) -> bool {
        self.session
            .try_with_value(|s| s.moved_away.get())
            .unwrap_or_default()
    }

    /// The beneficiary's name as last saved (tracked); "" while empty.
    pub fn title(self) -> String {
        self.session
            .try_with_value(|s| s.title.get())
            .unwrap_or_default()
    }

    /// Writes what is pending again ("Erneut versuchen").
    pub fn retry(self) {
        self.session.with_value(|s| s.retry());
    }

    /// The relay connection of a shared report (tracked: views follow sharing starting and
    /// ending).
    pub fn link(self) -> Option<Link> {
        self.session
            .try_with_value(|s| {
                s.link_revision.track();
                s.link()
            })
            .flatten()
    }

    /// The relay connection, read without tracking (event handlers).
    pub fn link_untracked(self) -> Option<Link> {
        self.session.try_with_value(|s| s.link()).flatten()
    }

    /// Shares the report in a new room (see [`Session::share`]).
    pub fn share(self, shared: Shared, role: Rc<dyn Fn() -> Role>) -> Result<(), String> {
        self.session
            .try_with_value(|s| s.share(shared, role))
            .unwrap_or_else(|| Err("Der Bericht ist nicht mehr geöffnet.".to_string()))
    }

    /// The open session, for work that outlives a borrow of the report (creating a follow-up).
    pub fn session(self) -> Option<Session> {
        self.session.try_get_value()
    }

    pub fn id(self) -> String {
        self.session.try_with_value(|s| s.id()).unwrap_or_default()
    }
}

/// The editor handle of the report being shown. Only the editor's views ask for it, and the
/// editor provides it before rendering them.
pub fn use_editor() -> Editor {
    expect_context::<Editor>()
}
