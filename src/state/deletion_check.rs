//! Learning of a deletion for everyone without opening the report.
//!
//! The relay tells a device that a room was purged when the device connects to it, before
//! anything else (`Purged` before `Admitted`). An open report is connected anyway; the others
//! are not, so a device that was away during a deletion would keep its copy until somebody
//! opened it. So at the start of the app and whenever the device comes back online, each
//! shared report that is not open is connected to once, one after the other: when the relay
//! answers with a deletion record, it is checked against the report's own member list (as in
//! the open report, `Report::check_deletion`) and the copy goes; when it admits the device, the
//! link is closed again at once. The link is a probe (`Link::probe`): admitted, it asks for
//! no catch-up, so the relay sends nothing of the report's log and fans nothing out to it —
//! a check costs a handshake of a few hundred bytes. Nothing of the report is sent or kept
//! (it syncs for real when it is opened), and each report is asked at most once every ten
//! minutes.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use automerge::ChangeHash;
use dreieck::storage::ReportStore;
use dreieck_model::Report;
use dreieck_session::status::State;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::state::app_context::AppContext;
use crate::state::deleted_reports::{self, DeletedReport};
use crate::state::platform::now_ms;
use crate::state::session;
use crate::sync::link::{browser_online, Link, LinkedDoc};
use crate::sync::shared;

/// A report is asked again only after this long (ms).
const AGAIN_AFTER_MS: f64 = 10.0 * 60.0 * 1000.0;
/// How long one report may take to answer before the next is asked (ms).
const ANSWER_WITHIN_MS: f64 = 20_000.0;

thread_local! {
    /// When each report was last asked, and whether a sweep is under way.
    static ASKED: RefCell<HashMap<String, f64>> = RefCell::new(HashMap::new());
    static RUNNING: Cell<bool> = const { Cell::new(false) };
}

/// Asks now, and again each time the browser comes back online.
pub fn watch(app: AppContext) {
    sweep(app);
    let handle = window_event_listener(leptos::ev::online, move |_| sweep(app));
    // The app lives as long as the page: the listener stays.
    std::mem::forget(handle);
}

fn sweep(app: AppContext) {
    if RUNNING.with(Cell::get) || !browser_online() {
        return;
    }
    let Some(store) = app.store() else {
        return;
    };
    RUNNING.with(|r| r.set(true));
    spawn_local(async move {
        let summaries = store.summaries().await.unwrap_or_default();
        for summary in summaries {
            let id = summary.id.clone();
            let Some(room) = shared::load(&id) else {
                continue;
            };
            let now = now_ms();
            let recent = ASKED.with(|a| {
                a.borrow()
                    .get(&id)
                    .is_some_and(|t| now - t < AGAIN_AFTER_MS)
            });
            if recent || session::is_open(&id) || !browser_online() {
                continue;
            }
            ASKED.with(|a| a.borrow_mut().insert(id.clone(), now));
            if ask(app, &store, &id, &summary.title, room).await {
                app.deletes.deleted.update(|n| *n += 1);
            }
        }
        RUNNING.with(|r| r.set(false));
    });
}

/// Connects to the report's room until the relay admits the device or says it was deleted;
/// whether the copy here was dropped.
async fn ask(
    app: AppContext,
    store: &ReportStore,
    id: &str,
    title: &str,
    room: shared::Shared,
) -> bool {
    let record = Rc::new(RefCell::new(None::<Vec<u8>>));
    let doc = Rc::new(Probe {
        record: record.clone(),
    });
    let link = Link::probe(id, room, doc, Rc::new(move || app.role.get_untracked()));
    let started = now_ms();
    loop {
        crate::state::platform::sleep(100).await;
        let state = link.status.with_untracked(|s| s.state.clone());
        // Admitted means not deleted (a deletion comes first); a probe asks for nothing more.
        let answered =
            record.borrow().is_some() || link.admitted() || !matches!(state, State::Connecting);
        if answered || now_ms() - started > ANSWER_WITHIN_MS {
            break;
        }
    }
    link.close();
    let Some(bytes) = record.borrow_mut().take() else {
        return false;
    };
    drop_if_deleted(store, id, title, &bytes).await
}

/// Checks the relay's record against the stored report's own member list, and drops the copy
/// if it holds.
async fn drop_if_deleted(store: &ReportStore, id: &str, title: &str, record: &[u8]) -> bool {
    let Ok(bytes) = store.load(id).await else {
        return false;
    };
    let Ok(report) = Report::load(&bytes) else {
        return false;
    };
    let Some(notice) = report.check_deletion(record, now_ms() as i64) else {
        leptos::logging::warn!("sync: deletion record refused");
        return false;
    };
    let entry = DeletedReport::from_notice(id, title, notice);
    // Remembered first: should the page close before the copy is gone, the case list says
    // what happened and removes the copy then.
    if let Err(e) = deleted_reports::add(entry) {
        leptos::logging::warn!("deletion not remembered: {e}");
    }
    match store.delete(id).await {
        Ok(()) => {
            session::forget(id);
            true
        }
        Err(e) => {
            leptos::logging::warn!("deleted report not removed: {e}");
            false
        }
    }
}

/// Stands in for the report while asking: takes nothing, sends nothing, keeps the record.
struct Probe {
    record: Rc<RefCell<Option<Vec<u8>>>>,
}

impl LinkedDoc for Probe {
    fn apply(&self, _bytes: &[u8]) -> Result<(), String> {
        Ok(())
    }
    fn save(&self) -> Option<Vec<u8>> {
        None
    }
    fn save_after(&self, _heads: &[ChangeHash]) -> Option<Vec<u8>> {
        None
    }
    fn heads(&self) -> Option<Vec<ChangeHash>> {
        None
    }
    fn purged(&self, record: &[u8]) {
        *self.record.borrow_mut() = Some(record.to_vec());
    }
}
