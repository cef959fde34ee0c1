//! An open report and its autosave.
//!
//! Every edit appends `save_incremental()` to storage at once; writes are serialized (one in
//! flight, and whatever is typed meanwhile goes into the next write, so nothing waits for a
//! timer and no edit is dropped). A failed write keeps its bytes and is retried on the next edit
//! or by the "Erneut versuchen" button. Now and then (many chunks, once typing pauses; and when
//! the page is hidden) the whole document is written as one compact save instead.
//!
//! When to write, compact, apply peers' keystrokes or re-read is decided by the state machines
//! of `dreieck_session` (tested natively with a virtual clock); this module carries their
//! decisions out: IndexedDB (`writer.rs`), one `setTimeout` for the earliest of their
//! deadlines, signals for the views. Undo is in `undo.rs`, following the report from room to
//! room in `rooms.rs`.
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
use dreieck_model::trust::{Owner, Refusal};
use dreieck_model::{FieldEdit, ModelError, Report, Role, Template};
use leptos::prelude::*;

use crate::state::device_keys::{device_key, give_keys};
use crate::state::platform::now_ms;
use crate::state::summary::{summary_of, title_field};
use crate::sync::link::{Link, LinkedDoc};
use crate::sync::moves_left;
use crate::sync::shared;
use crate::sync::tabs::{TabChannel, TabMessage};
use crate::timer::Timer;
use dreieck_model::live::{self, Splice};
use dreieck_model::text_control::{TextEdit, TextTarget};
use dreieck_model::undo::TypingHistory;
use dreieck_session::autosave::Autosave;
use dreieck_session::deferral::{Deferral, EAGER_UP_TO_CHARS};
use dreieck_session::pacing::Pacer;

mod deletion;
mod retention;
mod rooms;
#[cfg(all(test, target_arch = "wasm32"))]
mod tests;
mod undo;
mod writer;

/// Why the open report could not do what was asked, in standard German and in Leichte
/// Sprache (the view shows the one of the language chosen).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub standard: String,
    pub plain: String,
}

impl Notice {
    /// An edit the model refused.
    pub fn not_applied(e: &ModelError) -> Notice {
        use dreieck_texts::{fill, plain::PLAIN, standard::STANDARD};
        Notice {
            standard: fill(STANDARD.notice_not_applied, &e.to_string()),
            plain: fill(PLAIN.notice_not_applied, &e.plain()),
        }
    }
}

/// What the save indicator shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveStatus {
    Saved,
    Saving,
    /// Why storing failed, in standard German and in Leichte Sprache; the bytes are kept
    /// and retried.
    Failed {
        reason: String,
        plain: String,
    },
}

struct Inner {
    id: String,
    report: Report,
    store: ReportStore,
    title_field: Option<String>,
    /// What is written when (see `dreieck_session::autosave`).
    autosave: Autosave<Summary>,
    /// Bumps [`Parts::changes`] once typing has gone on for [`CHANGES_EVERY_MS`].
    changes_pacer: Pacer,
    /// An editor shows this session; when none does and nothing is unsaved, it is dropped.
    shown: bool,
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
    pub notice: ArcRwSignal<Option<Notice>>,
    /// Changes from elsewhere the gate refused ("Eine Änderung von … wurde abgelehnt: …"),
    /// oldest first; they stay until the report is closed.
    pub refused: ArcRwSignal<Vec<Refusal>>,
    /// The report moved to a room this device cannot open: it was removed, or the move was
    /// not sealed to it (see [`Session::follow_room`]).
    pub moved_away: ArcRwSignal<bool>,
    /// The report was deleted for everyone (this device accepted the deletion): the editor
    /// shows who deleted it and when, and nothing more is written.
    pub deleted: ArcRwSignal<Option<crate::state::deleted_reports::DeletedReport>>,
    /// Set once the report is deleted here: the writer takes no more jobs.
    gone: std::cell::Cell<bool>,
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
    /// The one timeout for the earliest deadline of the session's machines, and that
    /// deadline.
    wake: RefCell<(Timer, Option<f64>)>,
    /// The retention end last told to the relay on this connection (`Some(None)`: that there
    /// is none), see [`Session::tell_retention`].
    retention_told: RefCell<Option<Option<dreieck_model::Date>>>,
}

/// Peers' keystrokes on their way to the document (see `dreieck_model::live`).
#[derive(Default)]
struct Live {
    /// Shown already, applied later (see `dreieck_session::deferral`).
    held: Deferral,
    /// Edits from elsewhere each text field's view must show, in order (it takes them): peers'
    /// keystrokes shown ahead of the document, and the splices of changes applied.
    previews: HashMap<String, ArcRwSignal<Vec<TextEdit>>>,
}

/// While somebody types, the views that follow every change re-read at most this often.
const CHANGES_EVERY_MS: f64 = 300.0;

/// The key of the goals in the per-field revisions.
pub const GOALS: &str = "#ziele";
/// The revision key of the conversation's step and participants.
pub const CONVERSATION: &str = "#gespraech";
/// The revision key of the submission record and the missing-help flags.
pub const CASE: &str = "#fall";

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
        self.apply_new(bytes).map(|_| ())
    }

    fn apply_new(&self, bytes: &[u8]) -> Result<bool, String> {
        match self.upgrade() {
            Some(s) => s.apply_remote(bytes),
            None => Ok(false),
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

    fn purged(&self, record: &[u8]) {
        if let Some(session) = self.upgrade() {
            session.purged(record);
        }
    }

    fn in_sync(&self) {
        if let Some(session) = self.upgrade() {
            // After the link has finished its own turn: telling the relay goes through it.
            leptos::task::spawn_local(async move { session.tell_retention(true) });
        }
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
                autosave: Autosave::new(chunks, needs_full),
                changes_pacer: Pacer::new(CHANGES_EVERY_MS),
                shown: true,
            }),
            status: ArcRwSignal::new(SaveStatus::Saved),
            revision: ArcRwSignal::new(0),
            changes: ArcRwSignal::new(0),
            notice: ArcRwSignal::new(None),
            refused: ArcRwSignal::new(Vec::new()),
            moved_away: ArcRwSignal::new(false),
            deleted: ArcRwSignal::new(None),
            gone: std::cell::Cell::new(false),
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
            wake: RefCell::new((Timer::default(), None)),
            retention_told: RefCell::new(None),
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
                TabMessage::Payload { bytes, first } => {
                    if let Err(e) = session.apply_remote(&bytes) {
                        leptos::logging::warn!("tabs: changes refused: {e}");
                    }
                    if first {
                        // What was typed here while this tab seemed alone.
                        let full = session.full_save();
                        if let Some(tabs) = session.tabs.borrow().as_ref() {
                            tabs.post(&full);
                        }
                    }
                }
            }
        });
        *self.tabs.borrow_mut() = channel;
    }

    /// The page is shown again: other tabs that opened meanwhile are greeted.
    pub fn greet_tabs(&self) {
        if let Some(tabs) = self.tabs.borrow().as_ref() {
            tabs.hello_if_alone();
        }
    }

    /// The whole report as one save (for the relay's snapshot, a tab that just opened it).
    fn full_save(&self) -> Vec<u8> {
        self.flush_live();
        let (bytes, collected) = {
            let mut inner = self.inner.borrow_mut();
            // `save()` moves the storage cursor: collect what it would skip first.
            let collected = inner.report.save_incremental();
            inner.autosave.edited(&collected);
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
        let Some(held) = self.live.borrow_mut().held.take() else {
            return;
        };
        // The bytes are exactly the peer's changes on top of this document (that is what made
        // them previews), so they are stored as they came, and the fields they touch are
        // known from their splices: no re-encoding, no patches.
        let result = {
            let mut inner = self.inner.borrow_mut();
            let result = inner.report.apply_stored(&held.bytes);
            let stored = match result {
                Ok(true) => held.bytes,
                _ => inner.report.save_incremental(),
            };
            inner.autosave.received(&stored, now_ms());
            result
        };
        self.show_refusals();
        self.changed_soon();
        match result {
            Ok(_) => {
                for field in &held.fields {
                    self.bump_touched(field);
                }
            }
            Err(e) => {
                leptos::logging::warn!("sync: changes refused: {e}");
                self.revision.update(|r| *r += 1);
            }
        }
        self.rearm();
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
            inner.autosave.typed(&bytes, now_ms());
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
                self.notice.set(Some(Notice::not_applied(&e)));
                self.revision.update(|r| *r += 1);
            }
        }
        self.pump();
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

    /// A peer's changes. When they are keystrokes made on exactly the document this device has
    /// (or will have once the changes shown ahead are applied), their splices are shown at
    /// once and the changes applied after the next paint; otherwise they are applied now.
    /// `true` when the payload held changes that were new here.
    pub fn apply_remote(&self, payload: &[u8]) -> Result<bool, String> {
        let decoded = live::decode(payload).map_err(|e| e.to_string())?;
        if !decoded.moves.is_empty() {
            self.take_moves(&decoded.moves);
        }
        if decoded.changes().is_empty() {
            return Ok(false);
        }
        // The same keystroke again (it came directly and through the relay): nothing to do,
        // and nothing held needs applying for it.
        let known = {
            let live = self.live.borrow();
            self.inner
                .borrow()
                .report
                .knows_all(&decoded, live.held.held())
        };
        if known {
            return Ok(false);
        }
        let base = self.live.borrow().held.base().map(<[_]>::to_vec);
        let base = match base {
            Some(heads) => heads,
            None => self.inner.borrow_mut().report.heads(),
        };
        let previews = self.inner.borrow_mut().report.previews(&base, &decoded);
        let Some((splices, heads_after)) = previews else {
            self.flush_live();
            return self.apply_now(&decoded.automerge_bytes()).map(|()| true);
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
        let now = now_ms();
        self.live.borrow_mut().held.hold(
            &decoded.automerge_bytes(),
            heads_after,
            splices.iter().map(|s| s.field.clone()),
            long,
            now,
        );
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
        // A peer typing is not a pause either: a due compaction waits for it too.
        self.inner.borrow_mut().autosave.peer_typing(now);
        self.rearm();
        Ok(true)
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
            inner.autosave.edited(&stored);
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
            inner.autosave.edited(&bytes);
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
                self.notice.set(Some(Notice::not_applied(&e)));
                self.revision.update(|r| *r += 1);
            }
        }
        self.pump();
        if structural {
            self.follow_room();
            self.tell_retention(false);
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
            inner.autosave.edited(&bytes);
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
        self.write_now();
    }

    /// Asks for a full, compact save as the next write (page hidden), and starts it.
    pub fn compact(&self) {
        // Peers' changes shown ahead go into the save too.
        self.flush_live();
        self.summary_now();
        // (Already one compact save: at most the summary is due.)
        self.inner.borrow_mut().autosave.compact_requested();
        self.pump();
    }

    /// Bytes or a full save are waiting (for the "leave page?" warning).
    pub fn has_unsaved(&self) -> bool {
        !self.inner.borrow().autosave.holds_nothing_unsaved()
    }

    /// The editor showing this session is gone; drop the session once it is clean.
    pub fn release(&self) {
        // Peers' changes shown ahead are stored with the rest.
        self.flush_live();
        self.inner.borrow_mut().shown = false;
        // Syncing follows the editor: what was typed is stored and goes out on the next visit.
        self.disconnect();
        // The case list shows the summary next, with the last keystrokes in it.
        self.summary_now();
        self.write_now();
        self.forget_if_done();
    }

    fn forget_if_done(&self) {
        let (done, id) = {
            let inner = self.inner.borrow();
            (!inner.shown && inner.autosave.is_clean(), inner.id.clone())
        };
        if done {
            SESSIONS.with(|m| m.borrow_mut().remove(&id));
        }
    }
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

/// Whether this tab has a session for the report (open, or still writing).
pub fn is_open(id: &str) -> bool {
    SESSIONS.with(|m| m.borrow().contains_key(id))
}

/// Drops the in-memory session of a report that leaves this device, so a late retry cannot
/// write chunks without their full save into storage. The way to its room stays.
pub fn close(id: &str) {
    let session = SESSIONS.with(|m| m.borrow_mut().remove(id));
    if let Some(session) = session {
        session.disconnect();
    }
}

/// [`close`] for a deleted report, and forgets its room as well.
pub fn forget(id: &str) {
    close(id);
    shared::forget(id);
    moves_left::forget(id);
    crate::sync::open_invites::forget_report(id);
}
