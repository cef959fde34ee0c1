//! Room moves that reached this device outside the document, and the rooms it left a move in
//! — kept in localStorage under `dreieck.moves.<report id>`.
//!
//! Two devices that move a report at the same time each follow their own move until they
//! learn of the other. A device that knows both follows the one that counts and leaves its
//! record in the room of the other (`Report::rooms_left_behind`); a device waiting there takes
//! it (`Report::check_move`) and follows, before the document that holds the move has reached
//! it. Remembered, the record keeps it from turning back to the older room after a reload;
//! the rooms told are not told again.

use dreieck::storage::settings;
use dreieck_sync::RoomId;
use serde::{Deserialize, Serialize};

use crate::sync::invitation::{from_hex, to_hex};

#[derive(Default, Debug, Clone, PartialEq, Eq)]
pub struct MovesLeft {
    /// Move records taken from other rooms (checked again whenever they are used).
    pub known: Vec<Vec<u8>>,
    /// Rooms this device left the current move in.
    pub told: Vec<RoomId>,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    known: Vec<String>,
    told: Vec<String>,
}

fn setting(report_id: &str) -> String {
    format!("moves.{report_id}")
}

/// What this device remembers for `report_id` (nothing, when the entry is missing or damaged).
pub fn load(report_id: &str) -> MovesLeft {
    let Some(json) = settings::get(&setting(report_id)) else {
        return MovesLeft::default();
    };
    let Ok(stored) = serde_json::from_str::<Stored>(&json) else {
        return MovesLeft::default();
    };
    MovesLeft {
        known: stored.known.iter().filter_map(|h| hex_bytes(h)).collect(),
        told: stored.told.iter().filter_map(|h| from_hex(h)).collect(),
    }
}

/// Remembers it; the German reason when localStorage refuses.
pub fn save(report_id: &str, moves: &MovesLeft) -> Result<(), String> {
    let stored = Stored {
        known: moves.known.iter().map(|b| to_hex(b)).collect(),
        told: moves.told.iter().map(|r| to_hex(r)).collect(),
    };
    let json = serde_json::to_string(&stored).map_err(|e| e.to_string())?;
    settings::set(&setting(report_id), &json).map_err(|e| e.to_string())
}

/// Forgets it (the report was deleted on this device).
pub fn forget(report_id: &str) {
    settings::remove(&setting(report_id));
}

/// Hex of any even length (a record's size varies with its recipients).
fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}
