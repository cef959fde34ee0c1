//! Capacity of the relay, measured against the real binary with native protocol clients.
//!
//! `cargo xtask bench-relay` builds both in release mode and runs
//! `bench_relay <relay binary> [--idle N] [--rooms R] [--seconds S] [--rate N] [--postgres URL]`.
//! Printed, never asserted: (a) admitted connections held at once, (b) messages per second through the
//! relay (Appends in rooms of three, each fanned out as two Delivers), (c) relay memory per idle
//! admitted connection, (d) fan-out latency (Append sent → Deliver received at a peer) under
//! that load, (e) relay memory after the run, (f) fan-out latency at a steady offered load
//! (`--rate`, default 5,000 Appends/s in all), (g) honest rooms at a fifth of that rate alone and
//! then beside an abusive client (`tests/common/abuser.rs`), in the same run. The clients run
//! in this process on the same machine, so the figures are what relay and clients together
//! manage on it.
//!
//! With `--postgres` (the server `cargo xtask bench-relay --database postgres` starts), the same
//! run measures three set-ups one after the other: one relay on SQLite, one relay on PostgreSQL,
//! and two relays on one PostgreSQL database, with each room's devices spread over both (so
//! every room has devices the other instance forwards). For PostgreSQL it also prints the CPU
//! time its processes used beside the relays'.

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

#[path = "../tests/common/abuser.rs"]
mod abuser;

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
    postgres: Option<String>,
    /// The offered load of (f), Appends per second in all.
    rate: u64,
}

fn args() -> Result<Args> {
    let mut it = std::env::args().skip(1);
    let relay = it.next().context(
        "usage: bench_relay <relay binary> [--idle N] [--rooms R] [--seconds S] [--postgres URL]",
    )?;
    let mut args = Args {
        relay,
        idle: 5000,
        rooms: 200,
        seconds: 10,
        postgres: None,
        rate: 5000,
    };
    while let Some(flag) = it.next() {
        if flag == "--postgres" {
            args.postgres = Some(it.next().context("--postgres needs a URL")?);
            continue;
        }
        let value: u64 = it
            .next()
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("{flag} needs a number"))?;
        match flag.as_str() {
            "--idle" => args.idle = value as usize,
            "--rooms" => args.rooms = value as usize,
            "--seconds" => args.seconds = value,
            "--rate" => args.rate = value,
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

fn start_relay(
    binary: &str,
    max_connections: usize,
    database: Option<&str>,
    extra: &[(&str, &str)],
) -> Result<Relay> {
    let dir = tempfile::tempdir()?;
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist)?;
    std::fs::write(
        dist.join("index.html"),
        "<!DOCTYPE html><title>bench</title>",
    )?;
    let mut command = Command::new(binary);
    if let Some(database) = database {
        command.env("DREIECK_DATABASE", database);
    }
    let mut child = command
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
        .envs(extra.iter().copied())
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
            client: Client::new(
                room,
                key.clone(),
                ClientConfig {
                    snapshot_every: 0,
                    ..Default::default()
                },
            ),
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

/// Which relay the `i`-th device of a room reaches: with several instances, a room's devices
/// alternate, so every room has devices that the instance not serving it forwards.
fn relay_for(relays: &[Relay], room: usize, i: usize) -> SocketAddr {
    relays[(room + i) % relays.len()].addr
}

/// (a) and (c): open `n` idle admitted connections, 25 to a room.
async fn idle_connections(relays: &[Relay], n: usize) -> Result<()> {
    let rss = || {
        relays
            .iter()
            .map(|r| memory_kib(r.child.id(), "VmRSS"))
            .sum::<u64>()
    };
    let before = rss();
    let started = Instant::now();
    let mut peers = Vec::with_capacity(n);
    let rooms: Vec<(RoomId, DocumentKey)> = (0..n.div_ceil(IDLE_PER_ROOM))
        .map(|_| room_and_key())
        .collect();
    // Joins in waves, so the relay's accept queue is never the limit.
    for wave in (0..n).collect::<Vec<_>>().chunks(200) {
        let joins = wave.iter().map(|i| {
            let (room, key) = &rooms[i / IDLE_PER_ROOM];
            Peer::join(relay_for(relays, i / IDLE_PER_ROOM, *i), *room, key)
        });
        for peer in futures_util::future::join_all(joins).await {
            peers.push(peer?);
        }
    }
    let mut open = 0;
    for relay in relays {
        open += sample(&metrics(relay.addr).await, "dreieck_relay_connections_open");
    }
    let after = rss();
    println!(
        "(a) admitted connections held:      {} (relays report {open} open, forwarded ones \
         counted where they arrive and where they are served), opened in {:.1} s",
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
    quiet(relays).await?;
    println!(
        "    after closing them:             relay RSS {} KiB",
        rss()
    );
    Ok(())
}

/// Waits until no relay holds a connection or a room, and memory had time to go back.
async fn quiet(relays: &[Relay]) -> Result<()> {
    for relay in relays {
        wait_metric(relay.addr, "dreieck_relay_connections_open", 0).await?;
        wait_metric(relay.addr, "dreieck_relay_rooms_live", 0).await?;
    }
    settle().await;
    Ok(())
}

/// CPU time (user and system) of a process so far, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            // Fields after the command name (which may hold spaces) in parentheses.
            let rest = stat.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let user: f64 = fields.get(11)?.parse().ok()?;
            let system: f64 = fields.get(12)?.parse().ok()?;
            Some((user + system) / ticks)
        })
        .unwrap_or(0.0)
}

/// CPU seconds of every PostgreSQL process on the machine (the benchmark's server is the only
/// one busy).
fn postgres_cpu_seconds() -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim() == "postgres")
        })
        .map(cpu_seconds)
        .sum()
}

struct PeerStats {
    appends: u64,
    latencies_us: Vec<u32>,
}

/// One peer of the load test: appends a change whenever the last one is acknowledged (at most
/// one per `interval`, if given), and records the latency of every change it receives from the
/// others.
async fn load_peer(
    mut peer: Peer,
    epoch: Instant,
    running: Arc<AtomicBool>,
    interval: Option<Duration>,
) -> Result<PeerStats> {
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
    // Paced peers start spread over one interval, so the load is even from the start.
    let start = tokio::time::Instant::now();
    let mut due =
        interval.map(|i| start + i.mul_f64(f64::from(OsRng.next_u32()) / f64::from(u32::MAX)));
    let mut last_sent = start;
    if due.is_none() {
        let effects = peer.client.on_local_change(&change(epoch), &mut OsRng)?;
        send_all(&mut peer.ws, &effects).await?;
    }
    while running.load(Ordering::Relaxed) {
        let wake = due.unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_millis(200));
        let frame = tokio::select! {
            message = peer.ws.next() => match message {
                Some(Ok(WsMessage::Binary(frame))) => frame,
                Some(Ok(_)) => continue,
                _ => bail!("relay closed during the load test"),
            },
            () = tokio::time::sleep_until(wake) => {
                if let Some(at) = due.take() {
                    last_sent = at;
                    let effects = peer.client.on_local_change(&change(epoch), &mut OsRng)?;
                    send_all(&mut peer.ws, &effects).await?;
                }
                continue;
            }
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
                    match interval {
                        Some(interval) => {
                            due = Some((last_sent + interval).max(tokio::time::Instant::now()))
                        }
                        None if running.load(Ordering::Relaxed) => {
                            out.extend(peer.client.on_local_change(&change(epoch), &mut OsRng)?);
                        }
                        None => {}
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

/// (b) and (d): rooms of three, every peer appending in a closed loop, or at `rate` Appends per
/// second in all.
async fn load(
    relays: &[Relay],
    rooms: usize,
    seconds: u64,
    postgres: bool,
    rate: Option<u64>,
) -> Result<(f64, f64)> {
    let interval =
        rate.map(|rate| Duration::from_secs_f64((rooms * 3) as f64 / rate.max(1) as f64));
    let mut peers = Vec::new();
    for r in 0..rooms {
        let (room, key) = room_and_key();
        for i in 0..3 {
            peers.push(Peer::join(relay_for(relays, r, i), room, &key).await?);
        }
    }
    let totals = |name: &'static str| async move {
        let mut sum = 0;
        for relay in relays {
            sum += sample(&metrics(relay.addr).await, name);
        }
        sum
    };
    let commits_before = totals("dreieck_relay_storage_commits_total").await;
    let records_before = totals("dreieck_relay_storage_commit_records_sum").await;
    let relay_cpu = || {
        relays
            .iter()
            .map(|r| cpu_seconds(r.child.id()))
            .sum::<f64>()
    };
    let cpu_before = (relay_cpu(), postgres_cpu_seconds());
    let running = Arc::new(AtomicBool::new(true));
    let epoch = Instant::now();
    let tasks: Vec<_> = peers
        .into_iter()
        .map(|peer| tokio::spawn(load_peer(peer, epoch, Arc::clone(&running), interval)))
        .collect();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    running.store(false, Ordering::Relaxed);
    let elapsed = epoch.elapsed().as_secs_f64();
    let cpu_after = (relay_cpu(), postgres_cpu_seconds());
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
    let figures = (pct(0.50), pct(0.99));
    let commits = totals("dreieck_relay_storage_commits_total").await - commits_before;
    let records = totals("dreieck_relay_storage_commit_records_sum").await - records_before;
    let label = match rate {
        None => "(b) messages through the relay:    ".to_owned(),
        Some(rate) => format!("(f) at {rate} Appends/s offered:   "),
    };
    println!(
        "{label} {:.0} Appends/s acknowledged, {:.0} Delivers/s received \
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
        "{} p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} deliveries)",
        if rate.is_none() {
            "(d) fan-out latency under load:    "
        } else {
            "    fan-out latency at that rate:  "
        },
        pct(0.50),
        pct(0.99),
        pct(1.0),
        latencies.len()
    );
    let relay_share = (cpu_after.0 - cpu_before.0) / elapsed * 100.0;
    if postgres {
        let postgres_share = (cpu_after.1 - cpu_before.1) / elapsed * 100.0;
        println!(
            "    CPU during the load: relays {relay_share:.0} %, PostgreSQL {postgres_share:.0} % \
             of one core (the clients take the rest of the machine's 2 cores)"
        );
    } else {
        println!("    CPU during the load: relay {relay_share:.0} % of one core");
    }
    Ok(figures)
}

/// (g): honest rooms at a steady rate, first alone, then beside an abusive client (one address
/// behind the proxy) that goes through its abuses again and again, in one run on a relay with
/// the default limits.
async fn abuse(relay: &Relay, rooms: usize, seconds: u64, rate: u64) -> Result<()> {
    println!("(g) honest rooms alone:");
    let (_, alone) = load(
        std::slice::from_ref(relay),
        rooms,
        seconds,
        false,
        Some(rate),
    )
    .await?;
    quiet(std::slice::from_ref(relay)).await?;
    let running = Arc::new(AtomicBool::new(true));
    // On a thread and runtime of its own: the abuser's work must not delay the honest
    // clients' measurements in this process (the relay is what is measured).
    let abuser = {
        let (relay, running) = (relay.addr, Arc::clone(&running));
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map(|runtime| runtime.block_on(abuse_loop(relay, running)))
        })
    };
    println!("    the same beside the abuser:");
    let (_, beside) = load(
        std::slice::from_ref(relay),
        rooms,
        seconds,
        false,
        Some(rate),
    )
    .await?;
    running.store(false, Ordering::Relaxed);
    let (rounds, codes) = abuser
        .join()
        .map_err(|_| anyhow::anyhow!("the abuser's thread panicked"))??;
    let after = metrics(relay.addr).await;
    println!(
        "    honest fan-out p99 beside the abuser: {beside:.2} ms, alone {alone:.2} ms ({:.2}×)",
        beside / alone.max(0.001)
    );
    let codes: Vec<String> = codes
        .iter()
        .map(|(code, n)| match code {
            0 => format!("{n}× closed without a code"),
            code => format!("{n}× code {code}"),
        })
        .collect();
    println!(
        "    the abuser: {rounds} rounds (flood, a room filled, catch-ups, new rooms), refused \
         {}; relay stores {} KiB, holds {} KiB of rooms in memory, RSS peak {:.1} MiB",
        codes.join(", "),
        sample(&after, "dreieck_relay_stored_bytes") / 1024,
        sample(&after, "dreieck_relay_room_memory_bytes") / 1024,
        memory_kib(relay.child.id(), "VmHWM") as f64 / 1024.0
    );
    Ok(())
}

/// The abuser's rounds until `running` is cleared; how many and the codes it was refused
/// with (0: closed without one).
async fn abuse_loop(
    relay: SocketAddr,
    running: Arc<AtomicBool>,
) -> (u32, std::collections::BTreeMap<u16, u64>) {
    let mut codes = std::collections::BTreeMap::new();
    let mut round = 0u32;
    let abuser = abuser::Abuser {
        relay,
        from: "198.51.100.66",
    };
    while running.load(Ordering::Relaxed) {
        round += 1;
        let refused = [
            abuser.flood(2_000).await,
            abuser.fill_room(256 * 1024, 200).await,
            abuser.catch_ups(10).await,
            abuser.new_rooms(400).await.1,
        ];
        for code in refused {
            *codes.entry(code.unwrap_or(0)).or_insert(0u64) += 1;
        }
    }
    (round, codes)
}

/// One set-up the run measures.
struct Setup {
    name: &'static str,
    /// Relays to start on the database.
    instances: usize,
    /// A fresh PostgreSQL database for it (else each relay has its own SQLite file).
    postgres: bool,
}

fn main() -> Result<()> {
    let args = args()?;
    let files = raise_open_files();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut setups = vec![Setup {
        name: "SQLite, one relay",
        instances: 1,
        postgres: false,
    }];
    if args.postgres.is_some() {
        setups.push(Setup {
            name: "PostgreSQL, one relay",
            instances: 1,
            postgres: true,
        });
        setups.push(Setup {
            name: "PostgreSQL, two relays on one database",
            instances: 2,
            postgres: true,
        });
    }
    for (n, setup) in setups.iter().enumerate() {
        let database = match (&args.postgres, setup.postgres) {
            (Some(admin), true) => Some(dreieck_relay::create_database(
                admin,
                &format!("bench_{}_{n}", std::process::id()),
            )?),
            _ => None,
        };
        println!("\n== {} ==", setup.name);
        run_setup(&args, setup, database.as_deref(), files, &runtime)?;
    }
    println!("\n== Abuse: honest rooms beside an abusive client, SQLite, one relay ==");
    // The default limits (the other set-ups lift the message rate for the closed loop),
    // rooms of 16 MiB so that filling one takes a moment, and a storage quota.
    let relay = start_relay(
        &args.relay,
        (args.idle + 100).max(2_000),
        None,
        &[
            ("DREIECK_MAX_CONNECTIONS_PER_ADDRESS", "1000"),
            ("DREIECK_MESSAGES_PER_SECOND", "200"),
            ("DREIECK_MESSAGE_BURST", "400"),
            ("DREIECK_MAX_ROOM_BYTES", "16777216"),
            ("DREIECK_MAX_STORED_BYTES", "2147483648"),
        ],
    )?;
    runtime.block_on(abuse(&relay, 100, args.seconds, args.rate / 5))?;
    println!("load average at the end: {}", load_average());
    Ok(())
}

fn run_setup(
    args: &Args,
    setup: &Setup,
    database: Option<&str>,
    files: u64,
    runtime: &tokio::runtime::Runtime,
) -> Result<()> {
    let relays = (0..setup.instances)
        .map(|_| start_relay(&args.relay, args.idle + 100, database, &[]))
        .collect::<Result<Vec<_>>>()?;
    for relay in &relays {
        let pid = relay.child.id();
        println!(
            "relay {} (pid {pid}) on {}, open-file limit {files}, RSS at start {} KiB, load average {}",
            args.relay,
            relay.addr,
            memory_kib(pid, "VmRSS"),
            load_average()
        );
    }
    runtime.block_on(async {
        idle_connections(&relays, args.idle).await?;
        load(&relays, args.rooms, args.seconds, setup.postgres, None).await?;
        quiet(&relays).await?;
        load(
            &relays,
            args.rooms,
            args.seconds,
            setup.postgres,
            Some(args.rate),
        )
        .await?;
        quiet(&relays).await?;
        Ok::<_, anyhow::Error>(())
    })?;
    for mut relay in relays {
        let pid = relay.child.id();
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
        // SAFETY: sending SIGTERM to the child we started.
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGTERM);
        }
        let status = relay.child.wait()?;
        println!("relay stopped on SIGTERM: {status}");
    }
    Ok(())
}
