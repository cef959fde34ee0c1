//! A person's own signing key on a shared device, kept behind their own PIN.
//!
//! Several people use one tablet: two members of the provider's staff, the person supported at
//! the table. Keys per (device, role) would let each of them sign as the others. So a person
//! who signs on a device they share gets a key of their own: an Ed25519 seed wrapped in a
//! sealed file (`sealed_file`, Argon2id over their PIN, the settings of the device lock). The
//! device keeps only the wrapped seed; the key exists in memory for the one signature it makes.
//!
//! The sealed payload is the seed followed by the role and the name the key was made for, and
//! opening checks all three against the record: a record whose name, role or public key was
//! changed on disk, or whose wrapped seed was copied from another person's record, does not
//! open as somebody it is not.
//!
//! Wrong PINs follow [`crate::at_rest::attempt_rule`] per person; at its limit the person's key
//! is deleted (their signatures stay valid: the public key is in every report they signed).

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::at_rest::check_pin;
use crate::bytes::hex;
use crate::sealed_file::{self, KdfParams, NONCE_LEN, SALT_LEN};
use crate::signing::MAX_NAME_CHARS;
use crate::{ModelError, ParticipantKey, Result, Role};

/// One person's key on this device: who, in which role, their public key and the wrapped seed.
/// Stored as it is (JSON in the device's settings, sealed with them when the device is locked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonKey {
    pub name: String,
    pub role: Role,
    /// The public key, hex: names the person in lists without opening anything.
    pub public: String,
    /// The sealed file holding seed, role and name, hex.
    pub wrapped: String,
    /// Wrong PINs in a row, and when the last one was typed (ms since the epoch).
    #[serde(default)]
    pub failures: u32,
    #[serde(default)]
    pub last_failure_ms: i64,
}

impl PersonKey {
    /// Wraps `seed` for `name` in `role` under `pin`. `salt` and `nonce` must be fresh random
    /// bytes; `seed` too (it becomes the person's signing key).
    pub fn create(
        name: &str,
        role: Role,
        seed: &[u8; 32],
        pin: &str,
        salt: [u8; SALT_LEN],
        nonce: [u8; NONCE_LEN],
        params: KdfParams,
    ) -> Result<PersonKey> {
        let name = check_name(name)?;
        check_pin(pin)?;
        let payload = Zeroizing::new(payload(seed, role, &name));
        let wrapped = sealed_file::seal_secret(&payload, pin, salt, nonce, params)?;
        Ok(PersonKey {
            public: ParticipantKey::from_seed(seed).public_hex(),
            name,
            role,
            wrapped: hex(&wrapped),
            failures: 0,
            last_failure_ms: 0,
        })
    }

    /// The person's signing key, if `pin` is theirs. [`ModelError::WrongPin`] when it is not;
    /// [`ModelError::Locked`] when the record was damaged or altered.
    pub fn unlock(&self, pin: &str) -> Result<ParticipantKey> {
        let damaged = || ModelError::Locked("der Schlüssel dieser Person ist beschädigt".into());
        let wrapped = crate::bytes::from_hex_any(&self.wrapped).ok_or_else(damaged)?;
        let payload = Zeroizing::new(sealed_file::open(&wrapped, pin).map_err(|e| match e {
            ModelError::WrongPassword => ModelError::WrongPin,
            _ => damaged(),
        })?);
        let seed: [u8; 32] = payload
            .get(..32)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(damaged)?;
        let seed = Zeroizing::new(seed);
        if payload[..] != self::payload(&seed, self.role, &self.name)[..] {
            return Err(damaged());
        }
        let key = ParticipantKey::from_seed(&seed);
        if key.public_hex() != self.public {
            return Err(damaged());
        }
        Ok(key)
    }
}

/// The trimmed name, refused when empty or too long (the same limit as a signature's name).
fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ModelError::Signature("Bitte einen Namen eintragen.".into()));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ModelError::Signature(format!(
            "Der Name ist zu lang (höchstens {MAX_NAME_CHARS} Zeichen)."
        )));
    }
    Ok(name.to_string())
}

fn payload(seed: &[u8; 32], role: Role, name: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 + 16 + name.len());
    out.extend_from_slice(seed);
    crate::bytes::put_str8(&mut out, role.as_str());
    out.extend_from_slice(name.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: KdfParams = KdfParams {
        memory_kib: 64,
        passes: 1,
        lanes: 1,
    };

    fn anna() -> PersonKey {
        PersonKey::create(
            "Anna Träger",
            Role::Provider,
            &[7; 32],
            "246813",
            [1; SALT_LEN],
            [2; NONCE_LEN],
            FAST,
        )
        .expect("created")
    }

    #[test]
    fn only_the_right_pin_opens_the_key_and_it_is_the_persons() {
        let anna = anna();
        assert_eq!(
            anna.public,
            ParticipantKey::from_seed(&[7; 32]).public_hex()
        );
        assert!(!anna.wrapped.contains(&hex(&[7; 32])));
        let key = anna.unlock("246813").expect("opens");
        assert_eq!(key.public_hex(), anna.public);
        assert!(matches!(anna.unlock("246814"), Err(ModelError::WrongPin)));
    }

    #[test]
    fn an_altered_record_does_not_open_as_somebody_else() {
        let anna = anna();
        let ben = PersonKey::create(
            "Ben Träger",
            Role::Provider,
            &[9; 32],
            "135790",
            [3; SALT_LEN],
            [4; NONCE_LEN],
            FAST,
        )
        .expect("created");
        // Anna's wrapped seed under Ben's name and key: opens with Anna's PIN, and is refused.
        let swapped = PersonKey {
            wrapped: anna.wrapped.clone(),
            ..ben.clone()
        };
        assert!(matches!(
            swapped.unlock("246813"),
            Err(ModelError::Locked(_))
        ));
        // Another role or name written over hers.
        for altered in [
            PersonKey {
                role: Role::Caseworker,
                ..anna.clone()
            },
            PersonKey {
                name: "Ben Träger".into(),
                ..anna.clone()
            },
        ] {
            assert!(matches!(
                altered.unlock("246813"),
                Err(ModelError::Locked(_))
            ));
        }
        // Damaged bytes are named as damage, never as a wrong PIN.
        let cut = PersonKey {
            wrapped: anna.wrapped[..40].to_string(),
            ..anna.clone()
        };
        assert!(matches!(cut.unlock("246813"), Err(ModelError::Locked(_))));
        let not_hex = PersonKey {
            wrapped: "zz".into(),
            ..anna
        };
        assert!(matches!(
            not_hex.unlock("246813"),
            Err(ModelError::Locked(_))
        ));
    }

    #[test]
    fn a_short_pin_or_an_empty_name_is_refused() {
        let short = PersonKey::create(
            "Anna",
            Role::Provider,
            &[7; 32],
            "123",
            [1; SALT_LEN],
            [2; NONCE_LEN],
            FAST,
        );
        assert!(matches!(short, Err(ModelError::PinTooShort(_))));
        let nameless = PersonKey::create(
            "  ",
            Role::Provider,
            &[7; 32],
            "246813",
            [1; SALT_LEN],
            [2; NONCE_LEN],
            FAST,
        );
        assert!(matches!(nameless, Err(ModelError::Signature(_))));
    }
}
