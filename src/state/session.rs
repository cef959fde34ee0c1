//! An open report and its autosave.
//!
//! Every edit appends `save_incremental()` to storage at once; writes are serialized (one in
//! flight, and whatever is typed meanwhile goes into the next write, so nothing waits for a
//! timer and no edit is dropped). A failed write keeps its bytes and is retried on the next edit
//! or by the "Erneut versuchen" button. Now and then (more than [`COMPACT_AFTER`] chunks, once
//! typing pauses; and when the page is hidden) the whole document is written as one compact
//! save instead.
//!
//! A session outlives its editor view while it holds unsaved bytes: it stays in a per-tab
//! registry, so leaving the editor while the disk refuses a write does not lose the edit, and
//! opening the report again shows the in-memory state, including what is not yet stored.
//!
//! A shared report also has a [`Link`] while an editor shows it: every edit's incremental bytes
//! go to storage and to the link alike (one `save_incremental` per edit, so storage and relay
//! see the same changes), and a peer's changes come in through [`Session::apply_remote`], are
//! stored like an edit, and bump the revision so the views re-read.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use automerge::ChangeHash;
use dreieck::storage::{ReportStore, Summary};
use dreieck_model::trust::{Owner, Refusal, RoomMove};
use dreieck_model::{FieldEdit, ModelError, Report, Role, Template};
use leptos::prelude::*;
// The writer needs no reactive owner (it holds the session itself), and this spawner works
// before and without a mounted Leptos app, as in the browser tests below.
use wasm_bindgen_futures::spawn_local;

use crate::state::device_keys::{device_key, give_keys};
use crate::state::platform::{fill_random, now_ms};
use crate::state::summary::{summary_of, title_field};
use crate::sync::link::{Link, LinkedDoc};
use crate::sync::moves_left;
use crate::sync::shared::{self, Shared};
use crate::sync::tabs::{TabChannel, TabMessage};
use crate::timer::Timer;
use dreieck_model::live::{self, Splice};
use dreieck_model::text_control::{TextEdit, TextTarget};
use dreieck_model::undo::TypingHistory;

/// Above this many incremental chunks the document is written as one full, compact save once
/// editing pauses ([`COMPACT_QUIET_MS`]): loading stays fast and storage small, while single
/// keystrokes stay cheap appends. A full save of a long history takes tens of milliseconds on
/// the main thread, which would hold up the keystroke (and a peer's keystroke) it fell on.
pub const COMPACT_AFTER: u32 = 200;
/// ... and at this many after a short pause ([`COMPACT_SHORT_PAUSE_MS`]: people pause that
/// long every few words), so loading stays bounded ...
pub const COMPACT_LIMIT: u32 = 4 * COMPACT_AFTER;
/// ... and at this many at once, pause or not.
pub const COMPACT_HARD_LIMIT: u32 = 2 * COMPACT_LIMIT;
/// How long no write must have happened before a due compaction runs.
const COMPACT_QUIET_MS: u64 = 2_000;
const COMPACT_SHORT_PAUSE_MS: u64 = 300;
/// Peers' keystrokes are written to storage together, at most this long after the first one
/// (one write per keystroke on every device would cost each of them as much as the typist):
/// they are safe at the relay and on the typist's device meanwhile, and a local edit or
/// hiding the page writes them at once.
const STORE_REMOTE_WITHIN_MS: u64 = 1_000;
/// While writes follow each other (typing, a peer typing), the case list's summary is worked
/// out again at most this often: it reads the status, the deadline and every signature line,
/// half a millisecond per keystroke otherwise. The last one is brought up to date once the
/// writes stop, and at once when the editor closes or the page is hidden.
const SUMMARY_EVERY_MS: f64 = 1_000.0;

/// What the save indicator shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveStatus {
    Saved,
    Saving,
    /// The German reason from storage; the bytes are kept and retried.
    Failed(String),
}

struct Inner {
    id: String,
    report: Report,
    store: ReportStore,
    title_field: Option<String>,
    /// Incremental saves not yet on disk, in order.
    pending: Vec<u8>,
    in_flight: bool,
    /// The next write must be a full save: a compaction was asked for, or one failed after
    /// `save()` moved Automerge's incremental cursor past bytes that are not stored yet.
    needs_full: bool,
    /// The last append failed and the store kept its bytes: the next append (even an empty
    /// one) writes them.
    retry: bool,
    chunks: u32,
    /// How many chunks from the first this session knows its document to hold (it wrote
    /// them, or compacted into them); `None` until its first compaction, or once another tab
    /// appended. Lets a compaction skip checking the stored chunks (see `compact_own`).
    covered: Option<f64>,
    /// The compaction waiting for a pause in editing (re-armed by every write).
    compact_timer: Timer,
    /// Bumps [`Parts::changes`] once typing has gone on for [`CHANGES_EVERY_MS`].
    changes_timer: Timer,
    /// The write of peers' changes, due [`STORE_REMOTE_WITHIN_MS`] after the first of them.
    store_timer: Timer,
    /// The summary last worked out and when ([`SUMMARY_EVERY_MS`]).
    summary: Option<(f64, Summary)>,
    /// A write went out with that summary although the report had changed since: a write of
    /// the summary alone is due.
    summary_stale: bool,
    /// That write, [`SUMMARY_EVERY_MS`] after the summary was worked out.
    summary_timer: Timer,
    /// The write in flight stores changes (not the summary alone).
    bytes_in_flight: bool,
    /// An editor shows this session; when none does and nothing is unsaved, it is dropped.
    shown: bool,
}

impl Inner {
    fn is_clean(&self) -> bool {
        self.holds_nothing_unsaved() && !self.in_flight && !self.summary_stale
    }

    /// No change of the document waits to be stored (only the summary may be behind, or on
    /// its way).
    fn holds_nothing_unsaved(&self) -> bool {
        // (Peers' changes shown ahead are not counted: the relay holds them and sends them
        // again after a reload.)
        self.pending.is_empty() && !self.bytes_in_flight && !self.needs_full && !self.retry
    }

    /// The summary for a write at `now`: worked out afresh when the last one is older than
    /// [`SUMMARY_EVERY_MS`] (or `fresh`), otherwise the last one, and a summary write is due.
    fn summary_for_write(&mut self, now: f64, fresh: bool) -> Summary {
        match &self.summary {
            Some((at, last)) if !fresh && now - at < SUMMARY_EVERY_MS => {
                self.summary_stale = true;
                last.clone()
            }
            _ => {
                let summary = summary_of(&self.report, self.title_field.as_deref(), now);
                self.summary = Some((now, summary.clone()));
                self.summary_stale = false;
                summary
            }
        }
    }
}

/// One report in memory, shared by its editor view and its writer: a cheap handle.
#[derive(Clone)]
pub struct Session(Rc<Parts>);

impl std::ops::Deref for Session {
    type Target = Parts;
    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// What a [`Session`] holds.
pub struct Parts {
    inner: RefCell<Inner>,
    /// The save indicator.
    pub status: ArcRwSignal<SaveStatus>,
    /// Bumped by every change made other than by typing into the field itself (choices, dates,
    /// goals, resolving conflicts), so views re-read their values then and only then.
    pub revision: ArcRwSignal<u64>,
    /// Bumped by every change, typing included (typing and peers' changes at most every
    /// [`CHANGES_EVERY_MS`]): for the few views that must follow every change of content
    /// (signature lines show whether a signature still covers the report).
    pub changes: ArcRwSignal<u64>,
    /// The last edit the model refused, in German (e.g. a field the role may not edit).
    pub notice: ArcRwSignal<Option<String>>,
    /// Changes from elsewhere the gate refused ("Eine Änderung von … wurde abgelehnt: …"),
    /// oldest first; they stay until the report is closed.
    pub refused: ArcRwSignal<Vec<Refusal>>,
    /// The report moved to a room this device cannot open: it was removed, or the move was
    /// not sealed to it (see [`Session::follow_room`]).
    pub moved_away: ArcRwSignal<bool>,
    /// The report's title (the beneficiary's name) as last written to storage; follows typing
    /// with the writes, not with every keystroke's render.
    pub title: ArcRwSignal<String>,
    /// The connection to the relay, for a shared report shown in an editor.
    link: RefCell<Option<Link>>,
    /// Links that leave the current move in rooms of moves that lost to it, each closed once
    /// the relay holds it (see [`Session::tell_rooms_left_behind`]).
    telling: RefCell<Vec<Link>>,
    /// Bumped when a link starts or ends, so the sync views find it.
    pub link_revision: ArcRwSignal<u64>,
    /// Per field (and [`GOALS`] for the goals): bumped when a peer's change touched it, so a
    /// remote keystroke re-renders one field, not the form.
    touched: RefCell<HashMap<String, ArcRwSignal<u64>>>,
    /// Peers' changes shown already (their splices) but applied only after the next paint.
    live: RefCell<Live>,
    /// Per text field, this person's typing, for undo and redo (never a peer's).
    histories: RefCell<HashMap<String, TypingHistory>>,
    /// The text this person typed in last (what the undo buttons act on).
    last_typed: RefCell<Option<TextTarget>>,
    /// Whether that field has something to undo and to redo (the buttons' state).
    pub undo_state: ArcRwSignal<(bool, bool)>,
    /// The other tabs of this browser showing the report (see `crate::sync::tabs`).
    tabs: RefCell<Option<TabChannel>>,
}

/// Peers' keystrokes on their way to the document (see `dreieck_model::live`).
#[derive(Default)]
struct Live {
    /// Automerge bytes shown but not applied yet, in order.
    deferred: Vec<u8>,
    /// The document's heads once `deferred` is applied (`None`: nothing deferred).
    heads_after: Option<Vec<ChangeHash>>,
    /// The pending flush, re-armed by every keystroke shown ahead.
    timer: Timer,
    /// When the oldest change shown ahead arrived (ms), to bound how long it waits.
    first_deferred_ms: Option<f64>,
    /// How many keystrokes wait.
    items: usize,
    /// The fields their splices touched (bumped once they are applied).
    fields: std::collections::BTreeSet<String>,
    /// Whether a waiting keystroke is in a long text ([`EAGER_UP_TO_CHARS`]): applying walks
    /// the whole text, so they wait for a pause and are applied together. Keystrokes in short
    /// texts are applied every [`EAGER_BATCH`] keystrokes: left to pile up, a pause would end
    /// in one long task.
    long: bool,
    /// Edits from elsewhere each text field's view must show, in order (it takes them): peers'
    /// keystrokes shown ahead of the document, and the splices of changes applied.
    previews: HashMap<String, ArcRwSignal<Vec<TextEdit>>>,
}

/// A peer's typing is applied to the document after this long without a new keystroke
/// (people pause this long every few words).
const QUIET_MS: f64 = 150.0;
/// ... and at the latest this long after the oldest keystroke shown ahead, or once this many
/// bytes wait. Applying walks the whole text (tens of milliseconds in a long field), and
/// nothing needs it sooner: the screen shows the splices, the relay holds the changes, and
/// whatever reads or writes the document applies them first.
const MAX_DEFER_MS: f64 = 10_000.0;
const MAX_DEFER_BYTES: usize = 256 * 1024;
/// Keystrokes in texts up to this long are applied in small batches right after they are
/// shown (see `Live::long`; Automerge walks 2,000 characters in about half a millisecond
/// natively) ...
const EAGER_UP_TO_CHARS: usize = 2_000;
/// ... of this many: one apply per batch instead of one per keystroke, and short enough to
/// fit between two keystrokes.
const EAGER_BATCH: usize = 12;

/// While somebody types, the views that follow every change re-read at most this often.
const CHANGES_EVERY_MS: u64 = 300;

/// The key of the goals in the per-field revisions.
pub const GOALS: &str = "#ziele";
/// The revision key of the conversation's step and participants.
pub const CONVERSATION: &str = "#gespraech";
/// The revision key of the submission record and the missing-help flags.
pub const CASE: &str = "#fall";

/// A link that only leaves a move in a room: it sends nothing of the report and takes
/// nothing in (the report is not in that room any more).
struct NothingToSend;

impl LinkedDoc for NothingToSend {
    fn apply(&self, _: &[u8]) -> Result<(), String> {
        Ok(())
    }

    fn save(&self) -> Option<Vec<u8>> {
        None
    }

    fn save_after(&self, _: &[ChangeHash]) -> Option<Vec<u8>> {
        None
    }

    fn heads(&self) -> Option<Vec<ChangeHash>> {
        None
    }
}

/// How many moves taken from other rooms a device remembers per report.
const MAX_KNOWN_MOVES: usize = 16;

/// A session that does not keep the report alive (what its link holds, so that the two do not
/// keep each other in memory).
struct WeakSession(std::rc::Weak<Parts>);

impl WeakSession {
    fn upgrade(&self) -> Option<Session> {
        self.0.upgrade().map(Session)
    }
}

impl LinkedDoc for WeakSession {
    fn apply(&self, bytes: &[u8]) -> Result<(), String> {
        match self.upgrade() {
            Some(s) => s.apply_remote(bytes),
            None => Ok(()),
        }
    }

    fn save(&self) -> Option<Vec<u8>> {
        Some(self.upgrade()?.full_save())
    }

    fn save_after(&self, heads: &[ChangeHash]) -> Option<Vec<u8>> {
        let session = self.upgrade()?;
        session.flush_live();
        let mut inner = session.inner.borrow_mut();
        Some(inner.report.save_after(heads))
    }

    fn heads(&self) -> Option<Vec<ChangeHash>> {
        let session = self.upgrade()?;
        session.flush_live();
        let mut inner = session.inner.borrow_mut();
        Some(inner.report.heads())
    }
}

thread_local! {
    /// Sessions of this tab by report id (see the module docs for why they outlive views).
    static SESSIONS: RefCell<HashMap<String, Session>> = RefCell::new(HashMap::new());
}

/// Why a report could not be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpenError {
    /// Storage has no such report (deleted, or a stale link).
    NotFound,
    /// Storage failed or the bytes are not a report; the German message.
    Failed(String),
}

impl Session {
    /// Opens the report `id`: from this tab's memory when it is already open (it may hold
    /// edits not yet stored), otherwise from storage.
    pub async fn open(store: ReportStore, id: &str) -> Result<Session, OpenError> {
        if let Some(s) = existing(id) {
            s.inner.borrow_mut().shown = true;
            return Ok(s);
        }
        let ids = store
            .ids()
            .await
            .map_err(|e| OpenError::Failed(e.to_string()))?;
        if !ids.iter().any(|i| i == id) {
            return Err(OpenError::NotFound);
        }
        let bytes = store
            .load(id)
            .await
            .map_err(|e| OpenError::Failed(e.to_string()))?;
        let chunks = store.chunk_count(id).await.unwrap_or(0);
        // The model marks what it loaded as saved: the next save_incremental holds only new edits.
        let report = Report::load(&bytes).map_err(|e| OpenError::Failed(e.to_string()))?;
        // Opening twice at the same time (quick navigation): keep whichever came first.
        if let Some(s) = existing(id) {
            s.inner.borrow_mut().shown = true;
            return Ok(s);
        }
        let session = Session::new(store, report, chunks, false);
        SESSIONS.with(|m| m.borrow_mut().insert(id.to_string(), session.clone()));
        Ok(session)
    }

    /// Creates a new report from `template` (shipped or imported; the report embeds it) and
    /// stores it with a full save. Returns its id.
    ///
    /// The device that creates a report owns it: its key for the remembered role ("Meine
    /// Rolle") is the owner key, and the report's id is derived from it.
    pub async fn create(store: ReportStore, template: &Template) -> Result<String, String> {
        let role = crate::state::role::load();
        let key = device_key(role)?;
        let mut nonce = [0u8; 16];
        crate::state::platform::fill_random(&mut nonce)?;
        let owner = Owner {
            key: &key,
            role,
            name: "",
            nonce,
        };
        let report =
            Report::create_owned(template, owner, now_ms() as i64).map_err(|e| e.to_string())?;
        Session::store_new(store, report).await
    }

    /// Creates a follow-up of this session's report (the Feedbackbogen from an
    /// Erwartungsbogen) from `template`, with the fields the template carries over already
    /// filled, and stores it. Returns its id.
    pub async fn create_follow_up(
        store: ReportStore,
        from: &Session,
        template: &Template,
    ) -> Result<String, String> {
        let role = crate::state::role::load();
        let key = device_key(role)?;
        let mut nonce = [0u8; 16];
        crate::state::platform::fill_random(&mut nonce)?;
        let report = from
            .read(|r| {
                let owner = Owner {
                    key: &key,
                    role,
                    name: "",
                    nonce,
                };
                Report::create_follow_up_owned(r, template, owner, now_ms() as i64)
            })
            .map_err(|e| e.to_string())?;
        Session::store_new(store, report).await
    }

    /// Stores a newly created report as one full save with its summary. Returns its id.
    async fn store_new(store: ReportStore, mut report: Report) -> Result<String, String> {
        let id = report.id();
        let title = title_field(report.template());
        let full = report.save();
        let summary = summary_of(&report, title.as_deref(), now_ms());
        store
            .compact(&id, &full, &summary)
            .await
            .map_err(|e| e.to_string())?;
        Ok(id)
    }

    fn new(store: ReportStore, mut report: Report, chunks: u32, needs_full: bool) -> Session {
        give_keys(&mut report);
        let title_field = title_field(report.template());
        let title = summary_of(&report, title_field.as_deref(), 0.0).title;
        let session = Session(Rc::new(Parts {
            inner: RefCell::new(Inner {
                id: report.id(),
                report,
                store,
                title_field,
                pending: Vec::new(),
                in_flight: false,
                needs_full,
                retry: false,
                chunks,
                covered: None,
                compact_timer: Timer::default(),
                changes_timer: Timer::default(),
                store_timer: Timer::default(),
                summary: None,
                summary_stale: false,
                summary_timer: Timer::default(),
                bytes_in_flight: false,
                shown: true,
            }),
            status: ArcRwSignal::new(SaveStatus::Saved),
            revision: ArcRwSignal::new(0),
            changes: ArcRwSignal::new(0),
            notice: ArcRwSignal::new(None),
            refused: ArcRwSignal::new(Vec::new()),
            moved_away: ArcRwSignal::new(false),
            title: ArcRwSignal::new(title),
            link: RefCell::new(None),
            telling: RefCell::new(Vec::new()),
            link_revision: ArcRwSignal::new(0),
            touched: RefCell::new(HashMap::new()),
            live: RefCell::new(Live::default()),
            histories: RefCell::new(HashMap::new()),
            last_typed: RefCell::new(None),
            undo_state: ArcRwSignal::new((false, false)),
            tabs: RefCell::new(None),
        }));
        session.join_tabs();
        session
    }

    /// Joins the report's channel among this browser's tabs: their changes are applied here
    /// as they are made, and a tab that opens the report later gets what this one holds.
    fn join_tabs(&self) {
        let weak = self.downgrade();
        let id = self.inner.borrow().id.clone();
        let channel = TabChannel::open(&id, move |message| {
            let Some(session) = weak.upgrade() else {
                return;
            };
            match message {
                TabMessage::Hello => {
                    let full = session.full_save();
                    if let Some(tabs) = session.tabs.borrow().as_ref() {
                        tabs.post(&full);
                    }
                }
                TabMessage::Payload(payload) => {
                    if let Err(e) = session.apply_remote(&payload) {
                        leptos::logging::warn!("tabs: changes refused: {e}");
                    }
                }
            }
        });
        *self.tabs.borrow_mut() = channel;
    }

    /// The whole report as one save (for the relay's snapshot, a tab that just opened it).
    fn full_save(&self) -> Vec<u8> {
        self.flush_live();
        let (bytes, collected) = {
            let mut inner = self.inner.borrow_mut();
            // `save()` moves the storage cursor: collect what it would skip first.
            let collected = inner.report.save_incremental();
            inner.pending.extend_from_slice(&collected);
            (inner.report.save(), !collected.is_empty())
        };
        if collected {
            self.pump();
        }
        bytes
    }

    /// A change made here goes to the relay (if shared) and to this browser's other tabs,
    /// a keystroke with its splice.
    fn send_local(&self, bytes: &[u8], splice: Option<(usize, &Splice)>) {
        if bytes.is_empty() {
            return;
        }
        if let Some(link) = self.link() {
            match splice {
                Some((index, s)) => link.local_typing(bytes, index, s),
                None => link.local_change(bytes),
            }
        }
        if let Some(tabs) = self.tabs.borrow().as_ref() {
            tabs.post(&live::encode_item(bytes, splice));
        }
    }

    fn downgrade(&self) -> WeakSession {
        WeakSession(Rc::downgrade(&self.0))
    }

    /// The edits from elsewhere a text field's view must show (it takes them out, and moves
    /// its caret by them: see `dreieck_model::text_control`); created on first use.
    pub fn previews(&self, field: &str) -> ArcRwSignal<Vec<TextEdit>> {
        self.live
            .borrow_mut()
            .previews
            .entry(field.to_string())
            .or_insert_with(|| ArcRwSignal::new(Vec::new()))
            .clone()
    }

    /// Applies the peers' changes that were shown ahead of the document. Everything that
    /// reads or writes the document calls this first, so it never sees an older state than
    /// the screen.
    pub fn flush_live(&self) {
        let (bytes, fields) = {
            let mut live = self.live.borrow_mut();
            live.heads_after = None;
            live.first_deferred_ms = None;
            live.long = false;
            live.items = 0;
            live.timer.cancel();
            (
                std::mem::take(&mut live.deferred),
                std::mem::take(&mut live.fields),
            )
        };
        if bytes.is_empty() {
            return;
        }
        // The bytes are exactly the peer's changes on top of this document (that is what made
        // them previews), so they are stored as they came, and the fields they touch are
        // known from their splices: no re-encoding, no patches.
        let result = {
            let mut inner = self.inner.borrow_mut();
            let result = inner.report.apply_stored(&bytes);
            let stored = match result {
                Ok(true) => bytes,
                _ => inner.report.save_incremental(),
            };
            inner.pending.extend_from_slice(&stored);
            result
        };
        self.show_refusals();
        self.pump_soon();
        self.changed_soon();
        match result {
            Ok(_) => {
                for field in &fields {
                    self.bump_touched(field);
                }
            }
            Err(e) => {
                leptos::logging::warn!("sync: changes refused: {e}");
                self.revision.update(|r| *r += 1);
            }
        }
    }

    /// Typing into a text field: like [`Session::edit`], and peers get the splice with the
    /// change so they can show it at once. `edit` is what the control saw the person do on a
    /// text of `shown_len` characters; `value` is the control's whole text, compared with the
    /// report's when the control turns out to have been behind.
    pub fn type_text(
        &self,
        role: Role,
        target: &TextTarget,
        edit: &TextEdit,
        shown_len: usize,
        value: &str,
    ) {
        self.flush_live();
        let recorded;
        let (outcome, bytes) = {
            let mut inner = self.inner.borrow_mut();
            let inner = &mut *inner;
            inner.report.set_now_ms(now_ms() as i64);
            let result = inner.report.type_edit(role, target, edit, shown_len, value);
            recorded = inner.report.take_recorded_input();
            let bytes = inner.report.save_incremental();
            inner.pending.extend_from_slice(&bytes);
            (result, bytes)
        };
        if let Ok(Some(typed)) = &outcome {
            self.histories
                .borrow_mut()
                .entry(target.key())
                .or_default()
                .record(&typed.edit(), &typed.removed, now_ms());
            *self.last_typed.borrow_mut() = Some(target.clone());
            self.refresh_undo_state();
        }
        let splice = outcome.map(|t| t.and_then(|t| t.index.map(|i| (i, t.splice))));
        self.typed_out(splice, &bytes, recorded);
    }

    /// Takes back this person's last typing in `target` (or makes it again: `redo`), never a
    /// peer's. Returns the edits made, for the text's view to show.
    pub fn undo(&self, role: Role, target: &TextTarget, redo: bool) -> Vec<TextEdit> {
        self.flush_live();
        let text = match self.inner.borrow().report.target_text(target) {
            Ok(text) => text,
            Err(_) => return Vec::new(),
        };
        let key = target.key();
        let edits = {
            let mut histories = self.histories.borrow_mut();
            let Some(history) = histories.get_mut(&key) else {
                return Vec::new();
            };
            if redo {
                history.redo(&text)
            } else {
                history.undo(&text)
            }
        };
        if edits.is_empty() {
            return edits;
        }
        let mut made = Vec::new();
        let (outcome, bytes) = {
            let mut inner = self.inner.borrow_mut();
            let inner = &mut *inner;
            inner.report.set_now_ms(now_ms() as i64);
            let mut text = text;
            let mut outcome = Ok(None);
            for edit in &edits {
                let len = text.chars().count();
                let after = edit.apply(&text);
                outcome = inner.report.type_edit(role, target, edit, len, &after);
                if outcome.is_err() {
                    break;
                }
                made.push(edit.clone());
                text = after;
            }
            inner.report.take_recorded_input();
            let bytes = inner.report.save_incremental();
            inner.pending.extend_from_slice(&bytes);
            (outcome, bytes)
        };
        // One edit travels with its splice; several in one change take the normal path.
        let splice = outcome.map(|t| {
            t.filter(|_| made.len() == 1)
                .and_then(|t| t.index.map(|i| (i, t.splice)))
        });
        self.typed_out(splice, &bytes, None);
        *self.last_typed.borrow_mut() = Some(target.clone());
        self.refresh_undo_state();
        made
    }

    /// Undo or redo (`redo`) in the text this person typed in last (the buttons in the
    /// editor bar, for touch screens): its view shows the edits like any from elsewhere.
    pub fn undo_last(&self, role: Role, redo: bool) {
        let Some(target) = self.last_typed.borrow().clone() else {
            return;
        };
        let edits = self.undo(role, &target, redo);
        if edits.is_empty() {
            return;
        }
        let key = target.key();
        let signal = self.live.borrow().previews.get(&key).cloned();
        match (signal, &target) {
            (Some(signal), _) => signal.update(|v| v.extend(edits)),
            // No view shows it (a section out of sight): it re-reads when shown.
            (None, TextTarget::Field(field)) => self.bump_touched(field),
            (None, TextTarget::Goal { .. }) => self.bump_touched(GOALS),
        }
    }

    /// The undo buttons' state, for the text typed in last.
    fn refresh_undo_state(&self) {
        let state = self
            .last_typed
            .borrow()
            .as_ref()
            .map_or((false, false), |t| {
                self.histories
                    .borrow()
                    .get(&t.key())
                    .map_or((false, false), |h| (h.can_undo(), h.can_redo()))
            });
        if self.undo_state.get_untracked() != state {
            self.undo_state.set(state);
        }
    }

    /// After typing: the change goes to peers, and what shows it follows.
    fn typed_out(
        &self,
        outcome: Result<Option<(usize, Splice)>, ModelError>,
        bytes: &[u8],
        recorded: Option<String>,
    ) {
        match outcome {
            Ok(splice) => {
                self.send_local(bytes, splice.as_ref().map(|(i, s)| (*i, s)));
                if self.notice.get_untracked().is_some() {
                    self.notice.set(None);
                }
                self.changed_soon();
                // The first keystroke in someone's own words: "getippt" appears beside them.
                if let Some(field) = recorded {
                    self.bump_touched(&field);
                }
            }
            Err(e) => {
                self.send_local(bytes, None);
                self.notice
                    .set(Some(format!("Änderung nicht übernommen: {e}")));
                self.revision.update(|r| *r += 1);
            }
        }
        self.pump();
    }

    /// This person's typing histories move with changes from elsewhere; a field changed in a
    /// way no splice describes forgets its history, and a signature line touched forgets all.
    fn follow_in_histories(&self, touched: &dreieck_model::Touched) {
        let mut histories = self.histories.borrow_mut();
        if histories.is_empty() {
            return;
        }
        let signed = self.with_template(|t| {
            touched.fields.iter().any(|f| {
                t.field(f)
                    .is_some_and(|f| matches!(f.kind, dreieck_model::FieldKind::Signature { .. }))
            })
        });
        if signed || touched.everything {
            histories.clear();
        } else {
            for field in &touched.fields {
                match (touched.edits.get(field), histories.get_mut(field)) {
                    (Some(edits), Some(history)) => edits.iter().for_each(|e| history.follow(e)),
                    (None, Some(history)) => history.clear(),
                    _ => {}
                }
            }
            // Goals' texts: keyed apart from the fields (`TextTarget::key`).
            for (key, history) in histories.iter_mut() {
                if touched.fields.contains(key) {
                    continue;
                }
                if touched.rewritten(key) {
                    history.clear();
                } else if let Some(edits) = touched.edits.get(key) {
                    edits.iter().for_each(|e| history.follow(e));
                }
            }
        }
        drop(histories);
        self.refresh_undo_state();
    }

    /// Forgets every field's undo history: a signature was made, and undo must never reach
    /// behind it.
    pub fn forget_undo(&self) {
        self.histories.borrow_mut().clear();
        self.refresh_undo_state();
    }

    /// The revision of one field (or [`GOALS`]) as touched by peers; created on first use.
    pub fn field_revision(&self, key: &str) -> ArcRwSignal<u64> {
        self.touched
            .borrow_mut()
            .entry(key.to_string())
            .or_insert_with(|| ArcRwSignal::new(0))
            .clone()
    }

    fn bump_touched(&self, key: &str) {
        let signal = self.touched.borrow().get(key).cloned();
        if let Some(signal) = signal {
            signal.update(|r| *r += 1);
        }
    }

    /// The fields the template's conditions look at (see `Template::condition_fields`).
    pub fn condition_fields(&self) -> Vec<String> {
        self.inner.borrow().report.template().condition_fields()
    }

    /// The relay connection, when the report is shared and shown.
    pub fn link(&self) -> Option<Link> {
        self.link.borrow().clone()
    }

    /// Connects a shared report (no-op when it is not shared or already connected).
    pub fn connect_if_shared(&self, role: Rc<dyn Fn() -> Role>) {
        if let Some(shared) = shared::load(&self.id()) {
            self.connect(shared, role);
        }
    }

    /// Shares the report: remembers `shared` and connects.
    pub fn share(&self, shared: Shared, role: Rc<dyn Fn() -> Role>) -> Result<(), String> {
        shared::save(&self.id(), &shared)?;
        self.connect(shared, role);
        Ok(())
    }

    fn connect(&self, shared: Shared, role: Rc<dyn Fn() -> Role>) {
        if self.link.borrow().is_some() {
            return;
        }
        // The report may have moved while it was closed here (the move came in a file, or
        // the page closed before the link switched): `follow_room` moves the link, after the
        // old room holds the move when it was made here.
        let doc: Rc<dyn LinkedDoc> = Rc::new(self.downgrade());
        let link = Link::start(&self.id(), shared, doc, role, true);
        *self.link.borrow_mut() = Some(link);
        self.link_revision.update(|r| *r += 1);
        self.follow_room();
    }

    /// Removes a participant and, when the report is shared, moves it to a new room and key
    /// in the same edit: both reach the other devices together, so none of them sees the
    /// removal without the move (and makes a move of its own meanwhile).
    pub fn remove_member(&self, as_role: Role, key: &[u8; 32]) {
        let next = match shared::load(&self.id()) {
            Some(_) => match fresh_move() {
                Ok(next) => Some(next),
                Err(e) => {
                    self.notice.set(Some(format!("Nicht entfernt: {e}")));
                    return;
                }
            },
            None => None,
        };
        self.edit(true, |r| {
            let now = now_ms() as i64;
            r.remove_member(as_role, key, now)?;
            if let Some((to, ephemeral)) = next {
                r.move_room(as_role, &to, ephemeral, now)?;
            }
            Ok(())
        });
    }

    /// Withdraws an invitation not used yet. Its link carries no room and no key (the
    /// inviting device admits through it), so nothing moves: the withdrawal reaches the other
    /// devices like any edit, and the inviting device admits nobody through it any more.
    pub fn withdraw_invitation(&self, as_role: Role, key: &[u8; 32]) {
        self.edit(true, |r| r.remove_member(as_role, key, now_ms() as i64));
    }

    /// Keeps a shared report in the room only its current members can open (see
    /// `dreieck_model::trust::room_move`). After a removal without a fresh move, a device that
    /// may move the report makes one. When the current move leads elsewhere, the link moves
    /// there: at once when the move came from another device (nothing more of this device's
    /// goes to the old room), after the old room holds it when it was made here (devices that
    /// are offline find it there). The new link uploads the whole report.
    fn follow_room(&self) {
        let Some(link) = self.link() else {
            return;
        };
        // Only in step with the room: a device catching up may hold a removal whose move is
        // still on its way.
        let due_as = link
            .settled()
            .then(|| {
                let inner = self.inner.borrow();
                inner
                    .report
                    .room_move_due()
                    .then(|| inner.report.may_move_as())
                    .flatten()
            })
            .flatten();
        if let Some(role) = due_as {
            let Ok((to, ephemeral)) = fresh_move() else {
                return;
            };
            // `edit` follows the room again, and then the move is no longer due.
            self.edit(true, |r| r.move_room(role, &to, ephemeral, now_ms() as i64));
            return;
        }
        let moves = self.known_moves();
        let (target, made_here, known) = {
            let inner = self.inner.borrow();
            let current = inner.report.room_move_with(&moves);
            let mine: Vec<[u8; 32]> = inner.report.my_keys();
            let made_here = current.as_ref().is_some_and(|m| mine.contains(&m.by));
            let known = current.as_ref().map(|m| m.leads_to(&link.room()));
            (inner.report.room_target_with(&moves), made_here, known)
        };

        let Some(target) = target else {
            set_if_changed(&self.moved_away, known == Some(false));
            return;
        };
        if target.room == link.room() {
            self.tell_rooms_left_behind(&moves, &link);
            return;
        }
        if made_here && !link.settled() {
            let weak = self.downgrade();
            link.when_settled(Rc::new(move || {
                if let Some(session) = weak.upgrade() {
                    session.follow_room();
                }
            }));
            return;
        }
        let role = link.role_source();
        self.disconnect();
        let moved = Shared {
            room: target.room,
            key: target.key,
            acked_heads: Vec::new(),
        };
        if let Err(e) = self.share(moved, role) {
            leptos::logging::warn!("sync: new room not remembered: {e}");
        }
    }

    /// Moves that reached this device in other rooms ([`moves_left`]), as far as they are
    /// genuine for this report.
    fn known_moves(&self) -> Vec<RoomMove> {
        let left = moves_left::load(&self.id());
        let inner = self.inner.borrow();
        left.known
            .iter()
            .filter_map(|bytes| inner.report.check_move(bytes))
            .collect()
    }

    /// Move records a peer left in this room: remembered when genuine, and followed.
    fn take_moves(&self, records: &[Vec<u8>]) {
        let id = self.id();
        let mut left = moves_left::load(&id);
        let taken: Vec<Vec<u8>> = {
            let inner = self.inner.borrow();
            records
                .iter()
                .filter(|r| !left.known.contains(r) && inner.report.check_move(r).is_some())
                .cloned()
                .collect()
        };
        if taken.is_empty() {
            return;
        }
        left.known.extend(taken);
        // A member who may move could send any number: the latest few are enough.
        let excess = left.known.len().saturating_sub(MAX_KNOWN_MOVES);
        left.known.drain(..excess);
        // This room has the move already: it needs no telling.
        if let Some(link) = self.link() {
            if !left.told.contains(&link.room()) {
                left.told.push(link.room());
            }
        }
        if let Err(e) = moves_left::save(&id, &left) {
            leptos::logging::warn!("sync: move not remembered: {e}");
        }
        self.follow_room();
    }

    /// Leaves the current move in the rooms of the other moves this device can open, once
    /// each: devices that followed a move made at the same time as the current one wait there
    /// and would hear nothing more (`Report::rooms_left_behind`).
    fn tell_rooms_left_behind(&self, moves: &[RoomMove], link: &Link) {
        let (rooms, current) = {
            let inner = self.inner.borrow();
            (
                inner.report.rooms_left_behind(moves),
                inner.report.room_move_with(moves),
            )
        };
        let Some(current) = current else { return };
        let id = self.id();
        let told = moves_left::load(&id).told;
        for room in rooms {
            let busy = self.telling.borrow().iter().any(|l| l.room() == room.room);
            if busy || told.contains(&room.room) || room.room == link.room() {
                continue;
            }
            let shared = Shared {
                room: room.room,
                key: room.key,
                acked_heads: Vec::new(),
            };
            let tell = Link::start(
                &id,
                shared,
                Rc::new(NothingToSend),
                link.role_source(),
                false,
            );
            tell.leave_move(&current.encode());
            self.telling.borrow_mut().push(tell.clone());
            let weak = self.downgrade();
            let (id, room) = (id.clone(), room.room);
            tell.when_settled(Rc::new(move || {
                let mut left = moves_left::load(&id);
                if !left.told.contains(&room) {
                    left.told.push(room);
                    if let Err(e) = moves_left::save(&id, &left) {
                        leptos::logging::warn!("sync: told room not remembered: {e}");
                    }
                }
                if let Some(session) = weak.upgrade() {
                    session.telling.borrow_mut().retain(|l| {
                        let done = l.room() == room;
                        if done {
                            l.close();
                        }
                        !done
                    });
                }
            }));
        }
    }

    fn disconnect(&self) {
        for tell in self.telling.borrow_mut().drain(..) {
            tell.close();
        }
        let link = self.link.borrow_mut().take();
        if let Some(link) = link {
            link.close();
            self.link_revision.update(|r| *r += 1);
        }
    }

    /// A peer's changes. When they are keystrokes made on exactly the document this device has
    /// (or will have once the changes shown ahead are applied), their splices are shown at
    /// once and the changes applied after the next paint; otherwise they are applied now.
    pub fn apply_remote(&self, payload: &[u8]) -> Result<(), String> {
        let decoded = live::decode(payload).map_err(|e| e.to_string())?;
        if !decoded.moves.is_empty() {
            self.take_moves(&decoded.moves);
        }
        if decoded.changes.is_empty() {
            return Ok(());
        }
        let base = {
            let live = self.live.borrow();
            live.heads_after.clone()
        };
        let base = match base {
            Some(heads) => heads,
            None => self.inner.borrow_mut().report.heads(),
        };
        let previews = self.inner.borrow_mut().report.previews(&base, &decoded);
        let Some((splices, heads_after)) = previews else {
            self.flush_live();
            return self.apply_now(&decoded.automerge_bytes());
        };
        let long = {
            let inner = self.inner.borrow();
            splices.iter().any(|s| {
                inner
                    .report
                    .text_len(&s.field)
                    .map_or(true, |n| n > EAGER_UP_TO_CHARS)
            })
        };
        {
            let mut live = self.live.borrow_mut();
            live.deferred.extend(decoded.automerge_bytes());
            live.heads_after = Some(heads_after);
            live.fields.extend(splices.iter().map(|s| s.field.clone()));
            live.long |= long;
            live.items += 1;
        }
        for splice in splices {
            let edit = TextEdit {
                pos: splice.pos,
                delete: splice.delete,
                insert: splice.insert,
            };
            if let Some(history) = self.histories.borrow_mut().get_mut(&splice.field) {
                history.follow(&edit);
            }
            let signal = self.previews(&splice.field);
            signal.update(|v| v.push(edit));
        }
        self.schedule_flush();
        // A peer typing is not a pause either: a due compaction waits for it too.
        let (armed, chunks) = {
            let inner = self.inner.borrow();
            (inner.compact_timer.is_armed(), inner.chunks)
        };
        if armed {
            self.compact_after_pause(if chunks >= COMPACT_LIMIT {
                COMPACT_SHORT_PAUSE_MS
            } else {
                COMPACT_QUIET_MS
            });
        }
        Ok(())
    }

    /// Applies what was shown ahead once the peer pauses ([`QUIET_MS`] without a keystroke),
    /// or at the latest [`MAX_DEFER_MS`] after the oldest one: the Text is walked once per
    /// burst of typing instead of once per keystroke, and the main thread stays free to show
    /// the next keystroke. (The changes are safe at the relay meanwhile; anything that reads or
    /// writes the document applies them first.)
    fn schedule_flush(&self) {
        let now = now_ms();
        let mut live = self.live.borrow_mut();
        let first = *live.first_deferred_ms.get_or_insert(now);
        let overdue = now - first >= MAX_DEFER_MS
            || live.deferred.len() >= MAX_DEFER_BYTES
            || (!live.long && live.items >= EAGER_BATCH);
        if overdue && live.timer.is_armed() {
            return; // the armed timer fires soon enough
        }
        let delay = if overdue { 0.0 } else { QUIET_MS };
        let weak = self.downgrade();
        live.timer.arm(delay as u64, move || {
            if let Some(session) = weak.upgrade() {
                session.live.borrow_mut().timer.fired();
                session.flush_live();
            }
        });
    }

    /// Shows the refusals the gate made that are not shown yet (never their content: the
    /// model names who and why).
    fn show_refusals(&self) {
        let messages: Vec<Refusal> = {
            let inner = self.inner.borrow();
            let shown = self.refused.with_untracked(Vec::len);
            let all = inner.report.refusals();
            all.iter().skip(shown.min(all.len())).cloned().collect()
        };
        if !messages.is_empty() {
            self.refused.update(|v| v.extend(messages));
        }
    }

    /// Applies Automerge bytes from a peer, stores them, and has the views of what they
    /// touched re-read.
    fn apply_now(&self, bytes: &[u8]) -> Result<(), String> {
        let result = {
            let mut inner = self.inner.borrow_mut();
            let result = inner.report.apply_touched(bytes).map_err(|e| e.to_string());
            let stored = inner.report.save_incremental();
            inner.pending.extend_from_slice(&stored);
            result
        };
        self.show_refusals();
        // Storage first: the write starts before the views take their time.
        self.pump();
        self.changed_soon();
        let touched = result?;
        self.follow_in_histories(&touched);
        if touched.everything {
            self.revision.update(|r| *r += 1);
            // Membership or a move may have changed.
            self.follow_room();
            return Ok(());
        }
        // The splices first: a view that shows the field moves its caret by them, and only
        // compares with the report for what they do not explain.
        for (field, edits) in touched.edits {
            let signal = self.live.borrow().previews.get(&field).cloned();
            if let Some(signal) = signal {
                signal.update(|v| v.extend(edits));
            }
        }
        for field in &touched.fields {
            self.bump_touched(field);
        }
        if touched.goals {
            self.bump_touched(GOALS);
        }
        if touched.conversation {
            self.bump_touched(CONVERSATION);
        }
        if touched.case {
            self.bump_touched(CASE);
        }
        Ok(())
    }

    pub fn id(&self) -> String {
        self.inner.borrow().id.clone()
    }

    /// Reads the report's template: fixed for the report's life, so peers' keystrokes waiting
    /// to be applied need not be applied first (as [`Session::read`] does).
    pub fn with_template<R>(&self, f: impl FnOnce(&dreieck_model::Template) -> R) -> R {
        f(self.inner.borrow().report.template())
    }

    /// Reads the report. Never call it from inside [`Session::edit`]'s closure.
    pub fn read<R>(&self, f: impl FnOnce(&Report) -> R) -> R {
        self.flush_live();
        f(&self.inner.borrow().report)
    }

    /// Who changed `field` when (walks the whole change graph: on request only).
    pub fn field_history(&self, field: &str) -> Result<Vec<FieldEdit>, ModelError> {
        self.flush_live();
        self.inner.borrow_mut().report.field_history(field)
    }

    /// Applies an edit and queues its bytes for storage. `structural` edits bump the revision
    /// so other views re-read; typing into a field does not (the field already shows it).
    /// A refused edit is shown as a notice and the views are refreshed to the stored truth.
    pub fn edit(&self, structural: bool, f: impl FnOnce(&mut Report) -> Result<(), ModelError>) {
        self.flush_live();
        let (outcome, bytes) = {
            let mut inner = self.inner.borrow_mut();
            inner.report.set_now_ms(now_ms() as i64);
            let result = f(&mut inner.report);
            let bytes = inner.report.save_incremental();
            inner.pending.extend_from_slice(&bytes);
            (result, bytes)
        };
        self.send_local(&bytes, None);
        if !bytes.is_empty() {
            self.changes.update(|r| *r += 1);
        }
        match outcome {
            Ok(()) => {
                if self.notice.get_untracked().is_some() {
                    self.notice.set(None);
                }
                if structural {
                    self.revision.update(|r| *r += 1);
                }
            }
            Err(e) => {
                self.notice
                    .set(Some(format!("Änderung nicht übernommen: {e}")));
                self.revision.update(|r| *r += 1);
            }
        }
        self.pump();
        if structural {
            self.follow_room();
        }
    }

    /// Merges a replica of this report read from a file (see `Report::import`): stored and
    /// sent on like an edit, and every view re-reads. Returns how many changes were new.
    pub fn import(&self, incoming: &mut Report) -> Result<usize, ModelError> {
        self.flush_live();
        let (result, bytes) = {
            let mut inner = self.inner.borrow_mut();
            let result = inner.report.import(incoming);
            let bytes = inner.report.save_incremental();
            inner.pending.extend_from_slice(&bytes);
            (result, bytes)
        };
        if !bytes.is_empty() {
            self.send_local(&bytes, None);
            self.changes.update(|r| *r += 1);
            self.revision.update(|r| *r += 1);
        }
        self.pump();
        result
    }

    /// The whole report in its own format (signed for a protected report) for a sealed file,
    /// including what is not stored yet.
    pub fn file_bytes(&self) -> Vec<u8> {
        self.flush_live();
        self.inner.borrow_mut().report.file_bytes()
    }

    /// The whole report as an `.automerge` file, including what is not stored yet (it does
    /// not disturb the incremental saving, unlike a full save).
    pub fn automerge_file(&self) -> Vec<u8> {
        self.flush_live();
        self.inner.borrow_mut().report.to_automerge_file()
    }

    /// Writes what is pending now (the "Erneut versuchen" button).
    pub fn retry(&self) {
        self.pump();
    }

    /// Asks for a full, compact save as the next write (page hidden), and starts it.
    pub fn compact(&self) {
        // Peers' changes shown ahead go into the save too.
        self.flush_live();
        self.summary_now();
        {
            let mut inner = self.inner.borrow_mut();
            if !(inner.chunks <= 1 && inner.holds_nothing_unsaved()) {
                inner.needs_full = true;
            }
        }
        // (Already one compact save: at most the summary is due.)
        self.pump();
    }

    /// Bytes or a full save are waiting (for the "leave page?" warning).
    pub fn has_unsaved(&self) -> bool {
        !self.inner.borrow().holds_nothing_unsaved()
    }

    /// The editor showing this session is gone; drop the session once it is clean.
    pub fn release(&self) {
        // Peers' changes shown ahead are stored with the rest.
        self.flush_live();
        self.inner.borrow_mut().shown = false;
        // Syncing follows the editor: what was typed is stored and goes out on the next visit.
        self.disconnect();
        // The case list shows the summary next.
        self.summary_now();
        self.pump();
        self.forget_if_done();
    }

    fn forget_if_done(&self) {
        let (done, id) = {
            let inner = self.inner.borrow();
            (!inner.shown && inner.is_clean(), inner.id.clone())
        };
        if done {
            SESSIONS.with(|m| m.borrow_mut().remove(&id));
        }
    }

    /// Bumps [`Parts::changes`] [`CHANGES_EVERY_MS`] after the first change since the last
    /// bump. Typing and peers' keystrokes go through here: the views that follow every change
    /// (the case status, signature lines, the member list) verify signatures and rebuild
    /// their markup, which must not sit between two keystrokes.
    fn changed_soon(&self) {
        let weak = self.downgrade();
        let mut inner = self.inner.borrow_mut();
        if inner.changes_timer.is_armed() {
            return;
        }
        let armed = inner.changes_timer.arm(CHANGES_EVERY_MS, move || {
            if let Some(session) = weak.upgrade() {
                session.inner.borrow_mut().changes_timer.fired();
                session.changes.update(|r| *r += 1);
            }
        });
        drop(inner);
        if !armed {
            self.changes.update(|r| *r += 1);
        }
    }

    /// Starts the writer unless one is running; it drains everything pending, one write at a
    /// time, and stops at the first error (keeping the bytes).
    fn pump(&self) {
        {
            let mut inner = self.inner.borrow_mut();
            if inner.in_flight || inner.is_clean() {
                return;
            }
            inner.in_flight = true;
        }
        let session = self.clone();
        spawn_local(async move { session.drain().await });
    }

    async fn drain(self) {
        while let Some(job) = self.next_job() {
            if let (Job::Compact { bytes, .. }, Some(link)) = (&job, self.link()) {
                // The same full save can serve as the relay's snapshot, if one is waiting —
                // unless peers' changes shown ahead are not in it (a compaction forced at the
                // limit does not wait for them): a snapshot must hold all the link applied.
                if self.live.borrow().deferred.is_empty() {
                    link.offer_save(bytes);
                }
            }
            set_if_changed(&self.title, job.summary().title.clone());
            if !job.summary_only() {
                set_if_changed(&self.status, SaveStatus::Saving);
            }
            let store = self.inner.borrow().store.clone();
            let result = match &job {
                Job::Append { id, bytes, summary } => store.append(id, bytes, summary).await,
                Job::Compact {
                    id,
                    bytes,
                    summary,
                    covered,
                } => store
                    .compact_own(id, bytes, summary, *covered)
                    .await
                    .map(|()| None),
            };
            let mut inner = self.inner.borrow_mut();
            inner.bytes_in_flight = false;
            match (result, job) {
                (Ok(seq), Job::Append { .. }) => {
                    if let Some(seq) = seq {
                        inner.covered = inner.covered.filter(|c| *c == seq).map(|c| c + 1.0);
                    }
                    inner.retry = false;
                    if seq.is_some() {
                        inner.chunks += 1;
                    }
                    if inner.chunks >= COMPACT_HARD_LIMIT {
                        inner.needs_full = true;
                    } else if inner.chunks >= COMPACT_LIMIT {
                        drop(inner);
                        self.compact_after_pause(COMPACT_SHORT_PAUSE_MS);
                    } else if inner.chunks > COMPACT_AFTER {
                        drop(inner);
                        self.compact_when_quiet();
                    }
                }
                (Ok(_), Job::Compact { .. }) => {
                    inner.covered = Some(1.0);
                    inner.needs_full = false;
                    inner.retry = false;
                    // The store now holds the document as one chunk.
                    inner.chunks = 1;
                }
                (Err(e), job) => {
                    if let Job::Append { mut bytes, id, .. } = job {
                        if store.unsaved_bytes(&id) >= bytes.len() {
                            // The store keeps a failed chunk itself and writes it in front of
                            // the next append: only remember that a retry is due.
                            inner.retry = true;
                        } else {
                            // Put the bytes back in front of whatever was typed meanwhile.
                            bytes.append(&mut inner.pending);
                            inner.pending = bytes;
                        }
                    }
                    // A failed compaction keeps `needs_full`: the next write is full again.
                    inner.in_flight = false;
                    drop(inner);
                    self.status.set(SaveStatus::Failed(e.to_string()));
                    return;
                }
            }
        }
        set_if_changed(&self.status, SaveStatus::Saved);
        self.forget_if_done();
    }

    /// Starts the writer within [`STORE_REMOTE_WITHIN_MS`] (peers' changes).
    fn pump_soon(&self) {
        if self.inner.borrow().store_timer.is_armed() {
            return;
        }
        let weak = self.downgrade();
        let armed = self
            .inner
            .borrow_mut()
            .store_timer
            .arm(STORE_REMOTE_WITHIN_MS, move || {
                if let Some(session) = weak.upgrade() {
                    session.inner.borrow_mut().store_timer.fired();
                    session.pump();
                }
            });
        if !armed {
            self.pump();
        }
    }

    /// (Re-)arms the compaction for when no write has happened for [`COMPACT_QUIET_MS`].
    fn compact_when_quiet(&self) {
        self.compact_after_pause(COMPACT_QUIET_MS);
    }

    /// (Re-)arms the compaction for when no write has happened for `ms`.
    fn compact_after_pause(&self, ms: u64) {
        let weak = self.downgrade();
        self.inner.borrow_mut().compact_timer.arm(ms, move || {
            if let Some(session) = weak.upgrade() {
                session.inner.borrow_mut().compact_timer.fired();
                session.compact();
            }
        });
    }

    /// Takes the next write out of the session, or marks the writer idle when there is none.
    fn next_job(&self) -> Option<Job> {
        let mut inner = self.inner.borrow_mut();
        let id = inner.id.clone();
        let now = now_ms();
        if inner.needs_full {
            let bytes = inner.report.save();
            // The full save holds everything pending; `needs_full` stays set until it is stored.
            inner.pending.clear();
            let summary = inner.summary_for_write(now, true);
            let covered = inner.covered;
            inner.bytes_in_flight = true;
            return Some(Job::Compact {
                id,
                bytes,
                summary,
                covered,
            });
        }
        let nothing = inner.pending.is_empty() && !inner.retry;
        let summary_due = inner
            .summary
            .as_ref()
            .is_none_or(|(at, _)| now - at >= SUMMARY_EVERY_MS);
        if nothing && !(inner.summary_stale && summary_due) {
            inner.in_flight = false;
            if inner.summary_stale {
                let at = inner.summary.as_ref().map_or(now, |(at, _)| *at);
                let weak = self.downgrade();
                let wait = (at + SUMMARY_EVERY_MS - now).max(0.0) as u64;
                let armed = inner.summary_timer.arm(wait, move || {
                    if let Some(session) = weak.upgrade() {
                        session.inner.borrow_mut().summary_timer.fired();
                        session.pump();
                    }
                });
                if !armed {
                    // No timer: bring the summary up to date with the next write.
                    inner.summary_stale = false;
                }
            }
            return None;
        }
        let bytes = std::mem::take(&mut inner.pending);
        // (A failed append's bytes wait in the store: a retry writes them too.)
        inner.bytes_in_flight = !bytes.is_empty() || inner.retry;
        let summary = inner.summary_for_write(now, false);
        Some(Job::Append { id, bytes, summary })
    }

    /// The next write works out the summary afresh (the case list is about to show it).
    fn summary_now(&self) {
        let mut inner = self.inner.borrow_mut();
        if inner.summary_stale {
            inner.summary = None;
            inner.summary_timer.cancel();
        }
    }
}

impl Job {
    fn summary(&self) -> &Summary {
        match self {
            Job::Append { summary, .. } | Job::Compact { summary, .. } => summary,
        }
    }

    /// Writes the summary alone (see [`SUMMARY_EVERY_MS`]).
    fn summary_only(&self) -> bool {
        matches!(self, Job::Append { bytes, .. } if bytes.is_empty())
    }
}

enum Job {
    Append {
        id: String,
        bytes: Vec<u8>,
        summary: Summary,
    },
    Compact {
        id: String,
        bytes: Vec<u8>,
        summary: Summary,
        covered: Option<f64>,
    },
}

/// A new room and key, and the ephemeral secret that seals them to the members.
fn fresh_move() -> Result<(dreieck_model::trust::RoomKeys, [u8; 32]), String> {
    let to = Shared::fresh()?;
    let mut ephemeral = [0u8; 32];
    fill_random(&mut ephemeral)?;
    Ok((
        dreieck_model::trust::RoomKeys {
            room: to.room,
            key: to.key,
        },
        ephemeral,
    ))
}

fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: &ArcRwSignal<T>, value: T) {
    if signal.with_untracked(|v| *v != value) {
        signal.set(value);
    }
}

/// The session of report `id` in this tab, if it has one (open in the editor, or holding
/// edits not yet stored).
pub fn existing(id: &str) -> Option<Session> {
    SESSIONS.with(|m| m.borrow().get(id).cloned())
}

/// Every session of this tab (for compaction when the page is hidden).
pub fn all_sessions() -> Vec<Session> {
    SESSIONS.with(|m| m.borrow().values().cloned().collect())
}

/// Some report of this tab holds edits that are not stored yet.
pub fn any_unsaved() -> bool {
    SESSIONS.with(|m| m.borrow().values().any(Session::has_unsaved))
}

/// Reports of this tab whose edits are not all stored: (id, title), for a warning in the list.
pub fn unsaved_reports() -> Vec<(String, String)> {
    SESSIONS.with(|m| {
        m.borrow()
            .values()
            .filter(|s| s.has_unsaved())
            .map(|s| (s.id(), s.title.get_untracked()))
            .collect()
    })
}

/// Drops the in-memory session of a deleted report, so a late retry cannot write chunks
/// without their full save into storage.
pub fn forget(id: &str) {
    let session = SESSIONS.with(|m| m.borrow_mut().remove(id));
    if let Some(session) = session {
        session.disconnect();
    }
    shared::forget(id);
    moves_left::forget(id);
    crate::sync::open_invites::forget_report(id);
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use dreieck::storage::ReportStore;
    use dreieck_model::{Report, Role};
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::state::test_support::{sleep, store};

    const TEMPLATE: &str = "kvjs-ergebnisbericht";

    async fn until_saved(session: &Session) {
        for _ in 0..500 {
            if !session.has_unsaved() {
                return;
            }
            sleep(10).await;
        }
        panic!("the session did not finish saving");
    }

    async fn stored(store: &ReportStore, id: &str) -> Report {
        let bytes = match store.load(id).await {
            Ok(b) => b,
            Err(e) => panic!("load failed: {e}"),
        };
        match Report::load(&bytes) {
            Ok(r) => r,
            Err(e) => panic!("stored bytes do not load: {e}"),
        }
    }

    async fn new_session(store: &ReportStore) -> (String, Session) {
        let template = dreieck_model::builtin_templates().remove(0);
        assert_eq!(template.id, TEMPLATE);
        let id = match Session::create(store.clone(), &template).await {
            Ok(id) => id,
            Err(e) => panic!("create failed: {e}"),
        };
        match Session::open(store.clone(), &id).await {
            Ok(s) => (id, s),
            Err(e) => panic!("open failed: {e:?}"),
        }
    }

    #[wasm_bindgen_test]
    async fn every_keystroke_reaches_storage_and_the_summary() {
        let store = store().await;
        let (id, session) = new_session(&store).await;
        // Typed faster than storage answers: later keystrokes wait for the write in flight.
        let mut typed = String::new();
        for c in "Müller, Anna".chars() {
            typed.push(c);
            session.edit(false, |r| r.set_text(Role::Provider, "lb_name", &typed));
        }
        until_saved(&session).await;
        assert_eq!(session.status.get_untracked(), SaveStatus::Saved);
        let report = stored(&store, &id).await;
        assert_eq!(report.text("lb_name").ok().as_deref(), Some("Müller, Anna"));
        let summaries = store.summaries().await.unwrap_or_default();
        let summary = summaries.iter().find(|s| s.id == id);
        assert_eq!(summary.map(|s| s.title.as_str()), Some("Müller, Anna"));
        // Fewer writes than keystrokes: what was typed meanwhile went out together.
        let chunks = store.chunk_count(&id).await.unwrap_or(0);
        assert!((2..=13).contains(&chunks), "{chunks} chunks");
        session.release();
    }

    #[wasm_bindgen_test]
    async fn many_chunks_are_compacted() {
        let store = store().await;
        let (id, session) = new_session(&store).await;
        let mut typed = String::new();
        for i in 0..(COMPACT_AFTER + 5) {
            typed.push(char::from(b'a' + (i % 26) as u8));
            session.edit(false, |r| r.set_text(Role::Beneficiary, "wuensche", &typed));
            until_saved(&session).await;
        }
        // Not while typing goes on: a full save would hold up the keystroke it fell on.
        let chunks = store.chunk_count(&id).await.unwrap_or(0);
        assert!(chunks > COMPACT_AFTER, "{chunks} chunks while typing");
        // Once typing pauses, the chunks become one.
        until_compacted(&store, &id).await;
        let report = stored(&store, &id).await;
        assert_eq!(report.text("wuensche").ok(), Some(typed));
        session.release();
    }

    /// Waits (up to 10 s) for the report's chunks to be compacted into a few.
    async fn until_compacted(store: &ReportStore, id: &str) {
        for _ in 0..1000 {
            if store.chunk_count(id).await.unwrap_or(u32::MAX) < 10 {
                return;
            }
            sleep(10).await;
        }
        panic!("the chunks were not compacted");
    }

    #[wasm_bindgen_test]
    async fn typing_without_a_pause_is_compacted_at_the_limit() {
        let store = store().await;
        let (id, session) = new_session(&store).await;
        let mut typed = String::new();
        let mut most = 0;
        for i in 0..(COMPACT_HARD_LIMIT + 5) {
            typed.push(char::from(b'a' + (i % 26) as u8));
            session.edit(false, |r| r.set_text(Role::Beneficiary, "wuensche", &typed));
            until_saved(&session).await;
            most = most.max(session.inner.borrow().chunks);
        }
        // Compacted while typing went on (the pause timers were re-armed by every write).
        assert!(most <= COMPACT_HARD_LIMIT, "{most} chunks at most");
        let chunks = store.chunk_count(&id).await.unwrap_or(u32::MAX);
        assert!(chunks < 10, "{chunks} chunks after the limit");
        let report = stored(&store, &id).await;
        assert_eq!(report.text("wuensche").ok(), Some(typed));
        session.release();
    }

    #[wasm_bindgen_test]
    async fn past_the_limit_a_short_pause_compacts() {
        let store = store().await;
        let (id, session) = new_session(&store).await;
        let mut typed = String::new();
        for i in 0..(COMPACT_LIMIT + 5) {
            typed.push(char::from(b'a' + (i % 26) as u8));
            session.edit(false, |r| r.set_text(Role::Beneficiary, "wuensche", &typed));
            until_saved(&session).await;
        }
        // Compacted after the first short pause.
        for _ in 0..200 {
            if store.chunk_count(&id).await.unwrap_or(u32::MAX) < 10 {
                break;
            }
            sleep(10).await;
        }
        let chunks = store.chunk_count(&id).await.unwrap_or(u32::MAX);
        assert!(chunks < 10, "{chunks} chunks after a pause past the limit");
        let report = stored(&store, &id).await;
        assert_eq!(report.text("wuensche").ok(), Some(typed));
        session.release();
    }

    #[wasm_bindgen_test]
    async fn compact_writes_one_full_save() {
        let store = store().await;
        let (id, session) = new_session(&store).await;
        for text in ["a", "ab", "abc"] {
            session.edit(false, |r| r.set_text(Role::Provider, "lb_anschrift", text));
            until_saved(&session).await;
        }
        assert!(store.chunk_count(&id).await.unwrap_or(0) > 1);
        session.compact();
        until_saved(&session).await;
        assert_eq!(store.chunk_count(&id).await.ok(), Some(1));
        let report = stored(&store, &id).await;
        assert_eq!(report.text("lb_anschrift").ok().as_deref(), Some("abc"));
        session.release();
    }

    #[wasm_bindgen_test]
    async fn a_refused_edit_is_reported_not_stored() {
        let store = store().await;
        let (_id, session) = new_session(&store).await;
        // Only the provider may write the provider's notes.
        session.edit(false, |r| {
            r.set_text(Role::Beneficiary, "anmerkungen_einrichtung", "x")
        });
        until_saved(&session).await;
        assert!(session.notice.get_untracked().is_some());
        assert_eq!(
            session.read(|r| r.text("anmerkungen_einrichtung").ok()),
            Some(String::new())
        );
        session.release();
    }

    #[wasm_bindgen_test]
    async fn an_open_session_is_shared_until_released() {
        let store = store().await;
        let (id, first) = new_session(&store).await;
        first.edit(false, |r| r.set_text(Role::Provider, "lb_name", "X"));
        let again = match Session::open(store.clone(), &id).await {
            Ok(s) => s,
            Err(e) => panic!("open failed: {e:?}"),
        };
        assert!(Rc::ptr_eq(&first.0, &again.0));
        until_saved(&first).await;
        first.release();
        assert!(
            existing(&id).is_none(),
            "a clean, released session is dropped"
        );
    }

    #[wasm_bindgen_test]
    async fn opening_an_unknown_report_says_not_found() {
        let store = store().await;
        let result = Session::open(store, "gibt-es-nicht").await;
        assert_eq!(result.err(), Some(OpenError::NotFound));
    }
}
