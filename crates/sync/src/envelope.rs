//! Sealed envelopes: XChaCha20-Poly1305 under the 32-byte document key.
//!
//! `sealed = nonce (24 random bytes from the caller's RNG) ‖ ciphertext ‖ tag (16 bytes)`, so
//! sealing adds [`OVERHEAD`] = 40 bytes. The associated data is `"dreieck/v1" ‖ room id ‖ kind`:
//! a sealed change cannot be opened as a snapshot or presence, nor in another room.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand_core::CryptoRngCore;
use zeroize::Zeroize;

use crate::{Error, RoomId};

/// Nonce length of XChaCha20-Poly1305.
pub const NONCE_LEN: usize = 24;
/// Authentication tag length of Poly1305.
pub const TAG_LEN: usize = 16;
/// Bytes sealing adds to a payload.
pub const OVERHEAD: usize = NONCE_LEN + TAG_LEN;

const AD_PREFIX: &[u8] = b"dreieck/v1";

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

fn associated_data(room: &RoomId, kind: Kind) -> [u8; AD_PREFIX.len() + 16 + 1] {
    let mut ad = [0u8; AD_PREFIX.len() + 16 + 1];
    ad[..AD_PREFIX.len()].copy_from_slice(AD_PREFIX);
    ad[AD_PREFIX.len()..AD_PREFIX.len() + 16].copy_from_slice(room);
    ad[AD_PREFIX.len() + 16] = kind as u8;
    ad
}

/// Seals `plaintext` for `room` as `kind`.
pub fn seal(
    key: &DocumentKey,
    room: &RoomId,
    kind: Kind,
    plaintext: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<Vec<u8>, Error> {
    let cipher = XChaCha20Poly1305::new((&key.0).into());
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    let ad = associated_data(room, kind);
    let ciphertext = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: &ad,
            },
        )
        .map_err(|_| Error::Encryption)?;
    let mut out = Vec::with_capacity(NONCE_LEN + ciphertext.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

/// Opens a payload sealed by [`seal`]; any mismatch of key, room, kind or bytes is an error.
pub fn open(key: &DocumentKey, room: &RoomId, kind: Kind, sealed: &[u8]) -> Result<Vec<u8>, Error> {
    if sealed.len() < OVERHEAD {
        return Err(Error::SealedTooShort);
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let cipher = XChaCha20Poly1305::new((&key.0).into());
    let ad = associated_data(room, kind);
    cipher
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: &ad,
            },
        )
        .map_err(|_| Error::Authentication)
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
        assert_eq!(sealed.len(), 5 + OVERHEAD);
        assert_eq!(OVERHEAD, 40);
        assert_eq!(open(&key, &ROOM, Kind::Change, &sealed).unwrap(), b"hallo");
        // Fresh nonce each time.
        let again = seal(&key, &ROOM, Kind::Change, b"hallo", &mut rng).unwrap();
        assert_ne!(sealed, again);
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
        fn open_random_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let key = DocumentKey::from_bytes([3; 32]);
            prop_assert!(open(&key, &ROOM, Kind::Change, &bytes).is_err());
        }
    }
}
