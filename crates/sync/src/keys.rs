//! Room admission keys.
//!
//! HKDF-SHA256 over the document key (info `"dreieck/room-auth/v1"`) gives the 32-byte seed of an
//! Ed25519 keypair. Its public key is the room's *verifier*: the only thing about the key the relay
//! ever stores. (The room id is random and separate, not derived.) Admission: the relay sends a
//! fresh random challenge; the client signs `"dreieck/admit/v1" ‖ room id ‖ challenge`; the relay
//! verifies with the stored verifier. Each challenge is used once, so a recorded answer is useless
//! against the next challenge, and an answer for one room is useless in another.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroize;

use crate::envelope::DocumentKey;
use crate::{Error, RoomId};

const AUTH_INFO: &[u8] = b"dreieck/room-auth/v1";
const ADMIT_PREFIX: &[u8] = b"dreieck/admit/v1";

/// The room auth keypair a client derives from the document key.
pub struct RoomAuth {
    signing: SigningKey,
}

impl RoomAuth {
    /// Derives the keypair from the document key.
    pub fn derive(key: &DocumentKey) -> Self {
        let hk = Hkdf::<Sha256>::new(None, key.as_bytes());
        let mut seed = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's limit of 255 × 32; expand cannot fail here.
        if hk.expand(AUTH_INFO, &mut seed).is_err() {
            unreachable!("HKDF output length is constant and valid");
        }
        let signing = SigningKey::from_bytes(&seed);
        seed.zeroize();
        RoomAuth { signing }
    }

    /// The verifier the relay stores (Ed25519 public key bytes).
    pub fn verifier(&self) -> [u8; 32] {
        self.signing.verifying_key().to_bytes()
    }

    /// Answers the relay's challenge for `room`.
    pub fn answer(&self, room: &RoomId, challenge: &[u8; 32]) -> [u8; 64] {
        self.signing.sign(&transcript(room, challenge)).to_bytes()
    }
}

impl std::fmt::Debug for RoomAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoomAuth")
            .field("verifier", &self.verifier())
            .finish_non_exhaustive()
    }
}

fn transcript(room: &RoomId, challenge: &[u8; 32]) -> Vec<u8> {
    let mut t = Vec::with_capacity(ADMIT_PREFIX.len() + 16 + 32);
    t.extend_from_slice(ADMIT_PREFIX);
    t.extend_from_slice(room);
    t.extend_from_slice(challenge);
    t
}

/// Relay side: checks an answer against the stored verifier.
pub fn verify_answer(
    verifier: &[u8; 32],
    room: &RoomId,
    challenge: &[u8; 32],
    signature: &[u8; 64],
) -> Result<(), Error> {
    let key = VerifyingKey::from_bytes(verifier).map_err(|_| Error::InvalidVerifier)?;
    let signature = Signature::from_bytes(signature);
    key.verify_strict(&transcript(room, challenge), &signature)
        .map_err(|_| Error::AdmissionRefused)
}

/// Whether `verifier` is a well-formed Ed25519 public key (checked before registering a room).
pub fn is_valid_verifier(verifier: &[u8; 32]) -> bool {
    VerifyingKey::from_bytes(verifier).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOM: RoomId = [1; 16];

    #[test]
    fn derivation_is_deterministic_and_key_specific() {
        let a = RoomAuth::derive(&DocumentKey::from_bytes([5; 32]));
        let b = RoomAuth::derive(&DocumentKey::from_bytes([5; 32]));
        let c = RoomAuth::derive(&DocumentKey::from_bytes([6; 32]));
        assert_eq!(a.verifier(), b.verifier());
        assert_ne!(a.verifier(), c.verifier());
        assert!(is_valid_verifier(&a.verifier()));
        // The verifier is not the key, nor the seed.
        assert_ne!(&a.verifier(), DocumentKey::from_bytes([5; 32]).as_bytes());
    }

    #[test]
    fn derivation_matches_rfc_5869_and_ed25519() {
        // Computed apart from this crate (Python: hmac/hashlib HKDF-SHA256 without salt, then
        // the Ed25519 public key of the seed): verifiers the relay already stores stay valid
        // whichever hkdf/sha2 versions build this crate.
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([5; 32]));
        let expected: [u8; 32] = [
            0x6b, 0x51, 0xa6, 0x05, 0x37, 0x76, 0x1a, 0x7f, 0x90, 0xf5, 0xde, 0x78, 0x8f, 0x8e,
            0xdb, 0x48, 0x66, 0x75, 0xef, 0x0e, 0x8d, 0x98, 0x17, 0x2a, 0x0a, 0xe8, 0xba, 0xc9,
            0x86, 0x24, 0x92, 0x00,
        ];
        assert_eq!(auth.verifier(), expected);
    }

    #[test]
    fn challenge_response() {
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([5; 32]));
        let verifier = auth.verifier();
        let challenge = [9; 32];
        let answer = auth.answer(&ROOM, &challenge);
        assert_eq!(verify_answer(&verifier, &ROOM, &challenge, &answer), Ok(()));
        // Replayed against a fresh challenge: refused.
        assert_eq!(
            verify_answer(&verifier, &ROOM, &[10; 32], &answer),
            Err(Error::AdmissionRefused)
        );
        // Another room: refused.
        assert_eq!(
            verify_answer(&verifier, &[2; 16], &challenge, &answer),
            Err(Error::AdmissionRefused)
        );
        // Wrong key: refused.
        let other = RoomAuth::derive(&DocumentKey::from_bytes([6; 32]));
        assert_eq!(
            verify_answer(
                &verifier,
                &ROOM,
                &challenge,
                &other.answer(&ROOM, &challenge)
            ),
            Err(Error::AdmissionRefused)
        );
        // Garbage signature: refused, no panic.
        assert!(verify_answer(&verifier, &ROOM, &challenge, &[0xff; 64]).is_err());
    }
}
