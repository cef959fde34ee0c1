//! Peers' keystrokes shown before they are applied.
//!
//! Automerge applies a remote change to a text by walking every operation of that text (about
//! 2.4 ms at 10,000 operations natively, several times that in a browser). A keystroke arrives
//! with the splice it made, so when it was made on exactly the document this device has, the
//! screen shows the splice at once and the change waits here: it is applied when the typist
//! pauses ([`QUIET_MS`]), at the latest after [`MAX_DEFER_MS`] or [`MAX_DEFER_BYTES`], and in
//! short texts every [`EAGER_BATCH`] keystrokes (left to pile up, a pause would end in one long
//! task). Whatever reads or writes the document takes what waits first ([`Deferral::take`]), so
//! nothing ever sees an older state than the screen.

use std::collections::BTreeSet;

use automerge::ChangeHash;

/// A peer's typing is applied after this long without a new keystroke (people pause this
/// long every few words).
pub const QUIET_MS: f64 = 150.0;
/// ... and at the latest this long after the oldest keystroke shown ahead, or once this many
/// bytes wait: nothing needs it sooner (the screen shows the splices, the relay holds the
/// changes).
pub const MAX_DEFER_MS: f64 = 10_000.0;
pub const MAX_DEFER_BYTES: usize = 256 * 1024;
/// Keystrokes in texts up to this long are applied in small batches right after they are
/// shown (Automerge walks 2,000 characters in about half a millisecond natively) ...
pub const EAGER_UP_TO_CHARS: usize = 2_000;
/// ... of this many: one apply per batch instead of one per keystroke, and short enough to
/// fit between two keystrokes.
pub const EAGER_BATCH: usize = 12;

/// What waited, taken out to be applied.
#[derive(Debug, PartialEq, Eq)]
pub struct Held {
    /// Automerge bytes, in the order they arrived.
    pub bytes: Vec<u8>,
    /// The fields their splices touched (their views re-read once applied).
    pub fields: BTreeSet<String>,
}

/// Keystrokes shown ahead of the document. See the module docs.
#[derive(Debug, Default)]
pub struct Deferral {
    deferred: Vec<u8>,
    /// The document's heads once `deferred` is applied (`None`: nothing waits).
    heads_after: Option<Vec<ChangeHash>>,
    /// Every head a held keystroke led to: the changes held, so that one arriving again
    /// (directly and through the relay) is known without applying what waits.
    held: Vec<ChangeHash>,
    /// When the oldest keystroke waiting arrived.
    first_ms: Option<f64>,
    items: usize,
    fields: BTreeSet<String>,
    /// A waiting keystroke is in a long text: they wait for a pause and go together.
    long: bool,
    due_at: Option<f64>,
}

impl Deferral {
    /// The heads a keystroke must have been made on to be shown ahead too: the document's
    /// once what waits is applied (`None`: nothing waits, the document's own heads count).
    pub fn base(&self) -> Option<&[ChangeHash]> {
        self.heads_after.as_deref()
    }

    /// The changes held (as far as their hashes are known: the last of each keystroke).
    pub fn held(&self) -> &[ChangeHash] {
        &self.held
    }

    pub fn is_empty(&self) -> bool {
        self.deferred.is_empty()
    }

    /// A keystroke whose splices are on screen now: its `bytes` wait, the document will have
    /// `heads_after` once they are applied, they touched `fields`, and `long` says whether
    /// one of those texts is longer than [`EAGER_UP_TO_CHARS`].
    pub fn hold(
        &mut self,
        bytes: &[u8],
        heads_after: Vec<ChangeHash>,
        fields: impl IntoIterator<Item = String>,
        long: bool,
        now: f64,
    ) {
        self.deferred.extend_from_slice(bytes);
        self.held.extend_from_slice(&heads_after);
        self.heads_after = Some(heads_after);
        self.fields.extend(fields);
        self.long |= long;
        self.items += 1;
        let first = *self.first_ms.get_or_insert(now);
        let overdue = now - first >= MAX_DEFER_MS
            || self.deferred.len() >= MAX_DEFER_BYTES
            || (!self.long && self.items >= EAGER_BATCH);
        if overdue && self.due_at.is_some() {
            return; // the deadline set comes soon enough
        }
        self.due_at = Some(now + if overdue { 0.0 } else { QUIET_MS });
    }

    /// Takes everything that waits (to be applied now); `None` when nothing does.
    pub fn take(&mut self) -> Option<Held> {
        let bytes = std::mem::take(&mut self.deferred);
        let fields = std::mem::take(&mut self.fields);
        *self = Deferral::default();
        (!bytes.is_empty()).then_some(Held { bytes, fields })
    }

    pub fn next_deadline(&self) -> Option<f64> {
        self.due_at
    }

    /// Whether what waits is due to be applied by `now` (then the executor calls
    /// [`Deferral::take`]).
    pub fn due(&self, now: f64) -> bool {
        self.due_at.is_some_and(|at| at <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heads(n: u8) -> Vec<ChangeHash> {
        vec![ChangeHash([n; 32])]
    }

    fn key(d: &mut Deferral, n: u8, long: bool, now: f64) {
        d.hold(&[n], heads(n), [format!("f{}", n % 2)], long, now);
    }

    #[test]
    fn a_burst_of_typing_is_applied_once_the_typist_pauses() {
        let mut d = Deferral::default();
        for i in 0..30u8 {
            key(&mut d, i, true, f64::from(i) * 40.0);
            assert!(
                !d.due(f64::from(i) * 40.0 + 39.0),
                "not while typing goes on"
            );
        }
        assert_eq!(
            d.base(),
            Some(&heads(29)[..]),
            "the next keystroke builds on the last"
        );
        assert_eq!(d.held().len(), 30);
        let last = 29.0 * 40.0;
        assert!(!d.due(last + QUIET_MS - 1.0));
        assert!(d.due(last + QUIET_MS));
        let held = d.take().unwrap();
        assert_eq!(
            held.bytes,
            (0..30).collect::<Vec<u8>>(),
            "in the order they came"
        );
        assert_eq!(held.fields.len(), 2);
        assert!(d.is_empty());
        assert!(d.held().is_empty());
        assert_eq!(d.base(), None);
        assert_eq!(d.next_deadline(), None);
        assert_eq!(d.take(), None);
    }

    #[test]
    fn typing_without_a_pause_is_applied_after_ten_seconds_at_the_latest() {
        let mut d = Deferral::default();
        let mut now = 0.0;
        while !d.due(now) {
            key(&mut d, 1, true, now);
            now += 100.0;
            assert!(now <= MAX_DEFER_MS + 200.0, "never applied");
        }
        assert!(now >= MAX_DEFER_MS);
    }

    #[test]
    fn short_texts_are_applied_every_few_keystrokes_even_without_a_pause() {
        let mut d = Deferral::default();
        // Keystrokes 30 ms apart: never a pause of 150 ms.
        let mut now = 0.0;
        for _ in 0..EAGER_BATCH - 1 {
            key(&mut d, 1, false, now);
            now += 30.0;
        }
        let last_postponing = now - 30.0;
        for _ in 0..10 {
            key(&mut d, 1, false, now);
            now += 30.0;
        }
        assert!(
            d.due(last_postponing + QUIET_MS),
            "the batch is not postponed further"
        );
        // One keystroke in a long text makes the batch wait for a pause.
        let mut d = Deferral::default();
        key(&mut d, 0, true, 0.0);
        for i in 1..=EAGER_BATCH as u8 {
            key(&mut d, i, false, f64::from(i) * 30.0);
        }
        assert!(!d.due(EAGER_BATCH as f64 * 30.0 + QUIET_MS - 1.0));
    }

    #[test]
    fn many_bytes_waiting_are_applied_at_once() {
        let mut d = Deferral::default();
        d.hold(&vec![0; MAX_DEFER_BYTES], heads(1), [], true, 5.0);
        assert!(d.due(5.0));
    }
}
