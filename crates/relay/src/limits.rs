//! The sync endpoint's limits and the per-connection message rate limiter.
//!
//! Limits protect the relay from one client, not clients from each other: every breach is
//! answered with an error frame and a close of that one connection only.

use std::time::{Duration, Instant};

/// What one relay allows on its sync endpoint: flags, else environment, else these defaults.
#[derive(Clone, Debug, PartialEq, clap::Args)]
pub struct SyncLimits {
    /// Largest sync frame (one WebSocket message) in bytes. Clients send larger messages as
    /// runs of parts of at most `parts::PART_SIZE` (1 MiB) each, so this must stay above that.
    #[arg(long, env = "DREIECK_MAX_FRAME_BYTES", default_value_t = dreieck_sync::wire::MAX_FRAME_SIZE)]
    pub max_frame_bytes: usize,
    /// Largest message joined from parts (a snapshot or a full state of a long history); a
    /// connection holds at most this much for a run not yet complete, and only once admitted.
    /// The room state machine joins and decodes at most `parts::MAX_MESSAGE_SIZE` (64 MiB), so
    /// a larger value has no effect beyond that.
    #[arg(long, env = "DREIECK_MAX_MESSAGE_BYTES", default_value_t = dreieck_sync::parts::MAX_MESSAGE_SIZE)]
    pub max_message_bytes: usize,
    /// Open sync connections in total.
    #[arg(long, env = "DREIECK_MAX_CONNECTIONS", default_value_t = 10_000)]
    pub max_connections: usize,
    /// Open sync connections per client address (an IPv6 /64; behind a reverse proxy on this
    /// machine, the address it names in X-Forwarded-For). An office behind one NAT shares it.
    #[arg(
        long,
        env = "DREIECK_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 1_000
    )]
    pub max_connections_per_address: usize,
    /// Open sync connections per room (admitted or not).
    #[arg(long, env = "DREIECK_MAX_ROOM_CONNECTIONS", default_value_t = 32)]
    pub max_room_connections: usize,
    /// Sustained messages per second per connection.
    #[arg(long, env = "DREIECK_MESSAGES_PER_SECOND", default_value_t = 200.0)]
    pub messages_per_second: f64,
    /// Messages a connection may send at once before the rate applies.
    #[arg(long, env = "DREIECK_MESSAGE_BURST", default_value_t = 400.0)]
    pub message_burst: f64,
    /// Sustained bytes per second one connection may send. Beyond, the relay reads that
    /// connection more slowly (the sender waits, nothing is refused), so one device cannot
    /// take the relay's bandwidth or disk from the others, and a large upload still arrives.
    #[arg(long, env = "DREIECK_BYTES_PER_SECOND", default_value_t = 8.0 * 1024.0 * 1024.0)]
    pub bytes_per_second: f64,
    /// Bytes a connection may send at once before the byte rate applies.
    #[arg(long, env = "DREIECK_BYTE_BURST", default_value_t = 16.0 * 1024.0 * 1024.0)]
    pub byte_burst: f64,
    /// Sustained bytes per second all connections of one client address may send together.
    /// Beyond, their reading waits, as for one connection over `--bytes-per-second`: a client
    /// with a thousand connections gets the bandwidth of a few, not of a thousand.
    #[arg(long, env = "DREIECK_ADDRESS_BYTES_PER_SECOND", default_value_t = 32.0 * 1024.0 * 1024.0)]
    pub address_bytes_per_second: f64,
    /// Bytes the connections of one address may send at once before that rate applies.
    #[arg(long, env = "DREIECK_ADDRESS_BYTE_BURST", default_value_t = 64.0 * 1024.0 * 1024.0)]
    pub address_byte_burst: f64,
    /// Sealed bytes (log entries and snapshots) one room may store.
    #[arg(long, env = "DREIECK_MAX_ROOM_BYTES", default_value_t = 256 * 1024 * 1024)]
    pub max_room_bytes: u64,
    /// Seconds a room without connections stays in memory. A room loaded again from storage
    /// starts a new epoch, and its clients then upload their full state once, so a short
    /// linger absorbs reconnects after a network hiccup.
    #[arg(long, env = "DREIECK_ROOM_LINGER_SECS", default_value_t = 30)]
    pub room_linger_secs: u64,
    /// Seconds after which a room whose devices stay connected but send nothing but presence
    /// drops its log and snapshot from memory (0: never). They stay in storage; the room
    /// keeps serving, and reads them back if a device needs what was dropped.
    #[arg(long, env = "DREIECK_ROOM_IDLE_SECS", default_value_t = 300)]
    pub room_idle_secs: u64,
    /// Connections one client address may open per second. Beyond, the WebSocket handshake
    /// is answered with HTTP 429 before anything else is spent on it (the app retries with
    /// backoff); an attacker refused at the door again and again must not cost the relay a
    /// handshake and a protocol refusal each time.
    #[arg(long, env = "DREIECK_CONNECTS_PER_SECOND", default_value_t = 20.0)]
    pub connects_per_second: f64,
    /// Connections one client address may open at once before the rate applies: a caseworker's
    /// device opening its reports, an office behind one NAT starting the day.
    #[arg(long, env = "DREIECK_CONNECT_BURST", default_value_t = 300.0)]
    pub connect_burst: f64,
    /// New rooms (reports shared, invitations) one client address may create per hour. An
    /// office behind one NAT shares it; the burst covers sharing many reports at once.
    #[arg(long, env = "DREIECK_NEW_ROOMS_PER_HOUR", default_value_t = 600.0)]
    pub new_rooms_per_hour: f64,
    /// New rooms one client address may create at once before the hourly rate applies.
    #[arg(long, env = "DREIECK_NEW_ROOM_BURST", default_value_t = 300.0)]
    pub new_room_burst: f64,
    /// Sealed bytes the rooms held in memory may take together. Beyond, no further room is
    /// loaded (RELAY_FULL) while the rooms in memory go on working.
    #[arg(long, env = "DREIECK_MAX_MEMORY_BYTES", default_value_t = 2 * 1024 * 1024 * 1024)]
    pub max_memory_bytes: u64,
    /// Sealed bytes all rooms may store together (0: no limit but the disk's). Beyond, Appends
    /// are refused (RELAY_FULL); snapshots, which let the relay drop entries, still go in.
    #[arg(long, env = "DREIECK_MAX_STORED_BYTES", default_value_t = 0)]
    pub max_stored_bytes: u64,
    /// With several instances on one PostgreSQL: seconds between readings of what all rooms
    /// store (every instance's writes) for `--max-stored-bytes`; 0: never (each instance then
    /// counts only its own writes on top of the sum at its start).
    #[arg(long, env = "DREIECK_STORED_REFRESH_SECS", default_value_t = 10)]
    pub stored_refresh_secs: u64,
    /// Seconds after which a room that holds nothing (registered, never written to) and has
    /// not been touched is deleted; 0: never. Rooms cost a row each and anyone may make them.
    #[arg(long, env = "DREIECK_EMPTY_ROOM_EXPIRY_SECS", default_value_t = 7 * 24 * 3600)]
    pub empty_room_expiry_secs: u64,
    /// Bytes all connections together may hold for runs of parts not yet complete (a message
    /// larger than a frame arrives in parts and is held until its last one). Beyond, the
    /// connection whose run would grow is refused with RELAY_FULL.
    #[arg(long, env = "DREIECK_MAX_RUN_BYTES", default_value_t = 1024 * 1024 * 1024)]
    pub max_run_bytes: u64,
    /// The same for the connections of one client address; beyond, RATE_LIMITED.
    #[arg(long, env = "DREIECK_MAX_RUN_BYTES_PER_ADDRESS", default_value_t = 256 * 1024 * 1024)]
    pub max_run_bytes_per_address: u64,
    /// Seconds a run of parts may wait for its next part (a part is 1 MiB: 30 s allows an
    /// upload of 35 KB/s); then the connection is refused with TIMEOUT and the run dropped.
    #[arg(long, env = "DREIECK_PART_GAP_SECS", default_value_t = 30)]
    pub part_gap_secs: u64,
    /// Milliseconds a new connection may take to send its Hello and answer the challenge;
    /// then it gets TIMEOUT and is closed (a connection that never speaks holds a slot).
    #[arg(long, env = "DREIECK_ADMISSION_TIMEOUT_MS", default_value_t = 10_000)]
    pub admission_timeout_ms: u64,
}

impl Default for SyncLimits {
    fn default() -> Self {
        SyncLimits {
            max_frame_bytes: dreieck_sync::wire::MAX_FRAME_SIZE,
            max_message_bytes: dreieck_sync::parts::MAX_MESSAGE_SIZE,
            max_connections: 10_000,
            max_connections_per_address: 1_000,
            max_room_connections: 32,
            messages_per_second: 200.0,
            message_burst: 400.0,
            bytes_per_second: 8.0 * 1024.0 * 1024.0,
            byte_burst: 16.0 * 1024.0 * 1024.0,
            address_bytes_per_second: 32.0 * 1024.0 * 1024.0,
            address_byte_burst: 64.0 * 1024.0 * 1024.0,
            max_room_bytes: 256 * 1024 * 1024,
            room_linger_secs: 30,
            room_idle_secs: 300,
            connects_per_second: 20.0,
            connect_burst: 300.0,
            new_rooms_per_hour: 600.0,
            new_room_burst: 300.0,
            max_memory_bytes: 2 * 1024 * 1024 * 1024,
            max_stored_bytes: 0,
            stored_refresh_secs: 10,
            empty_room_expiry_secs: 7 * 24 * 3600,
            max_run_bytes: 1024 * 1024 * 1024,
            max_run_bytes_per_address: 256 * 1024 * 1024,
            part_gap_secs: 30,
            admission_timeout_ms: 10_000,
        }
    }
}

impl SyncLimits {
    pub(crate) fn admission_timeout(&self) -> Duration {
        Duration::from_millis(self.admission_timeout_ms)
    }

    /// Bytes that may wait to be sent on one connection before it counts as too slow: a full
    /// catch-up of the largest room plus a couple of the largest messages of live traffic.
    pub(crate) fn max_queued_bytes(&self) -> usize {
        usize::try_from(self.max_room_bytes)
            .unwrap_or(usize::MAX)
            .saturating_add(self.max_message_bytes.saturating_mul(2))
    }

    /// How long a room with nothing but presence keeps its log in memory (`None`: always).
    pub(crate) fn room_idle(&self) -> Option<Duration> {
        (self.room_idle_secs > 0).then(|| Duration::from_secs(self.room_idle_secs))
    }

    /// How long a run of parts may wait for its next part.
    pub(crate) fn part_gap(&self) -> Duration {
        Duration::from_secs(self.part_gap_secs)
    }

    /// How long a room without connections stays in memory.
    pub(crate) fn room_linger(&self) -> Duration {
        Duration::from_secs(self.room_linger_secs)
    }
}

/// A token bucket: `rate` tokens per second, at most `burst` stored, one token per message.
#[derive(Debug)]
pub(crate) struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(rate: f64, burst: f64, now: Instant) -> Self {
        TokenBucket {
            rate,
            burst,
            tokens: burst,
            last: now,
        }
    }

    /// Takes one token if there is one.
    pub fn take(&mut self, now: Instant) -> bool {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Takes `n` tokens, going into debt if there are fewer: how long to wait before the
    /// debt is paid (zero if there was enough). Whatever is taken next waits behind the debt.
    pub fn borrow(&mut self, n: f64, now: Instant) -> Duration {
        self.refill(now);
        self.tokens -= n;
        if self.tokens >= 0.0 || self.rate <= 0.0 {
            return Duration::ZERO;
        }
        Duration::try_from_secs_f64(-self.tokens / self.rate).unwrap_or(Duration::MAX)
    }

    /// Whether the bucket is full at `now` (its client has been quiet; it can be forgotten).
    pub fn is_full(&mut self, now: Instant) -> bool {
        self.refill(now);
        self.tokens >= self.burst
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(10.0, 5.0, start);
        for _ in 0..5 {
            assert!(bucket.take(start));
        }
        assert!(!bucket.take(start));
        // A tenth of a second refills one token.
        assert!(bucket.take(start + Duration::from_millis(100)));
        assert!(!bucket.take(start + Duration::from_millis(100)));
        // A long pause refills to the burst, not beyond.
        let later = start + Duration::from_secs(60);
        for _ in 0..5 {
            assert!(bucket.take(later));
        }
        assert!(!bucket.take(later));
    }

    #[test]
    fn bytes_beyond_the_burst_wait_their_time_and_the_next_waits_behind() {
        let start = Instant::now();
        // 1,000 bytes a second, 2,000 at once.
        let mut bucket = TokenBucket::new(1_000.0, 2_000.0, start);
        assert_eq!(bucket.borrow(1_500.0, start), Duration::ZERO);
        // 500 left: 1,000 more are 500 in debt, half a second.
        assert_eq!(bucket.borrow(1_000.0, start), Duration::from_millis(500));
        // A frame right behind waits behind the debt.
        assert_eq!(bucket.borrow(500.0, start), Duration::from_secs(1));
        // After the wait, the debt is paid, and a second later there is room again.
        let later = start + Duration::from_secs(2);
        assert_eq!(bucket.borrow(1_000.0, later), Duration::ZERO);
        // A single frame larger than the burst waits for what it exceeds.
        let much_later = start + Duration::from_secs(60);
        assert_eq!(bucket.borrow(5_000.0, much_later), Duration::from_secs(3));
    }
}

#[cfg(test)]
mod defaults {
    use super::*;
    use clap::Parser as _;

    #[derive(clap::Parser)]
    struct Flags {
        #[command(flatten)]
        limits: SyncLimits,
    }

    #[test]
    fn default_matches_the_flags_defaults() {
        let parsed = Flags::parse_from(["relay"]);
        assert_eq!(parsed.limits, SyncLimits::default());
    }
}
