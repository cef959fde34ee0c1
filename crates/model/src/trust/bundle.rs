//! Signed changes: Automerge bytes together with the attestations that vouch for them.
//!
//! An *attestation* is the author's Ed25519 signature over a change's hash. A change's hash
//! covers its content and its dependencies' hashes, so one attestation of an actor's newest
//! change vouches for every earlier change of that actor it builds on: a batch of keystrokes
//! needs one signature per actor, and a whole document one per actor ever used. Which key must
//! have signed is not in the attestation: the document binds every actor to one device key
//! (`keys`), and that binding is what a verifier trusts.
//!
//! A *bundle* is what every path between devices carries — an envelope through the relay, a
//! snapshot, a sealed file, a stored chunk: `"DRSC" ‖ version ‖ length ‖ Automerge bytes ‖
//! count ‖ count × attestation`. Bundles concatenate (storage appends one per edit) and split
//! again by their lengths.
//!
//! Version 2 (written now) has LEB128 lengths and names an attested change by its position
//! among the bundle's chunks (`1 ‖ index ‖ signature`) when the bundle holds it, by its hash
//! otherwise (`0 ‖ hash ‖ signature`). A change chunk's hash is SHA-256 over the chunk after
//! its magic number and checksum, so the reader works it out from the bytes it holds: 31 bytes
//! fewer per keystroke on the wire (a third of a keystroke's cost of trust besides the
//! signature), and nothing to trust that was not there before — a wrong index names another
//! change, whose signature then fails to verify. Version 1 (`u32` length, `u16` count, each
//! `hash ‖ signature`) is still read: storage and relays hold it.

use automerge::ChangeHash;
use sha2::{Digest, Sha256};

use crate::bytes::Reader;
use crate::live::leb;

const MAGIC: &[u8; 4] = b"DRSC";
/// Fixed-width lengths, every attestation with its hash.
const VERSION_1: u8 = 1;
/// LEB128 lengths, attestations by position where possible (module doc).
const VERSION: u8 = 2;
const BY_HASH: u8 = 0;
const BY_INDEX: u8 = 1;
/// Bundles with at most this many bytes of changes name attested changes by position. Beyond
/// (a full save, a long catch-up) the hashes cost nothing to speak of, and hashing every chunk
/// to find them would.
const INDEXED_UP_TO: usize = 64 * 1024;
/// The magic number that opens every Automerge chunk.
const AUTOMERGE_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// Automerge's chunk kind of one uncompressed change.
pub(crate) const CHANGE_CHUNK: u8 = 1;

/// The author's signature over one change's hash (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attestation {
    pub hash: ChangeHash,
    pub signature: [u8; 64],
}

/// Automerge bytes (change chunks or a whole document) and the attestations for them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignedChanges {
    pub changes: Vec<u8>,
    pub attestations: Vec<Attestation>,
}

/// Why bytes are not bundles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BundleError {
    /// Not a bundle at all (another format, or damaged at its start).
    NotABundle,
    /// A newer bundle version than this build reads.
    NewerVersion(u8),
    /// The bytes end inside a bundle.
    Truncated,
    /// An attestation names a change by a position the bundle holds no change at.
    NoSuchChange,
}

impl SignedChanges {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.attestations.is_empty()
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + self.changes.len() + 97 * self.attestations.len());
        self.encode_into(&mut out);
        out
    }

    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        leb(out, self.changes.len() as u64);
        out.extend_from_slice(&self.changes);
        let hashes = if self.changes.len() <= INDEXED_UP_TO && !self.attestations.is_empty() {
            chunk_hashes(&self.changes)
        } else {
            Vec::new()
        };
        leb(out, self.attestations.len() as u64);
        for a in &self.attestations {
            match hashes.iter().position(|h| *h == Some(a.hash)) {
                Some(index) => {
                    out.push(BY_INDEX);
                    leb(out, index as u64);
                }
                None => {
                    out.push(BY_HASH);
                    out.extend_from_slice(&a.hash.0);
                }
            }
            out.extend_from_slice(&a.signature);
        }
    }

    /// One bundle that must fill `bytes` exactly.
    pub fn decode(bytes: &[u8]) -> Result<SignedChanges, BundleError> {
        let mut all = Self::decode_all(bytes)?;
        match all.len() {
            1 => Ok(all.remove(0)),
            _ => Err(BundleError::NotABundle),
        }
    }

    /// Concatenated bundles (what storage holds), in order.
    pub fn decode_all(bytes: &[u8]) -> Result<Vec<SignedChanges>, BundleError> {
        let mut r = Reader(bytes);
        let mut out = Vec::new();
        while !r.is_empty() {
            if r.take(4) != Some(MAGIC.as_slice()) {
                return Err(BundleError::NotABundle);
            }
            out.push(match r.u8().ok_or(BundleError::Truncated)? {
                VERSION_1 => decode_v1(&mut r)?,
                VERSION => decode_v2(&mut r)?,
                v => return Err(BundleError::NewerVersion(v)),
            });
        }
        Ok(out)
    }

    /// Whether `bytes` start like a bundle (as opposed to plain Automerge bytes).
    pub fn looks_like(bytes: &[u8]) -> bool {
        bytes.starts_with(MAGIC)
    }

    /// Several bundles as one: the changes concatenated (Automerge reads concatenated
    /// chunks), the attestations gathered.
    pub fn join(parts: impl IntoIterator<Item = SignedChanges>) -> SignedChanges {
        let mut out = SignedChanges::default();
        for part in parts {
            out.changes.extend_from_slice(&part.changes);
            out.attestations.extend(part.attestations);
        }
        out
    }
}

fn decode_v1(r: &mut Reader<'_>) -> Result<SignedChanges, BundleError> {
    let len = r.u32().ok_or(BundleError::Truncated)? as usize;
    let changes = r.take(len).ok_or(BundleError::Truncated)?.to_vec();
    let count = r.u16().ok_or(BundleError::Truncated)?;
    let mut attestations = Vec::with_capacity(usize::from(count).min(r.0.len() / 96));
    for _ in 0..count {
        let hash = ChangeHash(r.array::<32>().ok_or(BundleError::Truncated)?);
        let signature = r.array::<64>().ok_or(BundleError::Truncated)?;
        attestations.push(Attestation { hash, signature });
    }
    Ok(SignedChanges {
        changes,
        attestations,
    })
}

fn decode_v2(r: &mut Reader<'_>) -> Result<SignedChanges, BundleError> {
    let len = usize::try_from(r.uleb().ok_or(BundleError::Truncated)?)
        .map_err(|_| BundleError::Truncated)?;
    let changes = r.take(len).ok_or(BundleError::Truncated)?;
    let count = r.uleb().ok_or(BundleError::Truncated)?;
    // Each attestation takes at least 66 bytes: a count beyond what is left is a lie.
    let capacity = usize::try_from(count)
        .unwrap_or(usize::MAX)
        .min(r.0.len() / 66);
    let mut attestations = Vec::with_capacity(capacity);
    let mut hashes = None;
    for _ in 0..count {
        let hash = match r.u8().ok_or(BundleError::Truncated)? {
            BY_HASH => ChangeHash(r.array::<32>().ok_or(BundleError::Truncated)?),
            BY_INDEX => {
                let index = r.uleb().ok_or(BundleError::Truncated)?;
                let hashes = hashes.get_or_insert_with(|| chunk_hashes(changes));
                usize::try_from(index)
                    .ok()
                    .and_then(|i| hashes.get(i).copied().flatten())
                    .ok_or(BundleError::NoSuchChange)?
            }
            _ => return Err(BundleError::NotABundle),
        };
        let signature = r.array::<64>().ok_or(BundleError::Truncated)?;
        attestations.push(Attestation { hash, signature });
    }
    Ok(SignedChanges {
        changes: changes.to_vec(),
        attestations,
    })
}

/// One Automerge chunk as its header tells it (nothing inside is read).
pub(crate) struct AutomergeChunk<'a> {
    /// 0 a whole document, 1 a change, 2 a compressed change.
    pub kind: u8,
    /// The whole chunk, header included.
    pub bytes: &'a [u8],
}

/// Automerge bytes split into their chunks by the headers' lengths; an error (what is wrong,
/// for the user's message) ends the run.
pub(crate) fn automerge_chunks(
    bytes: &[u8],
) -> impl Iterator<Item = Result<AutomergeChunk<'_>, &'static str>> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let chunk = (|| {
            if rest.len() < 9 || rest[..4] != AUTOMERGE_MAGIC {
                return Err("Kopf");
            }
            let mut r = Reader(&rest[9..]);
            let len = r.uleb().ok_or("Länge")?;
            let total = (rest.len() - r.0.len())
                .checked_add(usize::try_from(len).map_err(|_| "Länge")?)
                .filter(|n| *n <= rest.len())
                .ok_or("abgeschnitten")?;
            let (chunk, tail) = rest.split_at(total);
            rest = tail;
            Ok(AutomergeChunk {
                kind: chunk[8],
                bytes: chunk,
            })
        })();
        if chunk.is_err() {
            rest = &[];
        }
        Some(chunk)
    })
}

/// The hash of each chunk that is one change (`None` for the others), in order; empty when the
/// bytes do not split into chunks. Automerge hashes a change as SHA-256 over its chunk after
/// the magic number and the checksum (kind, length, contents).
fn chunk_hashes(changes: &[u8]) -> Vec<Option<ChangeHash>> {
    let mut out = Vec::new();
    for chunk in automerge_chunks(changes) {
        let Ok(chunk) = chunk else {
            return Vec::new();
        };
        out.push(
            (chunk.kind == CHANGE_CHUNK)
                .then(|| ChangeHash(Sha256::digest(&chunk.bytes[8..]).into())),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_round_trip_and_concatenate() {
        let a = SignedChanges {
            changes: vec![1, 2, 3],
            attestations: vec![Attestation {
                hash: ChangeHash([7; 32]),
                signature: [9; 64],
            }],
        };
        let b = SignedChanges {
            changes: vec![],
            attestations: vec![],
        };
        assert_eq!(SignedChanges::decode(&a.encode()), Ok(a.clone()));
        let mut both = a.encode();
        b.encode_into(&mut both);
        assert_eq!(SignedChanges::decode_all(&both), Ok(vec![a.clone(), b]));
        let bytes = a.encode();
        for cut in 1..bytes.len() {
            assert!(
                SignedChanges::decode(&bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        assert_eq!(
            SignedChanges::decode(b"\x85\x6f\x4a\x83rest"),
            Err(BundleError::NotABundle)
        );
    }

    /// A keystroke in a protected report, as storage and the wire carry it.
    fn keystroke() -> SignedChanges {
        let (mut owner, _) = crate::sample::signed_pair().unwrap();
        let _ = owner.save_incremental();
        owner
            .splice_text(
                crate::Role::Provider,
                "anmerkungen_zielerreichung",
                0,
                0,
                "ü",
            )
            .unwrap();
        SignedChanges::decode(&owner.save_incremental()).unwrap()
    }

    fn v1(bundle: &SignedChanges) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.push(VERSION_1);
        out.extend_from_slice(&(bundle.changes.len() as u32).to_be_bytes());
        out.extend_from_slice(&bundle.changes);
        out.extend_from_slice(&(bundle.attestations.len() as u16).to_be_bytes());
        for a in &bundle.attestations {
            out.extend_from_slice(&a.hash.0);
            out.extend_from_slice(&a.signature);
        }
        out
    }

    #[test]
    fn a_change_chunks_hash_is_automerges() {
        let bundle = keystroke();
        let changes = crate::trust::gate::split_changes(&bundle.changes).unwrap();
        let hashes: Vec<_> = changes.iter().map(|c| Some(c.hash())).collect();
        assert!(!hashes.is_empty());
        assert_eq!(chunk_hashes(&bundle.changes), hashes);
        assert_eq!(bundle.attestations.len(), 1);
        assert_eq!(Some(bundle.attestations[0].hash), hashes[hashes.len() - 1]);
    }

    #[test]
    fn a_keystroke_names_its_change_by_position() {
        let bundle = keystroke();
        let bytes = bundle.encode();
        let mut length = Vec::new();
        leb(&mut length, bundle.changes.len() as u64);
        // Magic, version, length, changes, count, form, index, signature.
        let expected = 4 + 1 + length.len() + bundle.changes.len() + 1 + 1 + 1 + 64;
        assert_eq!(bytes.len(), expected);
        assert_eq!(bytes.len() + 35 - length.len(), v1(&bundle).len());
        assert_eq!(SignedChanges::decode(&bytes), Ok(bundle.clone()));
        for cut in 1..bytes.len() {
            assert!(
                SignedChanges::decode(&bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn version_1_bundles_are_still_read() {
        let bundle = keystroke();
        let mut stored = v1(&bundle);
        bundle.encode_into(&mut stored);
        assert_eq!(
            SignedChanges::decode_all(&stored),
            Ok(vec![bundle.clone(), bundle])
        );
    }

    #[test]
    fn a_position_without_a_change_is_refused() {
        let bundle = keystroke();
        let bytes = bundle.encode();
        let form = bytes.len() - 64 - 2;
        assert_eq!(bytes[form], BY_INDEX);
        for index in [1u8, 5, 0x7f] {
            let mut bad = bytes.clone();
            bad[form + 1] = index;
            assert_eq!(SignedChanges::decode(&bad), Err(BundleError::NoSuchChange));
        }
        // Changes that are not Automerge chunks have no positions to name.
        let mut bad = SignedChanges {
            changes: vec![1, 2, 3],
            attestations: Vec::new(),
        }
        .encode();
        bad.truncate(bad.len() - 1);
        bad.extend_from_slice(&[1, BY_INDEX, 0]);
        bad.extend_from_slice(&[0; 64]);
        assert_eq!(SignedChanges::decode(&bad), Err(BundleError::NoSuchChange));
        // An unknown form is not guessed at.
        let mut bad = bytes.clone();
        bad[form] = 7;
        assert_eq!(SignedChanges::decode(&bad), Err(BundleError::NotABundle));
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_decode_without_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let mut framed = MAGIC.to_vec();
            framed.push(VERSION);
            framed.extend_from_slice(&bytes);
            let _ = SignedChanges::decode_all(&framed);
            let _ = SignedChanges::decode_all(&bytes);
        }
    }
}
