//! Encryption at rest: what a locked device keeps on disk, and the rules for wrong PINs.
//!
//! A device that has a PIN holds one random 256-bit [`DataKey`]. Every record the app stores
//! (a chunk of a report, a summary, a template, a secret setting) is sealed under it with
//! XChaCha20-Poly1305 and a fresh random nonce. The data key itself is stored only wrapped: as a
//! sealed file (`sealed_file`, Argon2id over the PIN) whose payload is the 32 key bytes, the
//! [`LockRecord`]. So changing the PIN rewraps 32 bytes instead of re-encrypting every report,
//! and the wrong-PIN message comes from the sealed file's key check without trying a record.
//!
//! Each sealed record carries, as associated data, the place it belongs to (`context`: the
//! store and the key it is stored under). A record copied to another place (one report's chunk
//! under another report's id, a summary swapped between reports) fails to open instead of
//! showing one person's data under another person's name.
//!
//! Record layout:
//!
//! ```text
//! offset size
//!  0      4   magic D5 'R' 'e' 'c'
//!  4      1   version (1)
//!  5     24   nonce
//! 29      …   ciphertext + 16-byte Poly1305 tag; AAD = bytes 0..5 followed by the context
//! ```
//!
//! The crate draws no randomness: callers pass the nonces, salts and fresh keys.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use crate::sealed_file::{self, KdfParams, NONCE_LEN, SALT_LEN};
use crate::{ModelError, Result};

/// The first bytes of every sealed record. The first byte has the high bit set and is no
/// valid first byte of UTF-8, of an Automerge chunk (`85 6f 4a 83`) or of a signed bundle.
pub const RECORD_MAGIC: [u8; 4] = [0xD5, b'R', b'e', b'c'];
/// The record format this build writes and the newest it reads.
pub const RECORD_VERSION: u8 = 1;
/// Bytes a sealed record adds to what it holds: magic, version, nonce and tag.
pub const RECORD_OVERHEAD: usize = RECORD_MAGIC.len() + 1 + NONCE_LEN + TAG_LEN;
const HEADER_LEN: usize = RECORD_MAGIC.len() + 1 + NONCE_LEN;
const TAG_LEN: usize = 16;
/// The data key's length.
pub const KEY_LEN: usize = 32;

/// A PIN must have at least this many characters. Six digits: what banking apps ask for, and
/// with Argon2id and the wrong-PIN limit ([`attempt_rule`]) enough against someone who picks up
/// the tablet. Against a copied browser profile only a longer passphrase helps (the app says so).
pub const MIN_PIN_CHARS: usize = 6;

/// Argon2id settings for the PIN: those of a sealed file (64 MiB, 3 passes, 1 lane; measured
/// in the browser at about 0.2 s on this project's 2-core build machine with `cargo xtask
/// bench`), which leaves a mid-range tablet four times slower under a second. Stored in every
/// lock record, so a later build can change them for new PINs and still unlock old ones.
pub const PIN_KDF: KdfParams = KdfParams::RECOMMENDED;

/// The key every stored record of one device is sealed under. Lives only in memory, only while
/// the device is unlocked; zeroed when dropped.
pub struct DataKey(Zeroizing<[u8; KEY_LEN]>);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

impl DataKey {
    /// A key from 32 fresh random bytes (the caller draws them).
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> DataKey {
        DataKey(Zeroizing::new(bytes))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(Key::from_slice(self.0.as_ref()))
    }

    /// Seals `plaintext` for the place `context` names. `nonce` must be fresh random bytes.
    pub fn seal(&self, context: &str, plaintext: &[u8], nonce: [u8; NONCE_LEN]) -> Vec<u8> {
        let mut out = Vec::with_capacity(RECORD_OVERHEAD + plaintext.len());
        out.extend_from_slice(&RECORD_MAGIC);
        out.push(RECORD_VERSION);
        out.extend_from_slice(&nonce);
        let aad = associated_data(&out[..RECORD_MAGIC.len() + 1], context);
        // Encrypting into a Vec cannot fail for in-memory sizes; an error here would be a bug
        // in the cipher crate, and an empty record would then fail to open, never open wrong.
        let ciphertext = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .unwrap_or_default();
        out.extend_from_slice(&ciphertext);
        out
    }

    /// Opens a record sealed for `context`. Fails, never panics, on anything else: another
    /// format, a newer version, a cut-off or altered record, another place, another key.
    pub fn open(&self, context: &str, record: &[u8]) -> Result<Vec<u8>> {
        if !is_record(record) {
            return Err(ModelError::Locked(
                "ein gespeicherter Eintrag ist nicht verschlüsselt".into(),
            ));
        }
        let version = record[RECORD_MAGIC.len()];
        if version != RECORD_VERSION {
            return Err(ModelError::Locked(format!(
                "ein gespeicherter Eintrag hat das unbekannte Format {version}"
            )));
        }
        if record.len() < HEADER_LEN + TAG_LEN {
            return Err(ModelError::Locked(
                "ein gespeicherter Eintrag ist abgeschnitten".into(),
            ));
        }
        let aad = associated_data(&record[..RECORD_MAGIC.len() + 1], context);
        self.cipher()
            .decrypt(
                XNonce::from_slice(&record[RECORD_MAGIC.len() + 1..HEADER_LEN]),
                Payload {
                    msg: &record[HEADER_LEN..],
                    aad: &aad,
                },
            )
            .map_err(|_| {
                ModelError::Locked(
                    "ein gespeicherter Eintrag ist beschädigt oder gehört nicht hierher".into(),
                )
            })
    }
}

/// Whether `bytes` start like a sealed record (of any version).
pub fn is_record(bytes: &[u8]) -> bool {
    bytes.starts_with(&RECORD_MAGIC) && bytes.len() > RECORD_MAGIC.len()
}

fn associated_data(header: &[u8], context: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(header.len() + context.len());
    aad.extend_from_slice(header);
    aad.extend_from_slice(context.as_bytes());
    aad
}

/// The data key wrapped under the PIN: a sealed file (`sealed_file`) holding the key's bytes.
/// Stored in the clear; without the PIN it is worth one Argon2id run per guess.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockRecord(Vec<u8>);

impl LockRecord {
    /// Wraps `key` under `pin`. `salt` and `nonce` must be fresh random bytes.
    pub fn create(
        key: &DataKey,
        pin: &str,
        salt: [u8; SALT_LEN],
        nonce: [u8; NONCE_LEN],
        params: KdfParams,
    ) -> Result<LockRecord> {
        check_pin(pin)?;
        sealed_file::seal_secret(key.0.as_ref(), pin, salt, nonce, params).map(LockRecord)
    }

    /// The stored bytes, refused when they cannot be a lock record (checked without the PIN,
    /// so that a damaged record is named as such before anyone types).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<LockRecord> {
        sealed_file::check(&bytes)
            .map_err(|e| ModelError::Locked(format!("die Sperre ist {e}")))?;
        Ok(LockRecord(bytes))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The data key, if `pin` is right. [`ModelError::WrongPin`] when it is not.
    pub fn unlock(&self, pin: &str) -> Result<DataKey> {
        let bytes = Zeroizing::new(sealed_file::open(&self.0, pin).map_err(|e| match e {
            ModelError::WrongPassword => ModelError::WrongPin,
            other => ModelError::Locked(format!("die Sperre ist beschädigt: {other}")),
        })?);
        let key: [u8; KEY_LEN] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| ModelError::Locked("die Sperre enthält keinen Schlüssel".into()))?;
        Ok(DataKey::from_bytes(key))
    }
}

/// Refuses a PIN that is too short, with the reason in German.
pub fn check_pin(pin: &str) -> Result<()> {
    if pin.chars().count() < MIN_PIN_CHARS {
        return Err(ModelError::PinTooShort(MIN_PIN_CHARS));
    }
    Ok(())
}

/// Wrong PINs in a row after which the keys are wiped.
pub const WIPE_AFTER: u32 = 10;
/// Wrong PINs in a row that are free; after these, every further try waits.
pub const FREE_TRIES: u32 = 3;

/// What happens after `failures` wrong PINs in a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptRule {
    /// The next try may come at once.
    Now,
    /// The next try may come after this many seconds.
    Wait { seconds: u32 },
    /// The limit is reached: the keys are wiped.
    Wipe,
}

/// The wrong-PIN rule: three free tries, then waits that double from 30 seconds (30 s, 1, 2, 4,
/// 8, 16, 32 min), and at [`WIPE_AFTER`] the keys go. The waits make the ten tries cost more
/// than an hour at the tablet, so a finder cannot simply type through a list of common PINs.
pub fn attempt_rule(failures: u32) -> AttemptRule {
    if failures >= WIPE_AFTER {
        AttemptRule::Wipe
    } else if failures < FREE_TRIES {
        AttemptRule::Now
    } else {
        AttemptRule::Wait {
            seconds: 30u32 << (failures - FREE_TRIES).min(10),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: KdfParams = KdfParams {
        memory_kib: 64,
        passes: 1,
        lanes: 1,
    };

    fn key(b: u8) -> DataKey {
        DataKey::from_bytes([b; KEY_LEN])
    }

    #[test]
    fn a_record_opens_where_it_was_sealed_and_nowhere_else() {
        let k = key(1);
        let sealed = k.seal("docs/bericht-a", b"Frau Muster", [3; NONCE_LEN]);
        assert_eq!(sealed.len(), RECORD_OVERHEAD + 11);
        assert!(!sealed.windows(6).any(|w| w == b"Muster"));
        assert_eq!(
            k.open("docs/bericht-a", &sealed).expect("opens"),
            b"Frau Muster"
        );
        // Moved to another report, opened with another key, altered, cut: refused.
        assert!(k.open("docs/bericht-b", &sealed).is_err());
        assert!(key(2).open("docs/bericht-a", &sealed).is_err());
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert!(k.open("docs/bericht-a", &altered).is_err());
        for cut in 0..sealed.len() {
            assert!(
                k.open("docs/bericht-a", &sealed[..cut]).is_err(),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn a_newer_or_plain_record_is_refused_with_a_reason() {
        let k = key(1);
        let mut sealed = k.seal("s", b"x", [0; NONCE_LEN]);
        sealed[4] = 2;
        let err = k.open("s", &sealed).expect_err("newer");
        assert!(err.to_string().contains("Format 2"), "{err}");
        let err = k.open("s", b"{\"title\":\"klar\"}").expect_err("plain");
        assert!(err.to_string().contains("nicht verschlüsselt"), "{err}");
    }

    #[test]
    fn the_lock_record_gives_the_key_only_for_the_right_pin() {
        let k = key(7);
        let record =
            LockRecord::create(&k, "123456", [1; SALT_LEN], [2; NONCE_LEN], FAST).expect("created");
        assert!(matches!(record.unlock("654321"), Err(ModelError::WrongPin)));
        let again = record.unlock("123456").expect("unlocks");
        let sealed = k.seal("c", b"geheim", [5; NONCE_LEN]);
        assert_eq!(again.open("c", &sealed).expect("same key"), b"geheim");
        // Stored and read back.
        let stored = LockRecord::from_bytes(record.as_bytes().to_vec()).expect("valid");
        assert!(stored.unlock("123456").is_ok());
    }

    #[test]
    fn a_short_pin_is_refused_and_a_damaged_record_is_named() {
        let err = LockRecord::create(&key(1), "12345", [1; SALT_LEN], [2; NONCE_LEN], FAST)
            .expect_err("short");
        assert!(err.to_string().contains('6'), "{err}");
        let record = LockRecord::create(&key(1), "123456", [1; SALT_LEN], [2; NONCE_LEN], FAST)
            .expect("created");
        let mut bytes = record.as_bytes().to_vec();
        bytes[30] ^= 0xff;
        assert!(matches!(
            LockRecord::from_bytes(bytes),
            Err(ModelError::Locked(_))
        ));
        assert!(LockRecord::from_bytes(b"123456".to_vec()).is_err());
    }

    #[test]
    fn wrong_pins_are_free_three_times_then_slowed_then_wipe() {
        assert_eq!(attempt_rule(0), AttemptRule::Now);
        assert_eq!(attempt_rule(2), AttemptRule::Now);
        assert_eq!(attempt_rule(3), AttemptRule::Wait { seconds: 30 });
        assert_eq!(attempt_rule(4), AttemptRule::Wait { seconds: 60 });
        assert_eq!(attempt_rule(9), AttemptRule::Wait { seconds: 1920 });
        assert_eq!(attempt_rule(10), AttemptRule::Wipe);
        assert_eq!(attempt_rule(u32::MAX), AttemptRule::Wipe);
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_open_to_an_error_or_the_sealed_text(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200),
            text in proptest::collection::vec(proptest::num::u8::ANY, 0..100),
        ) {
            let k = key(9);
            let _ = k.open("c", &bytes);
            let sealed = k.seal("c", &text, [4; NONCE_LEN]);
            proptest::prop_assert_eq!(k.open("c", &sealed).expect("opens"), text);
        }
    }
}
