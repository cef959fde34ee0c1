//! Capacity of the relay, measured against the real binary with native protocol clients.
//!
//! `cargo xtask bench-relay` builds both in release mode and runs
//! `bench_relay <relay binary> [--idle N] [--rooms R] [--seconds S]`. Printed, never asserted:
//! (a) admitted connections held at once, (b) messages per second through the relay (Appends in
//! rooms of three, each fanned out as two Delivers), (c) relay memory per idle admitted
//! connection, (d) fan-out latency (Append sent → Deliver received at a peer) under that load,
//! (e) relay memory after the run. The clients run in this process on the same machine, so the
//! figures are what relay and clients together manage on it.

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use dreieck_sync::client::{self, Client, Config as ClientConfig, Status};
use dreieck_sync::envelope::DocumentKey;
use dreieck_sync::RoomId;
use futures_util::{SinkExt as _, StreamExt as _};
use rand_core::{OsRng, RngCore as _};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const LIMIT: Duration = Duration::from_secs(60);
/// Connections a room may hold in the idle test.
const IDLE_PER_ROOM: usize = 25;
/// Bytes of one change: about what one typed word costs in Automerge.
const CHANGE_BYTES: usize = 100;

struct Args {
    relay: String,
    idle: usize,
    rooms: usize,
    seconds: u64,
}

fn args() -> Result<Args> {
    let mut it = std::env::args().skip(1);
    let relay = it
        .next()
        .context("usage: bench_relay <relay binary> [--idle N] [--rooms R] [--seconds S]")?;
    let mut args = Args {
        relay,
        idle: 5000,
        rooms: 200,
        seconds: 10,
    };
    while let Some(flag) = it.next() {
        let value: u64 = it
            .next()
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("{flag} needs a number"))?;
        match flag.as_str() {
            "--idle" => args.idle = value as usize,
            "--rooms" => args.rooms = value as usize,
            "--seconds" => args.seconds = value,
            other => bail!("unknown flag {other}"),
        }
    }
    Ok(args)
}

/// Lets this process (and the relay it starts) hold many sockets.
fn raise_open_files() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid pointer to an rlimit struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
    limit.rlim_cur
}

struct Relay {
    child: Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for Relay {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn start_relay(binary: &str, max_connections: usize) -> Result<Relay> {
    let dir = tempfile::tempdir()?;
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist)?;
    std::fs::write(
        dist.join("index.html"),
        "<!DOCTYPE html><title>bench</title>",
    )?;
    let mut child = Command::new(binary)
        .env("DREIECK_HOST", "127.0.0.1")
        .env("DREIECK_PORT", "0")
        .env("DREIECK_DIST", &dist)
        .env("DREIECK_DATA", dir.path().join("data"))
        .env("DREIECK_MAX_CONNECTIONS", max_connections.to_string())
        // Every connection comes from this machine.
        .env(
            "DREIECK_MAX_CONNECTIONS_PER_ADDRESS",
            max_connections.to_string(),
        )
        // The load test is closed-loop (one Append in flight per client), far below any flood.
        .env("DREIECK_MESSAGES_PER_SECOND", "100000")
        .env("DREIECK_MESSAGE_BURST", "100000")
        .env("DREIECK_ROOM_LINGER_SECS", "0")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {binary}"))?;
    let stdout = child.stdout.take().context("relay stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let url = line
        .trim()
        .strip_prefix("Dreieck läuft auf http://")
        .with_context(|| format!("unexpected start line {line:?}"))?;
    let addr = url.parse()?;
    Ok(Relay {
        child,
        addr,
        _dir: dir,
    })
}

/// The machine's load over 1, 5 and 15 minutes: the clients share the machine with the relay,
/// and anything else running shows in the figures.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Resident memory of a process in KiB (`VmRSS`), or the peak (`VmHWM`).
fn memory_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix(field)?
                    .trim_start_matches(':')
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse()
                    .ok()
            })
        })
        .unwrap_or(0)
}

async fn metrics(addr: SocketAddr) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return String::new();
    };
    let request = format!("GET /metrics HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    let mut answer = String::new();
    if stream.write_all(request.as_bytes()).await.is_ok() {
        let _ = stream.read_to_string(&mut answer).await;
    }
    answer
}

fn sample(metrics: &str, name: &str) -> u64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0)
}

/// Polls `/metrics` until `name` reads `want` (a bench may wait by polling).
async fn wait_metric(addr: SocketAddr, name: &str, want: u64) -> Result<()> {
    let start = Instant::now();
    while sample(&metrics(addr).await, name) != want {
        if start.elapsed() > LIMIT {
            bail!("{name} did not reach {want}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// Waits until the relay has had a chance to give freed memory back (it trims every 10 s after
/// activity).
async fn settle() {
    tokio::time::sleep(Duration::from_secs(12)).await;
}

/// A protocol client on its own socket.
struct Peer {
    ws: Ws,
    client: Client,
}

async fn send_all(ws: &mut Ws, effects: &[client::Effect]) -> Result<()> {
    for effect in effects {
        if let client::Effect::Send(frame) = effect {
            ws.feed(WsMessage::Binary(frame.clone().into())).await?;
        }
    }
    ws.flush().await?;
    Ok(())
}

impl Peer {
    /// Connects and waits until admitted and live.
    async fn join(addr: SocketAddr, room: RoomId, key: &DocumentKey) -> Result<Peer> {
        let (ws, _) =
            tokio_tungstenite::connect_async_with_config(format!("ws://{addr}/sync"), None, true)
                .await?;
        let mut peer = Peer {
            ws,
            client: Client::new(room, key.clone(), ClientConfig { snapshot_every: 0 }),
        };
        let effects = peer.client.connected();
        send_all(&mut peer.ws, &effects).await?;
        while peer.client.status() != Status::Live {
            let frame = peer.next_frame().await?;
            let effects = peer.client.on_frame(&frame, &mut OsRng)?;
            for effect in &effects {
                if let client::Effect::RelayError { code, .. } = effect {
                    bail!("relay refused with code {code}");
                }
            }
            send_all(&mut peer.ws, &effects).await?;
        }
        Ok(peer)
    }

    async fn next_frame(&mut self) -> Result<Vec<u8>> {
        loop {
            match tokio::time::timeout(LIMIT, self.ws.next()).await? {
                Some(Ok(WsMessage::Binary(frame))) => return Ok(frame.to_vec()),
                Some(Ok(WsMessage::Close(_))) | None => bail!("relay closed"),
                Some(Err(e)) => return Err(e.into()),
                Some(Ok(_)) => {}
            }
        }
    }
}

fn room_and_key() -> (RoomId, DocumentKey) {
    let mut room = [0u8; 16];
    OsRng.fill_bytes(&mut room);
    (room, DocumentKey::generate(&mut OsRng))
}

/// (a) and (c): open `n` idle admitted connections, 25 to a room.
async fn idle_connections(relay: &Relay, n: usize) -> Result<()> {
    let pid = relay.child.id();
    let before = memory_kib(pid, "VmRSS");
    let started = Instant::now();
    let mut peers = Vec::with_capacity(n);
    let rooms: Vec<(RoomId, DocumentKey)> = (0..n.div_ceil(IDLE_PER_ROOM))
        .map(|_| room_and_key())
        .collect();
    // Joins in waves, so the relay's accept queue is never the limit.
    for wave in (0..n).collect::<Vec<_>>().chunks(200) {
        let joins = wave.iter().map(|i| {
            let (room, key) = &rooms[i / IDLE_PER_ROOM];
            Peer::join(relay.addr, *room, key)
        });
        for peer in futures_util::future::join_all(joins).await {
            peers.push(peer?);
        }
    }
    let open = sample(&metrics(relay.addr).await, "dreieck_relay_connections_open");
    let after = memory_kib(pid, "VmRSS");
    println!(
        "(a) admitted connections held:      {} (relay reports {open} open), opened in {:.1} s",
        peers.len(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "(c) memory per idle connection:     {:.1} KiB (relay RSS {} → {} KiB for {} connections in {} rooms)",
        (after.saturating_sub(before)) as f64 / peers.len() as f64,
        before,
        after,
        peers.len(),
        rooms.len()
    );
    for mut peer in peers {
        let _ = peer.ws.close(None).await;
    }
    wait_metric(relay.addr, "dreieck_relay_connections_open", 0).await?;
    wait_metric(relay.addr, "dreieck_relay_rooms_live", 0).await?;
    settle().await;
    println!(
        "    after closing them:             relay RSS {} KiB",
        memory_kib(pid, "VmRSS")
    );
    Ok(())
}

struct PeerStats {
    appends: u64,
    latencies_us: Vec<u32>,
}

/// One peer of the load test: appends a change whenever the last one is acknowledged, and
/// records the latency of every change it receives from the others.
async fn load_peer(mut peer: Peer, epoch: Instant, running: Arc<AtomicBool>) -> Result<PeerStats> {
    let mut stats = PeerStats {
        appends: 0,
        latencies_us: Vec::new(),
    };
    let change = |epoch: Instant| {
        let mut bytes = vec![b'.'; CHANGE_BYTES];
        let sent = epoch.elapsed().as_nanos() as u64;
        bytes[..8].copy_from_slice(&sent.to_le_bytes());
        bytes
    };
    let effects = peer.client.on_local_change(&change(epoch), &mut OsRng)?;
    send_all(&mut peer.ws, &effects).await?;
    while running.load(Ordering::Relaxed) {
        let frame = match tokio::time::timeout(Duration::from_millis(200), peer.ws.next()).await {
            Err(_) => continue,
            Ok(Some(Ok(WsMessage::Binary(frame)))) => frame,
            Ok(Some(Ok(_))) => continue,
            Ok(_) => bail!("relay closed during the load test"),
        };
        let now = epoch.elapsed().as_nanos() as u64;
        let mut out = Vec::new();
        for effect in peer.client.on_frame(&frame, &mut OsRng)? {
            match effect {
                client::Effect::Apply(bytes) => {
                    if let Some(sent) = bytes.get(..8) {
                        let mut b = [0u8; 8];
                        b.copy_from_slice(sent);
                        let us = now.saturating_sub(u64::from_le_bytes(b)) / 1000;
                        stats
                            .latencies_us
                            .push(u32::try_from(us).unwrap_or(u32::MAX));
                    }
                }
                client::Effect::Acknowledged { .. } => {
                    stats.appends += 1;
                    if running.load(Ordering::Relaxed) {
                        out.extend(peer.client.on_local_change(&change(epoch), &mut OsRng)?);
                    }
                }
                client::Effect::RelayError { code, .. } => bail!("relay error {code}"),
                other => out.push(other),
            }
        }
        send_all(&mut peer.ws, &out).await?;
    }
    let _ = peer.ws.close(None).await;
    Ok(stats)
}

/// (b) and (d): rooms of three, every peer appending in a closed loop.
async fn load(relay: &Relay, rooms: usize, seconds: u64) -> Result<()> {
    let mut peers = Vec::new();
    for _ in 0..rooms {
        let (room, key) = room_and_key();
        for _ in 0..3 {
            peers.push(Peer::join(relay.addr, room, &key).await?);
        }
    }
    let before = metrics(relay.addr).await;
    let running = Arc::new(AtomicBool::new(true));
    let epoch = Instant::now();
    let tasks: Vec<_> = peers
        .into_iter()
        .map(|peer| tokio::spawn(load_peer(peer, epoch, Arc::clone(&running))))
        .collect();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    running.store(false, Ordering::Relaxed);
    let elapsed = epoch.elapsed().as_secs_f64();
    let after = metrics(relay.addr).await;
    let mut appends = 0;
    let mut latencies = Vec::new();
    for task in tasks {
        let stats = task.await??;
        appends += stats.appends;
        latencies.extend(stats.latencies_us);
    }
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |us| f64::from(*us) / 1000.0)
    };
    let commits = sample(&after, "dreieck_relay_storage_commits_total")
        - sample(&before, "dreieck_relay_storage_commits_total");
    let records = sample(&after, "dreieck_relay_storage_commit_records_sum")
        - sample(&before, "dreieck_relay_storage_commit_records_sum");
    println!(
        "(b) messages through the relay:     {:.0} Appends/s acknowledged, {:.0} Delivers/s received \
         ({} rooms of 3, {} B changes, {:.1} s)",
        appends as f64 / elapsed,
        latencies.len() as f64 / elapsed,
        rooms,
        CHANGE_BYTES,
        elapsed
    );
    println!(
        "    storage: {commits} commits, {:.1} records per commit",
        records as f64 / commits.max(1) as f64
    );
    println!(
        "(d) fan-out latency under load:     p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} deliveries)",
        pct(0.50),
        pct(0.99),
        pct(1.0),
        latencies.len()
    );
    Ok(())
}

fn main() -> Result<()> {
    let args = args()?;
    let files = raise_open_files();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let relay = start_relay(&args.relay, args.idle + 100)?;
    let pid = relay.child.id();
    println!(
        "relay {} (pid {pid}) on {}, open-file limit {files}, RSS at start {} KiB, load average {}",
        args.relay,
        relay.addr,
        memory_kib(pid, "VmRSS"),
        load_average()
    );
    runtime.block_on(async {
        idle_connections(&relay, args.idle).await?;
        load(&relay, args.rooms, args.seconds).await?;
        wait_metric(relay.addr, "dreieck_relay_connections_open", 0).await?;
        wait_metric(relay.addr, "dreieck_relay_rooms_live", 0).await?;
        settle().await;
        Ok::<_, anyhow::Error>(())
    })?;
    println!(
        "(e) relay memory after the run:     RSS {:.1} MiB (peak {:.1} MiB), every connection closed, no room in memory",
        memory_kib(pid, "VmRSS") as f64 / 1024.0,
        memory_kib(pid, "VmHWM") as f64 / 1024.0
    );
    if let Some(seconds) = std::env::var("BENCH_HOLD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        println!("holding the relay for {seconds} s");
        std::thread::sleep(Duration::from_secs(seconds));
    }
    println!("load average at the end: {}", load_average());
    let mut relay = relay;
    // SAFETY: sending SIGTERM to the child we started.
    unsafe {
        libc::kill(relay.child.id() as libc::pid_t, libc::SIGTERM);
    }
    let status = relay.child.wait()?;
    println!("relay stopped on SIGTERM: {status}");
    Ok(())
}
