//! The in-browser benchmark (`?bench` in the address; `main.rs` renders the result).
//!
//! It answers the storage questions with figures from a real browser: how long a realistic,
//! heavily edited report takes to load, what one keystroke costs end to end (edit, incremental
//! save, IndexedDB commit with strict durability), how many bytes each keystroke adds on disk,
//! whether that grows as the document grows, and what chunks cost at load time before and
//! after a compaction. It only measures and reports: no thresholds, no assertions (the DESIGN
//! rule: benchmarks print figures, tests never time).
//!
//! It writes into its own database (`dreieck-bench`), never into the user's reports, and
//! deletes its report afterwards.

use dreieck_model::{FieldKind, Report, Role};
use serde_json::{json, Value};

use crate::storage::{ReportStore, StorageError, Summary};

/// Database used by the benchmark, apart from the app's `dreieck`.
const BENCH_DB: &str = "dreieck-bench";
/// Goals and history edits of the benchmark report (about a year of real use).
const GOALS: usize = 20;
const HISTORY_EDITS: usize = 10_000;
/// Keystrokes measured per phase, and edits made between the two phases.
const KEYSTROKES: usize = 300;
const MORE_EDITS: usize = 5_000;
/// Repetitions for load timings (median reported).
const LOAD_RUNS: usize = 5;

/// Runs the benchmark and returns its figures as JSON (an `{"error": …}` object if it could
/// not run; it never panics on a browser error).
pub async fn run() -> String {
    match measure().await {
        Ok(v) => v.to_string(),
        Err(e) => json!({ "error": e }).to_string(),
    }
}

/// Milliseconds from `performance.now()` (sub-millisecond where the browser allows).
fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

fn s(e: StorageError) -> String {
    e.to_string()
}

async fn measure() -> Result<Value, String> {
    let started = now();
    let mut report =
        dreieck_model::sample::try_bench_report(GOALS, HISTORY_EDITS).map_err(|e| e.to_string())?;
    let build_ms = now() - started;
    let id = format!("bench-{}", js_sys::Date::now() as u64);
    let summary = |updated: f64| Summary {
        id: id.clone(),
        title: "Benchmark".into(),
        template_name: "bench".into(),
        created_ms: 0.0,
        updated_ms: updated,
        ..Summary::default()
    };

    let store = ReportStore::open_named(BENCH_DB).await.map_err(s)?;
    let full = report.save();
    store
        .append(&id, &full, &summary(js_sys::Date::now()))
        .await
        .map_err(s)?;

    let initial_load = load_figures(&store, &id).await?;

    // The field to type into: the longest long text (the worst case for Automerge's text walk).
    let (field, role, field_chars) = longest_long_text(&report)?;
    // Type into the document as it comes from storage, like the app does after opening.
    let mut doc = Report::load(&store.load(&id).await.map_err(s)?).map_err(|e| e.to_string())?;
    // Automerge's incremental cursor is empty after a load, so the first `save_incremental`
    // returns the whole history again as loose changes. The editor discards it (it is already
    // stored); measured here so the cost stays visible.
    let t = now();
    let after_load = doc.save_incremental();
    let after_load_ms = now() - t;

    let first = typing(&store, &id, &mut doc, &field, role, &summary).await?;
    // What 300 keystroke chunks cost at load, against the single full save above.
    let with_300_chunks = load_figures(&store, &id).await?;

    // 5,000 more edits, appended as one chunk (not timed): the document and its history grow.
    let start = doc.text(&field).map_err(|e| e.to_string())?.chars().count();
    for i in 0..MORE_EDITS {
        doc.set_now_ms(js_sys::Date::now() as i64);
        let c = if i % 12 == 11 { "\n" } else { "x" };
        doc.splice_text(role, &field, start + i, 0, c)
            .map_err(|e| e.to_string())?;
    }
    let more_chunk = doc.save_incremental();
    store
        .append(&id, &more_chunk, &summary(js_sys::Date::now()))
        .await
        .map_err(s)?;

    let second = typing(&store, &id, &mut doc, &field, role, &summary).await?;

    let chunks_before = store.chunk_count(&id).await.map_err(s)?;
    let with_chunks = load_figures(&store, &id).await?;
    let t = now();
    let full_now = doc.save();
    let save_ms = now() - t;
    let t = now();
    store
        .compact(&id, &full_now, &summary(js_sys::Date::now()))
        .await
        .map_err(s)?;
    let compact_ms = now() - t;
    let compacted = load_figures(&store, &id).await?;
    let final_chars = doc.text(&field).map_err(|e| e.to_string())?.chars().count();

    let _ = store.delete(&id).await;
    // The same report on a device with a PIN: stored sealed, loaded (opened), typed into.
    crate::storage::vault::unlock_with(dreieck_model::at_rest::DataKey::from_bytes([7; 32]));
    let sealed = sealed_figures(&store, &id, &full_now, &mut doc, &field, role, &summary).await;
    crate::storage::vault::lock();
    let sealed_at_rest = sealed?;
    let sealed = seal_figures(&full_now)?;
    let signed = signed_typing()?;

    Ok(json!({
        "build": if cfg!(debug_assertions) { "debug" } else { "release" },
        "user_agent": user_agent(),
        "durability": "strict (append and compact resolve after the IndexedDB commit)",
        "report": {
            "goals": GOALS,
            "history_edits": HISTORY_EDITS,
            "build_ms": round(build_ms),
            "full_save_bytes": full.len(),
            "typed_field": field,
            "typed_field_chars_at_start": field_chars,
            "typed_field_chars_at_end": final_chars,
        },
        "load_fresh_full_save": initial_load,
        "first_save_incremental_after_load": {
            "bytes": after_load.len(),
            "ms": round(after_load_ms),
            "note": "0 bytes expected: the model marks the loaded history as saved",
        },
        "typing_first_300": first,
        "load_full_save_plus_300_keystroke_chunks": with_300_chunks,
        "more_edits": { "edits": MORE_EDITS, "chunk_bytes": more_chunk.len() },
        "typing_after_5000_more_edits": second,
        "sealed_at_rest": sealed_at_rest,
        "device_lock": lock_figures()?,
        "before_compaction_incl_5000_edit_chunk": { "chunks": chunks_before, "load": with_chunks },
        "compaction": {
            "full_save_ms": round(save_ms),
            "compact_ms_including_save_check": round(compact_ms),
            "full_save_bytes": full_now.len(),
        },
        "after_compaction": { "chunks": 1, "load": compacted },
        "sealed_file": sealed,
        "signed_keystrokes": signed,
    }))
}

/// Exporting the report as a password-sealed file and opening it again (median of 3 each):
/// nearly all of it is Argon2id at the settings every file is sealed with.
fn seal_figures(document: &[u8]) -> Result<Value, String> {
    use dreieck_model::sealed_file::{self, KdfParams, NONCE_LEN, SALT_LEN};
    const PASSWORD: &str = "Benchmark-Passwort";
    let params = KdfParams::RECOMMENDED;
    let (mut seal_ms, mut open_ms, mut file_bytes) = (Vec::new(), Vec::new(), 0);
    for i in 0..3u8 {
        let t = now();
        let file = sealed_file::seal(document, PASSWORD, [i; SALT_LEN], [i; NONCE_LEN], params)
            .map_err(|e| e.to_string())?;
        seal_ms.push(now() - t);
        let t = now();
        sealed_file::open(&file, PASSWORD).map_err(|e| e.to_string())?;
        open_ms.push(now() - t);
        file_bytes = file.len();
    }
    Ok(json!({
        "kdf": format!(
            "Argon2id m={} KiB t={} p={}",
            params.memory_kib, params.passes, params.lanes
        ),
        "document_bytes": document.len(),
        "file_bytes": file_bytes,
        "seal_ms_median": round(median(&mut seal_ms)),
        "open_ms_median": round(median(&mut open_ms)),
    }))
}

/// The compacted report stored sealed (one chunk), loaded, and typed into with every
/// keystroke's chunk and summary sealed before its write.
async fn sealed_figures(
    store: &ReportStore,
    id: &str,
    full: &[u8],
    doc: &mut Report,
    field: &str,
    role: Role,
    summary: &impl Fn(f64) -> Summary,
) -> Result<Value, String> {
    store
        .append(id, full, &summary(js_sys::Date::now()))
        .await
        .map_err(s)?;
    let load = load_figures(store, id).await?;
    let typing = typing(store, id, doc, field, role, summary).await;
    let _ = store.delete(id).await;
    Ok(json!({ "load": load, "typing": typing? }))
}

/// Setting a PIN and unlocking with it (median of 3 each): Argon2id at the settings every
/// device's PIN is stretched with.
fn lock_figures() -> Result<Value, String> {
    use dreieck_model::at_rest::{DataKey, LockRecord, PIN_KDF};
    use dreieck_model::sealed_file::{NONCE_LEN, SALT_LEN};
    let (mut set_ms, mut unlock_ms) = (Vec::new(), Vec::new());
    for i in 0..3u8 {
        let t = now();
        let record = LockRecord::create(
            &DataKey::from_bytes([i; 32]),
            "482915",
            [i; SALT_LEN],
            [i; NONCE_LEN],
            PIN_KDF,
        )
        .map_err(|e| e.to_string())?;
        set_ms.push(now() - t);
        let t = now();
        record.unlock("482915").map_err(|e| e.to_string())?;
        unlock_ms.push(now() - t);
    }
    Ok(json!({
        "kdf": format!(
            "Argon2id m={} KiB t={} p={}",
            PIN_KDF.memory_kib, PIN_KDF.passes, PIN_KDF.lanes
        ),
        "set_pin_ms_median": round(median(&mut set_ms)),
        "unlock_ms_median": round(median(&mut unlock_ms)),
    }))
}

/// Median of [`LOAD_RUNS`] of: reading the bytes from IndexedDB, and `Report::load` on them.
async fn load_figures(store: &ReportStore, id: &str) -> Result<Value, String> {
    let mut read = Vec::new();
    let mut parse = Vec::new();
    let mut bytes = 0;
    for _ in 0..LOAD_RUNS {
        let t = now();
        let data = store.load(id).await.map_err(s)?;
        read.push(now() - t);
        let t = now();
        let loaded = Report::load(&data).map_err(|e| e.to_string())?;
        parse.push(now() - t);
        drop(loaded);
        bytes = data.len();
    }
    Ok(json!({
        "bytes": bytes,
        "idb_read_ms_median": round(median(&mut read)),
        "report_load_ms_median": round(median(&mut parse)),
    }))
}

/// [`KEYSTROKES`] single-character insertions at the end of `field`, each followed by an
/// incremental save and an awaited append, as the editor does per keystroke.
async fn typing(
    store: &ReportStore,
    id: &str,
    doc: &mut Report,
    field: &str,
    role: Role,
    summary: &impl Fn(f64) -> Summary,
) -> Result<Value, String> {
    let mut edit_ms = Vec::with_capacity(KEYSTROKES);
    let mut total_ms = Vec::with_capacity(KEYSTROKES);
    let mut bytes = Vec::with_capacity(KEYSTROKES);
    let text = doc.text(field).map_err(|e| e.to_string())?;
    let start = text.chars().count();
    let typed = "Sie übt weiter, und es klappt immer besser. ";
    for (i, c) in typed.chars().cycle().take(KEYSTROKES).enumerate() {
        let t0 = now();
        doc.set_now_ms(js_sys::Date::now() as i64);
        doc.splice_text(role, field, start + i, 0, &c.to_string())
            .map_err(|e| e.to_string())?;
        let chunk = doc.save_incremental();
        let t1 = now();
        store
            .append(id, &chunk, &summary(js_sys::Date::now()))
            .await
            .map_err(s)?;
        let t2 = now();
        edit_ms.push(t1 - t0);
        total_ms.push(t2 - t0);
        bytes.push(chunk.len() as f64);
    }
    let first_chunk_bytes = bytes.first().copied().unwrap_or(0.0);
    Ok(json!({
        "keystrokes": KEYSTROKES,
        "field_chars_before": text.chars().count(),
        "first_chunk_bytes": first_chunk_bytes,
        "splice_and_save_incremental_ms": spread(&mut edit_ms),
        "including_indexeddb_append_ms": spread(&mut total_ms),
        "chunk_bytes": spread(&mut bytes),
    }))
}

/// What trust costs per keystroke in the browser: in a protected report every incremental
/// save is signed (Ed25519 over the change hash) and the peer takes it in through the gate
/// (signature, membership, every operation against the author's role).
fn signed_typing() -> Result<Value, String> {
    let (mut owner, mut peer) = dreieck_model::sample::signed_pair().map_err(|e| e.to_string())?;
    let field = "anmerkungen_zielerreichung";
    let mut sign_ms = Vec::with_capacity(KEYSTROKES);
    let mut verify_ms = Vec::with_capacity(KEYSTROKES);
    let mut bytes = Vec::with_capacity(KEYSTROKES);
    for (i, c) in "Signiert und geprüft. "
        .chars()
        .cycle()
        .take(KEYSTROKES)
        .enumerate()
    {
        let t0 = now();
        owner
            .splice_text(Role::Provider, field, i, 0, &c.to_string())
            .map_err(|e| e.to_string())?;
        let chunk = owner.save_incremental();
        let t1 = now();
        peer.apply(&chunk).map_err(|e| e.to_string())?;
        let t2 = now();
        if !peer.refusals().is_empty() {
            return Err("a signed keystroke was refused".into());
        }
        sign_ms.push(t1 - t0);
        verify_ms.push(t2 - t1);
        bytes.push(chunk.len() as f64);
    }
    Ok(json!({
        "keystrokes": KEYSTROKES,
        "splice_and_signed_save_incremental_ms": spread(&mut sign_ms),
        "peer_apply_through_the_gate_ms": spread(&mut verify_ms),
        "chunk_bytes": spread(&mut bytes),
    }))
}

fn longest_long_text(report: &Report) -> Result<(String, Role, usize), String> {
    let mut best: Option<(String, Role, usize)> = None;
    for f in report.template().fields() {
        if f.kind != FieldKind::LongText {
            continue;
        }
        let Some(role) = f
            .editors
            .iter()
            .copied()
            .find(|r| *r == Role::Provider)
            .or_else(|| f.editors.first().copied())
        else {
            continue;
        };
        let chars = report
            .text(&f.id)
            .map_err(|e| e.to_string())?
            .chars()
            .count();
        if best.as_ref().is_none_or(|b| chars > b.2) {
            best = Some((f.id.clone(), role, chars));
        }
    }
    best.ok_or_else(|| "die Vorlage hat kein langes Textfeld".to_string())
}

fn user_agent() -> String {
    web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .unwrap_or_default()
}

fn round(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

fn median(v: &mut [f64]) -> f64 {
    percentile(v, 0.5)
}

/// Nearest-rank percentile of `v` (sorted in place); 0 for an empty slice.
fn percentile(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

fn spread(v: &mut [f64]) -> Value {
    json!({
        "p50": round(percentile(v, 0.5)),
        "p95": round(percentile(v, 0.95)),
        "max": round(percentile(v, 1.0)),
    })
}
