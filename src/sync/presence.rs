//! Who is in the report now and which field each of them is editing.
//!
//! Every device sends a small beacon (sealed like everything else, never stored by the relay)
//! when it joins, when focus moves to another field, and every
//! [`dreieck_session::link::HEARTBEAT_MS`]; peers not heard from for [`EXPIRE_MS`] are dropped,
//! so a device that vanished without saying goodbye disappears from the list by itself. The beacon names a role and a field, never a person.

use dreieck_model::Role;
use serde::{Deserialize, Serialize};

/// A peer not heard from for this long is gone: two and a half heartbeats
/// ([`dreieck_session::link::HEARTBEAT_MS`]), so one lost beacon does not drop anyone.
pub const EXPIRE_MS: f64 = 25_000.0;

/// One device's beacon (JSON inside the sealed ephemeral payload).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Beacon {
    /// A random id per open editor, so two tabs of one person count twice.
    pub id: String,
    pub role: String,
    /// The template field id being edited, if any.
    pub field: Option<String>,
    /// Sent when the editor closes.
    #[serde(default)]
    pub gone: bool,
}

impl Beacon {
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// `None` for anything that is not a beacon (a newer app version, a damaged payload).
    pub fn decode(bytes: &[u8]) -> Option<Beacon> {
        // Through `from_str`, the one JSON reader the app already links (`from_slice` would add
        // a second copy of the parser); JSON that is not UTF-8 is refused either way.
        serde_json::from_str(std::str::from_utf8(bytes).ok()?).ok()
    }
}

/// A peer as shown in the list.
#[derive(Clone, Debug, PartialEq)]
pub struct Peer {
    pub id: String,
    pub role: Role,
    pub field: Option<String>,
    pub seen_ms: f64,
}

/// The peers currently present (this device not included), in order of arrival.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Board {
    pub peers: Vec<Peer>,
}

impl Board {
    /// Takes a beacon heard at `now_ms`.
    pub fn hear(&mut self, beacon: Beacon, now_ms: f64) {
        self.expire(now_ms);
        let Some(role) = Role::parse(&beacon.role) else {
            return;
        };
        if beacon.gone {
            self.peers.retain(|p| p.id != beacon.id);
            return;
        }
        let peer = Peer {
            id: beacon.id,
            role,
            field: beacon.field,
            seen_ms: now_ms,
        };
        match self.peers.iter_mut().find(|p| p.id == peer.id) {
            Some(p) => *p = peer,
            None => self.peers.push(peer),
        }
    }

    /// Drops peers not heard from for [`EXPIRE_MS`]; whether anything changed.
    pub fn expire(&mut self, now_ms: f64) -> bool {
        let before = self.peers.len();
        self.peers.retain(|p| now_ms - p.seen_ms < EXPIRE_MS);
        self.peers.len() != before
    }

    /// Everyone goes (the connection dropped: their beacons will come again after it returns).
    pub fn clear(&mut self) {
        self.peers.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beacon(id: &str, field: Option<&str>) -> Beacon {
        Beacon {
            id: id.into(),
            role: "caseworker".into(),
            field: field.map(Into::into),
            gone: false,
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn peers_arrive_move_leave_and_expire() {
        let mut board = Board::default();
        board.hear(beacon("a", None), 0.0);
        board.hear(beacon("b", Some("wuensche")), 1.0);
        board.hear(beacon("a", Some("lb_name")), 2.0);
        let fields: Vec<_> = board.peers.iter().map(|p| p.field.clone()).collect();
        assert_eq!(
            fields,
            vec![Some("lb_name".to_string()), Some("wuensche".to_string())]
        );
        board.hear(
            Beacon {
                gone: true,
                ..beacon("a", None)
            },
            3.0,
        );
        assert_eq!(board.peers.len(), 1);
        assert!(board.expire(1.0 + EXPIRE_MS));
        assert!(board.peers.is_empty());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn garbage_and_unknown_roles_are_ignored() {
        assert_eq!(Beacon::decode(b"\xff\x00"), None);
        let mut board = Board::default();
        board.hear(
            Beacon {
                role: "admin".into(),
                ..beacon("x", None)
            },
            0.0,
        );
        assert!(board.peers.is_empty());
        let b = beacon("y", Some("wuensche"));
        assert_eq!(Beacon::decode(&b.encode()), Some(b));
    }
}
