//! Dreieck's sync protocol, sans-IO.
//!
//! Every report is an Automerge document on each device; devices exchange its changes through a
//! small relay. This crate holds the whole protocol as plain state machines: bytes and events go
//! in, frames to send and records to persist come out. It opens no sockets, runs no async runtime,
//! reads no clock and draws no randomness of its own (the caller passes an RNG), so the same code
//! runs in the browser (wasm32), in the relay, and in a deterministic simulation of many peers and
//! a faulty network (`tests/simulation.rs`).
//!
//! What the relay sees: the room id, the room's admission verifier (an Ed25519 public key derived
//! from the document key), connection events, frame kinds and sizes, sequence numbers and timing.
//! What it cannot see: the document key, the auth secret, or any content — changes, snapshots and
//! presence are sealed with XChaCha20-Poly1305 under the document key, bound to the room id and the
//! message kind, so the relay can neither read nor forge nor re-label them.
//!
//! Modules: [`wire`] (versioned binary frames), [`envelope`] (seal/open), [`keys`] (derivation and
//! admission), [`room`] (the relay's per-room state machine), [`client`] (the device's state
//! machine), [`parts`] (large messages as runs of small frames), [`direct`] (two devices over a data channel, without the relay), [`sdp`] (a data
//! channel's description small enough for a QR code).

pub mod client;
pub mod direct;
pub mod envelope;
pub mod keys;
pub mod parts;
pub mod room;
pub mod sdp;
pub mod wire;

/// Everything that can go wrong in this crate. Nothing here panics on input from outside.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("empty frame")]
    EmptyFrame,
    #[error("unsupported protocol version {0}")]
    UnsupportedVersion(u8),
    #[error("frame of {len} bytes exceeds the maximum of {max}")]
    FrameTooLarge { len: usize, max: usize },
    #[error("truncated frame")]
    Truncated,
    #[error("unknown message kind {0}")]
    UnknownKind(u8),
    #[error("malformed frame: {0}")]
    Malformed(&'static str),
    #[error("sealed payload shorter than nonce and tag")]
    SealedTooShort,
    #[error("sealed payload failed authentication (wrong key, room, kind or tampered)")]
    Authentication,
    #[error("sealed payload is authentic but its padding has no end marker")]
    Padding,
    #[error("encryption failed")]
    Encryption,
    #[error("invalid room verifier")]
    InvalidVerifier,
    #[error("admission refused")]
    AdmissionRefused,
    #[error("a message out of its channel's order (replayed, left out, or from another channel)")]
    Replayed,
    #[error("unexpected {message} while {state}")]
    Unexpected {
        message: &'static str,
        state: &'static str,
    },
    #[error("relay error {code}: {message}")]
    Relay { code: u16, message: String },
}

pub use wire::{Message, RoomId, PROTOCOL_VERSION};
