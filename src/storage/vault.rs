//! The device lock: the PIN, the data key while unlocked, and sealing of what is stored.
//!
//! With a PIN set, everything the app stores about people (report chunks, summaries,
//! templates, and every setting but a few named in [`CLEAR_SETTINGS`]) is sealed under one
//! data key (`dreieck_model::at_rest`). The key is stored only wrapped under the PIN
//! (localStorage `dreieck.sperre`); unwrapped it lives in this module's memory, and locking
//! reloads the page, which discards the whole WebAssembly memory with every decrypted report.
//!
//! Why the key is not a non-extractable Web Crypto key: Web Crypto is asynchronous, and an
//! IndexedDB transaction commits as soon as it waits for anything but its own requests, so the
//! chunks a compaction reads, merges and rewrites in one transaction could not be decrypted and
//! sealed inside it. And while unlocked, the decrypted reports and the signing keys are in this
//! memory anyway; a script that could use the key could read them too. See `docs/security.md`.
//!
//! Without a PIN, nothing is sealed and records are stored as before. Reading accepts both
//! sealed and plain records, so a device whose data was written before the PIN (or while a
//! migration was cut off) loses nothing; [`ReportStore::seal_everything`] rewrites the plain
//! ones.

use std::cell::RefCell;
use std::rc::Rc;

use dreieck_model::at_rest::{self, AttemptRule, DataKey, LockRecord};
use dreieck_model::sealed_file::{NONCE_LEN, SALT_LEN};
use dreieck_model::ModelError;

pub(crate) use super::hex::{from_hex, to_hex};
use super::{settings, StorageError};

/// localStorage keys (after `dreieck.`) that stay in the clear: what the lock screen itself
/// needs (the lock record, the wrong-PIN count, Leichte Sprache) and what names no person (the
/// role of this device, the random device id, the direct-channel switch).
pub const CLEAR_SETTINGS: &[&str] = &["role", "direkt", "device_id", "plain_language"];
/// The lock's own settings, all in the clear: `sperre` (the lock record, hex), and the
/// entries below.
const LOCK: &str = "sperre";
const FAILURES: &str = "sperre.fehlversuche";
const NOT_BEFORE: &str = "sperre.warten_bis";
/// Set only by automated tests and benchmarks (see [`first_use_skipped`]).
const FIRST_USE_SKIPPED: &str = "sperre.test_ohne_pin";
const IDLE_MINUTES: &str = "sperre.minuten";
/// Set while plain records may remain (a PIN was set on a device with data, and the rewrite
/// has not finished); removed once [`ReportStore::seal_everything`] has run through.
const PLAIN_LEFT: &str = "sperre.umstellung";

/// Minutes without a touch or key after which the app locks, unless chosen otherwise.
pub const DEFAULT_IDLE_MINUTES: u32 = 5;
/// The choices offered for it.
pub const IDLE_CHOICES: &[u32] = &[1, 2, 5, 15, 30];

thread_local! {
    static KEY: RefCell<Option<Rc<DataKey>>> = const { RefCell::new(None) };
}

/// Whether a setting is stored in the clear.
pub fn is_clear_setting(key: &str) -> bool {
    CLEAR_SETTINGS.contains(&key) || key == LOCK || key.starts_with("sperre.")
}

/// Whether this device has a PIN.
pub fn has_pin() -> bool {
    settings::get(LOCK).is_some_and(|hex| !hex.is_empty())
}

/// Whether the first start skips asking for a PIN. The app offers no way to set this: the
/// end-to-end tests and the benchmarks, which start hundreds of fresh browsers, set it
/// before the page loads, and the tests of the first start leave it unset. It protects
/// nothing and opens nothing: a device without a PIN holds its data in the clear either way.
pub fn first_use_skipped() -> bool {
    settings::get(FIRST_USE_SKIPPED).is_some()
}

/// Whether the data key is in memory (a PIN is set and was entered in this page).
pub fn is_unlocked() -> bool {
    KEY.with(|k| k.borrow().is_some())
}

/// Whether records written now are sealed.
fn key() -> Option<Rc<DataKey>> {
    KEY.with(|k| k.borrow().clone())
}

/// The lock record as stored, or why it cannot be read.
fn record() -> Result<LockRecord, StorageError> {
    let hex = settings::get(LOCK).ok_or_else(|| StorageError::Corrupt("keine Sperre".into()))?;
    let bytes =
        from_hex(&hex).ok_or_else(|| StorageError::Corrupt("die Sperre ist kein Hex".into()))?;
    LockRecord::from_bytes(bytes).map_err(|e| StorageError::Corrupt(e.to_string()))
}

/// Sets the first PIN of this device: a new data key, wrapped under `pin`. From now on every
/// write is sealed; records written before stay readable and are rewritten by
/// [`ReportStore::seal_everything`] (the caller runs it next).
pub fn set_pin(pin: &str) -> Result<(), StorageError> {
    at_rest::check_pin(pin).map_err(|e| StorageError::Refused(e.to_string()))?;
    if has_pin() {
        return Err(StorageError::Refused(
            "Auf diesem Gerät ist schon eine PIN festgelegt.".into(),
        ));
    }
    let key = DataKey::from_bytes(random()?);
    settings::set(PLAIN_LEFT, "1")?;
    store_wrapped(&key, pin)?;
    settings::remove(FAILURES);
    settings::remove(NOT_BEFORE);
    KEY.with(|k| *k.borrow_mut() = Some(Rc::new(key)));
    Ok(())
}

/// Replaces the PIN (the data key stays, so nothing is re-encrypted). Needs the old PIN even
/// while unlocked: a tablet left open must not let the next person take it over.
pub async fn change_pin(old: &str, new: &str) -> Result<(), UnlockError> {
    at_rest::check_pin(new).map_err(|e| UnlockError::Refused(e.to_string()))?;
    let key = try_pin(old).await?;
    store_wrapped(&key, new)?;
    Ok(())
}

/// Wraps `key` under `pin` (fresh salt and nonce) and stores the lock record.
fn store_wrapped(key: &DataKey, pin: &str) -> Result<(), StorageError> {
    let record = LockRecord::create(key, pin, random::<SALT_LEN>()?, random()?, at_rest::PIN_KDF)
        .map_err(|e| StorageError::Refused(e.to_string()))?;
    settings::set(LOCK, &to_hex(record.as_bytes()))
}

/// Why unlocking did not work, in words for the lock screen.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UnlockError {
    /// Wrong PIN; how many tries are left before the keys are wiped, and until when the next
    /// one must wait (a time of day), if it must.
    #[error("Die PIN ist falsch. Noch {left} Versuche, dann werden die Daten auf diesem Gerät gelöscht.")]
    WrongPin { left: u32, wait: Option<String> },
    /// Too many wrong PINs lately: the next try only after this time.
    #[error("Zu viele falsche Versuche. Bitte warten Sie bis {until_text}.")]
    Wait { until_text: String },
    /// The limit was reached and the keys are gone.
    #[error("Zu viele falsche Versuche: Die Daten auf diesem Gerät wurden gelöscht.")]
    Wiped,
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Storage(#[from] StorageError),
}

/// Unlocks with `pin`, following the wrong-PIN rule (`at_rest::attempt_rule`): the count is
/// kept across reloads, a try during a wait is refused without running Argon2, and at the limit
/// the lock record is deleted (the data key is then gone for good) and the caller wipes the
/// rest with [`ReportStore::wipe`].
pub async fn unlock(pin: &str) -> Result<(), UnlockError> {
    let key = try_pin(pin).await?;
    KEY.with(|k| *k.borrow_mut() = Some(Rc::new(key)));
    Ok(())
}

async fn try_pin(pin: &str) -> Result<DataKey, UnlockError> {
    let now = js_sys::Date::now();
    if let Some(until_ms) = settings::get(NOT_BEFORE).and_then(|s| s.parse::<f64>().ok()) {
        if now < until_ms {
            return Err(wait_error(until_ms));
        }
    }
    let record = record()?;
    // Let the browser paint "Wird entsperrt …" before Argon2 holds the thread.
    super::yield_to_browser().await;
    match record.unlock(pin) {
        Ok(key) => {
            settings::remove(FAILURES);
            settings::remove(NOT_BEFORE);
            Ok(key)
        }
        Err(ModelError::WrongPin) => {
            let failures = failures().saturating_add(1);
            settings::set(FAILURES, &failures.to_string())?;
            let left = at_rest::WIPE_AFTER.saturating_sub(failures);
            match at_rest::attempt_rule(failures) {
                AttemptRule::Now => Err(UnlockError::WrongPin { left, wait: None }),
                AttemptRule::Wait { seconds } => {
                    let until_ms = js_sys::Date::now() + f64::from(seconds) * 1000.0;
                    settings::set(NOT_BEFORE, &until_ms.to_string())?;
                    Err(UnlockError::WrongPin {
                        left,
                        wait: Some(time_of_day(until_ms)),
                    })
                }
                AttemptRule::Wipe => {
                    forget_keys();
                    Err(UnlockError::Wiped)
                }
            }
        }
        Err(other) => Err(UnlockError::Refused(other.to_string())),
    }
}

fn wait_error(until_ms: f64) -> UnlockError {
    UnlockError::Wait {
        until_text: time_of_day(until_ms),
    }
}

/// "14:05:30 Uhr": seconds too, since the first wait is only half a minute.
pub fn time_of_day(ms: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!(
        "{:02}:{:02}:{:02} Uhr",
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds()
    )
}

/// Wrong PINs in a row so far.
pub fn failures() -> u32 {
    settings::get(FAILURES)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// When the next try is allowed (ms since the epoch), if a wait is running.
pub fn wait_until() -> Option<f64> {
    settings::get(NOT_BEFORE)
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|&until| js_sys::Date::now() < until)
}

/// Deletes the lock record and every sealed setting: the data key is gone, and with it every
/// sealed record. The wrong-PIN count goes too, so that the device can start afresh.
pub fn forget_keys() {
    KEY.with(|k| *k.borrow_mut() = None);
    for key in settings::keys() {
        if !CLEAR_SETTINGS.contains(&key.as_str()) {
            settings::remove(&key);
        }
    }
}

/// Uses `key` as if it had been unwrapped with the PIN: for the benchmark and the storage
/// tests, which measure and check sealed storage without a PIN of the user's.
pub fn unlock_with(key: DataKey) {
    KEY.with(|k| *k.borrow_mut() = Some(Rc::new(key)));
}

/// Drops the data key from memory. The caller reloads the page right after, so that nothing
/// decrypted stays in memory either.
pub fn lock() {
    KEY.with(|k| *k.borrow_mut() = None);
}

/// Minutes without use after which the app locks.
pub fn idle_minutes() -> u32 {
    settings::get(IDLE_MINUTES)
        .and_then(|s| s.parse().ok())
        .filter(|m| IDLE_CHOICES.contains(m))
        .unwrap_or(DEFAULT_IDLE_MINUTES)
}

pub fn set_idle_minutes(minutes: u32) -> Result<(), StorageError> {
    settings::set(IDLE_MINUTES, &minutes.to_string())
}

/// Whether plain records may still be stored (a rewrite is due).
pub fn plain_left() -> bool {
    settings::get(PLAIN_LEFT).is_some()
}

pub(crate) fn plain_rewritten() {
    settings::remove(PLAIN_LEFT);
}

/// Seals `bytes` for the place `context` names when a PIN is set; `None` when it is not (the
/// caller stores `bytes` as they are). Fails when a PIN is set but the device is locked: then
/// nothing may be written in the clear.
pub(crate) fn seal(context: &str, bytes: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
    match key() {
        Some(key) => Ok(Some(key.seal(context, bytes, random::<NONCE_LEN>()?))),
        None if has_pin() => Err(StorageError::Locked),
        None => Ok(None),
    }
}

/// The plain bytes of a stored record: opened when sealed, as they are when plain.
pub(crate) fn open(context: &str, stored: Vec<u8>) -> Result<Vec<u8>, StorageError> {
    if !at_rest::is_record(&stored) {
        return Ok(stored);
    }
    let key = key().ok_or(StorageError::Locked)?;
    key.open(context, &stored)
        .map_err(|e| StorageError::Corrupt(e.to_string()))
}

/// Whether stored bytes are sealed.
pub(crate) fn is_sealed(bytes: &[u8]) -> bool {
    at_rest::is_record(bytes)
}

/// `N` bytes from the platform's generator (nonces, salts, keys).
pub(crate) fn random<const N: usize>() -> Result<[u8; N], StorageError> {
    settings::random_bytes(N as u32)?
        .try_into()
        .map_err(|_| StorageError::Unavailable("Zufallszahlen fehlerhaft".into()))
}
