//! A hostile client of the sync endpoint, for the abuse test (`tests/abuse.rs`) and the abuse
//! figures of `cargo xtask bench-relay` (`examples/bench_relay.rs` includes this file). It
//! speaks the protocol well enough to be admitted to rooms of its own and then does what an
//! honest app never does: floods a room with messages, fills a room with large changes, asks
//! for the whole log again and again, makes new rooms by the thousand, opens connections until
//! refused. Each abuse runs until the relay refuses it and returns the refusal's code (`None`:
//! the relay closed without one, or the abuse ran out of its bound without a refusal).
//!
//! It connects as a client behind a reverse proxy on the relay's machine (`X-Forwarded-For`),
//! so the relay counts it under that address, as it would in production.

#![allow(dead_code)]

use std::net::SocketAddr;

use dreieck_sync::envelope::DocumentKey;
use dreieck_sync::keys::RoomAuth;
use dreieck_sync::wire::Message;
use dreieck_sync::RoomId;
use futures_util::{SinkExt as _, StreamExt as _};
use rand_core::{OsRng, RngCore as _};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Where the abuser connects from (its address behind the proxy).
#[derive(Clone, Copy)]
pub struct Abuser<'a> {
    pub relay: SocketAddr,
    pub from: &'a str,
}

fn new_room() -> (RoomId, RoomAuth) {
    let mut room = [0u8; 16];
    OsRng.fill_bytes(&mut room);
    (room, RoomAuth::derive(&DocumentKey::generate(&mut OsRng)))
}

/// The Hello that opens a connection to `room`.
fn hello(room: RoomId, auth: &RoomAuth) -> WsMessage {
    WsMessage::Binary(
        Message::Hello {
            room,
            verifier: auth.verifier(),
        }
        .encode()
        .into(),
    )
}

/// The error code the relay sent before closing, reading past anything else.
pub async fn refusal(ws: &mut Ws) -> Option<u16> {
    while let Some(Ok(message)) = ws.next().await {
        if let WsMessage::Binary(frame) = message {
            if let Ok(Message::Error { code, .. }) = dreieck_sync::wire::decode(&frame) {
                return Some(code);
            }
        }
    }
    None
}

impl Abuser<'_> {
    async fn connect(&self) -> Option<Ws> {
        let mut request = format!("ws://{}/sync", self.relay)
            .into_client_request()
            .ok()?;
        request
            .headers_mut()
            .insert("x-forwarded-for", self.from.parse().ok()?);
        let (ws, _) = tokio_tungstenite::connect_async(request).await.ok()?;
        Some(ws)
    }

    /// A connection admitted to a new room of its own; or the code that refused it.
    async fn admitted(&self) -> Result<Ws, Option<u16>> {
        let mut ws = self.connect().await.ok_or(None)?;
        let (room, auth) = new_room();
        let hello = hello(room, &auth);
        ws.send(hello).await.map_err(|_| None)?;
        loop {
            let Some(Ok(message)) = ws.next().await else {
                return Err(None);
            };
            let WsMessage::Binary(frame) = message else {
                continue;
            };
            match dreieck_sync::wire::decode(&frame) {
                Ok(Message::Challenge { challenge }) => {
                    let answer = Message::Answer {
                        signature: auth.answer(&room, &challenge),
                    };
                    ws.send(WsMessage::Binary(answer.encode().into()))
                        .await
                        .map_err(|_| None)?;
                }
                Ok(Message::Admitted { .. }) => return Ok(ws),
                Ok(Message::Error { code, .. }) => return Err(Some(code)),
                _ => {}
            }
        }
    }

    /// Messages as fast as the socket takes them, at most `bound`.
    pub async fn flood(&self, bound: usize) -> Option<u16> {
        let mut ws = match self.admitted().await {
            Ok(ws) => ws,
            Err(code) => return code,
        };
        let frame = Message::Ephemeral {
            sealed: vec![0; 64],
        }
        .encode();
        for _ in 0..bound {
            if ws
                .feed(WsMessage::Binary(frame.clone().into()))
                .await
                .is_err()
            {
                break;
            }
        }
        let _ = ws.flush().await;
        refusal(&mut ws).await
    }

    /// Changes of `chunk` bytes into one room until it is full, at most `bound` of them.
    pub async fn fill_room(&self, chunk: usize, bound: usize) -> Option<u16> {
        let mut ws = match self.admitted().await {
            Ok(ws) => ws,
            Err(code) => return code,
        };
        let mut sealed = vec![0u8; chunk];
        for client_seq in 1..=bound as u64 {
            OsRng.fill_bytes(&mut sealed[..16]);
            let append = Message::Append {
                client_seq,
                sealed: sealed.clone(),
            };
            if ws
                .send(WsMessage::Binary(append.encode().into()))
                .await
                .is_err()
            {
                break;
            }
        }
        refusal(&mut ws).await
    }

    /// A connection admitted to a room of its own that begins a message in parts (one part of
    /// [`dreieck_sync::parts::PART_SIZE`] bytes) and never sends the rest; or the code that
    /// refused it before.
    pub async fn unfinished_run(&self) -> Result<Ws, Option<u16>> {
        let mut ws = self.admitted().await?;
        let mut part = vec![
            dreieck_sync::PROTOCOL_VERSION,
            dreieck_sync::parts::KIND_PART,
            0,
        ];
        part.resize(3 + dreieck_sync::parts::PART_SIZE, 0);
        ws.send(WsMessage::Binary(part.into()))
            .await
            .map_err(|_| None)?;
        Ok(ws)
    }

    /// The whole log, again and again, at most `bound` times.
    pub async fn catch_ups(&self, bound: usize) -> Option<u16> {
        let mut ws = match self.admitted().await {
            Ok(ws) => ws,
            Err(code) => return code,
        };
        let frame = Message::CatchUp { after_seq: 0 }.encode();
        for _ in 0..bound {
            if ws
                .send(WsMessage::Binary(frame.clone().into()))
                .await
                .is_err()
            {
                break;
            }
        }
        refusal(&mut ws).await
    }

    /// New rooms, one connection each, until refused (at most `bound`); how many were made
    /// and the code that stopped it.
    pub async fn new_rooms(&self, bound: usize) -> (usize, Option<u16>) {
        for made in 0..bound {
            let Some(mut ws) = self.connect().await else {
                return (made, None);
            };
            let (room, auth) = new_room();
            let hello = hello(room, &auth);
            if ws.send(hello).await.is_err() {
                return (made, None);
            }
            match ws.next().await {
                Some(Ok(WsMessage::Binary(frame))) => match dreieck_sync::wire::decode(&frame) {
                    Ok(Message::Challenge { .. }) => {
                        let _ = ws.close(None).await;
                    }
                    Ok(Message::Error { code, .. }) => return (made, Some(code)),
                    _ => return (made, None),
                },
                _ => return (made, None),
            }
        }
        (bound, None)
    }

    /// Connections held open until refused (at most `bound`); how many were let in, the
    /// code that stopped it, and the connections (dropping them closes them).
    pub async fn connections(&self, bound: usize) -> (usize, Option<u16>, Vec<Ws>) {
        let mut held = Vec::new();
        let mut room = new_room();
        for i in 0..bound {
            let Some(mut ws) = self.connect().await else {
                return (held.len(), None, held);
            };
            // The relay refuses at once, before any Hello, when the address is full; a
            // connection it takes waits for a Hello, so say one (thirty to a room, below the
            // room's own limit, and few new rooms).
            if i % 30 == 0 && i > 0 {
                room = new_room();
            }
            let (room, auth) = &room;
            let (room, auth) = (*room, auth);
            let hello = hello(room, auth);
            let _ = ws.send(hello).await;
            match ws.next().await {
                Some(Ok(WsMessage::Binary(frame))) => match dreieck_sync::wire::decode(&frame) {
                    Ok(Message::Error { code, .. }) => return (held.len(), Some(code), held),
                    _ => held.push(ws),
                },
                _ => return (held.len(), None, held),
            }
        }
        (held.len(), None, held)
    }
}
