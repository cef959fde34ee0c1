//! The typed API over one report's Automerge document.
//!
//! Document layout (documented for other implementations in `docs/document.md`):
//! ```text
//! ROOT
//!   schema: 1                      the layout version
//!   report_id: "…"                 random id, also the storage key
//!   created_at: <ms since epoch>
//!   template: "<JSON>"             the template the report was created from, verbatim
//!   follows: "…"                   optional: the report this one was created from
//!   fields: {
//!     <field id>: Text             short_text, long_text
//!     <field id>: "JJJJ-MM-TT"     date (absent = empty)
//!     <field id>: {from, to}       date_range, each "JJJJ-MM-TT"
//!     <field id>: "<code>"         choice
//!     <field id>: {name: Text, date: "JJJJ-MM-TT", signed: <bytes>}   signature (signing.rs)
//!   }
//!   participants: { <public key hex>: "{role, name} as JSON" }
//!   goals: { <goal id>: {pos: f64, text: Text, measures: Text,
//!                        achievement: "<code>", reason: "<code>"} }
//! ```
//! Goals live in a map with a fractional position rather than a list: moving a goal then only
//! sets one number, and an edit made concurrently to the moved goal's text is kept.
//!
//! Every object in this layout (each Text, each `{from, to}` and signature map, the `fields` and
//! `goals` maps, and a goal's two Texts) is created once: the report's objects in the creation
//! change, a goal's in the change that adds it. Never lazily on first write: two replicas
//! creating "the same" Text concurrently would make two objects, and the merge would show only
//! one of them, silently dropping the other replica's words.
//!
//! Text positions are Unicode scalar values: the document is created and loaded with
//! [`TextEncoding::UnicodeCodePoint`] explicitly, not with automerge's platform default, which a
//! cargo feature elsewhere in the build (`utf16-indexing`) could silently switch.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{
    AutoCommit, ChangeHash, ObjId, ObjType, ReadDoc, ScalarValue, TextEncoding, Value, ROOT,
};

use crate::template::{Field, FieldKind};
use crate::text_diff::splice_between;
use crate::{Date, DateRange, ModelError, Result, Role, Template};

/// The version of the document layout this build writes and reads.
pub const SCHEMA: u64 = 1;

/// How text positions are counted in every report document: one unit per Unicode scalar value.
pub const TEXT_ENCODING: TextEncoding = TextEncoding::UnicodeCodePoint;

/// Keys of the document layout, in one place so that reader and writer cannot drift apart.
pub(crate) mod key {
    pub const SCHEMA: &str = "schema";
    pub const REPORT_ID: &str = "report_id";
    pub const CREATED_AT: &str = "created_at";
    pub const TEMPLATE: &str = "template";
    pub const FIELDS: &str = "fields";
    pub const GOALS: &str = "goals";
    pub const FROM: &str = "from";
    pub const TO: &str = "to";
    pub const NAME: &str = "name";
    pub const DATE: &str = "date";
    pub const POS: &str = "pos";
    pub const TEXT: &str = "text";
    pub const MEASURES: &str = "measures";
    pub const ACHIEVEMENT: &str = "achievement";
    pub const REASON: &str = "reason";
    pub const SELF_RATING: &str = "self_rating";
    pub const LEVEL: &str = "level";
    pub const TARGET: &str = "target";
    pub const ORIGIN: &str = "origin";
    pub const MEASURES_BY: &str = "measures_by";
    pub const MEASURES_UNTIL: &str = "measures_until";
    /// A further measure's who and by when (the first measure's are `measures_by`/`_until`).
    pub const BY: &str = "by";
    pub const UNTIL: &str = "until";
    pub const FOLLOWS: &str = "follows";
    pub const ACTORS: &str = "actors";
    pub const OWN_WORDS: &str = "own_words";
    pub const CONVERSATION: &str = "conversation";
    pub const SUBMISSION: &str = "submission";
    pub const ROLE: &str = "role";
    pub const MISSING_HELP: &str = "missing_help";
    pub const AREA: &str = "area";
    pub const REVIEW: &str = "review";
    pub const ACCEPTANCE: &str = "acceptance";
}

/// A report's random identifier (hex).
pub type ReportId = String;

/// The current value of any field, for rendering generically from the template.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Text(String),
    Date(Option<Date>),
    DateRange(DateRange),
    Choice(Option<String>),
    Signature(SignatureLine),
    /// The goals table; read it with [`Report::goals`].
    Goals,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignatureLine {
    pub name: String,
    pub date: Option<Date>,
}

pub struct Report {
    pub(crate) doc: AutoCommit,
    pub(crate) template: Template,
    /// The time recorded with the next changes (for the history view), set by the caller.
    pub(crate) now_ms: Option<i64>,
    /// Heads covered by what the caller has stored. Automerge's own `save_incremental`
    /// forgets what a loaded document already holds and returns the whole history again
    /// (1 MB for a large report), so the model keeps the mark itself.
    pub(crate) saved: Vec<ChangeHash>,
    /// The role the current actor is registered for (see `history`), once known: spares the
    /// registry lookup on every keystroke.
    pub(crate) acting: Option<Role>,
    /// The role the current actor is to be registered for with the next write.
    pub(crate) unregistered: Option<Role>,
    /// How the next write's words got into an own-words field, when not yet recorded.
    pub(crate) unrecorded_input: Option<(String, crate::own_words::InputMode)>,
    /// The own-words field whose way of input the last write recorded (for the caller to show).
    pub(crate) recorded_input: Option<String>,
    /// The signature verifications of the document as it was at a change count (see
    /// `Report::verify_signatures`).
    pub(crate) verified: crate::signing::VerifiedCache,
    /// The fields changed since the acceptance, for the document state it was computed on.
    pub(crate) accepted_changes: crate::review::ChangesCache,
    /// The device's keys and the gate's memory (`trust`).
    pub(crate) trust: crate::trust::TrustState,
}

impl std::fmt::Debug for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Report")
            .field("id", &self.id())
            .field("template", &self.template.id)
            .finish_non_exhaustive()
    }
}

fn damaged(what: &str) -> ModelError {
    ModelError::NotAReport(format!("Der Bericht ist beschädigt: {what}."))
}

fn wrong_kind(field: &Field, expected: &'static str) -> ModelError {
    ModelError::WrongKind {
        field: field.label.clone(),
        expected,
    }
}

/// A scalar as the text the API hands out (codes and dates are stored as strings).
pub(crate) fn scalar_text(value: &Value<'_>) -> Option<String> {
    match value {
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(s) => Some(s.to_string()),
            ScalarValue::Null => None,
            other => Some(other.to_string()),
        },
        Value::Object(_) => None,
    }
}

impl Report {
    /// A new, empty report; the template is embedded in the document.
    ///
    /// The template is checked again here (a `Template` can be built in code, bypassing
    /// [`Template::from_json`]). Every object of the layout is created in this one change.
    pub fn create(template: &Template, id: &str, created_at_ms: i64) -> Result<Report> {
        let mut report = Report::laid_out(template, id, created_at_ms)?;
        report.seal_creation(created_at_ms, "Bericht angelegt");
        Ok(report)
    }

    /// Commits the creation change (every object of the layout, and the owner's part).
    pub(crate) fn seal_creation(&mut self, created_at_ms: i64, message: &str) {
        self.doc.commit_with(
            CommitOptions::default()
                .with_message(message.to_string())
                .with_time(created_at_ms.div_euclid(1000)),
        );
    }

    /// The creation change, not yet committed: every object of the layout.
    pub(crate) fn laid_out(template: &Template, id: &str, created_at_ms: i64) -> Result<Report> {
        template.verify()?;
        let mut doc = AutoCommit::new_with_encoding(TEXT_ENCODING).with_actor(session_actor());
        doc.put(ROOT, key::SCHEMA, SCHEMA)?;
        doc.put(ROOT, key::REPORT_ID, id)?;
        doc.put(ROOT, key::CREATED_AT, created_at_ms)?;
        doc.put(ROOT, key::TEMPLATE, template.to_json())?;
        let fields = doc.put_object(ROOT, key::FIELDS, ObjType::Map)?;
        for field in template.fields() {
            match field.kind {
                FieldKind::ShortText | FieldKind::LongText => {
                    doc.put_object(&fields, field.id.as_str(), ObjType::Text)?;
                }
                FieldKind::DateRange => {
                    doc.put_object(&fields, field.id.as_str(), ObjType::Map)?;
                }
                FieldKind::Signature { .. } => {
                    let line = doc.put_object(&fields, field.id.as_str(), ObjType::Map)?;
                    doc.put_object(&line, key::NAME, ObjType::Text)?;
                }
                // Scalars: absent until set. Goals live in the root `goals` map.
                FieldKind::Date { .. } | FieldKind::Choice { .. } | FieldKind::Goals { .. } => {}
            }
        }
        doc.put_object(ROOT, key::GOALS, ObjType::Map)?;
        doc.put_object(ROOT, crate::signing::PARTICIPANTS, ObjType::Map)?;
        doc.put_object(ROOT, key::ACTORS, ObjType::Map)?;
        crate::own_words::lay_out(&mut doc, template)?;
        Ok(Report {
            doc,
            template: template.clone(),
            now_ms: Some(created_at_ms),
            saved: Vec::new(),
            acting: None,
            unregistered: None,
            unrecorded_input: None,
            recorded_input: None,
            verified: Default::default(),
            accepted_changes: Default::default(),
            trust: Default::default(),
        })
    }

    /// Loads a saved document (a full save, possibly followed by incremental chunks).
    /// Anything that is not a report gives [`ModelError::NotAReport`].
    ///
    /// Besides Automerge's own checks (chunk checksums, change hashes), the layout is checked:
    /// schema version, id, embedded template, and one object of the right type per template
    /// field, so that later reads and writes can rely on it.
    pub fn load(bytes: &[u8]) -> Result<Report> {
        if crate::trust::SignedChanges::looks_like(bytes) {
            return Report::load_signed(bytes);
        }
        Report::load_plain(bytes)
    }

    /// Loads plain Automerge bytes (a report from before membership, or the Automerge part of
    /// stored bundles).
    pub(crate) fn load_plain(bytes: &[u8]) -> Result<Report> {
        // Nothing reaches Automerge that would make it panic (trust/validate.rs): there is no
        // catching a panic in the browser build, where panics abort.
        let doc = Report::load_checked(bytes)?;
        Report::from_doc(doc)
    }

    /// A report over a document that holds one (its layout is checked).
    pub(crate) fn from_doc(doc: AutoCommit) -> Result<Report> {
        let mut doc = doc.with_actor(session_actor());
        let template = check_layout(&doc)?;
        let saved = doc.get_heads();
        Ok(Report {
            doc,
            template,
            now_ms: None,
            saved,
            acting: None,
            unregistered: None,
            unrecorded_input: None,
            recorded_input: None,
            verified: Default::default(),
            accepted_changes: Default::default(),
            trust: Default::default(),
        })
    }

    /// A follow-up report (the Feedbackbogen after the Erwartungsbogen), created from `from`:
    /// every field of `template` that declares `carried_from` with `from`'s template id starts
    /// with the value of the named field of `from`.
    ///
    /// The copies are one change of their own after the creation change ("Aus … übernommen"),
    /// written without role checks (nobody types them), and the new report records `from`'s id
    /// under `follows`. Refused when `template` takes nothing from `from`'s kind of form, or
    /// when a named field is missing in `from` or of a kind that cannot hold the value: such a
    /// template is a mistake its author should see, not a half-filled report.
    pub fn create_follow_up(
        from: &Report,
        template: &Template,
        id: &str,
        created_at_ms: i64,
    ) -> Result<Report> {
        Report::follow_up(from, template, Err(id), created_at_ms)
    }

    /// [`Report::create_follow_up`] for a report owned by `owner` (see
    /// [`Report::create_owned`]): the creation and the carried values are one change, made
    /// and attested by the owner.
    pub fn create_follow_up_owned(
        from: &Report,
        template: &Template,
        owner: crate::trust::Owner<'_>,
        created_at_ms: i64,
    ) -> Result<Report> {
        Report::follow_up(from, template, Ok(owner), created_at_ms)
    }

    fn follow_up(
        from: &Report,
        template: &Template,
        owner_or_id: std::result::Result<crate::trust::Owner<'_>, &str>,
        created_at_ms: i64,
    ) -> Result<Report> {
        let source = from.template();
        let mapping: Vec<(&Field, &Field)> = template
            .fields()
            .filter_map(|f| {
                let carried = f.carried_from.as_ref()?;
                (carried.template == source.id).then_some((f, carried))
            })
            .map(|(f, carried)| {
                let src = source
                    .field(&carried.field)
                    .ok_or_else(|| ModelError::CarryOver {
                        field: f.label.clone(),
                        message: format!(
                            "das Feld „{}“ gibt es in „{}“ nicht",
                            carried.field, source.name
                        ),
                    })?;
                if !carry_compatible(&src.kind, &f.kind) {
                    return Err(ModelError::CarryOver {
                        field: f.label.clone(),
                        message: format!(
                            "„{}“ ({}) passt nicht zu diesem Feld ({})",
                            src.label,
                            src.kind.name(),
                            f.kind.name()
                        ),
                    });
                }
                Ok((f, src))
            })
            .collect::<Result<_>>()?;
        // The goals that go on, when both forms have a goals table (the next Ergebnisbericht).
        let goals = match (
            from.goals_field(),
            template
                .fields()
                .any(|f| matches!(f.kind, FieldKind::Goals { .. })),
        ) {
            (Ok(_), true) => from.continuing_goals(),
            _ => Vec::new(),
        };
        if mapping.is_empty() {
            return Err(ModelError::NotAFollowUp {
                from: source.name.clone(),
                to: template.name.clone(),
            });
        }
        let mut values = Vec::new();
        for (to, src) in &mapping {
            values.push((to.id.clone(), from.value(&src.id)?));
        }
        let (mut report, owner) = match owner_or_id {
            Err(id) => (Report::create(template, id, created_at_ms)?, None),
            Ok(owner) => {
                let id = crate::trust::report_id_for(&owner.key.public_key(), &owner.nonce);
                let mut report = Report::laid_out(template, &id, created_at_ms)?;
                report.found(&owner, created_at_ms)?;
                (report, Some((owner.role, owner.key.clone())))
            }
        };
        let fields = report.fields_obj()?;
        let from_id = from.id();
        report.doc.put(ROOT, key::FOLLOWS, from_id)?;
        for (to, value) in values {
            match value {
                FieldValue::Text(text) => {
                    let obj = report.text_object(&to)?;
                    report.doc.splice_text(&obj, 0, 0, &text)?;
                }
                FieldValue::Date(Some(date)) => {
                    report.doc.put(&fields, to.as_str(), date.iso())?;
                }
                FieldValue::DateRange(range) => {
                    let obj = report.range_obj(&to)?;
                    for (end, date) in [(key::FROM, range.from), (key::TO, range.to)] {
                        if let Some(date) = date {
                            report.doc.put(&obj, end, date.iso())?;
                        }
                    }
                }
                FieldValue::Choice(Some(code)) => {
                    // Only codes the new form knows; another list's code would be refused later.
                    let def = report.field_def(&to)?.clone();
                    if let FieldKind::Choice { code_list } = &def.kind {
                        if report.check_code(&def.label, code_list, &code).is_ok() {
                            report.doc.put(&fields, to.as_str(), code)?;
                        }
                    }
                }
                _ => {}
            }
        }
        if !goals.is_empty() {
            report.write_goals(&goals)?;
        }
        let message = format!("Aus „{}“ übernommen", source.name);
        report.doc.commit_with(
            CommitOptions::default()
                .with_message(message)
                .with_time(created_at_ms.div_euclid(1000)),
        );
        if let Some((role, key)) = owner {
            report.add_key(role, key);
        }
        Ok(report)
    }

    /// The id of the report this one was created from ([`Report::create_follow_up`]).
    pub fn follows(&self) -> Option<String> {
        self.root_text(key::FOLLOWS)
    }

    /// Whether the field is shown now: its own and its section's conditions hold
    /// (`shown_when` in the template). Hidden fields are neither required nor validated.
    pub fn is_shown(&self, field: &str) -> bool {
        self.template.is_field_shown(field, &|id| self.chosen(id))
    }

    /// Whether the section is shown now (its `shown_when` holds).
    pub fn is_section_shown(&self, section: &str) -> bool {
        self.template
            .is_section_shown(section, &|id| self.chosen(id))
    }

    /// The chosen code of a choice field, if any.
    fn chosen(&self, field: &str) -> Option<String> {
        match self.value(field) {
            Ok(FieldValue::Choice(code)) => code,
            _ => None,
        }
    }

    pub fn id(&self) -> String {
        if let Some(id) = self.trust.id.get() {
            return id.clone();
        }
        let id = self.root_text(key::REPORT_ID).unwrap_or_default();
        // Remembered only from an owned report, whose id no change may rewrite; without an
        // owner, bytes from elsewhere pass no gate and the id is read every time.
        if !id.is_empty() && self.owner_key().is_some() {
            let _ = self.trust.id.set(id.clone());
        }
        id
    }

    pub fn created_at_ms(&self) -> i64 {
        match self.doc.get(ROOT, key::CREATED_AT) {
            Ok(Some((value, _))) => value
                .as_i64()
                .or_else(|| value.as_u64().and_then(|v| i64::try_from(v).ok()))
                .unwrap_or(0),
            _ => 0,
        }
    }

    pub fn template(&self) -> &Template {
        &self.template
    }

    /// A title for lists: the text of the template's first one-line field (on the KVJS form
    /// "Name, Vorname"), trimmed; "" while empty.
    pub fn title(&self) -> String {
        self.template
            .fields()
            .find(|f| f.kind == FieldKind::ShortText)
            .and_then(|f| self.text(&f.id).ok())
            .map(|t| t.trim().to_string())
            .unwrap_or_default()
    }

    /// The time (ms since the epoch) recorded with the following changes, for the history
    /// view. The crate never reads the clock; without this, changes carry no time.
    pub fn set_now_ms(&mut self, now_ms: i64) {
        self.now_ms = Some(now_ms);
    }

    /// A full, compact save of the whole document, in the report's own format: plain
    /// Automerge for a report from before membership, a signed bundle (`trust`) for a
    /// protected one. Storage, the relay and files all take these bytes; [`Report::load`] and
    /// [`Report::apply`] read both.
    pub fn save(&mut self) -> Vec<u8> {
        if self.is_protected() {
            return self.save_signed().encode();
        }
        self.save_plain()
    }

    /// Only what changed since the last save: what storage appends on every edit (signed for
    /// a protected report, like [`Report::save`]). Empty when nothing changed since the last
    /// save or load.
    pub fn save_incremental(&mut self) -> Vec<u8> {
        if self.is_protected() {
            let signed = self.save_incremental_signed();
            return if signed.changes.is_empty() {
                Vec::new()
            } else {
                signed.encode()
            };
        }
        self.save_incremental_plain()
    }

    /// Every change not covered by `heads`: what the sync layer sends to a peer that has
    /// `heads` (signed for a protected report).
    pub fn save_after(&mut self, heads: &[ChangeHash]) -> Vec<u8> {
        if self.is_protected() {
            return self.save_after_signed(heads).encode();
        }
        self.doc.save_after(heads)
    }

    /// Whether every change of this report is in the history of `heads` (the heads the relay
    /// acknowledged): then the relay holds all of it, and a device may drop its own copy
    /// without losing a word. `false` when `heads` names a change this copy does not have.
    pub fn is_covered_by(&mut self, heads: &[ChangeHash]) -> bool {
        self.commit_pending();
        ReadDoc::get_missing_deps(&self.doc, heads).is_empty()
            && self.doc.get_changes(heads).is_empty()
    }

    /// The whole document as plain Automerge bytes, marked as stored.
    pub(crate) fn save_plain(&mut self) -> Vec<u8> {
        self.commit_pending();
        let bytes = self.doc.save();
        self.saved = self.doc.get_heads();
        bytes
    }

    /// What changed since the last save, as plain Automerge bytes, marked as stored.
    pub(crate) fn save_incremental_plain(&mut self) -> Vec<u8> {
        self.commit_pending();
        let heads = self.doc.get_heads();
        if heads == self.saved {
            return Vec::new();
        }
        let bytes = self.doc.save_after(&self.saved);
        self.saved = heads;
        bytes
    }

    /// The document's current heads.
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// Applies changes from elsewhere (an incremental save, a full save of another replica).
    ///
    /// Changes whose predecessors have not arrived yet are kept and applied once they do, so
    /// chunks may come in any order and more than once. Bytes of a *different* report are
    /// refused and leave this one as it was.
    ///
    /// Damaged bytes are refused as a whole and change nothing. (Automerge's own
    /// `load_incremental` takes what it can read of damaged bytes and reports success; a sync
    /// layer would then never learn that a chunk was lost.)
    pub fn apply(&mut self, bytes: &[u8]) -> Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        if self.is_protected() {
            // Every change through the gate; refusals are kept in `refusals()`.
            return self.receive(bytes).map(|_| ());
        }
        self.apply_plain(bytes)
    }

    /// Applies plain Automerge bytes without the gate (reports from before membership).
    pub(crate) fn apply_plain(&mut self, bytes: &[u8]) -> Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.commit_pending();
        self.trust.forget_seqs();
        let before = self.doc.get_heads();
        // Every chunk is checked before anything is applied, then change by change before
        // Automerge sees it (trust/validate.rs): no catch would stop a panic in the browser
        // build, where panics abort.
        if let Err(e) = self.apply_checked(bytes) {
            self.restore(&before);
            return Err(e);
        }
        self.ensure_own_report(&before)
    }

    /// Applies `bytes` that the caller stores as they are (a peer's changes, appended to
    /// storage unchanged): returns `true` when the document's new state is then fully stored,
    /// so the next [`Report::save_incremental`] need not encode these changes again. Returns
    /// `false` (nothing marked) when something else was unsaved, or when changes are held
    /// back waiting for predecessors (they might be released by a later chunk that does not
    /// hold them); the caller then saves incrementally as usual.
    pub fn apply_stored(&mut self, bytes: &[u8]) -> Result<bool> {
        self.commit_pending();
        let clean = self.doc.get_heads() == self.saved
            && ReadDoc::get_missing_deps(&self.doc, &[]).is_empty()
            && self.trust.waiting_is_empty();
        let refused_before = self.refusals().len();
        self.apply(bytes)?;
        if self.refusals().len() != refused_before || !self.trust.waiting_is_empty() {
            // The bytes hold changes that were not applied: they must not be stored as they
            // are (storage is trusted when the report is opened again).
            return Ok(false);
        }
        if clean && ReadDoc::get_missing_deps(&self.doc, &[]).is_empty() {
            self.saved = self.doc.get_heads();
            return Ok(true);
        }
        Ok(false)
    }

    /// Merges another replica of the same report into this one.
    pub fn merge(&mut self, other: &mut Report) -> Result<()> {
        if self.id() != other.id() {
            return Err(foreign());
        }
        self.commit_pending();
        other.commit_pending();
        if self.is_protected() {
            let heads = self.heads();
            let bytes = other.save_after(&heads);
            return self.apply(&bytes);
        }
        let before = self.doc.get_heads();
        self.trust.forget_seqs();
        self.doc.merge(&mut other.doc)?;
        self.ensure_own_report(&before)
    }

    /// How many changes the document holds (grows with every change, local or applied).
    pub(crate) fn change_count(&self) -> u64 {
        self.doc.stats().num_changes
    }

    /// An independent replica with a fresh actor (another device, in tests).
    pub fn fork(&mut self) -> Report {
        self.commit_pending();
        Report {
            doc: self.doc.fork().with_actor(session_actor()),
            template: self.template.clone(),
            now_ms: self.now_ms,
            saved: Vec::new(),
            acting: None,
            unregistered: None,
            unrecorded_input: None,
            recorded_input: None,
            verified: Default::default(),
            accepted_changes: Default::default(),
            trust: Default::default(),
        }
    }

    /// Hex of the document's current heads; changes whenever anything changes.
    pub fn heads_hex(&mut self) -> Vec<String> {
        self.doc.get_heads().iter().map(|h| h.to_string()).collect()
    }

    /// Hex of the actor id this replica writes with.
    pub fn actor_hex(&self) -> String {
        self.doc.get_actor().to_hex_string()
    }

    /// Writes from now on with the given actor id (derived by the app from the device key of
    /// the person writing). Two replicas must never write with the same actor.
    pub fn set_actor(&mut self, actor: &[u8]) {
        self.commit_pending();
        self.doc.set_actor(automerge::ActorId::from(actor));
        self.acting = None;
        self.unregistered = None;
    }

    /// The underlying document, for the sync layer.
    pub fn doc_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    // ---- fields -------------------------------------------------------------------------

    pub fn value(&self, field: &str) -> Result<FieldValue> {
        let def = self.field_def(field)?;
        Ok(match &def.kind {
            FieldKind::ShortText | FieldKind::LongText => FieldValue::Text(self.text(field)?),
            FieldKind::Date { .. } => FieldValue::Date(self.read_date(&self.fields_obj()?, field)),
            FieldKind::DateRange => FieldValue::DateRange(self.date_range(field)?),
            FieldKind::Choice { .. } => {
                FieldValue::Choice(self.read_scalar(&self.fields_obj()?, field))
            }
            FieldKind::Signature { .. } => FieldValue::Signature(self.signature(field)?),
            FieldKind::Goals { .. } => FieldValue::Goals,
        })
    }

    /// The whole text of a short_text or long_text field ("" when never written).
    pub fn text(&self, field: &str) -> Result<String> {
        let obj = self.text_object(field)?;
        Ok(self.doc.text(&obj)?)
    }

    /// The length of a text field in characters, without reading the text (how long applying
    /// a peer's change to it will take grows with it).
    pub fn text_len(&self, field: &str) -> Result<usize> {
        let obj = self.text_object(field)?;
        Ok(self.doc.length(&obj))
    }

    /// The Automerge object holding a text field, to map patches (what changed) to fields.
    pub fn text_object(&self, field: &str) -> Result<ObjId> {
        let def = self.field_def(field)?;
        match def.kind {
            FieldKind::ShortText | FieldKind::LongText => self
                .field_obj(field, ObjType::Text)
                .ok_or_else(|| damaged(&format!("Text von „{}“ fehlt", def.label))),
            _ => Err(wrong_kind(def, "short_text oder long_text")),
        }
    }

    /// Replaces the field's text with `value` by splicing only what differs, so a concurrent
    /// edit elsewhere in the same text survives.
    pub fn set_text(&mut self, role: Role, field: &str, value: &str) -> Result<()> {
        self.begin_edit(role, field)?;
        self.note_input(field, crate::own_words::InputMode::Typed);
        let obj = self.text_object(field)?;
        self.replace_text(&obj, value)
    }

    /// Deletes `delete` characters at `pos` (in Unicode scalar values) and inserts `insert`.
    ///
    /// A position past the end means the end, and a deletion stops at the end: a view that is a
    /// keystroke behind (a remote change just shortened the text) must not crash the editor.
    pub fn splice_text(
        &mut self,
        role: Role,
        field: &str,
        pos: usize,
        delete: usize,
        insert: &str,
    ) -> Result<()> {
        self.begin_edit(role, field)?;
        self.note_input(field, crate::own_words::InputMode::Typed);
        let obj = self.text_object(field)?;
        self.splice_obj(&obj, pos, delete, insert)
    }

    pub fn set_date(&mut self, role: Role, field: &str, date: Option<Date>) -> Result<()> {
        self.begin_edit(role, field)?;
        let def = self.field_def(field)?;
        if !matches!(def.kind, FieldKind::Date { .. }) {
            return Err(wrong_kind(def, "date"));
        }
        let fields = self.fields_obj()?;
        self.write(|doc| write_scalar(doc, &fields, field, date.map(|d| d.iso())))
    }

    pub fn set_date_range(&mut self, role: Role, field: &str, range: DateRange) -> Result<()> {
        self.begin_edit(role, field)?;
        let obj = self.range_obj(field)?;
        // Each end is written only when it changed, so setting "bis" while someone else sets
        // "von" is not a conflict.
        self.write(|doc| {
            write_scalar(doc, &obj, key::FROM, range.from.map(|d| d.iso()))?;
            write_scalar(doc, &obj, key::TO, range.to.map(|d| d.iso()))
        })
    }

    /// Sets a choice; the code must be in the field's code list.
    pub fn set_choice(&mut self, role: Role, field: &str, code: Option<&str>) -> Result<()> {
        self.begin_edit(role, field)?;
        let def = self.field_def(field)?;
        let FieldKind::Choice { code_list } = &def.kind else {
            return Err(wrong_kind(def, "choice"));
        };
        if let Some(code) = code {
            self.check_code(&def.label, code_list, code)?;
        }
        let fields = self.fields_obj()?;
        self.write(|doc| write_scalar(doc, &fields, field, code.map(str::to_string)))
    }

    pub fn set_signature_name(&mut self, role: Role, field: &str, name: &str) -> Result<()> {
        self.begin_edit(role, field)?;
        let line = self.signature_obj(field)?;
        let text = self
            .child(&line, key::NAME, ObjType::Text)
            .ok_or_else(|| damaged("Name einer Unterschrift fehlt"))?;
        self.replace_text(&text, name)
    }

    pub fn set_signature_date(
        &mut self,
        role: Role,
        field: &str,
        date: Option<Date>,
    ) -> Result<()> {
        self.begin_edit(role, field)?;
        let line = self.signature_obj(field)?;
        self.write(|doc| write_scalar(doc, &line, key::DATE, date.map(|d| d.iso())))
    }

    /// Every value concurrently set for a scalar field (date, choice, each end of a range as
    /// `from`/`to` sub-fields like `period/from`), winner first. More than one value means a
    /// conflict the user should resolve by setting the field again.
    ///
    /// A signature's date is the sub-field `<id>/date`. Text fields never conflict (an empty
    /// list); a date range or signature without a sub-field is [`ModelError::WrongKind`]: ask
    /// per end, or use [`Report::has_conflict`].
    pub fn conflicts(&self, field: &str) -> Result<Vec<String>> {
        let (id, sub) = match field.split_once('/') {
            Some((id, sub)) => (id, Some(sub)),
            None => (field, None),
        };
        let def = self.field_def(id)?;
        match (&def.kind, sub) {
            (FieldKind::Date { .. } | FieldKind::Choice { .. }, None) => {
                Ok(self.all_values(&self.fields_obj()?, id))
            }
            (FieldKind::ShortText | FieldKind::LongText | FieldKind::Goals { .. }, None) => {
                Ok(Vec::new())
            }
            (FieldKind::DateRange, Some(end @ (key::FROM | key::TO))) => {
                Ok(self.all_values(&self.range_obj(id)?, end))
            }
            (FieldKind::Signature { .. }, Some(key::DATE)) => {
                Ok(self.all_values(&self.signature_obj(id)?, key::DATE))
            }
            (FieldKind::DateRange | FieldKind::Signature { .. }, None) => Err(wrong_kind(
                def,
                "date oder choice (Zeitraum: „…/from“, „…/to“; Unterschrift: „…/date“)",
            )),
            (_, Some(_)) => Err(ModelError::UnknownField(field.to_string())),
        }
    }

    /// Whether any scalar in the field holds concurrently set values: for a range either end,
    /// for a signature its date, for the goals table any goal's achievement or reason.
    pub fn has_conflict(&self, field: &str) -> Result<bool> {
        let def = self.field_def(field)?;
        Ok(match &def.kind {
            FieldKind::DateRange => {
                self.conflicts(&format!("{field}/{}", key::FROM))?.len() > 1
                    || self.conflicts(&format!("{field}/{}", key::TO))?.len() > 1
            }
            FieldKind::Signature { .. } => {
                self.conflicts(&format!("{field}/{}", key::DATE))?.len() > 1
            }
            FieldKind::Goals { .. } => self.goals().iter().any(|g| {
                [
                    crate::GoalScalar::Achievement,
                    crate::GoalScalar::Reason,
                    crate::GoalScalar::SelfRating,
                ]
                .into_iter()
                .any(|w| {
                    self.goal_conflicts(&g.id, w)
                        .map(|v| v.len() > 1)
                        .unwrap_or(false)
                })
            }),
            _ => self.conflicts(field)?.len() > 1,
        })
    }

    /// Checks that `role` may edit `field`, and makes the edit count as `role`'s
    /// ([`Report::act_as`]).
    pub(crate) fn begin_edit(&mut self, role: Role, field: &str) -> Result<()> {
        self.check_edit(role, field)?;
        self.act_as(role)
    }

    pub(crate) fn check_edit(&self, role: Role, field: &str) -> Result<()> {
        let f = self
            .template
            .field(field)
            .ok_or_else(|| ModelError::UnknownField(field.to_string()))?;
        if !f.editors.contains(&role) {
            return Err(ModelError::NotPermitted {
                field: f.label.clone(),
                role,
            });
        }
        if f.own_words && role != Role::Beneficiary {
            return Err(ModelError::OwnWords {
                field: f.label.clone(),
            });
        }
        Ok(())
    }

    // ---- internals --------------------------------------------------------------------

    pub(crate) fn field_def(&self, id: &str) -> Result<&Field> {
        self.template
            .field(id)
            .ok_or_else(|| ModelError::UnknownField(id.to_string()))
    }

    pub(crate) fn check_code(&self, label: &str, list: &str, code: &str) -> Result<()> {
        let known = self
            .template
            .code_list(list)
            .is_some_and(|l| l.codes.iter().any(|c| c.code == code));
        if known {
            Ok(())
        } else {
            Err(ModelError::UnknownCode {
                field: label.to_string(),
                code: code.to_string(),
            })
        }
    }

    /// Whether the document holds change `hash`. Automerge's `get_change_by_hash` rebuilds the
    /// whole change from the document to answer (a tenth of a millisecond per received
    /// keystroke); its missing-dependency walk only looks the hash up. That walk does not
    /// report a change Automerge queued for lack of predecessors (nor anything when its queue
    /// is empty, as the gate keeps it: it hands Automerge only changes whose predecessors it
    /// has), so when it names other missing hashes, the slow answer decides.
    pub(crate) fn has_change(&self, hash: &ChangeHash) -> bool {
        let missing = ReadDoc::get_missing_deps(&self.doc, std::slice::from_ref(hash));
        if missing.is_empty() {
            return true;
        }
        !missing.contains(hash) && ReadDoc::get_change_by_hash(&self.doc, hash).is_some()
    }

    /// The object stored under `key` in `parent`, if it is an object of type `typ`.
    pub(crate) fn child(&self, parent: &ObjId, key: &str, typ: ObjType) -> Option<ObjId> {
        match self.doc.get(parent, key) {
            Ok(Some((Value::Object(t), id))) if t == typ => Some(id),
            _ => None,
        }
    }

    pub(crate) fn fields_obj(&self) -> Result<ObjId> {
        self.layout_child("", || self.child(&ROOT, key::FIELDS, ObjType::Map))
            .ok_or_else(|| damaged("„fields“ fehlt"))
    }

    /// A field's own object (its text, date range or signature line), looked up once.
    pub(crate) fn field_obj(&self, field: &str, typ: ObjType) -> Option<ObjId> {
        let fields = self.fields_obj().ok()?;
        self.layout_child(field, || self.child(&fields, field, typ))
    }

    /// An object of the layout, remembered once found (see `TrustState::layout`).
    fn layout_child(&self, name: &str, find: impl FnOnce() -> Option<ObjId>) -> Option<ObjId> {
        if let Some(obj) = self.trust.layout.borrow().get(name) {
            return Some(obj.clone());
        }
        let obj = find()?;
        self.trust
            .layout
            .borrow_mut()
            .insert(name.to_string(), obj.clone());
        Some(obj)
    }

    fn range_obj(&self, field: &str) -> Result<ObjId> {
        let def = self.field_def(field)?;
        if def.kind != FieldKind::DateRange {
            return Err(wrong_kind(def, "date_range"));
        }
        self.field_obj(field, ObjType::Map)
            .ok_or_else(|| damaged(&format!("Zeitraum „{}“ fehlt", def.label)))
    }

    fn signature_obj(&self, field: &str) -> Result<ObjId> {
        let def = self.field_def(field)?;
        if !matches!(def.kind, FieldKind::Signature { .. }) {
            return Err(wrong_kind(def, "signature"));
        }
        self.field_obj(field, ObjType::Map)
            .ok_or_else(|| damaged(&format!("Unterschrift „{}“ fehlt", def.label)))
    }

    /// Both ends of a date_range field.
    pub fn date_range(&self, field: &str) -> Result<DateRange> {
        let obj = self.range_obj(field)?;
        Ok(DateRange {
            from: self.read_date(&obj, key::FROM),
            to: self.read_date(&obj, key::TO),
        })
    }

    /// Name and date of a signature line.
    pub fn signature(&self, field: &str) -> Result<SignatureLine> {
        let obj = self.signature_obj(field)?;
        let name = match self.child(&obj, key::NAME, ObjType::Text) {
            Some(text) => self.doc.text(&text)?,
            None => String::new(),
        };
        Ok(SignatureLine {
            name,
            date: self.read_date(&obj, key::DATE),
        })
    }

    fn root_text(&self, key: &str) -> Option<String> {
        match self.doc.get(ROOT, key) {
            Ok(Some((value, _))) => value.as_str().map(str::to_string),
            _ => None,
        }
    }

    /// The winning value of a scalar, as text; `None` when absent (or not a scalar).
    pub(crate) fn read_scalar(&self, obj: &ObjId, key: &str) -> Option<String> {
        match self.doc.get(obj, key) {
            Ok(Some((value, _))) => scalar_text(&value),
            _ => None,
        }
    }

    /// A stored date; a value that does not parse (written by something else) reads as empty.
    pub(crate) fn read_date(&self, obj: &ObjId, key: &str) -> Option<Date> {
        self.read_scalar(obj, key)
            .and_then(|s| Date::parse_iso(&s).ok())
    }

    /// Every concurrently set value, winner first. Automerge lists them in op order and its
    /// winner (what `get` returns) is the last one.
    pub(crate) fn all_values(&self, obj: &ObjId, key: &str) -> Vec<String> {
        let mut values: Vec<String> = match self.doc.get_all(obj, key) {
            Ok(all) => all.iter().filter_map(|(v, _)| scalar_text(v)).collect(),
            Err(_) => Vec::new(),
        };
        values.reverse();
        values
    }

    /// Splices `obj` (a Text) from its current content to `value`, changing only the middle.
    pub(crate) fn replace_text(&mut self, obj: &ObjId, value: &str) -> Result<()> {
        self.replace_text_spliced(obj, None, value).map(|_| ())
    }

    /// Like `replace_text`; returns the splice made (`None` when the text was already `value`).
    /// `known`: the text as the caller last saw it, when it is sure nothing changed it since
    /// (reading a long text costs more than the rest of a keystroke). A `known` text of the
    /// wrong length is not trusted; the text is read instead.
    pub(crate) fn replace_text_spliced(
        &mut self,
        obj: &ObjId,
        known: Option<&str>,
        value: &str,
    ) -> Result<Option<(usize, usize, String)>> {
        let read;
        let current = match known {
            Some(k) if k.chars().count() == self.doc.length(obj) => k,
            _ => {
                read = self.doc.text(obj)?;
                read.as_str()
            }
        };
        let (pos, delete, insert) = splice_between(current, value);
        if delete == 0 && insert.is_empty() {
            return Ok(None);
        }
        self.write(|doc| {
            doc.splice_text(obj, pos, delete as isize, &insert)?;
            Ok(())
        })?;
        Ok(Some((pos, delete, insert)))
    }

    pub(crate) fn splice_obj(
        &mut self,
        obj: &ObjId,
        pos: usize,
        delete: usize,
        insert: &str,
    ) -> Result<()> {
        let len = self.doc.length(obj);
        let pos = pos.min(len);
        let delete = delete.min(len - pos);
        if delete == 0 && insert.is_empty() {
            return Ok(());
        }
        let delete = isize::try_from(delete).unwrap_or(isize::MAX);
        self.write(|doc| {
            doc.splice_text(obj, pos, delete, insert)?;
            Ok(())
        })
    }

    /// Runs one user action as one Automerge change: committed when it succeeds, rolled back
    /// entirely when any step fails, so a half-done action never reaches other replicas.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&mut AutoCommit) -> Result<T>) -> Result<T> {
        self.commit_pending();
        let register = self.unregistered;
        let input = self.unrecorded_input.clone();
        let registered = match register {
            Some(role) => self.register_actor(role),
            None => Ok(()),
        }
        .and_then(|()| match &input {
            Some((field, mode)) => self.record_input(field, *mode),
            None => Ok(()),
        });
        let ops_before = self.doc.pending_ops();
        match registered.and_then(|()| f(&mut self.doc)) {
            Ok(value) if self.doc.pending_ops() == ops_before => {
                // Nothing written: no change, not even the registration.
                self.doc.rollback();
                Ok(value)
            }
            Ok(value) => {
                self.commit_pending();
                if register.is_some() {
                    self.acting = register;
                    self.unregistered = None;
                }
                if let Some((field, _)) = input {
                    self.unrecorded_input = None;
                    self.recorded_input = Some(field);
                }
                Ok(value)
            }
            Err(e) => {
                self.doc.rollback();
                Err(e)
            }
        }
    }

    /// Commits whatever is pending (also what a caller did through [`Report::doc_mut`]).
    pub(crate) fn commit_pending(&mut self) {
        if self.doc.pending_ops() == 0 {
            return;
        }
        let mut options = CommitOptions::default();
        if let Some(ms) = self.now_ms {
            options.set_time(ms.div_euclid(1000));
        }
        self.doc.commit_with(options);
    }

    /// After bytes from elsewhere were taken in: if they belonged to another report (the root
    /// now holds two ids or two templates), go back to the state before and refuse them.
    fn ensure_own_report(&mut self, before: &[ChangeHash]) -> Result<()> {
        let single = |k: &str| {
            self.doc
                .get_all(ROOT, k)
                .map(|v| v.len() == 1)
                .unwrap_or(false)
        };
        if [
            key::REPORT_ID,
            key::TEMPLATE,
            key::FIELDS,
            key::GOALS,
            key::SCHEMA,
        ]
        .iter()
        .all(|k| single(k))
        {
            return Ok(());
        }
        self.restore(before);
        Err(foreign())
    }

    /// Goes back to the document at `before`, keeping this replica's actor.
    fn restore(&mut self, before: &[ChangeHash]) {
        self.acting = None;
        let actor = self.doc.get_actor().clone();
        if let Ok(restored) = self.doc.fork_at(before) {
            self.doc = restored.with_actor(actor);
        }
        self.trust.forget_seqs();
    }
}

/// Length of the actor ids this crate writes with.
pub const ACTOR_LEN: usize = 8;

/// A fresh actor for one replica's session: 8 random bytes instead of Automerge's 16.
///
/// Every change carries its actor, and every change that touches an object another actor
/// created (a keystroke into a field the report's creator laid out) carries that actor too:
/// 16 bytes of a keystroke's ≈ 125 on the wire. 64 random bits are enough for the actors of
/// one report — the chance that two of 10,000 sessions draw the same is below 3 · 10⁻¹².
/// Automerge's own generator (a UUID v4 from the system's RNG) is the source; its two halves
/// are folded into one, so the UUID's fixed version and variant bits cost no randomness.
pub(crate) fn session_actor() -> automerge::ActorId {
    let full = automerge::ActorId::random();
    let bytes = full.to_bytes();
    let mut short = [0u8; ACTOR_LEN];
    for (i, b) in short.iter_mut().enumerate() {
        *b = bytes.get(i).copied().unwrap_or(0) ^ bytes.get(i + ACTOR_LEN).copied().unwrap_or(0);
    }
    automerge::ActorId::from(&short[..])
}

/// Whether a value of kind `from` can start a field of kind `to`: text into text (one line or
/// several), and otherwise the same kind.
fn carry_compatible(from: &FieldKind, to: &FieldKind) -> bool {
    use FieldKind::*;
    matches!(
        (from, to),
        (ShortText | LongText, ShortText | LongText)
            | (Date { .. }, Date { .. })
            | (DateRange, DateRange)
            | (Choice { .. }, Choice { .. })
    )
}

fn foreign() -> ModelError {
    ModelError::NotAReport("Die Änderungen gehören zu einem anderen Bericht.".into())
}

/// Sets or clears a scalar. Writes nothing when the value is already the only one, but does
/// write when it is one of several concurrent values: setting again is how a conflict is
/// resolved.
pub(crate) fn write_scalar(
    doc: &mut AutoCommit,
    obj: &ObjId,
    key: &str,
    value: Option<String>,
) -> Result<()> {
    let current: Vec<Option<String>> = doc
        .get_all(obj, key)?
        .iter()
        .map(|(v, _)| scalar_text(v))
        .collect();
    match value {
        Some(value) => {
            if current.len() == 1 && current[0].as_deref() == Some(value.as_str()) {
                return Ok(());
            }
            doc.put(obj, key, value)?;
        }
        None => {
            if !current.is_empty() {
                doc.delete(obj, key)?;
            }
        }
    }
    Ok(())
}

/// Checks that a loaded document is a report this build can work with, and returns its
/// embedded template.
fn check_layout(doc: &AutoCommit) -> Result<Template> {
    let not_a_report = |m: &str| ModelError::NotAReport(m.to_string());
    let single = |k: &str| doc.get_all(ROOT, k).map(|v| v.len()).unwrap_or(0) == 1;
    let schema = match doc.get(ROOT, key::SCHEMA) {
        Ok(Some((value, _))) => value
            .as_u64()
            .or_else(|| value.as_i64().and_then(|v| u64::try_from(v).ok())),
        _ => None,
    };
    let Some(schema) = schema else {
        return Err(not_a_report("Es fehlt die Angabe des Dokumentformats."));
    };
    if schema > SCHEMA {
        return Err(ModelError::NotAReport(format!(
            "Der Bericht stammt aus einer neueren Version (Format {schema}). Bitte die App aktualisieren."
        )));
    }
    if schema < 1 {
        return Err(not_a_report("Unbekanntes Dokumentformat."));
    }
    for k in [
        key::SCHEMA,
        key::REPORT_ID,
        key::TEMPLATE,
        key::FIELDS,
        key::GOALS,
    ] {
        if !single(k) {
            return Err(ModelError::NotAReport(format!(
                "„{k}“ fehlt oder ist mehrfach vorhanden."
            )));
        }
    }
    match doc.get(ROOT, key::REPORT_ID) {
        Ok(Some((value, _))) if value.as_str().is_some() => {}
        _ => return Err(not_a_report("Die Berichts-ID fehlt.")),
    }
    let json = match doc.get(ROOT, key::TEMPLATE) {
        Ok(Some((value, _))) => value.as_str().map(str::to_string),
        _ => None,
    }
    .ok_or_else(|| not_a_report("Die Vorlage fehlt."))?;
    let template = Template::from_json(&json).map_err(|e| {
        ModelError::NotAReport(format!("Die eingebettete Vorlage ist fehlerhaft: {e}"))
    })?;
    let object = |parent: &ObjId, k: &str, typ: ObjType| match doc.get(parent, k) {
        Ok(Some((Value::Object(t), id))) if t == typ => Some(id),
        _ => None,
    };
    let fields = object(&ROOT, key::FIELDS, ObjType::Map)
        .ok_or_else(|| not_a_report("„fields“ ist keine Tabelle."))?;
    object(&ROOT, key::GOALS, ObjType::Map)
        .ok_or_else(|| not_a_report("„goals“ ist keine Tabelle."))?;
    for field in template.fields() {
        let ok = match field.kind {
            FieldKind::ShortText | FieldKind::LongText => {
                object(&fields, &field.id, ObjType::Text).is_some()
            }
            FieldKind::DateRange => object(&fields, &field.id, ObjType::Map).is_some(),
            FieldKind::Signature { .. } => object(&fields, &field.id, ObjType::Map)
                .and_then(|line| object(&line, key::NAME, ObjType::Text))
                .is_some(),
            FieldKind::Date { .. } | FieldKind::Choice { .. } | FieldKind::Goals { .. } => true,
        };
        if !ok {
            return Err(ModelError::NotAReport(format!(
                "Das Feld „{}“ fehlt oder hat die falsche Art.",
                field.id
            )));
        }
    }
    Ok(template)
}
