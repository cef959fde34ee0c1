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
//! snapshot, a sealed file, a stored chunk: `"DRSC" ‖ version ‖ u32 length ‖ Automerge bytes ‖
//! u16 count ‖ count × (hash ‖ signature)`. Bundles concatenate (storage appends one per
//! edit) and split again by their lengths.

use automerge::ChangeHash;

use crate::bytes::Reader;

const MAGIC: &[u8; 4] = b"DRSC";
const VERSION: u8 = 1;

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
}

impl SignedChanges {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.attestations.is_empty()
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(13 + self.changes.len() + 96 * self.attestations.len());
        self.encode_into(&mut out);
        out
    }

    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.extend_from_slice(&(self.changes.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.changes);
        let count = self.attestations.len().min(usize::from(u16::MAX));
        out.extend_from_slice(&(count as u16).to_be_bytes());
        for a in &self.attestations[..count] {
            out.extend_from_slice(&a.hash.0);
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
            match r.u8().ok_or(BundleError::Truncated)? {
                VERSION => {}
                v => return Err(BundleError::NewerVersion(v)),
            }
            let len = r.u32().ok_or(BundleError::Truncated)? as usize;
            let changes = r.take(len).ok_or(BundleError::Truncated)?.to_vec();
            let count = r.u16().ok_or(BundleError::Truncated)?;
            let mut attestations = Vec::with_capacity(usize::from(count).min(r.0.len() / 96));
            for _ in 0..count {
                let hash = ChangeHash(r.array::<32>().ok_or(BundleError::Truncated)?);
                let signature = r.array::<64>().ok_or(BundleError::Truncated)?;
                attestations.push(Attestation { hash, signature });
            }
            out.push(SignedChanges {
                changes,
                attestations,
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
}
