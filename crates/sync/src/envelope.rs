//! Sealed envelopes: XChaCha20-Poly1305 under the 32-byte document key, padded to a size bucket.
//!
//! `sealed = nonce (24 random bytes from the caller's RNG) ‖ ciphertext ‖ tag (16 bytes)`. The
//! associated data is `"dreieck/v2" ‖ room id ‖ kind`: a sealed change cannot be opened as a
//! snapshot or presence, nor in another room.
//!
//! The relay and anyone on the path see every envelope's length. Unpadded, one envelope per
//! keystroke shows the typing rhythm and which characters were typed (an umlaut is a byte
//! longer than a plain letter), and presence shows the role (its name's length). So the
//! plaintext is padded before sealing: `payload ‖ 0x80 ‖ 0x00…` (ISO/IEC 7816-4) up to
//! [`padded_len`]: multiples of [`STEP`] bytes up to [`SMALL`], then Padmé buckets (the low
//! bits of the length cleared, at most 12 % more, fewer than log log n bits of the length
//! shown). Presence and direct-channel signals are padded to at least [`PRESENCE_SIZE`], so
//! every beacon has one length whatever it says. Cards (shown as a QR code, face to face) are
//! not padded: their size is what the code must hold.
//!
//! Envelopes sealed before padding (associated data `"dreieck/v1"`, no end marker) still open:
//! a relay's log and a device's queue may hold them. They are tried only when the padded form
//! fails, so this costs a second tag check on hostile bytes and nothing on honest ones.

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use rand_core::CryptoRngCore;
use zeroize::Zeroize;

use crate::{Error, RoomId};

/// Nonce length of XChaCha20-Poly1305.
pub const NONCE_LEN: usize = 24;
/// Authentication tag length of Poly1305.
pub const TAG_LEN: usize = 16;
/// Bytes sealing adds besides the padding.
pub const OVERHEAD: usize = NONCE_LEN + TAG_LEN;
/// Padded plaintexts up to this size are multiples of [`STEP`].
pub const SMALL: usize = 1024;
/// The bucket width of small plaintexts: one keystroke's payload varies by a few bytes (the
/// character, its position), which this hides. (64 hid a little more and cost a keystroke
/// into a long text 32 bytes more: its payload of ≈ 200 bytes went to 256.)
pub const STEP: usize = 32;
/// The least padded size of presence (and direct-channel signals, sent the same way).
pub const PRESENCE_SIZE: usize = 256;
/// Padding never takes a payload beyond this: what a run of parts may join to, less room for
/// the frame around it (`crate::parts::MAX_MESSAGE_SIZE`).
const MAX_PADDED: usize = crate::parts::MAX_MESSAGE_SIZE - 1024;

const AD_V1: &[u8; 10] = b"dreieck/v1";
const AD_V2: &[u8; 10] = b"dreieck/v2";
/// The end marker of the payload inside the padding.
const END: u8 = 0x80;

/// What a sealed payload is; bound into the associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// Automerge changes (`save_after`), in Append and Deliver frames.
    Change = 1,
    /// A full Automerge save, in Snapshot frames.
    Snapshot = 2,
    /// Presence, in Ephemeral frames.
    Ephemeral = 3,
    /// Anything on a direct channel between two devices (`crate::direct`), never at the relay.
    Direct = 4,
    /// A direct channel's offer or answer shown as a QR code (`crate::direct::Card`).
    Card = 5,
    /// A deletion record (`dreieck_model::trust::Deletion`), in Purge and Purged frames.
    Deletion = 6,
}

/// The random 256-bit document key. Never leaves the devices (invitations carry it in the URL
/// fragment). Zeroed on drop.
#[derive(Clone)]
pub struct DocumentKey([u8; 32]);

impl DocumentKey {
    /// Wraps existing key bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        DocumentKey(bytes)
    }

    /// Draws a fresh key from the caller's RNG.
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        DocumentKey(bytes)
    }

    /// The key bytes (for an invitation link).
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl Drop for DocumentKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for DocumentKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DocumentKey(..)")
    }
}

fn associated_data(prefix: &[u8; 10], room: &RoomId, kind: Kind) -> [u8; 27] {
    let mut ad = [0u8; 27];
    ad[..10].copy_from_slice(prefix);
    ad[10..26].copy_from_slice(room);
    ad[26] = kind as u8;
    ad
}

/// The length a payload of `len` bytes has once padded (its end marker included): what the
/// relay sees of it, less [`OVERHEAD`].
pub fn padded_len(kind: Kind, len: usize) -> usize {
    let marked = len.saturating_add(1);
    let bucket = match kind {
        Kind::Card => return marked,
        Kind::Ephemeral => marked.max(PRESENCE_SIZE),
        _ => marked,
    };
    let bucket = if bucket <= SMALL {
        bucket.next_multiple_of(STEP)
    } else {
        padme(bucket)
    };
    // Never beyond what a receiver joins (a payload this large shows its size anyway).
    bucket.min(MAX_PADDED.max(marked))
}

/// Padmé (Nikitin et al., "Reducing metadata leakage from encrypted files and communication
/// with PURBs", 2019): `len` rounded up so that only its highest log₂log₂ bits remain.
fn padme(len: usize) -> usize {
    if len < 2 {
        return len;
    }
    let e = usize::BITS - 1 - len.leading_zeros(); // ⌊log₂ len⌋
    let s = u32::BITS - e.leading_zeros(); // ⌊log₂ e⌋ + 1
    let low = e - s;
    let mask = (1usize << low) - 1;
    len.saturating_add(mask) & !mask
}

/// Seals `plaintext` for `room` as `kind`, padded to its bucket ([`padded_len`]).
pub fn seal(
    key: &DocumentKey,
    room: &RoomId,
    kind: Kind,
    plaintext: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<Vec<u8>, Error> {
    let padded = padded_len(kind, plaintext.len());
    let mut out = Vec::with_capacity(NONCE_LEN + padded + TAG_LEN);
    out.resize(NONCE_LEN, 0);
    rng.fill_bytes(&mut out[..NONCE_LEN]);
    out.extend_from_slice(plaintext);
    out.push(END);
    out.resize(NONCE_LEN + padded, 0);
    let cipher = XChaCha20Poly1305::new((&key.0).into());
    let (nonce, body) = out.split_at_mut(NONCE_LEN);
    let tag = cipher
        .encrypt_in_place_detached(
            XNonce::from_slice(nonce),
            &associated_data(AD_V2, room, kind),
            body,
        )
        .map_err(|_| Error::Encryption)?;
    out.extend_from_slice(&tag);
    Ok(out)
}

/// Opens a payload sealed by [`seal`] (or by the unpadded form before it); any mismatch of
/// key, room, kind or bytes is an error.
pub fn open(key: &DocumentKey, room: &RoomId, kind: Kind, sealed: &[u8]) -> Result<Vec<u8>, Error> {
    if sealed.len() < OVERHEAD {
        return Err(Error::SealedTooShort);
    }
    let (nonce, rest) = sealed.split_at(NONCE_LEN);
    let (body, tag) = rest.split_at(rest.len() - TAG_LEN);
    let cipher = XChaCha20Poly1305::new((&key.0).into());
    let decrypt = |prefix| {
        let mut plain = body.to_vec();
        cipher
            .decrypt_in_place_detached(
                XNonce::from_slice(nonce),
                &associated_data(prefix, room, kind),
                &mut plain,
                Tag::from_slice(tag),
            )
            .map(|()| plain)
    };
    if let Ok(mut plain) = decrypt(AD_V2) {
        // Authentic, so the padding is the sender's: one without its end marker is a bug
        // there, refused like a forgery rather than guessed at.
        let end = plain.iter().rposition(|&b| b != 0).ok_or(Error::Padding)?;
        if plain[end] != END {
            return Err(Error::Padding);
        }
        plain.truncate(end);
        return Ok(plain);
    }
    decrypt(AD_V1).map_err(|_| Error::Authentication)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    const ROOM: RoomId = [7; 16];

    #[test]
    fn seal_open_and_overhead() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let key = DocumentKey::generate(&mut rng);
        let sealed = seal(&key, &ROOM, Kind::Change, b"hallo", &mut rng).unwrap();
        assert_eq!(sealed.len(), STEP + OVERHEAD, "the least bucket");
        assert_eq!(OVERHEAD, 40);
        assert_eq!(open(&key, &ROOM, Kind::Change, &sealed).unwrap(), b"hallo");
        // Fresh nonce each time.
        let again = seal(&key, &ROOM, Kind::Change, b"hallo", &mut rng).unwrap();
        assert_ne!(sealed, again);
        // Payloads ending in the marker's bytes, or empty, come back as they were.
        for payload in [&b""[..], b"\x80", b"a\x80\x00", b"\x00\x00"] {
            let sealed = seal(&key, &ROOM, Kind::Change, payload, &mut rng).unwrap();
            assert_eq!(open(&key, &ROOM, Kind::Change, &sealed).unwrap(), payload);
        }
    }

    /// Keystrokes differ by a character's bytes and a position's; sealed, they look alike.
    #[test]
    fn keystrokes_of_any_character_have_one_length() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let key = DocumentKey::generate(&mut rng);
        let lens: std::collections::BTreeSet<usize> = (161..=191)
            .map(|n| {
                seal(&key, &ROOM, Kind::Change, &vec![b'a'; n], &mut rng)
                    .unwrap()
                    .len()
            })
            .collect();
        assert_eq!(lens.into_iter().collect::<Vec<_>>(), vec![192 + OVERHEAD]);
    }

    /// A beacon names a role ("beneficiary" is longer than "provider") and a field; sealed, every
    /// beacon has one length, and so do the small direct-channel signals sent the same way.
    #[test]
    fn presence_has_one_length_whatever_it_says() {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let key = DocumentKey::generate(&mut rng);
        let lens: std::collections::BTreeSet<usize> = ["provider", "caseworker", "beneficiary"]
            .iter()
            .flat_map(|role| [None, Some("anmerkungen_zielerreichung")].map(move |f| (role, f)))
            .map(|(role, field)| {
                let json = format!(
                    r#"{{"id":"0123456789abcdef","role":"{role}","field":{},"gone":false}}"#,
                    field.map_or("null".to_string(), |f| format!("\"{f}\""))
                );
                seal(&key, &ROOM, Kind::Ephemeral, json.as_bytes(), &mut rng)
                    .unwrap()
                    .len()
            })
            .collect();
        assert_eq!(
            lens.into_iter().collect::<Vec<_>>(),
            vec![PRESENCE_SIZE + OVERHEAD]
        );
    }

    #[test]
    fn cards_are_not_padded() {
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        let key = DocumentKey::generate(&mut rng);
        let sealed = seal(&key, &ROOM, Kind::Card, &[9; 100], &mut rng).unwrap();
        assert_eq!(sealed.len(), 101 + OVERHEAD);
        assert_eq!(open(&key, &ROOM, Kind::Card, &sealed).unwrap(), [9; 100]);
    }

    /// `plain` sealed as it is (no padding added) under the associated data `prefix`: what an
    /// older device, or a faulty one, would send.
    fn sealed_as_is(key: &DocumentKey, prefix: &[u8; 10], plain: &[u8]) -> Vec<u8> {
        let nonce = [6u8; NONCE_LEN];
        let mut body = plain.to_vec();
        let tag = XChaCha20Poly1305::new((&key.0).into())
            .encrypt_in_place_detached(
                XNonce::from_slice(&nonce),
                &associated_data(prefix, &ROOM, Kind::Change),
                &mut body,
            )
            .unwrap();
        [&nonce[..], &body, &tag].concat()
    }

    /// What a device sealed before padding (a relay's log holds it) still opens, as it was.
    #[test]
    fn envelopes_sealed_before_padding_still_open() {
        let key = DocumentKey::from_bytes([5; 32]);
        let sealed = sealed_as_is(&key, AD_V1, b"alte Aenderung");
        assert_eq!(
            open(&key, &ROOM, Kind::Change, &sealed).unwrap(),
            b"alte Aenderung"
        );
        assert_eq!(
            open(&key, &ROOM, Kind::Snapshot, &sealed),
            Err(Error::Authentication)
        );
    }

    /// Authentic bytes whose padding lacks the end marker (only a faulty sender makes them) are
    /// refused, not trimmed at a guess.
    #[test]
    fn padding_without_its_marker_is_refused() {
        let key = DocumentKey::from_bytes([5; 32]);
        for plain in [vec![0u8; 64], vec![b'x'; 64], vec![]] {
            let sealed = sealed_as_is(&key, AD_V2, &plain);
            assert_eq!(
                open(&key, &ROOM, Kind::Change, &sealed),
                Err(Error::Padding),
                "{plain:?}"
            );
        }
    }

    #[test]
    fn buckets_grow_with_the_payload_and_cost_little() {
        let mut last = 0;
        for len in (0..5_000).chain((5_000..70_000_000).step_by(9_973)) {
            let padded = padded_len(Kind::Change, len);
            assert!(padded > len, "{len}");
            assert!(padded >= last, "{len}: {padded} < {last}");
            if len >= SMALL {
                assert!(padded - len <= len / 8, "{len} → {padded}");
            }
            assert!(padded <= MAX_PADDED.max(len + 1), "{len}");
            last = padded;
        }
        // A snapshot of 20 MB is padded by at most 512 KiB.
        assert!(padded_len(Kind::Snapshot, 20_000_000) - 20_000_000 <= 512 * 1024);
    }

    #[test]
    fn wrong_key_room_kind_or_tampering_fail() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let key = DocumentKey::generate(&mut rng);
        let other = DocumentKey::generate(&mut rng);
        let sealed = seal(&key, &ROOM, Kind::Change, b"geheim", &mut rng).unwrap();
        assert_eq!(
            open(&other, &ROOM, Kind::Change, &sealed),
            Err(Error::Authentication)
        );
        assert_eq!(
            open(&key, &[8; 16], Kind::Change, &sealed),
            Err(Error::Authentication)
        );
        assert_eq!(
            open(&key, &ROOM, Kind::Snapshot, &sealed),
            Err(Error::Authentication)
        );
        assert_eq!(
            open(&key, &ROOM, Kind::Ephemeral, &sealed),
            Err(Error::Authentication)
        );
        for i in 0..sealed.len() {
            let mut t = sealed.clone();
            t[i] ^= 1;
            assert_eq!(
                open(&key, &ROOM, Kind::Change, &t),
                Err(Error::Authentication)
            );
        }
        assert_eq!(
            open(&key, &ROOM, Kind::Change, &sealed[..39]),
            Err(Error::SealedTooShort)
        );
    }

    proptest! {
        #[test]
        fn any_payload_comes_back_in_its_bucket(
            payload in proptest::collection::vec(any::<u8>(), 0..3_000),
            kind in prop_oneof![Just(Kind::Change), Just(Kind::Snapshot), Just(Kind::Ephemeral), Just(Kind::Direct), Just(Kind::Card)],
            seed in any::<u64>(),
        ) {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            let key = DocumentKey::generate(&mut rng);
            let sealed = seal(&key, &ROOM, kind, &payload, &mut rng).unwrap();
            prop_assert_eq!(sealed.len(), padded_len(kind, payload.len()) + OVERHEAD);
            prop_assert_eq!(open(&key, &ROOM, kind, &sealed).unwrap(), payload);
        }

        #[test]
        fn open_random_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let key = DocumentKey::from_bytes([3; 32]);
            prop_assert!(open(&key, &ROOM, Kind::Change, &bytes).is_err());
        }
    }
}
