//! Forwarding: a device's connection to a room another instance serves.
//!
//! When instances share a PostgreSQL database, one instance at a time serves each room
//! ([`crate::store::postgres`]). A device that reaches another instance (a load balancer picks
//! any) is connected through: this instance opens a WebSocket to the serving instance's
//! `/sync`, sends the device's Hello, and passes frames both ways unchanged, so admission,
//! sequence numbers and acknowledgements all happen where the room lives. This instance still
//! applies its own per-connection checks (frame size, message and byte rates, text frames) to
//! what the device sends, and its own connection limits.
//!
//! The serving instance knows a forwarded connection by the cluster secret in
//! [`INSTANCE_HEADER`] (a random value every instance reads from the shared database). It does
//! not count such connections per client address (this instance did) and never forwards them
//! again: if the room has moved on meanwhile, the device is told `ROOM_ELSEWHERE` and
//! reconnects.
//!
//! Between instances the WebSocket is what the serving instance registered (`--instance-url`):
//! plain `ws://` on an internal network, or `wss://` through a TLS proxy in front of it, the
//! proxy's certificate checked against the system's roots and `--ca-file` ([`crate::tls`]). The
//! frames are ciphertext either way; TLS keeps the cluster secret from the network. An instance
//! that cannot verify the certificate does not forward, and so never shows the secret.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::Message as WsMessage;
use axum::http::{HeaderMap, HeaderValue};
use dreieck_sync::wire::code;
use futures_util::{FutureExt as _, SinkExt as _, StreamExt as _};
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message as Upstream;
use tokio_tungstenite::Connector;

use super::{Connection, End};
use crate::metrics;

/// The header that carries the cluster secret on a forwarded connection.
pub(crate) const INSTANCE_HEADER: &str = "x-dreieck-instance";

/// The device's address (its counting key) on a forwarded connection, for the serving
/// instance's new-room budget; trusted only with the secret.
pub(crate) const CLIENT_HEADER: &str = "x-dreieck-client";

type UpstreamSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Frames from the serving instance passed to the device before one flush.
const BATCH: usize = 64;

/// How long the serving instance may take to accept the forwarded connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `headers` show the cluster secret: the connection comes from another instance.
/// Compared in constant time.
pub(crate) fn is_forwarded(secret: Option<&[u8; 32]>, headers: &HeaderMap) -> bool {
    let (Some(secret), Some(shown)) = (secret, headers.get(INSTANCE_HEADER)) else {
        return false;
    };
    let expected = hex(secret);
    let shown = shown.as_bytes();
    shown.len() == expected.len()
        && shown
            .iter()
            .zip(expected.as_bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// Counts one forwarded connection while it lives.
struct Forwarding(std::sync::Arc<crate::hub::Hub>);

impl Drop for Forwarding {
    fn drop(&mut self) {
        metrics::dec(&self.0.metrics.forwarded_open);
    }
}

impl Connection {
    /// Connects the device to the instance at `url` and passes frames both ways until either
    /// side ends.
    pub(super) async fn forward(&mut self, url: &str, hello: Bytes) -> End {
        let Some(secret) = self.hub.writer.cluster_secret().map(|s| hex(s)) else {
            return End::Refused(code::ROOM_ELSEWHERE, "no cluster");
        };
        let Ok(mut request) = url.into_client_request() else {
            tracing::error!(url, "Adresse der Instanz ist ungültig");
            return End::Refused(code::ROOM_ELSEWHERE, "instance unreachable");
        };
        let Ok(value) = HeaderValue::from_str(&secret) else {
            return End::Refused(code::ROOM_ELSEWHERE, "no cluster");
        };
        request.headers_mut().insert(INSTANCE_HEADER, value);
        if let Some(origin) = self
            .origin
            .and_then(|key| HeaderValue::from_str(&key.to_string()).ok())
        {
            request.headers_mut().insert(CLIENT_HEADER, origin);
        }
        let max = self.hub.limits.max_frame_bytes;
        // Small buffers, as for the device's own socket: a forwarded idle connection should
        // cost about what a direct one does.
        let config = WebSocketConfig::default()
            .max_message_size(Some(max))
            .max_frame_size(Some(max))
            .read_buffer_size(4 * 1024)
            .write_buffer_size(16 * 1024);
        let connected = tokio::time::timeout(
            CONNECT_TIMEOUT,
            tokio_tungstenite::connect_async_tls_with_config(
                request,
                Some(config),
                true,
                self.hub.tls.clone().map(Connector::Rustls),
            ),
        )
        .await;
        let mut upstream = match connected {
            Ok(Ok((upstream, _))) => upstream,
            Ok(Err(error)) => {
                tracing::warn!(conn = self.id, room = %self.room, url, %error, "Instanz nicht erreichbar");
                return End::Refused(code::ROOM_ELSEWHERE, "instance unreachable");
            }
            Err(_) => {
                tracing::warn!(conn = self.id, room = %self.room, url, "Instanz antwortet nicht");
                return End::Refused(code::ROOM_ELSEWHERE, "instance unreachable");
            }
        };
        metrics::inc(&self.hub.metrics.forwarded_open);
        let _counted = Forwarding(std::sync::Arc::clone(&self.hub));
        tracing::info!(conn = self.id, room = %self.room, url, "Verbindung weitergeleitet");
        if upstream.send(Upstream::Binary(hello)).await.is_err() {
            return End::Refused(code::ROOM_ELSEWHERE, "instance unreachable");
        }
        let mut shutdown = self.hub.shutdown_signal();
        let end = loop {
            tokio::select! {
                biased;
                () = async { drop(shutdown.wait_for(|stopping| *stopping).await) } => {
                    break End::Refused(code::SHUTTING_DOWN, "shutting down");
                }
                message = upstream.next() => {
                    // What else has arrived goes out with it, in one write to the device.
                    let mut next = Some(message);
                    let mut fed = 0;
                    while let Some(message) = next.take() {
                        match message {
                            Some(Ok(Upstream::Binary(frame))) => {
                                metrics::inc(&self.hub.metrics.frames_out);
                                metrics::add(&self.hub.metrics.bytes_out, frame.len() as u64);
                                if self.socket.feed(WsMessage::Binary(frame)).await.is_err() {
                                    break;
                                }
                                fed += 1;
                            }
                            // The serving instance closed (after its error frame, if any) or
                            // is gone.
                            Some(Ok(Upstream::Close(_))) | Some(Err(_)) | None => {
                                let _ = self.socket.flush().await;
                                return close(upstream, End::ClosedByRoom).await;
                            }
                            // Pings are answered by the library; nothing else is sent between
                            // instances.
                            Some(Ok(_)) => {}
                        }
                        if fed < BATCH {
                            next = upstream.next().now_or_never();
                        }
                    }
                    if self.socket.flush().await.is_err() {
                        break End::Gone;
                    }
                }
                frame = self.next_frame() => match frame {
                    Ok(frame) => {
                        if upstream.send(Upstream::Binary(frame)).await.is_err() {
                            break End::ClosedByRoom;
                        }
                    }
                    Err(end) => break end,
                },
            }
        };
        close(upstream, end).await
    }
}

/// Closes the connection to the serving instance (if it is still open) and passes `end` on.
async fn close(mut upstream: UpstreamSocket, end: End) -> End {
    let _ = upstream.close(None).await;
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_cluster_secret_marks_a_forwarded_connection() {
        let secret = [0xab; 32];
        let mut headers = HeaderMap::new();
        assert!(!is_forwarded(Some(&secret), &headers), "no header");
        headers.insert(
            INSTANCE_HEADER,
            HeaderValue::from_str(&hex(&secret)).expect("header"),
        );
        assert!(is_forwarded(Some(&secret), &headers));
        assert!(!is_forwarded(None, &headers), "no cluster, no forwarding");
        assert!(!is_forwarded(Some(&[0xac; 32]), &headers), "another secret");
        headers.insert(
            INSTANCE_HEADER,
            HeaderValue::from_str(&hex(&secret)[..63]).expect("header"),
        );
        assert!(!is_forwarded(Some(&secret), &headers), "a prefix");
    }
}
