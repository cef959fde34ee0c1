//! Small per-device settings in localStorage (via gloo-storage): the role this device last
//! worked in, a random device id, and similar short strings.
//!
//! localStorage, not IndexedDB, because these are read synchronously while the first view
//! renders. Keys are prefixed with `dreieck.` so they do not clash with anything else on the
//! origin. Values are stored as JSON strings (gloo-storage's format).
//!
//! gloo-storage throws (rather than returning an error) when localStorage itself cannot be
//! reached (blocked site data, some private modes), so every function checks that first and
//! degrades to "not set" / [`StorageError::Unavailable`].

// Aliased: the Leptos prelude has its own `LocalStorage`.
use gloo_storage::{LocalStorage as LocalStore, Storage as _};
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use super::error::describe;
use super::{vault, StorageError};

const PREFIX: &str = "dreieck.";
/// What a sealed value starts with; the rest is the sealed record in hex.
const SEALED: &str = "versiegelt:";
const ROLE: &str = "role";
const DIRECT: &str = "direkt";
const DEVICE_ID: &str = "device_id";
const SIGNING_SEED: &str = "signing_seed.";
const INVITATION_SEED: &str = "invitation_seed.";

/// Whether `localStorage` can be used; touching it throws a SecurityError where it is blocked.
fn available() -> Result<(), StorageError> {
    let global = js_sys::global();
    match Reflect::get(&global, &JsValue::from_str("localStorage")) {
        Ok(v) if !v.is_null() && !v.is_undefined() => Ok(()),
        Ok(_) => Err(StorageError::Unavailable("localStorage fehlt".into())),
        Err(e) => Err(StorageError::Unavailable(describe(&e))),
    }
}

fn full_key(key: &str) -> String {
    format!("{PREFIX}{key}")
}

/// Whether this device may open direct channels to the other devices of a shared report
/// (`crate::sync::direct` in the app). On unless `dreieck.direkt` is `"aus"`: a device of an
/// organisation that allows no peer-to-peer traffic, and the benchmark measuring the relay's
/// path alone, turn it off. (No switch on screen yet.)
pub fn direct_allowed() -> bool {
    get(DIRECT).as_deref() != Some("aus")
}

/// A stored string setting, `None` when unset or unreadable (or sealed while the device is
/// locked, see `vault`).
pub fn get(key: &str) -> Option<String> {
    available().ok()?;
    let stored = LocalStore::get::<String>(full_key(key)).ok()?;
    match stored.strip_prefix(SEALED) {
        Some(hex) if !vault::is_clear_setting(key) => {
            let plain = vault::open(&context(key), vault::from_hex(hex)?).ok()?;
            String::from_utf8(plain).ok()
        }
        _ => Some(stored),
    }
}

/// Stores a string setting, sealed when the device has a PIN and the setting is not one of
/// `vault::CLEAR_SETTINGS`. Fails with [`StorageError::QuotaFull`] when localStorage is full,
/// and with [`StorageError::Locked`] when it would have to be sealed but the device is locked.
pub fn set(key: &str, value: &str) -> Result<(), StorageError> {
    available()?;
    let sealed = if vault::is_clear_setting(key) {
        None
    } else {
        vault::seal(&context(key), value.as_bytes())?
    };
    let stored = match sealed {
        Some(bytes) => format!("{SEALED}{}", vault::to_hex(&bytes)),
        None => value.to_string(),
    };
    write(key, &stored)
}

/// The place a sealed setting belongs to (`dreieck_model::at_rest`).
fn context(key: &str) -> String {
    format!("settings/{key}")
}

/// Every setting's key (without the `dreieck.` prefix).
pub fn keys() -> Vec<String> {
    let Some(storage) = available()
        .ok()
        .and_then(|_| web_sys::window()?.local_storage().ok().flatten())
    else {
        return Vec::new();
    };
    let n = storage.length().unwrap_or(0);
    (0..n)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter_map(|k| k.strip_prefix(PREFIX).map(str::to_string))
        .collect()
}

/// Rewrites every setting that should be sealed but is stored plain (after the first PIN).
pub(crate) fn seal_plain() -> Result<(), StorageError> {
    for key in keys() {
        if vault::is_clear_setting(&key) {
            continue;
        }
        let Ok(stored) = LocalStore::get::<String>(full_key(&key)) else {
            continue;
        };
        if !stored.starts_with(SEALED) {
            set(&key, &stored)?;
        }
    }
    Ok(())
}

fn write(key: &str, value: &str) -> Result<(), StorageError> {
    LocalStore::set(full_key(key), value).map_err(|e| match e {
        gloo_storage::errors::StorageError::JsError(js) if js.name == "QuotaExceededError" => {
            StorageError::QuotaFull
        }
        other => StorageError::WriteFailed(other.to_string()),
    })
}

/// Removes a setting (no error when it was not set).
pub fn remove(key: &str) {
    if available().is_ok() {
        LocalStore::delete(full_key(key));
    }
}

/// The role this device last worked in (`Role::as_str`, e.g. `"provider"`), if chosen.
pub fn role() -> Option<String> {
    get(ROLE)
}

/// Remembers the role chosen on this device.
pub fn set_role(role: &str) -> Result<(), StorageError> {
    set(ROLE, role)
}

/// Forgets the chosen role (hand the device to someone else).
pub fn clear_role() {
    remove(ROLE)
}

/// A random id for this browser profile (32 hex digits), created on first use and kept.
///
/// It names the device in lists and logs; it is not a secret and not a key.
pub fn device_id() -> Result<String, StorageError> {
    if let Some(id) = get(DEVICE_ID).filter(|id| !id.is_empty()) {
        return Ok(id);
    }
    let id = random_hex(16)?;
    set(DEVICE_ID, &id)?;
    Ok(id)
}

/// The secret seed of this device's Ed25519 signing key for `role` (`Role::as_str`), created on
/// first use and kept.
///
/// One key per (device, role), not per person: it writes the device's edits in that role, and
/// signs only where the device is its person's own (it may vouch for nobody). Signatures on a
/// shared tablet are made with each person's own key (`people`, `dreieck_model::PersonKey`) or a
/// key for that one signature.
///
/// Sealed with the other settings once the device has a PIN (`vault`).
pub fn signing_seed(role: &str) -> Result<[u8; 32], StorageError> {
    seed_at(&format!("{SIGNING_SEED}{role}"))
}

/// The secret of the invitation link this device hands out for `role` in report `report`
/// (its public key is in the report's membership as an invitation), created on first use.
/// Kept so that "Teilen" shows the same link each time.
pub fn invitation_seed(report: &str, role: &str) -> Result<[u8; 32], StorageError> {
    seed_at(&format!("{INVITATION_SEED}{report}.{role}"))
}

/// A 32-byte secret kept under `key`, created when missing or damaged.
fn seed_at(key: &str) -> Result<[u8; 32], StorageError> {
    if let Some(seed) = get(key).and_then(|hex| parse_seed(&hex)) {
        return Ok(seed);
    }
    let hex = random_hex(32)?;
    let seed = parse_seed(&hex)
        .ok_or_else(|| StorageError::Unavailable("Zufallszahlen fehlerhaft".into()))?;
    set(key, &hex)?;
    Ok(seed)
}

/// 64 hex digits as 32 bytes; `None` for anything else (a damaged setting is replaced).
fn parse_seed(hex: &str) -> Option<[u8; 32]> {
    super::hex::from_hex_exact(hex)
}

/// `n` random bytes from `crypto.getRandomValues`, as lowercase hex.
fn random_hex(n: u32) -> Result<String, StorageError> {
    Ok(super::hex::to_hex(&random_bytes(n)?))
}

/// `n` random bytes from `crypto.getRandomValues`.
pub(crate) fn random_bytes(n: u32) -> Result<Vec<u8>, StorageError> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
        .map_err(|e| StorageError::Unavailable(describe(&e)))?;
    let get_random: js_sys::Function = Reflect::get(&crypto, &JsValue::from_str("getRandomValues"))
        .map_err(|e| StorageError::Unavailable(describe(&e)))?
        .dyn_into()
        .map_err(|_| StorageError::Unavailable("crypto.getRandomValues fehlt".into()))?;
    let buf = Uint8Array::new_with_length(n);
    get_random
        .call1(&crypto, &buf)
        .map_err(|e| StorageError::Unavailable(describe(&e)))?;
    Ok(buf.to_vec())
}
