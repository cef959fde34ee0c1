//! The report's side of room moves (see `room_move.rs`): writing one after a removal,
//! reading which one counts, and opening it with this device's keys.

use automerge::{ObjType, ReadDoc, Value, ROOT};

use super::room_move::{RoomKeys, RoomMove};
use super::roster::{bytes_of, Roster, MOVES, REMOVED};
use crate::{ModelError, ParticipantKey, Report, Result, Role};

impl Report {
    /// Moves the report to `to`: seals it to every current member's device key (this
    /// device's own included) and signs as `as_role`. `ephemeral`: 32 fresh random bytes.
    pub fn move_room(
        &mut self,
        as_role: Role,
        to: &RoomKeys,
        ephemeral: [u8; 32],
        time_ms: i64,
    ) -> Result<()> {
        let by = self.signing_key(as_role)?;
        let roster = self.roster();
        if !roster.may_move(&by.public_key()) {
            return Err(ModelError::Membership(format!(
                "Als {} können Sie den Bericht nicht umziehen.",
                as_role.label()
            )));
        }
        let recipients: Vec<[u8; 32]> = roster
            .members()
            .into_iter()
            .filter(|m| !m.removed)
            .map(|m| m.key)
            .collect();
        let record = RoomMove::seal(&self.id(), to, &recipients, ephemeral, time_ms, &by);
        self.act_as(as_role)?;
        let id = record.id();
        let bytes = record.encode();
        self.write(move |doc| {
            use automerge::transaction::Transactable;
            let moves = match doc.get(ROOT, MOVES)? {
                Some((Value::Object(ObjType::Map), id)) => id,
                _ => doc.put_object(ROOT, MOVES, ObjType::Map)?,
            };
            doc.put(&moves, id.as_str(), automerge::ScalarValue::Bytes(bytes))?;
            Ok(())
        })
    }

    /// The move that counts now: the valid one with the latest time (ties: the larger id).
    pub fn room_move(&self) -> Option<RoomMove> {
        if !self.any_entry(MOVES) {
            return None; // the common case, without checking a record
        }
        self.current_move(&self.roster())
    }

    /// Where this device should sync the report: the current move opened with one of its
    /// keys. `None`: no move yet (the room it was shared in holds), or none this device can
    /// open (it was removed, or joined after the move under the new room already).
    pub fn room_target(&self) -> Option<RoomKeys> {
        let current = self.room_move()?;
        let id = self.id();
        self.trust
            .keys
            .values()
            .find_map(|k: &ParticipantKey| current.open(&id, k))
    }

    /// Whether the report needs a (new) move: somebody was removed, and the current move is
    /// missing or still sealed to a removed key (it was made concurrently with the removal).
    pub fn room_move_due(&self) -> bool {
        if !self.any_entry(REMOVED) {
            return false;
        }
        let roster = self.roster();
        let removed: Vec<[u8; 32]> = roster
            .members()
            .into_iter()
            .filter(|m| m.removed)
            .map(|m| m.key)
            .collect();
        if removed.is_empty() {
            return false;
        }
        match self.current_move(&roster) {
            None => true,
            Some(m) => m.recipients().any(|k| removed.contains(k)),
        }
    }

    /// The role this device can move the report as, if any.
    pub fn may_move_as(&self) -> Option<Role> {
        let roster = self.roster();
        self.acting_role(&roster, |key| roster.may_move(key))
    }

    fn current_move(&self, roster: &Roster) -> Option<RoomMove> {
        self.room_moves(roster)
            .into_iter()
            .max_by(|a, b| (a.time_ms, a.id()).cmp(&(b.time_ms, b.id())))
    }

    /// Whether a map under the root key `key` holds any entry (nothing is checked): the
    /// session asks after every structural edit, and most reports never had a removal.
    fn any_entry(&self, key: &str) -> bool {
        self.doc
            .get_all(&ROOT, key)
            .unwrap_or_default()
            .iter()
            .any(|(v, obj)| matches!(v, Value::Object(ObjType::Map)) && self.doc.length(obj) > 0)
    }

    fn room_moves(&self, roster: &Roster) -> Vec<RoomMove> {
        let id = self.id();
        let mut out = Vec::new();
        for (value, obj) in self.doc.get_all(&ROOT, MOVES).unwrap_or_default() {
            if !matches!(value, Value::Object(ObjType::Map)) {
                continue;
            }
            for k in self.doc.keys(&obj) {
                for (v, _) in self.doc.get_all(&obj, &k).unwrap_or_default() {
                    let Some(record) = bytes_of(&v).and_then(RoomMove::decode) else {
                        continue;
                    };
                    if record.id() == k && record.verifies(&id) && roster.made_move(&record.by) {
                        out.push(record);
                    }
                }
            }
        }
        out
    }
}
