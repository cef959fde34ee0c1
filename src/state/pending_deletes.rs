//! Deleting with undo: the report is only hidden while the "Rückgängig" toast is up, and
//! deleted from storage when it expires.
//!
//! Deleting late instead of restoring later means undo cannot fail, and if the tab is closed
//! before the toast expires the report simply stays: nothing is ever lost by accident.

use std::time::Duration;

use dreieck::storage::ReportStore;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::state::session;

/// How long "Rückgängig" is offered.
pub const UNDO_WINDOW: Duration = Duration::from_secs(10);

/// One report waiting to be deleted.
#[derive(Clone, Debug)]
pub struct PendingDelete {
    pub id: String,
    pub title: String,
    timer: Option<TimeoutHandle>,
    /// The storage delete has started; undo is no longer possible.
    pub deleting: bool,
}

/// The reports hidden for deletion, app-wide so that the delete still happens (or can be
/// undone) after navigating to another view.
#[derive(Clone, Copy)]
pub struct PendingDeletes {
    list: RwSignal<Vec<PendingDelete>>,
    /// A delete that failed, in German; the report is shown again.
    pub error: RwSignal<Option<String>>,
    /// Bumped after each delete that reached storage, so the case list reloads.
    pub deleted: RwSignal<u64>,
    store: StoredValue<ReportStore, LocalStorage>,
}

impl PendingDeletes {
    pub fn new(store: ReportStore) -> PendingDeletes {
        PendingDeletes {
            list: RwSignal::new(Vec::new()),
            error: RwSignal::new(None),
            deleted: RwSignal::new(0),
            store: StoredValue::new_local(store),
        }
    }

    /// The pending deletes, for the toasts (tracked).
    pub fn items(self) -> Vec<PendingDelete> {
        self.list.get()
    }

    /// Whether `id` is hidden for deletion (tracked).
    pub fn is_pending(self, id: &str) -> bool {
        self.list.with(|l| l.iter().any(|p| p.id == id))
    }

    /// Hides the report and deletes it when the undo window has passed.
    pub fn schedule(self, id: String, title: String) {
        if self.list.with_untracked(|l| l.iter().any(|p| p.id == id)) {
            return;
        }
        let timer_id = id.clone();
        let timer = set_timeout_with_handle(move || self.expire(&timer_id), UNDO_WINDOW);
        match timer {
            Ok(handle) => self.list.update(|l| {
                l.push(PendingDelete {
                    id,
                    title,
                    timer: Some(handle),
                    deleting: false,
                })
            }),
            // Without a timer there would be no undo window: refuse rather than delete at once.
            Err(_) => self.error.set(Some(
                "Löschen ist gerade nicht möglich. Bitte noch einmal versuchen.".to_string(),
            )),
        }
    }

    /// Undo: the report stays and is shown again.
    pub fn undo(self, id: &str) {
        let mut removed = None;
        self.list.update(|l| {
            if let Some(pos) = l.iter().position(|p| p.id == id && !p.deleting) {
                removed = Some(l.remove(pos));
            }
        });
        if let Some(timer) = removed.and_then(|p| p.timer) {
            timer.clear();
        }
    }

    fn expire(self, id: &str) {
        let mut found = false;
        self.list.update(|l| {
            if let Some(p) = l.iter_mut().find(|p| p.id == id) {
                p.deleting = true;
                p.timer = None;
                found = true;
            }
        });
        if !found {
            return;
        }
        let Some(store) = self.store.try_get_value() else {
            return;
        };
        let id = id.to_string();
        spawn_local(async move {
            let result = store.delete(&id).await;
            let title = self
                .list
                .with_untracked(|l| l.iter().find(|p| p.id == id).map(|p| p.title.clone()))
                .unwrap_or_default();
            self.list.update(|l| l.retain(|p| p.id != id));
            match result {
                Ok(()) => {
                    session::forget(&id);
                    self.deleted.update(|n| *n += 1);
                }
                Err(e) => self.error.set(Some(format!(
                    "Der Bericht von {title} wurde nicht gelöscht: {e}"
                ))),
            }
        });
    }
}
