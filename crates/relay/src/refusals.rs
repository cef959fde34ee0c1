//! Refusals go to the log, but not without limit: an abusive client is refused thousands of
//! times a second (measured with the abuse benchmark: 30,000 lines in 10 s), and a log that
//! grows at that rate fills the operator's disk. Up to 20 lines a second (bursts of 100) are
//! written as they come; beyond, refusals are counted and the count goes into the next line
//! written. `/metrics` counts every refusal by code either way.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use crate::limits::TokenBucket;

/// Refusal lines a second, sustained.
const LINES_PER_SECOND: f64 = 20.0;
/// Refusal lines at once.
const LINE_BURST: f64 = 100.0;

/// The relay's refusal log.
#[derive(Debug)]
pub(crate) struct RefusalLog {
    bucket: Mutex<TokenBucket>,
    suppressed: AtomicU64,
}

impl Default for RefusalLog {
    fn default() -> Self {
        RefusalLog {
            bucket: Mutex::new(TokenBucket::new(
                LINES_PER_SECOND,
                LINE_BURST,
                Instant::now(),
            )),
            suppressed: AtomicU64::new(0),
        }
    }
}

impl RefusalLog {
    /// Connection `conn` (of the room with hash `room`, or `-`) was refused with `code`.
    pub fn refused(&self, conn: u64, room: &str, code: u16) {
        if !self.write_line(Instant::now()) {
            return;
        }
        let skipped = self.suppressed.swap(0, Ordering::Relaxed);
        if skipped > 0 {
            tracing::warn!(
                skipped,
                "Weitere Abweisungen nicht einzeln protokolliert (siehe /metrics)"
            );
        }
        tracing::warn!(conn, room, code, "Verbindung abgewiesen");
    }

    /// Whether a line may be written at `now`; counts it as suppressed if not.
    fn write_line(&self, now: Instant) -> bool {
        let allowed = self
            .bucket
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take(now);
        if !allowed {
            self.suppressed.fetch_add(1, Ordering::Relaxed);
        }
        allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_flood_of_refusals_is_counted_not_written() {
        let log = RefusalLog::default();
        let now = Instant::now();
        let written = (0..10_000).filter(|_| log.write_line(now)).count();
        assert_eq!(written, 100, "the burst");
        assert_eq!(log.suppressed.load(Ordering::Relaxed), 9_900);
        // A second later, twenty more lines.
        let later = now + Duration::from_secs(1);
        let written = (0..1_000).filter(|_| log.write_line(later)).count();
        assert_eq!(written, 20);
    }
}
