//! Two devices of one room, directly: the protocol over a WebRTC data channel.
//!
//! In a room with no server (a home visit, a tablet's hotspot) or beside it (a keystroke goes
//! the short way), two members exchange what they would send through the relay: the same
//! payloads (changes with their splices, presence), sealed under the same document key and
//! bound to the room. What is different is that nobody in between orders or numbers them, so
//! the channel does it itself:
//!
//! - Each side draws a random 16-byte channel id when the channel opens and says `Hello` with
//!   it and its document's heads. Every later message names the sender's and the receiver's
//!   channel ids and counts up by exactly one from the sender's `Hello`. A message recorded on
//!   an earlier channel names a channel id that no longer exists, and a message repeated or
//!   left out breaks the count: both are refused, as the relay's client refuses a frame that
//!   does not authenticate. Nothing refused changes the state.
//! - After both `Hello`s each side sends every change the other's heads do not cover (the
//!   executor computes them: [`Effect::Open`]); from then on each local change as it is made.
//!   Changes the document already has are harmless (Automerge applies a change once); what
//!   the changes may do is checked by the report's gate, as for changes from the relay.
//! - A data channel carries messages of at most 256 KiB: a sealed message is cut into
//!   fragments of [`FRAGMENT`] bytes, reassembled up to [`MAX_MESSAGE`].
//!
//! The channel itself is found through [`Signal`]s: an offer and an answer (session
//! descriptions), sent sealed through the relay's presence messages, or shown and scanned as
//! QR codes where there is no server at all.

use rand_core::CryptoRngCore;

use crate::envelope::{self, DocumentKey, Kind};
use crate::sdp::Compact;
use crate::{Error, RoomId};

/// The largest data channel message sent (every browser takes 64 KiB).
pub const FRAGMENT: usize = 64 * 1024;
/// The largest message reassembled (a full save of a long report with its history).
pub const MAX_MESSAGE: usize = 64 * 1024 * 1024;

const CHANNEL_ID_LEN: usize = 16;
const HEADER_LEN: usize = 2 * CHANNEL_ID_LEN + 8 + 1;
const HASH_LEN: usize = 32;
/// A document has a handful of heads; a `Hello` naming more is not from an honest device.
const MAX_HEADS: usize = 1024;

const TAG_HELLO: u8 = 0;
const TAG_ITEM: u8 = 1;
const TAG_PRESENCE: u8 = 2;

/// What the executor does for the protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// One data channel message.
    Send(Vec<u8>),
    /// Both sides said hello: send what `peer_heads` do not cover ([`Direct::send_item`]).
    Open { peer_heads: Vec<[u8; HASH_LEN]> },
    /// A peer's payload in the relay's change format (`dreieck_model::live`): apply it
    /// through the report's gate.
    Apply(Vec<u8>),
    /// A peer's presence beacon.
    Presence(Vec<u8>),
}

/// One side of a direct channel. See the module docs.
pub struct Direct {
    room: RoomId,
    key: DocumentKey,
    mine: [u8; CHANNEL_ID_LEN],
    peer: Option<[u8; CHANNEL_ID_LEN]>,
    sent: u64,
    received: u64,
    /// Fragments of the message arriving.
    assembling: Vec<u8>,
}

impl Direct {
    /// A channel that just opened: returns the protocol and the `Hello` to send first.
    pub fn open(
        room: RoomId,
        key: DocumentKey,
        heads: &[[u8; HASH_LEN]],
        rng: &mut impl CryptoRngCore,
    ) -> Result<(Direct, Vec<Effect>), Error> {
        let mut mine = [0u8; CHANNEL_ID_LEN];
        rng.fill_bytes(&mut mine);
        let mut direct = Direct {
            room,
            key,
            mine,
            peer: None,
            sent: 0,
            received: 0,
            assembling: Vec::new(),
        };
        let mut body = Vec::with_capacity(2 + heads.len() * HASH_LEN);
        let count = u16::try_from(heads.len().min(MAX_HEADS)).unwrap_or(u16::MAX);
        body.extend_from_slice(&count.to_le_bytes());
        for head in heads.iter().take(usize::from(count)) {
            body.extend_from_slice(head);
        }
        let effects = direct.seal(TAG_HELLO, &body, rng)?;
        Ok((direct, effects))
    }

    /// Both sides have said hello: changes and presence flow.
    pub fn is_open(&self) -> bool {
        self.peer.is_some()
    }

    /// A payload in the relay's change format (a local change, or the changes the peer's heads
    /// do not cover). Nothing is sent before the channel is open: what is made meanwhile is
    /// among the changes sent at [`Effect::Open`].
    pub fn send_item(
        &mut self,
        item: &[u8],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<Effect>, Error> {
        if !self.is_open() || item.is_empty() {
            return Ok(Vec::new());
        }
        self.seal(TAG_ITEM, item, rng)
    }

    /// This device's presence beacon.
    pub fn send_presence(
        &mut self,
        beacon: &[u8],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<Effect>, Error> {
        if !self.is_open() {
            return Ok(Vec::new());
        }
        self.seal(TAG_PRESENCE, beacon, rng)
    }

    fn seal(
        &mut self,
        tag: u8,
        body: &[u8],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<Effect>, Error> {
        let mut plain = Vec::with_capacity(HEADER_LEN + body.len());
        plain.extend_from_slice(&self.mine);
        plain.extend_from_slice(&self.peer.unwrap_or_default());
        plain.extend_from_slice(&self.sent.to_le_bytes());
        plain.push(tag);
        plain.extend_from_slice(body);
        let sealed = envelope::seal(&self.key, &self.room, Kind::Direct, &plain, rng)?;
        if sealed.len() > MAX_MESSAGE {
            return Err(Error::FrameTooLarge {
                len: sealed.len(),
                max: MAX_MESSAGE,
            });
        }
        self.sent += 1;
        Ok(fragments(&sealed).map(Effect::Send).collect())
    }

    /// One data channel message from the peer. An error names why it was refused; the state
    /// is as before it (a fragment in the middle of a message is kept for the rest).
    pub fn on_message(&mut self, bytes: &[u8]) -> Result<Vec<Effect>, Error> {
        let Some((&flag, chunk)) = bytes.split_first() else {
            return Err(Error::EmptyFrame);
        };
        if flag > 1 {
            self.assembling.clear();
            return Err(Error::Malformed("unknown fragment flag"));
        }
        if self.assembling.len() + chunk.len() > MAX_MESSAGE {
            self.assembling.clear();
            return Err(Error::FrameTooLarge {
                len: MAX_MESSAGE + 1,
                max: MAX_MESSAGE,
            });
        }
        self.assembling.extend_from_slice(chunk);
        if flag == 1 {
            return Ok(Vec::new());
        }
        let sealed = std::mem::take(&mut self.assembling);
        self.on_sealed(&sealed)
    }

    fn on_sealed(&mut self, sealed: &[u8]) -> Result<Vec<Effect>, Error> {
        let plain = envelope::open(&self.key, &self.room, Kind::Direct, sealed)?;
        if plain.len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        let (header, body) = plain.split_at(HEADER_LEN);
        let mut from = [0u8; CHANNEL_ID_LEN];
        from.copy_from_slice(&header[..CHANNEL_ID_LEN]);
        let to = &header[CHANNEL_ID_LEN..2 * CHANNEL_ID_LEN];
        let mut count = [0u8; 8];
        count.copy_from_slice(&header[2 * CHANNEL_ID_LEN..2 * CHANNEL_ID_LEN + 8]);
        let count = u64::from_le_bytes(count);
        let tag = header[HEADER_LEN - 1];
        match (self.peer, tag) {
            (None, TAG_HELLO) => {
                if count != 0 {
                    return Err(Error::Replayed);
                }
                let heads = decode_heads(body)?;
                self.peer = Some(from);
                self.received = 0;
                Ok(vec![Effect::Open { peer_heads: heads }])
            }
            (None, _) => Err(Error::Unexpected {
                message: "a message before hello",
                state: "opening a direct channel",
            }),
            (Some(peer), tag) => {
                if from != peer || to != self.mine || count != self.received + 1 {
                    return Err(Error::Replayed);
                }
                let effect = match tag {
                    TAG_ITEM => Effect::Apply(body.to_vec()),
                    TAG_PRESENCE => Effect::Presence(body.to_vec()),
                    TAG_HELLO => {
                        return Err(Error::Unexpected {
                            message: "a second hello",
                            state: "a direct channel",
                        })
                    }
                    other => return Err(Error::UnknownKind(other)),
                };
                self.received = count;
                Ok(vec![effect])
            }
        }
    }
}

fn decode_heads(body: &[u8]) -> Result<Vec<[u8; HASH_LEN]>, Error> {
    let Some((count, rest)) = body.split_first_chunk::<2>() else {
        return Err(Error::Truncated);
    };
    let count = usize::from(u16::from_le_bytes(*count));
    if count > MAX_HEADS || rest.len() != count * HASH_LEN {
        return Err(Error::Malformed("heads in hello"));
    }
    Ok(rest
        .chunks_exact(HASH_LEN)
        .map(|c| {
            let mut head = [0u8; HASH_LEN];
            head.copy_from_slice(c);
            head
        })
        .collect())
}

/// `sealed` as data channel messages: a flag byte (1: more follows) and up to
/// [`FRAGMENT`] − 1 bytes each.
fn fragments(sealed: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    let chunks = sealed.chunks(FRAGMENT - 1);
    let last = chunks.len().saturating_sub(1);
    chunks.enumerate().map(move |(i, chunk)| {
        let mut message = Vec::with_capacity(chunk.len() + 1);
        message.push(u8::from(i != last));
        message.extend_from_slice(chunk);
        message
    })
}

/// What the two sides of a direct channel tell each other to find it: a session description
/// from the device that offers and the one that answers. Sent sealed through the relay as
/// presence (so the relay sees neither addresses nor keys), or shown as a QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    /// The presence id of the sender's open report (random per editor).
    pub from: String,
    /// The presence id it is meant for (empty in a QR code: whoever scans it).
    pub to: String,
    pub offer: bool,
    /// The session description (SDP), as the browser made it.
    pub sdp: String,
}

/// The first byte of an encoded [`Signal`]: a presence beacon is JSON and starts with `{`.
const SIGNAL_MAGIC: u8 = 0xD1;
const MAX_ID: usize = 64;
const MAX_SDP: usize = 16 * 1024;

impl Signal {
    pub fn encode(&self) -> Vec<u8> {
        let (from, to) = (self.from.as_bytes(), self.to.as_bytes());
        let mut out = Vec::with_capacity(4 + from.len() + to.len() + self.sdp.len());
        out.push(SIGNAL_MAGIC);
        out.push(u8::from(self.offer));
        out.push(u8::try_from(from.len().min(MAX_ID)).unwrap_or(0));
        out.extend_from_slice(&from[..from.len().min(MAX_ID)]);
        out.push(u8::try_from(to.len().min(MAX_ID)).unwrap_or(0));
        out.extend_from_slice(&to[..to.len().min(MAX_ID)]);
        out.extend_from_slice(self.sdp.as_bytes());
        out
    }

    /// `None` for anything that is not a signal (a presence beacon, garbage).
    pub fn decode(bytes: &[u8]) -> Option<Signal> {
        let (&magic, rest) = bytes.split_first()?;
        if magic != SIGNAL_MAGIC {
            return None;
        }
        let (&offer, rest) = rest.split_first()?;
        if offer > 1 {
            return None;
        }
        let (from, rest) = take_short(rest)?;
        let (to, rest) = take_short(rest)?;
        if rest.len() > MAX_SDP {
            return None;
        }
        Some(Signal {
            from,
            to,
            offer: offer == 1,
            sdp: String::from_utf8(rest.to_vec()).ok()?,
        })
    }
}

/// An offer or an answer shown as a QR code, where there is no server to carry signals: the
/// compact description ([`Compact`]) sealed under the document key for this room (so a code
/// of another report, or from somebody without the key, does not open), as base45 text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub offer: bool,
    pub description: Compact,
}

/// The text of a card starts with this (base45 has no lowercase letters): a code of another
/// app, or an invitation link, is told apart before anything is opened.
const CARD_PREFIX: &str = "DK1:";
/// No honest card is longer (a description of eight IPv6 candidates, sealed).
const MAX_CARD_TEXT: usize = 1024;

impl Card {
    pub fn seal(
        &self,
        room: &RoomId,
        key: &DocumentKey,
        rng: &mut impl CryptoRngCore,
    ) -> Result<String, Error> {
        let mut plain = vec![u8::from(self.offer)];
        plain.extend_from_slice(&self.description.encode());
        let sealed = envelope::seal(key, room, Kind::Card, &plain, rng)?;
        Ok(format!("{CARD_PREFIX}{}", base45::encode(&sealed)))
    }

    /// Reads a scanned text. [`Error::UnknownKind`] when it is no card at all,
    /// [`Error::Authentication`] when it is a card of another report.
    pub fn open(text: &str, room: &RoomId, key: &DocumentKey) -> Result<Card, Error> {
        let Some(body) = text.trim().strip_prefix(CARD_PREFIX) else {
            return Err(Error::UnknownKind(0));
        };
        if body.len() > MAX_CARD_TEXT {
            return Err(Error::FrameTooLarge {
                len: body.len(),
                max: MAX_CARD_TEXT,
            });
        }
        let sealed = base45::decode(body).map_err(|_| Error::Malformed("card text"))?;
        let plain = envelope::open(key, room, Kind::Card, &sealed)?;
        let Some((&offer, description)) = plain.split_first() else {
            return Err(Error::Truncated);
        };
        if offer > 1 {
            return Err(Error::Malformed("card kind"));
        }
        Ok(Card {
            offer: offer == 1,
            description: Compact::decode(description)?,
        })
    }
}

fn take_short(bytes: &[u8]) -> Option<(String, &[u8])> {
    let (&len, rest) = bytes.split_first()?;
    let len = usize::from(len);
    if len > MAX_ID || rest.len() < len {
        return None;
    }
    let (s, rest) = rest.split_at(len);
    Some((String::from_utf8(s.to_vec()).ok()?, rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    const ROOM: RoomId = [3; 16];

    fn key() -> DocumentKey {
        DocumentKey::from_bytes([9; 32])
    }

    fn sends(effects: &[Effect]) -> Vec<Vec<u8>> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Send(b) => Some(b.clone()),
                _ => None,
            })
            .collect()
    }

    /// Delivers `messages` to `to`, collecting its effects.
    fn deliver(to: &mut Direct, messages: &[Vec<u8>]) -> Result<Vec<Effect>, Error> {
        let mut out = Vec::new();
        for m in messages {
            out.extend(to.on_message(m)?);
        }
        Ok(out)
    }

    /// Two sides that said hello to each other.
    fn pair(rng: &mut ChaCha20Rng) -> (Direct, Direct) {
        let (mut a, hello_a) = Direct::open(ROOM, key(), &[[1; 32]], rng).unwrap();
        let (mut b, hello_b) = Direct::open(ROOM, key(), &[[2; 32], [3; 32]], rng).unwrap();
        let at_b = deliver(&mut b, &sends(&hello_a)).unwrap();
        assert_eq!(
            at_b,
            vec![Effect::Open {
                peer_heads: vec![[1; 32]]
            }]
        );
        let at_a = deliver(&mut a, &sends(&hello_b)).unwrap();
        assert_eq!(
            at_a,
            vec![Effect::Open {
                peer_heads: vec![[2; 32], [3; 32]]
            }]
        );
        (a, b)
    }

    #[test]
    fn changes_and_presence_flow_in_order_both_ways() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let (mut a, mut b) = pair(&mut rng);
        let mut applied = Vec::new();
        for i in 0..5u8 {
            let m = sends(&a.send_item(&[i; 10], &mut rng).unwrap());
            applied.extend(deliver(&mut b, &m).unwrap());
        }
        let back = sends(&b.send_presence(b"{\"id\":\"b\"}", &mut rng).unwrap());
        assert_eq!(
            deliver(&mut a, &back).unwrap(),
            vec![Effect::Presence(b"{\"id\":\"b\"}".to_vec())]
        );
        assert_eq!(
            applied,
            (0..5u8)
                .map(|i| Effect::Apply(vec![i; 10]))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn nothing_is_sent_before_hello_and_nothing_accepted_before_it() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let (mut a, hello_a) = Direct::open(ROOM, key(), &[], &mut rng).unwrap();
        assert!(a.send_item(b"early", &mut rng).unwrap().is_empty());
        let (mut b, _) = Direct::open(ROOM, key(), &[], &mut rng).unwrap();
        deliver(&mut b, &sends(&hello_a)).unwrap();
        // b is open towards a, a not yet towards b: b's change waits for a's hello to b.
        let early = sends(&b.send_item(b"x", &mut rng).unwrap());
        assert!(matches!(
            deliver(&mut a, &early),
            Err(Error::Unexpected { .. })
        ));
        assert!(!a.is_open());
    }

    #[test]
    fn a_large_change_travels_in_fragments() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let (mut a, mut b) = pair(&mut rng);
        let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let messages = sends(&a.send_item(&big, &mut rng).unwrap());
        assert!(messages.len() >= 5);
        assert!(messages.iter().all(|m| m.len() <= FRAGMENT));
        assert_eq!(
            deliver(&mut b, &messages).unwrap(),
            vec![Effect::Apply(big)]
        );
    }

    #[test]
    fn a_replayed_or_dropped_message_is_refused_and_the_channel_goes_on() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let (mut a, mut b) = pair(&mut rng);
        let first = sends(&a.send_item(b"one", &mut rng).unwrap());
        deliver(&mut b, &first).unwrap();
        // The same message again: refused.
        assert_eq!(deliver(&mut b, &first), Err(Error::Replayed));
        // A message left out: the next one is refused too (the count must not jump) ...
        let _lost = sends(&a.send_item(b"two", &mut rng).unwrap());
        let third = sends(&a.send_item(b"three", &mut rng).unwrap());
        assert_eq!(deliver(&mut b, &third), Err(Error::Replayed));
        // ... and the honest stream is not harmed by a refusal.
        let (mut c, mut d) = pair(&mut rng);
        let one = sends(&c.send_item(b"1", &mut rng).unwrap());
        let two = sends(&c.send_item(b"2", &mut rng).unwrap());
        deliver(&mut d, &one).unwrap();
        assert!(deliver(&mut d, &one).is_err());
        assert_eq!(
            deliver(&mut d, &two).unwrap(),
            vec![Effect::Apply(b"2".to_vec())]
        );
    }

    #[test]
    fn a_message_recorded_on_an_earlier_channel_is_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let (mut a, mut b) = pair(&mut rng);
        let recorded = sends(&a.send_item(b"old", &mut rng).unwrap());
        deliver(&mut b, &recorded).unwrap();
        // The channel closes; the two connect again. The recording names b's old channel id.
        let (_a2, mut b2) = pair(&mut rng);
        assert_eq!(deliver(&mut b2, &recorded), Err(Error::Replayed));
        // Nor does a hello from another channel restart an open one.
        let (_, old_hello) = Direct::open(ROOM, key(), &[], &mut rng).unwrap();
        assert_eq!(deliver(&mut b2, &sends(&old_hello)), Err(Error::Replayed));
    }

    #[test]
    fn a_wrong_key_another_room_or_garbage_is_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        let (_, mut b) = pair(&mut rng);
        let (mut stranger, hello) =
            Direct::open(ROOM, DocumentKey::from_bytes([1; 32]), &[], &mut rng).unwrap();
        assert_eq!(deliver(&mut b, &sends(&hello)), Err(Error::Authentication));
        let (_, elsewhere) = Direct::open([4; 16], key(), &[], &mut rng).unwrap();
        assert_eq!(
            deliver(&mut b, &sends(&elsewhere)),
            Err(Error::Authentication)
        );
        assert!(stranger.send_item(b"x", &mut rng).unwrap().is_empty());
        assert_eq!(b.on_message(&[]), Err(Error::EmptyFrame));
        assert!(b.on_message(&[7, 1, 2, 3]).is_err());
        assert!(b.on_message(&[0, 1, 2, 3]).is_err());
        // An envelope the relay would carry (another kind) does not open here.
        let change = envelope::seal(&key(), &ROOM, Kind::Change, b"x", &mut rng).unwrap();
        let mut message = vec![0];
        message.extend_from_slice(&change);
        assert_eq!(b.on_message(&message), Err(Error::Authentication));
    }

    #[test]
    fn an_endless_message_is_cut_off() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let (_, mut b) = pair(&mut rng);
        let mut chunk = vec![1u8];
        chunk.extend(std::iter::repeat_n(0u8, FRAGMENT - 1));
        let mut refused = false;
        for _ in 0..=(MAX_MESSAGE / (FRAGMENT - 1)) + 1 {
            if b.on_message(&chunk).is_err() {
                refused = true;
                break;
            }
        }
        assert!(refused, "fragments past the limit are refused");
    }

    #[test]
    fn signals_round_trip_and_beacons_are_not_signals() {
        let s = Signal {
            from: "a1b2".into(),
            to: "c3d4".into(),
            offer: true,
            sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n".into(),
        };
        assert_eq!(Signal::decode(&s.encode()), Some(s));
        assert_eq!(Signal::decode(br#"{"id":"x","role":"provider"}"#), None);
        assert_eq!(Signal::decode(&[]), None);
        assert_eq!(Signal::decode(&[SIGNAL_MAGIC, 2]), None);
        assert_eq!(Signal::decode(&[SIGNAL_MAGIC, 1, 200, b'a']), None);
    }

    fn card() -> Card {
        Card {
            offer: true,
            description: Compact {
                setup: crate::sdp::Setup::ActPass,
                ufrag: "zWdo".into(),
                pwd: "7pEKlwBzy7UAmo5l+K9kmTNU".into(),
                fingerprint: [0x11; 32],
                candidates: vec![crate::sdp::Candidate {
                    address: crate::sdp::Address::Mdns([0xab; 16]),
                    port: 52447,
                }],
            },
        }
    }

    #[test]
    fn a_card_opens_in_its_room_with_its_key_only() {
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        let text = card().seal(&ROOM, &key(), &mut rng).unwrap();
        assert!(text.starts_with(CARD_PREFIX));
        // Alphanumeric QR mode: digits, capitals and nine signs.
        assert!(text
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase() || " $%*+-./:".contains(c)));
        assert!(text.len() < 260, "{} characters", text.len());
        assert_eq!(Card::open(&text, &ROOM, &key()).unwrap(), card());
        assert_eq!(
            Card::open(&text, &[4; 16], &key()),
            Err(Error::Authentication)
        );
        assert_eq!(
            Card::open(&text, &ROOM, &DocumentKey::from_bytes([1; 32])),
            Err(Error::Authentication)
        );
        assert_eq!(
            Card::open("https://example.org/#/einladung/x", &ROOM, &key()),
            Err(Error::UnknownKind(0))
        );
        assert!(Card::open("DK1:not base45 ~", &ROOM, &key()).is_err());
        let long = format!("{CARD_PREFIX}{}", "A".repeat(5000));
        assert!(Card::open(&long, &ROOM, &key()).is_err());
    }

    proptest! {
        #[test]
        fn no_text_makes_opening_a_card_panic(text in "\\PC{0,300}") {
            let _ = Card::open(&text, &ROOM, &key());
            let prefixed = format!("{CARD_PREFIX}{text}");
            let _ = Card::open(&prefixed, &ROOM, &key());
        }

        #[test]
        fn no_bytes_make_the_receiver_panic(messages in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..20)) {
            let mut rng = ChaCha20Rng::seed_from_u64(8);
            let (_, mut b) = pair(&mut rng);
            for m in &messages {
                let _ = b.on_message(m);
            }
            prop_assert!(b.is_open());
        }

        #[test]
        fn no_bytes_make_signal_decoding_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = Signal::decode(&bytes);
        }
    }
}
