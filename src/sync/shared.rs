//! What a device remembers about a report it shares: the room, the document key, and the heads
//! the relay is known to hold — kept in localStorage under `dreieck.sync.<report id>`.
//!
//! The acknowledged heads are what makes offline edits survive a reload: when the report is
//! opened again, everything not covered by them (`save_after(acked_heads)`) is handed to the
//! sync client before anything else, whether it was typed offline, sent but never
//! acknowledged, or received from a peer and not yet durable at the relay. They are advanced
//! only at moments when the relay has acknowledged every local change.

use automerge::ChangeHash;
use dreieck::storage::settings;
use dreieck_sync::RoomId;
use serde::{Deserialize, Serialize};

use crate::sync::invitation::{from_hex, to_hex};

#[derive(Clone, PartialEq, Eq)]
pub struct Shared {
    pub room: RoomId,
    pub key: [u8; 32],
    pub acked_heads: Vec<ChangeHash>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

impl Shared {
    /// A new room: 128 random bits of id and a 256-bit document key, from the platform
    /// generator, with nothing known to be there yet.
    pub fn fresh() -> Result<Shared, String> {
        let mut room = [0u8; 16];
        let mut key = [0u8; 32];
        crate::state::platform::fill_random(&mut room)?;
        crate::state::platform::fill_random(&mut key)?;
        Ok(Shared {
            room,
            key,
            acked_heads: Vec::new(),
        })
    }
}

#[derive(Serialize, Deserialize)]
struct Stored {
    room: String,
    key: String,
    acked_heads: Vec<String>,
}

fn setting(report_id: &str) -> String {
    format!("sync.{report_id}")
}

/// The sharing state of `report_id`, or `None` when it is not shared (or the entry is damaged:
/// then the report simply works locally until it is shared again).
pub fn load(report_id: &str) -> Option<Shared> {
    let json = settings::get(&setting(report_id))?;
    let stored: Stored = serde_json::from_str(&json).ok()?;
    Some(Shared {
        room: from_hex(&stored.room)?,
        key: from_hex(&stored.key)?,
        acked_heads: stored
            .acked_heads
            .iter()
            .filter_map(|h| h.parse().ok())
            .collect(),
    })
}

/// Remembers the sharing state; the German reason when localStorage refuses.
pub fn save(report_id: &str, shared: &Shared) -> Result<(), String> {
    let stored = Stored {
        room: to_hex(&shared.room),
        key: to_hex(&shared.key),
        acked_heads: shared.acked_heads.iter().map(|h| h.to_string()).collect(),
    };
    let json = serde_json::to_string(&stored).map_err(|e| e.to_string())?;
    settings::set(&setting(report_id), &json).map_err(|e| e.to_string())
}

/// Forgets the sharing state (the report was deleted on this device).
pub fn forget(report_id: &str) {
    settings::remove(&setting(report_id));
}
