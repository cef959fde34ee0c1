//! The state machine a device runs for one shared document.
//!
//! It knows nothing of Automerge: the app hands it change bytes and applies what it returns.
//!
//! * After each local edit the app calls [`Client::on_local_change`] with
//!   `doc.save_after(&last_sent_heads)` and then sets `last_sent_heads = doc.get_heads()`. With
//!   nothing in flight the change is sealed and sent at once; otherwise it is gathered into the
//!   next Append, sent as soon as the one in flight is acknowledged. No timers.
//! * [`Effect::Apply`] bytes must be applied (`doc.load_incremental`) before the next call into
//!   the client. After applying, the app may set `last_sent_heads = doc.get_heads()` (every local
//!   change has already been handed over), so remote changes are not sent back.
//! * Delivery is at least once: an Append not acknowledged when the connection drops is sent again
//!   after reconnecting, and a CatchUp asks for every entry after the last contiguous one applied.
//!   Applying bytes twice is harmless (`load_incremental` is idempotent).
//! * If the relay reports a new epoch (it restarted and may have lost entries it had already fanned
//!   out), the client asks for the full state ([`Effect::FullStateWanted`]): the app answers with
//!   [`Client::on_full_state`]`(doc.save())`, which replaces whatever was unsent, so changes that
//!   depended on lost entries reach the relay together with those entries.
//! * After `snapshot_every` acknowledged appends, at the first moment every local change is
//!   acknowledged, the client emits [`Effect::SnapshotDue`]; the app answers with
//!   [`Client::send_snapshot`]`(doc.save())` and the relay may compact its log. Waiting for that
//!   moment keeps a snapshot from carrying changes the log does not have.
//! * The relay takes a snapshot only from a connection it has sent everything the snapshot
//!   covers (a snapshot and every entry after it, or every entry from 0; see [`crate::room`]),
//!   and refuses any other with `BAD_SNAPSHOT`. The client counts what reached it on the current
//!   connection the same way and sends a snapshot only when that covers its watermark. A device
//!   that caught up from a point of its own (it reconnected with a watermark, and the relay's
//!   snapshot was not newer) first asks again from 0 (`CatchUp{0}`), keeps the sealed snapshot
//!   meanwhile, and sends it once the answer has arrived: one more download of the relay's
//!   snapshot and log per snapshot such a device makes. Nothing is sent when the relay is known
//!   to hold a snapshot covering as much.
//!
//! Envelopes that do not open. A device holding the room key may seal under another key (a bug,
//! or on purpose), and the relay may alter bytes; neither may stop the others.
//! * A log entry that does not open is reported as [`Effect::Rejected`] (its seq and a
//!   [`Rejection`], never its bytes) and counted as seen: the watermark moves past it and the rest
//!   of the log is applied, so [`Client::caught_up`] is reached. Should a genuine copy of the same
//!   seq arrive later on (a duplicate frame), it is still applied.
//! * A presence message that does not open is reported the same way (seq 0) and otherwise ignored.
//! * A snapshot that does not open is reported, and the watermark stays where it is: nothing the
//!   snapshot covers has been applied. The relay sends the entries after the snapshot right
//!   behind it, and the client applies them (Automerge holds back changes whose dependencies
//!   are missing). **Limit:** the entries the snapshot covers are gone from the relay (that is
//!   what compaction means), so the protocol has no way to fetch them without it. A device that
//!   did not hold them stays short of [`Client::caught_up`] (a joining device keeps waiting,
//!   with the rejection reported) until a device that holds them sends a newer snapshot, which
//!   the relay sends at the next connection. The mark the relay keeps per connection
//!   ([`crate::room`]) only stops a snapshot from covering entries its sender was not sent: an
//!   insider who fetched everything can still replace the snapshot with one nobody can open.

use std::collections::{BTreeSet, VecDeque};

use rand_core::CryptoRngCore;

use crate::envelope::{self, DocumentKey, Kind};
use crate::keys::RoomAuth;
use crate::parts::{self, Assembler, MAX_MESSAGE_SIZE};
use crate::wire::{self, Message};
use crate::{Error, RoomId};

/// Client settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Ask for a snapshot after this many acknowledged appends (0: never).
    pub snapshot_every: u64,
    /// Only learn whether the room still exists: admitted, the client asks for nothing (no
    /// CatchUp) and sends nothing it holds, so the relay sends it nothing more — a deletion
    /// comes before admission ([`Effect::Purged`]). For a device that checks the reports it
    /// has closed without fetching their logs (the relay fans out only to connections that
    /// caught up).
    pub probe: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            snapshot_every: 200,
            probe: false,
        }
    }
}

/// What the app must do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Send this frame to the relay.
    Send(Vec<u8>),
    /// Apply these Automerge bytes (`load_incremental`) before calling the client again.
    Apply(Vec<u8>),
    /// Presence from a peer (opened, not interpreted).
    Presence(Vec<u8>),
    /// The relay holds, durably, every local change handed over so far up to number
    /// `local_changes` (counting calls to [`Client::on_local_change`] from 1).
    Acknowledged { seq: u64, local_changes: u64 },
    /// Call [`Client::send_snapshot`] with `doc.save()`.
    SnapshotDue,
    /// Call [`Client::on_full_state`] with `doc.save()`.
    FullStateWanted,
    /// The relay refused something; the connection will be closed.
    RelayError { code: u16, message: String },
    /// The relay deleted the room for everyone; these are the deletion record's bytes
    /// (opened, not checked: who signed it is for the app to verify against its member list).
    /// Nothing more is sent to the relay on this client.
    Purged(Vec<u8>),
    /// Something from the relay did not open with the document key (sealed under another key,
    /// for another room or kind, or altered) and was skipped. `seq`: the log entry's sequence
    /// number, the snapshot's `covers_seq`, 0 for presence. Carries no content.
    Rejected { seq: u64, reason: Rejection },
}

/// What did not open (see [`Effect::Rejected`]); for logs, never content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// A log entry: skipped, the watermark moves past it.
    Change,
    /// The relay's snapshot: nothing it covers is applied, the watermark stays.
    Snapshot,
    /// A presence message: ignored.
    Presence,
    /// The relay's deletion record: the room is purged at the relay all the same (it takes
    /// no more changes), but there is nothing to check.
    Deletion,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Rejection::Change => "change does not open with the document key",
            Rejection::Snapshot => "snapshot does not open with the document key",
            Rejection::Presence => "presence does not open with the document key",
            Rejection::Deletion => "deletion record does not open with the document key",
        })
    }
}

/// An Append carries the changes of several local edits up to about this many bytes, so that
/// a long day offline goes out in several appends, each well within what the relay takes.
pub const APPEND_BATCH: usize = 8 * 1024 * 1024;

/// The largest local change (or full state) that can reach the relay: it goes in one Append,
/// joined from parts up to [`MAX_MESSAGE_SIZE`], with room for the frame and the envelope.
pub const MAX_CHANGE_SIZE: usize = MAX_MESSAGE_SIZE - 4096;

/// Seqs of rejected entries kept for a genuine copy arriving later (oldest dropped first).
const REJECTED_KEPT: usize = 256;

/// Connection progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// No connection.
    Offline,
    /// Hello sent, waiting for the challenge.
    AwaitingChallenge,
    /// Answer sent, waiting for admission.
    AwaitingAdmission,
    /// Admitted: appends flow.
    Live,
}

#[derive(Debug)]
struct InFlight {
    client_seq: u64,
    plaintext: Vec<u8>,
    local_upto: u64,
}

/// What reached this device on the current connection, counted as the relay counts it
/// ([`crate::room`]): the most a snapshot sent on this connection may cover.
#[derive(Debug, Default)]
struct Received {
    /// `after_seq` of the CatchUp sent at admission.
    first_after: u64,
    /// A `CatchUp{0}` was sent since, to earn the relay's mark for a snapshot.
    asked_from_start: bool,
    /// The relay has sent this connection every entry up to here (a snapshot, or from 0, then
    /// every entry in a row); `None` until a frame shows that.
    holds: Option<u64>,
    /// Entries (`prev_seq`, `seq`) delivered or acknowledged on this connection, not yet in a
    /// row with `holds`.
    pending: BTreeSet<(u64, u64)>,
    /// A sealed Snapshot frame (and what it covers) waiting until `holds` reaches that.
    waiting_snapshot: Option<(u64, Vec<u8>)>,
}

impl Received {
    /// Whether entries received now may still join a row from a proven start.
    fn counting(&self) -> bool {
        self.holds.is_some() || self.first_after == 0 || self.asked_from_start
    }

    /// A Deliver arrived: the relay caught this connection up (only live connections get
    /// Delivers). If every CatchUp sent here asked from 0, or this entry is one only a CatchUp
    /// from 0 sends, the relay sent every entry from the start.
    fn delivered(&mut self, prev_seq: u64, seq: u64) {
        if self.holds.is_none()
            && (self.first_after == 0 || (self.asked_from_start && seq <= self.first_after))
        {
            self.holds = Some(0);
        }
        self.entry(prev_seq, seq);
    }

    /// The relay's snapshot arrived: it holds every entry up to `covers`, sent to this
    /// connection, and every entry after it follows.
    fn snapshot(&mut self, covers: u64) {
        self.holds = Some(self.holds.map_or(covers, |h| h.max(covers)));
        self.advance();
    }

    /// An entry reached this connection (delivered, or written here and acknowledged).
    fn entry(&mut self, prev_seq: u64, seq: u64) {
        if self.counting() && self.holds.is_none_or(|h| seq > h) {
            self.pending.insert((prev_seq, seq));
            self.advance();
        }
    }

    fn advance(&mut self) {
        let Some(mut h) = self.holds else {
            return;
        };
        while let Some(&(prev, seq)) = self.pending.range(..=(h, u64::MAX)).next() {
            self.pending.remove(&(prev, seq));
            h = h.max(seq);
        }
        self.holds = Some(h);
    }
}

/// One device's sync state for one document.
#[derive(Debug)]
pub struct Client {
    room: RoomId,
    key: DocumentKey,
    auth: RoomAuth,
    config: Config,
    status: Status,
    next_client_seq: u64,
    in_flight: Option<InFlight>,
    /// Local changes not yet sent, one after the other.
    pending: Vec<u8>,
    /// Each pending local change: its length in `pending` and its number (`local_count` then).
    pending_items: VecDeque<(usize, u64)>,
    /// Joins the parts of large frames from the relay ([`crate::parts`]).
    assembler: Assembler,
    local_count: u64,
    local_acked: u64,
    watermark: u64,
    ahead: BTreeSet<(u64, u64)>,
    epoch: Option<u64>,
    need_full: bool,
    acked_since_snapshot: u64,
    snapshot_owed: bool,
    /// The relay's last sequence number when this connection was admitted.
    admitted_head: Option<u64>,
    /// What the relay's snapshot covers, as far as this device has seen it in the current epoch.
    relay_snapshot: u64,
    /// What reached this device on the current connection.
    received: Received,
    /// Entries that did not open (see [`REJECTED_KEPT`]).
    rejected: BTreeSet<u64>,
    /// Local changes wait until the relay's answer to the admission's CatchUp has arrived
    /// (see [`Client::listening_first`]).
    holding: bool,
    /// The highest seq delivered (or covered by a snapshot) on this connection, opened or not.
    heard: u64,
    /// The relay purged the room: nothing is sent any more.
    purged: bool,
}

impl Client {
    /// A client for `room` that has applied nothing from the relay yet.
    pub fn new(room: RoomId, key: DocumentKey, config: Config) -> Self {
        Self::resume(room, key, config, 0, None)
    }

    /// A client resuming from state the app saved: [`Client::applied_seq`] and
    /// [`Client::relay_epoch`] (save them with the document).
    pub fn resume(
        room: RoomId,
        key: DocumentKey,
        config: Config,
        applied_seq: u64,
        relay_epoch: Option<u64>,
    ) -> Self {
        let auth = RoomAuth::derive(&key);
        Client {
            room,
            key,
            auth,
            config,
            status: Status::Offline,
            next_client_seq: 1,
            in_flight: None,
            pending: Vec::new(),
            pending_items: VecDeque::new(),
            assembler: Assembler::default(),
            local_count: 0,
            local_acked: 0,
            watermark: applied_seq,
            ahead: BTreeSet::new(),
            epoch: relay_epoch,
            need_full: false,
            acked_since_snapshot: 0,
            snapshot_owed: false,
            admitted_head: None,
            relay_snapshot: 0,
            received: Received::default(),
            rejected: BTreeSet::new(),
            holding: false,
            heard: 0,
            purged: false,
        }
    }

    /// Connection progress.
    pub fn status(&self) -> Status {
        self.status
    }

    /// Every log entry up to this sequence number has been applied, or rejected because it did
    /// not open ([`Effect::Rejected`]); saved for [`Client::resume`].
    pub fn applied_seq(&self) -> u64 {
        self.watermark
    }

    /// The relay epoch last seen (saved for [`Client::resume`]).
    pub fn relay_epoch(&self) -> Option<u64> {
        self.epoch
    }

    /// Local changes not yet acknowledged by the relay ("n changes wait to be sent").
    pub fn unacknowledged(&self) -> u64 {
        self.local_count - self.local_acked
    }

    /// Live, and every entry the relay held at admission is applied: the document is as
    /// complete as the relay can make it (a device joining by invitation waits for this).
    pub fn caught_up(&self) -> bool {
        self.status == Status::Live && self.admitted_head.is_some_and(|h| self.watermark >= h)
    }

    /// Whether an append is waiting for its acknowledgement.
    pub fn has_in_flight(&self) -> bool {
        self.in_flight.is_some()
    }

    /// Whether changes wait behind the one in flight (or for a connection).
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty() || self.need_full
    }

    /// A transport connection to the relay is open: start admission.
    pub fn connected(&mut self) -> Vec<Effect> {
        self.status = Status::AwaitingChallenge;
        vec![Effect::Send(
            Message::Hello {
                room: self.room,
                verifier: self.auth.verifier(),
            }
            .encode(),
        )]
    }

    /// The connection is gone. What was in flight is sent again after the next admission.
    pub fn disconnected(&mut self) {
        self.status = Status::Offline;
        self.assembler.reset();
        self.admitted_head = None;
        if std::mem::take(&mut self.received)
            .waiting_snapshot
            .is_some()
        {
            self.snapshot_owed = true; // asked for again on the next connection
        }
    }

    /// The app made a local change; `bytes` is `doc.save_after(&last_sent_heads)`.
    ///
    /// A change larger than [`MAX_CHANGE_SIZE`] cannot reach the relay and is refused here
    /// (`FrameTooLarge`), before it could wedge the changes behind it; it stays on the device.
    pub fn on_local_change(
        &mut self,
        bytes: &[u8],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<Effect>, Error> {
        refuse_oversized(bytes)?;
        self.local_count += 1;
        self.pending.extend_from_slice(bytes);
        self.pending_items
            .push_back((bytes.len(), self.local_count));
        let mut effects = Vec::new();
        self.flush(&mut effects, rng)?;
        Ok(in_parts(effects))
    }

    /// The app's answer to [`Effect::FullStateWanted`]: `bytes` is `doc.save()`, which contains
    /// every local change, so it replaces whatever was unsent.
    pub fn on_full_state(
        &mut self,
        bytes: Vec<u8>,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<Effect>, Error> {
        refuse_oversized(&bytes)?;
        self.in_flight = None;
        self.pending_items.clear();
        self.pending_items
            .push_back((bytes.len(), self.local_count));
        self.pending = bytes;
        self.need_full = false;
        let mut effects = Vec::new();
        self.flush(&mut effects, rng)?;
        Ok(in_parts(effects))
    }

    /// The app's answer to [`Effect::SnapshotDue`]: `bytes` is `doc.save()`. It covers every entry
    /// up to [`Client::applied_seq`]. Nothing is sent while offline, nor when the relay is known
    /// to hold a snapshot covering as much, nor when it is larger than [`MAX_CHANGE_SIZE`]. If the relay has not yet sent this connection all the
    /// snapshot covers, the client asks for it (`CatchUp{0}`) and sends the snapshot, sealed now,
    /// once that has arrived (see the module documentation).
    pub fn send_snapshot(
        &mut self,
        bytes: &[u8],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<Effect>, Error> {
        if self.purged {
            return Ok(Vec::new());
        }
        if self.status != Status::Live || self.watermark == 0 || !self.idle() {
            // Asked again once every local change is acknowledged.
            self.snapshot_owed = true;
            return Ok(Vec::new());
        }
        self.acked_since_snapshot = 0;
        self.snapshot_owed = false;
        if bytes.len() > MAX_CHANGE_SIZE {
            // The relay would refuse it, the connection would close, and the next snapshot
            // due would be refused again: the relay keeps its log uncompacted instead.
            return Ok(Vec::new());
        }
        let covers_seq = self.watermark;
        if covers_seq <= self.relay_snapshot {
            return Ok(Vec::new()); // the relay would compact nothing
        }
        let sealed = envelope::seal(&self.key, &self.room, Kind::Snapshot, bytes, rng)?;
        let frame = Message::Snapshot { covers_seq, sealed }.encode();
        if self.received.holds.is_some_and(|h| h >= covers_seq) {
            return Ok(in_parts(vec![Effect::Send(frame)]));
        }
        self.received.waiting_snapshot = Some((covers_seq, frame));
        if self.received.asked_from_start {
            return Ok(Vec::new()); // the answer is on its way
        }
        self.received.asked_from_start = true;
        Ok(vec![Effect::Send(
            Message::CatchUp { after_seq: 0 }.encode(),
        )])
    }

    /// Presence for live peers (dropped while offline).
    pub fn send_presence(
        &mut self,
        bytes: &[u8],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<Effect>, Error> {
        if self.status != Status::Live {
            return Ok(Vec::new());
        }
        let sealed = envelope::seal(&self.key, &self.room, Kind::Ephemeral, bytes, rng)?;
        Ok(vec![Effect::Send(Message::Ephemeral { sealed }.encode())])
    }

    /// A frame arrived from the relay. An error leaves the client's state consistent: a frame
    /// that fails to decode, or comes at the wrong moment, is skipped. Sealed payloads that do
    /// not open are not errors: they are reported as [`Effect::Rejected`]. A part of a large
    /// frame ([`crate::parts`]) is held until its run is complete.
    pub fn on_frame(
        &mut self,
        frame: &[u8],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<Effect>, Error> {
        if self.status == Status::Offline {
            return Ok(Vec::new());
        }
        let Some(whole) = self.assembler.accept(frame)? else {
            return Ok(Vec::new());
        };
        let message = wire::decode_with_limit(&whole, MAX_MESSAGE_SIZE)?;
        drop(whole);
        self.on_message(message, rng).map(in_parts)
    }

    fn on_message(
        &mut self,
        message: Message,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<Effect>, Error> {
        let mut effects = Vec::new();
        match (self.status, message) {
            (Status::AwaitingChallenge, Message::Challenge { challenge }) => {
                self.status = Status::AwaitingAdmission;
                effects.push(Effect::Send(
                    Message::Answer {
                        signature: self.auth.answer(&self.room, &challenge),
                    }
                    .encode(),
                ));
            }
            (Status::AwaitingAdmission, Message::Admitted { epoch, head_seq }) => {
                self.status = Status::Live;
                self.admitted_head = Some(head_seq);
                let seen_anything = self.watermark > 0 || !self.ahead.is_empty();
                if self.epoch.is_some_and(|e| e != epoch) && seen_anything {
                    self.need_full = true;
                    self.in_flight = None;
                    effects.push(Effect::FullStateWanted);
                }
                if self.epoch != Some(epoch) {
                    self.relay_snapshot = 0; // a restored room may hold an older one
                }
                self.epoch = Some(epoch);
                self.received = Received {
                    first_after: self.watermark,
                    ..Received::default()
                };
                if self.config.probe {
                    return Ok(effects);
                }
                effects.push(Effect::Send(
                    Message::CatchUp {
                        after_seq: self.watermark,
                    }
                    .encode(),
                ));
                self.heard = 0;
                self.holding = true;
                self.send_held(&mut effects, rng)?;
            }
            (
                Status::Live,
                Message::Ack {
                    client_seq,
                    seq,
                    prev_seq,
                },
            ) => {
                self.received.entry(prev_seq, seq);
                self.release_snapshot(&mut effects);
                if self
                    .in_flight
                    .as_ref()
                    .is_some_and(|f| f.client_seq == client_seq)
                {
                    if let Some(f) = self.in_flight.take() {
                        self.local_acked = self.local_acked.max(f.local_upto);
                    }
                    self.mark_seen(seq, prev_seq);
                    effects.push(Effect::Acknowledged {
                        seq,
                        local_changes: self.local_acked,
                    });
                    self.acked_since_snapshot += 1;
                    if self.config.snapshot_every > 0
                        && self.acked_since_snapshot >= self.config.snapshot_every
                    {
                        self.snapshot_owed = true;
                    }
                    self.flush(&mut effects, rng)?;
                    if self.snapshot_owed && self.idle() {
                        effects.push(Effect::SnapshotDue);
                    }
                }
            }
            (
                Status::Live,
                Message::Deliver {
                    seq,
                    prev_seq,
                    sealed,
                },
            ) => {
                self.received.delivered(prev_seq, seq);
                let fresh = seq > self.watermark && !self.ahead.contains(&(prev_seq, seq));
                if fresh || self.rejected.contains(&seq) {
                    match envelope::open(&self.key, &self.room, Kind::Change, &sealed) {
                        Ok(plain) => {
                            effects.push(Effect::Apply(plain));
                            self.rejected.remove(&seq);
                        }
                        Err(_) if fresh => {
                            effects.push(Effect::Rejected {
                                seq,
                                reason: Rejection::Change,
                            });
                            self.remember_rejected(seq);
                        }
                        Err(_) => {} // reported when it first came
                    }
                    if fresh {
                        self.mark_seen(seq, prev_seq);
                    }
                }
                self.release_snapshot(&mut effects);
                self.heard = self.heard.max(seq);
                self.send_held(&mut effects, rng)?;
            }
            (Status::Live, Message::Snapshot { covers_seq, sealed }) => {
                self.received.snapshot(covers_seq);
                self.relay_snapshot = self.relay_snapshot.max(covers_seq);
                if covers_seq > self.watermark {
                    match envelope::open(&self.key, &self.room, Kind::Snapshot, &sealed) {
                        Ok(plain) => {
                            effects.push(Effect::Apply(plain));
                            self.watermark = covers_seq;
                            self.advance();
                        }
                        // The watermark stays: what the snapshot covers is not applied.
                        Err(_) => effects.push(Effect::Rejected {
                            seq: covers_seq,
                            reason: Rejection::Snapshot,
                        }),
                    }
                }
                self.release_snapshot(&mut effects);
                self.heard = self.heard.max(covers_seq);
                self.send_held(&mut effects, rng)?;
            }
            (Status::Live, Message::Ephemeral { sealed }) => {
                match envelope::open(&self.key, &self.room, Kind::Ephemeral, &sealed) {
                    Ok(plain) => effects.push(Effect::Presence(plain)),
                    Err(_) => effects.push(Effect::Rejected {
                        seq: 0,
                        reason: Rejection::Presence,
                    }),
                }
            }
            (Status::Live | Status::AwaitingAdmission, Message::Purged { sealed }) => {
                let first = !self.purged;
                self.purged = true;
                self.in_flight = None;
                self.pending.clear();
                self.pending_items.clear();
                self.need_full = false;
                self.snapshot_owed = false;
                if first {
                    match envelope::open(&self.key, &self.room, Kind::Deletion, &sealed) {
                        Ok(plain) => effects.push(Effect::Purged(plain)),
                        Err(_) => effects.push(Effect::Rejected {
                            seq: 0,
                            reason: Rejection::Deletion,
                        }),
                    }
                }
            }
            (_, Message::Error { code, message }) => {
                effects.push(Effect::RelayError { code, message });
            }
            (status, message) => {
                return Err(Error::Unexpected {
                    message: message.name(),
                    state: match status {
                        Status::Offline => "offline",
                        Status::AwaitingChallenge => "awaiting challenge",
                        Status::AwaitingAdmission => "awaiting admission",
                        Status::Live => "live",
                    },
                });
            }
        }
        Ok(effects)
    }

    /// Whether local changes are still held back on this connection: a device listens before
    /// it speaks. After admission it sends nothing of its own until the relay has answered its
    /// CatchUp up to the head it reported (applied, or delivered and refused), so a device
    /// that was offline learns first what happened meanwhile: that the report moved to
    /// another room after a removal, say, before its offline edits go out to the old one,
    /// where the removed device would read them. (The app closes the link at such a move;
    /// the held changes then go to the new room.)
    pub fn listening_first(&self) -> bool {
        self.status == Status::Live && self.holding
    }

    /// Sends what waited for the catch-up, once it is complete.
    fn send_held(
        &mut self,
        effects: &mut Vec<Effect>,
        rng: &mut impl CryptoRngCore,
    ) -> Result<(), Error> {
        let head = self.admitted_head.unwrap_or(0);
        if self.purged || !self.holding || (self.watermark < head && self.heard < head) {
            return Ok(());
        }
        self.holding = false;
        // What was in flight when the last connection dropped goes again, as it was.
        if let Some(f) = &self.in_flight {
            let sealed = envelope::seal(&self.key, &self.room, Kind::Change, &f.plaintext, rng)?;
            effects.push(Effect::Send(
                Message::Append {
                    client_seq: f.client_seq,
                    sealed,
                }
                .encode(),
            ));
            return Ok(());
        }
        self.flush(effects, rng)
    }

    /// Asks the relay to delete the room for everyone, leaving `deletion` (the signed record,
    /// sealed here) in its place. Only on a live connection; the relay's answer is
    /// [`Effect::Purged`], to this device as to every other.
    pub fn purge(
        &mut self,
        deletion: &[u8],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<Effect>, Error> {
        if self.status != Status::Live {
            return Err(Error::Unexpected {
                message: "Purge",
                state: "not live",
            });
        }
        let sealed = envelope::seal(&self.key, &self.room, Kind::Deletion, deletion, rng)?;
        Ok(vec![Effect::Send(Message::Purge { sealed }.encode())])
    }

    /// Asks the relay to purge the room by itself at `until` (seconds since 1970), leaving
    /// `deletion` (a record signed in advance for the end of the retention period, sealed
    /// here); `None`: not any more (the submission was withdrawn). Only on a live connection.
    pub fn retain(
        &mut self,
        until: u64,
        deletion: Option<&[u8]>,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<Effect>, Error> {
        if self.status != Status::Live {
            return Err(Error::Unexpected {
                message: "Retain",
                state: "not live",
            });
        }
        let (until, sealed) = match deletion {
            Some(record) if until > 0 => (
                until,
                envelope::seal(&self.key, &self.room, Kind::Deletion, record, rng)?,
            ),
            _ => (0, Vec::new()),
        };
        Ok(vec![Effect::Send(
            Message::Retain { until, sealed }.encode(),
        )])
    }

    /// Whether the relay told this client that the room was deleted for everyone.
    pub fn purged(&self) -> bool {
        self.purged
    }

    /// Every local change is acknowledged, so a snapshot holds nothing the log lacks. (A snapshot
    /// with unsent local changes in it would hand them to newcomers only; if this device then
    /// vanished, changes built on them could never be applied by the peers that did not load it.)
    fn idle(&self) -> bool {
        self.in_flight.is_none() && self.pending.is_empty() && !self.need_full
    }

    /// Sends the gathered changes if the connection is live and nothing is in flight.
    fn flush(
        &mut self,
        effects: &mut Vec<Effect>,
        rng: &mut impl CryptoRngCore,
    ) -> Result<(), Error> {
        if self.status != Status::Live
            || self.purged
            || self.holding
            || self.in_flight.is_some()
            || self.need_full
            || self.pending.is_empty()
        {
            return Ok(());
        }
        // The leading changes up to the batch size, at least one.
        let (mut len, mut upto, mut taken) = (0usize, self.local_count, 0usize);
        for &(item_len, number) in &self.pending_items {
            if taken > 0 && len + item_len > APPEND_BATCH {
                break;
            }
            len += item_len;
            upto = number;
            taken += 1;
        }
        if taken == self.pending_items.len() {
            len = self.pending.len(); // everything (also bytes no item names)
        }
        let sealed = envelope::seal(
            &self.key,
            &self.room,
            Kind::Change,
            &self.pending[..len],
            rng,
        )?;
        let plaintext = if len == self.pending.len() {
            std::mem::take(&mut self.pending)
        } else {
            self.pending.drain(..len).collect()
        };
        self.pending_items.drain(..taken);
        let client_seq = self.next_client_seq;
        self.next_client_seq += 1;
        self.in_flight = Some(InFlight {
            client_seq,
            plaintext,
            local_upto: upto,
        });
        effects.push(Effect::Send(
            Message::Append { client_seq, sealed }.encode(),
        ));
        Ok(())
    }

    /// Sends the snapshot kept back by [`Client::send_snapshot`] once the relay has sent this
    /// connection everything it covers.
    fn release_snapshot(&mut self, effects: &mut Vec<Effect>) {
        let r = &mut self.received;
        let Some((covers, _)) = &r.waiting_snapshot else {
            return;
        };
        let covers = *covers;
        if covers <= self.relay_snapshot {
            r.waiting_snapshot = None; // the relay's own covers as much by now
        } else if r.holds.is_some_and(|h| h >= covers) {
            if let Some((_, frame)) = r.waiting_snapshot.take() {
                effects.push(Effect::Send(frame));
            }
        }
    }

    fn remember_rejected(&mut self, seq: u64) {
        self.rejected.insert(seq);
        while self.rejected.len() > REJECTED_KEPT {
            self.rejected.pop_first();
        }
    }

    /// Records that entry `seq` (after `prev_seq`) is applied (or rejected) and advances the
    /// watermark over every entry whose predecessor is covered.
    fn mark_seen(&mut self, seq: u64, prev_seq: u64) {
        if seq > self.watermark {
            self.ahead.insert((prev_seq, seq));
            self.advance();
        }
    }

    fn advance(&mut self) {
        while let Some(&(prev, seq)) = self.ahead.range(..=(self.watermark, u64::MAX)).next() {
            debug_assert!(prev <= self.watermark);
            self.ahead.remove(&(prev, seq));
            self.watermark = self.watermark.max(seq);
        }
    }
}

/// `Err(FrameTooLarge)` for a change that could not reach the relay in one Append.
fn refuse_oversized(bytes: &[u8]) -> Result<(), Error> {
    if bytes.len() > MAX_CHANGE_SIZE {
        return Err(Error::FrameTooLarge {
            len: bytes.len(),
            max: MAX_CHANGE_SIZE,
        });
    }
    Ok(())
}

/// Every frame to send larger than a part goes as its parts ([`crate::parts`]), in order.
fn in_parts(effects: Vec<Effect>) -> Vec<Effect> {
    let large = |e: &Effect| matches!(e, Effect::Send(f) if f.len() > parts::PART_SIZE);
    if !effects.iter().any(large) {
        return effects;
    }
    let mut out = Vec::with_capacity(effects.len());
    for effect in effects {
        match effect {
            Effect::Send(frame) => out.extend(parts::split(frame).into_iter().map(Effect::Send)),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::room::{self, Room};
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    const ROOM: RoomId = [3; 16];

    /// Runs frames between clients and a room with a perfect network, making every entry
    /// durable at once. Returns what each client asked the app to apply.
    fn pump(
        room: &mut Room,
        clients: &mut [Client],
        mut outbox: Vec<(usize, Effect)>,
        rng: &mut ChaCha20Rng,
    ) -> Vec<Vec<Vec<u8>>> {
        let mut applied = vec![Vec::new(); clients.len()];
        while let Some((i, effect)) = outbox.pop() {
            match effect {
                Effect::Send(frame) => {
                    let mut fx = room.frame_received(i as u64, &frame, rng);
                    let mut durable = Vec::new();
                    for f in &fx {
                        if let room::Effect::Persist(room::Record::Entry { seq, .. }) = f {
                            durable.push(*seq);
                        }
                    }
                    for seq in durable {
                        fx.extend(room.durable_up_to(seq));
                    }
                    for f in fx {
                        if let room::Effect::Send { conn, frame } = f {
                            let c = conn as usize;
                            for e in clients[c].on_frame(&frame, rng).unwrap() {
                                outbox.insert(0, (c, e));
                            }
                        }
                    }
                }
                Effect::Apply(bytes) => applied[i].push(bytes),
                _ => {}
            }
        }
        applied
    }

    /// Two clients admitted to an empty `room` (admission only, no appends): live and caught
    /// up at once.
    fn admitted_pair(room: &mut Room, key: &DocumentKey, rng: &mut ChaCha20Rng) -> Vec<Client> {
        let mut clients = vec![
            Client::new(ROOM, key.clone(), Config::default()),
            Client::new(ROOM, key.clone(), Config::default()),
        ];
        for (i, c) in clients.iter_mut().enumerate() {
            room.connection_opened(i as u64);
            let mut outbox: Vec<_> = c.connected().into_iter().map(|e| (i, e)).collect();
            while let Some((j, Effect::Send(frame))) = outbox.pop() {
                for f in room.frame_received(j as u64, &frame, rng) {
                    if let room::Effect::Send { conn, frame } = f {
                        for e in c.on_frame(&frame, rng).unwrap() {
                            outbox.push((conn as usize, e));
                        }
                    }
                }
            }
            assert_eq!(c.status(), Status::Live);
            assert!(c.caught_up(), "an empty room is caught up at admission");
        }
        clients
    }

    #[test]
    fn a_long_queue_goes_in_batches_in_parts_and_an_oversized_change_is_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(17);
        let key = DocumentKey::from_bytes([8; 32]);
        let mut room = Room::new(ROOM);
        let mut clients = admitted_pair(&mut room, &key, &mut rng);
        let first = clients[0].on_local_change(b"a", &mut rng).unwrap();
        // Three changes of 3 MiB wait behind it: more than one Append carries.
        let big: Vec<Vec<u8>> = (0..3u8).map(|i| vec![i; 3 << 20]).collect();
        for change in &big {
            assert!(clients[0]
                .on_local_change(change, &mut rng)
                .unwrap()
                .is_empty());
        }
        // One change beyond what the relay can take is refused here and counts for nothing.
        assert!(matches!(
            clients[0].on_local_change(&vec![9; MAX_CHANGE_SIZE + 1], &mut rng),
            Err(Error::FrameTooLarge { .. })
        ));
        assert_eq!(clients[0].unacknowledged(), 4);
        let applied = pump(
            &mut room,
            &mut clients,
            first.into_iter().map(|e| (0, e)).collect(),
            &mut rng,
        );
        let mut two = big[0].clone();
        two.extend_from_slice(&big[1]);
        assert_eq!(applied[1], vec![b"a".to_vec(), two, big[2].clone()]);
        assert_eq!(clients[0].unacknowledged(), 0);
        assert_eq!(clients[1].applied_seq(), 3);
        // A snapshot larger than the relay takes is not sent at all (no refusal, no loop).
        let too_large = vec![0; MAX_CHANGE_SIZE + 1];
        assert_eq!(
            clients[0].send_snapshot(&too_large, &mut rng),
            Ok(Vec::new())
        );
        assert!(!clients[0]
            .send_snapshot(b"klein", &mut rng)
            .unwrap()
            .is_empty());
    }

    /// Frames the room sends to `conn` while `client` connects, until nothing is left to send.
    fn connect(
        room: &mut Room,
        conn: u64,
        client: &mut Client,
        rng: &mut ChaCha20Rng,
    ) -> (Vec<Message>, Vec<Effect>) {
        room.connection_opened(conn);
        let mut received = Vec::new();
        let mut effects = Vec::new();
        let mut outbox: Vec<Vec<u8>> = client
            .connected()
            .into_iter()
            .filter_map(|e| match e {
                Effect::Send(f) => Some(f),
                _ => None,
            })
            .collect();
        while let Some(frame) = outbox.pop() {
            for f in room.frame_received(conn, &frame, rng) {
                if let room::Effect::Send { conn: to, frame } = f {
                    if to != conn {
                        continue;
                    }
                    received.push(crate::wire::decode(&frame).unwrap());
                    for e in client.on_frame(&frame, rng).unwrap() {
                        match e {
                            Effect::Send(f) => outbox.push(f),
                            other => effects.push(other),
                        }
                    }
                }
            }
        }
        (received, effects)
    }

    #[test]
    fn a_probe_is_admitted_and_sent_nothing_of_the_room_but_learns_of_a_deletion() {
        let mut rng = ChaCha20Rng::seed_from_u64(23);
        let key = DocumentKey::from_bytes([8; 32]);
        let mut room = Room::new(ROOM);
        let mut clients = admitted_pair(&mut room, &key, &mut rng);
        let first = clients[0]
            .on_local_change(b"Wasserfarben", &mut rng)
            .unwrap();
        pump(
            &mut room,
            &mut clients,
            first.into_iter().map(|e| (0, e)).collect(),
            &mut rng,
        );
        let probing = Config {
            probe: true,
            ..Config::default()
        };
        let mut probe = Client::new(ROOM, key.clone(), probing);
        let (received, _) = connect(&mut room, 7, &mut probe, &mut rng);
        assert!(matches!(
            received[..],
            [Message::Challenge { .. }, Message::Admitted { .. }]
        ));
        // What is written later is not fanned out to it either.
        let more = clients[0].on_local_change(b"Kolibri", &mut rng).unwrap();
        for e in more {
            if let Effect::Send(frame) = e {
                for f in room.frame_received(0, &frame, &mut rng) {
                    if let room::Effect::Send { conn, .. } = f {
                        assert_ne!(conn, 7, "nothing goes to the probe");
                    }
                }
            }
        }
        // An ordinary client at the same place asks and gets the log.
        let mut reader = Client::new(ROOM, key.clone(), Config::default());
        let (received, _) = connect(&mut room, 8, &mut reader, &mut rng);
        assert!(received
            .iter()
            .any(|m| matches!(m, Message::Deliver { .. })));

        // Deleted for everyone: the probe learns it before admission.
        let mut purged = Room::new(ROOM);
        let mut owners = admitted_pair(&mut purged, &key, &mut rng);
        for e in owners[0].purge(b"Vermerk", &mut rng).unwrap() {
            if let Effect::Send(frame) = e {
                let fx = purged.frame_received(0, &frame, &mut rng);
                for f in fx {
                    if let room::Effect::Persist(room::Record::Purged { seq, .. }) = f {
                        purged.durable_up_to(seq);
                    }
                }
            }
        }
        let mut probe = Client::new(ROOM, key, probing);
        let (received, effects) = connect(&mut purged, 9, &mut probe, &mut rng);
        let purged_at = received
            .iter()
            .position(|m| matches!(m, Message::Purged { .. }))
            .expect("the deletion is sent");
        let admitted_at = received
            .iter()
            .position(|m| matches!(m, Message::Admitted { .. }));
        assert!(
            admitted_at.is_none_or(|a| purged_at < a),
            "the deletion comes before admission"
        );
        assert!(received
            .iter()
            .all(|m| !matches!(m, Message::Deliver { .. })));
        assert!(effects
            .iter()
            .any(|e| matches!(e, Effect::Purged(r) if r == b"Vermerk")));
    }

    #[test]
    fn one_in_flight_and_gathering() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let key = DocumentKey::from_bytes([8; 32]);
        let mut room = Room::new(ROOM);
        let mut clients = admitted_pair(&mut room, &key, &mut rng);
        // First change goes out at once.
        let fx = clients[0].on_local_change(b"a", &mut rng).unwrap();
        assert!(matches!(fx[..], [Effect::Send(_)]));
        let first = fx;
        // Typed while in flight: gathered, not sent.
        assert!(clients[0]
            .on_local_change(b"b", &mut rng)
            .unwrap()
            .is_empty());
        assert!(clients[0]
            .on_local_change(b"c", &mut rng)
            .unwrap()
            .is_empty());
        assert_eq!(clients[0].unacknowledged(), 3);
        let applied = pump(
            &mut room,
            &mut clients,
            first.into_iter().map(|e| (0, e)).collect(),
            &mut rng,
        );
        // The ack released "bc" as one append; B applied "a" then "bc".
        assert_eq!(applied[1], vec![b"a".to_vec(), b"bc".to_vec()]);
        assert_eq!(clients[0].unacknowledged(), 0);
        assert_eq!(clients[1].applied_seq(), 2);
        assert_eq!(clients[0].applied_seq(), 2);

        // A newcomer is caught up only once it has applied what the room held at admission.
        let mut late = Client::new(ROOM, key.clone(), Config::default());
        room.connection_opened(2);
        let mut outbox: Vec<Vec<u8>> = late
            .connected()
            .into_iter()
            .filter_map(|e| match e {
                Effect::Send(f) => Some(f),
                _ => None,
            })
            .collect();
        let mut saw_admitted_before_catch_up = false;
        while let Some(frame) = outbox.pop() {
            for f in room.frame_received(2, &frame, &mut rng) {
                if let room::Effect::Send { frame, .. } = f {
                    for e in late.on_frame(&frame, &mut rng).unwrap() {
                        if let Effect::Send(f) = e {
                            outbox.push(f);
                        }
                    }
                    if late.status() == Status::Live && late.applied_seq() < 2 {
                        saw_admitted_before_catch_up |= !late.caught_up();
                    }
                }
            }
        }
        assert!(saw_admitted_before_catch_up);
        assert!(late.caught_up());
        assert_eq!(late.applied_seq(), 2);
    }

    #[test]
    fn no_snapshot_while_local_changes_are_unacknowledged() {
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        let key = DocumentKey::from_bytes([8; 32]);
        let mut c = Client::new(
            ROOM,
            key,
            Config {
                snapshot_every: 1,
                ..Config::default()
            },
        );
        c.status = Status::Live;
        c.watermark = 5;
        let fx = c.on_local_change(b"x", &mut rng).unwrap();
        assert_eq!(fx.len(), 1);
        assert!(c.send_snapshot(b"doc", &mut rng).unwrap().is_empty());
        c.on_local_change(b"y", &mut rng).unwrap();
        // The ack releases "y": still busy, so no snapshot yet.
        let ack = Message::Ack {
            client_seq: 1,
            seq: 6,
            prev_seq: 5,
        };
        let fx = c.on_frame(&ack.encode(), &mut rng).unwrap();
        assert!(!fx.contains(&Effect::SnapshotDue));
        let ack = Message::Ack {
            client_seq: 2,
            seq: 7,
            prev_seq: 6,
        };
        let fx = c.on_frame(&ack.encode(), &mut rng).unwrap();
        assert!(fx.contains(&Effect::SnapshotDue));
        // Nothing has shown that the relay sent this connection entries 1..=5: ask from 0 first.
        let fx = c.send_snapshot(b"doc", &mut rng).unwrap();
        assert_eq!(
            fx,
            vec![Effect::Send(Message::CatchUp { after_seq: 0 }.encode())]
        );
        // The answer: entries 1..=5 (6 and 7 were acknowledged); the snapshot follows the last.
        for seq in 1..=5 {
            let deliver = Message::Deliver {
                seq,
                prev_seq: seq - 1,
                sealed: vec![0; 41],
            };
            let fx = c.on_frame(&deliver.encode(), &mut rng).unwrap();
            let snapshot: Vec<_> = fx
                .iter()
                .filter_map(|e| match e {
                    Effect::Send(f) => wire::decode(f).ok(),
                    _ => None,
                })
                .collect();
            if seq < 5 {
                assert!(snapshot.is_empty(), "{snapshot:?}");
            } else {
                assert!(matches!(
                    snapshot[..],
                    [Message::Snapshot { covers_seq: 7, .. }]
                ));
            }
        }
    }

    /// Like [`pump`], and closes what the room closes; returns every effect, in order, per
    /// client (connection `i` is client `i`).
    fn drive(
        room: &mut Room,
        clients: &mut [Client],
        outbox: Vec<(usize, Effect)>,
        rng: &mut ChaCha20Rng,
    ) -> Vec<Vec<Effect>> {
        let mut seen = vec![Vec::new(); clients.len()];
        let mut queue: std::collections::VecDeque<_> = outbox.into();
        while let Some((i, effect)) = queue.pop_front() {
            seen[i].push(effect.clone());
            let Effect::Send(frame) = effect else {
                continue;
            };
            let mut fx = room.frame_received(i as u64, &frame, rng);
            let durable: Vec<u64> = fx
                .iter()
                .filter_map(|f| match f {
                    room::Effect::Persist(room::Record::Entry { seq, .. }) => Some(*seq),
                    _ => None,
                })
                .collect();
            for seq in durable {
                fx.extend(room.durable_up_to(seq));
            }
            for f in fx {
                match f {
                    room::Effect::Send { conn, frame } => {
                        let c = conn as usize;
                        for e in clients[c].on_frame(&frame, rng).unwrap() {
                            queue.push_back((c, e));
                        }
                    }
                    room::Effect::Close { conn } => {
                        room.connection_closed(conn);
                        clients[conn as usize].disconnected();
                    }
                    _ => {}
                }
            }
        }
        seen
    }

    fn join(
        room: &mut Room,
        clients: &mut [Client],
        i: usize,
        rng: &mut ChaCha20Rng,
    ) -> Vec<Effect> {
        room.connection_opened(i as u64);
        let fx = clients[i].connected().into_iter().map(|e| (i, e)).collect();
        let mut seen = drive(room, clients, fx, rng);
        assert_eq!(clients[i].status(), Status::Live);
        seen.swap_remove(i)
    }

    fn change(
        room: &mut Room,
        clients: &mut [Client],
        i: usize,
        text: &[u8],
        rng: &mut ChaCha20Rng,
    ) -> Vec<Vec<Effect>> {
        let fx = clients[i].on_local_change(text, rng).unwrap();
        drive(room, clients, fx.into_iter().map(|e| (i, e)).collect(), rng)
    }

    fn applied(effects: &[Effect]) -> Vec<&[u8]> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Apply(bytes) => Some(bytes.as_slice()),
                _ => None,
            })
            .collect()
    }

    /// Every effect but the frames sent.
    fn not_sent(effects: &[Effect]) -> Vec<&Effect> {
        effects
            .iter()
            .filter(|e| !matches!(e, Effect::Send(_)))
            .collect()
    }

    fn rejected(effects: &[Effect]) -> Vec<(u64, Rejection)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Rejected { seq, reason } => Some((*seq, *reason)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_device_back_online_sends_nothing_of_its_own_before_it_has_caught_up() {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let key = DocumentKey::from_bytes([8; 32]);
        let mut room = Room::new(ROOM);
        let mut clients: Vec<Client> = (0..2)
            .map(|_| Client::new(ROOM, key.clone(), Config::default()))
            .collect();
        join(&mut room, &mut clients, 0, &mut rng);
        join(&mut room, &mut clients, 1, &mut rng);
        room.connection_closed(1);
        clients[1].disconnected();
        // Offline, device 1 writes; meanwhile device 0 writes twice (the news device 1 must
        // hear first, such as a move to another room).
        assert!(clients[1]
            .on_local_change(b"offline", &mut rng)
            .unwrap()
            .is_empty());
        change(&mut room, &mut clients, 0, b"news 1", &mut rng);
        change(&mut room, &mut clients, 0, b"news 2", &mut rng);
        let seen = join(&mut room, &mut clients, 1, &mut rng);
        let first_append = seen.iter().position(|e| {
            matches!(e, Effect::Send(f) if matches!(wire::decode(f), Ok(Message::Append { .. })))
        });
        let last_apply = seen.iter().rposition(|e| matches!(e, Effect::Apply(_)));
        assert_eq!(applied(&seen), [b"news 1".as_slice(), b"news 2"]);
        let (Some(append), Some(apply)) = (first_append, last_apply) else {
            panic!("the offline change was never sent: {seen:?}");
        };
        assert!(apply < append, "sent before catching up: {seen:?}");
        // And it did reach the other device.
        assert!(clients[1].caught_up() && !clients[1].listening_first());
        assert_eq!(clients[1].unacknowledged(), 0);
    }

    #[test]
    fn an_entry_sealed_under_another_key_is_skipped_and_everyone_catches_up() {
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        let key = DocumentKey::from_bytes([8; 32]);
        let stranger = DocumentKey::from_bytes([9; 32]);
        let mut room = Room::new(ROOM);
        let mut clients: Vec<Client> = (0..4)
            .map(|_| Client::new(ROOM, key.clone(), Config::default()))
            .collect();
        for i in 0..3 {
            join(&mut room, &mut clients, i, &mut rng);
        }
        let mut seen = vec![Vec::new(); 4];
        let mut record = |fx: Vec<Vec<Effect>>| {
            for (i, effects) in fx.into_iter().enumerate() {
                seen[i].extend(effects);
            }
        };
        record(change(&mut room, &mut clients, 0, b"a", &mut rng));
        // Client 2 holds the room key (it was admitted) but seals under another one.
        let bad = |kind, rng: &mut ChaCha20Rng| envelope::seal(&stranger, &ROOM, kind, b"x", rng);
        let append = Message::Append {
            client_seq: 1000,
            sealed: bad(Kind::Change, &mut rng).unwrap(),
        };
        let presence = Message::Ephemeral {
            sealed: bad(Kind::Ephemeral, &mut rng).unwrap(),
        };
        record(drive(
            &mut room,
            &mut clients,
            vec![
                (2, Effect::Send(append.encode())),
                (2, Effect::Send(presence.encode())),
            ],
            &mut rng,
        ));
        record(change(&mut room, &mut clients, 1, b"b", &mut rng));
        assert_eq!(room.head_seq(), 3);
        for (i, other) in [(0, b"b"), (1, b"a")] {
            assert_eq!(applied(&seen[i]), vec![other.as_slice()], "client {i}");
            assert_eq!(
                rejected(&seen[i]),
                vec![(2, Rejection::Change), (0, Rejection::Presence)],
                "client {i}"
            );
            assert_eq!(clients[i].applied_seq(), 3, "client {i}");
            assert!(clients[i].caught_up(), "client {i}");
        }
        // A device joining afterwards is caught up too, with everything but the bad entry.
        let fx = join(&mut room, &mut clients, 3, &mut rng);
        assert_eq!(applied(&fx), vec![b"a".as_slice(), b"b".as_slice()]);
        assert_eq!(rejected(&fx), vec![(2, Rejection::Change)]);
        assert!(clients[3].caught_up());
        assert_eq!(clients[3].applied_seq(), 3);
    }

    #[test]
    fn a_genuine_copy_after_a_tampered_one_is_still_applied() {
        let mut rng = ChaCha20Rng::seed_from_u64(12);
        let key = DocumentKey::from_bytes([8; 32]);
        let mut c = Client::new(ROOM, key.clone(), Config::default());
        c.status = Status::Live;
        let sealed = envelope::seal(&key, &ROOM, Kind::Change, b"echt", &mut rng).unwrap();
        let genuine = Message::Deliver {
            seq: 1,
            prev_seq: 0,
            sealed: sealed.clone(),
        };
        let mut altered = sealed;
        altered[30] ^= 1;
        let tampered = Message::Deliver {
            seq: 1,
            prev_seq: 0,
            sealed: altered,
        };
        let fx = c.on_frame(&tampered.encode(), &mut rng).unwrap();
        assert_eq!(
            fx,
            vec![Effect::Rejected {
                seq: 1,
                reason: Rejection::Change
            }]
        );
        assert_eq!(c.applied_seq(), 1);
        let fx = c.on_frame(&genuine.encode(), &mut rng).unwrap();
        assert_eq!(fx, vec![Effect::Apply(b"echt".to_vec())]);
        assert!(c.on_frame(&genuine.encode(), &mut rng).unwrap().is_empty());
        assert!(c.on_frame(&tampered.encode(), &mut rng).unwrap().is_empty());
    }

    #[test]
    fn a_snapshot_that_does_not_open_is_reported_until_a_readable_one_replaces_it() {
        let mut rng = ChaCha20Rng::seed_from_u64(13);
        let key = DocumentKey::from_bytes([8; 32]);
        let stranger = DocumentKey::from_bytes([9; 32]);
        let mut room = Room::new(ROOM);
        let mut clients: Vec<Client> = (0..3)
            .map(|_| Client::new(ROOM, key.clone(), Config::default()))
            .collect();
        join(&mut room, &mut clients, 0, &mut rng);
        join(&mut room, &mut clients, 1, &mut rng);
        change(&mut room, &mut clients, 0, b"a", &mut rng);
        change(&mut room, &mut clients, 0, b"b", &mut rng);
        // The insider was sent entries 1 and 2, so the relay takes its snapshot of them, which
        // nobody can open (the limit of the relay's check).
        let bad = Message::Snapshot {
            covers_seq: 2,
            sealed: envelope::seal(&stranger, &ROOM, Kind::Snapshot, b"x", &mut rng).unwrap(),
        };
        drive(
            &mut room,
            &mut clients,
            vec![(1, Effect::Send(bad.encode()))],
            &mut rng,
        );
        assert_eq!(room.snapshot_covers(), Some(2));
        change(&mut room, &mut clients, 0, b"c", &mut rng);
        // A device joining now is told, applies what follows the snapshot, and is not caught
        // up: entries 1 and 2 are applied nowhere on it.
        let fx = join(&mut room, &mut clients, 2, &mut rng);
        assert_eq!(rejected(&fx), vec![(2, Rejection::Snapshot)]);
        assert_eq!(applied(&fx), vec![b"c".as_slice()]);
        assert_eq!(clients[2].applied_seq(), 0);
        assert!(!clients[2].caught_up());
        // Client 0 holds everything. Its connection was never sent an entry (it wrote them all),
        // so it asks from 0 first; its snapshot then goes out and replaces the bad one.
        let fx = clients[0].send_snapshot(b"abc", &mut rng).unwrap();
        assert_eq!(
            fx,
            vec![Effect::Send(Message::CatchUp { after_seq: 0 }.encode())]
        );
        let seen = drive(
            &mut room,
            &mut clients,
            fx.into_iter().map(|e| (0, e)).collect(),
            &mut rng,
        );
        assert!(not_sent(&seen[0]).is_empty(), "{:?}", seen[0]);
        assert_eq!(room.snapshot_covers(), Some(3));
        // At its next connection the joining device gets it and is caught up.
        clients[2].disconnected();
        room.connection_closed(2);
        let fx = join(&mut room, &mut clients, 2, &mut rng);
        assert_eq!(applied(&fx), vec![b"abc".as_slice()]);
        assert!(rejected(&fx).is_empty());
        assert!(clients[2].caught_up());
        assert_eq!(clients[2].applied_seq(), 3);
    }

    #[test]
    fn a_reconnected_device_asks_from_0_and_its_snapshot_is_accepted() {
        let mut rng = ChaCha20Rng::seed_from_u64(14);
        let key = DocumentKey::from_bytes([8; 32]);
        let mut room = Room::new(ROOM);
        let mut clients: Vec<Client> = (0..3)
            .map(|_| Client::new(ROOM, key.clone(), Config::default()))
            .collect();
        join(&mut room, &mut clients, 0, &mut rng);
        join(&mut room, &mut clients, 1, &mut rng);
        change(&mut room, &mut clients, 0, b"a", &mut rng);
        change(&mut room, &mut clients, 0, b"b", &mut rng);
        // Client 1 reconnects with watermark 2: the relay sends it only what follows.
        clients[1].disconnected();
        room.connection_closed(1);
        join(&mut room, &mut clients, 1, &mut rng);
        assert_eq!(room.holds(1), None);
        change(&mut room, &mut clients, 0, b"c", &mut rng);
        assert_eq!(clients[1].applied_seq(), 3);
        let fx = clients[1].send_snapshot(b"abc", &mut rng).unwrap();
        assert_eq!(
            fx,
            vec![Effect::Send(Message::CatchUp { after_seq: 0 }.encode())]
        );
        // Asked again before the answer came: nothing more is sent.
        assert!(clients[1]
            .send_snapshot(b"abc", &mut rng)
            .unwrap()
            .is_empty());
        let seen = drive(
            &mut room,
            &mut clients,
            fx.into_iter().map(|e| (1, e)).collect(),
            &mut rng,
        );
        assert!(
            not_sent(&seen[1]).is_empty(),
            "nothing applied twice, no refusal: {:?}",
            seen[1]
        );
        assert_eq!(room.snapshot_covers(), Some(3));
        assert_eq!(room.log_len(), 0);
        // A device that was sent the relay's snapshot sends none covering no more.
        let fx = join(&mut room, &mut clients, 2, &mut rng);
        assert_eq!(applied(&fx), vec![b"abc".as_slice()]);
        assert!(clients[2]
            .send_snapshot(b"abc", &mut rng)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn out_of_order_deliveries_advance_watermark_only_when_contiguous() {
        let key = DocumentKey::from_bytes([8; 32]);
        let mut c = Client::new(ROOM, key, Config::default());
        c.mark_seen(3, 2);
        assert_eq!(c.applied_seq(), 0);
        c.mark_seen(1, 0);
        assert_eq!(c.applied_seq(), 1);
        c.mark_seen(2, 1);
        assert_eq!(c.applied_seq(), 3);
        // After a restart the chain may skip to a new epoch.
        c.mark_seen(1 << 32, 3);
        assert_eq!(c.applied_seq(), 1 << 32);
    }
}
