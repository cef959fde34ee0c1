//! "Für alle löschen": signing the deletion and asking the relay to purge the room, and what
//! every device does when the relay hands it a deletion record — drop its copy if someone who
//! may delete signed it (checked against this device's own member list), keep it otherwise.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::Session;
use crate::state::deleted_reports::{self, DeletedReport};
use crate::state::platform::now_ms;
use crate::sync::rng::WebRng;
use dreieck_model::Role;

/// Shown when the relay's record does not hold (signed by nobody who may delete, or not for
/// this report): the relay took the report down all the same, so syncing has ended.
pub const REFUSED_DELETION: &str = dreieck_texts::standard::STANDARD.notice_refused_deletion;

impl Session {
    /// The role this device may delete the report for everyone as (tracked by nothing: ask
    /// again when the member list changes).
    pub fn may_delete_for_everyone(&self) -> Option<Role> {
        self.read(|r| r.may_delete_as())
    }

    /// Deletes the report for everyone: signs the deletion as `as_role` and asks the relay to
    /// purge the room. The copy here goes when the relay confirms (as on every device); the
    /// German reason when it cannot start (no connection, not allowed).
    pub fn delete_for_everyone(&self, as_role: Role) -> Result<(), String> {
        let record = self
            .read(|r| r.sign_deletion(as_role, now_ms() as i64))
            .map_err(|e| e.to_string())?;
        let link = self.link().ok_or_else(|| {
            "Dieser Bericht ist nicht geteilt. Löschen Sie ihn auf diesem Gerät.".to_string()
        })?;
        if link.purge(&record, &mut WebRng) {
            Ok(())
        } else {
            Err("Für alle löschen geht nur mit Verbindung zum Server. \
                 Bitte versuchen Sie es, sobald die Verbindung steht."
                .to_string())
        }
    }

    /// The relay deleted the room and handed over `record` (hostile until checked).
    pub(super) fn purged(&self, record: &[u8]) {
        let Some(notice) = self.read(|r| r.check_deletion(record, now_ms() as i64)) else {
            leptos::logging::warn!("sync: deletion record refused");
            self.notice.set(Some(super::Notice {
                standard: REFUSED_DELETION.to_string(),
                plain: dreieck_texts::plain::PLAIN
                    .notice_refused_deletion
                    .to_string(),
            }));
            return;
        };
        let id = self.id();
        let entry = DeletedReport::from_notice(&id, &self.title.get_untracked(), notice);
        // Remembered first: should the page close before the copy is gone, the case list
        // still says what happened (and the copy goes at the next opening).
        if let Err(e) = deleted_reports::add(entry.clone()) {
            leptos::logging::warn!("deletion not remembered: {e}");
        }
        // Nothing more is written for this report, then its stored copy goes.
        self.gone.set(true);
        let store = self.inner.borrow().store.clone();
        spawn_local(async move {
            match store.delete(&id).await {
                Ok(()) => super::forget(&id),
                Err(e) => leptos::logging::warn!("deleted report not removed: {e}"),
            }
        });
        self.deleted.set(Some(entry));
    }
}
