//! The handle the editor's views use to read and change the open report.

use std::rc::Rc;

use dreieck_model::{ModelError, Report, Role};
use leptos::prelude::*;

use crate::state::session::{SaveStatus, Session};
use crate::sync::link::Link;
use crate::sync::shared::Shared;

/// A `Copy` handle to the open [`Session`], for view closures.
///
/// Reads are not reactive by themselves: a view that should follow changes calls
/// [`Editor::track`] first, which ties it to the session's revision. Typing does not bump the
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

    /// Subscribes the current reactive scope to changes other than typing in place.
    pub fn track(self) {
        self.session.with_value(|s| s.revision.track());
    }

    /// Reads the report (not reactive; see [`Editor::track`]). `None` once the editor is gone.
    pub fn read<R>(self, f: impl FnOnce(&Report) -> R) -> Option<R> {
        self.session.try_with_value(|s| s.read(f))
    }

    /// An edit made by typing into the field that shows it: nothing else re-renders.
    pub fn type_in(self, f: impl FnOnce(&mut Report) -> Result<(), ModelError>) {
        self.session.with_value(|s| s.edit(false, f));
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

    /// The last refused edit, in German (tracked).
    pub fn notice(self) -> Option<String> {
        self.session.try_with_value(|s| s.notice.get()).flatten()
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
