//! Versioned binary frames.
//!
//! A frame is `version (1 byte) ‖ kind (1 byte) ‖ fields`. Integers are unsigned LEB128 (shortest
//! form only), byte strings are a LEB128 length followed by the bytes, fixed-size keys and
//! signatures are raw. A frame must be consumed exactly: trailing bytes are an error. Decoding
//! checks the frame size first and never allocates more than the frame holds, so arbitrary bytes
//! yield `Ok` or `Err`, never a panic.

use crate::Error;

/// The protocol version this crate speaks, the first byte of every frame.
pub const PROTOCOL_VERSION: u8 = 1;

/// Default largest frame accepted by [`decode`] (snapshots are the largest frames).
pub const MAX_FRAME_SIZE: usize = 8 * 1024 * 1024;

/// A room is named by 16 random bytes, chosen when a report is shared.
pub type RoomId = [u8; 16];

/// Error codes carried by [`Message::Error`].
pub mod code {
    /// The frame could not be decoded (malformed, truncated, too large).
    pub const BAD_FRAME: u16 = 1;
    /// The frame's protocol version is not spoken here.
    pub const UNSUPPORTED_VERSION: u16 = 2;
    /// The challenge answer did not verify.
    pub const ADMISSION_REFUSED: u16 = 3;
    /// A message arrived that is not valid in the connection's state.
    pub const UNEXPECTED: u16 = 4;
    /// The Hello named another room than the one this connection was routed to.
    pub const WRONG_ROOM: u16 = 5;
    /// The frame is larger than the relay accepts (its `--max-frame-bytes`).
    pub const FRAME_TOO_LARGE: u16 = 6;
    /// The connection sent more messages per second than the relay allows.
    pub const RATE_LIMITED: u16 = 7;
    /// The relay holds as many connections as it allows in total; try again later.
    pub const TOO_MANY_CONNECTIONS: u16 = 8;
    /// The room holds as many connections as the relay allows per room.
    pub const ROOM_FULL: u16 = 9;
    /// The room's stored changes and snapshots reached the relay's limit; a snapshot (which lets
    /// the relay drop the entries it covers) is still accepted.
    pub const ROOM_STORAGE_FULL: u16 = 10;
    /// The relay is shutting down; reconnect later.
    pub const SHUTTING_DOWN: u16 = 11;
    /// The relay's storage failed; nothing sent since the last acknowledgement is stored.
    pub const STORAGE_FAILURE: u16 = 12;
    /// The connection did not read what the relay sent fast enough and was dropped.
    pub const TOO_SLOW: u16 = 13;
    /// The connection was not admitted in time (no Hello, or no Answer to the challenge).
    pub const TIMEOUT: u16 = 14;
    /// A Snapshot claimed to cover entries the connection was never sent (or none at all, or
    /// more than the room has assigned); the room's log and snapshot are left as they were.
    pub const BAD_SNAPSHOT: u16 = 15;
    /// The connection's address (its network, for IPv6) holds as many connections as the relay
    /// allows one address; try again later.
    pub const TOO_MANY_FROM_ADDRESS: u16 = 16;
    /// The room is served by another relay instance that cannot be reached just now, or is
    /// passing from one instance to another; reconnect soon.
    pub const ROOM_ELSEWHERE: u16 = 17;
    /// The relay has reached a quota of its own (all rooms' storage, or memory for rooms):
    /// the change stays on the device; try again later.
    pub const RELAY_FULL: u16 = 18;
    /// The room was deleted for everyone ([`super::Message::Purge`]): it keeps the deletion
    /// record and nothing else, and takes no more changes.
    pub const PURGED: u16 = 19;
}

/// Every message of the protocol. `sealed` fields are [`crate::envelope`] output: opaque to the relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// Client → relay: the room to join, and the verifier to register if the room is new.
    Hello { room: RoomId, verifier: [u8; 32] },
    /// Relay → client: fresh random bytes to sign.
    Challenge { challenge: [u8; 32] },
    /// Client → relay: Ed25519 signature over the admission transcript ([`crate::keys`]).
    Answer { signature: [u8; 64] },
    /// Relay → client: admitted. `epoch` changes when the relay restarts and may have lost
    /// entries it had fanned out but not yet made durable; `head_seq` is the last assigned seq.
    Admitted { head_seq: u64, epoch: u64 },
    /// Client → relay: a sealed batch of changes. One in flight per client.
    Append { client_seq: u64, sealed: Vec<u8> },
    /// Relay → client: the append `client_seq` is durable as log entry `seq`, whose predecessor
    /// in the log is `prev_seq`.
    Ack {
        client_seq: u64,
        seq: u64,
        prev_seq: u64,
    },
    /// Relay → client: log entry `seq` (predecessor `prev_seq`, 0 for none).
    Deliver {
        seq: u64,
        prev_seq: u64,
        sealed: Vec<u8>,
    },
    /// Client → relay: send every entry after `after_seq`, then keep me live.
    CatchUp { after_seq: u64 },
    /// Either way: a sealed full save that contains every log entry up to `covers_seq`.
    Snapshot { covers_seq: u64, sealed: Vec<u8> },
    /// Either way: sealed presence, forwarded to live peers, never stored.
    Ephemeral { sealed: Vec<u8> },
    /// Relay → client: a refusal, see [`code`].
    Error { code: u16, message: String },
    /// Client → relay: delete the room for everyone. The relay drops every entry and snapshot
    /// and keeps `sealed` (a deletion record sealed under the room key) as all the room holds.
    /// The relay cannot read who signed it: each device checks that before it drops its copy.
    Purge { sealed: Vec<u8> },
    /// Relay → client: the room was purged; `sealed` is what the purging device left.
    Purged { sealed: Vec<u8> },
    /// Client → relay: purge the room by itself at `until` (seconds since 1970, the end of
    /// the report's retention period), leaving `sealed` (a deletion record signed in advance,
    /// sealed under the room key) as a Purge would. `until` 0 with nothing sealed: keep the
    /// room (the submission was withdrawn). A later Retain replaces an earlier one. Devices
    /// drop their copies only if the record holds on their own clock and copy.
    Retain { until: u64, sealed: Vec<u8> },
}

/// The kind byte of each message (a frame's second byte): lets the relay sort frames, e.g. tell
/// presence from writes, without decoding them.
pub mod kind {
    pub const HELLO: u8 = 1;
    pub const CHALLENGE: u8 = 2;
    pub const ANSWER: u8 = 3;
    pub const ADMITTED: u8 = 4;
    pub const APPEND: u8 = 5;
    pub const ACK: u8 = 6;
    pub const DELIVER: u8 = 7;
    pub const CATCH_UP: u8 = 8;
    pub const SNAPSHOT: u8 = 9;
    pub const EPHEMERAL: u8 = 10;
    pub const ERROR: u8 = 11;
    // 12 is a part of a large frame (`crate::parts::KIND_PART`).
    pub const PURGE: u8 = 13;
    pub const PURGED: u8 = 14;
    pub const RETAIN: u8 = 15;
}

impl Message {
    /// The message's name, for errors and logs (never its content).
    pub fn name(&self) -> &'static str {
        match self {
            Message::Hello { .. } => "Hello",
            Message::Challenge { .. } => "Challenge",
            Message::Answer { .. } => "Answer",
            Message::Admitted { .. } => "Admitted",
            Message::Append { .. } => "Append",
            Message::Ack { .. } => "Ack",
            Message::Deliver { .. } => "Deliver",
            Message::CatchUp { .. } => "CatchUp",
            Message::Snapshot { .. } => "Snapshot",
            Message::Ephemeral { .. } => "Ephemeral",
            Message::Error { .. } => "Error",
            Message::Purge { .. } => "Purge",
            Message::Purged { .. } => "Purged",
            Message::Retain { .. } => "Retain",
        }
    }

    /// Encodes the message as one frame.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + self.payload_len());
        out.push(PROTOCOL_VERSION);
        match self {
            Message::Hello { room, verifier } => {
                out.push(kind::HELLO);
                out.extend_from_slice(room);
                out.extend_from_slice(verifier);
            }
            Message::Challenge { challenge } => {
                out.push(kind::CHALLENGE);
                out.extend_from_slice(challenge);
            }
            Message::Answer { signature } => {
                out.push(kind::ANSWER);
                out.extend_from_slice(signature);
            }
            Message::Admitted { head_seq, epoch } => {
                out.push(kind::ADMITTED);
                put_u64(&mut out, *head_seq);
                put_u64(&mut out, *epoch);
            }
            Message::Append { client_seq, sealed } => {
                out.push(kind::APPEND);
                put_u64(&mut out, *client_seq);
                put_bytes(&mut out, sealed);
            }
            Message::Ack {
                client_seq,
                seq,
                prev_seq,
            } => {
                out.push(kind::ACK);
                put_u64(&mut out, *client_seq);
                put_u64(&mut out, *seq);
                put_u64(&mut out, *prev_seq);
            }
            Message::Deliver {
                seq,
                prev_seq,
                sealed,
            } => {
                out.push(kind::DELIVER);
                put_u64(&mut out, *seq);
                put_u64(&mut out, *prev_seq);
                put_bytes(&mut out, sealed);
            }
            Message::CatchUp { after_seq } => {
                out.push(kind::CATCH_UP);
                put_u64(&mut out, *after_seq);
            }
            Message::Snapshot { covers_seq, sealed } => {
                out.push(kind::SNAPSHOT);
                put_u64(&mut out, *covers_seq);
                put_bytes(&mut out, sealed);
            }
            Message::Ephemeral { sealed } => {
                out.push(kind::EPHEMERAL);
                put_bytes(&mut out, sealed);
            }
            Message::Error { code, message } => {
                out.push(kind::ERROR);
                put_u64(&mut out, u64::from(*code));
                put_bytes(&mut out, message.as_bytes());
            }
            Message::Purge { sealed } => {
                out.push(kind::PURGE);
                put_bytes(&mut out, sealed);
            }
            Message::Purged { sealed } => {
                out.push(kind::PURGED);
                put_bytes(&mut out, sealed);
            }
            Message::Retain { until, sealed } => {
                out.push(kind::RETAIN);
                put_u64(&mut out, *until);
                put_bytes(&mut out, sealed);
            }
        }
        out
    }

    fn payload_len(&self) -> usize {
        match self {
            Message::Append { sealed, .. }
            | Message::Deliver { sealed, .. }
            | Message::Snapshot { sealed, .. }
            | Message::Ephemeral { sealed }
            | Message::Purge { sealed }
            | Message::Purged { sealed }
            | Message::Retain { sealed, .. } => sealed.len(),
            Message::Error { message, .. } => message.len(),
            _ => 64,
        }
    }
}

/// Decodes one frame, refusing frames larger than [`MAX_FRAME_SIZE`].
pub fn decode(frame: &[u8]) -> Result<Message, Error> {
    decode_with_limit(frame, MAX_FRAME_SIZE)
}

/// Decodes one frame, refusing frames larger than `max` bytes.
pub fn decode_with_limit(frame: &[u8], max: usize) -> Result<Message, Error> {
    if frame.len() > max {
        return Err(Error::FrameTooLarge {
            len: frame.len(),
            max,
        });
    }
    let mut r = Reader { rest: frame };
    let version = r.u8().map_err(|_| Error::EmptyFrame)?;
    if version != PROTOCOL_VERSION {
        return Err(Error::UnsupportedVersion(version));
    }
    let kind = r.u8()?;
    let message = match kind {
        kind::HELLO => Message::Hello {
            room: r.array()?,
            verifier: r.array()?,
        },
        kind::CHALLENGE => Message::Challenge {
            challenge: r.array()?,
        },
        kind::ANSWER => Message::Answer {
            signature: r.array()?,
        },
        kind::ADMITTED => Message::Admitted {
            head_seq: r.u64()?,
            epoch: r.u64()?,
        },
        kind::APPEND => Message::Append {
            client_seq: r.u64()?,
            sealed: r.bytes()?.to_vec(),
        },
        kind::ACK => Message::Ack {
            client_seq: r.u64()?,
            seq: r.u64()?,
            prev_seq: r.u64()?,
        },
        kind::DELIVER => Message::Deliver {
            seq: r.u64()?,
            prev_seq: r.u64()?,
            sealed: r.bytes()?.to_vec(),
        },
        kind::CATCH_UP => Message::CatchUp {
            after_seq: r.u64()?,
        },
        kind::SNAPSHOT => Message::Snapshot {
            covers_seq: r.u64()?,
            sealed: r.bytes()?.to_vec(),
        },
        kind::EPHEMERAL => Message::Ephemeral {
            sealed: r.bytes()?.to_vec(),
        },
        kind::ERROR => {
            let code =
                u16::try_from(r.u64()?).map_err(|_| Error::Malformed("error code out of range"))?;
            let message = std::str::from_utf8(r.bytes()?)
                .map_err(|_| Error::Malformed("error message is not UTF-8"))?
                .to_owned();
            Message::Error { code, message }
        }
        kind::PURGE => Message::Purge {
            sealed: r.bytes()?.to_vec(),
        },
        kind::PURGED => Message::Purged {
            sealed: r.bytes()?.to_vec(),
        },
        kind::RETAIN => Message::Retain {
            until: r.u64()?,
            sealed: r.bytes()?.to_vec(),
        },
        other => return Err(Error::UnknownKind(other)),
    };
    if !r.rest.is_empty() {
        return Err(Error::Malformed("trailing bytes"));
    }
    Ok(message)
}

fn put_u64(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_u64(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if n > self.rest.len() {
            return Err(Error::Truncated);
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u64(&mut self) -> Result<u64, Error> {
        let mut v: u64 = 0;
        for i in 0..10 {
            let byte = self.u8()?;
            let bits = u64::from(byte & 0x7f);
            if i == 9 && byte > 1 {
                return Err(Error::Malformed("integer overflows 64 bits"));
            }
            v |= bits << (7 * i);
            if byte & 0x80 == 0 {
                if byte == 0 && i > 0 {
                    return Err(Error::Malformed("integer not in shortest form"));
                }
                return Ok(v);
            }
        }
        Err(Error::Malformed("integer longer than 10 bytes"))
    }

    fn bytes(&mut self) -> Result<&'a [u8], Error> {
        let len = self.u64()?;
        let len = usize::try_from(len).map_err(|_| Error::Truncated)?;
        self.take(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_bytes() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(any::<u8>(), 0..300)
    }

    fn arb_message() -> impl Strategy<Value = Message> {
        prop_oneof![
            (any::<[u8; 16]>(), any::<[u8; 32]>())
                .prop_map(|(room, verifier)| Message::Hello { room, verifier }),
            any::<[u8; 32]>().prop_map(|challenge| Message::Challenge { challenge }),
            proptest::collection::vec(any::<u8>(), 64).prop_map(|s| {
                let mut signature = [0u8; 64];
                signature.copy_from_slice(&s);
                Message::Answer { signature }
            }),
            (any::<u64>(), any::<u64>())
                .prop_map(|(head_seq, epoch)| Message::Admitted { head_seq, epoch }),
            (any::<u64>(), arb_bytes())
                .prop_map(|(client_seq, sealed)| Message::Append { client_seq, sealed }),
            (any::<u64>(), any::<u64>(), any::<u64>()).prop_map(|(client_seq, seq, prev_seq)| {
                Message::Ack {
                    client_seq,
                    seq,
                    prev_seq,
                }
            }),
            (any::<u64>(), any::<u64>(), arb_bytes()).prop_map(|(seq, prev_seq, sealed)| {
                Message::Deliver {
                    seq,
                    prev_seq,
                    sealed,
                }
            }),
            any::<u64>().prop_map(|after_seq| Message::CatchUp { after_seq }),
            (any::<u64>(), arb_bytes())
                .prop_map(|(covers_seq, sealed)| Message::Snapshot { covers_seq, sealed }),
            arb_bytes().prop_map(|sealed| Message::Ephemeral { sealed }),
            arb_bytes().prop_map(|sealed| Message::Purge { sealed }),
            arb_bytes().prop_map(|sealed| Message::Purged { sealed }),
            (any::<u64>(), arb_bytes())
                .prop_map(|(until, sealed)| Message::Retain { until, sealed }),
            (any::<u16>(), ".{0,40}").prop_map(|(code, message)| Message::Error { code, message }),
        ]
    }

    proptest! {
        #[test]
        fn roundtrip(m in arb_message()) {
            prop_assert_eq!(decode(&m.encode()), Ok(m));
        }

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode(&bytes);
        }

        #[test]
        fn mutated_frames_never_panic(m in arb_message(), at in any::<usize>(), byte in any::<u8>(), cut in any::<usize>()) {
            let mut frame = m.encode();
            let i = at % frame.len();
            frame[i] = byte;
            let _ = decode(&frame);
            frame.truncate(cut % (frame.len() + 1));
            let _ = decode(&frame);
        }

        #[test]
        fn truncations_are_errors(m in arb_message(), cut in any::<usize>()) {
            let frame = m.encode();
            let cut = cut % frame.len();
            prop_assert!(decode(&frame[..cut]).is_err());
        }
    }

    #[test]
    fn unknown_version_is_typed_error() {
        let mut frame = Message::CatchUp { after_seq: 7 }.encode();
        frame[0] = 2;
        assert_eq!(decode(&frame), Err(Error::UnsupportedVersion(2)));
        assert_eq!(decode(&[]), Err(Error::EmptyFrame));
        assert_eq!(
            decode(&[PROTOCOL_VERSION, 200]),
            Err(Error::UnknownKind(200))
        );
    }

    #[test]
    fn frame_limit_and_huge_length_prefix() {
        let frame = Message::Ephemeral {
            sealed: vec![0; 100],
        }
        .encode();
        assert!(matches!(
            decode_with_limit(&frame, 50),
            Err(Error::FrameTooLarge { .. })
        ));
        // A length prefix claiming u64::MAX bytes must not allocate or panic.
        let mut frame = vec![PROTOCOL_VERSION, kind::EPHEMERAL];
        put_u64(&mut frame, u64::MAX);
        assert_eq!(decode(&frame), Err(Error::Truncated));
    }

    #[test]
    fn overlong_integers_are_rejected() {
        let frame = [PROTOCOL_VERSION, kind::CATCH_UP, 0x80, 0x00];
        assert!(matches!(decode(&frame), Err(Error::Malformed(_))));
        let mut frame = vec![PROTOCOL_VERSION, kind::CATCH_UP];
        frame.extend_from_slice(&[0xff; 9]);
        frame.push(0x02);
        assert!(matches!(decode(&frame), Err(Error::Malformed(_))));
        let mut frame = vec![PROTOCOL_VERSION, kind::CATCH_UP];
        put_u64(&mut frame, u64::MAX);
        assert_eq!(
            decode(&frame),
            Ok(Message::CatchUp {
                after_seq: u64::MAX
            })
        );
    }
}
