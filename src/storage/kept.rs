//! Reports this device took off itself after submission while the relay keeps their sealed
//! copy ("Vom Gerät nehmen"): the summary the case list shows for each, in one JSON setting,
//! sealed with the other settings once the device has a PIN (it names the person). The way
//! back — the room and the document key — stays where it was (`dreieck.sync.<id>`).

use super::{settings, StorageError, Summary};

const KEPT: &str = "beim_server";

fn damaged() -> StorageError {
    StorageError::Corrupt("die Liste der Berichte, die nur beim Server liegen".into())
}

/// The reports kept only at the relay; empty when none. A stored list that cannot be read is
/// an error, not an empty list: saving over it would lose the way back to each of them.
pub fn load() -> Result<Vec<Summary>, StorageError> {
    match settings::get(KEPT) {
        None if settings::keys().iter().any(|k| k == KEPT) => Err(damaged()),
        None => Ok(Vec::new()),
        Some(json) => serde_json::from_str(&json).map_err(|_| damaged()),
    }
}

fn save(kept: &[Summary]) -> Result<(), StorageError> {
    if kept.is_empty() {
        settings::remove(KEPT);
        return Ok(());
    }
    let json = serde_json::to_string(kept).map_err(|e| StorageError::WriteFailed(e.to_string()))?;
    settings::set(KEPT, &json)
}

/// Remembers `summary` as kept at the relay (replacing an older entry for the same report).
pub fn add(summary: Summary) -> Result<(), StorageError> {
    let mut kept = load()?;
    kept.retain(|s| s.id != summary.id);
    kept.push(summary);
    save(&kept)
}

/// Forgets the entry for `id` (the report is back on the device, or the person let it go).
pub fn remove(id: &str) -> Result<(), StorageError> {
    let mut kept = load()?;
    let before = kept.len();
    kept.retain(|s| s.id != id);
    if kept.len() == before {
        return Ok(());
    }
    save(&kept)
}
