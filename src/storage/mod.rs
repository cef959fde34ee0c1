//! Storage on the device: reports in IndexedDB, small settings in localStorage.
//!
//! No Leptos in here: this is an adapter at the edge, tested on its own in headless Chromium
//! (`tests/storage.rs`). The layout and the rules for compaction are written down in
//! `docs/storage.md`.
//!
//! ## Layout
//! Database `dreieck` (version [`DB_VERSION`]) with three object stores, all with out-of-line keys:
//! - `docs`: key `[report id, seq]` (an array key; `seq` a number counting up from 0) → the
//!   bytes of one chunk (`Uint8Array`). A report is its chunks in key order, concatenated: a full
//!   Automerge save followed by incremental saves, which is exactly what Automerge loads.
//!   Array keys sort element by element, so one report's chunks are one contiguous key range,
//!   `[id] ..= [id, []]` (an array sorts after every number).
//! - `summaries`: key report id → the [`Summary`] as a JSON string, so the case list can be shown
//!   without loading every document.
//! - `templates` (since version 2): key `[id, version]` → an imported template's JSON text
//!   (`templates.rs`).
//!
//! ## Durability
//! Every write is one read-write transaction with `durability: "strict"`, and the Rust future
//! resolves only after the transaction's `complete` event: when `append` returns `Ok`, the chunk
//! and its summary are on disk together, or neither is.
//!
//! ## Never losing an edit
//! Automerge's `save_incremental` forgets what it returned: if the write of that chunk then
//! fails (quota full), the next `save_incremental` would not contain those changes. So a
//! [`ReportStore`] keeps a chunk whose write failed in memory and writes it in front of the
//! next chunk for the same report (or drops it once a [`ReportStore::compact`] with a full save
//! has succeeded). [`ReportStore::unsaved_bytes`] tells the UI that something is waiting.

mod error;
pub mod hex;
mod idb;
pub mod kept;
pub mod people;
mod reseal;
pub mod settings;
mod templates;
pub mod vault;
mod web;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use dreieck_model::trust::{Attestation, SignedChanges};
use js_sys::{Array, ArrayBuffer, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbCursor, IdbCursorDirection, IdbDatabase, IdbKeyRange, IdbVersionChangeEvent};

pub use error::{Op, StorageError};
pub use web::{estimate, register_service_worker, request_persistence};

use idb::{Durability, Tx};

/// The database the app uses.
pub const DB_NAME: &str = "dreieck";
/// Schema version of the database; raise it (and extend [`upgrade`]) when the layout changes.
pub const DB_VERSION: u32 = 2;

const DOCS: &str = "docs";
const SUMMARIES: &str = "summaries";

/// What the case list needs to know about a report without loading its document.
///
/// Fields added after the first release carry `serde(default)`: a summary written by an older
/// build still reads, and is rewritten with the new fields at the report's next change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub id: String,
    /// The beneficiary's name, "" while empty.
    pub title: String,
    pub template_name: String,
    pub created_ms: f64,
    pub updated_ms: f64,
    /// The status code (`dreieck_model::Status::code`); "" when unknown.
    #[serde(default)]
    pub status: String,
    /// The deadline (ISO date), when the form has one and its dates are filled.
    #[serde(default)]
    pub due: Option<String>,
    /// Why that is the deadline, or what is missing to know it (German).
    #[serde(default)]
    pub due_reason: String,
    /// The "fehlender Hilfebaustein" flags, for the overview across reports.
    #[serde(default)]
    pub missing_help: Vec<MissingHelpSummary>,
    /// The last day a submitted report is to be kept (ISO date), when its form sets a
    /// retention period (`Report::retention_end`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_end: Option<String>,
    /// What the form was written for, where it says (the Feedbackbogen's Anlass), as its label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occasion: Option<String>,
    /// The period the report covers (Berichtszeitraum, Teilnahme), as the form names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// The approval period (Bewilligungszeitraum), where the form has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Period>,
    /// The caseworker's remarks waiting for the provider's answer ("Rückfrage").
    #[serde(default, skip_serializing_if = "is_zero")]
    pub remarks_open: u32,
    /// Answers waiting for the caseworker.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub remarks_answered: u32,
    /// "Bericht angenommen" (ISO date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
    /// The goals as Wirkungsorientierung counts them (`Report::impact_goals`): no text, no
    /// name, the person as a digest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub impact: Vec<ImpactSummary>,
}

/// One goal as [`Summary::impact`] keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImpactSummary {
    pub person: String,
    /// ISO date, the end of the report's period.
    pub period_end: Option<String>,
    pub provider: String,
    pub area: Option<String>,
    /// `GoalLevel::code`.
    pub level: Option<String>,
    pub achievement: Option<u8>,
    pub reason: Option<u8>,
    pub self_rating: Option<u8>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A from–to field as the case list shows and sorts it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Period {
    /// The field's label ("Berichtszeitraum des Ergebnisberichts").
    pub label: String,
    /// ISO dates, where filled.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// One "fehlender Hilfebaustein" flag as the overview lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MissingHelpSummary {
    /// The area code (`dreieck_model::HELP_AREAS`).
    pub area: String,
    pub text: String,
    /// ISO date it was noted.
    pub date: Option<String>,
}

/// Handle to the open database. Cheap to clone; clones share the connection and the memory
/// of unsaved chunks. The connection closes when the last clone is dropped.
#[derive(Clone)]
pub struct ReportStore {
    inner: Rc<Inner>,
}

struct Inner {
    db: IdbDatabase,
    /// Chunks whose write failed, per report id, waiting to be written with the next append.
    unsaved: RefCell<HashMap<String, Vec<u8>>>,
    /// The sequence number the next chunk of a report gets, once known: an append then needs
    /// no cursor to find it (a keystroke is one `add`). Forgotten when a write fails, since
    /// another tab may have appended.
    next_seq: RefCell<HashMap<String, f64>>,
    /// The summary last written per report: a keystroke that changes only its time writes it
    /// at most every [`SUMMARY_EVERY_MS`].
    written: RefCell<HashMap<String, Summary>>,
}

/// How stale a summary's `updated_ms` may get while only the time changes (typing).
const SUMMARY_EVERY_MS: f64 = 2_000.0;

impl Drop for Inner {
    fn drop(&mut self) {
        self.db.close();
    }
}

impl ReportStore {
    /// Opens (and on first use creates or upgrades) the app's database `dreieck`.
    pub async fn open() -> Result<ReportStore, StorageError> {
        Self::open_named(DB_NAME).await
    }

    /// Opens a database with another name but the same layout: the benchmark uses its own, so
    /// that it never touches the user's reports, and tests can start from an empty one.
    pub async fn open_named(name: &str) -> Result<ReportStore, StorageError> {
        let factory = idb::factory()?;
        let req = factory
            .open_with_u32(name, DB_VERSION)
            .map_err(|e| StorageError::Unavailable(error::describe(&e)))?;

        // The upgrade runs inside the open request's version-change transaction; an error in
        // it aborts that transaction, which makes the open request fail.
        let upgrade_error: Rc<RefCell<Option<StorageError>>> = Rc::new(RefCell::new(None));
        let on_upgrade = {
            let req = req.clone();
            let slot = upgrade_error.clone();
            wasm_bindgen::closure::Closure::<dyn FnMut(IdbVersionChangeEvent)>::new(
                move |event: IdbVersionChangeEvent| {
                    if let Err(err) = upgrade(&req, event.old_version()) {
                        *slot.borrow_mut() = Some(err);
                        if let Some(tx) = req.transaction() {
                            let _ = tx.abort();
                        }
                    }
                },
            )
        };
        req.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
        let opened = idb::wait(&req, Op::Write).await;
        req.set_onupgradeneeded(None);
        drop(on_upgrade);

        if let Some(err) = upgrade_error.borrow_mut().take() {
            return Err(err);
        }
        let db: IdbDatabase = match opened {
            Ok(v) => v
                .dyn_into()
                .map_err(|_| StorageError::Unavailable("keine IDBDatabase".into()))?,
            // Opening fails with these when storage is disabled or the profile is broken.
            Err(StorageError::ReadFailed(d) | StorageError::WriteFailed(d)) => {
                return Err(StorageError::Unavailable(d))
            }
            Err(e) => return Err(e),
        };
        // When a newer version of the app (another tab) wants to upgrade, close this connection
        // instead of blocking it; this tab's next write then reports `Unavailable` (reload).
        if let Ok(close) = js_sys::Reflect::get(&db, &JsValue::from_str("close")) {
            if let Ok(close) = close.dyn_into::<js_sys::Function>() {
                db.set_onversionchange(Some(&close.bind0(&db)));
            }
        }
        Ok(ReportStore {
            inner: Rc::new(Inner {
                db,
                unsaved: RefCell::new(HashMap::new()),
                next_seq: RefCell::new(HashMap::new()),
                written: RefCell::new(HashMap::new()),
            }),
        })
    }

    /// The summaries of all reports, most recently updated first. A summary that cannot be
    /// parsed is skipped (and logged): the document itself is still listed by [`Self::ids`].
    pub async fn summaries(&self) -> Result<Vec<Summary>, StorageError> {
        let (keys, values) = self.keys_and_values(SUMMARIES).await?;
        let mut out = Vec::new();
        for (key, value) in keys.iter().zip(values.iter()) {
            let id = key.as_string().unwrap_or_default();
            match stored_text(&summary_context(&id), value)
                .map(|json| serde_json::from_str::<Summary>(&json))
            {
                Ok(Ok(summary)) => out.push(summary),
                Ok(Err(e)) => warn(&format!("Dreieck: Zusammenfassung unlesbar: {e}")),
                Err(StorageError::Locked) => return Err(StorageError::Locked),
                Err(e) => warn(&format!("Dreieck: Zusammenfassung unlesbar: {e}")),
            }
        }
        out.sort_by(|a, b| b.updated_ms.total_cmp(&a.updated_ms));
        Ok(out)
    }

    /// Every key of object store `name` and every value, in the same (key) order, read in one
    /// transaction: a sealed record opens only with its key (`vault`).
    async fn keys_and_values(&self, name: &str) -> Result<(Array, Array), StorageError> {
        let tx = self.tx(&[name], Op::Read, Durability::Default)?;
        let work = async {
            let store = tx.store(name)?;
            let keys = store.get_all_keys().map_err(|e| read_err(&e))?;
            let values = store.get_all().map_err(|e| read_err(&e))?;
            Ok((
                idb::wait(&keys, Op::Read).await?,
                idb::wait(&values, Op::Read).await?,
            ))
        }
        .await;
        let (keys, values) = tx.finish(work).await?;
        Ok((as_array(&keys)?, as_array(&values)?))
    }

    /// Ids of every stored document, with or without a summary, in key order.
    ///
    /// Walks the keys of `docs` with a key cursor and jumps over each report's chunks
    /// (`continue([id, []])`), so the cost grows with the number of reports, not of chunks.
    pub async fn ids(&self) -> Result<Vec<String>, StorageError> {
        let tx = self.tx(&[DOCS], Op::Read, Durability::Default)?;
        let work = async {
            let store = tx.store(DOCS)?;
            let req = store.open_key_cursor().map_err(|e| read_err(&e))?;
            let mut ids = Vec::new();
            loop {
                let result = idb::wait(&req, Op::Read).await?;
                if result.is_null() || result.is_undefined() {
                    break;
                }
                let cursor: IdbCursor = result
                    .dyn_into()
                    .map_err(|_| StorageError::ReadFailed("kein Cursor".into()))?;
                let key = cursor.key().map_err(|e| read_err(&e))?;
                let id = key_id(&key)?;
                cursor
                    .continue_with_key(&after_all_chunks(&id))
                    .map_err(|e| read_err(&e))?;
                ids.push(id);
            }
            Ok(ids)
        }
        .await;
        tx.finish(work).await
    }

    /// The stored bytes of a report: its chunks in write order, concatenated (a full save and
    /// the incremental saves after it, as `Report::load` takes them).
    pub async fn load(&self, id: &str) -> Result<Vec<u8>, StorageError> {
        let tx = self.tx(&[DOCS], Op::Read, Durability::Default)?;
        let work = async {
            let store = tx.store(DOCS)?;
            let req = store
                .get_all_with_key(&chunk_range(id)?)
                .map_err(|e| read_err(&e))?;
            idb::wait(&req, Op::Read).await
        }
        .await;
        let values = as_array(&tx.finish(work).await?)?;
        if values.length() == 0 {
            return Err(StorageError::NotFound(id.to_string()));
        }
        concat_chunks(id, &values)
    }

    /// Appends one chunk (an incremental save) and updates the summary, in one transaction;
    /// resolves once both are committed.
    ///
    /// An empty chunk (nothing changed) only updates the summary. If the write fails, the
    /// chunk is kept in memory and written before the next chunk of the same report.
    /// Returns the sequence number the chunk got (`None`: nothing but the summary written).
    pub async fn append(
        &self,
        id: &str,
        chunk: &[u8],
        summary: &Summary,
    ) -> Result<Option<f64>, StorageError> {
        let waiting = self.inner.unsaved.borrow_mut().remove(id);
        let bytes: std::borrow::Cow<[u8]> = match waiting {
            Some(mut earlier) => {
                earlier.extend_from_slice(chunk);
                earlier.into()
            }
            None => chunk.into(),
        };
        let result = self.append_now(id, &bytes, summary).await;
        if result.is_err() && !bytes.is_empty() {
            // A newer failure may have stored something meanwhile (two appends in flight):
            // keep both, older bytes first. Automerge does not mind the order anyway: changes
            // whose dependencies come later are held back until they arrive.
            let mut unsaved = self.inner.unsaved.borrow_mut();
            let entry = unsaved.entry(id.to_string()).or_default();
            let newer = std::mem::take(entry);
            entry.extend_from_slice(&bytes);
            entry.extend_from_slice(&newer);
        }
        result
    }

    async fn append_now(
        &self,
        id: &str,
        bytes: &[u8],
        summary: &Summary,
    ) -> Result<Option<f64>, StorageError> {
        let known = self.inner.next_seq.borrow().get(id).copied();
        let json = self
            .summary_due(summary)
            .then(|| summary_json(summary))
            .transpose()?;
        let result = self.append_at(id, bytes, json.as_deref(), known).await;
        match result {
            Ok(seq) => {
                if let Some(seq) = seq {
                    self.inner
                        .next_seq
                        .borrow_mut()
                        .insert(id.to_string(), seq + 1.0);
                }
                if json.is_some() {
                    self.inner
                        .written
                        .borrow_mut()
                        .insert(id.to_string(), summary.clone());
                }
                Ok(seq)
            }
            Err(e) => {
                self.inner.next_seq.borrow_mut().remove(id);
                self.inner.written.borrow_mut().remove(id);
                if known.is_some() && !bytes.is_empty() {
                    // Another tab may have taken the number: look it up and try once more.
                    let json = summary_json(summary)?;
                    let seq = self.append_at(id, bytes, Some(&json), None).await?;
                    if let Some(seq) = seq {
                        self.inner
                            .next_seq
                            .borrow_mut()
                            .insert(id.to_string(), seq + 1.0);
                    }
                    self.inner
                        .written
                        .borrow_mut()
                        .insert(id.to_string(), summary.clone());
                    return Ok(seq);
                }
                Err(e)
            }
        }
    }

    /// Whether `summary` must be written: anything but its time changed, or the stored one
    /// is [`SUMMARY_EVERY_MS`] old.
    fn summary_due(&self, summary: &Summary) -> bool {
        match self.inner.written.borrow().get(&summary.id) {
            Some(w) => {
                let same_but_time = Summary {
                    updated_ms: summary.updated_ms,
                    ..w.clone()
                };
                same_but_time != *summary || summary.updated_ms - w.updated_ms >= SUMMARY_EVERY_MS
            }
            None => true,
        }
    }

    /// One transaction: the chunk at `seq` (looked up with a cursor when `None`) and the
    /// summary if given. Returns the sequence number used.
    async fn append_at(
        &self,
        id: &str,
        bytes: &[u8],
        json: Option<&str>,
        seq: Option<f64>,
    ) -> Result<Option<f64>, StorageError> {
        let sealed = vault::seal(&doc_context(id), bytes)?;
        let chunk: &[u8] = sealed.as_deref().unwrap_or(bytes);
        let summary = json.map(|j| summary_value(id, j)).transpose()?;
        let tx = self.tx(&[DOCS, SUMMARIES], Op::Write, Durability::Strict)?;
        let work = async {
            let mut used = None;
            if !bytes.is_empty() {
                let docs = tx.store(DOCS)?;
                let seq = match seq {
                    Some(seq) => seq,
                    // Read inside the same transaction, so appends from two tabs are
                    // serialised by IndexedDB and never collide.
                    None => last_seq(&docs, id).await?.map_or(0.0, |s| s + 1.0),
                };
                // `add`, not `put`: a key collision must fail rather than overwrite a chunk.
                docs.add_with_key(&Uint8Array::from(chunk), &chunk_key(id, seq))
                    .map_err(|e| write_err(&e))?;
                used = Some(seq);
            }
            if let Some(summary) = &summary {
                tx.store(SUMMARIES)?
                    .put_with_key(summary, &JsValue::from_str(id))
                    .map_err(|e| write_err(&e))?;
            }
            Ok(used)
        }
        .await;
        tx.finish(work).await
    }

    /// Replaces all chunks of a report with one full save, and updates the summary, in one
    /// transaction.
    ///
    /// Safe against other tabs: before deleting anything, the chunks stored now are merged into
    /// `full` (Automerge), and if they held changes that `full` lacks (another tab appended
    /// meanwhile), the merged document is stored instead. If `full` or the stored chunks cannot
    /// be read as a document, nothing is changed and [`StorageError::Corrupt`] is returned:
    /// compaction never replaces data it cannot prove to be covered.
    pub async fn compact(
        &self,
        id: &str,
        full: &[u8],
        summary: &Summary,
    ) -> Result<(), StorageError> {
        self.compact_own(id, full, summary, None).await
    }

    /// [`ReportStore::compact`] by the writer that knows `full` holds chunks `0..covered`
    /// (it wrote them, or the compaction they came from, and nothing else since). When those
    /// are all the stored chunks, the check that `full` covers them (a full load of both, most
    /// of a compaction's time in a long report) is skipped; when another tab appended
    /// meanwhile, there are more chunks and the check runs as always.
    pub async fn compact_own(
        &self,
        id: &str,
        full: &[u8],
        summary: &Summary,
        covered: Option<f64>,
    ) -> Result<(), StorageError> {
        let summary_stored = summary_value(id, &summary_json(summary)?)?;
        // Sealed before the transaction when nothing else may have been stored; sealed inside
        // it (synchronously: an IndexedDB transaction must not wait for anything else) when
        // the stored chunks had to be merged in.
        let full_sealed = vault::seal(&doc_context(id), full)?;
        let tx = self.tx(&[DOCS, SUMMARIES], Op::Write, Durability::Strict)?;
        let work = async {
            let docs = tx.store(DOCS)?;
            let range = chunk_range(id)?;
            let all_known = match covered {
                Some(c) => last_seq(&docs, id).await?.map_or(0.0, |l| l + 1.0) == c,
                None => false,
            };
            let merged = if all_known {
                None
            } else {
                let req = docs.get_all_with_key(&range).map_err(|e| write_err(&e))?;
                let stored = concat_chunks(id, &as_array(&idb::wait(&req, Op::Write).await?)?)?;
                covering_save(full, &stored)?
            };
            let merged_sealed = match &merged {
                Some(m) => vault::seal(&doc_context(id), m)?,
                None => None,
            };
            let bytes: &[u8] = merged_sealed
                .as_deref()
                .or(merged.as_deref())
                .or(full_sealed.as_deref())
                .unwrap_or(full);
            docs.delete(&range).map_err(|e| write_err(&e))?;
            docs.add_with_key(&Uint8Array::from(bytes), &chunk_key(id, 0.0))
                .map_err(|e| write_err(&e))?;
            tx.store(SUMMARIES)?
                .put_with_key(&summary_stored, &JsValue::from_str(id))
                .map_err(|e| write_err(&e))?;
            Ok(())
        }
        .await;
        let outcome = tx.finish(work).await;
        // Whatever happened, the chunks are one (seq 0) or as they were (look them up).
        self.inner.next_seq.borrow_mut().remove(id);
        self.inner.written.borrow_mut().remove(id);
        outcome?;
        // The full save came from the in-memory document, which holds every unsaved change.
        self.inner.unsaved.borrow_mut().remove(id);
        self.inner.next_seq.borrow_mut().insert(id.to_string(), 1.0);
        self.inner
            .written
            .borrow_mut()
            .insert(id.to_string(), summary.clone());
        Ok(())
    }

    /// How many chunks a report is stored in (1 right after a compaction).
    pub async fn chunk_count(&self, id: &str) -> Result<u32, StorageError> {
        let tx = self.tx(&[DOCS], Op::Read, Durability::Default)?;
        let work = async {
            let req = tx
                .store(DOCS)?
                .count_with_key(&chunk_range(id)?)
                .map_err(|e| read_err(&e))?;
            idb::wait(&req, Op::Read).await
        }
        .await;
        let count = tx.finish(work).await?;
        count
            .as_f64()
            .map(|n| n as u32)
            .ok_or_else(|| StorageError::ReadFailed("Anzahl ist keine Zahl".into()))
    }

    /// Deletes a report's chunks and its summary, in one transaction.
    pub async fn delete(&self, id: &str) -> Result<(), StorageError> {
        let tx = self.tx(&[DOCS, SUMMARIES], Op::Write, Durability::Strict)?;
        let work = async {
            tx.store(DOCS)?
                .delete(&chunk_range(id)?)
                .map_err(|e| write_err(&e))?;
            tx.store(SUMMARIES)?
                .delete(&JsValue::from_str(id))
                .map_err(|e| write_err(&e))?;
            Ok(())
        }
        .await;
        tx.finish(work).await?;
        self.inner.unsaved.borrow_mut().remove(id);
        self.inner.next_seq.borrow_mut().remove(id);
        self.inner.written.borrow_mut().remove(id);
        Ok(())
    }

    /// Bytes of changes to this report that could not be written yet (0 when all is stored).
    pub fn unsaved_bytes(&self, id: &str) -> usize {
        self.inner.unsaved.borrow().get(id).map_or(0, Vec::len)
    }

    fn tx(&self, stores: &[&str], op: Op, durability: Durability) -> Result<Tx, StorageError> {
        Tx::new(&self.inner.db, stores, op, durability)
    }
}

/// The sequence number of a report's last chunk, if it has any (a key cursor from the end).
async fn last_seq(docs: &web_sys::IdbObjectStore, id: &str) -> Result<Option<f64>, StorageError> {
    let req = docs
        .open_key_cursor_with_range_and_direction(&chunk_range(id)?, IdbCursorDirection::Prev)
        .map_err(|e| write_err(&e))?;
    let last = idb::wait(&req, Op::Write).await?;
    if last.is_null() || last.is_undefined() {
        return Ok(None);
    }
    let cursor: IdbCursor = last
        .dyn_into()
        .map_err(|_| StorageError::WriteFailed("kein Cursor".into()))?;
    Ok(Some(key_seq(&cursor.key().map_err(|e| write_err(&e))?)?))
}

/// Creates the object stores. `old_version` is 0 for a new database.
fn upgrade(req: &web_sys::IdbOpenDbRequest, old_version: f64) -> Result<(), StorageError> {
    let db: IdbDatabase = req
        .result()
        .map_err(|e| StorageError::from_js(&e, Op::Write))?
        .dyn_into()
        .map_err(|_| StorageError::Unavailable("keine IDBDatabase beim Einrichten".into()))?;
    if old_version < 1.0 {
        for name in [DOCS, SUMMARIES] {
            if !db.object_store_names().contains(name) {
                db.create_object_store(name)
                    .map_err(|e| StorageError::from_js(&e, Op::Write))?;
            }
        }
    }
    if old_version < 2.0 {
        templates::create_store(&db)?;
    }
    Ok(())
}

/// Checks that `full` covers everything in `stored` (the report's current chunks).
///
/// Returns `None` when it does (store `full` as it is), or the save of `full` merged with
/// `stored` when `stored` holds changes that `full` lacks.
///
/// A protected report stores signed bundles (`dreieck_model::trust::SignedChanges`): their
/// Automerge bytes are compared, and a merged save keeps the attestations of both.
fn covering_save(full: &[u8], stored: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
    let (full_changes, full_attestations, signed) = automerge_part(full)
        .map_err(|e| StorageError::Corrupt(format!("die neue Gesamtsicherung ist {e}")))?;
    let mut doc = automerge::AutoCommit::load(&full_changes).map_err(|e| {
        StorageError::Corrupt(format!("die neue Gesamtsicherung ist kein Dokument: {e}"))
    })?;
    if stored.is_empty() {
        return Ok(None);
    }
    let (stored_changes, stored_attestations, _) = automerge_part(stored)
        .map_err(|e| StorageError::Corrupt(format!("die gespeicherten Teile sind {e}")))?;
    let before = doc.get_heads();
    doc.load_incremental(&stored_changes).map_err(|e| {
        StorageError::Corrupt(format!("die gespeicherten Teile sind nicht lesbar: {e}"))
    })?;
    // Changes whose ancestors are missing are held back by Automerge and would not be in a
    // save: deleting the chunks that hold them would lose them.
    if !doc.get_missing_deps(&[]).is_empty() {
        return Err(StorageError::Corrupt(
            "den gespeicherten Teilen fehlen Vorgänger-Änderungen".into(),
        ));
    }
    if doc.get_heads() == before {
        Ok(None)
    } else if signed {
        let mut attestations = full_attestations;
        for a in stored_attestations {
            if !attestations.contains(&a) {
                attestations.push(a);
            }
        }
        Ok(Some(
            SignedChanges {
                changes: doc.save(),
                attestations,
            }
            .encode(),
        ))
    } else {
        Ok(Some(doc.save()))
    }
}

/// The Automerge bytes of stored bytes (signed bundles or plain), their attestations, and
/// whether they were signed.
fn automerge_part(bytes: &[u8]) -> Result<(Vec<u8>, Vec<Attestation>, bool), &'static str> {
    if !SignedChanges::looks_like(bytes) {
        return Ok((bytes.to_vec(), Vec::new(), false));
    }
    let joined = SignedChanges::join(
        SignedChanges::decode_all(bytes).map_err(|_| "beschädigt (signierte Teile)")?,
    );
    Ok((joined.changes, joined.attestations, true))
}

fn summary_json(summary: &Summary) -> Result<String, StorageError> {
    serde_json::to_string(summary).map_err(|e| StorageError::WriteFailed(e.to_string()))
}

/// `[id, seq]`: the key of one chunk.
fn chunk_key(id: &str, seq: f64) -> JsValue {
    Array::of2(&JsValue::from_str(id), &JsValue::from_f64(seq)).into()
}

/// `[id, []]`: sorts after every `[id, seq]` and before the next id's keys.
fn after_all_chunks(id: &str) -> JsValue {
    Array::of2(&JsValue::from_str(id), &Array::new()).into()
}

/// All chunk keys of one report: `[id]` (sorts before `[id, 0]`) up to `[id, []]`.
fn chunk_range(id: &str) -> Result<JsValue, StorageError> {
    let lower: JsValue = Array::of1(&JsValue::from_str(id)).into();
    IdbKeyRange::bound(&lower, &after_all_chunks(id))
        .map(JsValue::from)
        .map_err(|e| StorageError::from_js(&e, Op::Read))
}

fn key_id(key: &JsValue) -> Result<String, StorageError> {
    as_array(key)?
        .get(0)
        .as_string()
        .ok_or_else(|| StorageError::Corrupt("Schlüssel ohne Bericht-Id".into()))
}

fn key_seq(key: &JsValue) -> Result<f64, StorageError> {
    as_array(key)?
        .get(1)
        .as_f64()
        .ok_or_else(|| StorageError::Corrupt("Schlüssel ohne Folgenummer".into()))
}

/// The value as a JS array. (`Array::from` would call `Array.from`, which throws on
/// `undefined`: never let a JS exception through.)
fn as_array(value: &JsValue) -> Result<Array, StorageError> {
    value
        .dyn_ref::<Array>()
        .cloned()
        .ok_or_else(|| StorageError::Corrupt("eine Liste erwartet".into()))
}

/// Concatenates stored chunks (each a `Uint8Array`, or an `ArrayBuffer` if written by other
/// code) into one byte vector.
/// The chunks of report `id`, each opened if sealed, concatenated.
fn concat_chunks(id: &str, values: &Array) -> Result<Vec<u8>, StorageError> {
    let context = doc_context(id);
    let mut out = Vec::new();
    for value in values.iter() {
        let bytes = stored_bytes(&value).ok_or_else(|| {
            StorageError::Corrupt("ein gespeicherter Teil ist keine Bytefolge".into())
        })?;
        if vault::is_sealed(&bytes) {
            out.extend_from_slice(&vault::open(&context, bytes)?);
        } else if out.is_empty() {
            out = bytes;
        } else {
            out.extend_from_slice(&bytes);
        }
    }
    Ok(out)
}

/// The bytes of a stored `Uint8Array` or `ArrayBuffer`.
fn stored_bytes(value: &JsValue) -> Option<Vec<u8>> {
    if let Some(a) = value.dyn_ref::<Uint8Array>() {
        Some(a.to_vec())
    } else {
        value
            .dyn_ref::<ArrayBuffer>()
            .map(|b| Uint8Array::new(b).to_vec())
    }
}

/// A stored text (summary, template): a string as written without a PIN, or a sealed record.
fn stored_text(context: &str, value: JsValue) -> Result<String, StorageError> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    let bytes = stored_bytes(&value)
        .ok_or_else(|| StorageError::Corrupt("ein gespeicherter Eintrag ist kein Text".into()))?;
    String::from_utf8(vault::open(context, bytes)?)
        .map_err(|_| StorageError::Corrupt("ein gespeicherter Eintrag ist kein Text".into()))
}

/// A text as it is stored: sealed bytes with a PIN, the string itself without.
fn text_value(context: &str, text: &str) -> Result<JsValue, StorageError> {
    Ok(match vault::seal(context, text.as_bytes())? {
        Some(sealed) => Uint8Array::from(sealed.as_slice()).into(),
        None => JsValue::from_str(text),
    })
}

fn summary_value(id: &str, json: &str) -> Result<JsValue, StorageError> {
    text_value(&summary_context(id), json)
}

/// Where a sealed record belongs (`dreieck_model::at_rest`): a chunk to its report, a summary
/// to its report, so that neither opens under another report's id.
fn doc_context(id: &str) -> String {
    format!("docs/{id}")
}

fn summary_context(id: &str) -> String {
    format!("summaries/{id}")
}

/// Lets the browser paint (a "wird entsperrt" state) before a long computation holds the
/// thread.
pub async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("setTimeout"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        match set_timeout {
            Some(f) => {
                let _ = f.call2(&JsValue::NULL, &resolve, &JsValue::from_f64(30.0));
            }
            None => {
                let _ = resolve.call0(&JsValue::NULL);
            }
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn read_err(e: &JsValue) -> StorageError {
    StorageError::from_js(e, Op::Read)
}

fn write_err(e: &JsValue) -> StorageError {
    StorageError::from_js(e, Op::Write)
}

pub(crate) fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}
