//! Who is in a report: the membership records and removals of the document, checked.
//!
//! The document holds `owner` (the owner's public key, written once at creation), `members`
//! (public key hex → [`MemberRecord`] bytes) and `removed` (public key hex → [`Removal`] bytes).
//! A roster reads them — from the document as it is, or as it was at given heads, which is how
//! the gate judges a change by what its author could have known — and answers who holds which
//! role. Nothing is believed because it is in the document: a record counts only when its
//! signature verifies and its granter's own record does, back to the owner.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use automerge::{AutoCommit, ChangeHash, ObjType, ReadDoc, ScalarValue, Value, ROOT};

use super::records::{MemberKind, MemberRecord, Removal};
use crate::bytes::from_hex;
use crate::Role;

/// Root key of the owner's public key (bytes, 32).
pub(crate) const OWNER: &str = "owner";
/// Root key of the 16 random bytes that, with the owner key, give the report's id.
pub(crate) const OWNER_NONCE: &str = "owner_nonce";
/// Root key of the membership records.
pub(crate) const MEMBERS: &str = "members";
/// Root key of the removals.
pub(crate) const REMOVED: &str = "removed";
/// Root key of the actor bindings: actor hex → the device key (bytes, 32) it writes for.
pub(crate) const KEYS: &str = "keys";
/// Root key of the room moves (record id → [`super::RoomMove`] bytes); made by the first move.
pub(crate) const MOVES: &str = "moves";

/// Longest chain of grants followed back to the owner (owner → staff → invitation → member
/// is 3); bounds the work a hostile chain can cause.
const MAX_CHAIN: usize = 8;

/// A participant as the report lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub key: [u8; 32],
    pub role: Role,
    pub name: String,
    pub kind: MemberKind,
    pub granted_by: [u8; 32],
    pub time_ms: i64,
    pub owner: bool,
    pub removed: bool,
}

/// The membership state of one report, as read from its document.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    report_id: String,
    owner: Option<[u8; 32]>,
    records: BTreeMap<[u8; 32], Vec<MemberRecord>>,
    removals: BTreeMap<[u8; 32], Vec<Removal>>,
    /// Signature checks already made, by the whole encoded record (never by the signature
    /// alone: a copied signature on an altered record must be checked again): a chain is
    /// followed for every record below it, and Ed25519 verification is the expensive part.
    checked: RefCell<HashMap<Vec<u8>, bool>>,
}

impl Roster {
    /// The roster of `doc` now (`heads: None`) or at `heads`.
    pub(crate) fn read(doc: &AutoCommit, report_id: &str, heads: Option<&[ChangeHash]>) -> Roster {
        let mut roster = Roster {
            report_id: report_id.to_string(),
            ..Roster::default()
        };
        let get_all = |obj: &automerge::ObjId, key: &str| match heads {
            Some(h) => doc.get_all_at(obj, key, h).unwrap_or_default(),
            None => doc.get_all(obj, key).unwrap_or_default(),
        };
        // The owner key: exactly one value, or none (a report from before membership).
        let owners: Vec<[u8; 32]> = get_all(&ROOT, OWNER)
            .iter()
            .filter_map(|(v, _)| bytes_of(v).and_then(|b| b.try_into().ok()))
            .collect();
        if let [owner] = owners[..] {
            roster.owner = Some(owner);
        }
        for (map_key, is_members) in [(MEMBERS, true), (REMOVED, false)] {
            for (value, obj) in get_all(&ROOT, map_key) {
                if !matches!(value, Value::Object(ObjType::Map)) {
                    continue;
                }
                let keys: Vec<String> = match heads {
                    Some(h) => doc.keys_at(&obj, h).collect(),
                    None => doc.keys(&obj).collect(),
                };
                for k in keys {
                    let Some(key) = from_hex::<32>(&k) else {
                        continue;
                    };
                    for (v, _) in get_all(&obj, &k) {
                        let Some(bytes) = bytes_of(&v) else { continue };
                        if is_members {
                            if let Some(r) = MemberRecord::decode(bytes).filter(|r| r.key == key) {
                                roster.add_record(r);
                            }
                        } else if let Some(r) = Removal::decode(bytes).filter(|r| r.key == key) {
                            roster.add_removal(r);
                        }
                    }
                }
            }
        }
        roster
    }

    pub(crate) fn set_owner(&mut self, owner: [u8; 32]) {
        self.owner = Some(owner);
    }

    /// Adds a record the gate sees inside the change it judges.
    pub(crate) fn add_record(&mut self, record: MemberRecord) {
        let list = self.records.entry(record.key).or_default();
        if !list.contains(&record) {
            list.push(record);
        }
    }

    pub(crate) fn add_removal(&mut self, removal: Removal) {
        let list = self.removals.entry(removal.key).or_default();
        if !list.contains(&removal) {
            list.push(removal);
        }
    }

    pub fn owner(&self) -> Option<[u8; 32]> {
        self.owner
    }

    pub fn is_owner(&self, key: &[u8; 32]) -> bool {
        self.owner.as_ref() == Some(key)
    }

    /// The role `key` writes in: a valid membership record (not an invitation), every valid
    /// record agreeing on the role, and no valid removal.
    pub fn role_of(&self, key: &[u8; 32]) -> Option<Role> {
        if self.is_removed(key) {
            return None;
        }
        self.valid_role(key, MemberKind::Member, 0)
    }

    /// The invitation record of an invitation key, when valid and not withdrawn.
    pub fn invitation(&self, key: &[u8; 32]) -> Option<&MemberRecord> {
        if self.is_removed(key) {
            return None;
        }
        self.records
            .get(key)?
            .iter()
            .find(|r| r.kind == MemberKind::Invitation && self.record_valid(r, 0))
    }

    /// The role a signature by `key` counts for: a valid membership record, whether or not
    /// the member was removed later (a signature made while a member stays genuine; the gate
    /// refuses anything a removed member writes after learning of the removal).
    pub fn signer_role(&self, key: &[u8; 32]) -> Option<Role> {
        self.valid_role(key, MemberKind::Member, 0)
    }

    /// Whether a valid removal of `key` exists (the owner cannot be removed).
    pub fn is_removed(&self, key: &[u8; 32]) -> bool {
        self.removals
            .get(key)
            .is_some_and(|list| list.iter().any(|r| self.removal_valid(r)))
    }

    /// The record of the invitation `key` when valid, withdrawn or not (the inviting device
    /// answers a device it admitted again after the invitation was used).
    pub fn invitation_record(&self, key: &[u8; 32]) -> Option<&MemberRecord> {
        self.records
            .get(key)?
            .iter()
            .find(|r| r.kind == MemberKind::Invitation && self.record_valid(r, 0))
    }

    /// Whether `granter` may sign a record of `kind` for `role`: the owner and the roles that
    /// keep the case (provider, caseworker) grant any role and make invitations. An
    /// invitation without limits (the one a sealed file carries) enrols device keys in its
    /// own role; one with limits enrols nobody itself: its holders cannot be counted or timed
    /// by the devices that verify, so the device that made it admits
    /// (see [`super::admission`]).
    pub fn may_grant(&self, granter: &[u8; 32], kind: MemberKind, role: Role) -> bool {
        if self.is_removed(granter) {
            return false;
        }
        if let Some(r) = self.role_of(granter) {
            return self.is_owner(granter) || r.keeps_the_case();
        }
        match self.invitation(granter) {
            Some(inv) => {
                kind == MemberKind::Member
                    && inv.role == role
                    && inv.max_uses == 0
                    && inv.expires_ms.is_none()
            }
            None => false,
        }
    }

    /// Whether `by` may remove `key`: the owner or a case-keeping member may; nobody removes
    /// the owner.
    pub fn may_remove(&self, by: &[u8; 32], key: &[u8; 32]) -> bool {
        if self.is_owner(key) || self.is_removed(by) {
            return false;
        }
        self.is_owner(by) || self.role_of(by).is_some_and(Role::keeps_the_case)
    }

    /// Whether `by` may move the report to a new room now: whoever may remove may.
    pub fn may_move(&self, by: &[u8; 32]) -> bool {
        !self.is_removed(by)
            && (self.is_owner(by) || self.role_of(by).is_some_and(Role::keeps_the_case))
    }

    /// Whether a move signed by `by` counts: the owner's, or a case-keeping member's (judged
    /// without removals: a move made before its author was removed stays the move it was).
    pub fn made_move(&self, by: &[u8; 32]) -> bool {
        self.is_owner(by)
            || self
                .valid_role(by, MemberKind::Member, 0)
                .is_some_and(Role::keeps_the_case)
    }

    /// Every valid invitation that was not withdrawn (used up or expired ones included).
    pub fn invitations(&self) -> Vec<MemberRecord> {
        self.records
            .keys()
            .filter_map(|key| self.invitation(key).cloned())
            .collect()
    }

    /// Everybody with a valid record, removed ones included (marked), invitations left out.
    pub fn members(&self) -> Vec<Member> {
        let mut out = Vec::new();
        for (key, list) in &self.records {
            let Some(r) = list
                .iter()
                .find(|r| r.kind == MemberKind::Member && self.record_valid(r, 0))
            else {
                continue;
            };
            out.push(Member {
                key: *key,
                role: r.role,
                name: r.name.clone(),
                kind: r.kind,
                granted_by: r.granted_by,
                time_ms: r.time_ms,
                owner: self.is_owner(key),
                removed: self.is_removed(key),
            });
        }
        out.sort_by_key(|m| (m.time_ms, m.key));
        out
    }

    /// A valid record of `kind` for `key`, all valid ones agreeing on the role.
    fn valid_role(&self, key: &[u8; 32], kind: MemberKind, depth: usize) -> Option<Role> {
        let mut role = None;
        for r in self.records.get(key)?.iter().filter(|r| r.kind == kind) {
            if !self.record_valid(r, depth) {
                continue;
            }
            match role {
                None => role = Some(r.role),
                Some(existing) if existing == r.role => {}
                // Two genuine records with different roles: ambiguous, so neither counts.
                Some(_) => return None,
            }
        }
        role
    }

    /// Signature and chain: the owner's own record, or granted by a key whose own record is
    /// valid and whose role may grant this one. (Whether the granter was removed, or the
    /// invitation used up, when the record was written is the gate's question, judged at the
    /// writing change; here the chain only.)
    pub(crate) fn record_valid(&self, r: &MemberRecord, depth: usize) -> bool {
        if depth > MAX_CHAIN || !self.verified(r) {
            return false;
        }
        if r.granted_by == r.key {
            return r.kind == MemberKind::Member && self.is_owner(&r.key);
        }
        let Some(granter_records) = self.records.get(&r.granted_by) else {
            return false;
        };
        granter_records.iter().any(|g| {
            if !self.record_valid(g, depth + 1) {
                return false;
            }
            match g.kind {
                MemberKind::Member => {
                    self.is_owner(&g.key)
                        || (g.role.keeps_the_case()
                            && self.valid_role(&g.key, MemberKind::Member, depth + 1)
                                == Some(g.role))
                }
                MemberKind::Invitation => r.kind == MemberKind::Member && r.role == g.role,
            }
        })
    }

    fn verified(&self, r: &MemberRecord) -> bool {
        let encoded = r.encode();
        if let Some(ok) = self.checked.borrow().get(&encoded) {
            return *ok;
        }
        let ok = r.verifies(&self.report_id);
        self.checked.borrow_mut().insert(encoded, ok);
        ok
    }

    fn removal_valid(&self, r: &Removal) -> bool {
        if self.is_owner(&r.key) || !r.verifies(&self.report_id) {
            return false;
        }
        if self.is_owner(&r.by) {
            return true;
        }
        // A case-keeping member (judged without removals, so two staff removing each other
        // concurrently both stay removed rather than looping).
        self.valid_role(&r.by, MemberKind::Member, 0)
            .is_some_and(Role::keeps_the_case)
    }
}

pub(crate) fn bytes_of<'a>(value: &'a Value<'_>) -> Option<&'a [u8]> {
    match value {
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Bytes(b) => Some(b.as_slice()),
            _ => None,
        },
        Value::Object(_) => None,
    }
}
