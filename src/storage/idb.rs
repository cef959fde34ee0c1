//! A thin async layer over raw IndexedDB (web-sys), just what [`super::ReportStore`] needs.
//!
//! Raw web-sys instead of a wrapper crate: the adapter needs a handful of calls, full control of
//! error mapping and the transaction's `durability` option, and adds no dependency to the wasm.
//!
//! Requests and transactions are turned into promises by handing the promise's own `resolve`
//! and `reject` functions to `onsuccess`/`onerror` (`oncomplete`/`onabort`): no Rust closures
//! are created per request, so nothing leaks when a request never fires. The result is read
//! from the request after the promise settles.
//!
//! Awaiting a request inside a transaction is safe: the continuation runs as a microtask inside
//! the success event's dispatch (wasm-bindgen-futures schedules with `queueMicrotask`), while the
//! transaction is still active. The tests in `tests/storage.rs` exercise exactly that path.

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbFactory, IdbObjectStore, IdbRequest, IdbTransaction};

use super::error::{describe, Op, StorageError};

/// `indexedDB` of the current global (window or worker), if the browser offers it.
pub(crate) fn factory() -> Result<IdbFactory, StorageError> {
    let value = Reflect::get(&js_sys::global(), &JsValue::from_str("indexedDB"))
        .map_err(|e| StorageError::Unavailable(describe(&e)))?;
    if value.is_null() || value.is_undefined() {
        return Err(StorageError::Unavailable(
            "IndexedDB fehlt in diesem Browser".into(),
        ));
    }
    value
        .dyn_into::<IdbFactory>()
        .map_err(|_| StorageError::Unavailable("indexedDB ist keine IDBFactory".into()))
}

/// Waits for one request and returns its `result`.
pub(crate) async fn wait(req: &IdbRequest, op: Op) -> Result<JsValue, StorageError> {
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    req.set_onsuccess(None);
    req.set_onerror(None);
    match outcome {
        Ok(_) => req.result().map_err(|e| StorageError::from_js(&e, op)),
        Err(event) => match req.error() {
            Ok(Some(dom)) => Err(StorageError::from_js(dom.as_ref(), op)),
            Ok(None) => Err(StorageError::from_js(&event, op)),
            Err(e) => Err(StorageError::from_js(&e, op)),
        },
    }
}

/// How much a transaction's commit must survive (the IndexedDB `durability` hint).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Durability {
    /// Reads: no hint.
    Default,
    /// Writes of report data: the browser flushes to disk before `complete` fires. Chromium's
    /// default is "relaxed" (complete may fire before the OS has the data), which could lose the
    /// last edits on a power cut although the UI already said "gespeichert".
    Strict,
}

/// One IndexedDB transaction with a promise for its end, so that a write can resolve only
/// once the transaction has committed.
pub(crate) struct Tx {
    tx: IdbTransaction,
    done: Promise,
    op: Op,
}

impl Tx {
    /// Starts a transaction over `stores`. Read-only for [`Op::Read`], read-write otherwise.
    pub(crate) fn new(
        db: &IdbDatabase,
        stores: &[&str],
        op: Op,
        durability: Durability,
    ) -> Result<Tx, StorageError> {
        let names = Array::new();
        for s in stores {
            names.push(&JsValue::from_str(s));
        }
        let mode = match op {
            Op::Read => "readonly",
            Op::Write => "readwrite",
        };
        // `db.transaction(stores, mode, {durability})` is called through Reflect because web-sys
        // puts the options dictionary behind `web_sys_unstable_apis`. Browsers without the
        // option ignore the third argument.
        let options = js_sys::Object::new();
        if durability == Durability::Strict {
            Reflect::set(
                &options,
                &JsValue::from_str("durability"),
                &JsValue::from_str("strict"),
            )
            .map_err(|e| StorageError::from_js(&e, op))?;
        }
        let transaction: Function = Reflect::get(db, &JsValue::from_str("transaction"))
            .map_err(|e| StorageError::from_js(&e, op))?
            .dyn_into()
            .map_err(|_| StorageError::Unavailable("IDBDatabase.transaction fehlt".into()))?;
        let tx: IdbTransaction = transaction
            .call3(db, &names, &JsValue::from_str(mode), &options)
            .map_err(|e| StorageError::from_js(&e, op))?
            .dyn_into()
            .map_err(|_| StorageError::Unavailable("keine IDBTransaction".into()))?;
        let done = Promise::new(&mut |resolve: Function, reject: Function| {
            tx.set_oncomplete(Some(&resolve));
            tx.set_onabort(Some(&reject));
        });
        Ok(Tx { tx, done, op })
    }

    pub(crate) fn store(&self, name: &str) -> Result<IdbObjectStore, StorageError> {
        self.tx
            .object_store(name)
            .map_err(|e| StorageError::from_js(&e, self.op))
    }

    /// Ends the transaction with the outcome of the work done in it.
    ///
    /// On `Ok` it waits for `complete` (the commit) and only then returns the value; if the
    /// commit fails (quota, disk), that error is returned instead. On `Err` it aborts the
    /// transaction, so that nothing of a half-done write is committed, waits for the abort to
    /// settle and returns the original error.
    pub(crate) async fn finish<T>(
        self,
        outcome: Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        match outcome {
            Ok(value) => match JsFuture::from(self.done).await {
                Ok(_) => Ok(value),
                Err(_) => Err(StorageError::from_dom(self.tx.error(), self.op)),
            },
            Err(err) => {
                // Throws if the transaction has already finished (a failed request aborts it
                // by itself); either way it ends without committing.
                let _ = self.tx.abort();
                let _ = JsFuture::from(self.done).await;
                Err(err)
            }
        }
    }
}
