//! The signed records of membership: who is in a report, in which role, granted by whom, and
//! who was removed.
//!
//! A record is one Automerge bytes scalar (set atomically, never half of one and half of
//! another), signed with Ed25519 over a canonical byte string that starts with a domain label
//! and names the report, so a record made for one report or one purpose is worthless anywhere
//! else. Records are read from the document by every device and checked there: a record that
//! does not verify grants nothing, whoever wrote it.

use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::bytes::{put_str16, put_str32, put_str8, Reader};
use crate::{ParticipantKey, Role};

/// Domain label of membership records.
pub const MEMBER_DOMAIN: &[u8] = b"dreieck/member/v1";
/// Domain label of removals.
pub const REMOVAL_DOMAIN: &[u8] = b"dreieck/removal/v1";
/// Domain label of change attestations.
pub const CHANGE_DOMAIN: &[u8] = b"dreieck/change/v1";
/// Domain label of the report id derived from the owner's key.
const REPORT_ID_DOMAIN: &[u8] = b"dreieck/report-id/v1";

const MEMBER_VERSION: u8 = 1;
const REMOVAL_VERSION: u8 = 1;

/// At most this many characters in a member's name.
pub const MAX_MEMBER_NAME: usize = 200;

/// The id of a report owned by `owner`: 16 bytes of SHA-256 over the key and the report's
/// random `nonce` (one device key owns many reports), as hex.
///
/// The report's identity is bound to its owner key: a document that claims this id must name
/// this key as its owner, and its creation must be attested by it, which nobody without the
/// owner's secret can do. So a crafted report under a known id (ids travel in every link and
/// file name) is recognised as foreign everywhere.
pub fn report_id_for(owner: &[u8; 32], nonce: &[u8; 16]) -> String {
    let mut h = Sha256::new();
    h.update(REPORT_ID_DOMAIN);
    h.update(owner);
    h.update(nonce);
    crate::bytes::hex(&h.finalize()[..16])
}

/// What a membership record lets its key do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberKind {
    /// A participant's device key: it writes in `role`.
    Member,
    /// An invitation: its secret travels in a link; whoever holds it may enrol one device key
    /// of their own in `role` (at most `max_uses` of them, until `expires_ms`). It never
    /// writes itself.
    Invitation,
}

/// One membership record: `key` is in the report as `role`, granted by `granted_by`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    pub kind: MemberKind,
    pub key: [u8; 32],
    pub role: Role,
    /// The person's name as the granter entered it (may be empty for an invitation).
    pub name: String,
    /// The key that signed this record: the owner itself (for the owner's own record), a
    /// member allowed to grant, or an invitation key (for an enrolment).
    pub granted_by: [u8; 32],
    pub time_ms: i64,
    /// Invitations only: not usable after this time (as the enrolling device states it).
    pub expires_ms: Option<i64>,
    /// Invitations only: at most this many enrolments (0: no limit).
    pub max_uses: u16,
    pub signature: [u8; 64],
}

/// What to grant, before it is signed.
#[derive(Debug, Clone)]
pub struct Grant<'a> {
    pub kind: MemberKind,
    pub key: [u8; 32],
    pub role: Role,
    pub name: &'a str,
    pub time_ms: i64,
    pub expires_ms: Option<i64>,
    pub max_uses: u16,
}

impl MemberRecord {
    /// Signs `grant` with `granter` for `report_id`.
    pub fn sign(report_id: &str, grant: &Grant<'_>, granter: &ParticipantKey) -> MemberRecord {
        let name: String = grant.name.trim().chars().take(MAX_MEMBER_NAME).collect();
        let mut record = MemberRecord {
            kind: grant.kind,
            key: grant.key,
            role: grant.role,
            name,
            granted_by: granter.public_key(),
            time_ms: grant.time_ms,
            expires_ms: grant.expires_ms,
            max_uses: grant.max_uses,
            signature: [0; 64],
        };
        record.signature = granter.sign(&record.message(report_id));
        record
    }

    /// Whether the signature is `granted_by`'s over this record for `report_id`.
    pub fn verifies(&self, report_id: &str) -> bool {
        verify(&self.granted_by, &self.message(report_id), &self.signature)
    }

    fn message(&self, report_id: &str) -> Vec<u8> {
        let mut m = Vec::with_capacity(200);
        m.extend_from_slice(MEMBER_DOMAIN);
        put_str32(&mut m, report_id);
        m.push(kind_byte(self.kind));
        m.extend_from_slice(&self.key);
        put_str32(&mut m, self.role.as_str());
        put_str32(&mut m, &self.name);
        m.extend_from_slice(&self.granted_by);
        m.extend_from_slice(&self.time_ms.to_be_bytes());
        put_expiry(&mut m, self.expires_ms);
        m.extend_from_slice(&self.max_uses.to_be_bytes());
        m
    }

    /// `version ‖ kind ‖ key ‖ role (str8) ‖ name (str16) ‖ granted_by ‖ time (i64) ‖
    /// expiry (u8 flag, i64) ‖ max uses (u16) ‖ signature`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![MEMBER_VERSION, kind_byte(self.kind)];
        out.extend_from_slice(&self.key);
        put_str8(&mut out, self.role.as_str());
        put_str16(&mut out, &self.name);
        out.extend_from_slice(&self.granted_by);
        out.extend_from_slice(&self.time_ms.to_be_bytes());
        put_expiry(&mut out, self.expires_ms);
        out.extend_from_slice(&self.max_uses.to_be_bytes());
        out.extend_from_slice(&self.signature);
        out
    }

    /// `None` for anything that is not a complete record of a known version.
    pub fn decode(bytes: &[u8]) -> Option<MemberRecord> {
        let mut r = Reader(bytes);
        if r.u8()? != MEMBER_VERSION {
            return None;
        }
        let kind = match r.u8()? {
            0 => MemberKind::Member,
            1 => MemberKind::Invitation,
            _ => return None,
        };
        let key = r.array::<32>()?;
        let role = Role::parse(r.str8()?)?;
        let name = r.str16()?.to_string();
        if name.chars().count() > MAX_MEMBER_NAME {
            return None;
        }
        let granted_by = r.array::<32>()?;
        let time_ms = r.i64()?;
        let expires_ms = match r.u8()? {
            0 => {
                r.i64()?;
                None
            }
            1 => Some(r.i64()?),
            _ => return None,
        };
        let max_uses = r.u16()?;
        let signature = r.array::<64>()?;
        if !r.is_empty() {
            return None;
        }
        Some(MemberRecord {
            kind,
            key,
            role,
            name,
            granted_by,
            time_ms,
            expires_ms,
            max_uses,
            signature,
        })
    }
}

/// A participant removed from the report, signed by whoever removed them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub key: [u8; 32],
    pub by: [u8; 32],
    pub time_ms: i64,
    pub signature: [u8; 64],
}

impl Removal {
    pub fn sign(report_id: &str, key: [u8; 32], time_ms: i64, by: &ParticipantKey) -> Removal {
        let mut removal = Removal {
            key,
            by: by.public_key(),
            time_ms,
            signature: [0; 64],
        };
        removal.signature = by.sign(&removal.message(report_id));
        removal
    }

    pub fn verifies(&self, report_id: &str) -> bool {
        verify(&self.by, &self.message(report_id), &self.signature)
    }

    fn message(&self, report_id: &str) -> Vec<u8> {
        let mut m = Vec::with_capacity(128);
        m.extend_from_slice(REMOVAL_DOMAIN);
        put_str32(&mut m, report_id);
        m.extend_from_slice(&self.key);
        m.extend_from_slice(&self.by);
        m.extend_from_slice(&self.time_ms.to_be_bytes());
        m
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![REMOVAL_VERSION];
        out.extend_from_slice(&self.key);
        out.extend_from_slice(&self.by);
        out.extend_from_slice(&self.time_ms.to_be_bytes());
        out.extend_from_slice(&self.signature);
        out
    }

    pub fn decode(bytes: &[u8]) -> Option<Removal> {
        let mut r = Reader(bytes);
        if r.u8()? != REMOVAL_VERSION {
            return None;
        }
        let removal = Removal {
            key: r.array::<32>()?,
            by: r.array::<32>()?,
            time_ms: r.i64()?,
            signature: r.array::<64>()?,
        };
        r.is_empty().then_some(removal)
    }
}

/// The message a change attestation signs: the report and the change's hash (which covers
/// the change's content and, through its dependencies, everything the author had seen).
pub(crate) fn change_message(report_id: &str, hash: &[u8; 32]) -> Vec<u8> {
    let mut m = Vec::with_capacity(CHANGE_DOMAIN.len() + 4 + report_id.len() + 32);
    m.extend_from_slice(CHANGE_DOMAIN);
    put_str32(&mut m, report_id);
    m.extend_from_slice(hash);
    m
}

/// Ed25519 `verify_strict` of `signature` by `key` over `message`; a key that is not a valid
/// point verifies nothing.
///
/// The same records are verified again and again: the member list and the case status re-read
/// the roster and the signature lines a few times a second while somebody types, on every
/// device, and an Ed25519 verification takes about a millisecond in the browser (no
/// precomputed tables, see Cargo.toml). So a triple that verified once is remembered, by its
/// SHA-256 (a collision would be needed to pass anything else); failures are not.
pub(crate) fn verify(key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    use sha2::{Digest, Sha256};
    use std::collections::HashSet;
    use std::sync::Mutex;
    /// Verified triples kept, at most (then forgotten all at once): 128 KB.
    const REMEMBERED: usize = 4096;
    static VERIFIED: Mutex<Option<HashSet<[u8; 32]>>> = Mutex::new(None);

    let digest: [u8; 32] = Sha256::new()
        .chain_update(key)
        .chain_update(signature)
        .chain_update(message)
        .finalize()
        .into();
    let known = |verified: &Option<HashSet<[u8; 32]>>| {
        verified.as_ref().is_some_and(|v| v.contains(&digest))
    };
    if VERIFIED.lock().is_ok_and(|v| known(&v)) {
        return true;
    }
    let Some(verifying) = verifying_key(key) else {
        return false;
    };
    let fine = verifying
        .verify_strict(message, &Signature::from_bytes(signature))
        .is_ok();
    if fine {
        if let Ok(mut v) = VERIFIED.lock() {
            let set = v.get_or_insert_with(HashSet::new);
            if set.len() >= REMEMBERED {
                set.clear();
            }
            set.insert(digest);
        }
    }
    fine
}

/// `key` as a curve point, remembered: a report has a handful of participants, and reading a
/// key (a point decompression) was a sixth of verifying a keystroke's signature.
fn verifying_key(key: &[u8; 32]) -> Option<VerifyingKey> {
    use std::collections::HashMap;
    use std::sync::Mutex;
    /// Keys kept, at most (then forgotten all at once).
    const REMEMBERED: usize = 256;
    static KEYS: Mutex<Option<HashMap<[u8; 32], VerifyingKey>>> = Mutex::new(None);
    if let Some(k) = KEYS
        .lock()
        .ok()
        .and_then(|keys| keys.as_ref().and_then(|m| m.get(key).copied()))
    {
        return Some(k);
    }
    let verifying = VerifyingKey::from_bytes(key).ok()?;
    if let Ok(mut keys) = KEYS.lock() {
        let map = keys.get_or_insert_with(HashMap::new);
        if map.len() >= REMEMBERED {
            map.clear();
        }
        map.insert(*key, verifying);
    }
    Some(verifying)
}

fn kind_byte(kind: MemberKind) -> u8 {
    match kind {
        MemberKind::Member => 0,
        MemberKind::Invitation => 1,
    }
}

fn put_expiry(out: &mut Vec<u8>, expires: Option<i64>) {
    match expires {
        Some(t) => {
            out.push(1);
            out.extend_from_slice(&t.to_be_bytes());
        }
        None => {
            out.push(0);
            out.extend_from_slice(&0i64.to_be_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> ParticipantKey {
        ParticipantKey::from_seed(&[n; 32])
    }

    #[test]
    fn a_remembered_verification_passes_nothing_else() {
        let signer = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let key = signer.verifying_key().to_bytes();
        let signature = ed25519_dalek::Signer::sign(&signer, b"genau das").to_bytes();
        assert!(verify(&key, b"genau das", &signature));
        assert!(verify(&key, b"genau das", &signature), "remembered");
        assert!(!verify(&key, b"etwas anderes", &signature));
        let mut altered = signature;
        altered[5] ^= 1;
        assert!(!verify(&key, b"genau das", &altered));
        let other = ed25519_dalek::SigningKey::from_bytes(&[8; 32])
            .verifying_key()
            .to_bytes();
        assert!(!verify(&other, b"genau das", &signature));
    }

    #[test]
    fn member_records_round_trip_and_verify_only_for_their_report() {
        let granter = key(1);
        let record = MemberRecord::sign(
            "r1",
            &Grant {
                kind: MemberKind::Invitation,
                key: key(2).public_key(),
                role: Role::Caseworker,
                name: "  Frau Amt ",
                time_ms: 5,
                expires_ms: Some(99),
                max_uses: 1,
            },
            &granter,
        );
        assert_eq!(record.name, "Frau Amt");
        let decoded = MemberRecord::decode(&record.encode()).expect("decodes");
        assert_eq!(decoded, record);
        assert!(decoded.verifies("r1"));
        assert!(!decoded.verifies("r2"));
        let mut changed = decoded.clone();
        changed.role = Role::Provider;
        assert!(!changed.verifies("r1"));
        let bytes = record.encode();
        for cut in 0..bytes.len() {
            assert!(MemberRecord::decode(&bytes[..cut]).is_none());
        }
    }

    #[test]
    fn removals_round_trip_and_verify() {
        let removal = Removal::sign("r1", key(3).public_key(), 7, &key(1));
        let decoded = Removal::decode(&removal.encode()).expect("decodes");
        assert!(decoded.verifies("r1"));
        assert!(!decoded.verifies("r9"));
        let mut forged = decoded;
        forged.by = key(4).public_key();
        assert!(!forged.verifies("r1"));
    }

    #[test]
    fn report_ids_follow_the_owner_key() {
        let a = report_id_for(&key(1).public_key(), &[0; 16]);
        assert_eq!(a.len(), 32);
        assert_eq!(a, report_id_for(&key(1).public_key(), &[0; 16]));
        assert_ne!(a, report_id_for(&key(2).public_key(), &[0; 16]));
        assert_ne!(a, report_id_for(&key(1).public_key(), &[1; 16]));
        assert!(crate::is_valid_report_id(&a));
    }
}
