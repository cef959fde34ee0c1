//! Counters for `GET /metrics`, in Prometheus' text format.
//!
//! Plain atomics, bumped where things happen and read only when scraped, so counting costs the
//! hot path one relaxed add. Only counts: no room ids, no connection numbers, no content.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Error codes are small numbers ([`dreieck_sync::wire::code`]); one counter each up to this.
/// The room's own refusals (BAD_FRAME, UNSUPPORTED_VERSION, ADMISSION_REFUSED, UNEXPECTED,
/// WRONG_ROOM, BAD_SNAPSHOT) are counted when their frame is queued (`room_task`), the relay's
/// where it sends them.
const ERROR_CODES: usize = 32;
// The highest code so far has its own counter.
const _: () = assert!((dreieck_sync::wire::code::RELAY_FULL as usize) < ERROR_CODES);

/// Upper bounds of the commit batch size histogram (records per commit).
const BATCH_BUCKETS: [u64; 11] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/// Everything `/metrics` reports.
#[derive(Debug)]
pub(crate) struct Metrics {
    pub connections_open: AtomicU64,
    pub connections_total: AtomicU64,
    pub rooms_live: AtomicU64,
    /// Sealed bytes of the rooms held in memory (checked against `--max-memory-bytes`).
    pub room_memory: AtomicU64,
    /// Sealed bytes all rooms store, as far as this instance knows (from the database at
    /// start, then its own changes; checked against `--max-stored-bytes`).
    pub stored_now: AtomicU64,
    /// Empty rooms deleted by the expiry sweep.
    pub rooms_expired: AtomicU64,
    /// Rooms purged by the sweep because their retention period ended.
    pub rooms_retention_ended: AtomicU64,
    /// Connection attempts answered with HTTP 429 (`--connects-per-second`).
    pub attempts_refused: AtomicU64,
    /// Bytes connections hold for runs of parts not yet complete (`crate::runs`).
    pub run_bytes: Arc<AtomicU64>,
    /// Logs of idle rooms dropped from memory, and read back when a device needed them.
    pub logs_paged_out: AtomicU64,
    pub logs_read_back: AtomicU64,
    /// Connections this instance forwards to the instance serving their room.
    pub forwarded_open: AtomicU64,
    /// Connections other instances forwarded here.
    pub forwarded_in_total: AtomicU64,
    pub frames_in: AtomicU64,
    pub frames_out: AtomicU64,
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
    /// Frames after which a connection was read later (over its byte rate).
    pub reads_delayed: AtomicU64,
    errors: [AtomicU64; ERROR_CODES],
    pub commits: AtomicU64,
    pub commit_failures: AtomicU64,
    /// Sealed bytes committed (log entries and snapshots; not SQLite's own overhead).
    pub stored_bytes: AtomicU64,
    batch_buckets: [AtomicU64; BATCH_BUCKETS.len()],
    batch_sum: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            connections_open: AtomicU64::new(0),
            connections_total: AtomicU64::new(0),
            rooms_live: AtomicU64::new(0),
            room_memory: AtomicU64::new(0),
            stored_now: AtomicU64::new(0),
            rooms_expired: AtomicU64::new(0),
            rooms_retention_ended: AtomicU64::new(0),
            attempts_refused: AtomicU64::new(0),
            run_bytes: Arc::default(),
            logs_paged_out: AtomicU64::new(0),
            logs_read_back: AtomicU64::new(0),
            forwarded_open: AtomicU64::new(0),
            forwarded_in_total: AtomicU64::new(0),
            frames_in: AtomicU64::new(0),
            frames_out: AtomicU64::new(0),
            bytes_in: AtomicU64::new(0),
            bytes_out: AtomicU64::new(0),
            reads_delayed: AtomicU64::new(0),
            errors: std::array::from_fn(|_| AtomicU64::new(0)),
            commits: AtomicU64::new(0),
            commit_failures: AtomicU64::new(0),
            stored_bytes: AtomicU64::new(0),
            batch_buckets: std::array::from_fn(|_| AtomicU64::new(0)),
            batch_sum: AtomicU64::new(0),
        }
    }
}

/// Adds one to a counter.
pub(crate) fn inc(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// Adds `n` to a counter.
pub(crate) fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

/// Takes `n` from a gauge, never below zero.
pub(crate) fn sub(gauge: &AtomicU64, n: u64) {
    let _ = gauge.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
        Some(v.saturating_sub(n))
    });
}

/// Takes one from a gauge.
pub(crate) fn dec(gauge: &AtomicU64) {
    gauge.fetch_sub(1, Ordering::Relaxed);
}

impl Metrics {
    /// An error frame with `code` was sent (codes beyond the table count as the last one).
    pub fn error_sent(&self, code: u16) {
        let i = usize::from(code).min(ERROR_CODES - 1);
        inc(&self.errors[i]);
    }

    /// A commit of `records` records succeeded.
    pub fn committed(&self, records: u64) {
        inc(&self.commits);
        add(&self.batch_sum, records);
        for (bound, bucket) in BATCH_BUCKETS.iter().zip(&self.batch_buckets) {
            if records <= *bound {
                inc(bucket);
            }
        }
    }

    /// The text format: `# TYPE` lines and one sample per line.
    pub fn render(&self) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::with_capacity(2048);
        let mut one = |name: &str, kind: &str, help: &str, value: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        };
        one(
            "dreieck_relay_connections_open",
            "gauge",
            "Open sync connections.",
            get(&self.connections_open),
        );
        one(
            "dreieck_relay_connections_total",
            "counter",
            "Sync connections accepted since start.",
            get(&self.connections_total),
        );
        one(
            "dreieck_relay_rooms_live",
            "gauge",
            "Rooms held in memory.",
            get(&self.rooms_live),
        );
        one(
            "dreieck_relay_room_memory_bytes",
            "gauge",
            "Sealed bytes of the rooms held in memory.",
            get(&self.room_memory),
        );
        one(
            "dreieck_relay_stored_bytes",
            "gauge",
            "Sealed bytes all rooms store (this instance's view).",
            get(&self.stored_now),
        );
        one(
            "dreieck_relay_rooms_expired_total",
            "counter",
            "Rooms that held nothing, deleted after their expiry time.",
            get(&self.rooms_expired),
        );
        one(
            "dreieck_relay_rooms_retention_ended_total",
            "counter",
            "Rooms purged when the retention period their devices set had ended.",
            get(&self.rooms_retention_ended),
        );
        one(
            "dreieck_relay_attempts_refused_total",
            "counter",
            "Connection attempts answered with HTTP 429: one address over --connects-per-second.",
            get(&self.attempts_refused),
        );
        one(
            "dreieck_relay_run_bytes",
            "gauge",
            "Bytes held for messages arriving in parts, not yet complete (quota --max-run-bytes).",
            get(&self.run_bytes),
        );
        one(
            "dreieck_relay_logs_paged_out_total",
            "counter",
            "Logs of rooms with nothing but presence for --room-idle-secs, dropped from memory.",
            get(&self.logs_paged_out),
        );
        one(
            "dreieck_relay_logs_read_back_total",
            "counter",
            "Logs read back from storage because a device needed what was dropped.",
            get(&self.logs_read_back),
        );
        one(
            "dreieck_relay_forwarded_open",
            "gauge",
            "Sync connections forwarded to the instance that serves their room.",
            get(&self.forwarded_open),
        );
        one(
            "dreieck_relay_forwarded_in_total",
            "counter",
            "Sync connections other instances forwarded to this one.",
            get(&self.forwarded_in_total),
        );
        one(
            "dreieck_relay_frames_in_total",
            "counter",
            "WebSocket messages received on sync connections.",
            get(&self.frames_in),
        );
        one(
            "dreieck_relay_frames_out_total",
            "counter",
            "Frames sent on sync connections.",
            get(&self.frames_out),
        );
        one(
            "dreieck_relay_reads_delayed_total",
            "counter",
            "Frames after which a sync connection over its byte rate was read later.",
            get(&self.reads_delayed),
        );
        one(
            "dreieck_relay_bytes_in_total",
            "counter",
            "Bytes received in sync frames.",
            get(&self.bytes_in),
        );
        one(
            "dreieck_relay_bytes_out_total",
            "counter",
            "Bytes sent in sync frames.",
            get(&self.bytes_out),
        );
        one(
            "dreieck_relay_stored_bytes_total",
            "counter",
            "Sealed bytes committed to storage (log entries and snapshots).",
            get(&self.stored_bytes),
        );
        one(
            "dreieck_relay_storage_commits_total",
            "counter",
            "Storage transactions committed.",
            get(&self.commits),
        );
        one(
            "dreieck_relay_storage_commit_failures_total",
            "counter",
            "Storage transactions that failed.",
            get(&self.commit_failures),
        );
        let _ = writeln!(
            out,
            "# HELP dreieck_relay_errors_total Error frames sent, by protocol error code.\n\
             # TYPE dreieck_relay_errors_total counter"
        );
        for (code, counter) in self.errors.iter().enumerate() {
            let n = get(counter);
            if n > 0 {
                let _ = writeln!(out, "dreieck_relay_errors_total{{code=\"{code}\"}} {n}");
            }
        }
        let name = "dreieck_relay_storage_commit_records";
        let _ = writeln!(
            out,
            "# HELP {name} Records written per storage commit.\n# TYPE {name} histogram"
        );
        for (bound, bucket) in BATCH_BUCKETS.iter().zip(&self.batch_buckets) {
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {}", get(bucket));
        }
        let commits = get(&self.commits);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {commits}");
        let _ = writeln!(out, "{name}_sum {}", get(&self.batch_sum));
        let _ = writeln!(out, "{name}_count {commits}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative_and_errors_are_by_code() {
        let m = Metrics::default();
        m.committed(1);
        m.committed(3);
        m.committed(5000);
        m.error_sent(7);
        m.error_sent(7);
        let text = m.render();
        assert!(text.contains("dreieck_relay_storage_commit_records_bucket{le=\"1\"} 1\n"));
        assert!(text.contains("dreieck_relay_storage_commit_records_bucket{le=\"4\"} 2\n"));
        assert!(text.contains("dreieck_relay_storage_commit_records_bucket{le=\"+Inf\"} 3\n"));
        assert!(text.contains("dreieck_relay_storage_commit_records_sum 5004\n"));
        assert!(text.contains("dreieck_relay_errors_total{code=\"7\"} 2\n"));
        assert!(!text.contains("code=\"3\""));
    }
}
