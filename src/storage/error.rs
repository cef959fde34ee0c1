//! What can go wrong with storage on the device, in words a user can act on.
//!
//! Every error from the browser (a `DOMException`, a thrown value, a missing API) becomes one of
//! these variants; nothing in `storage` panics on a JS value. The `Display` text is German and is
//! meant to be shown as it is. Technical detail (the DOMException's name and message) is kept in
//! brackets at the end, because a support person may need it and it does not hurt a reader.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::DomException;

/// An error from the device storage (IndexedDB, localStorage, the Storage API).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StorageError {
    /// The browser refused a write because the site's storage quota is used up.
    ///
    /// The message says plainly that earlier saves are intact: IndexedDB writes are
    /// transactional, so a refused write changes nothing that was stored before.
    #[error(
        "Der Speicher dieses Geräts ist voll. Die letzte Änderung konnte nicht auf dem Gerät \
         gespeichert werden. Alles, was vorher schon gespeichert war, ist nicht verloren. \
         Bitte Platz schaffen (zum Beispiel erledigte Berichte exportieren und vom Gerät \
         löschen) und dann weiterarbeiten – die Änderung wird beim nächsten Speichern \
         nachgeholt, solange diese Seite offen bleibt."
    )]
    QuotaFull,
    /// IndexedDB or localStorage cannot be used at all (private window, blocked site data,
    /// a browser without IndexedDB, the database closed by the browser).
    #[error(
        "Dreieck kann auf diesem Gerät nichts speichern: Der Browser gibt keinen Speicher frei \
         (zum Beispiel im privaten Fenster oder wenn Website-Daten gesperrt sind). \
         Bitte die Seite in einem normalen Fenster öffnen oder neu laden. ({0})"
    )]
    Unavailable(String),
    /// A write failed for another reason (disk error, browser shutting down). Nothing stored
    /// before is affected, for the same reason as with [`StorageError::QuotaFull`].
    #[error(
        "Speichern auf dem Gerät ist fehlgeschlagen. Alles, was vorher schon gespeichert war, \
         ist nicht verloren; die letzte Änderung wird beim nächsten Speichern nachgeholt, \
         solange diese Seite offen bleibt. ({0})"
    )]
    WriteFailed(String),
    /// Reading from the device failed.
    #[error("Lesen aus dem Speicher des Geräts ist fehlgeschlagen. ({0})")]
    ReadFailed(String),
    /// There is no stored document under this id.
    #[error("Den Bericht „{0}“ gibt es auf diesem Gerät nicht.")]
    NotFound(String),
    /// Stored data does not have the shape this version writes (or a caller handed over bytes
    /// that cannot be a document). Storage refuses to replace anything with it.
    #[error("Gespeicherte Daten sind beschädigt oder unvollständig: {0}")]
    Corrupt(String),
    /// The device has a PIN and is locked: nothing can be read or written until it is entered.
    #[error("Dreieck ist gesperrt. Bitte zuerst die PIN eingeben.")]
    Locked,
    /// A request the lock refuses (a PIN too short, a second first PIN); the German reason.
    #[error("{0}")]
    Refused(String),
}

impl StorageError {
    /// The same in Leichte Sprache (the technical detail left out): what happened and what
    /// the person can do, one sentence a line.
    pub fn plain(&self) -> String {
        let t = &dreieck_texts::plain::PLAIN;
        match self {
            StorageError::QuotaFull => t.storage_quota_full.to_string(),
            StorageError::Unavailable(_) => t.storage_unavailable.to_string(),
            StorageError::WriteFailed(_) => t.storage_write_failed.to_string(),
            StorageError::ReadFailed(_) => t.storage_read_failed.to_string(),
            StorageError::NotFound(_) => t.storage_not_found.to_string(),
            StorageError::Corrupt(_) => t.storage_corrupt.to_string(),
            StorageError::Locked => t.storage_locked.to_string(),
            StorageError::Refused(why) => dreieck_texts::plain_of(why).to_string(),
        }
    }
}

/// Whether a failed operation was reading or writing: decides between
/// [`StorageError::ReadFailed`] and [`StorageError::WriteFailed`] for errors without a more
/// specific meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Read,
    Write,
}

impl StorageError {
    /// Maps any JS error value to a storage error. `QuotaExceededError` is recognised by name
    /// (it is a `DOMException`, or in newer browsers its own subclass with the same name).
    ///
    /// Public so that other adapters writing to the device use the same words, and so that
    /// the mapping can be tested: a full disk cannot be produced on demand in a test browser.
    pub fn from_js(err: &JsValue, op: Op) -> StorageError {
        let name = error_name(err);
        let detail = describe(err);
        match name.as_deref() {
            Some("QuotaExceededError") => StorageError::QuotaFull,
            // The connection is gone (the user cleared site data, the browser closed it) or the
            // backing store cannot be opened: retrying the same operation will not help.
            Some("InvalidStateError") | Some("SecurityError") | Some("NotFoundError") => {
                StorageError::Unavailable(detail)
            }
            _ => match op {
                Op::Read => StorageError::ReadFailed(detail),
                Op::Write => StorageError::WriteFailed(detail),
            },
        }
    }

    /// Maps a `DOMException` that may be absent (a transaction aborted without an error is an
    /// explicit `abort()`, which storage only does after it already has an error to report).
    pub(crate) fn from_dom(err: Option<DomException>, op: Op) -> StorageError {
        match err {
            Some(e) => StorageError::from_js(e.as_ref(), op),
            None => match op {
                Op::Read => StorageError::ReadFailed("abgebrochen".into()),
                Op::Write => StorageError::WriteFailed("abgebrochen".into()),
            },
        }
    }
}

/// The `name` of an Error or DOMException, if the value has one.
fn error_name(err: &JsValue) -> Option<String> {
    if let Some(dom) = err.dyn_ref::<DomException>() {
        return Some(dom.name());
    }
    js_sys::Reflect::get(err, &JsValue::from_str("name"))
        .ok()
        .and_then(|v| v.as_string())
}

/// "Name: message" for errors, the string itself for thrown strings, a fallback otherwise.
pub(crate) fn describe(err: &JsValue) -> String {
    if let Some(dom) = err.dyn_ref::<DomException>() {
        return format!("{}: {}", dom.name(), dom.message());
    }
    if let Some(e) = err.dyn_ref::<js_sys::Error>() {
        let name: String = e.name().into();
        let message: String = e.message().into();
        return format!("{name}: {message}");
    }
    if let Some(s) = err.as_string() {
        return s;
    }
    "unbekannter Fehler".to_string()
}
