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
        self.room_move_with(&[])
    }

    /// Where this device should sync the report: the current move opened with one of its
    /// keys. `None`: no move yet (the room it was shared in holds), or none this device can
    /// open (it was removed, or joined after the move under the new room already).
    pub fn room_target(&self) -> Option<RoomKeys> {
        self.room_target_with(&[])
    }

    /// A move record that came outside the document: a pointer left in the room of a move
    /// that lost to a concurrent one (see [`Report::rooms_left_behind`]). It counts as if
    /// it were in the document when it verifies for this report and its signer may move it —
    /// the checks the document's records pass.
    pub fn check_move(&self, bytes: &[u8]) -> Option<RoomMove> {
        let record = RoomMove::decode(bytes)?;
        (record.verifies(&self.id()) && self.roster().made_move(&record.by)).then_some(record)
    }

    /// [`Report::room_move`], counting also `known` (records from [`Report::check_move`]).
    pub fn room_move_with(&self, known: &[RoomMove]) -> Option<RoomMove> {
        if known.is_empty() && !self.any_entry(MOVES) {
            return None; // the common case, without checking a record
        }
        let roster = self.roster();
        let id = self.id();
        self.room_moves(&roster)
            .into_iter()
            .chain(
                known
                    .iter()
                    .filter(|m| m.verifies(&id) && roster.made_move(&m.by))
                    .cloned(),
            )
            .max_by(|a, b| (a.time_ms, a.id()).cmp(&(b.time_ms, b.id())))
    }

    /// [`Report::room_target`], counting also `known`.
    pub fn room_target_with(&self, known: &[RoomMove]) -> Option<RoomKeys> {
        let current = self.room_move_with(known)?;
        self.open_move(&current)
    }

    /// The rooms of the other moves this device can open: when two devices move the report
    /// at the same time, each follows its own until it learns of the other; the devices that
    /// followed the move that lost wait in its room and hear nothing there any more. A
    /// device that knows both leaves the current move in those rooms (nothing else: the
    /// record is sealed to the current members, so whoever else reads there learns nothing).
    pub fn rooms_left_behind(&self, known: &[RoomMove]) -> Vec<RoomKeys> {
        let Some(current) = self.room_move_with(known) else {
            return Vec::new();
        };
        let roster = self.roster();
        let mut rooms: Vec<RoomKeys> = self
            .room_moves(&roster)
            .iter()
            .chain(known)
            .filter(|m| m.room_tag != current.room_tag)
            .filter_map(|m| self.open_move(m))
            .collect();
        rooms.sort_by_key(|r| r.room);
        rooms.dedup_by_key(|r| r.room);
        rooms
    }

    fn open_move(&self, record: &RoomMove) -> Option<RoomKeys> {
        let id = self.id();
        self.trust
            .keys
            .values()
            .find_map(|k: &ParticipantKey| record.open(&id, k))
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
        if !self.any_entry(MOVES) {
            return None;
        }
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
