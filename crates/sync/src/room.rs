//! The state machine the relay runs for one room.
//!
//! Inputs: a connection opened or closed, a frame received, and storage reporting that records up
//! to a sequence number are durable. Outputs ([`Effect`]): frames to send to a connection,
//! connections to close, records to persist, and log entries storage may drop. The room performs
//! no IO; the relay executes the effects in order.
//!
//! * **Admission.** A connection sends `Hello{room, verifier}`, gets a fresh random `Challenge`,
//!   and is admitted if its `Answer` verifies against the room's stored verifier. The first
//!   connection to a room the relay has never seen registers its verifier ("trust on first use"):
//!   room ids are 128 random bits that only invitees know, so whoever first presents one is the
//!   person who created the room. Later a Hello's verifier is ignored; only the stored one counts.
//! * **Append.** The room gives the entry the next sequence number, sends `Deliver` to every other
//!   live connection at once, then asks storage to persist it; the sender's `Ack` waits until
//!   storage reports the entry durable ([`Room::durable_up_to`]). Fan-out never waits for fsync.
//! * **Sequence numbers and restarts.** Each entry carries `prev_seq`, the entry before it, so a
//!   client can tell whether it holds every entry up to a point even if frames arrive out of order.
//!   A room rebuilt after a restart ([`Room::restore`]) starts a new *epoch* and numbers new entries
//!   from `epoch << 32`: entries fanned out but lost before they were durable are never reused, and
//!   clients that see the epoch change re-upload their full state (see [`crate::client`]).
//! * **CatchUp** sends the latest snapshot first if it covers more than the client has, then every
//!   entry after that, in steps of [`CATCH_UP_CHUNK`]: the relay asks for the next step
//!   ([`Room::send_more`]) when the connection has sent the one before, so a long log is never
//!   copied whole into a send queue. The connection becomes live, and receives fan-out, once it
//!   has everything; until then what others append reaches it in its turn.
//! * **Snapshot** replaces the older one and lets storage drop the entries it covers (compaction).
//!   Only from a connection that demonstrably holds everything it covers: the room keeps, per
//!   connection, a mark up to which it has sent that connection every entry (see below). A
//!   Snapshot covering more than that mark, more than the room has assigned, or nothing
//!   (`covers_seq` 0) is refused with `BAD_SNAPSHOT` and the connection closed; the log and the
//!   stored snapshot stay as they were. One covering no more than the stored snapshot is ignored.
//! * **The mark** ("holds everything up to") starts with a CatchUp that sends the connection
//!   the stored snapshot, or that asks from 0 while there is no snapshot: the connection then
//!   holds everything up to the room's last seq. Fan-out and the connection's own appends move
//!   it on, each only if its `prev_seq` is the mark (contiguous, never the highest seen). A
//!   CatchUp from a later point (`after_seq` > 0, the snapshot not newer) sends only what follows
//!   that point: what the client claims to hold up to it is a claim, not something the room
//!   sent, so it earns no mark (an honest client asks again from 0 before it sends a snapshot,
//!   see [`crate::client`]). Marks belong to connections: after [`Room::restore`] nobody has one,
//!   and each connection earns its own in the new epoch.
//!   What the mark does not stop: an insider who holds the room key can fetch everything and
//!   then send a snapshot it sealed under another key. Clients report that snapshot
//!   ([`crate::client::Effect::Rejected`]); the next honest snapshot covering more replaces it.
//! * **Ephemeral** frames are forwarded to live connections and never persisted.
//! * **Paging out.** A room whose devices stay connected but idle (a report left open on a
//!   tablet overnight) need not hold its log in memory: [`Room::page_out`] drops the log and
//!   the snapshot once everything is durable, and keeps serving — appends, fan-out and
//!   catch-ups from after that point work from what memory still holds. A catch-up from before
//!   it asks the relay to read the room back ([`Effect::LoadLog`], then [`Room::log_loaded`]);
//!   the connection waits, receiving nothing, until the log is back.
//! * **Purge** ("Für alle löschen"). An admitted connection may delete the room for everyone:
//!   the room drops its log and snapshot, asks storage to do the same ([`Record::Purged`]),
//!   and keeps only the sealed deletion record it was given. Once storage reports the purge
//!   durable (it carries a seq, as an entry does) every connection is sent that record, and
//!   every later one before its admission; a device drops its copy only then, so a crash
//!   cannot leave the report at the relay with no device knowing. The room takes no more
//!   appends or snapshots (`PURGED`). The relay cannot tell who signed the record — anyone
//!   holding the room key can purge the relay's copy, as they could already fill it with
//!   junk — so each device checks the signer against its own member list before it drops its
//!   copy, and keeps it otherwise.

use std::collections::{BTreeMap, VecDeque};

use bytes::Bytes;
use rand_core::CryptoRngCore;

use crate::keys;
use crate::parts::{self, Assembler, MAX_MESSAGE_SIZE};
use crate::wire::{self, code, Message};
use crate::{Error, RoomId};

/// CatchUps one connection may send. Each sends the room's log again, so repeating them is a
/// cheap way to make the relay work. An honest
/// client sends one at admission and at most one more, from 0, before it sends a snapshot
/// ([`crate::client`]); a new connection starts counting again.
pub const MAX_CATCH_UPS: u32 = 4;

/// Bytes of Delivers one catch-up step queues. A catch-up sends the snapshot and this much of
/// the log, and the next step when the relay reports that the connection has taken it
/// ([`Room::send_more`]), so a long log is never copied whole into a connection's send queue
/// (32 connections catching up on a full room would otherwise queue 32 copies of it).
pub const CATCH_UP_CHUNK: usize = 1 << 20;

/// The relay's handle for one connection.
pub type ConnId = u64;

/// What the room asks storage to keep. [`Room::restore`] rebuilds a room from these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// The room's admission verifier (first connection to an unknown room).
    Registered { verifier: [u8; 32] },
    /// The room was rebuilt after a restart and numbers entries from `epoch << 32`.
    Epoch { epoch: u64 },
    /// A log entry (sealed changes).
    Entry {
        seq: u64,
        prev_seq: u64,
        sealed: Vec<u8>,
    },
    /// A sealed full save containing every entry up to `covers_seq`.
    Snapshot { covers_seq: u64, sealed: Vec<u8> },
    /// The room was deleted for everyone: storage drops every entry and snapshot of the room
    /// (from its files, not only its index) and keeps this sealed deletion record.
    Purged { seq: u64, sealed: Vec<u8> },
    /// Purge the room at `until` (seconds since 1970) with this sealed deletion record, signed
    /// in advance for the end of the retention period; `until` 0: not (any more). Storage
    /// keeps the latest and purges the room itself once the time has come and no connection
    /// is live ([`crate::room`] never sees it again: it carries nothing a room serves).
    Retained { until: u64, sealed: Vec<u8> },
}

/// The largest sealed deletion record a Purge may leave (an honest one is under 200 bytes).
pub const MAX_DELETION_SIZE: usize = 1024;

/// Retains one connection may send. An honest client sends one when it connects to a
/// submitted report and one more if the submission is withdrawn or its date changes.
pub const MAX_RETAINS: u32 = 4;

/// What the relay must do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Send this frame to the connection. A frame fanned out to several connections is one
    /// buffer shared between their effects.
    Send { conn: ConnId, frame: Bytes },
    /// Close the connection (after sending what came before).
    Close { conn: ConnId },
    /// Write this record, in order after the ones before. Call [`Room::durable_up_to`] with the
    /// highest entry seq once it is durable.
    Persist(Record),
    /// Storage may delete entries with `seq <= through_seq` and snapshots older than the latest,
    /// once the latest snapshot record (persisted just before) is durable.
    Compact { through_seq: u64 },
    /// A connection needs the part of the log [`Room::page_out`] dropped: read the room's
    /// records and hand them to [`Room::log_loaded`] (or call [`Room::log_unavailable`]).
    /// Asked once until answered.
    LoadLog,
}

#[derive(Debug)]
enum ConnState {
    Opened,
    Challenged {
        challenge: [u8; 32],
    },
    Admitted,
    /// Sent the log up to `sent` so far; receives no fan-out until it has the rest.
    /// Entries it appends after `began` (the last seq when the catch-up began) are not sent
    /// back to it, as fan-out would not have.
    CatchingUp {
        sent: u64,
        earns_mark: bool,
        began: u64,
    },
    /// As `CatchingUp`, waiting for the log to come back from storage ([`Effect::LoadLog`]).
    AwaitingLog {
        sent: u64,
        earns_mark: bool,
        began: u64,
    },
    Live,
}

#[derive(Debug)]
struct Conn {
    state: ConnState,
    last_client_seq: Option<u64>,
    /// The room has sent this connection every entry up to this seq (a snapshot covering a
    /// prefix, then every entry after it), or it wrote them itself. `None`: no such prefix.
    holds: Option<u64>,
    /// Joins the parts of large frames ([`crate::parts`]).
    assembler: Assembler,
    /// CatchUps answered on this connection (each sends the log again: see [`MAX_CATCH_UPS`]).
    catch_ups: u32,
    /// Retains taken from this connection (each is a write: see [`MAX_RETAINS`]).
    retains: u32,
}

#[derive(Debug, Clone)]
struct Entry {
    seq: u64,
    prev_seq: u64,
    sealed: Vec<u8>,
    /// The connection that appended it (`None` after a restore): never sent back to it.
    author: Option<ConnId>,
}

#[derive(Debug)]
struct PendingAck {
    seq: u64,
    prev_seq: u64,
    conn: ConnId,
    client_seq: u64,
}

/// One room's state, as the relay keeps it in memory.
#[derive(Debug)]
pub struct Room {
    id: RoomId,
    verifier: Option<[u8; 32]>,
    epoch: u64,
    next_seq: u64,
    last_seq: u64,
    log: VecDeque<Entry>,
    snapshot: Option<(u64, Vec<u8>)>,
    conns: BTreeMap<ConnId, Conn>,
    awaiting_durable: VecDeque<PendingAck>,
    /// Set while the log up to a point is in storage only ([`Room::page_out`]).
    paged: Option<Paged>,
    /// [`Effect::LoadLog`] is out and not answered yet.
    loading: bool,
    /// Sealed bytes of the log and the snapshot in memory.
    resident: u64,
    /// The sealed deletion record, once the room was purged.
    purged: Option<Vec<u8>>,
    /// The purge's seq while it is not yet durable (nobody has been told).
    purge_pending: Option<u64>,
}

/// What [`Room::page_out`] left in storage only.
#[derive(Debug, Clone, Copy)]
struct Paged {
    /// Every entry up to here (and the snapshot) is in storage, not in memory.
    through: u64,
    /// What the stored snapshot covers, if there is one.
    snapshot_covers: Option<u64>,
}

impl Room {
    /// A room the relay has never stored anything for.
    pub fn new(id: RoomId) -> Self {
        Room {
            id,
            verifier: None,
            epoch: 0,
            next_seq: 1,
            last_seq: 0,
            log: VecDeque::new(),
            snapshot: None,
            conns: BTreeMap::new(),
            awaiting_durable: VecDeque::new(),
            paged: None,
            loading: false,
            resident: 0,
            purged: None,
            purge_pending: None,
        }
    }

    /// Rebuilds a room from its durable records after a restart. Starts a new epoch; the returned
    /// `Persist(Epoch)` must be durable before the room serves connections.
    pub fn restore(id: RoomId, records: impl IntoIterator<Item = Record>) -> (Self, Vec<Effect>) {
        let mut room = Room::new(id);
        let mut last_epoch = 0;
        let mut entries: Vec<Entry> = Vec::new();
        for record in records {
            match record {
                Record::Registered { verifier } => room.verifier = Some(verifier),
                Record::Epoch { epoch } => last_epoch = last_epoch.max(epoch),
                Record::Entry {
                    seq,
                    prev_seq,
                    sealed,
                } => entries.push(Entry {
                    seq,
                    prev_seq,
                    sealed,
                    author: None,
                }),
                Record::Snapshot { covers_seq, sealed } => {
                    if room.snapshot.as_ref().is_none_or(|(c, _)| covers_seq > *c) {
                        room.snapshot = Some((covers_seq, sealed));
                    }
                }
                Record::Purged { sealed, .. } => room.purged = Some(sealed),
                Record::Retained { .. } => {}
            }
        }
        if room.purged.is_some() {
            // Whatever storage still returns beside the record is not served.
            entries.clear();
            room.snapshot = None;
        }
        entries.sort_by_key(|e| e.seq);
        entries.dedup_by_key(|e| e.seq);
        let covers = room.snapshot.as_ref().map_or(0, |(c, _)| *c);
        room.last_seq = entries.last().map_or(0, |e| e.seq).max(covers);
        room.log = entries.into_iter().filter(|e| e.seq > covers).collect();
        room.epoch = last_epoch.saturating_add(1);
        room.next_seq = (room.last_seq.saturating_add(1)).max(room.epoch.saturating_mul(1 << 32));
        room.resident = room.count_resident();
        let effects = vec![Effect::Persist(Record::Epoch { epoch: room.epoch })];
        (room, effects)
    }

    /// Whether the room has its verifier: false until the first connection registers it
    /// (the relay limits how many rooms one client may create).
    pub fn is_registered(&self) -> bool {
        self.verifier.is_some()
    }

    /// The room's id.
    pub fn id(&self) -> &RoomId {
        &self.id
    }

    /// The sequence number of the last entry (0 if none).
    pub fn head_seq(&self) -> u64 {
        self.last_seq
    }

    /// The current epoch (0 for a room never restored).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Entries held in memory (after compaction).
    pub fn log_len(&self) -> usize {
        self.log.len()
    }

    /// What the latest snapshot covers, if there is one (also while it is paged out).
    pub fn snapshot_covers(&self) -> Option<u64> {
        match (&self.snapshot, self.paged) {
            (Some((c, _)), _) => Some(*c),
            (None, Some(p)) => p.snapshot_covers,
            (None, None) => None,
        }
    }

    /// Sealed bytes of the log and the snapshot this room holds in memory.
    pub fn resident_bytes(&self) -> u64 {
        self.resident
    }

    /// Whether part of the log is in storage only ([`Room::page_out`]).
    pub fn is_paged_out(&self) -> bool {
        self.paged.is_some()
    }

    fn count_resident(&self) -> u64 {
        let log: usize = self.log.iter().map(|e| e.sealed.len()).sum();
        (log + self.snapshot.as_ref().map_or(0, |(_, s)| s.len())) as u64
    }

    /// Drops the log and the snapshot from memory, keeping the room serving (module doc);
    /// returns the bytes freed. Does nothing while an entry is not yet durable (storage could
    /// not give it back) or a connection is being sent the log.
    pub fn page_out(&mut self) -> u64 {
        let busy = self.loading
            || !self.awaiting_durable.is_empty()
            || self.conns.values().any(|c| {
                matches!(
                    c.state,
                    ConnState::CatchingUp { .. } | ConnState::AwaitingLog { .. }
                )
            });
        if busy || self.resident == 0 {
            return 0;
        }
        let snapshot_covers = self.snapshot_covers();
        self.paged = Some(Paged {
            through: self.last_seq,
            snapshot_covers,
        });
        self.log.clear();
        self.snapshot = None;
        std::mem::take(&mut self.resident)
    }

    /// The room's records as storage holds them, after [`Effect::LoadLog`]: the log comes back
    /// into memory and the waiting connections are sent their catch-up.
    pub fn log_loaded(&mut self, records: impl IntoIterator<Item = Record>) -> Vec<Effect> {
        self.loading = false;
        if self.purged.is_some() {
            self.paged = None;
        }
        if let Some(paged) = self.paged.take() {
            let mut stored: Vec<Entry> = Vec::new();
            let mut snapshot: Option<(u64, Vec<u8>)> = None;
            for record in records {
                match record {
                    Record::Entry {
                        seq,
                        prev_seq,
                        sealed,
                    } if seq <= paged.through => stored.push(Entry {
                        seq,
                        prev_seq,
                        sealed,
                        author: None,
                    }),
                    Record::Snapshot { covers_seq, sealed }
                        if covers_seq <= paged.through
                            && snapshot.as_ref().is_none_or(|(c, _)| covers_seq > *c) =>
                    {
                        snapshot = Some((covers_seq, sealed));
                    }
                    _ => {}
                }
            }
            // A snapshot taken while paged out, covering more than was paged, is kept as it is.
            if self.snapshot.is_none() {
                self.snapshot = snapshot;
            }
            let covers = self.snapshot.as_ref().map_or(0, |(c, _)| *c);
            stored.sort_by_key(|e| e.seq);
            stored.dedup_by_key(|e| e.seq);
            let newer = std::mem::take(&mut self.log);
            self.log = stored
                .into_iter()
                .chain(newer)
                .filter(|e| e.seq > covers)
                .collect();
            self.resident = self.count_resident();
        }
        let waiting: Vec<ConnId> = self
            .conns
            .iter_mut()
            .filter_map(|(id, c)| match c.state {
                ConnState::AwaitingLog {
                    sent,
                    earns_mark,
                    began,
                } => {
                    c.state = ConnState::CatchingUp {
                        sent,
                        earns_mark,
                        began,
                    };
                    Some(*id)
                }
                _ => None,
            })
            .collect();
        let mut effects = Vec::new();
        for conn in waiting {
            effects.extend(self.stream(conn));
        }
        in_parts(effects)
    }

    /// Storage could not give the log back: the waiting connections are closed with
    /// `STORAGE_FAILURE` (their clients reconnect and ask again).
    pub fn log_unavailable(&mut self) -> Vec<Effect> {
        self.loading = false;
        let waiting: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, c)| matches!(c.state, ConnState::AwaitingLog { .. }))
            .map(|(id, _)| *id)
            .collect();
        let mut effects = Vec::new();
        for conn in waiting {
            self.conns.remove(&conn);
            effects.extend(refuse(conn, code::STORAGE_FAILURE, "storage failure"));
        }
        effects
    }

    /// Open connections.
    pub fn connection_count(&self) -> usize {
        self.conns.len()
    }

    /// Up to which seq `conn` demonstrably holds every entry (the most a Snapshot from it may
    /// cover); `None` if it holds no such prefix (not caught up, or only from a point it named).
    pub fn holds(&self, conn: ConnId) -> Option<u64> {
        self.conns.get(&conn).and_then(|c| c.holds)
    }

    /// A connection was routed to this room.
    pub fn connection_opened(&mut self, conn: ConnId) {
        self.conns.insert(
            conn,
            Conn {
                state: ConnState::Opened,
                last_client_seq: None,
                holds: None,
                assembler: Assembler::default(),
                catch_ups: 0,
                retains: 0,
            },
        );
    }

    /// A connection went away. Its pending acknowledgements are dropped (the client retries).
    pub fn connection_closed(&mut self, conn: ConnId) {
        self.conns.remove(&conn);
    }

    /// Storage reports every entry up to `seq` durable: acknowledge them to their senders.
    pub fn durable_up_to(&mut self, seq: u64) -> Vec<Effect> {
        let mut effects = Vec::new();
        while let Some(p) = self.awaiting_durable.front() {
            if p.seq > seq {
                break;
            }
            let p = self.awaiting_durable.pop_front();
            if let Some(p) = p {
                if self.conns.contains_key(&p.conn) {
                    effects.push(send(
                        p.conn,
                        &Message::Ack {
                            client_seq: p.client_seq,
                            seq: p.seq,
                            prev_seq: p.prev_seq,
                        },
                    ));
                }
            }
        }
        if self.purge_pending.is_some_and(|p| p <= seq) {
            self.purge_pending = None;
            effects.extend(self.announce_purge());
        }
        effects
    }

    /// A frame arrived on `conn`. Bad frames are answered with an error frame and a close; the
    /// room and its other connections are unaffected. Parts of a large frame
    /// ([`crate::parts`]) are joined first; frames to send larger than a part go as parts.
    pub fn frame_received(
        &mut self,
        conn: ConnId,
        frame: &[u8],
        rng: &mut impl CryptoRngCore,
    ) -> Vec<Effect> {
        let Some(c) = self.conns.get_mut(&conn) else {
            return Vec::new();
        };
        let decoded = match c.assembler.accept(frame) {
            Ok(None) => return Vec::new(),
            Ok(Some(whole)) => wire::decode_with_limit(&whole, MAX_MESSAGE_SIZE),
            Err(e) => Err(e),
        };
        let message = match decoded {
            Ok(m) => m,
            Err(e) => {
                let code = match e {
                    Error::UnsupportedVersion(_) => code::UNSUPPORTED_VERSION,
                    Error::FrameTooLarge { .. } => code::FRAME_TOO_LARGE,
                    _ => code::BAD_FRAME,
                };
                return refuse(conn, code, &e.to_string());
            }
        };
        in_parts(self.handle(conn, message, rng))
    }

    fn handle(
        &mut self,
        conn: ConnId,
        message: Message,
        rng: &mut impl CryptoRngCore,
    ) -> Vec<Effect> {
        let Some(c) = self.conns.get_mut(&conn) else {
            return Vec::new();
        };
        match (&c.state, message) {
            (ConnState::Opened, Message::Hello { room, verifier }) => {
                if room != self.id {
                    return refuse(conn, code::WRONG_ROOM, "wrong room");
                }
                let mut effects = Vec::new();
                if self.verifier.is_none() {
                    if !keys::is_valid_verifier(&verifier) {
                        return refuse(conn, code::ADMISSION_REFUSED, "invalid verifier");
                    }
                    self.verifier = Some(verifier);
                    effects.push(Effect::Persist(Record::Registered { verifier }));
                }
                let mut challenge = [0u8; 32];
                rng.fill_bytes(&mut challenge);
                c.state = ConnState::Challenged { challenge };
                effects.push(send(conn, &Message::Challenge { challenge }));
                effects
            }
            (ConnState::Challenged { challenge }, Message::Answer { signature }) => {
                let challenge = *challenge;
                let ok = self.verifier.as_ref().is_some_and(|v| {
                    keys::verify_answer(v, &self.id, &challenge, &signature).is_ok()
                });
                if !ok {
                    return refuse(conn, code::ADMISSION_REFUSED, "admission refused");
                }
                c.state = ConnState::Admitted;
                let mut effects = Vec::new();
                // A purged room says so before admitting: the device learns it before it
                // could send anything it wrote offline.
                if let (Some(sealed), None) = (&self.purged, self.purge_pending) {
                    c.state = ConnState::Live;
                    effects.push(send(
                        conn,
                        &Message::Purged {
                            sealed: sealed.clone(),
                        },
                    ));
                }
                effects.push(send(
                    conn,
                    &Message::Admitted {
                        head_seq: self.last_seq,
                        epoch: self.epoch,
                    },
                ));
                effects
            }
            (
                ConnState::Admitted
                | ConnState::CatchingUp { .. }
                | ConnState::AwaitingLog { .. }
                | ConnState::Live,
                message,
            ) if self.purged.is_some() => self.after_purge(conn, message),
            (
                ConnState::Admitted
                | ConnState::CatchingUp { .. }
                | ConnState::AwaitingLog { .. }
                | ConnState::Live,
                Message::Purge { sealed },
            ) => {
                if sealed.len() > MAX_DELETION_SIZE {
                    // Not a deletion record: nothing is dropped.
                    return refuse(conn, code::BAD_FRAME, "deletion record too large");
                }
                self.purge(sealed)
            }
            (
                ConnState::Admitted
                | ConnState::CatchingUp { .. }
                | ConnState::AwaitingLog { .. }
                | ConnState::Live,
                Message::Retain { until, sealed },
            ) => {
                if sealed.len() > MAX_DELETION_SIZE || (until == 0) != sealed.is_empty() {
                    return refuse(conn, code::BAD_FRAME, "not a retention record");
                }
                if c.retains >= MAX_RETAINS {
                    return refuse(conn, code::RATE_LIMITED, "too many retains");
                }
                c.retains += 1;
                vec![Effect::Persist(Record::Retained { until, sealed })]
            }
            (
                ConnState::Admitted
                | ConnState::CatchingUp { .. }
                | ConnState::AwaitingLog { .. }
                | ConnState::Live,
                Message::CatchUp { after_seq },
            ) => {
                if c.catch_ups >= MAX_CATCH_UPS {
                    return refuse(conn, code::RATE_LIMITED, "too many catch-ups");
                }
                c.catch_ups += 1;
                self.catch_up(conn, after_seq)
            }
            (
                ConnState::Admitted
                | ConnState::CatchingUp { .. }
                | ConnState::AwaitingLog { .. }
                | ConnState::Live,
                Message::Append { client_seq, sealed },
            ) => {
                if c.last_client_seq.is_some_and(|last| client_seq <= last) {
                    return Vec::new(); // a duplicate of an append already taken
                }
                c.last_client_seq = Some(client_seq);
                self.append(conn, client_seq, sealed)
            }
            (
                ConnState::Admitted
                | ConnState::CatchingUp { .. }
                | ConnState::AwaitingLog { .. }
                | ConnState::Live,
                Message::Snapshot { covers_seq, sealed },
            ) => self.snapshot(conn, covers_seq, sealed),
            (
                ConnState::Admitted
                | ConnState::CatchingUp { .. }
                | ConnState::AwaitingLog { .. }
                | ConnState::Live,
                Message::Ephemeral { sealed },
            ) => {
                let frame = Bytes::from(Message::Ephemeral { sealed }.encode());
                self.live_except(conn)
                    .map(|to| Effect::Send {
                        conn: to,
                        frame: frame.clone(),
                    })
                    .collect()
            }
            (_, message) => refuse(
                conn,
                code::UNEXPECTED,
                &format!("unexpected {}", message.name()),
            ),
        }
    }

    /// What a purged room answers: the deletion record to whoever asks for the log or purges
    /// again, a refusal to anything that would store something, silence to presence.
    fn after_purge(&mut self, conn: ConnId, message: Message) -> Vec<Effect> {
        let Some(sealed) = &self.purged else {
            return Vec::new();
        };
        match message {
            // Until the purge is durable everyone waits; then all are told at once.
            Message::CatchUp { .. } | Message::Purge { .. } if self.purge_pending.is_some() => {
                Vec::new()
            }
            Message::CatchUp { .. } | Message::Purge { .. } => {
                vec![send(
                    conn,
                    &Message::Purged {
                        sealed: sealed.clone(),
                    },
                )]
            }
            // Deleted already: there is nothing left to retain.
            Message::Ephemeral { .. } | Message::Retain { .. } => Vec::new(),
            Message::Append { .. } | Message::Snapshot { .. } => {
                refuse(conn, code::PURGED, "room deleted")
            }
            other => refuse(
                conn,
                code::UNEXPECTED,
                &format!("unexpected {}", other.name()),
            ),
        }
    }

    /// Deletes the room for everyone (module doc): storage is asked first; every connection
    /// is told once the purge is durable ([`Room::durable_up_to`]).
    fn purge(&mut self, sealed: Vec<u8>) -> Vec<Effect> {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.saturating_add(1);
        self.last_seq = seq;
        self.purge_pending = Some(seq);
        self.log.clear();
        self.snapshot = None;
        self.paged = None;
        self.loading = false;
        // Appends not yet durable are never acknowledged: their authors learn of the purge.
        self.awaiting_durable.clear();
        self.resident = sealed.len() as u64;
        let effects = vec![Effect::Persist(Record::Purged {
            seq,
            sealed: sealed.clone(),
        })];
        self.purged = Some(sealed);
        effects
    }

    /// Tells every admitted connection that the room is purged (the purge is durable).
    fn announce_purge(&mut self) -> Vec<Effect> {
        let Some(sealed) = &self.purged else {
            return Vec::new();
        };
        let frame = Bytes::from(
            Message::Purged {
                sealed: sealed.clone(),
            }
            .encode(),
        );
        let mut effects = Vec::new();
        for (id, c) in self.conns.iter_mut() {
            if !matches!(c.state, ConnState::Opened | ConnState::Challenged { .. }) {
                c.state = ConnState::Live;
                effects.push(Effect::Send {
                    conn: *id,
                    frame: frame.clone(),
                });
            }
        }
        effects
    }

    /// Whether the room was deleted for everyone.
    pub fn is_purged(&self) -> bool {
        self.purged.is_some()
    }

    fn live_except(&self, conn: ConnId) -> impl Iterator<Item = ConnId> + '_ {
        self.conns
            .iter()
            .filter(move |(id, c)| **id != conn && matches!(c.state, ConnState::Live))
            .map(|(id, _)| *id)
    }

    fn append(&mut self, conn: ConnId, client_seq: u64, sealed: Vec<u8>) -> Vec<Effect> {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.saturating_add(1);
        let prev_seq = self.last_seq;
        self.last_seq = seq;
        // Every live connection is sent the entry below, and the sender wrote it.
        for (id, c) in self.conns.iter_mut() {
            let reaches = *id == conn || matches!(c.state, ConnState::Live);
            if reaches && c.holds == Some(prev_seq) {
                c.holds = Some(seq);
            }
        }
        // Fan out first: peers see the change before any fsync. One frame, shared by all.
        let mut effects: Vec<Effect> = Vec::new();
        if self.live_except(conn).next().is_some() {
            let frame = Bytes::from(
                Message::Deliver {
                    seq,
                    prev_seq,
                    sealed: sealed.clone(),
                }
                .encode(),
            );
            effects.extend(self.live_except(conn).map(|to| Effect::Send {
                conn: to,
                frame: frame.clone(),
            }));
        }
        self.resident += sealed.len() as u64;
        self.log.push_back(Entry {
            seq,
            prev_seq,
            sealed: sealed.clone(),
            author: Some(conn),
        });
        effects.push(Effect::Persist(Record::Entry {
            seq,
            prev_seq,
            sealed,
        }));
        self.awaiting_durable.push_back(PendingAck {
            seq,
            prev_seq,
            conn,
            client_seq,
        });
        effects
    }

    fn catch_up(&mut self, conn: ConnId, after_seq: u64) -> Vec<Effect> {
        let Some(c) = self.conns.get_mut(&conn) else {
            return Vec::new();
        };
        // From 0, everything the room has is sent (the snapshot, if any, first). From a later
        // point, only what follows: what the client holds up to it is its claim, which earns a
        // mark only if the room had already sent it that much.
        let earns_mark = after_seq == 0 || c.holds.is_some_and(|h| h >= after_seq);
        c.state = ConnState::CatchingUp {
            sent: after_seq,
            earns_mark,
            began: self.last_seq,
        };
        self.stream(conn)
    }

    /// The next step of `conn`'s catch-up, once the relay has sent the one before; nothing if
    /// it is not catching up (any more).
    pub fn send_more(&mut self, conn: ConnId) -> Vec<Effect> {
        in_parts(self.stream(conn))
    }

    /// Whether `conn` is still being sent the log: the relay calls [`Room::send_more`] when
    /// the connection has taken what was queued.
    pub fn catching_up(&self, conn: ConnId) -> bool {
        self.conns
            .get(&conn)
            .is_some_and(|c| matches!(c.state, ConnState::CatchingUp { .. }))
    }

    /// Sends `conn` the snapshot if it covers more than it was sent, then up to
    /// [`CATCH_UP_CHUNK`] bytes of the log after that; the connection is live once it has the
    /// whole log. What it appended since the catch-up began is not sent back to it (a live
    /// connection is not sent its own entries either).
    fn stream(&mut self, conn: ConnId) -> Vec<Effect> {
        let Some(c) = self.conns.get_mut(&conn) else {
            return Vec::new();
        };
        let ConnState::CatchingUp {
            mut sent,
            mut earns_mark,
            began,
        } = c.state
        else {
            return Vec::new();
        };
        if self.paged.is_some_and(|p| sent < p.through) {
            // What it needs next is in storage only.
            c.state = ConnState::AwaitingLog {
                sent,
                earns_mark,
                began,
            };
            if std::mem::replace(&mut self.loading, true) {
                return Vec::new();
            }
            return vec![Effect::LoadLog];
        }
        let mut effects = Vec::new();
        // Also mid-stream: a snapshot taken meanwhile may have let the log drop entries the
        // connection was not sent yet.
        if let Some((covers, sealed)) = &self.snapshot {
            if *covers > sent {
                effects.push(send(
                    conn,
                    &Message::Snapshot {
                        covers_seq: *covers,
                        sealed: sealed.clone(),
                    },
                ));
                sent = *covers;
                earns_mark = true;
            }
        }
        let mut bytes = 0;
        let start = self.log.partition_point(|e| e.seq <= sent);
        for e in self.log.range(start..) {
            if bytes >= CATCH_UP_CHUNK {
                break;
            }
            sent = e.seq;
            if e.author == Some(conn) && e.seq > began {
                continue;
            }
            bytes += e.sealed.len();
            effects.push(send(
                conn,
                &Message::Deliver {
                    seq: e.seq,
                    prev_seq: e.prev_seq,
                    sealed: e.sealed.clone(),
                },
            ));
        }
        if earns_mark {
            // Everything up to `sent` has now been sent (or written by it).
            c.holds = Some(c.holds.map_or(sent, |h| h.max(sent)));
        }
        c.state = if sent >= self.last_seq {
            ConnState::Live
        } else {
            ConnState::CatchingUp {
                sent,
                earns_mark,
                began,
            }
        };
        effects
    }

    fn snapshot(&mut self, conn: ConnId, covers: u64, sealed: Vec<u8>) -> Vec<Effect> {
        if covers == 0 {
            return refuse(conn, code::BAD_SNAPSHOT, "snapshot covers nothing");
        }
        if covers > self.last_seq {
            return refuse(
                conn,
                code::BAD_SNAPSHOT,
                "snapshot covers entries the room has not assigned",
            );
        }
        if self.snapshot_covers().is_some_and(|c| covers <= c) {
            return Vec::new(); // the stored snapshot covers as much
        }
        if self.holds(conn).is_none_or(|h| covers > h) {
            return refuse(
                conn,
                code::BAD_SNAPSHOT,
                "snapshot covers entries this connection was not sent",
            );
        }
        while self.log.front().is_some_and(|e| e.seq <= covers) {
            if let Some(e) = self.log.pop_front() {
                self.resident -= e.sealed.len() as u64;
            }
        }
        match &mut self.paged {
            // Entries between what it covers and what was paged out are in storage only:
            // so stays the snapshot.
            Some(p) if covers < p.through => p.snapshot_covers = Some(covers),
            _ => {
                // It covers everything that was paged out: memory holds the whole room again.
                self.paged = None;
                let old = self.snapshot.replace((covers, sealed.clone()));
                self.resident -= old.map_or(0, |(_, s)| s.len() as u64);
                self.resident += sealed.len() as u64;
            }
        }
        vec![
            Effect::Persist(Record::Snapshot {
                covers_seq: covers,
                sealed,
            }),
            Effect::Compact {
                through_seq: covers,
            },
        ]
    }
}

/// Every frame to send larger than a part goes as its parts, in order. A frame fanned out to
/// several connections is split once and its parts shared.
fn in_parts(effects: Vec<Effect>) -> Vec<Effect> {
    let large =
        |e: &Effect| matches!(e, Effect::Send { frame, .. } if frame.len() > parts::PART_SIZE);
    if !effects.iter().any(large) {
        return effects;
    }
    let mut out = Vec::with_capacity(effects.len());
    let mut last: Option<(Bytes, Vec<Bytes>)> = None;
    for effect in effects {
        match effect {
            Effect::Send { conn, frame } if frame.len() > parts::PART_SIZE => {
                let same = last.as_ref().is_some_and(|(whole, _)| {
                    whole.as_ptr() == frame.as_ptr() && whole.len() == frame.len()
                });
                if !same {
                    let split = parts::split(Vec::from(frame.as_ref()))
                        .into_iter()
                        .map(Bytes::from)
                        .collect();
                    last = Some((frame, split));
                }
                if let Some((_, split)) = &last {
                    out.extend(split.iter().map(|part| Effect::Send {
                        conn,
                        frame: part.clone(),
                    }));
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn send(conn: ConnId, message: &Message) -> Effect {
    Effect::Send {
        conn,
        frame: Bytes::from(message.encode()),
    }
}

fn refuse(conn: ConnId, code: u16, message: &str) -> Vec<Effect> {
    vec![
        send(
            conn,
            &Message::Error {
                code,
                message: message.to_owned(),
            },
        ),
        Effect::Close { conn },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::DocumentKey;
    use crate::keys::RoomAuth;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    const ROOM: RoomId = [4; 16];

    fn sent(effects: &[Effect], to: ConnId) -> Vec<Message> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Send { conn, frame } if *conn == to => Some(wire::decode(frame).unwrap()),
                _ => None,
            })
            .collect()
    }

    fn admit(room: &mut Room, conn: ConnId, auth: &RoomAuth, rng: &mut ChaCha20Rng) -> Vec<Effect> {
        room.connection_opened(conn);
        let hello = Message::Hello {
            room: ROOM,
            verifier: auth.verifier(),
        };
        let fx = room.frame_received(conn, &hello.encode(), rng);
        let Some(Message::Challenge { challenge }) = sent(&fx, conn).pop() else {
            panic!("no challenge: {fx:?}");
        };
        let answer = Message::Answer {
            signature: auth.answer(&ROOM, &challenge),
        };
        room.frame_received(conn, &answer.encode(), rng)
    }

    fn live(room: &mut Room, conn: ConnId, auth: &RoomAuth, rng: &mut ChaCha20Rng) {
        let fx = admit(room, conn, auth, rng);
        assert!(matches!(sent(&fx, conn)[..], [Message::Admitted { .. }]));
        room.frame_received(conn, &Message::CatchUp { after_seq: 0 }.encode(), rng);
    }

    #[test]
    fn a_retention_record_is_stored_only_from_an_admitted_device_and_within_bounds() {
        let mut rng = ChaCha20Rng::seed_from_u64(29);
        let mut room = Room::new(ROOM);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        let retain = |until, sealed: Vec<u8>| Message::Retain { until, sealed }.encode();
        // Not admitted: refused, nothing stored.
        room.connection_opened(9);
        let fx = room.frame_received(9, &retain(2_000_000_000, vec![5; 100]), &mut rng);
        assert!(
            !fx.iter().any(|e| matches!(e, Effect::Persist(_))),
            "{fx:?}"
        );

        live(&mut room, 1, &auth, &mut rng);
        let fx = room.frame_received(1, &retain(2_000_000_000, vec![5; 100]), &mut rng);
        assert_eq!(
            fx,
            vec![Effect::Persist(Record::Retained {
                until: 2_000_000_000,
                sealed: vec![5; 100]
            })]
        );
        // Withdrawn: kept no longer.
        let fx = room.frame_received(1, &retain(0, Vec::new()), &mut rng);
        assert_eq!(
            fx,
            vec![Effect::Persist(Record::Retained {
                until: 0,
                sealed: Vec::new()
            })]
        );
        // A time without a record, a record without a time, or one larger than a deletion
        // record: refused, and the connection closed.
        for bad in [
            retain(2_000_000_000, Vec::new()),
            retain(0, vec![5; 10]),
            retain(2_000_000_000, vec![5; MAX_DELETION_SIZE + 1]),
        ] {
            live(&mut room, 2, &auth, &mut rng);
            let fx = room.frame_received(2, &bad, &mut rng);
            assert!(
                !fx.iter().any(|e| matches!(e, Effect::Persist(_))),
                "{fx:?}"
            );
            assert!(fx.contains(&Effect::Close { conn: 2 }), "{fx:?}");
            room.connection_closed(2);
        }
        // More than an honest device sends: refused.
        live(&mut room, 3, &auth, &mut rng);
        for _ in 0..MAX_RETAINS {
            let fx = room.frame_received(3, &retain(1, vec![1]), &mut rng);
            assert!(matches!(fx[..], [Effect::Persist(_)]));
        }
        let fx = room.frame_received(3, &retain(1, vec![1]), &mut rng);
        assert!(matches!(
            sent(&fx, 3)[..],
            [Message::Error {
                code: code::RATE_LIMITED,
                ..
            }]
        ));
    }

    #[test]
    fn a_purge_is_announced_only_once_it_is_durable() {
        let mut rng = ChaCha20Rng::seed_from_u64(13);
        let mut room = Room::new(ROOM);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        live(&mut room, 1, &auth, &mut rng);
        live(&mut room, 2, &auth, &mut rng);
        let purge = Message::Purge {
            sealed: vec![5; 100],
        };
        let fx = room.frame_received(1, &purge.encode(), &mut rng);
        let Some(Effect::Persist(Record::Purged { seq, .. })) = fx.first().cloned() else {
            panic!("the purge is persisted first: {fx:?}");
        };
        assert!(sent(&fx, 1).is_empty() && sent(&fx, 2).is_empty(), "{fx:?}");
        // A device arriving meanwhile waits too, and an append is already refused.
        let fx = admit(&mut room, 3, &auth, &mut rng);
        assert!(matches!(sent(&fx, 3)[..], [Message::Admitted { .. }]));
        let fx = room.frame_received(3, &Message::CatchUp { after_seq: 0 }.encode(), &mut rng);
        assert!(fx.is_empty(), "{fx:?}");
        let append = Message::Append {
            client_seq: 1,
            sealed: vec![1; 40],
        };
        let fx = room.frame_received(2, &append.encode(), &mut rng);
        assert!(matches!(
            sent(&fx, 2)[..],
            [Message::Error {
                code: code::PURGED,
                ..
            }]
        ));
        room.connection_closed(2);

        let fx = room.durable_up_to(seq);
        for conn in [1, 3] {
            assert!(
                matches!(&sent(&fx, conn)[..], [Message::Purged { sealed }] if sealed == &vec![5; 100]),
                "{fx:?}"
            );
        }
        // Later devices are told before they are admitted.
        let fx = admit(&mut room, 4, &auth, &mut rng);
        assert!(matches!(
            sent(&fx, 4)[..],
            [Message::Purged { .. }, Message::Admitted { .. }]
        ));
    }

    #[test]
    fn a_large_append_comes_in_parts_is_stored_whole_and_goes_out_in_parts() {
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        let mut room = Room::new(ROOM);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        live(&mut room, 1, &auth, &mut rng);
        live(&mut room, 2, &auth, &mut rng);
        let sealed: Vec<u8> = (0..3 * parts::PART_SIZE).map(|i| (i % 253) as u8).collect();
        let frames = parts::split(
            Message::Append {
                client_seq: 1,
                sealed: sealed.clone(),
            }
            .encode(),
        );
        assert_eq!(frames.len(), 4);
        let mut effects = Vec::new();
        for (i, frame) in frames.iter().enumerate() {
            let fx = room.frame_received(1, frame, &mut rng);
            if i + 1 < frames.len() {
                assert!(fx.is_empty(), "nothing before the last part: {fx:?}");
            }
            effects.extend(fx);
        }
        assert!(effects.iter().any(|e| matches!(
            e,
            Effect::Persist(Record::Entry { sealed: s, .. }) if *s == sealed
        )));
        // To the other device: parts, none larger than a part, joining to the Deliver.
        let mut joiner = Assembler::default();
        let mut delivered = Vec::new();
        for effect in &effects {
            if let Effect::Send { conn: 2, frame } = effect {
                assert!(frame.len() <= parts::PART_SIZE + 3);
                if let Some(whole) = joiner.accept(frame).expect("in order") {
                    delivered.push(wire::decode_with_limit(&whole, MAX_MESSAGE_SIZE).unwrap());
                }
            }
        }
        assert!(matches!(
            &delivered[..],
            [Message::Deliver { sealed: s, .. }] if *s == sealed
        ));
    }

    #[test]
    fn a_run_of_parts_beyond_the_message_limit_is_refused_and_the_room_keeps_working() {
        let mut rng = ChaCha20Rng::seed_from_u64(12);
        let mut room = Room::new(ROOM);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        live(&mut room, 1, &auth, &mut rng);
        live(&mut room, 2, &auth, &mut rng);
        let mut part = vec![crate::PROTOCOL_VERSION, parts::KIND_PART, 0];
        part.extend(vec![0u8; 4 * parts::PART_SIZE]);
        let mut refused = Vec::new();
        for _ in 0..MAX_MESSAGE_SIZE / (4 * parts::PART_SIZE) + 1 {
            refused = room.frame_received(1, &part, &mut rng);
            if !refused.is_empty() {
                break;
            }
        }
        assert!(matches!(
            sent(&refused, 1)[..],
            [Message::Error {
                code: code::FRAME_TOO_LARGE,
                ..
            }]
        ));
        assert!(refused.contains(&Effect::Close { conn: 1 }));
        room.connection_closed(1);
        // A whole frame in the middle of a run drops the run (nothing of it is kept) and is
        // handled as it is.
        let fx = room.frame_received(2, &part, &mut rng);
        assert!(fx.is_empty());
        let fx = room.frame_received(2, &Message::CatchUp { after_seq: 0 }.encode(), &mut rng);
        assert!(!fx.contains(&Effect::Close { conn: 2 }), "{fx:?}");
        assert_eq!(room.conns.get(&2).map(|c| c.assembler.holding()), Some(0));
    }

    #[test]
    fn a_long_log_is_sent_in_steps_and_the_connection_is_live_once_it_has_it_all() {
        let mut rng = ChaCha20Rng::seed_from_u64(12);
        let mut room = Room::new(ROOM);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        live(&mut room, 1, &auth, &mut rng);
        // Five entries of 400 KiB: three make the first step (it ends past 1 MiB).
        let big = |n: u8| Message::Append {
            client_seq: u64::from(n),
            sealed: vec![n; 400 * 1024],
        };
        for n in 1..=5 {
            room.frame_received(1, &big(n).encode(), &mut rng);
        }
        admit(&mut room, 2, &auth, &mut rng);
        let fx = room.frame_received(2, &Message::CatchUp { after_seq: 0 }.encode(), &mut rng);
        let delivered = |fx: &[Effect]| -> Vec<u64> {
            let frames: Vec<Bytes> = fx
                .iter()
                .filter_map(|e| match e {
                    Effect::Send { conn: 2, frame } => Some(frame.clone()),
                    _ => None,
                })
                .collect();
            let mut assembler = Assembler::default();
            frames
                .iter()
                .filter_map(|f| assembler.accept(f).ok().flatten().map(|w| w.into_owned()))
                .filter_map(|w| match wire::decode_with_limit(&w, MAX_MESSAGE_SIZE) {
                    Ok(Message::Deliver { seq, .. }) => Some(seq),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(delivered(&fx), vec![1, 2, 3]);
        assert!(room.catching_up(2));
        assert_eq!(room.holds(2), Some(3), "a mark for what was sent");
        // Meanwhile device 1 writes on: not fanned out to 2, which gets it in its turn; and 2
        // writes too: its own entry is acknowledged, never sent back to it.
        let fx = room.frame_received(1, &big(6).encode(), &mut rng);
        assert!(delivered(&fx).is_empty(), "no fan-out while catching up");
        let own = Message::Append {
            client_seq: 1,
            sealed: vec![2; 10],
        };
        let fx = room.frame_received(2, &own.encode(), &mut rng);
        assert_eq!(delivered(&fx), Vec::<u64>::new());
        let fx = room.send_more(2);
        assert_eq!(delivered(&fx), vec![4, 5, 6]);
        assert!(room.catching_up(2), "a step ends past 1 MiB");
        let fx = room.send_more(2);
        assert_eq!(delivered(&fx), Vec::<u64>::new(), "not its own 7");
        assert!(!room.catching_up(2));
        assert_eq!(room.holds(2), Some(7), "it wrote 7 itself");
        assert!(room.send_more(2).is_empty(), "nothing more once live");
        // Live now: the next entry is fanned out at once.
        let fx = room.frame_received(1, &big(7).encode(), &mut rng);
        assert_eq!(delivered(&fx), vec![8]);
    }

    #[test]
    fn a_snapshot_taken_during_a_catch_up_is_sent_before_the_rest() {
        let mut rng = ChaCha20Rng::seed_from_u64(13);
        let mut room = Room::new(ROOM);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        live(&mut room, 1, &auth, &mut rng);
        for n in 1..=4u8 {
            let append = Message::Append {
                client_seq: u64::from(n),
                sealed: vec![n; 600 * 1024],
            };
            room.frame_received(1, &append.encode(), &mut rng);
        }
        admit(&mut room, 2, &auth, &mut rng);
        let first = room.frame_received(2, &Message::CatchUp { after_seq: 0 }.encode(), &mut rng);
        assert!(room.catching_up(2), "{} effects", first.len());
        // Device 1 compacts everything: the entries 2 has not been sent yet are gone.
        let fx = room.frame_received(
            1,
            &Message::Snapshot {
                covers_seq: 4,
                sealed: vec![9; 10],
            }
            .encode(),
            &mut rng,
        );
        assert!(fx.contains(&Effect::Compact { through_seq: 4 }));
        let rest = sent(&room.send_more(2), 2);
        assert!(
            matches!(rest[..], [Message::Snapshot { covers_seq: 4, .. }]),
            "{rest:?}"
        );
        assert!(!room.catching_up(2));
        assert_eq!(room.holds(2), Some(4));
    }

    #[test]
    fn catch_ups_beyond_what_an_honest_client_sends_are_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(13);
        let mut room = Room::new(ROOM);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        live(&mut room, 1, &auth, &mut rng);
        let catch_up = Message::CatchUp { after_seq: 0 }.encode();
        for _ in 1..MAX_CATCH_UPS {
            let fx = room.frame_received(1, &catch_up, &mut rng);
            assert!(!fx.contains(&Effect::Close { conn: 1 }));
        }
        let fx = room.frame_received(1, &catch_up, &mut rng);
        assert!(matches!(
            sent(&fx, 1)[..],
            [Message::Error {
                code: code::RATE_LIMITED,
                ..
            }]
        ));
        assert!(fx.contains(&Effect::Close { conn: 1 }));
        // A new connection of the same device starts again.
        room.connection_closed(1);
        live(&mut room, 2, &auth, &mut rng);
        assert!(room.holds(2).is_some());
    }

    #[test]
    fn first_connection_registers_then_wrong_key_is_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let mut room = Room::new(ROOM);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        room.connection_opened(1);
        let fx = room.frame_received(
            1,
            &Message::Hello {
                room: ROOM,
                verifier: auth.verifier(),
            }
            .encode(),
            &mut rng,
        );
        assert!(fx.contains(&Effect::Persist(Record::Registered {
            verifier: auth.verifier()
        })));
        let wrong = RoomAuth::derive(&DocumentKey::from_bytes([2; 32]));
        let fx = admit(&mut room, 2, &wrong, &mut rng);
        assert!(matches!(
            sent(&fx, 2)[..],
            [Message::Error {
                code: code::ADMISSION_REFUSED,
                ..
            }]
        ));
        assert!(fx.contains(&Effect::Close { conn: 2 }));
    }

    #[test]
    fn replayed_answer_is_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let mut room = Room::new(ROOM);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        room.connection_opened(1);
        let hello = Message::Hello {
            room: ROOM,
            verifier: auth.verifier(),
        }
        .encode();
        let fx = room.frame_received(1, &hello, &mut rng);
        let Some(Message::Challenge { challenge }) = sent(&fx, 1).pop() else {
            panic!()
        };
        let answer = Message::Answer {
            signature: auth.answer(&ROOM, &challenge),
        }
        .encode();
        let fx = room.frame_received(1, &answer, &mut rng);
        assert!(matches!(sent(&fx, 1)[..], [Message::Admitted { .. }]));
        // An eavesdropper replays the recorded answer on a new connection.
        room.connection_opened(2);
        room.frame_received(2, &hello, &mut rng);
        let fx = room.frame_received(2, &answer, &mut rng);
        assert!(fx.contains(&Effect::Close { conn: 2 }));
        // And the answer cannot be reused on the admitted connection either.
        let fx = room.frame_received(1, &answer, &mut rng);
        assert!(fx.contains(&Effect::Close { conn: 1 }));
    }

    #[test]
    fn append_fans_out_before_persist_and_acks_after_durability() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let mut room = Room::new(ROOM);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        for c in 1..=3 {
            live(&mut room, c, &auth, &mut rng);
        }
        let fx = room.frame_received(
            1,
            &Message::Append {
                client_seq: 1,
                sealed: vec![9; 50],
            }
            .encode(),
            &mut rng,
        );
        // Deliver to 2 and 3, then persist; nothing to the sender yet.
        assert_eq!(fx.len(), 3);
        assert!(matches!(
            &fx[2],
            Effect::Persist(Record::Entry { seq: 1, .. })
        ));
        assert!(sent(&fx, 1).is_empty());
        assert!(matches!(
            sent(&fx, 2)[..],
            [Message::Deliver {
                seq: 1,
                prev_seq: 0,
                ..
            }]
        ));
        // A duplicated frame is not appended twice.
        let dup = room.frame_received(
            1,
            &Message::Append {
                client_seq: 1,
                sealed: vec![9; 50],
            }
            .encode(),
            &mut rng,
        );
        assert!(dup.is_empty());
        let fx = room.durable_up_to(1);
        assert_eq!(
            sent(&fx, 1),
            vec![Message::Ack {
                client_seq: 1,
                seq: 1,
                prev_seq: 0
            }]
        );
    }

    #[test]
    fn catch_up_snapshot_first_and_compaction() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let mut room = Room::new(ROOM);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        live(&mut room, 1, &auth, &mut rng);
        for i in 1..=5u64 {
            room.frame_received(
                1,
                &Message::Append {
                    client_seq: i,
                    sealed: vec![i as u8; 41],
                }
                .encode(),
                &mut rng,
            );
        }
        let fx = room.frame_received(
            1,
            &Message::Snapshot {
                covers_seq: 3,
                sealed: vec![0; 41],
            }
            .encode(),
            &mut rng,
        );
        assert!(fx.contains(&Effect::Compact { through_seq: 3 }));
        assert_eq!(room.log_len(), 2);
        admit(&mut room, 2, &auth, &mut rng);
        let fx = room.frame_received(2, &Message::CatchUp { after_seq: 1 }.encode(), &mut rng);
        let got = sent(&fx, 2);
        assert!(matches!(got[0], Message::Snapshot { covers_seq: 3, .. }));
        assert!(matches!(got[1], Message::Deliver { seq: 4, .. }));
        assert!(matches!(got[2], Message::Deliver { seq: 5, .. }));
        assert_eq!(got.len(), 3);
        // Ephemeral: forwarded to live peers, never persisted.
        let fx = room.frame_received(
            2,
            &Message::Ephemeral {
                sealed: vec![1; 41],
            }
            .encode(),
            &mut rng,
        );
        assert_eq!(fx.len(), 1);
        assert!(matches!(sent(&fx, 1)[..], [Message::Ephemeral { .. }]));
    }

    #[test]
    fn bad_frames_are_refused_and_others_keep_working() {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let mut room = Room::new(ROOM);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        live(&mut room, 1, &auth, &mut rng);
        live(&mut room, 2, &auth, &mut rng);
        for bad in [
            vec![],
            vec![9, 1],
            vec![1, 99],
            vec![1, 5, 0x80],
            Message::Ack {
                client_seq: 1,
                seq: 1,
                prev_seq: 0,
            }
            .encode(),
        ] {
            room.connection_opened(3);
            live(&mut room, 3, &auth, &mut rng);
            let fx = room.frame_received(3, &bad, &mut rng);
            assert!(matches!(sent(&fx, 3)[..], [Message::Error { .. }]));
            assert!(fx.contains(&Effect::Close { conn: 3 }));
            room.connection_closed(3);
        }
        let fx = room.frame_received(
            1,
            &Message::Append {
                client_seq: 1,
                sealed: vec![1; 41],
            }
            .encode(),
            &mut rng,
        );
        assert_eq!(sent(&fx, 2).len(), 1);
    }

    #[test]
    fn wrong_room_and_invalid_verifier_are_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        let mut room = Room::new(ROOM);
        room.connection_opened(1);
        let fx = room.frame_received(
            1,
            &Message::Hello {
                room: [0; 16],
                verifier: [0; 32],
            }
            .encode(),
            &mut rng,
        );
        assert!(matches!(
            sent(&fx, 1)[..],
            [Message::Error {
                code: code::WRONG_ROOM,
                ..
            }]
        ));
        // Not a point on the curve: the room stays unregistered.
        let mut bad = [0xff; 32];
        bad[31] = 0x7f;
        let mut registered = false;
        if !keys::is_valid_verifier(&bad) {
            room.connection_opened(2);
            let fx = room.frame_received(
                2,
                &Message::Hello {
                    room: ROOM,
                    verifier: bad,
                }
                .encode(),
                &mut rng,
            );
            assert!(fx.contains(&Effect::Close { conn: 2 }));
            registered = room.verifier.is_some();
        }
        assert!(!registered);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Arbitrary frames from several connections, admitted or not: never a panic.
        #[test]
        fn arbitrary_frames_never_panic(
            frames in proptest::collection::vec(
                (0u64..4, proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80)),
                0..60,
            ),
            seed in proptest::prelude::any::<u64>(),
        ) {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            let mut room = Room::new(ROOM);
            let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
            live(&mut room, 10, &auth, &mut rng);
            for (conn, mut frame) in frames {
                room.connection_opened(conn);
                if frame.len() > 1 {
                    frame[0] = crate::PROTOCOL_VERSION; // reach past the version check
                    frame[1] %= 12;
                }
                for e in room.frame_received(conn, &frame, &mut rng) {
                    if let Effect::Close { conn } = e {
                        room.connection_closed(conn);
                    }
                }
                let _ = room.durable_up_to(room.head_seq());
            }
        }
    }

    fn append(room: &mut Room, conn: ConnId, client_seq: u64, rng: &mut ChaCha20Rng) {
        let fx = room.frame_received(
            conn,
            &Message::Append {
                client_seq,
                sealed: vec![client_seq as u8; 41],
            }
            .encode(),
            rng,
        );
        assert!(!fx.contains(&Effect::Close { conn }), "{fx:?}");
    }

    fn snapshot(
        room: &mut Room,
        conn: ConnId,
        covers_seq: u64,
        rng: &mut ChaCha20Rng,
    ) -> Vec<Effect> {
        room.frame_received(
            conn,
            &Message::Snapshot {
                covers_seq,
                sealed: vec![0xee; 41],
            }
            .encode(),
            rng,
        )
    }

    fn refused_as_bad_snapshot(fx: &[Effect], conn: ConnId) {
        assert!(
            matches!(
                sent(fx, conn)[..],
                [Message::Error {
                    code: code::BAD_SNAPSHOT,
                    ..
                }]
            ),
            "{fx:?}"
        );
        assert!(fx.contains(&Effect::Close { conn }));
        assert!(
            !fx.iter()
                .any(|e| matches!(e, Effect::Persist(_) | Effect::Compact { .. })),
            "{fx:?}"
        );
    }

    /// The seqs a fresh connection is sent by CatchUp from 0.
    fn joiner_gets(
        room: &mut Room,
        conn: ConnId,
        auth: &RoomAuth,
        rng: &mut ChaCha20Rng,
    ) -> Vec<u64> {
        admit(room, conn, auth, rng);
        let fx = room.frame_received(conn, &Message::CatchUp { after_seq: 0 }.encode(), rng);
        sent(&fx, conn)
            .into_iter()
            .map(|m| match m {
                Message::Deliver { seq, .. } => seq,
                Message::Snapshot { covers_seq, .. } => covers_seq,
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_snapshot_covering_everything_is_refused_and_erases_nothing() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let mut room = Room::new(ROOM);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        live(&mut room, 1, &auth, &mut rng);
        for i in 1..=5 {
            append(&mut room, 1, i, &mut rng);
        }
        // An admitted insider, caught up and live: it holds 1..=5, not u64::MAX.
        live(&mut room, 2, &auth, &mut rng);
        assert_eq!(room.holds(2), Some(5));
        let fx = snapshot(&mut room, 2, u64::MAX, &mut rng);
        refused_as_bad_snapshot(&fx, 2);
        room.connection_closed(2);
        // Nor 0, nor one past the head.
        live(&mut room, 3, &auth, &mut rng);
        refused_as_bad_snapshot(&snapshot(&mut room, 3, 0, &mut rng), 3);
        room.connection_closed(3);
        live(&mut room, 4, &auth, &mut rng);
        refused_as_bad_snapshot(&snapshot(&mut room, 4, 6, &mut rng), 4);
        room.connection_closed(4);
        assert_eq!(room.log_len(), 5);
        assert_eq!(room.snapshot_covers(), None);
        assert_eq!(
            joiner_gets(&mut room, 5, &auth, &mut rng),
            vec![1, 2, 3, 4, 5]
        );
    }

    #[test]
    fn a_snapshot_covering_entries_the_connection_was_not_sent_is_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        let mut room = Room::new(ROOM);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        live(&mut room, 1, &auth, &mut rng);
        for i in 1..=5 {
            append(&mut room, 1, i, &mut rng);
        }
        // Admitted, never caught up: sent nothing.
        let fx = admit(&mut room, 2, &auth, &mut rng);
        assert!(matches!(
            sent(&fx, 2)[..],
            [Message::Admitted { head_seq: 5, .. }]
        ));
        assert_eq!(room.holds(2), None);
        refused_as_bad_snapshot(&snapshot(&mut room, 2, 3, &mut rng), 2);
        room.connection_closed(2);
        // Caught up from a point it named: sent 5 only. Claiming 1..=4 earns nothing, and the
        // live fan-out after it does not make the prefix whole.
        admit(&mut room, 3, &auth, &mut rng);
        let fx = room.frame_received(3, &Message::CatchUp { after_seq: 4 }.encode(), &mut rng);
        assert!(matches!(
            sent(&fx, 3)[..],
            [Message::Deliver { seq: 5, .. }]
        ));
        append(&mut room, 1, 6, &mut rng);
        assert_eq!(room.holds(3), None);
        refused_as_bad_snapshot(&snapshot(&mut room, 3, 5, &mut rng), 3);
        room.connection_closed(3);
        // Admitted but not live: its own append does not give it the entries before.
        admit(&mut room, 4, &auth, &mut rng);
        append(&mut room, 4, 1, &mut rng);
        refused_as_bad_snapshot(&snapshot(&mut room, 4, 7, &mut rng), 4);
        room.connection_closed(4);
        assert_eq!(room.log_len(), 7);
        assert_eq!(room.snapshot_covers(), None);
        assert_eq!(
            joiner_gets(&mut room, 5, &auth, &mut rng),
            vec![1, 2, 3, 4, 5, 6, 7]
        );
    }

    #[test]
    fn honest_snapshots_after_catch_up_and_after_fan_out_compact() {
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        let mut room = Room::new(ROOM);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        live(&mut room, 1, &auth, &mut rng);
        for i in 1..=3 {
            append(&mut room, 1, i, &mut rng);
        }
        // The author holds its own appends; a newcomer what catch-up sent it.
        assert_eq!(room.holds(1), Some(3));
        live(&mut room, 2, &auth, &mut rng);
        assert_eq!(room.holds(2), Some(3));
        let fx = snapshot(&mut room, 2, 3, &mut rng);
        assert!(fx.contains(&Effect::Compact { through_seq: 3 }), "{fx:?}");
        assert_eq!(room.log_len(), 0);
        // Live fan-out moves the mark on.
        append(&mut room, 1, 4, &mut rng);
        append(&mut room, 1, 5, &mut rng);
        assert_eq!(room.holds(2), Some(5));
        let fx = snapshot(&mut room, 2, 4, &mut rng);
        assert!(fx.contains(&Effect::Compact { through_seq: 4 }), "{fx:?}");
        // Covering no more than the stored snapshot: ignored, not refused.
        assert!(snapshot(&mut room, 1, 4, &mut rng).is_empty());
        assert!(snapshot(&mut room, 1, 2, &mut rng).is_empty());
        // Sent the snapshot by its catch-up, a device that was away holds it and what follows.
        admit(&mut room, 3, &auth, &mut rng);
        let fx = room.frame_received(3, &Message::CatchUp { after_seq: 2 }.encode(), &mut rng);
        assert!(matches!(
            sent(&fx, 3)[..],
            [
                Message::Snapshot { covers_seq: 4, .. },
                Message::Deliver { seq: 5, .. }
            ]
        ));
        assert_eq!(room.holds(3), Some(5));
        // A device that named a point earns the mark by asking again from 0.
        admit(&mut room, 4, &auth, &mut rng);
        room.frame_received(4, &Message::CatchUp { after_seq: 5 }.encode(), &mut rng);
        assert_eq!(room.holds(4), None);
        room.frame_received(4, &Message::CatchUp { after_seq: 0 }.encode(), &mut rng);
        assert_eq!(room.holds(4), Some(5));
        // ... and keeps it when a duplicate of the first CatchUp arrives late.
        room.frame_received(4, &Message::CatchUp { after_seq: 5 }.encode(), &mut rng);
        assert_eq!(room.holds(4), Some(5));
        append(&mut room, 1, 6, &mut rng);
        let fx = snapshot(&mut room, 4, 6, &mut rng);
        assert!(fx.contains(&Effect::Compact { through_seq: 6 }), "{fx:?}");
        assert_eq!(room.snapshot_covers(), Some(6));
    }

    #[test]
    fn after_a_restore_marks_are_earned_again() {
        let mut rng = ChaCha20Rng::seed_from_u64(10);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        let mut records = vec![Record::Registered {
            verifier: auth.verifier(),
        }];
        for seq in 1..=4 {
            records.push(Record::Entry {
                seq,
                prev_seq: seq - 1,
                sealed: vec![seq as u8; 41],
            });
        }
        records.push(Record::Snapshot {
            covers_seq: 2,
            sealed: vec![0; 41],
        });
        let (mut room, _) = Room::restore(ROOM, records);
        // A device from before the restart names its old watermark: sent nothing it can prove.
        admit(&mut room, 1, &auth, &mut rng);
        room.frame_received(1, &Message::CatchUp { after_seq: 4 }.encode(), &mut rng);
        assert_eq!(room.holds(1), None);
        // Its full-state upload is the first entry of the new epoch, after 4.
        append(&mut room, 1, 1, &mut rng);
        assert_eq!(room.head_seq(), 1 << 32);
        refused_as_bad_snapshot(&snapshot(&mut room, 1, 1 << 32, &mut rng), 1);
        room.connection_closed(1);
        assert_eq!(room.snapshot_covers(), Some(2));
        // From 0 it is sent the snapshot and every entry after: the new epoch's included.
        admit(&mut room, 2, &auth, &mut rng);
        room.frame_received(2, &Message::CatchUp { after_seq: 0 }.encode(), &mut rng);
        assert_eq!(room.holds(2), Some(1 << 32));
        append(&mut room, 2, 1, &mut rng);
        assert_eq!(room.holds(2), Some((1 << 32) + 1));
        let fx = snapshot(&mut room, 2, (1 << 32) + 1, &mut rng);
        assert!(fx.contains(&Effect::Compact {
            through_seq: (1 << 32) + 1
        }));
    }

    #[test]
    fn restore_starts_new_epoch_and_never_reuses_seqs() {
        let records = vec![
            Record::Registered { verifier: [1; 32] },
            Record::Entry {
                seq: 1,
                prev_seq: 0,
                sealed: vec![1],
            },
            Record::Entry {
                seq: 2,
                prev_seq: 1,
                sealed: vec![2],
            },
            Record::Snapshot {
                covers_seq: 1,
                sealed: vec![0],
            },
        ];
        let (room, fx) = Room::restore(ROOM, records);
        assert_eq!(fx, vec![Effect::Persist(Record::Epoch { epoch: 1 })]);
        assert_eq!(room.head_seq(), 2);
        assert_eq!(room.log_len(), 1);
        assert_eq!(room.next_seq, 1 << 32);
        let (room, _) = Room::restore(ROOM, vec![Record::Epoch { epoch: 1 }]);
        assert_eq!(room.epoch(), 2);
        assert_eq!(room.next_seq, 2 << 32);
    }

    /// What storage would hold after these effects (records kept, compaction applied).
    fn keep(store: &mut Vec<Record>, effects: &[Effect]) {
        for e in effects {
            match e {
                Effect::Persist(r) => store.push(r.clone()),
                Effect::Compact { through_seq } => store.retain(|r| match r {
                    Record::Entry { seq, .. } => seq > through_seq,
                    Record::Snapshot { covers_seq, .. } => covers_seq >= through_seq,
                    _ => true,
                }),
                _ => {}
            }
        }
    }

    /// `conn` appends `byte` (made durable at once); returns the room's effects.
    fn typed(
        room: &mut Room,
        store: &mut Vec<Record>,
        conn: ConnId,
        client_seq: u64,
        byte: u8,
        rng: &mut ChaCha20Rng,
    ) -> Vec<Effect> {
        let append = Message::Append {
            client_seq,
            sealed: vec![byte; 100],
        };
        let mut fx = room.frame_received(conn, &append.encode(), rng);
        keep(store, &fx);
        fx.extend(room.durable_up_to(room.head_seq()));
        fx
    }

    fn delivered(effects: &[Effect], to: ConnId) -> Vec<u8> {
        sent(effects, to)
            .into_iter()
            .filter_map(|m| match m {
                Message::Deliver { sealed, .. } => Some(sealed[0]),
                _ => None,
            })
            .collect()
    }

    /// A report left open on two devices overnight: the room drops its log from memory and
    /// keeps serving them; a device that comes later waits while the log is read back, then
    /// gets everything, also what was typed meanwhile.
    #[test]
    fn an_idle_room_leaves_memory_and_keeps_serving() {
        let mut rng = ChaCha20Rng::seed_from_u64(21);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        let mut room = Room::new(ROOM);
        let mut store = Vec::new();
        room.connection_opened(1);
        let hello = Message::Hello {
            room: ROOM,
            verifier: auth.verifier(),
        };
        let fx = room.frame_received(1, &hello.encode(), &mut rng);
        keep(&mut store, &fx);
        let Some(Message::Challenge { challenge }) = sent(&fx, 1).pop() else {
            panic!()
        };
        let answer = Message::Answer {
            signature: auth.answer(&ROOM, &challenge),
        };
        room.frame_received(1, &answer.encode(), &mut rng);
        room.frame_received(1, &Message::CatchUp { after_seq: 0 }.encode(), &mut rng);
        live(&mut room, 2, &auth, &mut rng);
        for (i, b) in (1..=5).enumerate() {
            typed(&mut room, &mut store, 1, i as u64, b, &mut rng);
        }
        assert_eq!(room.resident_bytes(), 500);

        assert_eq!(room.page_out(), 500);
        assert!(room.is_paged_out());
        assert_eq!((room.resident_bytes(), room.log_len()), (0, 0));
        assert_eq!(room.page_out(), 0, "nothing left to drop");

        // Typing goes on: fan-out and acknowledgements need no log.
        let fx = typed(&mut room, &mut store, 1, 10, 6, &mut rng);
        assert_eq!(delivered(&fx, 2), vec![6]);
        assert!(sent(&fx, 1)
            .iter()
            .any(|m| matches!(m, Message::Ack { client_seq: 10, .. })));

        // Two newcomers from the start: the log is asked for once; they hear nothing yet.
        admit(&mut room, 3, &auth, &mut rng);
        admit(&mut room, 4, &auth, &mut rng);
        let fx = room.frame_received(3, &Message::CatchUp { after_seq: 0 }.encode(), &mut rng);
        assert_eq!(fx, vec![Effect::LoadLog]);
        let fx = room.frame_received(4, &Message::CatchUp { after_seq: 0 }.encode(), &mut rng);
        assert!(fx.is_empty(), "{fx:?}");
        assert_eq!(room.page_out(), 0, "not while somebody waits for the log");
        let fx = typed(&mut room, &mut store, 2, 1, 7, &mut rng);
        assert_eq!(delivered(&fx, 1), vec![7]);
        assert!(delivered(&fx, 3).is_empty() && delivered(&fx, 4).is_empty());

        let fx = room.log_loaded(store.clone());
        for conn in [3, 4] {
            assert_eq!(
                delivered(&fx, conn),
                vec![1, 2, 3, 4, 5, 6, 7],
                "conn {conn}"
            );
        }
        assert!(!room.is_paged_out());
        assert_eq!(room.resident_bytes(), 700);
        // Live now: the next keystroke reaches them by fan-out.
        let fx = typed(&mut room, &mut store, 1, 11, 8, &mut rng);
        assert_eq!(delivered(&fx, 3), vec![8]);
        assert_eq!(delivered(&fx, 4), vec![8]);
    }

    #[test]
    fn the_log_stays_while_an_entry_is_not_durable_or_a_catch_up_runs() {
        let mut rng = ChaCha20Rng::seed_from_u64(22);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        let mut room = Room::new(ROOM);
        live(&mut room, 1, &auth, &mut rng);
        let append = Message::Append {
            client_seq: 1,
            sealed: vec![1; 100],
        };
        room.frame_received(1, &append.encode(), &mut rng);
        assert_eq!(room.page_out(), 0, "storage could not give it back yet");
        room.durable_up_to(room.head_seq());
        // A catch-up in steps holds the log until it is through.
        for i in 2..40u64 {
            let append = Message::Append {
                client_seq: i,
                sealed: vec![2; 64 * 1024],
            };
            room.frame_received(1, &append.encode(), &mut rng);
        }
        room.durable_up_to(room.head_seq());
        admit(&mut room, 2, &auth, &mut rng);
        room.frame_received(2, &Message::CatchUp { after_seq: 0 }.encode(), &mut rng);
        assert!(room.catching_up(2));
        assert_eq!(room.page_out(), 0);
        while room.catching_up(2) {
            room.send_more(2);
        }
        assert!(room.page_out() > 0);
    }

    /// A device that reconnects after a short break asks from where it was: memory has that.
    #[test]
    fn a_catch_up_from_after_the_page_out_needs_no_storage() {
        let mut rng = ChaCha20Rng::seed_from_u64(23);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        let mut room = Room::new(ROOM);
        let mut store = Vec::new();
        live(&mut room, 1, &auth, &mut rng);
        live(&mut room, 2, &auth, &mut rng);
        typed(&mut room, &mut store, 1, 1, 1, &mut rng);
        let mark = room.head_seq();
        room.page_out();
        typed(&mut room, &mut store, 1, 2, 2, &mut rng);
        room.connection_closed(2);
        admit(&mut room, 3, &auth, &mut rng);
        let fx = room.frame_received(3, &Message::CatchUp { after_seq: mark }.encode(), &mut rng);
        assert_eq!(delivered(&fx, 3), vec![2]);
        assert!(!fx.contains(&Effect::LoadLog));
        let fx = typed(&mut room, &mut store, 1, 3, 3, &mut rng);
        assert_eq!(delivered(&fx, 3), vec![3], "live");
    }

    #[test]
    fn snapshots_while_paged_out() {
        let mut rng = ChaCha20Rng::seed_from_u64(24);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        let mut room = Room::new(ROOM);
        let mut store = Vec::new();
        live(&mut room, 1, &auth, &mut rng);
        for i in 1..=3u8 {
            typed(&mut room, &mut store, 1, u64::from(i), i, &mut rng);
        }
        let snap = |covers_seq, byte| Message::Snapshot {
            covers_seq,
            sealed: vec![byte; 10],
        };
        let first = room.head_seq() - 1;
        keep(
            &mut store,
            &room.frame_received(1, &snap(first - 1, 0xA1).encode(), &mut rng),
        );
        room.page_out();
        assert_eq!(room.snapshot_covers(), Some(first - 1));
        // One covering no more than the stored one is ignored, as without paging.
        assert!(room
            .frame_received(1, &snap(first - 1, 0xA2).encode(), &mut rng)
            .is_empty());
        // One covering less than was paged out stays in storage only.
        let fx = room.frame_received(1, &snap(first, 0xA3).encode(), &mut rng);
        keep(&mut store, &fx);
        assert!(room.is_paged_out());
        assert_eq!(room.snapshot_covers(), Some(first));
        admit(&mut room, 2, &auth, &mut rng);
        let fx = room.frame_received(2, &Message::CatchUp { after_seq: 0 }.encode(), &mut rng);
        assert_eq!(fx, vec![Effect::LoadLog]);
        let fx = room.log_loaded(store.clone());
        let got = sent(&fx, 2);
        assert!(
            matches!(&got[0], Message::Snapshot { covers_seq, sealed } if *covers_seq == first && sealed[0] == 0xA3),
            "{got:?}"
        );
        assert_eq!(delivered(&fx, 2), vec![3]);
        // One covering everything makes the room whole in memory again.
        room.page_out();
        typed(&mut room, &mut store, 1, 9, 4, &mut rng);
        let all = room.head_seq();
        keep(
            &mut store,
            &room.frame_received(1, &snap(all, 0xA4).encode(), &mut rng),
        );
        assert!(!room.is_paged_out());
        admit(&mut room, 3, &auth, &mut rng);
        let fx = room.frame_received(3, &Message::CatchUp { after_seq: 0 }.encode(), &mut rng);
        assert!(
            matches!(&sent(&fx, 3)[..], [Message::Snapshot { covers_seq, .. }] if *covers_seq == all)
        );
        assert_eq!(room.resident_bytes(), 10);
    }

    #[test]
    fn a_log_storage_cannot_give_back_closes_those_waiting_for_it() {
        let mut rng = ChaCha20Rng::seed_from_u64(25);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        let mut room = Room::new(ROOM);
        let mut store = Vec::new();
        live(&mut room, 1, &auth, &mut rng);
        typed(&mut room, &mut store, 1, 1, 1, &mut rng);
        room.page_out();
        admit(&mut room, 2, &auth, &mut rng);
        room.frame_received(2, &Message::CatchUp { after_seq: 0 }.encode(), &mut rng);
        let fx = room.log_unavailable();
        assert!(matches!(
            &sent(&fx, 2)[..],
            [Message::Error {
                code: code::STORAGE_FAILURE,
                ..
            }]
        ));
        assert!(fx.contains(&Effect::Close { conn: 2 }));
        assert_eq!(room.connection_count(), 1, "the others stay");
        // The next one asks again.
        admit(&mut room, 3, &auth, &mut rng);
        let fx = room.frame_received(3, &Message::CatchUp { after_seq: 0 }.encode(), &mut rng);
        assert_eq!(fx, vec![Effect::LoadLog]);
    }

    /// A 20 MB upload fanned out to thirty devices is one buffer, not thirty copies.
    #[test]
    fn a_frame_fanned_out_is_shared_not_copied() {
        let mut rng = ChaCha20Rng::seed_from_u64(26);
        let auth = RoomAuth::derive(&DocumentKey::from_bytes([1; 32]));
        let mut room = Room::new(ROOM);
        for conn in 1..=3 {
            live(&mut room, conn, &auth, &mut rng);
        }
        let frames = |fx: &[Effect], to: ConnId| -> Vec<Bytes> {
            fx.iter()
                .filter_map(|e| match e {
                    Effect::Send { conn, frame } if *conn == to => Some(frame.clone()),
                    _ => None,
                })
                .collect()
        };
        for size in [100, 3 * parts::PART_SIZE] {
            let append = Message::Append {
                client_seq: size as u64,
                sealed: vec![7; size],
            };
            let fx = in_parts(room.handle(1, append, &mut rng));
            let (to2, to3) = (frames(&fx, 2), frames(&fx, 3));
            assert_eq!(to2.len(), to3.len());
            assert!(!to2.is_empty());
            for (a, b) in to2.iter().zip(&to3) {
                assert_eq!(a.as_ptr(), b.as_ptr(), "one buffer for both");
            }
        }
    }
}
