//! One tokio task per live room: it owns the room's [`Room`] state machine and executes its
//! effects.
//!
//! Connections send it events (opened, frame, closed); the writer reports durability. The task
//! feeds them to the room and carries out what comes back, in order: frames go into the
//! connections' outboxes at once (fan-out never waits for the disk), records go to the writer's
//! queue, and acknowledgements follow when the writer reports the entries durable. Because one
//! task owns the room, the room needs no lock, and a slow connection cannot stall it: outboxes
//! are unbounded queues with a byte budget, and a connection over budget is dropped.
//!
//! The task also enforces what the room state machine does not know about: the room's storage
//! limit (it counts the sealed bytes it has asked storage to keep), and storage failure (every
//! connection is told, and the room is dropped from memory so that the next connection rebuilds
//! it from what is really on disk).
//!
//! A room whose connections send nothing but presence for `--room-idle-secs` pages its log out
//! of memory ([`Room::page_out`]); when a connection needs it again the task reads the room's
//! records back from storage beside its other work ([`Effect::LoadLog`]). The relay-wide
//! memory figure follows what rooms hold in memory ([`Room::resident_bytes`]), the stored
//! figure what they hold on disk.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use dreieck_sync::room::{ConnId, Effect, Record, Room};
use dreieck_sync::wire::{self, code, Message};
use dreieck_sync::RoomId;
use rand_core::OsRng;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::addresses::ClientKey;
use crate::hub::{Hub, TaskGuard};
use crate::metrics;
use crate::store::Op;
use crate::writer::Outcome;

/// What a connection hears from its room.
#[derive(Debug)]
pub(crate) enum Outbound {
    /// Send this frame.
    Frame(Bytes),
    /// Close the connection (after the frames before).
    Close,
}

/// A connection's queue of frames to send, and how many bytes wait in it.
#[derive(Debug, Clone)]
pub(crate) struct Outbox {
    pub tx: mpsc::UnboundedSender<Outbound>,
    pub queued: Arc<AtomicUsize>,
    /// Set while the room has more of a catch-up for the connection: once it has sent what
    /// is queued, the connection says so ([`RoomEvent::Drained`]).
    pub more: Arc<AtomicBool>,
}

/// What connections tell their room.
#[derive(Debug)]
pub(crate) enum RoomEvent {
    Opened {
        conn: ConnId,
        /// Whose new-room budget a Hello for an unregistered room spends.
        client: Option<ClientKey>,
        outbox: Outbox,
    },
    Frame {
        conn: ConnId,
        frame: Bytes,
    },
    Closed {
        conn: ConnId,
    },
    /// The connection has sent what was queued and the room has more of its catch-up.
    Drained {
        conn: ConnId,
    },
    /// The last connection left (per the hub's count).
    Vacant,
}

/// A short, non-reversible name of a room for logs: 8 hex digits of its SHA-256.
pub(crate) fn short_hash(room: &RoomId) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(room);
    digest[..4].iter().map(|b| format!("{b:02x}")).collect()
}

struct Conn {
    outbox: Outbox,
    admitted: bool,
    client: Option<ClientKey>,
}

/// Sealed bytes the room has asked storage to keep, by record.
#[derive(Default)]
struct Usage {
    entries: BTreeMap<u64, u64>,
    snapshots: BTreeMap<u64, u64>,
    total: u64,
}

impl Usage {
    fn record(&mut self, record: &Record) {
        match record {
            Record::Entry { seq, sealed, .. } => {
                let len = sealed.len() as u64;
                if let Some(old) = self.entries.insert(*seq, len) {
                    self.total -= old;
                }
                self.total += len;
            }
            Record::Snapshot { covers_seq, sealed } => {
                let len = sealed.len() as u64;
                if let Some(old) = self.snapshots.insert(*covers_seq, len) {
                    self.total -= old;
                }
                self.total += len;
            }
            Record::Purged { sealed, .. } => {
                self.entries.clear();
                self.snapshots.clear();
                self.total = sealed.len() as u64;
            }
            Record::Registered { .. } | Record::Epoch { .. } | Record::Retained { .. } => {}
        }
    }

    fn compact(&mut self, through_seq: u64) {
        let kept_entries = self.entries.split_off(&(through_seq.saturating_add(1)));
        let dropped: u64 = self.entries.values().sum();
        self.entries = kept_entries;
        let kept_snapshots = self.snapshots.split_off(&through_seq);
        let dropped_snapshots: u64 = self.snapshots.values().sum();
        self.snapshots = kept_snapshots;
        self.total = self.total.saturating_sub(dropped + dropped_snapshots);
    }
}

struct RoomTask {
    hub: Arc<Hub>,
    id: RoomId,
    hash: String,
    generation: u64,
    room: Room,
    conns: HashMap<ConnId, Conn>,
    usage: Usage,
    report: mpsc::UnboundedSender<Outcome>,
    /// Where a read of the room's records for [`Effect::LoadLog`] reports back.
    loads: mpsc::UnboundedSender<Option<Vec<Record>>>,
    /// Sealed bytes of this room counted in the relay's memory figure.
    resident: u64,
    /// The last frame other than presence.
    touched: Instant,
    /// Set after a storage failure: the task only refuses and winds down.
    failed: bool,
}

/// Runs a room from loading to retiring.
pub(crate) async fn run(
    hub: Arc<Hub>,
    task: TaskGuard,
    id: RoomId,
    generation: u64,
    mut events: mpsc::UnboundedReceiver<RoomEvent>,
) {
    let _task = task;
    metrics::inc(&hub.metrics.rooms_live);
    let hash = short_hash(&id);
    let (report, mut outcomes) = mpsc::unbounded_channel();
    let (loads, mut loaded_logs) = mpsc::unbounded_channel();
    let loaded = load(&hub, id, &report).await;
    let mut task = RoomTask {
        hub: Arc::clone(&hub),
        id,
        hash,
        generation,
        room: Room::new(id),
        conns: HashMap::new(),
        usage: Usage::default(),
        report,
        loads,
        resident: 0,
        touched: Instant::now(),
        failed: false,
    };
    match loaded {
        Some((room, usage)) => {
            tracing::info!(room = %task.hash, epoch = room.epoch(), "Raum geladen");
            task.room = room;
            task.usage = usage;
            task.account_memory();
        }
        None => task.storage_failed(),
    }
    let linger = hub.limits.room_linger();
    let idle = hub.limits.room_idle();
    let mut retire_at: Option<Instant> = None;
    let mut shutdown = hub.shutdown_signal();
    let mut stopping = false;
    while !task.failed {
        let sleep_until = retire_at.unwrap_or_else(|| Instant::now() + linger);
        // Checked again after each idle period: a room busy then waits for the next.
        let page_at = idle
            .filter(|_| task.resident > 0)
            .map(|idle| task.touched + idle);
        tokio::select! {
            // A lingering room must not hold up shutdown; one with connections retires when
            // they have been told and are gone (Vacant below).
            () = async { drop(shutdown.wait_for(|s| *s).await) }, if !stopping => {
                stopping = true;
                if hub.try_retire(&id, generation) {
                    break;
                }
            }
            event = events.recv() => match event {
                Some(RoomEvent::Vacant) => {
                    if hub.is_shutting_down() || linger.is_zero() {
                        if hub.try_retire(&id, generation) {
                            break;
                        }
                    } else {
                        retire_at = Some(Instant::now() + linger);
                    }
                }
                Some(event) => {
                    retire_at = None;
                    task.event(event);
                }
                None => break,
            },
            Some(outcome) = outcomes.recv() => match outcome {
                Outcome::Durable { up_to } => {
                    let effects = task.room.durable_up_to(up_to);
                    task.execute(effects);
                }
                Outcome::Failed => task.storage_failed(),
            },
            Some(records) = loaded_logs.recv() => task.log_loaded(records),
            () = sleep_until_some(page_at), if page_at.is_some() => {
                if task.room.page_out() > 0 {
                    metrics::inc(&hub.metrics.logs_paged_out);
                    tracing::info!(room = %task.hash, "Verlauf des ruhenden Raums aus dem Speicher entlassen");
                }
                task.touched = Instant::now();
                task.account_memory();
            }
            () = tokio::time::sleep_until(sleep_until), if retire_at.is_some() => {
                retire_at = None;
                if hub.try_retire(&id, generation) {
                    break;
                }
            }
        }
    }
    if task.failed {
        // Refuse whoever joined in the meantime; later senders find the channel closed.
        events.close();
        while let Ok(event) = events.try_recv() {
            if let RoomEvent::Opened { conn, outbox, .. } = event {
                refuse_outbox(&outbox, code::STORAGE_FAILURE, "storage failure");
                hub.refusals
                    .refused(conn, &task.hash, code::STORAGE_FAILURE);
                hub.metrics.error_sent(code::STORAGE_FAILURE);
            }
        }
    }
    metrics::dec(&hub.metrics.rooms_live);
    metrics::sub(&hub.metrics.room_memory, task.resident);
    if hub.writer.cluster_secret().is_some() {
        // Another instance may serve the room from now on (after this task's writes).
        hub.writer.release(id);
    }
    tracing::info!(room = %task.hash, "Raum aus dem Speicher entlassen");
}

/// Sleeps until `at`; for a `select!` branch that is only enabled when there is a time.
pub(crate) async fn sleep_until_some(at: Option<Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at).await;
    }
}

/// The room from storage: new if storage has nothing, else restored with its new epoch durable.
async fn load(
    hub: &Hub,
    id: RoomId,
    report: &mpsc::UnboundedSender<Outcome>,
) -> Option<(Room, Usage)> {
    let records = hub.writer.load(id).await.ok()?;
    let Some(records) = records else {
        return Some((Room::new(id), Usage::default()));
    };
    let mut usage = Usage::default();
    for record in &records {
        usage.record(record);
    }
    let (room, effects) = Room::restore(id, records);
    for effect in effects {
        if let Effect::Persist(record) = effect {
            if !hub
                .writer
                .write(id, Op::Record(record), usage.total, report)
            {
                return None;
            }
        }
    }
    hub.writer.flush().await.ok()?;
    Some((room, usage))
}

fn refuse_outbox(outbox: &Outbox, code: u16, message: &str) {
    let frame = Message::Error {
        code,
        message: message.to_owned(),
    }
    .encode();
    outbox.queued.fetch_add(frame.len(), Ordering::Relaxed);
    let _ = outbox.tx.send(Outbound::Frame(Bytes::from(frame)));
    let _ = outbox.tx.send(Outbound::Close);
}

impl RoomTask {
    fn event(&mut self, event: RoomEvent) {
        match event {
            RoomEvent::Opened {
                conn,
                client,
                outbox,
            } => {
                self.conns.insert(
                    conn,
                    Conn {
                        outbox,
                        admitted: false,
                        client,
                    },
                );
                self.room.connection_opened(conn);
            }
            RoomEvent::Frame { conn, frame } => {
                if frame.get(1) != Some(&wire::kind::EPHEMERAL) {
                    self.touched = Instant::now();
                }
                if self.creates_room_over_budget(conn, &frame) {
                    self.refuse(conn, code::RATE_LIMITED, "too many new rooms");
                    return;
                }
                if let Some(code) = self.over_storage_limit(conn, &frame) {
                    self.refuse(conn, code, "storage full");
                    return;
                }
                let effects = self.room.frame_received(conn, &frame, &mut OsRng);
                self.mark_catching_up(conn);
                self.execute(effects);
            }
            RoomEvent::Closed { conn } => {
                self.conns.remove(&conn);
                self.room.connection_closed(conn);
            }
            RoomEvent::Drained { conn } => {
                let effects = self.room.send_more(conn);
                self.mark_catching_up(conn);
                self.execute(effects);
            }
            RoomEvent::Vacant => {}
        }
    }

    /// Tells `conn`'s connection task, before the frames of this step are queued, that the
    /// room has more of its catch-up to send once they have gone.
    fn mark_catching_up(&self, conn: ConnId) {
        if self.room.catching_up(conn) {
            if let Some(c) = self.conns.get(&conn) {
                c.outbox.more.store(true, Ordering::Release);
            }
        }
    }

    /// Whether `frame` is a Hello that would register this room (nobody has) from a client
    /// that has created as many rooms as it may for now. Rooms are cheap to make and never
    /// go away by themselves, so one client must not make them by the thousand.
    fn creates_room_over_budget(&self, conn: ConnId, frame: &[u8]) -> bool {
        if self.room.is_registered() {
            return false;
        }
        let Some(client) = self.conns.get(&conn).and_then(|c| c.client) else {
            return false;
        };
        matches!(wire::decode(frame), Ok(Message::Hello { .. })) && !self.hub.take_new_room(client)
    }

    /// Whether this frame from an admitted connection would store more than the room may
    /// (`ROOM_STORAGE_FULL`) or than all rooms may together (`RELAY_FULL`). Appends count in
    /// full; a snapshot only needs to fit the room by itself, since storing it lets the relay
    /// drop the entries it covers.
    fn over_storage_limit(&self, conn: ConnId, frame: &[u8]) -> Option<u16> {
        let admitted = self.conns.get(&conn).is_some_and(|c| c.admitted);
        if !admitted {
            return None;
        }
        let room_max = self.hub.limits.max_room_bytes;
        let relay_max = self.hub.limits.max_stored_bytes;
        let stored = self.hub.metrics.stored_now.load(Ordering::Relaxed);
        let fits = |len: u64| {
            let room = self.usage.total.saturating_add(len) <= room_max;
            let relay = relay_max == 0 || stored.saturating_add(len) <= relay_max;
            (room, relay)
        };
        // The frame's length bounds its payload: most frames need no decoding here.
        if fits(frame.len() as u64) == (true, true) {
            return None;
        }
        match wire::decode_with_limit(frame, self.hub.limits.max_message_bytes) {
            Ok(Message::Append { sealed, .. }) => match fits(sealed.len() as u64) {
                (false, _) => Some(code::ROOM_STORAGE_FULL),
                (true, false) => Some(code::RELAY_FULL),
                (true, true) => None,
            },
            Ok(Message::Snapshot { sealed, .. }) if sealed.len() as u64 > room_max => {
                Some(code::ROOM_STORAGE_FULL)
            }
            _ => None,
        }
    }

    /// Sends an error frame and closes, on the relay's own account.
    fn refuse(&mut self, conn: ConnId, code: u16, message: &str) {
        if let Some(c) = self.conns.remove(&conn) {
            refuse_outbox(&c.outbox, code, message);
            self.hub.metrics.error_sent(code);
            self.hub.refusals.refused(conn, &self.hash, code);
        }
        self.room.connection_closed(conn);
    }

    fn execute(&mut self, effects: Vec<Effect>) {
        let mut effects = effects.into_iter().peekable();
        while let Some(effect) = effects.next() {
            match effect {
                Effect::Send { conn, frame } => {
                    let closes_next =
                        matches!(effects.peek(), Some(Effect::Close { conn: c }) if *c == conn);
                    self.send(conn, frame, closes_next);
                }
                Effect::Close { conn } => {
                    if let Some(c) = self.conns.remove(&conn) {
                        let _ = c.outbox.tx.send(Outbound::Close);
                    }
                    self.room.connection_closed(conn);
                }
                Effect::Persist(record) => {
                    let before = self.usage.total;
                    self.usage.record(&record);
                    self.account(before);
                    self.persist(Op::Record(record));
                }
                Effect::Compact { through_seq } => {
                    let before = self.usage.total;
                    self.usage.compact(through_seq);
                    self.account(before);
                    self.persist(Op::Compact { through_seq });
                }
                Effect::LoadLog => self.read_log(),
            }
        }
        self.account_memory();
    }

    /// Reads the room's records for the room beside the task's other work; the answer comes
    /// back through `loads`. What it reads is what is durable, which is all the room paged out.
    fn read_log(&self) {
        let hub = Arc::clone(&self.hub);
        let (id, loads) = (self.id, self.loads.clone());
        tokio::spawn(async move {
            let records = match hub.writer.load(id).await {
                Ok(records) => Some(records.unwrap_or_default()),
                Err(_) => None,
            };
            let _ = loads.send(records);
        });
    }

    fn log_loaded(&mut self, records: Option<Vec<Record>>) {
        let effects = match records {
            Some(records) => {
                metrics::inc(&self.hub.metrics.logs_read_back);
                self.room.log_loaded(records)
            }
            None => {
                tracing::error!(room = %self.hash, "Verlauf lässt sich nicht wieder lesen");
                self.room.log_unavailable()
            }
        };
        self.execute(effects);
        let conns: Vec<ConnId> = self.conns.keys().copied().collect();
        for conn in conns {
            self.mark_catching_up(conn);
        }
    }

    /// Carries a change of what the room holds in memory into the relay-wide figure that
    /// `--max-memory-bytes` is checked against.
    fn account_memory(&mut self) {
        let now = self.room.resident_bytes();
        let metrics = &self.hub.metrics;
        if now >= self.resident {
            metrics::add(&metrics.room_memory, now - self.resident);
        } else {
            metrics::sub(&metrics.room_memory, self.resident - now);
        }
        self.resident = now;
    }

    /// Carries a change of the room's stored bytes (from `before`) into the relay-wide
    /// figures the quotas are checked against.
    fn account(&self, before: u64) {
        let stored = &self.hub.metrics.stored_now;
        let after = self.usage.total;
        if after >= before {
            metrics::add(stored, after - before);
        } else {
            // Never below zero, whatever another instance did meanwhile.
            metrics::sub(stored, before - after);
        }
    }

    fn persist(&mut self, op: Op) {
        if !self
            .hub
            .writer
            .write(self.id, op, self.usage.total, &self.report)
        {
            self.storage_failed();
        }
    }

    fn send(&mut self, conn: ConnId, frame: Bytes, closes_next: bool) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        // Admission and refusals are rare, their frames tiny: decode only those candidates.
        if closes_next || (!c.admitted && frame.len() <= 32) {
            match wire::decode(&frame) {
                Ok(Message::Admitted { .. }) => {
                    c.admitted = true;
                    tracing::info!(conn, room = %self.hash, "Verbindung zugelassen");
                }
                Ok(Message::Error { code, .. }) => {
                    self.hub.metrics.error_sent(code);
                    self.hub.refusals.refused(conn, &self.hash, code);
                }
                _ => {}
            }
        }
        let queued = c.outbox.queued.fetch_add(frame.len(), Ordering::Relaxed) + frame.len();
        if queued > self.hub.limits.max_queued_bytes() {
            c.outbox.queued.fetch_sub(frame.len(), Ordering::Relaxed);
            self.refuse(conn, code::TOO_SLOW, "too slow");
            return;
        }
        if c.outbox.tx.send(Outbound::Frame(frame)).is_err() {
            // The connection task is gone; its Closed event is on the way.
            c.outbox.queued.store(0, Ordering::Relaxed);
        }
    }

    /// Storage lost writes of this room: tell everyone, and leave memory so the next connection
    /// rebuilds the room from the disk (a new epoch, which clients handle).
    fn storage_failed(&mut self) {
        if self.failed {
            return;
        }
        self.failed = true;
        self.hub.retire_now(&self.id, self.generation);
        tracing::error!(room = %self.hash, "Speicher ausgefallen, Raum wird geschlossen");
        let conns: Vec<ConnId> = self.conns.keys().copied().collect();
        for conn in conns {
            self.refuse(conn, code::STORAGE_FAILURE, "storage failure");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_follows_records_and_compaction() {
        let mut usage = Usage::default();
        for seq in 1..=4 {
            usage.record(&Record::Entry {
                seq,
                prev_seq: seq - 1,
                sealed: vec![0; 10],
            });
        }
        usage.record(&Record::Snapshot {
            covers_seq: 2,
            sealed: vec![0; 7],
        });
        assert_eq!(usage.total, 47);
        usage.compact(2);
        assert_eq!(usage.total, 27);
        usage.record(&Record::Snapshot {
            covers_seq: 4,
            sealed: vec![0; 5],
        });
        usage.compact(4);
        assert_eq!(usage.total, 5);
    }

    #[test]
    fn short_hash_is_short_and_stable() {
        let a = short_hash(&[1; 16]);
        assert_eq!(a.len(), 8);
        assert_eq!(a, short_hash(&[1; 16]));
        assert_ne!(a, short_hash(&[2; 16]));
    }
}
