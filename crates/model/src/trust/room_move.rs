//! Moving a report to a new room and key after a removal.
//!
//! A removed participant keeps the room id and document key of the report: everything written
//! afterwards must go somewhere they cannot read. So whoever removes someone also writes a
//! [`RoomMove`] into the report: a new room id and document key, sealed separately to every
//! remaining member's device key, signed by the remover. The record travels in the report
//! itself, through the old room too, which is how a device that was offline during the removal
//! learns where the report went: it catches up in the old room, opens its sealed copy, and
//! moves. The removed device receives the record as well and can open none of it.
//!
//! Sealing uses the device keys the members already have. An Ed25519 key is also an X25519
//! key (the birational map of RFC 7748; `to_montgomery` / `to_scalar_bytes`), so each copy is
//! an X25519 agreement between a fresh ephemeral key of the record and the member's key,
//! HKDF-SHA256 over the agreement, the ephemeral and the member key, and ChaCha20-Poly1305
//! with the report id as associated data. The room id is sealed too: a removed device that
//! knew the new room could register it first under a verifier of its own and lock the others
//! out.
//!
//! Which move counts: the valid one with the latest time, ties broken by the record's id, so
//! every device that holds the same records picks the same room. A move made concurrently with
//! another removal may still include the key just removed; such a move is *stale*, and the
//! next device that may remove makes a fresh one ([`crate::Report::room_move_due`]).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use curve25519_dalek::montgomery::MontgomeryPoint;
use ed25519_dalek::VerifyingKey;
use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use super::records::verify;
use crate::bytes::{put_str32, Reader};
use crate::ParticipantKey;

/// Domain label of room moves (signature and key derivation).
pub const MOVE_DOMAIN: &[u8] = b"dreieck/room-move/v1";
const MOVE_VERSION: u8 = 1;
/// Room id (16) and document key (32).
const PLAIN_LEN: usize = 48;
const SEALED_LEN: usize = PLAIN_LEN + 16;
/// More recipients than any report has devices; bounds what a hostile record costs to read.
pub const MAX_RECIPIENTS: usize = 512;

/// Where a report lives on the relay: what a device needs to sync it there.
#[derive(Clone, PartialEq, Eq)]
pub struct RoomKeys {
    pub room: [u8; 16],
    pub key: [u8; 32],
}

// Never print the key.
impl std::fmt::Debug for RoomKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoomKeys").finish_non_exhaustive()
    }
}

/// One signed move: the new room and key, sealed to each recipient's device key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomMove {
    pub time_ms: i64,
    pub by: [u8; 32],
    /// [`room_tag`] of the new room: lets a device tell whether the room it is in is the
    /// current one without learning the room from the record.
    pub room_tag: [u8; 16],
    pub ephemeral: [u8; 32],
    /// (member key, sealed room and key), sorted by key, no key twice.
    pub sealed: Vec<([u8; 32], [u8; SEALED_LEN])>,
    pub signature: [u8; 64],
}

impl RoomMove {
    /// Seals `to` for each of `recipients` (their Ed25519 public keys) with the ephemeral
    /// secret `ephemeral` (32 fresh random bytes, never used again) and signs with `by`.
    /// Recipients whose key is not a valid point are left out.
    pub fn seal(
        report_id: &str,
        to: &RoomKeys,
        recipients: &[[u8; 32]],
        ephemeral: [u8; 32],
        time_ms: i64,
        by: &ParticipantKey,
    ) -> RoomMove {
        let epk = MontgomeryPoint::mul_base_clamped(ephemeral).to_bytes();
        let mut plain = [0u8; PLAIN_LEN];
        plain[..16].copy_from_slice(&to.room);
        plain[16..].copy_from_slice(&to.key);
        let mut keys: Vec<[u8; 32]> = recipients.to_vec();
        keys.sort_unstable();
        keys.dedup();
        let mut sealed = Vec::with_capacity(keys.len());
        for member in keys.into_iter().take(MAX_RECIPIENTS) {
            let bytes = seal_to(
                MOVE_DOMAIN,
                report_id.as_bytes(),
                ephemeral,
                &member,
                &plain,
            );
            if let Some(bytes) = bytes.and_then(|b| b.try_into().ok()) {
                sealed.push((member, bytes));
            }
        }
        plain.zeroize();
        let mut record = RoomMove {
            time_ms,
            by: by.public_key(),
            room_tag: room_tag(&to.room),
            ephemeral: epk,
            sealed,
            signature: [0; 64],
        };
        record.signature = by.sign(&record.message(report_id));
        record
    }

    /// Opens this device's copy with `key`; `None` when there is none for it or it does not
    /// open.
    pub fn open(&self, report_id: &str, key: &ParticipantKey) -> Option<RoomKeys> {
        let me = key.public_key();
        let (_, bytes) = self.sealed.iter().find(|(k, _)| *k == me)?;
        let mut plain = open_sealed(
            MOVE_DOMAIN,
            report_id.as_bytes(),
            &self.ephemeral,
            bytes,
            key,
        )?;
        let keys = RoomKeys {
            room: plain.get(..16)?.try_into().ok()?,
            key: plain.get(16..PLAIN_LEN)?.try_into().ok()?,
        };
        plain.zeroize();
        Some(keys)
    }

    /// Whether this move leads to `room`.
    pub fn leads_to(&self, room: &[u8; 16]) -> bool {
        self.room_tag == room_tag(room)
    }

    /// The member keys this move was sealed to.
    pub fn recipients(&self) -> impl Iterator<Item = &[u8; 32]> {
        self.sealed.iter().map(|(k, _)| k)
    }

    pub fn verifies(&self, report_id: &str) -> bool {
        self.well_ordered() && verify(&self.by, &self.message(report_id), &self.signature)
    }

    /// The record's id: its map key in the report, and the tie-breaker between moves made at
    /// the same moment.
    pub fn id(&self) -> String {
        crate::bytes::hex(&Sha256::digest(self.encode())[..16])
    }

    fn well_ordered(&self) -> bool {
        self.sealed.windows(2).all(|w| w[0].0 < w[1].0)
    }

    fn message(&self, report_id: &str) -> Vec<u8> {
        let mut m = Vec::with_capacity(128 + self.sealed.len() * 96);
        m.extend_from_slice(MOVE_DOMAIN);
        put_str32(&mut m, report_id);
        self.put_body(&mut m);
        m
    }

    fn put_body(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.time_ms.to_be_bytes());
        out.extend_from_slice(&self.by);
        out.extend_from_slice(&self.room_tag);
        out.extend_from_slice(&self.ephemeral);
        out.extend_from_slice(&(self.sealed.len() as u16).to_be_bytes());
        for (key, sealed) in &self.sealed {
            out.extend_from_slice(key);
            out.extend_from_slice(sealed);
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![MOVE_VERSION];
        self.put_body(&mut out);
        out.extend_from_slice(&self.signature);
        out
    }

    pub fn decode(bytes: &[u8]) -> Option<RoomMove> {
        let mut r = Reader(bytes);
        if r.u8()? != MOVE_VERSION {
            return None;
        }
        let time_ms = r.i64()?;
        let by = r.array::<32>()?;
        let room_tag = r.array::<16>()?;
        let ephemeral = r.array::<32>()?;
        let n = usize::from(r.u16()?);
        if n > MAX_RECIPIENTS {
            return None;
        }
        let mut sealed = Vec::with_capacity(n);
        for _ in 0..n {
            sealed.push((r.array::<32>()?, r.array::<SEALED_LEN>()?));
        }
        let record = RoomMove {
            time_ms,
            by,
            room_tag,
            ephemeral,
            sealed,
            signature: r.array::<64>()?,
        };
        r.is_empty().then_some(record)
    }
}

/// A one-way tag of a room id (the ids are 128 random bits: the tag does not lead back).
pub fn room_tag(room: &[u8; 16]) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update(MOVE_DOMAIN);
    h.update(b"/room-tag");
    h.update(room);
    let mut tag = [0u8; 16];
    tag.copy_from_slice(&h.finalize()[..16]);
    tag
}

/// The X25519 form of an Ed25519 public key, or `None` for bytes that are no point.
fn montgomery_of(ed25519: &[u8; 32]) -> Option<MontgomeryPoint> {
    VerifyingKey::from_bytes(ed25519)
        .ok()
        .map(|k| k.to_montgomery())
}

fn derive(domain: &[u8], shared: &[u8; 32], epk: &[u8; 32], member: &[u8; 32]) -> Key {
    let hk = Hkdf::<Sha256>::new(None, shared);
    let mut info = Vec::with_capacity(domain.len() + 64);
    info.extend_from_slice(domain);
    info.extend_from_slice(epk);
    info.extend_from_slice(member);
    let mut okm = [0u8; 32];
    // 32 bytes is far below HKDF-SHA256's limit; expand cannot fail here.
    let _ = hk.expand(&info, &mut okm);
    let key = Key::clone_from_slice(&okm);
    okm.zeroize();
    key
}

/// Seals `plain` to the device key `member` (Ed25519 public key) with the ephemeral secret
/// `ephemeral` (whose public half, `mul_base_clamped`, travels beside the sealed bytes);
/// `domain` keeps one purpose's keys apart from another's. `None` when `member` is no point
/// or a low-order one (nothing secret would be agreed).
pub(super) fn seal_to(
    domain: &[u8],
    aad: &[u8],
    ephemeral: [u8; 32],
    member: &[u8; 32],
    plain: &[u8],
) -> Option<Vec<u8>> {
    let shared = montgomery_of(member)?.mul_clamped(ephemeral).to_bytes();
    if shared == [0; 32] {
        return None;
    }
    let epk = MontgomeryPoint::mul_base_clamped(ephemeral).to_bytes();
    // One key per (ephemeral, member): the zero nonce is never used twice under a key.
    let aead = ChaCha20Poly1305::new(&derive(domain, &shared, &epk, member));
    aead.encrypt(Nonce::from_slice(&[0; 12]), Payload { msg: plain, aad })
        .ok()
}

/// Opens what [`seal_to`] sealed to `key` under the ephemeral public key `epk`.
pub(super) fn open_sealed(
    domain: &[u8],
    aad: &[u8],
    epk: &[u8; 32],
    sealed: &[u8],
    key: &ParticipantKey,
) -> Option<Vec<u8>> {
    let shared = MontgomeryPoint(*epk)
        .mul_clamped(key.x25519_scalar())
        .to_bytes();
    if shared == [0; 32] {
        return None; // a low-order ephemeral: nothing secret was agreed
    }
    let aead = ChaCha20Poly1305::new(&derive(domain, &shared, epk, &key.public_key()));
    aead.decrypt(Nonce::from_slice(&[0; 12]), Payload { msg: sealed, aad })
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> ParticipantKey {
        ParticipantKey::from_seed(&[n; 32])
    }

    fn target() -> RoomKeys {
        RoomKeys {
            room: [7; 16],
            key: [9; 32],
        }
    }

    #[test]
    fn each_recipient_opens_its_copy_and_nobody_else_does() {
        let (a, b, removed) = (key(1), key(2), key(3));
        let m = RoomMove::seal(
            "r1",
            &target(),
            &[a.public_key(), b.public_key()],
            [5; 32],
            10,
            &a,
        );
        assert!(m.verifies("r1"));
        assert_eq!(m.open("r1", &a), Some(target()));
        assert!(m.leads_to(&target().room) && !m.leads_to(&[8; 16]));
        assert_eq!(m.open("r1", &b), Some(target()));
        assert_eq!(m.open("r1", &removed), None);
        // Bound to the report: the same record read as another report's opens nothing.
        assert_eq!(m.open("r2", &b), None);
        assert!(!m.verifies("r2"));
    }

    #[test]
    fn it_round_trips_and_any_change_breaks_the_signature() {
        let a = key(1);
        let m = RoomMove::seal("r1", &target(), &[key(2).public_key()], [5; 32], 10, &a);
        let bytes = m.encode();
        assert_eq!(RoomMove::decode(&bytes), Some(m.clone()));
        for at in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x10;
            if let Some(d) = RoomMove::decode(&damaged) {
                assert!(!d.verifies("r1"), "byte {at} changed, still verifies");
            }
        }
        assert_eq!(RoomMove::decode(&bytes[..bytes.len() - 1]), None);
    }

    #[test]
    fn a_copy_swapped_to_another_recipient_does_not_open() {
        let (a, b) = (key(1), key(2));
        let mut m = RoomMove::seal("r1", &target(), &[a.public_key()], [5; 32], 10, &a);
        m.sealed[0].0 = b.public_key();
        assert_eq!(m.open("r1", &b), None);
    }
}
