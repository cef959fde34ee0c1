//! Imported templates on the device: the object store `templates` (added in database
//! version 2), key `[id, version]` → the template file's JSON text as it was accepted.
//!
//! Storage only keeps the texts; which file may be added (the versioning rules) is decided by
//! `dreieck_model::Library` before anything is written. Writes use `add`, never `put`: a
//! template once stored under an id and version is never replaced, so a report's
//! `[id, version]` always means one form.

use js_sys::Array;
use wasm_bindgen::JsValue;
use web_sys::IdbDatabase;

use super::idb::Durability;
use super::{stored_text, text_value, write_err, Op, ReportStore, StorageError};

/// The object store's name.
pub(crate) const TEMPLATES: &str = "templates";

/// Creates the store (the upgrade to database version 2; reports are not touched).
pub(crate) fn create_store(db: &IdbDatabase) -> Result<(), StorageError> {
    if !db.object_store_names().contains(TEMPLATES) {
        db.create_object_store(TEMPLATES)
            .map_err(|e| StorageError::from_js(&e, Op::Write))?;
    }
    Ok(())
}

/// Where a sealed template belongs (`dreieck_model::at_rest`).
pub(crate) fn context(id: &str, version: &str) -> String {
    format!("templates/{id}/{version}")
}

fn key(id: &str, version: &str) -> JsValue {
    Array::of2(&JsValue::from_str(id), &JsValue::from_str(version)).into()
}

impl ReportStore {
    /// The JSON texts of every imported template, in key order (by id, then version as text).
    pub async fn templates(&self) -> Result<Vec<String>, StorageError> {
        let (keys, values) = self.keys_and_values(TEMPLATES).await?;
        keys.iter()
            .zip(values.iter())
            .map(|(k, v)| {
                let key = Array::from(&k);
                let id = key.get(0).as_string().unwrap_or_default();
                let version = key.get(1).as_string().unwrap_or_default();
                stored_text(&context(&id, &version), v).map_err(|e| match e {
                    StorageError::Corrupt(_) => {
                        StorageError::Corrupt("eine gespeicherte Vorlage ist kein Text".into())
                    }
                    other => other,
                })
            })
            .collect()
    }

    /// Stores a template's JSON under `[id, version]`; resolves once it is on disk. Fails
    /// (`WriteFailed`, a `ConstraintError`) when another tab stored that key meanwhile.
    pub async fn add_template(
        &self,
        id: &str,
        version: &str,
        json: &str,
    ) -> Result<(), StorageError> {
        let value = text_value(&context(id, version), json)?;
        let tx = self.tx(&[TEMPLATES], Op::Write, Durability::Strict)?;
        let work = async {
            tx.store(TEMPLATES)?
                .add_with_key(&value, &key(id, version))
                .map_err(|e| write_err(&e))?;
            Ok(())
        }
        .await;
        tx.finish(work).await
    }

    /// Removes an imported template. Reports made with it keep working: each holds a copy.
    pub async fn delete_template(&self, id: &str, version: &str) -> Result<(), StorageError> {
        let tx = self.tx(&[TEMPLATES], Op::Write, Durability::Strict)?;
        let work = async {
            tx.store(TEMPLATES)?
                .delete(&key(id, version))
                .map_err(|e| write_err(&e))?;
            Ok(())
        }
        .await;
        tx.finish(work).await
    }
}
