//! A report file sealed with a password: for handing a report over on a stick or by mail.
//!
//! The password is stretched with Argon2id and the payload (the report's Automerge save)
//! encrypted with XChaCha20-Poly1305. Everything needed to open the file again except the
//! password is in a fixed-size header in front of the ciphertext, and the whole header is the
//! AEAD's associated data: changing any byte of it makes the file fail to open instead of
//! opening under weaker settings. Layout (big-endian), documented for other implementations in
//! `docs/export.md`:
//!
//! ```text
//! offset size
//!  0      8   magic 89 'D' 'R' 'E' 'I' 'E' 'C' 'K'
//!  8      1   format version (1)
//!  9      1   key derivation (1 = Argon2id, version 0x13)
//! 10      4   Argon2 memory in KiB
//! 14      4   Argon2 passes
//! 18      4   Argon2 lanes
//! 22     16   salt
//! 38     24   nonce
//! 62      8   ciphertext length, tag included
//! 70      8   key check: bytes 32..40 of the Argon2 output
//! 78      8   header check: SHA-256 of bytes 0..78, first 8 bytes
//! 86      …   ciphertext (payload + 16-byte Poly1305 tag)
//! ```
//!
//! The two check values exist for the messages, not for security (the AEAD tag alone decides
//! whether anything is opened): the header check tells a damaged header from a wrong password
//! without spending a second on Argon2; the key check tells a wrong password from a damaged
//! ciphertext. The key check gives an attacker nothing the tag does not: either one lets them
//! test a guess, and each guess costs one Argon2 run. The length field tells a cut-off file
//! ("unvollständig") from a damaged one.
//!
//! The crate draws no randomness: the caller passes a fresh random salt and nonce per file.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::{ModelError, Result};

/// The first bytes of every sealed file. The first byte has its high bit set (as PNG does), so
/// a transfer that strips the eighth bit or a text file never matches.
pub const SEALED_MAGIC: [u8; 8] = [0x89, b'D', b'R', b'E', b'I', b'E', b'C', b'K'];

/// The sealed-file format this build writes and the newest it reads.
pub const SEALED_VERSION: u8 = 1;

/// Key derivation id 1: Argon2id, version 0x13.
const KDF_ARGON2ID: u8 = 1;

pub const SALT_LEN: usize = 16;
pub const NONCE_LEN: usize = 24;
/// Bytes in front of the ciphertext.
pub const HEADER_LEN: usize = 86;
/// The Poly1305 tag at the end of the ciphertext.
const TAG_LEN: usize = 16;
const KEY_LEN: usize = 32;
const CHECK_LEN: usize = 8;

/// Passwords shorter than this are refused when sealing: the file may travel by mail, where
/// anyone who intercepts it can try passwords offline for as long as they like.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Opening refuses files asking for more than this (a crafted header could otherwise make the
/// app allocate gigabytes or compute for hours): 64 MiB, 10 passes, 4 lanes.
const MAX_MEMORY_KIB: u32 = 64 * 1024;
const MAX_PASSES: u32 = 10;
const MAX_LANES: u32 = 4;

/// Argon2id cost settings, stored in the header so that files sealed with other settings
/// still open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    pub memory_kib: u32,
    pub passes: u32,
    pub lanes: u32,
}

impl KdfParams {
    /// The settings files are sealed with: 64 MiB, 3 passes, 1 lane. Above OWASP's first
    /// recommendation (19 MiB, 2 passes, [`KdfParams::FIRST`]) because a file travels, and whoever
    /// intercepts it can guess offline for as long as they like; measured in the browser at about
    /// 0.2 s on this project's build machine (`cargo xtask bench`). One lane: the browser build
    /// computes lanes one after another anyway, and more lanes would only make an attacker's
    /// parallel hardware relatively faster.
    pub const RECOMMENDED: KdfParams = KdfParams {
        memory_kib: 64 * 1024,
        passes: 3,
        lanes: 1,
    };

    /// What the first release sealed files with (OWASP's first recommendation). Files sealed
    /// with it still open: the settings are read from each file's header.
    pub const FIRST: KdfParams = KdfParams {
        memory_kib: 19 * 1024,
        passes: 2,
        lanes: 1,
    };

    fn argon2(self) -> Result<Argon2<'static>> {
        let params = Params::new(
            self.memory_kib,
            self.passes,
            self.lanes,
            Some(KEY_LEN + CHECK_LEN),
        )
        .map_err(|_| damaged("die Schlüsselparameter sind ungültig"))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// Whether `bytes` start like a sealed file (of any version).
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(&SEALED_MAGIC)
}

/// Encrypts `payload` under `password`. `salt` and `nonce` must be fresh random bytes for
/// every file (the caller draws them).
pub fn seal(
    payload: &[u8],
    password: &str,
    salt: [u8; SALT_LEN],
    nonce: [u8; NONCE_LEN],
    params: KdfParams,
) -> Result<Vec<u8>> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ModelError::PasswordTooShort(MIN_PASSWORD_CHARS));
    }
    seal_secret(payload, password, salt, nonce, params)
}

/// [`seal`] without the password rule: for the device's lock record (`at_rest`), whose PIN
/// has its own rule and which never leaves the device.
pub(crate) fn seal_secret(
    payload: &[u8],
    password: &str,
    salt: [u8; SALT_LEN],
    nonce: [u8; NONCE_LEN],
    params: KdfParams,
) -> Result<Vec<u8>> {
    let derived = derive(password, &salt, params)?;
    let ciphertext_len =
        u64::try_from(payload.len() + TAG_LEN).map_err(|_| damaged("der Bericht ist zu groß"))?;
    let mut header = Vec::with_capacity(HEADER_LEN + payload.len() + TAG_LEN);
    header.extend_from_slice(&SEALED_MAGIC);
    header.push(SEALED_VERSION);
    header.push(KDF_ARGON2ID);
    header.extend_from_slice(&params.memory_kib.to_be_bytes());
    header.extend_from_slice(&params.passes.to_be_bytes());
    header.extend_from_slice(&params.lanes.to_be_bytes());
    header.extend_from_slice(&salt);
    header.extend_from_slice(&nonce);
    header.extend_from_slice(&ciphertext_len.to_be_bytes());
    header.extend_from_slice(&derived[KEY_LEN..]);
    let check = header_check(&header);
    header.extend_from_slice(&check);
    debug_assert_eq!(header.len(), HEADER_LEN);
    let cipher = XChaCha20Poly1305::new(Key::from_slice(&derived[..KEY_LEN]));
    let ciphertext = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: payload,
                aad: &header,
            },
        )
        .map_err(|_| damaged("die Verschlüsselung ist fehlgeschlagen"))?;
    let mut file = header;
    file.extend_from_slice(&ciphertext);
    Ok(file)
}

/// Checks what can be checked without the password (format, header, length), so that a
/// damaged or cut-off file is named as such before anybody is asked for a password.
pub fn check(file: &[u8]) -> Result<()> {
    Header::parse(file).map(|_| ())
}

/// Decrypts a sealed file. Errors say what is wrong: not a sealed file, a newer format, a
/// damaged or cut-off file, or the wrong password. Never panics on any input.
pub fn open(file: &[u8], password: &str) -> Result<Vec<u8>> {
    let header = Header::parse(file)?;
    let derived = derive(password, &header.salt, header.params)?;
    if derived[KEY_LEN..] != header.key_check {
        return Err(ModelError::WrongPassword);
    }
    let cipher = XChaCha20Poly1305::new(Key::from_slice(&derived[..KEY_LEN]));
    cipher
        .decrypt(
            XNonce::from_slice(&header.nonce),
            Payload {
                msg: &file[HEADER_LEN..],
                aad: &file[..HEADER_LEN],
            },
        )
        .map_err(|_| damaged("der Inhalt wurde verändert oder ist beschädigt"))
}

/// The parts of a header that opening needs.
struct Header {
    params: KdfParams,
    salt: [u8; SALT_LEN],
    nonce: [u8; NONCE_LEN],
    key_check: [u8; CHECK_LEN],
}

impl Header {
    /// Checks everything that can be checked without the password, cheapest first.
    fn parse(file: &[u8]) -> Result<Header> {
        if !is_sealed(file) {
            return Err(ModelError::NotAReport(
                "Die Datei ist keine verschlüsselte Dreieck-Datei.".into(),
            ));
        }
        let version = file.get(8).copied().ok_or_else(truncated)?;
        if version > SEALED_VERSION {
            return Err(ModelError::NewerFile(version));
        }
        if version == 0 {
            return Err(damaged("unbekannte Formatversion 0"));
        }
        let header = file.get(..HEADER_LEN).ok_or_else(truncated)?;
        if header_check(&header[..HEADER_LEN - CHECK_LEN]) != header[HEADER_LEN - CHECK_LEN..] {
            return Err(damaged("der Dateikopf ist beschädigt"));
        }
        if header[9] != KDF_ARGON2ID {
            return Err(damaged("unbekanntes Schlüsselverfahren"));
        }
        let params = KdfParams {
            memory_kib: be_u32(&header[10..14]),
            passes: be_u32(&header[14..18]),
            lanes: be_u32(&header[18..22]),
        };
        if params.memory_kib > MAX_MEMORY_KIB
            || params.passes > MAX_PASSES
            || params.lanes > MAX_LANES
        {
            return Err(damaged(
                "sie verlangt mehr Rechenaufwand, als diese App zum Öffnen aufwendet",
            ));
        }
        let declared = u64::from_be_bytes(array(&header[62..70]));
        let present = (file.len() - HEADER_LEN) as u64;
        if present < declared {
            return Err(truncated());
        }
        if present > declared || declared < TAG_LEN as u64 {
            return Err(damaged("die Länge stimmt nicht"));
        }
        Ok(Header {
            params,
            salt: array(&header[22..38]),
            nonce: array(&header[38..62]),
            key_check: array(&header[70..78]),
        })
    }
}

/// Argon2id output: the 32-byte key, then the 8-byte key check.
fn derive(
    password: &str,
    salt: &[u8],
    params: KdfParams,
) -> Result<Zeroizing<[u8; KEY_LEN + CHECK_LEN]>> {
    let mut out = Zeroizing::new([0u8; KEY_LEN + CHECK_LEN]);
    params
        .argon2()?
        .hash_password_into(password.as_bytes(), salt, out.as_mut())
        .map_err(|_| damaged("die Schlüsselparameter sind ungültig"))?;
    Ok(out)
}

fn header_check(bytes: &[u8]) -> [u8; CHECK_LEN] {
    array(&Sha256::digest(bytes)[..CHECK_LEN])
}

/// The first `N` bytes of `bytes` (callers pass slices of the right length).
fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    for (o, b) in out.iter_mut().zip(bytes) {
        *o = *b;
    }
    out
}

fn be_u32(bytes: &[u8]) -> u32 {
    u32::from_be_bytes(array(bytes))
}

fn damaged(why: &str) -> ModelError {
    ModelError::DamagedFile(why.to_string())
}

fn truncated() -> ModelError {
    damaged("sie ist unvollständig (beim Kopieren abgeschnitten?)")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cheap settings: the unit tests are about the format, not the cost.
    const FAST: KdfParams = KdfParams {
        memory_kib: 64,
        passes: 1,
        lanes: 1,
    };

    #[test]
    fn header_is_as_documented() {
        let file = seal(
            b"hallo",
            "richtig-lang",
            [7; SALT_LEN],
            [9; NONCE_LEN],
            FAST,
        )
        .expect("sealed");
        assert_eq!(file.len(), HEADER_LEN + 5 + TAG_LEN);
        assert_eq!(&file[..8], &SEALED_MAGIC);
        assert_eq!(file[8], 1);
        assert_eq!(file[9], 1);
        assert_eq!(&file[10..14], &64u32.to_be_bytes());
        assert_eq!(&file[22..38], &[7; SALT_LEN]);
        assert_eq!(&file[38..62], &[9; NONCE_LEN]);
        assert_eq!(&file[62..70], &21u64.to_be_bytes());
        assert_eq!(open(&file, "richtig-lang").expect("opened"), b"hallo");
    }

    #[test]
    fn every_prefix_is_refused_without_panic() {
        let file = seal(b"hallo welt", "richtig-lang", [1; 16], [2; 24], FAST).expect("sealed");
        for n in 0..file.len() {
            assert!(open(&file[..n], "richtig-lang").is_err(), "prefix {n}");
        }
    }
}
