//! The session against real IndexedDB, in headless Chromium.

use dreieck::storage::ReportStore;
use dreieck_model::{Report, Role};
use wasm_bindgen_test::wasm_bindgen_test;

use super::*;
use crate::state::test_support::{sleep, store, until};
use dreieck_session::autosave::{COMPACT_AFTER, COMPACT_HARD_LIMIT, COMPACT_LIMIT};

const TEMPLATE: &str = "kvjs-ergebnisbericht";

async fn until_saved(session: &Session) {
    for _ in 0..500 {
        if !session.has_unsaved() {
            return;
        }
        sleep(10).await;
    }
    panic!("the session did not finish saving");
}

async fn stored(store: &ReportStore, id: &str) -> Report {
    let bytes = match store.load(id).await {
        Ok(b) => b,
        Err(e) => panic!("load failed: {e}"),
    };
    match Report::load(&bytes) {
        Ok(r) => r,
        Err(e) => panic!("stored bytes do not load: {e}"),
    }
}

async fn new_session(store: &ReportStore) -> (String, Session) {
    let template = dreieck_model::builtin_templates().remove(0);
    assert_eq!(template.id, TEMPLATE);
    let id = match Session::create(store.clone(), &template).await {
        Ok(id) => id,
        Err(e) => panic!("create failed: {e}"),
    };
    match Session::open(store.clone(), &id).await {
        Ok(s) => (id, s),
        Err(e) => panic!("open failed: {e:?}"),
    }
}

#[wasm_bindgen_test]
async fn every_keystroke_reaches_storage_and_the_summary() {
    let store = store().await;
    let (id, session) = new_session(&store).await;
    // Typed faster than storage answers: later keystrokes wait for the write in flight.
    let mut typed = String::new();
    for c in "Müller, Anna".chars() {
        typed.push(c);
        session.edit(false, |r| r.set_text(Role::Provider, "lb_name", &typed));
    }
    // "speichert …" while the writes go on, and "gespeichert" once they have rested.
    until_saved(&session).await;
    assert_eq!(session.status.get_untracked(), SaveStatus::Saving);
    until("gespeichert after the writes rested", || {
        session.status.get_untracked() == SaveStatus::Saved
    })
    .await;
    let report = stored(&store, &id).await;
    assert_eq!(report.text("lb_name").ok().as_deref(), Some("Müller, Anna"));
    let summaries = store.summaries().await.unwrap_or_default();
    let summary = summaries.iter().find(|s| s.id == id);
    assert_eq!(summary.map(|s| s.title.as_str()), Some("Müller, Anna"));
    // Fewer writes than keystrokes: what was typed meanwhile went out together.
    let chunks = store.chunk_count(&id).await.unwrap_or(0);
    assert!((2..=13).contains(&chunks), "{chunks} chunks");
    session.release();
}

#[wasm_bindgen_test]
async fn many_chunks_are_compacted() {
    let store = store().await;
    let (id, session) = new_session(&store).await;
    let mut typed = String::new();
    for i in 0..(COMPACT_AFTER + 5) {
        typed.push(char::from(b'a' + (i % 26) as u8));
        session.edit(false, |r| r.set_text(Role::Beneficiary, "wuensche", &typed));
        until_saved(&session).await;
    }
    // Not while typing goes on: a full save would hold up the keystroke it fell on.
    let chunks = store.chunk_count(&id).await.unwrap_or(0);
    assert!(chunks > COMPACT_AFTER, "{chunks} chunks while typing");
    // Once typing pauses, the chunks become one.
    until_compacted(&store, &id).await;
    let report = stored(&store, &id).await;
    assert_eq!(report.text("wuensche").ok(), Some(typed));
    session.release();
}

/// Waits (up to 10 s) for the report's chunks to be compacted into a few.
async fn until_compacted(store: &ReportStore, id: &str) {
    for _ in 0..1000 {
        if store.chunk_count(id).await.unwrap_or(u32::MAX) < 10 {
            return;
        }
        sleep(10).await;
    }
    panic!("the chunks were not compacted");
}

#[wasm_bindgen_test]
async fn typing_without_a_pause_is_compacted_at_the_limit() {
    let store = store().await;
    let (id, session) = new_session(&store).await;
    let mut typed = String::new();
    let mut most = 0;
    for i in 0..(COMPACT_HARD_LIMIT + 5) {
        typed.push(char::from(b'a' + (i % 26) as u8));
        session.edit(false, |r| r.set_text(Role::Beneficiary, "wuensche", &typed));
        until_saved(&session).await;
        most = most.max(session.inner.borrow().autosave.chunks());
    }
    // Compacted while typing went on, at the limit at the latest: the pause timers were
    // re-armed by every write, but a busy machine may leave a short pause between two writes
    // and compact earlier — either way the store never grows past the limit, and without any
    // compaction it would hold every one of the writes.
    assert!(most <= COMPACT_HARD_LIMIT, "{most} chunks at most");
    let chunks = store.chunk_count(&id).await.unwrap_or(u32::MAX);
    assert!(
        chunks <= COMPACT_HARD_LIMIT,
        "{chunks} chunks after the limit"
    );
    let report = stored(&store, &id).await;
    assert_eq!(report.text("wuensche").ok(), Some(typed));
    session.release();
}

#[wasm_bindgen_test]
async fn past_the_limit_a_short_pause_compacts() {
    let store = store().await;
    let (id, session) = new_session(&store).await;
    let mut typed = String::new();
    for i in 0..(COMPACT_LIMIT + 5) {
        typed.push(char::from(b'a' + (i % 26) as u8));
        session.edit(false, |r| r.set_text(Role::Beneficiary, "wuensche", &typed));
        until_saved(&session).await;
    }
    // Compacted after the first short pause.
    for _ in 0..200 {
        if store.chunk_count(&id).await.unwrap_or(u32::MAX) < 10 {
            break;
        }
        sleep(10).await;
    }
    let chunks = store.chunk_count(&id).await.unwrap_or(u32::MAX);
    assert!(chunks < 10, "{chunks} chunks after a pause past the limit");
    let report = stored(&store, &id).await;
    assert_eq!(report.text("wuensche").ok(), Some(typed));
    session.release();
}

#[wasm_bindgen_test]
async fn compact_writes_one_full_save() {
    let store = store().await;
    let (id, session) = new_session(&store).await;
    for text in ["a", "ab", "abc"] {
        session.edit(false, |r| r.set_text(Role::Provider, "lb_anschrift", text));
        until_saved(&session).await;
    }
    assert!(store.chunk_count(&id).await.unwrap_or(0) > 1);
    session.compact();
    until_saved(&session).await;
    assert_eq!(store.chunk_count(&id).await.ok(), Some(1));
    let report = stored(&store, &id).await;
    assert_eq!(report.text("lb_anschrift").ok().as_deref(), Some("abc"));
    session.release();
}

#[wasm_bindgen_test]
async fn a_refused_edit_is_reported_not_stored() {
    let store = store().await;
    let (_id, session) = new_session(&store).await;
    // Only the provider may write the provider's notes.
    session.edit(false, |r| {
        r.set_text(Role::Beneficiary, "anmerkungen_einrichtung", "x")
    });
    until_saved(&session).await;
    assert!(session.notice.get_untracked().is_some());
    assert_eq!(
        session.read(|r| r.text("anmerkungen_einrichtung").ok()),
        Some(String::new())
    );
    session.release();
}

#[wasm_bindgen_test]
async fn an_open_session_is_shared_until_released() {
    let store = store().await;
    let (id, first) = new_session(&store).await;
    first.edit(false, |r| r.set_text(Role::Provider, "lb_name", "X"));
    let again = match Session::open(store.clone(), &id).await {
        Ok(s) => s,
        Err(e) => panic!("open failed: {e:?}"),
    };
    assert!(Rc::ptr_eq(&first.0, &again.0));
    until_saved(&first).await;
    first.release();
    assert!(
        existing(&id).is_none(),
        "a clean, released session is dropped"
    );
}

#[wasm_bindgen_test]
async fn opening_an_unknown_report_says_not_found() {
    let store = store().await;
    let result = Session::open(store, "gibt-es-nicht").await;
    assert_eq!(result.err(), Some(OpenError::NotFound));
}
