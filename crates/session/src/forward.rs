//! Passing on to the relay what came only directly.
//!
//! Devices in one room also send each other their changes straight (WebRTC, see
//! `dreieck_sync::direct`). Each device uploads its own changes to the relay; but a tablet may
//! meet the person's phone at a home visit, exchange everything directly, and then never reach
//! the relay itself before the phone does. So a device that gets changes directly holds them
//! here for [`FORWARD_AFTER_MS`]: if the same changes come through the relay meanwhile (their
//! author reached it), they are dropped; otherwise, once this device is caught up with the
//! relay, it sends them on itself, sealed like its own. An author at the relay is nearly always
//! faster than the window, so the relay gets each keystroke once in the usual case; a change
//! that does arrive twice is harmless (applying it again changes nothing).
//!
//! Changes are known by digests the executor takes of each change's bytes (the same bytes
//! whether they came alone or gathered with others into one message).

use std::collections::HashSet;

/// A change's digest (SHA-256 of its bytes, in the app).
pub type Digest = [u8; 32];

/// How long changes that came directly wait for the relay to bring them too.
pub const FORWARD_AFTER_MS: f64 = 3_000.0;

#[derive(Debug)]
struct Held {
    item: Vec<u8>,
    digests: Vec<Digest>,
    due: f64,
}

/// Items that came directly and that the relay has not been seen to hold.
#[derive(Debug, Default)]
pub struct Forward {
    held: Vec<Held>,
    /// Digests of changes the relay delivered while something was held (emptied with it).
    seen: HashSet<Digest>,
}

impl Forward {
    /// An item that came directly and was new here, with its changes' digests.
    pub fn hold(&mut self, item: &[u8], digests: Vec<Digest>, now: f64) {
        if item.is_empty() || digests.is_empty() || digests.iter().all(|d| self.seen.contains(d)) {
            return;
        }
        self.held.push(Held {
            item: item.to_vec(),
            digests,
            due: now + FORWARD_AFTER_MS,
        });
    }

    /// The relay delivered changes with these digests.
    pub fn relayed(&mut self, digests: &[Digest]) {
        if self.held.is_empty() {
            return;
        }
        self.seen.extend(digests.iter().copied());
        let seen = &self.seen;
        self.held
            .retain(|h| !h.digests.iter().all(|d| seen.contains(d)));
        if self.held.is_empty() {
            self.seen.clear();
        }
    }

    /// Whether anything waits (the executor then takes digests of what the relay delivers).
    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// When the next held item is due.
    pub fn next_deadline(&self) -> Option<f64> {
        self.held.iter().map(|h| h.due).reduce(f64::min)
    }

    /// The items due by `now`, oldest first, taken out: to send to the relay.
    pub fn take_due(&mut self, now: f64) -> Vec<Vec<u8>> {
        let (due, keep): (Vec<Held>, Vec<Held>) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|h| h.due <= now);
        self.held = keep;
        if self.held.is_empty() {
            self.seen.clear();
        }
        due.into_iter().map(|h| h.item).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Digest = [1; 32];
    const B: Digest = [2; 32];

    #[test]
    fn what_the_relay_brings_in_time_is_not_passed_on() {
        let mut f = Forward::default();
        f.hold(b"ab", vec![A, B], 0.0);
        f.relayed(&[A]);
        assert!(!f.is_empty(), "half of it came through the relay");
        f.relayed(&[B]);
        assert!(f.is_empty());
        assert_eq!(f.take_due(FORWARD_AFTER_MS), Vec::<Vec<u8>>::new());
    }

    #[test]
    fn what_the_relay_does_not_bring_is_passed_on_once_due() {
        let mut f = Forward::default();
        f.hold(b"a", vec![A], 0.0);
        f.hold(b"b", vec![B], 1_000.0);
        assert_eq!(f.next_deadline(), Some(FORWARD_AFTER_MS));
        assert!(f.take_due(FORWARD_AFTER_MS - 1.0).is_empty());
        assert_eq!(f.take_due(FORWARD_AFTER_MS), vec![b"a".to_vec()]);
        assert_eq!(f.take_due(10_000.0), vec![b"b".to_vec()]);
        assert!(f.is_empty());
    }

    #[test]
    fn nothing_is_held_for_changes_the_relay_already_brought() {
        let mut f = Forward::default();
        f.hold(b"a", vec![A], 0.0);
        f.relayed(&[B]);
        // B came through the relay first, then directly.
        f.hold(b"b", vec![B], 10.0);
        assert_eq!(f.take_due(10_000.0), vec![b"a".to_vec()]);
        // With nothing held, nothing is remembered either.
        f.relayed(&[A]);
        f.hold(b"a", vec![A], 20_000.0);
        assert_eq!(f.take_due(30_000.0), vec![b"a".to_vec()]);
    }
}
