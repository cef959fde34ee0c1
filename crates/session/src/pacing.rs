//! At most one wake-up per period for a stream of events.
//!
//! While somebody types, a few views must follow every change of content (signature lines
//! verify whether a signature still covers the report, the case status, the member list), and
//! their work must not sit between two keystrokes. The first change arms a deadline one period
//! away; changes until then ride along; at the deadline the views re-read once.

/// A deadline armed by the first event of a period. See the module docs.
#[derive(Debug, Clone)]
pub struct Pacer {
    period_ms: f64,
    due_at: Option<f64>,
}

impl Pacer {
    pub fn new(period_ms: f64) -> Self {
        Pacer {
            period_ms,
            due_at: None,
        }
    }

    /// An event at `now`: arms the deadline unless one is armed.
    pub fn hit(&mut self, now: f64) {
        self.due_at.get_or_insert(now + self.period_ms);
    }

    pub fn next_deadline(&self) -> Option<f64> {
        self.due_at
    }

    /// Whether the deadline has come by `now` (and disarms it): the time to act.
    pub fn fire(&mut self, now: f64) -> bool {
        let due = self.due_at.is_some_and(|at| at <= now);
        if due {
            self.due_at = None;
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_of_events_wakes_once_per_period() {
        let mut p = Pacer::new(300.0);
        let mut fired = Vec::new();
        let mut now = 0.0;
        while now < 1_000.0 {
            p.hit(now);
            if p.fire(now) {
                fired.push(now);
            }
            now += 30.0;
        }
        assert_eq!(fired, vec![300.0, 630.0, 960.0]);
        // The events after the last wake get theirs, once.
        assert_eq!(p.next_deadline(), Some(1_290.0));
        assert!(p.fire(5_000.0));
        assert!(!p.fire(6_000.0));
    }

    #[test]
    fn a_single_event_wakes_once_after_the_period() {
        let mut p = Pacer::new(300.0);
        p.hit(10.0);
        assert!(!p.fire(309.0));
        assert_eq!(p.next_deadline(), Some(310.0));
        assert!(p.fire(310.0));
        assert_eq!(p.next_deadline(), None);
    }
}
