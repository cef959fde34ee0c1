//! `GET /sync`: one WebSocket connection, one task that owns the socket.
//!
//! The contract (docs/contracts.md, "Relay WebSocket"): one binary message is one wire frame; the
//! first must be `Hello`, which routes the connection to its room; every later frame goes to the
//! room task as it is, except that a run of parts (a large message, `dreieck_sync::parts`) is
//! joined here first and goes to the room as one frame. What the relay checks before the room sees a frame — its size, the
//! message rate, text messages, the relay-wide and per-room connection counts, shutdown — is
//! answered here with an `Error` frame and a close, like everything the room refuses. After an
//! error the socket is closed with the WebSocket closing handshake (we keep reading until the
//! client's close arrives, for a bounded time), so the error frame is not lost to a TCP reset
//! when the client still has frames in flight.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};
use axum::Extension;
use dreieck_sync::parts::{self, Assembler};
use dreieck_sync::room::ConnId;
use dreieck_sync::wire::{self, code, Message};
use dreieck_sync::Error as WireError;
use futures_util::SinkExt as _;
use tokio::sync::mpsc;

use crate::addresses::ClientKey;
use crate::hub::{Hub, Route};
use crate::limits::TokenBucket;
use crate::metrics;
use crate::room_task::sleep_until_some;
use crate::room_task::{short_hash, Outbound, Outbox, RoomEvent};
use crate::runs::Held;

mod forward;

/// How long to wait for the client's half of the closing handshake.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// The same for a connection refused at the door (a connection limit).
const DOOR_CLOSE_TIMEOUT: Duration = Duration::from_millis(250);

/// Below this many queued bytes, a connection in the middle of a catch-up asks its room for
/// the next step (`dreieck_sync::room::Room::send_more`).
const DRAINED: usize = dreieck_sync::room::CATCH_UP_CHUNK / 4;

/// Frames taken from the outbox before one flush of the socket.
const SEND_BATCH: usize = 64;

/// The upgrade: the relay's WebSocket limits, then [`connection`].
pub(crate) async fn sync(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    // Another instance forwarding a device: it counted the device's address already.
    let forwarded = forward::is_forwarded(hub.writer.cluster_secret(), &headers);
    // Whom the connection counts for (`client`), and whose new-room budget it spends
    // (`origin`: for a forwarded connection, the address the first instance saw).
    let (client, origin) = if forwarded {
        metrics::inc(&hub.metrics.forwarded_in_total);
        let origin = headers
            .get(forward::CLIENT_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(ClientKey::forwarded);
        (None, origin)
    } else {
        let client = ClientKey::of(peer.map(|Extension(ConnectInfo(addr))| addr), &headers);
        (client, client)
    };
    if client.is_some_and(|key| !hub.take_attempt(key)) {
        metrics::inc(&hub.metrics.attempts_refused);
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "1")],
            "Zu viele Verbindungsversuche von dieser Adresse.",
        )
            .into_response();
    }
    let max = hub.limits.max_frame_bytes;
    upgrade
        .max_message_size(max)
        .max_frame_size(max)
        // Small buffers keep idle connections cheap; they grow for large frames.
        .read_buffer_size(4 * 1024)
        .write_buffer_size(16 * 1024)
        .on_upgrade(move |socket| connection(hub, socket, client, origin, forwarded))
}

/// Why a connection ends.
enum End {
    /// The client closed or went away.
    Gone,
    /// The room closed it (it sent an error frame first) or the relay refuses with this code.
    Refused(u16, &'static str),
    /// The room asked for a close after its frames.
    ClosedByRoom,
}

struct Connection {
    hub: Arc<Hub>,
    id: ConnId,
    socket: WebSocket,
    bucket: TokenBucket,
    /// Bytes per second: beyond, reading this connection waits ([`Connection::next_frame`]).
    bytes: TokenBucket,
    /// Reading waits until then (the debt of the bytes bucket).
    read_after: Option<tokio::time::Instant>,
    room: String,
    /// Whether the room has sent Admitted (seen passing through the outbox).
    admitted: bool,
    /// Hello and admission must both be done by then: a connection that never answers the
    /// challenge would otherwise hold one of its room's places for good.
    admit_deadline: tokio::time::Instant,
    /// How long to wait for the client's half of the closing handshake.
    close_timeout: Duration,
    /// Joins runs of parts (`dreieck_sync::parts`), so the room and its storage limit see
    /// every message whole, and no connection holds more than `--max-message-bytes` for one.
    assembler: Assembler,
    /// What the run being joined holds, against the relay's and the client's budgets.
    held: Held,
    /// The next part of the run being joined must come by then.
    part_deadline: Option<tokio::time::Instant>,
    /// The client's address key, for its new-room budget (the room checks it).
    origin: Option<ClientKey>,
}

async fn connection(
    hub: Arc<Hub>,
    socket: WebSocket,
    client: Option<ClientKey>,
    origin: Option<ClientKey>,
    forwarded: bool,
) {
    let _task = hub.task_started();
    let id = hub.next_connection_id();
    metrics::inc(&hub.metrics.connections_total);
    let bucket = TokenBucket::new(
        hub.limits.messages_per_second,
        hub.limits.message_burst,
        Instant::now(),
    );
    let bytes = TokenBucket::new(
        hub.limits.bytes_per_second,
        hub.limits.byte_burst,
        Instant::now(),
    );
    let mut c = Connection {
        hub: Arc::clone(&hub),
        id,
        socket,
        bucket,
        bytes,
        read_after: None,
        room: String::from("-"),
        admitted: false,
        admit_deadline: tokio::time::Instant::now() + hub.limits.admission_timeout(),
        assembler: Assembler::new(hub.limits.max_message_bytes),
        held: hub.runs.share(origin),
        part_deadline: None,
        origin,
        close_timeout: CLOSE_TIMEOUT,
    };
    // The address first: a client over its limit must not take the relay-wide slots from
    // everyone else. A connection refused at the door holds no slot while it is closed, and
    // is closed quickly (it has said nothing worth waiting for).
    let address_slot = match client.map(|key| hub.take_address_slot(key)) {
        Some(None) => {
            c.close_timeout = DOOR_CLOSE_TIMEOUT;
            c.refuse(
                code::TOO_MANY_FROM_ADDRESS,
                "too many connections from this address",
            )
            .await;
            return;
        }
        other => other.flatten(),
    };
    let slot = hub.take_connection_slot();
    if slot.is_none() {
        drop(address_slot);
        c.close_timeout = DOOR_CLOSE_TIMEOUT;
        c.refuse(code::TOO_MANY_CONNECTIONS, "too many connections")
            .await;
        return;
    }
    tracing::info!(conn = id, "Sync-Verbindung geöffnet");
    let end = match c.hello(forwarded).await {
        Ok((Route::Forward(url), hello)) => c.forward(&url, hello).await,
        Ok((Route::Local(handle), hello)) => {
            c.room = short_hash(&handle.room);
            let end = c.joined(&handle, hello).await;
            let _ = handle.events.send(RoomEvent::Closed { conn: id });
            hub.leave(&handle);
            end
        }
        Err(end) => end,
    };
    match end {
        End::Gone => {}
        End::Refused(code, message) => c.refuse(code, message).await,
        End::ClosedByRoom => c.close_handshake(1008, "").await,
    }
    tracing::info!(conn = id, room = %c.room, "Sync-Verbindung geschlossen");
    drop((address_slot, slot));
}

/// A received frame's error as a protocol code.
fn decode_error_code(error: &WireError) -> u16 {
    match error {
        WireError::UnsupportedVersion(_) => code::UNSUPPORTED_VERSION,
        WireError::FrameTooLarge { .. } => code::FRAME_TOO_LARGE,
        _ => code::BAD_FRAME,
    }
}

/// Whether a read error is tungstenite refusing a message over the size limit.
fn is_too_large(error: &axum::Error) -> bool {
    use std::error::Error as _;
    let mut source: Option<&(dyn std::error::Error + 'static)> = error.source();
    while let Some(e) = source {
        if let Some(tungstenite::Error::Capacity(_)) = e.downcast_ref::<tungstenite::Error>() {
            return true;
        }
        source = e.source();
    }
    false
}

impl Connection {
    /// The next binary message, with the checks every frame gets (rate, size, text). A
    /// connection over its byte rate is read later: the wait comes before reading, where
    /// giving up (another branch of the caller's `select!` won) loses nothing.
    async fn next_frame(&mut self) -> Result<Bytes, End> {
        if let Some(at) = self.read_after {
            tokio::time::sleep_until(at).await;
            self.read_after = None;
        }
        loop {
            let message = match self.socket.recv().await {
                None => return Err(End::Gone),
                Some(Err(error)) if is_too_large(&error) => {
                    return Err(End::Refused(code::FRAME_TOO_LARGE, "frame too large"))
                }
                Some(Err(_)) => return Err(End::Gone),
                Some(Ok(message)) => message,
            };
            match message {
                WsMessage::Binary(frame) => {
                    metrics::inc(&self.hub.metrics.frames_in);
                    metrics::add(&self.hub.metrics.bytes_in, frame.len() as u64);
                    if !self.bucket.take(Instant::now()) {
                        return Err(End::Refused(code::RATE_LIMITED, "rate limited"));
                    }
                    if frame.len() > self.hub.limits.max_frame_bytes {
                        return Err(End::Refused(code::FRAME_TOO_LARGE, "frame too large"));
                    }
                    let mut wait = self.bytes.borrow(frame.len() as f64, Instant::now());
                    if let Some(key) = self.origin {
                        wait = wait.max(self.hub.borrow_address_bytes(key, frame.len()));
                    }
                    if !wait.is_zero() {
                        metrics::inc(&self.hub.metrics.reads_delayed);
                        // A wait too long to represent (absurd limits) counts as an hour.
                        let now = tokio::time::Instant::now();
                        self.read_after = Some(
                            now.checked_add(wait)
                                .unwrap_or(now + Duration::from_secs(3600)),
                        );
                    }
                    return Ok(frame);
                }
                WsMessage::Text(_) => {
                    metrics::inc(&self.hub.metrics.frames_in);
                    return Err(End::Refused(
                        code::BAD_FRAME,
                        "text message; frames are binary",
                    ));
                }
                WsMessage::Ping(_) | WsMessage::Pong(_) => {
                    if !self.bucket.take(Instant::now()) {
                        return Err(End::Refused(code::RATE_LIMITED, "rate limited"));
                    }
                }
                WsMessage::Close(_) => return Err(End::Gone),
            }
        }
    }

    /// Waits for the Hello and routes the connection to its room, here or at the instance
    /// that serves it.
    async fn hello(&mut self, forwarded: bool) -> Result<(Route, Bytes), End> {
        let mut shutdown = self.hub.shutdown_signal();
        let frame = tokio::select! {
            () = async { drop(shutdown.wait_for(|stopping| *stopping).await) } => {
                return Err(End::Refused(code::SHUTTING_DOWN, "shutting down"));
            }
            frame = tokio::time::timeout(self.hub.limits.admission_timeout(), self.next_frame()) => match frame {
                Err(_) => return Err(End::Refused(code::TIMEOUT, "no Hello in time")),
                Ok(frame) => frame?,
            },
        };
        let room = match wire::decode_with_limit(&frame, self.hub.limits.max_frame_bytes) {
            Ok(Message::Hello { room, .. }) => room,
            Ok(_) => {
                return Err(End::Refused(
                    code::UNEXPECTED,
                    "the first frame must be Hello",
                ))
            }
            Err(error) => return Err(End::Refused(decode_error_code(&error), "bad frame")),
        };
        self.room = short_hash(&room);
        let route = self
            .hub
            .route(room, forwarded)
            .await
            .map_err(|code| End::Refused(code, "refused"))?;
        Ok((route, frame))
    }

    /// Relays frames between the socket and the room until either side ends.
    async fn joined(&mut self, handle: &crate::hub::RoomHandle, hello: Bytes) -> End {
        let (tx, mut outbox) = mpsc::unbounded_channel();
        let queued = Arc::new(AtomicUsize::new(0));
        let more = Arc::new(AtomicBool::new(false));
        let opened = RoomEvent::Opened {
            conn: self.id,
            client: self.origin,
            outbox: Outbox {
                tx,
                queued: Arc::clone(&queued),
                more: Arc::clone(&more),
            },
        };
        let to_room = |event| handle.events.send(event).is_ok();
        if !to_room(opened)
            || !to_room(RoomEvent::Frame {
                conn: self.id,
                frame: hello,
            })
        {
            return End::Refused(code::STORAGE_FAILURE, "room unavailable");
        }
        let mut shutdown = self.hub.shutdown_signal();
        loop {
            let (admitted, deadline) = (self.admitted, self.admit_deadline);
            let part_deadline = self.part_deadline;
            tokio::select! {
                biased;
                () = async { drop(shutdown.wait_for(|stopping| *stopping).await) } => {
                    return End::Refused(code::SHUTTING_DOWN, "shutting down");
                }
                () = tokio::time::sleep_until(deadline), if !admitted => {
                    return End::Refused(code::TIMEOUT, "not admitted in time");
                }
                () = sleep_until_some(part_deadline), if part_deadline.is_some() => {
                    return End::Refused(code::TIMEOUT, "run of parts not continued in time");
                }
                out = outbox.recv() => {
                    let Some(out) = out else {
                        return End::Refused(code::STORAGE_FAILURE, "room unavailable");
                    };
                    if let Some(end) = self.send_batch(out, &mut outbox, &queued).await {
                        return end;
                    }
                    // The room has more of a catch-up for this connection once it has taken
                    // what was queued: ask for it.
                    if queued.load(Ordering::Relaxed) < DRAINED
                        && more.swap(false, Ordering::AcqRel)
                        && !to_room(RoomEvent::Drained { conn: self.id })
                    {
                        return End::Refused(code::STORAGE_FAILURE, "room unavailable");
                    }
                }
                frame = self.next_frame() => {
                    let frame = match frame {
                        Ok(frame) => frame,
                        Err(end) => return end,
                    };
                    // Before admission nobody may make the relay hold a run (a Hello for a new
                    // room is enough to be admitted, but it is needed).
                    if !self.admitted && parts::is_part(&frame) {
                        return End::Refused(code::UNEXPECTED, "parts before admission");
                    }
                    let accepted = self.assembler.accept(&frame);
                    let holding = self.assembler.holding();
                    if let Err(code) = self.held.set(holding as u64) {
                        return End::Refused(code, "too many bytes held for runs of parts");
                    }
                    self.part_deadline = (holding > 0)
                        .then(|| tokio::time::Instant::now() + self.hub.limits.part_gap());
                    let joined = match accepted {
                        Ok(None) => continue,
                        Ok(Some(Cow::Borrowed(_))) => None,
                        Ok(Some(Cow::Owned(joined))) => Some(joined),
                        Err(error) => {
                            return End::Refused(decode_error_code(&error), "bad run of parts")
                        }
                    };
                    let frame = joined.map_or(frame, Bytes::from);
                    if !to_room(RoomEvent::Frame { conn: self.id, frame }) {
                        return End::Refused(code::STORAGE_FAILURE, "room unavailable");
                    }
                }
            }
        }
    }

    /// Sends `first` and whatever else waits in the outbox, then flushes once.
    async fn send_batch(
        &mut self,
        first: Outbound,
        outbox: &mut mpsc::UnboundedReceiver<Outbound>,
        queued: &AtomicUsize,
    ) -> Option<End> {
        let mut next = Some(first);
        let mut sent = 0;
        while let Some(out) = next.take() {
            match out {
                Outbound::Frame(frame) => {
                    queued.fetch_sub(frame.len(), Ordering::Relaxed);
                    // Admitted is tiny; only frames that small before admission are looked at.
                    if !self.admitted
                        && frame.len() <= 32
                        && matches!(wire::decode(&frame), Ok(Message::Admitted { .. }))
                    {
                        self.admitted = true;
                    }
                    metrics::inc(&self.hub.metrics.frames_out);
                    metrics::add(&self.hub.metrics.bytes_out, frame.len() as u64);
                    if self.socket.feed(WsMessage::Binary(frame)).await.is_err() {
                        return Some(End::Gone);
                    }
                }
                Outbound::Close => {
                    if self.socket.flush().await.is_err() {
                        return Some(End::Gone);
                    }
                    return Some(End::ClosedByRoom);
                }
            }
            sent += 1;
            if sent < SEND_BATCH {
                next = outbox.try_recv().ok();
            }
        }
        if self.socket.flush().await.is_err() {
            return Some(End::Gone);
        }
        None
    }

    /// Sends an error frame, then closes.
    async fn refuse(&mut self, code: u16, message: &str) {
        self.hub.metrics.error_sent(code);
        self.hub.refusals.refused(self.id, &self.room, code);
        let frame = Message::Error {
            code,
            message: message.to_owned(),
        }
        .encode();
        metrics::inc(&self.hub.metrics.frames_out);
        metrics::add(&self.hub.metrics.bytes_out, frame.len() as u64);
        if self
            .socket
            .send(WsMessage::Binary(Bytes::from(frame)))
            .await
            .is_err()
        {
            return;
        }
        let close_code = match code {
            code::SHUTTING_DOWN => 1001,
            code::FRAME_TOO_LARGE => 1009,
            code::STORAGE_FAILURE => 1011,
            code::TOO_MANY_CONNECTIONS | code::TOO_MANY_FROM_ADDRESS | code::ROOM_FULL => 1013,
            _ => 1008,
        };
        self.close_handshake(close_code, message).await;
    }

    /// Sends a close frame and reads (discarding) until the client's close or a timeout.
    async fn close_handshake(&mut self, code: u16, reason: &str) {
        let close = WsMessage::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        }));
        if self.socket.send(close).await.is_err() {
            return;
        }
        let _ = tokio::time::timeout(self.close_timeout, async {
            loop {
                match self.socket.recv().await {
                    Some(Ok(WsMessage::Close(_))) => return,
                    Some(Ok(_)) => {}
                    // The reader has given up: a frame over the limit ends it with the rest of
                    // that frame still on its way. Closing the socket now, with bytes unread,
                    // resets the connection, and the client would lose the error and close
                    // frames just sent (browsers then report 1006). Hold the connection until
                    // the timeout instead; TCP flow control stops the sender meanwhile.
                    Some(Err(_)) | None => std::future::pending::<()>().await,
                }
            }
        })
        .await;
    }
}
