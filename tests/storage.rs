//! The IndexedDB adapter in a real browser (headless Chromium via wasm-bindgen-test).
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test storage`
//! (`webdriver.json` beside Cargo.toml passes the Chromium binary and flags).
//!
//! Every test uses its own report ids (a random prefix per test), so the tests do not depend
//! on each other or on the order they run in; they share the browser profile's database.
//! No test asserts on time.

#![cfg(target_arch = "wasm32")]

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ReadDoc, ROOT};
use dreieck::storage::{
    self, settings, ImpactSummary, MissingHelpSummary, Op, Period, ReportStore, StorageError,
    Summary,
};
use dreieck_model::{FieldKind, Report, Role, Template};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A random prefix, so ids from different tests and runs never meet.
fn prefix(test: &str) -> String {
    let n = (js_sys::Math::random() * 1e12) as u64;
    format!("{test}-{n:x}")
}

fn summary(id: &str, title: &str, updated_ms: f64) -> Summary {
    Summary {
        id: id.to_string(),
        title: title.to_string(),
        template_name: "Testvorlage".to_string(),
        created_ms: 1_700_000_000_000.0,
        updated_ms,
        ..Summary::default()
    }
}

async fn store() -> ReportStore {
    match ReportStore::open().await {
        Ok(s) => s,
        Err(e) => panic!("open failed: {e}"),
    }
}

/// An Automerge document with one text, for tests that need real document bytes without the
/// report model.
fn text_doc(text: &str) -> (AutoCommit, automerge::ObjId) {
    let mut doc = AutoCommit::new();
    let obj = doc.put_object(ROOT, "text", ObjType::Text).unwrap();
    doc.splice_text(&obj, 0, 0, text).unwrap();
    (doc, obj)
}

fn doc_text(bytes: &[u8]) -> String {
    let doc = AutoCommit::load(bytes).unwrap();
    let (_, obj) = doc.get(ROOT, "text").unwrap().unwrap();
    doc.text(&obj).unwrap()
}

#[wasm_bindgen_test]
async fn chunks_load_back_in_write_order() {
    let s = store().await;
    let id = prefix("order");
    let sum = summary(&id, "A", 1.0);
    // More than 10 chunks: a string-sorted seq would put 10 before 2.
    let mut expected = Vec::new();
    for i in 0u8..12 {
        let chunk = vec![i; (i as usize % 3) + 1];
        expected.extend_from_slice(&chunk);
        s.append(&id, &chunk, &sum).await.unwrap();
    }
    assert_eq!(s.load(&id).await.unwrap(), expected);
    assert_eq!(s.chunk_count(&id).await.unwrap(), 12);
}

#[wasm_bindgen_test]
async fn incremental_saves_load_as_one_document() {
    let s = store().await;
    let id = prefix("incr");
    let (mut doc, obj) = text_doc("Hallo");
    s.append(&id, &doc.save(), &summary(&id, "", 1.0))
        .await
        .unwrap();
    for (i, word) in [" Welt", ",", " wie", " geht's?"].iter().enumerate() {
        let len = doc.length(&obj);
        doc.splice_text(&obj, len, 0, word).unwrap();
        let chunk = doc.save_incremental();
        assert!(!chunk.is_empty());
        s.append(&id, &chunk, &summary(&id, "", 2.0 + i as f64))
            .await
            .unwrap();
    }
    assert_eq!(
        doc_text(&s.load(&id).await.unwrap()),
        "Hallo Welt, wie geht's?"
    );
    assert_eq!(s.chunk_count(&id).await.unwrap(), 5);
}

#[wasm_bindgen_test]
async fn empty_chunk_only_updates_the_summary() {
    let s = store().await;
    let id = prefix("empty");
    s.append(&id, &[1, 2, 3], &summary(&id, "vorher", 1.0))
        .await
        .unwrap();
    s.append(&id, &[], &summary(&id, "nachher", 2.0))
        .await
        .unwrap();
    assert_eq!(s.chunk_count(&id).await.unwrap(), 1);
    let all = s.summaries().await.unwrap();
    let mine = all.iter().find(|x| x.id == id).unwrap();
    assert_eq!(mine.title, "nachher");
}

#[wasm_bindgen_test]
async fn summaries_roundtrip() {
    let s = store().await;
    let id = prefix("sum");
    let written = Summary {
        id: id.clone(),
        title: "Müller, Jürgen – „Ömer“ 😀".to_string(),
        template_name: "KVJS Ergebnisbericht".to_string(),
        created_ms: 1_732_000_000_123.5,
        updated_ms: 1_732_000_999_999.25,
        status: "im_gespraech".to_string(),
        due: Some("2026-12-31".to_string()),
        due_reason: "Ergebnisbericht: vor Ablauf …".to_string(),
        missing_help: vec![MissingHelpSummary {
            area: "wohnen".to_string(),
            text: "Keine betreute WG im Ort.".to_string(),
            date: Some("2026-11-23".to_string()),
        }],
        retention_end: Some("2036-11-30".to_string()),
        occasion: Some("Regulärer Abschluss des Angebotes".to_string()),
        period: Some(Period {
            label: "Berichtszeitraum des Ergebnisberichts".to_string(),
            from: Some("2026-01-01".to_string()),
            to: None,
        }),
        approval: None,
        remarks_open: 2,
        remarks_answered: 1,
        accepted: Some("2026-12-05".to_string()),
        impact: vec![ImpactSummary {
            person: "3f9a0c".to_string(),
            period_end: Some("2026-12-31".to_string()),
            provider: "Wohnverbund Nord".to_string(),
            area: Some("wohnen".to_string()),
            level: Some("handlungsziel".to_string()),
            achievement: Some(4),
            reason: None,
            self_rating: Some(5),
        }],
    };
    s.append(&id, &[7], &written).await.unwrap();
    let all = s.summaries().await.unwrap();
    assert_eq!(all.iter().find(|x| x.id == id), Some(&written));
    // A second handle (another tab) sees the same.
    let other = store().await;
    let again = other.summaries().await.unwrap();
    assert_eq!(again.iter().find(|x| x.id == id), Some(&written));
}

#[wasm_bindgen_test]
async fn compaction_leaves_one_record_with_the_same_content() {
    let s = store().await;
    let id = prefix("compact");
    let (mut doc, obj) = text_doc("Ziel: ");
    s.append(&id, &doc.save(), &summary(&id, "", 1.0))
        .await
        .unwrap();
    for c in "selbstständig einkaufen".chars() {
        let len = doc.length(&obj);
        doc.splice_text(&obj, len, 0, &c.to_string()).unwrap();
        s.append(&id, &doc.save_incremental(), &summary(&id, "", 2.0))
            .await
            .unwrap();
    }
    assert_eq!(s.chunk_count(&id).await.unwrap(), 24);
    let before = s.load(&id).await.unwrap();

    s.compact(&id, &doc.save(), &summary(&id, "kompakt", 3.0))
        .await
        .unwrap();
    assert_eq!(s.chunk_count(&id).await.unwrap(), 1);
    let after = s.load(&id).await.unwrap();
    assert!(after.len() < before.len());
    assert_eq!(doc_text(&after), "Ziel: selbstständig einkaufen");
    let mut a = AutoCommit::load(&before).unwrap();
    let mut b = AutoCommit::load(&after).unwrap();
    assert_eq!(a.get_heads(), b.get_heads());

    // Appends after a compaction continue behind the full save.
    let len = doc.length(&obj);
    doc.splice_text(&obj, len, 0, ".").unwrap();
    s.append(&id, &doc.save_incremental(), &summary(&id, "", 4.0))
        .await
        .unwrap();
    assert_eq!(s.chunk_count(&id).await.unwrap(), 2);
    assert_eq!(
        doc_text(&s.load(&id).await.unwrap()),
        "Ziel: selbstständig einkaufen."
    );
    // And a second compaction over a full save + chunk works too.
    s.compact(&id, &doc.save(), &summary(&id, "", 5.0))
        .await
        .unwrap();
    assert_eq!(s.chunk_count(&id).await.unwrap(), 1);
    assert_eq!(
        doc_text(&s.load(&id).await.unwrap()),
        "Ziel: selbstständig einkaufen."
    );
}

/// Two tabs write the same report; one compacts with a full save that lacks the other's
/// latest change. The other tab's change must survive.
#[wasm_bindgen_test]
async fn compaction_keeps_changes_it_did_not_know() {
    let tab_a = store().await;
    let tab_b = store().await;
    let id = prefix("twotabs");
    let (mut a, obj) = text_doc("Anfang");
    tab_a
        .append(&id, &a.save(), &summary(&id, "", 1.0))
        .await
        .unwrap();
    let mut b = a.fork();
    b.splice_text(&obj, 0, 0, "B:").unwrap();
    tab_b
        .append(&id, &b.save_incremental(), &summary(&id, "", 2.0))
        .await
        .unwrap();
    a.splice_text(&obj, a.length(&obj), 0, ":A").unwrap();
    tab_a
        .append(&id, &a.save_incremental(), &summary(&id, "", 3.0))
        .await
        .unwrap();

    // A's full save does not contain B's change.
    tab_a
        .compact(&id, &a.save(), &summary(&id, "", 4.0))
        .await
        .unwrap();
    assert_eq!(tab_a.chunk_count(&id).await.unwrap(), 1);
    assert_eq!(doc_text(&tab_b.load(&id).await.unwrap()), "B:Anfang:A");
}

#[wasm_bindgen_test]
async fn compaction_refuses_bytes_that_are_not_a_document() {
    let s = store().await;
    let id = prefix("badfull");
    let (mut doc, _) = text_doc("bleibt");
    s.append(&id, &doc.save(), &summary(&id, "", 1.0))
        .await
        .unwrap();
    let err = s
        .compact(&id, b"kein automerge", &summary(&id, "", 2.0))
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Corrupt(_)), "{err:?}");
    assert_eq!(doc_text(&s.load(&id).await.unwrap()), "bleibt");
    // The summary was not changed either: the transaction was aborted as a whole.
    let all = s.summaries().await.unwrap();
    assert_eq!(all.iter().find(|x| x.id == id).unwrap().updated_ms, 1.0);
}

/// The built-in form, as the app uses it.
fn test_template() -> Template {
    dreieck_model::builtin_templates()
        .into_iter()
        .find(|t| t.fields().any(|f| f.kind == FieldKind::LongText))
        .expect("a built-in template with a long text field")
}

fn long_text_field(t: &Template) -> (String, Role) {
    let f = t
        .fields()
        .find(|f| f.kind == FieldKind::LongText)
        .expect("template has a long text field");
    (f.id.clone(), f.editors[0])
}

#[wasm_bindgen_test]
async fn a_corrupt_report_fails_alone() {
    let s = store().await;
    let p = prefix("corrupt");
    let template = test_template();
    let (field, role) = long_text_field(&template);
    let mut good_ids = Vec::new();
    for i in 0..3 {
        let id = format!("{p}-gut{i}");
        let mut r = Report::create(&template, &id, 1_732_000_000_000).unwrap();
        s.append(&id, &r.save(), &summary(&id, "", 1.0))
            .await
            .unwrap();
        r.set_text(role, &field, &format!("Bericht {i}")).unwrap();
        s.append(&id, &r.save_incremental(), &summary(&id, "", 2.0))
            .await
            .unwrap();
        good_ids.push(id);
    }
    let bad = format!("{p}-kaputt");
    s.append(
        &bad,
        b"\x85o\x4a\x83 garbage, not automerge",
        &summary(&bad, "", 1.0),
    )
    .await
    .unwrap();

    let bytes = s.load(&bad).await.unwrap();
    assert_eq!(bytes, b"\x85o\x4a\x83 garbage, not automerge");
    assert!(Report::load(&bytes).is_err());

    let ids = s.ids().await.unwrap();
    assert!(ids.contains(&bad));
    for (i, id) in good_ids.iter().enumerate() {
        assert!(ids.contains(id));
        let r = Report::load(&s.load(id).await.unwrap()).unwrap();
        assert_eq!(r.id(), *id);
        assert_eq!(r.text(&field).unwrap(), format!("Bericht {i}"));
    }
}

#[wasm_bindgen_test]
async fn many_reports_are_listed() {
    let s = store().await;
    let p = prefix("many");
    let mut ids = Vec::new();
    for i in 0..100 {
        let id = format!("{p}-{i:03}");
        // Several chunks for some, so `ids` has to skip over them.
        for c in 0..(i % 4 + 1) {
            s.append(
                &id,
                &[c as u8],
                &summary(&id, &format!("Person {i}"), i as f64),
            )
            .await
            .unwrap();
        }
        ids.push(id);
    }
    let listed = s.ids().await.unwrap();
    let mine: Vec<&String> = listed.iter().filter(|x| x.starts_with(&p)).collect();
    assert_eq!(mine.len(), 100);
    assert_eq!(mine, ids.iter().collect::<Vec<_>>()); // key order = id order here

    let summaries = s.summaries().await.unwrap();
    let mine: Vec<&Summary> = summaries.iter().filter(|x| x.id.starts_with(&p)).collect();
    assert_eq!(mine.len(), 100);
    // Most recently updated first.
    assert_eq!(mine[0].title, "Person 99");
    assert_eq!(mine[99].title, "Person 0");
}

#[wasm_bindgen_test]
async fn delete_removes_chunks_and_summary() {
    let s = store().await;
    let id = prefix("del");
    let neighbour = format!("{id}-nachbar");
    for c in 0..5u8 {
        s.append(&id, &[c], &summary(&id, "weg", 1.0))
            .await
            .unwrap();
    }
    s.append(&neighbour, &[9], &summary(&neighbour, "bleibt", 1.0))
        .await
        .unwrap();
    s.delete(&id).await.unwrap();
    assert_eq!(s.chunk_count(&id).await.unwrap(), 0);
    assert_eq!(s.load(&id).await, Err(StorageError::NotFound(id.clone())));
    assert!(!s.ids().await.unwrap().contains(&id));
    assert!(!s.summaries().await.unwrap().iter().any(|x| x.id == id));
    // An id that starts with the deleted one is untouched.
    assert_eq!(s.load(&neighbour).await.unwrap(), vec![9]);
    // Deleting what is not there is not an error.
    s.delete(&id).await.unwrap();
}

#[wasm_bindgen_test]
async fn loading_an_unknown_report_says_so() {
    let s = store().await;
    let id = prefix("unknown");
    assert_eq!(s.load(&id).await, Err(StorageError::NotFound(id.clone())));
    assert_eq!(s.chunk_count(&id).await.unwrap(), 0);
}

#[wasm_bindgen_test]
async fn a_separate_database_is_separate() {
    let name = prefix("db");
    let own = ReportStore::open_named(&name).await.unwrap();
    let id = prefix("sep");
    own.append(&id, &[1], &summary(&id, "", 1.0)).await.unwrap();
    let app = store().await;
    assert!(!app.ids().await.unwrap().contains(&id));
    assert_eq!(own.ids().await.unwrap(), vec![id]);
}

#[wasm_bindgen_test]
fn quota_errors_say_the_storage_is_full() {
    let quota =
        web_sys::DomException::new_with_message_and_name("quota", "QuotaExceededError").unwrap();
    let err = StorageError::from_js(&quota.into(), Op::Write);
    assert_eq!(err, StorageError::QuotaFull);
    let text = err.to_string();
    assert!(text.contains("Speicher dieses Geräts ist voll"), "{text}");
    assert!(text.contains("nicht verloren"), "{text}");

    let other = web_sys::DomException::new_with_message_and_name("disk", "UnknownError").unwrap();
    let err = StorageError::from_js(&other.into(), Op::Write);
    assert!(matches!(err, StorageError::WriteFailed(ref d) if d.contains("UnknownError")));
    assert!(err.to_string().contains("nicht verloren"));
    let err = StorageError::from_js(&JsValue::from_str("kaputt"), Op::Read);
    assert_eq!(err, StorageError::ReadFailed("kaputt".into()));
}

#[wasm_bindgen_test]
async fn persistence_and_estimate_do_not_fail() {
    // Headless Chromium may or may not grant persistence; either answer is fine.
    let _granted = storage::request_persistence().await;
    let (usage, quota) = storage::estimate()
        .await
        .expect("Chromium has storage.estimate");
    assert!(quota > 0.0);
    assert!(usage >= 0.0);
}

#[wasm_bindgen_test]
fn settings_roundtrip() {
    settings::clear_role();
    assert_eq!(settings::role(), None);
    settings::set_role("caseworker").unwrap();
    assert_eq!(settings::role().as_deref(), Some("caseworker"));
    settings::clear_role();
    assert_eq!(settings::role(), None);

    let id = settings::device_id().unwrap();
    assert_eq!(id.len(), 32);
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(settings::device_id().unwrap(), id);

    settings::set("sprache", "leicht").unwrap();
    assert_eq!(settings::get("sprache").as_deref(), Some("leicht"));
    settings::remove("sprache");
    assert_eq!(settings::get("sprache"), None);
}

/// Not a check: runs the in-browser benchmark and prints its figures (ignored by default; it
/// takes a while). Use a release build for figures worth quoting:
/// `CHROMEDRIVER=/usr/bin/chromedriver cargo test --release --target wasm32-unknown-unknown --test storage -- --include-ignored bench_figures`
#[wasm_bindgen_test]
#[ignore]
async fn bench_figures() {
    let json = dreieck::bench::run().await;
    console_log!("BENCH {json}");
    assert!(!json.starts_with("{\"error\""), "{json}");
}

/// Two tabs append to the same report in turns: each tab remembers the next chunk number, so
/// the other tab's chunk is in its way every time. Every chunk must be stored, none
/// overwritten, and every append must succeed.
#[wasm_bindgen_test]
async fn two_tabs_appending_in_turns_keep_every_chunk() {
    let tab_a = store().await;
    let tab_b = store().await;
    let id = prefix("turns");
    let (mut doc, obj) = text_doc("");
    tab_a
        .append(&id, &doc.save(), &summary(&id, "", 1.0))
        .await
        .unwrap();
    for i in 0..6 {
        doc.splice_text(&obj, doc.length(&obj), 0, &i.to_string())
            .unwrap();
        let tab = if i % 2 == 0 { &tab_b } else { &tab_a };
        if let Err(e) = tab
            .append(
                &id,
                &doc.save_incremental(),
                &summary(&id, "", 2.0 + i as f64),
            )
            .await
        {
            panic!("append {i} failed: {e}");
        }
    }
    assert_eq!(tab_a.chunk_count(&id).await.unwrap(), 7);
    assert_eq!(doc_text(&tab_b.load(&id).await.unwrap()), "012345");
    assert_eq!(tab_a.unsaved_bytes(&id), 0);
    assert_eq!(tab_b.unsaved_bytes(&id), 0);
}

/// Typing changes the summary's time with every keystroke: the title is written at once, the
/// time alone at most every two seconds (of `updated_ms`, not of the clock).
#[wasm_bindgen_test]
async fn the_summary_follows_the_title_at_once_and_the_time_now_and_then() {
    let s = store().await;
    let id = prefix("summary-pace");
    let stored = |s: ReportStore, id: String| async move {
        let all = s.summaries().await.unwrap();
        all.into_iter().find(|x| x.id == id).unwrap()
    };
    s.append(&id, &[1], &summary(&id, "A", 1_000.0))
        .await
        .unwrap();
    s.append(&id, &[2], &summary(&id, "A", 1_500.0))
        .await
        .unwrap();
    assert_eq!(stored(s.clone(), id.clone()).await.updated_ms, 1_000.0);
    s.append(&id, &[3], &summary(&id, "An", 1_600.0))
        .await
        .unwrap();
    let now = stored(s.clone(), id.clone()).await;
    assert_eq!((now.title.as_str(), now.updated_ms), ("An", 1_600.0));
    s.append(&id, &[4], &summary(&id, "An", 3_600.0))
        .await
        .unwrap();
    assert_eq!(stored(s.clone(), id.clone()).await.updated_ms, 3_600.0);
    // The chunks are all there, whatever happened to the summary.
    assert_eq!(s.chunk_count(&id).await.unwrap(), 4);
}

/// A writer that compacts what it wrote itself skips re-reading the chunks; if another tab
/// appended meanwhile, the chunk count gives it away and that tab's change is merged in.
#[wasm_bindgen_test]
async fn an_own_compaction_still_keeps_another_tabs_change() {
    let tab_a = store().await;
    let tab_b = store().await;
    let id = prefix("own-compact");
    let (mut a, obj) = text_doc("Anfang");
    let first = tab_a
        .append(&id, &a.save(), &summary(&id, "", 1.0))
        .await
        .unwrap();
    assert_eq!(first, Some(0.0));
    // Everything stored is A's own: the fast path, and the result is A's document.
    a.splice_text(&obj, a.length(&obj), 0, ":1").unwrap();
    let own = tab_a
        .append(&id, &a.save_incremental(), &summary(&id, "", 2.0))
        .await
        .unwrap();
    assert_eq!(own, Some(1.0));
    tab_a
        .compact_own(&id, &a.save(), &summary(&id, "", 3.0), Some(2.0))
        .await
        .unwrap();
    assert_eq!(doc_text(&tab_a.load(&id).await.unwrap()), "Anfang:1");

    // Now B appends behind A's back; A's full save does not have it.
    let mut b = AutoCommit::load(&tab_b.load(&id).await.unwrap()).unwrap();
    b.splice_text(&obj, 0, 0, "B:").unwrap();
    tab_b
        .append(&id, &b.save_incremental(), &summary(&id, "", 4.0))
        .await
        .unwrap();
    a.splice_text(&obj, a.length(&obj), 0, ":2").unwrap();
    tab_a
        .compact_own(&id, &a.save(), &summary(&id, "", 5.0), Some(1.0))
        .await
        .unwrap();
    assert_eq!(tab_a.chunk_count(&id).await.unwrap(), 1);
    let text = doc_text(&tab_a.load(&id).await.unwrap());
    assert!(text.starts_with("B:") && text.ends_with(":2"), "{text}");
}

#[wasm_bindgen(inline_js = r#"
export function makeVersion1(name, id, chunk, summary) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore('docs');
      open.result.createObjectStore('summaries');
    };
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(['docs', 'summaries'], 'readwrite');
      tx.objectStore('docs').add(chunk, [id, 0]);
      tx.objectStore('summaries').put(summary, id);
      tx.oncomplete = () => { db.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  });
}
export function rawDump(name) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const names = Array.from(db.objectStoreNames);
      const tx = db.transaction(names);
      const latin1 = new TextDecoder('latin1');
      const out = [];
      for (const n of names) {
        const r = tx.objectStore(n).getAll();
        r.onsuccess = () => {
          for (const v of r.result) out.push(typeof v === 'string' ? v : latin1.decode(v));
        };
      }
      tx.oncomplete = () => { db.close(); resolve(out.join('\n')); };
      tx.onerror = () => reject(tx.error);
    };
  });
}
export function copyChunk(name, fromId, toId) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(['docs'], 'readwrite');
      const store = tx.objectStore('docs');
      const r = store.get([fromId, 0]);
      r.onsuccess = () => store.put(r.result, [toId, 0]);
      tx.oncomplete = () => { db.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  });
}
export function databaseVersion(name) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => { const v = open.result.version; open.result.close(); resolve(v); };
  });
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = makeVersion1)]
    fn make_version_1(
        name: &str,
        id: &str,
        chunk: &js_sys::Uint8Array,
        summary: &str,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = databaseVersion)]
    fn database_version(name: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = rawDump)]
    fn raw_dump(name: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = copyChunk)]
    fn copy_chunk(name: &str, from_id: &str, to_id: &str) -> js_sys::Promise;
}

/// Everything stored in database `name`, as the page's scripts could read it.
async fn stored_text(name: &str) -> String {
    settle(raw_dump(name)).await.as_string().unwrap()
}

#[wasm_bindgen_test]
async fn with_a_data_key_everything_is_stored_sealed_and_reads_back() {
    use dreieck::storage::vault;
    use dreieck_model::at_rest::DataKey;
    let name = prefix("db-sealed");
    let id = prefix("bericht");
    let s = ReportStore::open_named(&name).await.unwrap();
    // Written before the PIN: plain, and the check below can see it.
    let (mut doc, obj) = text_doc("Vorher Geheimwort");
    s.append(&id, &doc.save(), &summary(&id, "Gerda Geheim", 1.0))
        .await
        .unwrap();
    s.add_template("vorlage-x", "1", "{\"name\":\"Geheimvorlage\"}")
        .await
        .unwrap();
    let before = stored_text(&name).await;
    assert!(before.contains("Geheimwort") && before.contains("Gerda Geheim"));

    vault::unlock_with(DataKey::from_bytes([3; 32]));
    // Written with the key, on top of plain chunks: the report reads as one.
    doc.splice_text(&obj, doc.length(&obj), 0, " Nachher")
        .unwrap();
    s.append(
        &id,
        &doc.save_incremental(),
        &summary(&id, "Gerda Geheim", 2.0),
    )
    .await
    .unwrap();
    assert_eq!(
        doc_text(&s.load(&id).await.unwrap()),
        "Vorher Geheimwort Nachher"
    );
    // The plain ones are rewritten: nothing readable is left.
    let rewritten = s.seal_everything().await.unwrap();
    assert_eq!(
        rewritten, 3,
        "one chunk, one summary, one template were plain"
    );
    assert!(!stored_text(&name).await.contains("Geheim"));
    assert_eq!(
        doc_text(&s.load(&id).await.unwrap()),
        "Vorher Geheimwort Nachher"
    );
    let summaries = s.summaries().await.unwrap();
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].title, "Gerda Geheim");
    assert_eq!(
        s.templates().await.unwrap(),
        vec!["{\"name\":\"Geheimvorlage\"}".to_string()]
    );

    // Compaction reads the sealed chunks, merges what it did not know, stores one sealed chunk.
    let (mut other_tab, other_obj) = (
        AutoCommit::load(&s.load(&id).await.unwrap()).unwrap(),
        obj.clone(),
    );
    other_tab.splice_text(&other_obj, 0, 0, "Tab B: ").unwrap();
    s.append(
        &id,
        &other_tab.save_incremental(),
        &summary(&id, "Gerda Geheim", 3.0),
    )
    .await
    .unwrap();
    s.compact(&id, &doc.save(), &summary(&id, "Gerda Geheim", 4.0))
        .await
        .unwrap();
    assert_eq!(s.chunk_count(&id).await.unwrap(), 1);
    assert_eq!(
        doc_text(&s.load(&id).await.unwrap()),
        "Tab B: Vorher Geheimwort Nachher"
    );
    assert!(!stored_text(&name).await.contains("Geheim"));

    // A sealed chunk copied under another report's id does not open there.
    let elsewhere = prefix("anderer");
    settle(copy_chunk(&name, &id, &elsewhere)).await;
    assert!(matches!(
        s.load(&elsewhere).await,
        Err(StorageError::Corrupt(_))
    ));

    // Locked: sealed records cannot be read.
    vault::lock();
    assert_eq!(s.load(&id).await, Err(StorageError::Locked));
    assert_eq!(s.summaries().await, Err(StorageError::Locked));
}

async fn settle(promise: js_sys::Promise) -> JsValue {
    match wasm_bindgen_futures::JsFuture::from(promise).await {
        Ok(v) => v,
        Err(e) => panic!("{e:?}"),
    }
}

#[wasm_bindgen_test]
async fn the_upgrade_to_version_2_keeps_reports_and_adds_templates() {
    let name = prefix("db-v1");
    let id = prefix("alt");
    let template = test_template();
    let (field, role) = long_text_field(&template);
    let mut report = Report::create(&template, &id, 0).unwrap();
    report
        .set_text(role, &field, "Vor dem Update geschrieben")
        .unwrap();
    let bytes = report.save();
    let json = serde_json::to_string(&summary(&id, "Alt", 5.0)).unwrap();
    settle(make_version_1(
        &name,
        &id,
        &js_sys::Uint8Array::from(&bytes[..]),
        &json,
    ))
    .await;
    assert_eq!(settle(database_version(&name)).await.as_f64(), Some(1.0));

    let s = ReportStore::open_named(&name).await.unwrap();
    assert_eq!(
        settle(database_version(&name)).await.as_f64(),
        Some(storage::DB_VERSION as f64)
    );
    let loaded = Report::load(&s.load(&id).await.unwrap()).unwrap();
    assert_eq!(
        loaded.value(&field).unwrap(),
        dreieck_model::FieldValue::Text("Vor dem Update geschrieben".into())
    );
    assert_eq!(s.summaries().await.unwrap(), vec![summary(&id, "Alt", 5.0)]);

    // The new store works: add, list, refuse the same key again, remove.
    assert!(s.templates().await.unwrap().is_empty());
    let text = template.to_json_pretty();
    s.add_template(&template.id, &template.version, &text)
        .await
        .unwrap();
    assert_eq!(s.templates().await.unwrap(), vec![text.clone()]);
    assert!(s
        .add_template(&template.id, &template.version, "{}")
        .await
        .is_err());
    assert_eq!(s.templates().await.unwrap(), vec![text]);
    s.delete_template(&template.id, &template.version)
        .await
        .unwrap();
    assert!(s.templates().await.unwrap().is_empty());
    // The report is still there after all that.
    assert!(s.load(&id).await.is_ok());
}

#[wasm_bindgen_test]
fn a_damaged_list_of_people_is_reported_and_never_saved_over() {
    use dreieck::storage::people::{self, PersonError};
    let key = "dreieck.personen";
    let local = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    local.set_item(key, "\"[{kaputt\"").unwrap();
    assert!(matches!(people::load(), Err(StorageError::Corrupt(_))));
    // Setting somebody up, removing, opening: each refuses before touching the list.
    assert!(matches!(
        people::add("Anna Berger", Role::Provider, "246813"),
        Err(PersonError::Storage(StorageError::Corrupt(_)))
    ));
    assert!(matches!(
        people::remove("00"),
        Err(StorageError::Corrupt(_))
    ));
    assert!(people::unlock("00", "246813", 0).is_err());
    assert_eq!(
        local.get_item(key).unwrap().as_deref(),
        Some("\"[{kaputt\"")
    );
    // A sealed list that does not open is not an empty list either.
    local.set_item(key, "\"versiegelt:00ff\"").unwrap();
    assert!(matches!(people::load(), Err(StorageError::Corrupt(_))));
    assert!(people::add("Anna Berger", Role::Provider, "246813").is_err());
    local.remove_item(key).unwrap();
    assert_eq!(people::load().unwrap(), Vec::new());
    assert!(matches!(
        people::unlock("00", "246813", 0),
        Err(PersonError::Unknown(_))
    ));
}

#[wasm_bindgen_test]
fn reports_kept_at_the_relay_are_remembered_and_a_damaged_list_is_never_saved_over() {
    use dreieck::storage::kept;
    let key = "dreieck.beim_server";
    let local = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    local.remove_item(key).unwrap();
    let summary = |id: &str, title: &str| Summary {
        id: id.into(),
        title: title.into(),
        template_name: "KVJS".into(),
        status: "uebermittelt".into(),
        retention_end: Some("2036-03-15".into()),
        ..Summary::default()
    };
    assert_eq!(kept::load().unwrap(), Vec::new());
    kept::add(summary("a1", "Kiefer, Karla")).unwrap();
    kept::add(summary("b2", "Linde, Lars")).unwrap();
    // Taken off again after being fetched back: one entry, the newer one.
    kept::add(summary("a1", "Kiefer, Karla Maria")).unwrap();
    let titles: Vec<String> = kept::load().unwrap().into_iter().map(|s| s.title).collect();
    assert_eq!(titles, ["Linde, Lars", "Kiefer, Karla Maria"]);
    kept::remove("a1").unwrap();
    kept::remove("not-there").unwrap();
    assert_eq!(kept::load().unwrap(), vec![summary("b2", "Linde, Lars")]);
    kept::remove("b2").unwrap();
    assert_eq!(
        local.get_item(key).unwrap(),
        None,
        "an empty list leaves no setting"
    );

    // Damaged, or sealed under a key this page does not hold: an error, and left as it is.
    for stored in ["\"[{kaputt\"", "\"versiegelt:00ff\""] {
        local.set_item(key, stored).unwrap();
        assert!(matches!(kept::load(), Err(StorageError::Corrupt(_))));
        assert!(kept::add(summary("c3", "Neu")).is_err());
        assert!(kept::remove("c3").is_err());
        assert_eq!(local.get_item(key).unwrap().as_deref(), Some(stored));
    }
    local.remove_item(key).unwrap();
}
