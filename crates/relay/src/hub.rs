//! Which rooms are live, how many connections each has, and the relay-wide connection count.
//!
//! One mutex guards the room table; it is held only to look up, count and insert, never across
//! an await. The table's count for a room includes connections on their way in, and only a room
//! task that finds its count at zero *under the lock* may retire ([`Hub::try_retire`]), so a join
//! never reaches a task that is going away. Each room task has a generation number, so a
//! connection leaving a task that storage failure already retired does not touch its successor.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use dreieck_sync::wire::code;
use dreieck_sync::RoomId;
use tokio::sync::{mpsc, watch};

use crate::addresses::{AddressSlot, Addresses, ClientKey};
use crate::limits::SyncLimits;
use crate::metrics::{self, Metrics};
use crate::refusals::RefusalLog;
use crate::room_task::{self, RoomEvent};
use crate::runs::Runs;
use crate::store::Claim;
use crate::writer::{StorageFailed, Writer};

/// A live room as the table keeps it.
struct Slot {
    generation: u64,
    connections: usize,
    events: mpsc::UnboundedSender<RoomEvent>,
}

/// Where a connection goes ([`Hub::route`]).
#[derive(Debug)]
pub(crate) enum Route {
    /// To the room's task on this instance.
    Local(RoomHandle),
    /// To the instance serving the room, at this sync URL.
    Forward(String),
}

/// A connection's way to its room task.
#[derive(Debug, Clone)]
pub(crate) struct RoomHandle {
    pub room: RoomId,
    pub generation: u64,
    pub events: mpsc::UnboundedSender<RoomEvent>,
}

/// The sync endpoint's shared state.
pub(crate) struct Hub {
    pub limits: SyncLimits,
    pub metrics: Arc<Metrics>,
    pub writer: Writer,
    /// TLS for forwarding to an instance whose URL is `wss://` (instances on PostgreSQL only).
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// Refusals for the log, at most a few a second ([`RefusalLog`]).
    pub refusals: RefusalLog,
    rooms: Mutex<HashMap<RoomId, Slot>>,
    next_conn: AtomicU64,
    next_generation: AtomicU64,
    connections: AtomicUsize,
    addresses: Addresses,
    /// Bytes held for runs of parts, against their budgets.
    pub runs: Runs,
    shutdown: watch::Sender<bool>,
    tasks: watch::Sender<usize>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// Counts a running connection or room task until dropped (shutdown waits for none).
pub(crate) struct TaskGuard(Arc<Hub>);

impl Drop for TaskGuard {
    fn drop(&mut self) {
        self.0.tasks.send_modify(|n| *n = n.saturating_sub(1));
    }
}

/// Holds one of the relay-wide connection slots until dropped.
pub(crate) struct ConnectionSlot(Arc<Hub>);

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::AcqRel);
        metrics::dec(&self.0.metrics.connections_open);
    }
}

impl Hub {
    pub fn new(
        limits: SyncLimits,
        metrics: Arc<Metrics>,
        writer: Writer,
        tls: Option<Arc<rustls::ClientConfig>>,
    ) -> Hub {
        let runs = Runs::new(
            limits.max_run_bytes,
            limits.max_run_bytes_per_address,
            Arc::clone(&metrics.run_bytes),
        );
        Hub {
            limits,
            metrics,
            writer,
            tls,
            refusals: RefusalLog::default(),
            rooms: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(1),
            next_generation: AtomicU64::new(1),
            connections: AtomicUsize::new(0),
            addresses: Addresses::default(),
            runs,
            shutdown: watch::Sender::new(false),
            tasks: watch::Sender::new(0),
        }
    }

    fn rooms(&self) -> MutexGuard<'_, HashMap<RoomId, Slot>> {
        // A panic while holding the lock leaves the table consistent (no multi-step updates).
        self.rooms.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A number for logs and the room state machine, unique while the relay runs.
    pub fn next_connection_id(&self) -> u64 {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// Counts a task that shutdown must wait for.
    pub fn task_started(self: &Arc<Self>) -> TaskGuard {
        self.tasks.send_modify(|n| *n += 1);
        TaskGuard(Arc::clone(self))
    }

    /// One of the relay-wide connection slots, or `None` if all are taken.
    pub fn take_connection_slot(self: &Arc<Self>) -> Option<ConnectionSlot> {
        let before = self.connections.fetch_add(1, Ordering::AcqRel);
        metrics::inc(&self.metrics.connections_open);
        let slot = ConnectionSlot(Arc::clone(self));
        (before < self.limits.max_connections).then_some(slot)
    }

    /// One of `key`'s connection slots, or `None` if it holds its maximum already.
    pub fn take_address_slot(&self, key: ClientKey) -> Option<AddressSlot> {
        self.addresses
            .take(key, self.limits.max_connections_per_address)
    }

    /// Where a connection to `room` goes: to the room's task here (started if it is not
    /// live), or, when instances share the database and another one serves the room, to that
    /// instance. A connection another instance forwarded (`forwarded`) is never forwarded
    /// again: if the room has moved on meanwhile, the device reconnects. Refusals are protocol
    /// error codes.
    pub async fn route(self: &Arc<Self>, room: RoomId, forwarded: bool) -> Result<Route, u16> {
        if self.writer.cluster_secret().is_none() {
            return self.join(room).map(Route::Local);
        }
        if let Some(joined) = self.join_live(room) {
            return joined.map(Route::Local);
        }
        match self.writer.claim(room).await {
            Ok(Claim::Ours) => self.join(room).map(Route::Local),
            Ok(Claim::Elsewhere { url }) if !forwarded => Ok(Route::Forward(url)),
            Ok(Claim::Elsewhere { .. } | Claim::Unavailable) => Err(code::ROOM_ELSEWHERE),
            Err(StorageFailed) => Err(code::STORAGE_FAILURE),
        }
    }

    /// Joins `room` if its task is live here; `None` if it is not.
    fn join_live(&self, room: RoomId) -> Option<Result<RoomHandle, u16>> {
        if self.is_shutting_down() {
            return Some(Err(code::SHUTTING_DOWN));
        }
        self.enter(&mut self.rooms(), room)
    }

    /// Counts one more connection on the live task of `room`, under the table's lock.
    fn enter(
        &self,
        rooms: &mut HashMap<RoomId, Slot>,
        room: RoomId,
    ) -> Option<Result<RoomHandle, u16>> {
        let slot = rooms.get_mut(&room)?;
        if slot.connections >= self.limits.max_room_connections {
            return Some(Err(code::ROOM_FULL));
        }
        slot.connections += 1;
        Some(Ok(RoomHandle {
            room,
            generation: slot.generation,
            events: slot.events.clone(),
        }))
    }

    /// Whether `key` may create one more room (`--new-rooms-per-hour`, `--new-room-burst`).
    pub fn take_new_room(&self, key: ClientKey) -> bool {
        self.addresses.take_new_room(
            key,
            self.limits.new_rooms_per_hour,
            self.limits.new_room_burst,
            std::time::Instant::now(),
        )
    }

    /// How long reading `n` more bytes from `key`'s connections must wait
    /// (`--address-bytes-per-second`, `--address-byte-burst`; zero within the budget).
    pub fn borrow_address_bytes(&self, key: ClientKey, n: usize) -> std::time::Duration {
        self.addresses.borrow_bytes(
            key,
            n as f64,
            self.limits.address_bytes_per_second,
            self.limits.address_byte_burst,
            std::time::Instant::now(),
        )
    }

    /// Whether `key` may open one more connection (`--connects-per-second`, `--connect-burst`).
    pub fn take_attempt(&self, key: ClientKey) -> bool {
        self.addresses.take_attempt(
            key,
            self.limits.connects_per_second,
            self.limits.connect_burst,
            std::time::Instant::now(),
        )
    }

    /// Routes a connection to `room` here, starting its task if it is not live. Refusals are
    /// protocol error codes.
    fn join(self: &Arc<Self>, room: RoomId) -> Result<RoomHandle, u16> {
        if self.is_shutting_down() {
            return Err(code::SHUTTING_DOWN);
        }
        let mut rooms = self.rooms();
        if let Some(joined) = self.enter(&mut rooms, room) {
            return joined;
        }
        if self.limits.max_room_connections == 0 {
            return Err(code::ROOM_FULL);
        }
        // The rooms in memory go on; no further one is loaded while they fill the quota.
        if self.metrics.room_memory.load(Ordering::Relaxed) >= self.limits.max_memory_bytes {
            return Err(code::RELAY_FULL);
        }
        let generation = self.next_generation.fetch_add(1, Ordering::Relaxed);
        let (events, inbox) = mpsc::unbounded_channel();
        rooms.insert(
            room,
            Slot {
                generation,
                connections: 1,
                events: events.clone(),
            },
        );
        drop(rooms);
        let task = self.task_started();
        tokio::spawn(room_task::run(
            Arc::clone(self),
            task,
            room,
            generation,
            inbox,
        ));
        Ok(RoomHandle {
            room,
            generation,
            events,
        })
    }

    /// A connection routed by [`Hub::join`] is gone. The last one out wakes its room task.
    pub fn leave(&self, handle: &RoomHandle) {
        let mut rooms = self.rooms();
        if let Some(slot) = rooms.get_mut(&handle.room) {
            if slot.generation == handle.generation {
                slot.connections = slot.connections.saturating_sub(1);
                if slot.connections == 0 {
                    let _ = slot.events.send(RoomEvent::Vacant);
                }
            }
        }
    }

    /// Removes the room task `generation` from the table if no connection is on it or on its way.
    pub fn try_retire(&self, room: &RoomId, generation: u64) -> bool {
        let mut rooms = self.rooms();
        match rooms.get(room) {
            Some(slot) if slot.generation == generation && slot.connections == 0 => {
                rooms.remove(room);
                true
            }
            Some(slot) if slot.generation == generation => false,
            // Already removed (storage failure) or replaced.
            _ => true,
        }
    }

    /// Removes the room task `generation` whatever its connections (storage failed).
    pub fn retire_now(&self, room: &RoomId, generation: u64) {
        let mut rooms = self.rooms();
        if rooms.get(room).is_some_and(|s| s.generation == generation) {
            rooms.remove(room);
        }
    }

    /// The rooms live on this instance now.
    pub fn live_rooms(&self) -> std::collections::HashSet<RoomId> {
        self.rooms().keys().copied().collect()
    }

    /// Whether shutdown has begun.
    pub fn is_shutting_down(&self) -> bool {
        *self.shutdown.borrow()
    }

    /// Completes once shutdown has begun.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Tells every connection and room to finish.
    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// Completes when no connection or room task runs any more.
    pub async fn idle(&self) {
        let mut tasks = self.tasks.subscribe();
        let _ = tasks.wait_for(|n| *n == 0).await;
    }
}
