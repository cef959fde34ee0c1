//! The one storage writer: a dedicated thread that owns the database connection
//! ([`crate::store`]).
//!
//! Rooms queue writes and go on; the writer takes everything queued at that moment, applies it in
//! one transaction, commits (one fsync for the whole batch) and then tells each room with entries
//! in the batch how far its log is durable ([`Outcome::Durable`]). The more load, the larger the
//! batches, so commits per second stay bounded by the disk while throughput grows. Loads go
//! through the same queue, so a room rebuilt from storage sees every write queued before it, even
//! those of a room task that has just retired.
//!
//! If a commit fails, every room in the batch hears [`Outcome::Failed`] (its memory is now ahead
//! of the disk), and later writes for those rooms are dropped until the room is loaded afresh:
//! a gap in a room's log would otherwise stall its clients' catch-up.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use dreieck_sync::room::Record;
use dreieck_sync::RoomId;
use tokio::sync::{mpsc, oneshot};

use crate::metrics::Metrics;
use crate::store::{self, Claim, Database, Op, Store};
use crate::Error;

/// Commands taken into one transaction at most; bounds a commit's size under a flood.
const MAX_BATCH: usize = 4096;

/// What the writer tells a room about its writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Every entry up to `up_to` is committed.
    Durable { up_to: u64 },
    /// A commit with this room's writes failed.
    Failed,
}

/// Storage could not do what was asked (the reason is logged by the writer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StorageFailed;

type Loaded = Result<Option<Vec<Record>>, StorageFailed>;
type Claimed = Result<Claim, StorageFailed>;

enum Command {
    Write {
        room: RoomId,
        op: Op,
        room_bytes: u64,
        report: mpsc::UnboundedSender<Outcome>,
    },
    Load {
        room: RoomId,
        reply: oneshot::Sender<Loaded>,
    },
    Flush {
        reply: oneshot::Sender<Result<(), StorageFailed>>,
    },
    Claim {
        room: RoomId,
        reply: oneshot::Sender<Claimed>,
    },
    Release {
        room: RoomId,
    },
    Register {
        url: String,
        reply: oneshot::Sender<Result<(), StorageFailed>>,
    },
    Expire {
        cutoff: i64,
        now: i64,
        keep: HashSet<RoomId>,
        reply: oneshot::Sender<Result<Swept, StorageFailed>>,
    },
    StoredBytes {
        reply: oneshot::Sender<Result<u64, StorageFailed>>,
    },
    Stop,
}

/// A handle to the writer thread; clones share it.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    queue: std_mpsc::Sender<Command>,
    thread: Arc<Mutex<Option<JoinHandle<()>>>>,
    /// Set when several instances may share the database ([`Store::cluster_secret`]).
    cluster_secret: Option<[u8; 32]>,
}

impl Writer {
    /// Starts the thread, which opens the database; returns once it is open. The database is
    /// opened on the writer's own thread because the PostgreSQL client must not block a thread
    /// that runs async tasks.
    pub fn start(database: &Database, metrics: Arc<Metrics>) -> Result<Writer, Error> {
        let (queue, commands) = std_mpsc::channel();
        let (opened, open_result) = std_mpsc::sync_channel(1);
        let database = database.clone();
        let thread = std::thread::Builder::new()
            .name("dreieck-writer".into())
            .spawn(move || match store::open(&database) {
                Ok(mut store) => match store.stored_bytes() {
                    Ok(stored) => {
                        metrics
                            .stored_now
                            .store(stored, std::sync::atomic::Ordering::Relaxed);
                        let _ = opened.send(Ok(store.cluster_secret()));
                        run(store, commands, &metrics);
                    }
                    Err(error) => {
                        let _ = opened.send(Err(error));
                    }
                },
                Err(error) => {
                    let _ = opened.send(Err(error));
                }
            })
            .map_err(Error::WriterThread)?;
        let cluster_secret = open_result.recv().map_err(|_| Error::DatabaseGone)??;
        Ok(Writer {
            queue,
            thread: Arc::new(Mutex::new(Some(thread))),
            cluster_secret,
        })
    }

    /// What instances sharing the database show each other; `None` with a database of one
    /// instance (SQLite), where rooms are never served elsewhere.
    pub fn cluster_secret(&self) -> Option<&[u8; 32]> {
        self.cluster_secret.as_ref()
    }

    /// Makes this instance the one serving `room`, or says which one does.
    pub async fn claim(&self, room: RoomId) -> Claimed {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Command::Claim { room, reply })
            .map_err(|_| StorageFailed)?;
        answer.await.map_err(|_| StorageFailed)?
    }

    /// This instance no longer serves `room`; queued after the room's last writes.
    pub fn release(&self, room: RoomId) {
        let _ = self.queue.send(Command::Release { room });
    }

    /// Deletes rooms that hold nothing, untouched since `cutoff`, and purges rooms whose
    /// retention ended by `now`, none of them in `keep`; how many of each.
    pub async fn expire(
        &self,
        cutoff: i64,
        now: i64,
        keep: HashSet<RoomId>,
    ) -> Result<Swept, StorageFailed> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Command::Expire {
                cutoff,
                now,
                keep,
                reply,
            })
            .map_err(|_| StorageFailed)?;
        answer.await.map_err(|_| StorageFailed)?
    }

    /// The sealed bytes all rooms store, every instance's writes included (as committed with
    /// this instance's writes queued before).
    pub async fn stored_bytes(&self) -> Result<u64, StorageFailed> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Command::StoredBytes { reply })
            .map_err(|_| StorageFailed)?;
        answer.await.map_err(|_| StorageFailed)?
    }

    /// Tells the other instances where to forward connections (`ws://host:port/sync`).
    pub async fn register(&self, url: String) -> Result<(), StorageFailed> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Command::Register { url, reply })
            .map_err(|_| StorageFailed)?;
        answer.await.map_err(|_| StorageFailed)?
    }

    /// Queues a write; `room_bytes` is the room's stored size after it. False if the writer
    /// has stopped.
    pub fn write(
        &self,
        room: RoomId,
        op: Op,
        room_bytes: u64,
        report: &mpsc::UnboundedSender<Outcome>,
    ) -> bool {
        self.queue
            .send(Command::Write {
                room,
                op,
                room_bytes,
                report: report.clone(),
            })
            .is_ok()
    }

    /// Everything stored for `room` (`None`: nothing), after every write queued before.
    pub async fn load(&self, room: RoomId) -> Loaded {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Command::Load { room, reply })
            .map_err(|_| StorageFailed)?;
        answer.await.map_err(|_| StorageFailed)?
    }

    /// Completes when everything queued before is committed.
    pub async fn flush(&self) -> Result<(), StorageFailed> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Command::Flush { reply })
            .map_err(|_| StorageFailed)?;
        answer.await.map_err(|_| StorageFailed)?
    }

    /// Commits everything queued, stops the thread and waits for it.
    pub async fn stop(&self) {
        let _ = self.queue.send(Command::Stop);
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(thread) = thread {
            let joined = tokio::task::spawn_blocking(move || thread.join()).await;
            if !matches!(joined, Ok(Ok(()))) {
                tracing::error!("Speicher-Thread ist abgestürzt");
            }
        }
    }
}

fn run(mut store: Box<dyn Store>, commands: std_mpsc::Receiver<Command>, metrics: &Metrics) {
    let mut poisoned = HashSet::new();
    loop {
        let Ok(first) = commands.recv() else {
            return; // every handle is gone; everything sent was processed
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match commands.try_recv() {
                Ok(command) => batch.push(command),
                Err(_) => break,
            }
        }
        let stop = batch.iter().any(|c| matches!(c, Command::Stop));
        process(store.as_mut(), batch, &mut poisoned, metrics);
        if stop {
            // Commands sent after Stop (none, once the rooms are gone) are not waited for.
            while let Ok(command) = commands.try_recv() {
                process(store.as_mut(), vec![command], &mut poisoned, metrics);
            }
            return;
        }
    }
}

/// What one sweep removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    /// Rooms that held nothing.
    pub empty: u64,
    /// Rooms purged because their retention period ended.
    pub retained: u64,
}

/// What a batch answers besides durability, in queue order.
struct Answers<'a> {
    loads: &'a mut Vec<Option<Vec<Record>>>,
    expired: &'a mut Vec<Swept>,
    stored: &'a mut Vec<u64>,
    /// Rooms whose writes were refused because they may be another instance's now.
    lost: &'a mut HashMap<RoomId, mpsc::UnboundedSender<Outcome>>,
}

struct RoomBatch {
    max_seq: Option<u64>,
    bytes: u64,
    report: mpsc::UnboundedSender<Outcome>,
}

fn process(
    store: &mut dyn Store,
    batch: Vec<Command>,
    poisoned: &mut HashSet<RoomId>,
    metrics: &Metrics,
) {
    let mut rooms: HashMap<RoomId, RoomBatch> = HashMap::new();
    let mut loads = Vec::new();
    let mut lost = HashMap::new();
    let mut expired = Vec::new();
    let mut stored = Vec::new();
    let result = store.begin().and_then(|()| {
        let mut answers = Answers {
            loads: &mut loads,
            expired: &mut expired,
            stored: &mut stored,
            lost: &mut lost,
        };
        write_batch(store, &batch, poisoned, &mut rooms, &mut answers)
            .and_then(|written| store.commit().map(|()| written))
    });
    if result.is_err() {
        store.rollback();
    }
    let ok = match result {
        Ok((written, sealed_bytes)) => {
            metrics.committed(written);
            crate::metrics::add(&metrics.stored_bytes, sealed_bytes);
            true
        }
        Err(error) => {
            crate::metrics::inc(&metrics.commit_failures);
            tracing::error!(%error, "Speichern fehlgeschlagen");
            poisoned.extend(rooms.keys().copied());
            false
        }
    };
    // Rooms that may have passed to another instance: nothing of theirs was written.
    for report in lost.values() {
        let _ = report.send(Outcome::Failed);
    }
    for batch in rooms.values() {
        let outcome = match (ok, batch.max_seq) {
            (true, Some(up_to)) => Outcome::Durable { up_to },
            (true, None) => continue,
            (false, _) => Outcome::Failed,
        };
        let _ = batch.report.send(outcome);
    }
    // Who serves which room changes after the writes queued before, each change on its own:
    // a release must not let another instance load the room before its last writes are
    // committed, and a claim held in the batch's transaction would lock rows that another
    // instance's batch may lock in the other order (a deadlock).
    let mut owners = Vec::new();
    for command in &batch {
        let changed = match command {
            Command::Claim { room, .. } => store.claim(room).map(Some),
            Command::Release { room } => store.release(room).map(|()| None),
            Command::Register { url, .. } => store.register(url).map(|()| None),
            _ => continue,
        };
        if let Err(error) = &changed {
            tracing::error!(%error, "Zuordnung der Räume fehlgeschlagen");
        }
        owners.push(changed.map_err(|_| StorageFailed));
    }
    let mut owners = owners.into_iter();
    let mut loads = loads.into_iter();
    let mut expired = expired.into_iter();
    let mut stored = stored.into_iter();
    for command in batch {
        match command {
            Command::Load { reply, .. } => {
                let loaded = match (ok, loads.next()) {
                    (true, Some(records)) => Ok(records),
                    _ => Err(StorageFailed),
                };
                let _ = reply.send(loaded);
            }
            Command::Claim { reply, .. } => {
                let claimed = match owners.next() {
                    Some(Ok(Some(claim))) => Ok(claim),
                    _ => Err(StorageFailed),
                };
                let _ = reply.send(claimed);
            }
            Command::Register { reply, .. } => {
                let _ = reply.send(match owners.next() {
                    Some(Ok(_)) => Ok(()),
                    _ => Err(StorageFailed),
                });
            }
            Command::Release { .. } => {
                owners.next();
            }
            Command::Flush { reply } => {
                let _ = reply.send(if ok { Ok(()) } else { Err(StorageFailed) });
            }
            Command::Expire { reply, .. } => {
                let _ = reply.send(match (ok, expired.next()) {
                    (true, Some(n)) => Ok(n),
                    _ => Err(StorageFailed),
                });
            }
            Command::StoredBytes { reply } => {
                let _ = reply.send(match (ok, stored.next()) {
                    (true, Some(n)) => Ok(n),
                    _ => Err(StorageFailed),
                });
            }
            Command::Write { .. } | Command::Stop => {}
        }
    }
}

/// Applies the batch inside the open transaction; returns how many records were written and how
/// many sealed bytes (log entries and snapshots) they hold.
fn write_batch(
    store: &mut dyn Store,
    batch: &[Command],
    poisoned: &mut HashSet<RoomId>,
    rooms: &mut HashMap<RoomId, RoomBatch>,
    answers: &mut Answers<'_>,
) -> Result<(u64, u64), Error> {
    let mut written = 0;
    let mut sealed_bytes = 0u64;
    for command in batch {
        match command {
            Command::Write {
                room,
                op,
                room_bytes,
                report,
            } => {
                if poisoned.contains(room) {
                    continue; // its task already heard Failed and is retiring
                }
                if !store.still_ours(room) {
                    poisoned.insert(*room);
                    answers.lost.insert(*room, report.clone());
                    continue;
                }
                // The room is part of this batch before its write is tried: if the write
                // fails, the room must hear that its writes were lost.
                let entry = rooms.entry(*room).or_insert_with(|| RoomBatch {
                    max_seq: None,
                    bytes: *room_bytes,
                    report: report.clone(),
                });
                entry.bytes = *room_bytes;
                store.apply(room, op)?;
                written += 1;
                if let Op::Record(Record::Entry { sealed, .. } | Record::Snapshot { sealed, .. }) =
                    op
                {
                    sealed_bytes += sealed.len() as u64;
                }
                if let Op::Record(Record::Entry { seq, .. } | Record::Purged { seq, .. }) = op {
                    entry.max_seq = Some(entry.max_seq.map_or(*seq, |m| m.max(*seq)));
                }
            }
            Command::Load { room, .. } => {
                // A new room task: the old one's writes are all before this in the queue.
                poisoned.remove(room);
                answers.loads.push(store.load(room)?);
            }
            Command::Expire {
                cutoff, now, keep, ..
            } => {
                let empty = store.expire_empty(*cutoff, keep)?;
                let retained = store.purge_retained(*now, keep)?;
                answers.expired.push(Swept { empty, retained });
            }
            Command::StoredBytes { .. } => {} // read once the batch's sizes are set, below
            Command::Flush { .. }
            | Command::Stop
            | Command::Claim { .. }
            | Command::Release { .. }
            | Command::Register { .. } => {}
        }
    }
    for (room, batch) in rooms.iter() {
        store.set_bytes(room, batch.bytes)?;
    }
    // What all rooms store, this batch's writes included: one reading answers every asker.
    let asked = batch
        .iter()
        .filter(|c| matches!(c, Command::StoredBytes { .. }))
        .count();
    if asked > 0 {
        let stored = store.stored_bytes()?;
        answers.stored.extend(std::iter::repeat_n(stored, asked));
    }
    Ok((written, sealed_bytes))
}
