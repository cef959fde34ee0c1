//! The writer queue between an open report and storage.
//!
//! Every edit's incremental bytes are queued at once and written in order, one write in
//! flight: what is typed meanwhile goes into the next write, and no edit is dropped. An edit
//! is written at once; keystrokes that follow a write by less than [`STORE_TYPED_EVERY_MS`]
//! wait for that moment and go together (one strict-durability write per keystroke was a
//! disk flush 33 times a second while somebody typed). A failed write keeps its bytes in front of whatever follows and is
//! retried by the next edit (or "Erneut versuchen"). Now and then the document is written as
//! one full save instead (a compaction): after [`COMPACT_AFTER`] chunks once typing pauses, so
//! that loading stays fast, and never between two keystrokes, because a full save of a long
//! history holds the main thread for tens of milliseconds.
//!
//! The machine decides; the executor writes. It asks for a job ([`Autosave::next_job`], with
//! closures that make a full save and a case-list summary only when one is needed), carries it
//! out, and reports the [`Outcome`]. Deadlines are absolute times in milliseconds; the executor
//! wakes the machine at [`Autosave::next_deadline`] through [`Autosave::tick`].

/// Above this many incremental chunks the next pause of [`COMPACT_QUIET_MS`] compacts.
pub const COMPACT_AFTER: u32 = 200;
/// ... and at this many a short pause ([`COMPACT_SHORT_PAUSE_MS`]: people pause that long
/// every few words), so loading stays bounded ...
pub const COMPACT_LIMIT: u32 = 4 * COMPACT_AFTER;
/// ... and at this many the next write compacts, pause or not.
pub const COMPACT_HARD_LIMIT: u32 = 2 * COMPACT_LIMIT;
/// How long no write must have happened before a due compaction runs.
pub const COMPACT_QUIET_MS: f64 = 2_000.0;
pub const COMPACT_SHORT_PAUSE_MS: f64 = 300.0;
/// Peers' keystrokes are written together, at most this long after the first one (one write
/// per keystroke on every device would cost each of them as much as the typist): they are
/// safe at the relay and on the typist's device meanwhile, and a local edit or hiding the page
/// writes them at once.
pub const STORE_REMOTE_WITHIN_MS: f64 = 1_000.0;
/// While writes follow each other, the case list's summary is worked out again at most this
/// often (it reads the status, the deadline and every signature line: half a millisecond per
/// keystroke otherwise). The last one is brought up to date once the writes stop, and at once
/// when [`Autosave::summary_now`] says the case list is about to show it.
pub const SUMMARY_EVERY_MS: f64 = 1_000.0;

/// While somebody types here, a keystroke that comes this soon after the last write waits for
/// this long after it, and the keystrokes until then are written together: a write every
/// quarter second instead of one per keystroke, each a transaction and a flush to disk. The
/// first keystroke after a pause is written at once, and hiding or leaving the page writes
/// what waits ([`Autosave::write_now`]).
pub const STORE_TYPED_EVERY_MS: f64 = 250.0;

/// "gespeichert" is shown this long after the writes came to rest, not after each one: while
/// somebody types, writes follow each other, and the status would otherwise flip between
/// "speichert …" and "gespeichert" at every key (the live region announcing it, and the page
/// laid out again, on the typing device's busiest path).
pub const SHOW_SAVED_AFTER_MS: f64 = 600.0;

/// One write to storage. `S` is the case list's summary of the report, written beside it.
#[derive(Clone, Debug, PartialEq)]
pub enum Job<S> {
    /// Incremental bytes appended as one chunk (empty: the summary alone, or a retry of the
    /// chunk the store kept from a failed append).
    Append { bytes: Vec<u8>, summary: S },
    /// The whole document as one full save replacing the stored chunks. `covered`: how many
    /// chunks from the first this session knows the document to hold (the store may then skip
    /// checking them for chunks another tab appended).
    Compact {
        bytes: Vec<u8>,
        summary: S,
        covered: Option<f64>,
    },
}

impl<S> Job<S> {
    pub fn summary(&self) -> &S {
        match self {
            Job::Append { summary, .. } | Job::Compact { summary, .. } => summary,
        }
    }

    /// Writes the summary alone: nothing to say "Wird gespeichert …" about.
    pub fn summary_only(&self) -> bool {
        matches!(self, Job::Append { bytes, .. } if bytes.is_empty())
    }
}

/// How a [`Job`] ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Stored; `seq` is the new chunk's key (`None`: nothing was appended, e.g. the summary).
    Appended {
        seq: Option<f64>,
    },
    /// The append failed. `bytes` are the job's bytes; `kept_by_store`: the store holds them
    /// itself and writes them in front of its next append.
    AppendFailed {
        bytes: Vec<u8>,
        kept_by_store: bool,
    },
    Compacted,
    CompactFailed,
}

/// What a deadline asks the executor to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wake {
    /// A compaction is due: ask for it ([`Autosave::compact_requested`]) and start the writer.
    Compact,
    /// Start the writer (peers' changes or a summary are due).
    Write,
    /// Everything is stored and has been for [`SHOW_SAVED_AFTER_MS`]: say so.
    Saved,
}

/// What the writer needs from the document, asked only when a job needs it.
pub trait Source<S> {
    /// The whole document as one save; everything counts as saved afterwards (as after
    /// Automerge's `save`).
    fn full_save(&mut self) -> Vec<u8>;
    /// The case list's summary of the document as it is now.
    fn summary(&mut self) -> S;
}

/// The queue's state. See the module docs.
#[derive(Debug)]
pub struct Autosave<S> {
    /// Incremental saves not yet on disk, in order.
    pending: Vec<u8>,
    /// The executor's writer runs (between [`Autosave::start`] and the job it ends on).
    in_flight: bool,
    /// The next write must be a full save: a compaction was asked for, or one failed after
    /// the full save moved Automerge's incremental cursor past bytes that are not stored yet.
    needs_full: bool,
    /// The last append failed and the store kept its bytes: the next append (even an empty
    /// one) writes them.
    retry: bool,
    chunks: u32,
    covered: Option<f64>,
    /// The write in flight stores changes (not the summary alone).
    bytes_in_flight: bool,
    /// The summary last worked out and when.
    summary: Option<(f64, S)>,
    /// A write went out with that summary although the report had changed since: a write of
    /// the summary alone is due.
    summary_stale: bool,
    compact_at: Option<f64>,
    summary_at: Option<f64>,
    /// When what is pending (keystrokes, peers' changes) is written, unless `urgent`.
    store_at: Option<f64>,
    saved_at: Option<f64>,
    /// Something pending is to be written now (an edit other than typing, a page about to be
    /// hidden or left), not at `store_at`.
    urgent: bool,
    /// When the last write of changes started (keystrokes soon after it wait).
    last_append_at: Option<f64>,
}

impl<S: Clone> Autosave<S> {
    /// A session over a document stored as `chunks` chunks; `needs_full`: the first write
    /// must be a full save.
    pub fn new(chunks: u32, needs_full: bool) -> Self {
        Autosave {
            pending: Vec::new(),
            in_flight: false,
            needs_full,
            retry: false,
            chunks,
            covered: None,
            bytes_in_flight: false,
            summary: None,
            summary_stale: false,
            compact_at: None,
            summary_at: None,
            store_at: None,
            saved_at: None,
            urgent: false,
            last_append_at: None,
        }
    }

    /// Nothing is unsaved, nothing is being written, and the stored summary is current.
    pub fn is_clean(&self) -> bool {
        self.holds_nothing_unsaved() && !self.in_flight && !self.summary_stale
    }

    /// No change of the document waits to be stored (only the summary may be behind, or on
    /// its way).
    pub fn holds_nothing_unsaved(&self) -> bool {
        self.pending.is_empty() && !self.bytes_in_flight && !self.needs_full && !self.retry
    }

    /// How many chunks storage holds for the report.
    pub fn chunks(&self) -> u32 {
        self.chunks
    }

    /// The bytes of an edit made here (or of a peer's change to be stored now). The executor
    /// then calls [`Autosave::start`].
    pub fn edited(&mut self, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.pending.extend_from_slice(bytes);
            self.urgent = true;
        }
    }

    /// The bytes of a keystroke made here at `now`: written at once after a pause, otherwise
    /// together with the keystrokes that follow, [`STORE_TYPED_EVERY_MS`] after the last
    /// write. The executor then calls [`Autosave::start`] (and arms [`Autosave::next_deadline`]).
    pub fn typed(&mut self, bytes: &[u8], now: f64) {
        self.pending.extend_from_slice(bytes);
        match self.last_append_at {
            Some(at) if now - at < STORE_TYPED_EVERY_MS => {
                let due = at + STORE_TYPED_EVERY_MS;
                self.store_at = Some(self.store_at.map_or(due, |s| s.min(due)));
            }
            _ => self.urgent = true,
        }
    }

    /// Whatever waits is written now (the page is being hidden or left).
    pub fn write_now(&mut self) {
        if !self.pending.is_empty() {
            self.urgent = true;
        }
    }

    /// Pending changes wait for `store_at` (nothing asks for them sooner).
    fn waiting(&self, now: f64) -> bool {
        !self.urgent
            && !self.needs_full
            && !self.retry
            && !self.pending.is_empty()
            && self.store_at.is_some_and(|at| at > now)
    }

    /// Peers' changes applied here: stored within [`STORE_REMOTE_WITHIN_MS`] (a
    /// [`Wake::Write`]), or earlier with the next edit.
    pub fn received(&mut self, bytes: &[u8], now: f64) {
        self.pending.extend_from_slice(bytes);
        self.store_at.get_or_insert(now + STORE_REMOTE_WITHIN_MS);
    }

    /// Whether the executor should start its writer now (it is not running and something is
    /// due). The writer then takes jobs until [`Autosave::next_job`] returns `None` or a write
    /// fails.
    pub fn start(&mut self, now: f64) -> bool {
        if self.in_flight || self.is_clean() || self.waiting(now) {
            return false;
        }
        self.in_flight = true;
        true
    }

    /// The next write, or `None` (the writer stops; a summary write may be scheduled).
    pub fn next_job(&mut self, now: f64, doc: &mut impl Source<S>) -> Option<Job<S>> {
        if self.waiting(now) {
            // Keystrokes typed during the last write: they go at `store_at`, together.
            self.in_flight = false;
            return None;
        }
        self.store_at = None;
        self.urgent = false;
        if self.needs_full {
            self.saved_at = None;
            let bytes = doc.full_save();
            // The full save holds everything pending; `needs_full` stays set until it is stored.
            self.pending.clear();
            self.bytes_in_flight = true;
            return Some(Job::Compact {
                bytes,
                summary: self.summary_for_write(now, true, doc),
                covered: self.covered,
            });
        }
        let nothing = self.pending.is_empty() && !self.retry;
        let summary_due = self
            .summary
            .as_ref()
            .is_none_or(|(at, _)| now - at >= SUMMARY_EVERY_MS);
        if nothing && !(self.summary_stale && summary_due) {
            self.in_flight = false;
            if self.holds_nothing_unsaved() {
                self.saved_at = Some(now + SHOW_SAVED_AFTER_MS);
            }
            if self.summary_stale {
                let at = self.summary.as_ref().map_or(now, |(at, _)| *at);
                self.summary_at = Some((at + SUMMARY_EVERY_MS).max(now));
            }
            return None;
        }
        self.summary_at = None;
        let bytes = std::mem::take(&mut self.pending);
        // (A failed append's bytes wait in the store: a retry writes them too.)
        self.bytes_in_flight = !bytes.is_empty() || self.retry;
        if self.bytes_in_flight {
            self.saved_at = None;
            self.last_append_at = Some(now);
        }
        Some(Job::Append {
            bytes,
            summary: self.summary_for_write(now, false, doc),
        })
    }

    /// The summary for a write at `now`: worked out afresh when the last one is older than
    /// [`SUMMARY_EVERY_MS`] (or `fresh`), otherwise the last one, and a summary write is due.
    fn summary_for_write(&mut self, now: f64, fresh: bool, doc: &mut impl Source<S>) -> S {
        match &self.summary {
            Some((at, last)) if !fresh && now - at < SUMMARY_EVERY_MS => {
                self.summary_stale = true;
                last.clone()
            }
            _ => {
                let summary = doc.summary();
                self.summary = Some((now, summary.clone()));
                self.summary_stale = false;
                summary
            }
        }
    }

    /// How the job from [`Autosave::next_job`] ended. `false`: the writer stops (the failure
    /// is the executor's to show; the bytes are kept for the next try).
    pub fn finished(&mut self, outcome: Outcome, now: f64) -> bool {
        self.bytes_in_flight = false;
        match outcome {
            Outcome::Appended { seq } => {
                if let Some(seq) = seq {
                    self.covered = self.covered.filter(|c| *c == seq).map(|c| c + 1.0);
                    self.chunks += 1;
                }
                self.retry = false;
                if self.chunks >= COMPACT_HARD_LIMIT {
                    self.needs_full = true;
                } else if self.chunks >= COMPACT_LIMIT {
                    self.compact_at = Some(now + COMPACT_SHORT_PAUSE_MS);
                } else if self.chunks > COMPACT_AFTER {
                    self.compact_at = Some(now + COMPACT_QUIET_MS);
                }
                true
            }
            Outcome::Compacted => {
                // The store now holds the document as one chunk.
                self.covered = Some(1.0);
                self.needs_full = false;
                self.retry = false;
                self.chunks = 1;
                true
            }
            Outcome::AppendFailed {
                mut bytes,
                kept_by_store,
            } => {
                if kept_by_store {
                    self.retry = true;
                } else {
                    // Put the bytes back in front of whatever was typed meanwhile.
                    bytes.append(&mut self.pending);
                    self.pending = bytes;
                }
                self.in_flight = false;
                false
            }
            Outcome::CompactFailed => {
                // `needs_full` stays: the next write is full again.
                self.in_flight = false;
                false
            }
        }
    }

    /// Asks for a full, compact save as the next write (the page is hidden, or a compaction
    /// came due). Nothing to do when storage holds one chunk and nothing is unsaved.
    pub fn compact_requested(&mut self) {
        self.compact_at = None;
        if !(self.chunks <= 1 && self.holds_nothing_unsaved()) {
            self.needs_full = true;
        }
    }

    /// A peer is typing, which is no pause either: a due compaction waits for it too.
    pub fn peer_typing(&mut self, now: f64) {
        if self.compact_at.is_some() {
            let pause = if self.chunks >= COMPACT_LIMIT {
                COMPACT_SHORT_PAUSE_MS
            } else {
                COMPACT_QUIET_MS
            };
            self.compact_at = Some(now + pause);
        }
    }

    /// The next write works the summary out afresh (the case list is about to show it).
    pub fn summary_now(&mut self) {
        if self.summary_stale {
            self.summary = None;
            self.summary_at = None;
        }
    }

    /// The earliest deadline, if any.
    pub fn next_deadline(&self) -> Option<f64> {
        [
            self.compact_at,
            self.summary_at,
            self.store_at,
            self.saved_at,
        ]
        .into_iter()
        .flatten()
        .reduce(f64::min)
    }

    /// What has come due by `now` (each deadline once).
    pub fn tick(&mut self, now: f64) -> Vec<Wake> {
        let mut wakes = Vec::new();
        if self.compact_at.is_some_and(|at| at <= now) {
            self.compact_at = None;
            wakes.push(Wake::Compact);
        }
        let summary = self.summary_at.is_some_and(|at| at <= now);
        let store = self.store_at.is_some_and(|at| at <= now);
        if summary {
            self.summary_at = None;
        }
        if store {
            self.store_at = None;
            // Due now, even if a write still under way ends after another deadline was set
            // (a peer's change, a second later).
            if !self.pending.is_empty() {
                self.urgent = true;
            }
        }
        if summary || store {
            wakes.push(Wake::Write);
        }
        if self.saved_at.is_some_and(|at| at <= now) {
            self.saved_at = None;
            if self.holds_nothing_unsaved() && !self.in_flight {
                wakes.push(Wake::Saved);
            }
        }
        wakes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store that remembers what was written, as storage would, and can be told to fail.
    #[derive(Default)]
    struct Disk {
        chunks: Vec<Vec<u8>>,
        summaries: Vec<u32>,
        fail: bool,
        keeps_failed: bool,
    }

    /// The document: everything edited so far, and a summary version that counts summaries
    /// worked out.
    #[derive(Default)]
    struct Doc {
        all: Vec<u8>,
        summaries_made: u32,
    }

    impl Source<u32> for Doc {
        fn full_save(&mut self) -> Vec<u8> {
            self.all.clone()
        }

        fn summary(&mut self) -> u32 {
            self.summaries_made += 1;
            self.summaries_made
        }
    }

    /// Runs the writer as the executor does: jobs until none is left or one fails.
    fn drain(a: &mut Autosave<u32>, doc: &mut Doc, disk: &mut Disk, now: f64) -> bool {
        if !a.start(now) {
            return true;
        }
        loop {
            let Some(job) = a.next_job(now, doc) else {
                return true;
            };
            let outcome = match (job, disk.fail) {
                (Job::Append { bytes, summary }, false) => {
                    disk.summaries.push(summary);
                    if bytes.is_empty() {
                        Outcome::Appended { seq: None }
                    } else {
                        disk.chunks.push(bytes);
                        Outcome::Appended {
                            seq: Some(disk.chunks.len() as f64),
                        }
                    }
                }
                (Job::Compact { bytes, summary, .. }, false) => {
                    disk.summaries.push(summary);
                    disk.chunks = vec![bytes];
                    Outcome::Compacted
                }
                (Job::Append { bytes, .. }, true) => Outcome::AppendFailed {
                    bytes,
                    kept_by_store: disk.keeps_failed,
                },
                (Job::Compact { .. }, true) => Outcome::CompactFailed,
            };
            if !a.finished(outcome, now) {
                return false;
            }
        }
    }

    fn edit(a: &mut Autosave<u32>, doc: &mut Doc, bytes: &[u8]) {
        doc.all.extend_from_slice(bytes);
        a.edited(bytes);
    }

    fn stored(disk: &Disk) -> Vec<u8> {
        disk.chunks.concat()
    }

    /// The earliest deadline other than saying "gespeichert" (tests of the other deadlines).
    fn deadline(a: &Autosave<u32>) -> Option<f64> {
        [a.compact_at, a.summary_at, a.store_at]
            .into_iter()
            .flatten()
            .reduce(f64::min)
    }

    /// What comes due by `now`, other than saying "gespeichert".
    fn ticks(a: &mut Autosave<u32>, now: f64) -> Vec<Wake> {
        a.tick(now)
            .into_iter()
            .filter(|w| *w != Wake::Saved)
            .collect()
    }

    #[test]
    fn edits_during_a_write_go_into_the_next_write_in_order() {
        let mut a = Autosave::new(1, false);
        let (mut doc, mut disk) = (Doc::default(), Disk::default());
        edit(&mut a, &mut doc, b"a");
        assert!(a.start(0.0));
        assert!(!a.start(0.0), "one writer at a time");
        let job = a.next_job(0.0, &mut doc).unwrap();
        // Typed while the first write is on its way.
        edit(&mut a, &mut doc, b"b");
        edit(&mut a, &mut doc, b"c");
        assert!(!a.is_clean());
        let Job::Append { bytes, .. } = job else {
            panic!("an append")
        };
        disk.chunks.push(bytes);
        assert!(a.finished(Outcome::Appended { seq: Some(1.0) }, 0.0));
        let Some(Job::Append { bytes, .. }) = a.next_job(0.0, &mut doc) else {
            panic!("the next append")
        };
        assert_eq!(bytes, b"bc");
        disk.chunks.push(bytes);
        a.finished(Outcome::Appended { seq: Some(2.0) }, 0.0);
        assert_eq!(a.next_job(0.0, &mut doc), None);
        assert_eq!(stored(&disk), doc.all);
        assert!(a.holds_nothing_unsaved());
    }

    #[test]
    fn saved_is_said_once_typing_is_stored_not_between_keystrokes() {
        let mut a = Autosave::new(1, false);
        let (mut doc, mut disk) = (Doc::default(), Disk::default());
        let mut saved = Vec::new();
        // 40 keystrokes 30 ms apart, each written at once (as the executor does).
        for i in 0..40 {
            let now = f64::from(i) * 30.0;
            saved.extend(a.tick(now).into_iter().filter(|w| *w == Wake::Saved));
            edit(&mut a, &mut doc, b"x");
            assert!(drain(&mut a, &mut doc, &mut disk, now));
        }
        assert!(saved.is_empty(), "nothing said while typing: {saved:?}");
        let last = 39.0 * 30.0;
        assert_eq!(a.next_deadline(), Some(last + SHOW_SAVED_AFTER_MS));
        assert!(a.tick(last + SHOW_SAVED_AFTER_MS - 1.0).is_empty());
        assert_eq!(a.tick(last + SHOW_SAVED_AFTER_MS), vec![Wake::Saved]);
        assert!(
            !a.tick(last + 10.0 * SHOW_SAVED_AFTER_MS)
                .contains(&Wake::Saved),
            "said once"
        );
        assert_eq!(stored(&disk), doc.all);
    }

    #[test]
    fn saved_is_not_said_while_a_write_failed() {
        let mut a = Autosave::new(1, false);
        let (mut doc, mut disk) = (Doc::default(), Disk::default());
        edit(&mut a, &mut doc, b"a");
        assert!(drain(&mut a, &mut doc, &mut disk, 0.0));
        edit(&mut a, &mut doc, b"b");
        disk.fail = true;
        assert!(!drain(&mut a, &mut doc, &mut disk, 100.0));
        assert!(
            !a.tick(100.0 + 10.0 * SHOW_SAVED_AFTER_MS)
                .contains(&Wake::Saved),
            "an edit is not stored"
        );
    }

    #[test]
    fn a_failed_write_keeps_its_bytes_in_front_of_later_edits() {
        let mut a = Autosave::new(1, false);
        let (mut doc, mut disk) = (Doc::default(), Disk::default());
        edit(&mut a, &mut doc, b"first ");
        disk.fail = true;
        assert!(!drain(&mut a, &mut doc, &mut disk, 0.0), "the write fails");
        assert!(!a.holds_nothing_unsaved(), "the edit is not lost");
        edit(&mut a, &mut doc, b"second");
        disk.fail = false;
        assert!(drain(&mut a, &mut doc, &mut disk, 10.0));
        assert_eq!(stored(&disk), b"first second");
        assert!(a.holds_nothing_unsaved());
    }

    #[test]
    fn a_chunk_the_store_kept_is_retried_by_an_empty_append() {
        let mut a = Autosave::new(1, false);
        let (mut doc, mut disk) = (Doc::default(), Disk::default());
        edit(&mut a, &mut doc, b"kept");
        disk.fail = true;
        disk.keeps_failed = true;
        assert!(!drain(&mut a, &mut doc, &mut disk, 0.0));
        assert!(!a.holds_nothing_unsaved());
        // "Erneut versuchen" with nothing new typed still writes.
        disk.fail = false;
        assert!(a.start(5.0));
        let job = a.next_job(5.0, &mut doc);
        assert!(matches!(job, Some(Job::Append { ref bytes, .. }) if bytes.is_empty()));
        assert!(a.finished(Outcome::Appended { seq: Some(1.0) }, 5.0));
        assert_eq!(a.next_job(5.0, &mut doc), None);
        assert!(a.holds_nothing_unsaved());
    }

    #[test]
    fn compaction_waits_for_a_pause_and_a_peer_typing_is_no_pause() {
        let mut a = Autosave::new(COMPACT_AFTER, false);
        let (mut doc, mut disk) = (Doc::default(), Disk::default());
        edit(&mut a, &mut doc, b"x");
        drain(&mut a, &mut doc, &mut disk, 0.0);
        assert_eq!(deadline(&a), Some(COMPACT_QUIET_MS));
        // Another keystroke at 1.5 s moves it on.
        edit(&mut a, &mut doc, b"y");
        drain(&mut a, &mut doc, &mut disk, 1_500.0);
        assert_eq!(deadline(&a), Some(1_500.0 + COMPACT_QUIET_MS));
        // A peer typing at 3 s too.
        a.peer_typing(3_000.0);
        assert!(ticks(&mut a, 3_400.0).is_empty());
        assert_eq!(ticks(&mut a, 5_000.0), vec![Wake::Compact]);
        a.compact_requested();
        drain(&mut a, &mut doc, &mut disk, 5_000.0);
        assert_eq!(disk.chunks, vec![doc.all.clone()], "one full save");
        assert_eq!(a.chunks(), 1);
        assert_eq!(deadline(&a), None);
        // A peer typing when no compaction is due arms nothing.
        a.peer_typing(6_000.0);
        assert_eq!(deadline(&a), None);
    }

    #[test]
    fn many_chunks_compact_after_a_short_pause_and_at_the_limit_at_once() {
        let mut a = Autosave::new(COMPACT_LIMIT, false);
        let (mut doc, mut disk) = (Doc::default(), Disk::default());
        edit(&mut a, &mut doc, b"x");
        drain(&mut a, &mut doc, &mut disk, 0.0);
        assert_eq!(deadline(&a), Some(COMPACT_SHORT_PAUSE_MS));
        let mut a = Autosave::new(COMPACT_HARD_LIMIT - 1, false);
        edit(&mut a, &mut doc, b"z");
        drain(&mut a, &mut doc, &mut disk, 0.0);
        assert_eq!(a.chunks(), 1, "compacted in the same run of the writer");
        assert_eq!(disk.chunks.last(), Some(&doc.all));
    }

    #[test]
    fn a_failed_compaction_is_tried_again_and_loses_nothing() {
        let mut a = Autosave::new(5, false);
        let (mut doc, mut disk) = (Doc::default(), Disk::default());
        edit(&mut a, &mut doc, b"abc");
        a.compact_requested();
        disk.fail = true;
        assert!(!drain(&mut a, &mut doc, &mut disk, 0.0));
        assert!(!a.holds_nothing_unsaved());
        edit(&mut a, &mut doc, b"def");
        disk.fail = false;
        assert!(drain(&mut a, &mut doc, &mut disk, 1.0));
        assert_eq!(disk.chunks, vec![b"abcdef".to_vec()]);
        assert!(a.is_clean());
    }

    #[test]
    fn a_compacted_report_with_nothing_unsaved_is_not_written_again() {
        let mut a: Autosave<u32> = Autosave::new(1, false);
        a.compact_requested();
        assert!(!a.start(0.0));
    }

    #[test]
    fn the_summary_is_worked_out_at_most_once_a_second_and_brought_up_to_date_after() {
        let mut a = Autosave::new(1, false);
        let (mut doc, mut disk) = (Doc::default(), Disk::default());
        for i in 0..10 {
            edit(&mut a, &mut doc, b"k");
            drain(&mut a, &mut doc, &mut disk, f64::from(i) * 50.0);
        }
        assert_eq!(doc.summaries_made, 1, "one summary for ten quick writes");
        assert!(!a.is_clean(), "the stored summary is behind");
        let due = deadline(&a).unwrap();
        assert_eq!(due, SUMMARY_EVERY_MS);
        assert_eq!(ticks(&mut a, due), vec![Wake::Write]);
        drain(&mut a, &mut doc, &mut disk, due);
        assert_eq!(doc.summaries_made, 2);
        assert_eq!(disk.summaries.last(), Some(&2));
        assert!(a.is_clean());
    }

    #[test]
    fn leaving_the_editor_brings_the_summary_up_to_date_at_once() {
        let mut a = Autosave::new(1, false);
        let (mut doc, mut disk) = (Doc::default(), Disk::default());
        edit(&mut a, &mut doc, b"a");
        drain(&mut a, &mut doc, &mut disk, 0.0);
        edit(&mut a, &mut doc, b"b");
        drain(&mut a, &mut doc, &mut disk, 100.0);
        assert!(!a.is_clean());
        a.summary_now();
        drain(&mut a, &mut doc, &mut disk, 200.0);
        assert_eq!(doc.summaries_made, 2);
        assert!(a.is_clean());
        assert_eq!(deadline(&a), None);
    }

    #[test]
    fn peers_changes_are_stored_within_a_second_or_with_the_next_edit() {
        let mut a = Autosave::new(1, false);
        let (mut doc, mut disk) = (Doc::default(), Disk::default());
        doc.all.extend_from_slice(b"peer");
        a.received(b"peer", 0.0);
        a.received(b"", 400.0);
        assert_eq!(deadline(&a), Some(STORE_REMOTE_WITHIN_MS));
        assert_eq!(ticks(&mut a, STORE_REMOTE_WITHIN_MS), vec![Wake::Write]);
        drain(&mut a, &mut doc, &mut disk, STORE_REMOTE_WITHIN_MS);
        assert_eq!(stored(&disk), b"peer");
        // With a local edit before the deadline, both go at once and the deadline is gone.
        doc.all.extend_from_slice(b"2");
        a.received(b"2", 2_000.0);
        edit(&mut a, &mut doc, b"!");
        drain(&mut a, &mut doc, &mut disk, 2_010.0);
        assert_eq!(stored(&disk), b"peer2!");
        assert!(ticks(&mut a, 3_500.0).is_empty());
    }

    /// A keystroke as the executor reports it.
    fn key(a: &mut Autosave<u32>, doc: &mut Doc, bytes: &[u8], now: f64) {
        doc.all.extend_from_slice(bytes);
        a.typed(bytes, now);
    }

    #[test]
    fn keystrokes_in_a_row_are_written_together_a_quarter_second_apart() {
        let mut a = Autosave::new(1, false);
        let (mut doc, mut disk) = (Doc::default(), Disk::default());
        let mut writes_at = Vec::new();
        let mut now = 0.0;
        // One keystroke every 30 ms for a second, the executor draining after each and at
        // every deadline, as the session does.
        while now <= 1_000.0 {
            key(&mut a, &mut doc, b"k", now);
            let before = disk.chunks.len();
            assert!(drain(&mut a, &mut doc, &mut disk, now));
            if disk.chunks.len() > before {
                writes_at.push(now);
            }
            let next = now + 30.0;
            while let Some(at) = deadline(&a).filter(|at| *at <= next) {
                let before = disk.chunks.len();
                ticks(&mut a, at);
                assert!(drain(&mut a, &mut doc, &mut disk, at));
                if disk.chunks.len() > before {
                    writes_at.push(at);
                }
            }
            now = next;
        }
        // The first keystroke at once, then one write per 250 ms.
        assert_eq!(writes_at, vec![0.0, 250.0, 500.0, 750.0, 1_000.0]);
        // Typing stops: what waits is written at its deadline, in order, nothing lost.
        while let Some(at) = deadline(&a) {
            ticks(&mut a, at);
            assert!(drain(&mut a, &mut doc, &mut disk, at));
        }
        assert_eq!(stored(&disk), doc.all);
        assert!(a.holds_nothing_unsaved());
    }

    #[test]
    fn the_first_keystroke_after_a_pause_and_any_other_edit_are_written_at_once() {
        let mut a = Autosave::new(1, false);
        let (mut doc, mut disk) = (Doc::default(), Disk::default());
        key(&mut a, &mut doc, b"a", 0.0);
        assert!(drain(&mut a, &mut doc, &mut disk, 0.0));
        key(&mut a, &mut doc, b"b", 30.0);
        assert!(drain(&mut a, &mut doc, &mut disk, 30.0));
        assert_eq!(stored(&disk), b"a", "the second keystroke waits");
        assert!(!a.holds_nothing_unsaved());
        assert_eq!(deadline(&a), Some(250.0));
        // A structural edit (a goal added, a signature) does not wait, and takes the
        // keystroke with it.
        edit(&mut a, &mut doc, b"G");
        assert!(drain(&mut a, &mut doc, &mut disk, 40.0));
        assert_eq!(stored(&disk), b"abG");
        // After a pause longer than the interval, a keystroke goes at once.
        key(&mut a, &mut doc, b"c", 400.0);
        assert!(drain(&mut a, &mut doc, &mut disk, 400.0));
        assert_eq!(stored(&disk), b"abGc");
    }

    #[test]
    fn leaving_the_page_writes_the_waiting_keystrokes_at_once() {
        let mut a = Autosave::new(1, false);
        let (mut doc, mut disk) = (Doc::default(), Disk::default());
        key(&mut a, &mut doc, b"a", 0.0);
        assert!(drain(&mut a, &mut doc, &mut disk, 0.0));
        key(&mut a, &mut doc, b"b", 20.0);
        assert!(!a.start(20.0), "waits for its deadline");
        a.write_now();
        assert!(drain(&mut a, &mut doc, &mut disk, 21.0));
        assert_eq!(stored(&disk), b"ab");
        assert!(a.is_clean() || a.holds_nothing_unsaved());
    }

    #[test]
    fn a_failed_write_goes_again_with_the_keystrokes_that_wait() {
        let mut a = Autosave::new(1, false);
        let (mut doc, mut disk) = (Doc::default(), Disk::default());
        key(&mut a, &mut doc, b"a", 0.0);
        disk.fail = true;
        assert!(!drain(&mut a, &mut doc, &mut disk, 0.0));
        disk.fail = false;
        key(&mut a, &mut doc, b"b", 10.0);
        assert!(drain(&mut a, &mut doc, &mut disk, 10.0));
        let at = deadline(&a).expect("a deadline for what waits");
        assert!(at <= 250.0);
        ticks(&mut a, at);
        assert!(drain(&mut a, &mut doc, &mut disk, at));
        assert_eq!(stored(&disk), b"ab");
        assert!(a.holds_nothing_unsaved());
    }

    #[test]
    fn a_keystroke_due_during_a_long_write_goes_right_after_it_whatever_peers_send() {
        let mut a = Autosave::new(1, false);
        let mut doc = Doc::default();
        key(&mut a, &mut doc, b"a", 0.0);
        assert!(a.start(0.0));
        let job = a.next_job(0.0, &mut doc).expect("a write");
        // The write takes long (a slow disk); a keystroke comes and its deadline passes.
        key(&mut a, &mut doc, b"b", 100.0);
        assert_eq!(deadline(&a), Some(250.0));
        assert_eq!(ticks(&mut a, 260.0), vec![Wake::Write]);
        // A peer's change arrives before the write ends, with its own later deadline.
        doc.all.extend_from_slice(b"P");
        a.received(b"P", 270.0);
        assert!(matches!(job, Job::Append { .. }));
        assert!(a.finished(Outcome::Appended { seq: Some(2.0) }, 400.0));
        // The writer goes on with the keystroke (and the peer's change) at once.
        match a.next_job(400.0, &mut doc) {
            Some(Job::Append { bytes, .. }) => assert_eq!(bytes, b"bP"),
            other => panic!("expected the waiting bytes, got {other:?}"),
        }
    }

    #[test]
    fn gespeichert_never_shows_while_a_keystroke_waits() {
        let mut a = Autosave::new(1, false);
        let (mut doc, mut disk) = (Doc::default(), Disk::default());
        key(&mut a, &mut doc, b"a", 0.0);
        assert!(drain(&mut a, &mut doc, &mut disk, 0.0));
        key(&mut a, &mut doc, b"b", 100.0);
        assert!(drain(&mut a, &mut doc, &mut disk, 100.0));
        // The first write's "gespeichert" comes due (at 600 ms) before the waiting keystroke
        // was written (the executor was late): it is not said.
        for now in [100.0, 200.0, 249.0, 600.0] {
            assert!(!a.tick(now).contains(&Wake::Saved));
        }
        assert!(!a.holds_nothing_unsaved());
        assert!(drain(&mut a, &mut doc, &mut disk, 600.0));
        assert_eq!(stored(&disk), b"ab");
        assert!(a.tick(600.0 + SHOW_SAVED_AFTER_MS).contains(&Wake::Saved));
    }

    #[test]
    fn an_edit_that_changed_nothing_does_not_hurry_the_next_keystroke() {
        let mut a = Autosave::new(1, false);
        let (mut doc, mut disk) = (Doc::default(), Disk::default());
        key(&mut a, &mut doc, b"a", 0.0);
        assert!(drain(&mut a, &mut doc, &mut disk, 0.0));
        a.edited(&[]);
        key(&mut a, &mut doc, b"b", 30.0);
        assert!(!a.start(30.0), "the keystroke waits for its deadline");
    }
}
