//! Moving a device's data under its PIN, and wiping it when the PIN is lost.
//!
//! Setting the first PIN on a device with reports rewrites every plain record sealed
//! ([`ReportStore::seal_everything`]). Each object store is rewritten in one transaction, so a
//! store is either all sealed or as it was; reading accepts both, so a rewrite cut off by a
//! closed tab loses nothing and runs again at the next unlock (`vault::plain_left`).
//!
//! IndexedDB frees the old plain records, but the browser's files may keep their bytes until
//! it compacts them; `docs/security.md` says so.

use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::IdbCursorWithValue;

use super::idb::{self, Durability};
use super::templates::{self, TEMPLATES};
use super::{
    doc_context, key_id, settings, stored_bytes, summary_context, vault, write_err, Op,
    ReportStore, StorageError, DOCS, SUMMARIES,
};

impl ReportStore {
    /// Seals every record still stored plain (reports, summaries, templates, settings) and
    /// returns how many IndexedDB records it rewrote. Needs the device unlocked.
    pub async fn seal_everything(&self) -> Result<usize, StorageError> {
        if !vault::is_unlocked() {
            return Err(StorageError::Locked);
        }
        let mut rewritten = 0;
        for store in [DOCS, SUMMARIES, TEMPLATES] {
            rewritten += self.seal_store(store).await?;
        }
        settings::seal_plain()?;
        vault::plain_rewritten();
        Ok(rewritten)
    }

    async fn seal_store(&self, name: &str) -> Result<usize, StorageError> {
        let tx = self.tx(&[name], Op::Write, Durability::Strict)?;
        let work = async {
            let req = tx.store(name)?.open_cursor().map_err(|e| write_err(&e))?;
            let mut rewritten = 0;
            loop {
                let result = idb::wait(&req, Op::Write).await?;
                if result.is_null() || result.is_undefined() {
                    break;
                }
                let cursor: IdbCursorWithValue = result
                    .dyn_into()
                    .map_err(|_| StorageError::WriteFailed("kein Cursor".into()))?;
                let value = cursor.value().map_err(|e| write_err(&e))?;
                if let Some(sealed) =
                    sealed_value(name, &cursor.key().map_err(|e| write_err(&e))?, &value)?
                {
                    cursor.update(&sealed).map_err(|e| write_err(&e))?;
                    rewritten += 1;
                }
                cursor.continue_().map_err(|e| write_err(&e))?;
            }
            Ok(rewritten)
        }
        .await;
        tx.finish(work).await
    }

    /// Deletes every report, summary and template and every sealed setting: after the last
    /// wrong PIN, when the data key is gone and the records could never be opened again.
    pub async fn wipe(&self) -> Result<(), StorageError> {
        vault::forget_keys();
        let tx = self.tx(&[DOCS, SUMMARIES, TEMPLATES], Op::Write, Durability::Strict)?;
        let work = async {
            for name in [DOCS, SUMMARIES, TEMPLATES] {
                tx.store(name)?.clear().map_err(|e| write_err(&e))?;
            }
            Ok(())
        }
        .await;
        tx.finish(work).await
    }
}

/// The sealed form of a plain record of store `name` under `key`; `None` when it is sealed.
fn sealed_value(
    name: &str,
    key: &JsValue,
    value: &JsValue,
) -> Result<Option<JsValue>, StorageError> {
    let (context, plain) = if name == DOCS {
        let Some(bytes) = stored_bytes(value) else {
            return Ok(None);
        };
        (doc_context(&key_id(key)?), bytes)
    } else {
        let Some(text) = value.as_string() else {
            return Ok(None);
        };
        let context = if name == SUMMARIES {
            summary_context(&key.as_string().unwrap_or_default())
        } else {
            let key = js_sys::Array::from(key);
            templates::context(
                &key.get(0).as_string().unwrap_or_default(),
                &key.get(1).as_string().unwrap_or_default(),
            )
        };
        (context, text.into_bytes())
    };
    if vault::is_sealed(&plain) {
        return Ok(None);
    }
    Ok(vault::seal(&context, &plain)?.map(|s| Uint8Array::from(s.as_slice()).into()))
}
