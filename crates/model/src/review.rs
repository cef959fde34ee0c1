//! The caseworker's review: remarks anchored to a field or a goal ("Rückfrage"), the
//! provider's answers, and the record that the authority accepted the report.
//!
//! A remark is a small conversation with a fixed shape, not a text several people write at
//! once: the caseworker asks (`text`), the provider answers (`answer`), the caseworker marks
//! it done or opens it again. Each step is a few scalars in one map, so its author is the
//! change's author as the gate verified it, and its date is written beside it; the whole
//! thread is in the change graph like every other edit. The rules in `trust/rules.rs` hold
//! every device to the same roles: only a caseworker asks, closes and accepts, only the
//! provider answers, and the person supported and a guardian read.
//!
//! Stored in the root map `review` (one map per remark, keyed by an id unique to the writing
//! actor). Two devices that ask the first question of a report at the same time each create
//! that map; as with `missing_help`, every concurrent `review` map is read, so no remark is
//! lost to the conflict.
//!
//! "Bericht angenommen" is the root map `acceptance`: the day, the caseworker's key and the
//! document heads it covers. Content changed after the acceptance is named (the status shows
//! it), as a signature names what changed after signing; the acceptance itself stays, because
//! taking it back is the caseworker's decision, not a side effect of somebody's edit.

use automerge::transaction::Transactable;
use automerge::{ChangeHash, ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT};

use crate::bytes::hex;
use crate::report::key;
use crate::{Date, ModelError, Report, Result, Role};

/// Longest remark: a question, not a report.
pub const MAX_REMARK_CHARS: usize = 2_000;
/// Longest answer.
pub const MAX_ANSWER_CHARS: usize = 4_000;
/// Longest remark id (the writer's actor and a counter).
pub(crate) const MAX_REMARK_ID: usize = 80;
/// At most this many heads in an acceptance record (a document has a handful).
pub(crate) const MAX_ACCEPTED_HEADS: usize = 64;

/// Keys of a remark's map and of the acceptance record.
pub(crate) mod part {
    pub const ANCHOR: &str = "anchor";
    pub const TEXT: &str = "text";
    pub const BY: &str = "by";
    pub const ASKED: &str = "asked";
    pub const ANSWER: &str = "answer";
    pub const ANSWERED: &str = "answered";
    pub const ANSWERED_BY: &str = "answered_by";
    pub const STATE: &str = "state";
    pub const CLOSED: &str = "closed";
    pub const HEADS: &str = "heads";
}

/// What a remark is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Anchor {
    /// A field of the template, by id.
    Field(String),
    /// A goal, by id.
    Goal(String),
}

impl Anchor {
    /// As stored: `field:<id>` or `goal:<id>`.
    pub fn code(&self) -> String {
        match self {
            Anchor::Field(id) => format!("field:{id}"),
            Anchor::Goal(id) => format!("goal:{id}"),
        }
    }

    pub fn parse(code: &str) -> Option<Anchor> {
        let (kind, id) = code.split_once(':')?;
        if id.is_empty() || id.len() > MAX_REMARK_ID {
            return None;
        }
        match kind {
            "field" => Some(Anchor::Field(id.to_string())),
            "goal" => Some(Anchor::Goal(id.to_string())),
            _ => None,
        }
    }
}

/// Where a remark stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RemarkState {
    /// Asked, waiting for the provider.
    Open,
    /// The provider answered; the caseworker has not closed it.
    Answered,
    /// Closed by the caseworker.
    Done,
}

impl RemarkState {
    pub const ALL: [RemarkState; 3] = [RemarkState::Open, RemarkState::Answered, RemarkState::Done];

    pub fn code(self) -> &'static str {
        match self {
            RemarkState::Open => "offen",
            RemarkState::Answered => "beantwortet",
            RemarkState::Done => "erledigt",
        }
    }

    pub fn from_code(code: &str) -> Option<RemarkState> {
        RemarkState::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        self.code()
    }
}

/// One remark with its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remark {
    /// Unique in the report, the same on every replica.
    pub id: String,
    pub anchor: Anchor,
    pub text: String,
    /// The caseworker's key (hex) when the report has keys.
    pub by: Option<String>,
    pub asked: Option<Date>,
    pub answer: String,
    pub answered: Option<Date>,
    pub answered_by: Option<String>,
    pub state: RemarkState,
    pub closed: Option<Date>,
}

/// One step of a remark, for a field's history: the day, who, what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemarkStep {
    pub date: Option<Date>,
    pub role: Role,
    /// "Rückfrage gestellt", "beantwortet", "erledigt".
    pub what: &'static str,
}

impl Remark {
    /// The steps the remark went through, in order. A reopened remark has no "erledigt" (its
    /// closing day is deleted when it is opened again).
    pub fn steps(&self) -> Vec<RemarkStep> {
        let mut steps = vec![RemarkStep {
            date: self.asked,
            role: Role::Caseworker,
            what: "Rückfrage gestellt",
        }];
        if !self.answer.is_empty() {
            steps.push(RemarkStep {
                date: self.answered,
                role: Role::Provider,
                what: "beantwortet",
            });
        }
        if self.state == RemarkState::Done {
            steps.push(RemarkStep {
                date: self.closed,
                role: Role::Caseworker,
                what: "erledigt",
            });
        }
        steps
    }
}

/// [`Report::acceptance`]'s last comparison: the document state, the accepted heads, and the
/// fields changed since (`None`: the accepted version is not here).
pub(crate) type ChangesCache =
    std::cell::RefCell<Option<((u64, usize), (Vec<ChangeHash>, Option<Vec<String>>))>>;

/// How many remarks stand where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReviewCount {
    pub open: usize,
    pub answered: usize,
    pub done: usize,
}

impl ReviewCount {
    /// Remarks still in the review (open or answered, not yet closed).
    pub fn pending(&self) -> usize {
        self.open + self.answered
    }
}

/// "Bericht angenommen".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    pub date: Date,
    /// The caseworker's key (hex) when the report has keys.
    pub by: Option<String>,
    /// Template field ids whose content differs from what was accepted, in template order.
    /// `None`: the accepted version is not on this device (yet), so nothing can be compared.
    pub changed: Option<Vec<String>>,
}

impl Report {
    /// Every remark, oldest question first (ties by id, the same order on every replica).
    pub fn remarks(&self) -> Vec<Remark> {
        let mut out: Vec<Remark> = self
            .review_maps()
            .into_iter()
            .flat_map(|map| {
                self.doc
                    .keys(&map)
                    .filter_map(|id| {
                        let obj = self.child(&map, &id, ObjType::Map)?;
                        self.read_remark(id, &obj)
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        out.sort_by(|a, b| (a.asked, &a.id).cmp(&(b.asked, &b.id)));
        out.dedup_by(|a, b| a.id == b.id);
        out
    }

    /// The remarks on one field or goal.
    pub fn remarks_on(&self, anchor: &Anchor) -> Vec<Remark> {
        self.remarks()
            .into_iter()
            .filter(|r| &r.anchor == anchor)
            .collect()
    }

    /// How many remarks are open, answered and done.
    pub fn review_count(&self) -> ReviewCount {
        let mut count = ReviewCount::default();
        for r in self.remarks() {
            match r.state {
                RemarkState::Open => count.open += 1,
                RemarkState::Answered => count.answered += 1,
                RemarkState::Done => count.done += 1,
            }
        }
        count
    }

    /// Asks a question about a field or goal ("Rückfrage"). Returns the remark's id.
    pub fn add_remark(
        &mut self,
        role: Role,
        anchor: &Anchor,
        text: &str,
        date: Date,
    ) -> Result<String> {
        let text = check_remark(self, role, anchor, text)?;
        self.act_as(role)?;
        self.commit_pending();
        let actor = self.actor_hex();
        let taken: Vec<String> = self.remarks().into_iter().map(|r| r.id).collect();
        let mut n = self.change_count();
        let mut id = remark_id(&actor, n);
        while taken.contains(&id) {
            n += 1;
            id = remark_id(&actor, n);
        }
        let by = self.key_for(role).map(|k| hex(&k));
        let anchor = anchor.code();
        let written = id.clone();
        self.write(|doc| {
            // Into the map that wins the key (the others are read, not written).
            let map = match doc.get(ROOT, key::REVIEW)? {
                Some((Value::Object(ObjType::Map), map)) => map,
                _ => doc.put_object(ROOT, key::REVIEW, ObjType::Map)?,
            };
            let remark = doc.put_object(&map, written.as_str(), ObjType::Map)?;
            doc.put(&remark, part::ANCHOR, anchor)?;
            doc.put(&remark, part::TEXT, text)?;
            if let Some(by) = by {
                doc.put(&remark, part::BY, by)?;
            }
            doc.put(&remark, part::ASKED, date.iso())?;
            doc.put(&remark, part::STATE, RemarkState::Open.code())?;
            Ok(())
        })?;
        Ok(id)
    }

    /// The provider's answer to remark `id`; answering again replaces the answer.
    pub fn answer_remark(&mut self, role: Role, id: &str, answer: &str, date: Date) -> Result<()> {
        if role != Role::Provider {
            return Err(refused(format!(
                "Nur die Einrichtung kann Rückfragen beantworten (Sie schreiben als {}).",
                role.label()
            )));
        }
        let answer = answer.trim();
        if answer.is_empty() {
            return Err(refused("Bitte eine Antwort schreiben.".to_string()));
        }
        if answer.chars().count() > MAX_ANSWER_CHARS {
            return Err(refused(format!(
                "Eine Antwort hat höchstens {MAX_ANSWER_CHARS} Zeichen."
            )));
        }
        let remark = self.remark_obj(id)?;
        let by = self.key_for(role).map(|k| hex(&k));
        self.act_as(role)?;
        self.write(|doc| {
            doc.put(&remark, part::ANSWER, answer)?;
            doc.put(&remark, part::ANSWERED, date.iso())?;
            if let Some(by) = by {
                doc.put(&remark, part::ANSWERED_BY, by)?;
            }
            doc.put(&remark, part::STATE, RemarkState::Answered.code())?;
            Ok(())
        })
    }

    /// Marks remark `id` done (the caseworker is satisfied).
    pub fn close_remark(&mut self, role: Role, id: &str, date: Date) -> Result<()> {
        check_caseworker(role, "Rückfragen erledigen")?;
        let remark = self.remark_obj(id)?;
        self.act_as(role)?;
        self.write(|doc| {
            doc.put(&remark, part::STATE, RemarkState::Done.code())?;
            doc.put(&remark, part::CLOSED, date.iso())?;
            Ok(())
        })
    }

    /// Opens remark `id` again (the answer was not enough, or it was closed by mistake).
    pub fn reopen_remark(&mut self, role: Role, id: &str) -> Result<()> {
        check_caseworker(role, "Rückfragen wieder öffnen")?;
        let remark = self.remark_obj(id)?;
        let state = if self.read_scalar(&remark, part::ANSWER).is_some() {
            RemarkState::Answered
        } else {
            RemarkState::Open
        };
        self.act_as(role)?;
        self.write(|doc| {
            doc.put(&remark, part::STATE, state.code())?;
            doc.delete(&remark, part::CLOSED)?;
            Ok(())
        })
    }

    /// Takes remark `id` back as a whole (asked by mistake).
    pub fn withdraw_remark(&mut self, role: Role, id: &str) -> Result<()> {
        check_caseworker(role, "Rückfragen zurücknehmen")?;
        let found = self.review_maps().into_iter().find(|map| {
            matches!(
                self.doc.get(map, id),
                Ok(Some((Value::Object(ObjType::Map), _)))
            )
        });
        let Some(map) = found else {
            return Err(gone());
        };
        self.act_as(role)?;
        self.write(|doc| {
            doc.delete(&map, id)?;
            Ok(())
        })
    }

    /// The recorded acceptance, if any; a damaged record (no date) counts as none.
    pub fn acceptance(&self) -> Option<Acceptance> {
        let obj = self.child(&ROOT, key::ACCEPTANCE, ObjType::Map)?;
        let date = self.read_date(&obj, key::DATE)?;
        let heads = match self.doc.get(&obj, part::HEADS) {
            Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                ScalarValue::Bytes(b) => decode_heads(b),
                _ => None,
            },
            _ => None,
        };
        // Comparing every field with the accepted version costs as much as verifying a
        // signature, and the review panel asks after every keystroke: kept per document state
        // (see `Report::verify_signatures`).
        let state = (self.doc.stats().num_changes, self.doc.pending_ops());
        let cached = match self.accepted_changes.borrow().as_ref() {
            Some((at, (h, changed))) if *at == state && Some(h) == heads.as_ref() => {
                Some(changed.clone())
            }
            _ => None,
        };
        let changed = match cached {
            Some(changed) => changed,
            None => {
                let changed = heads
                    .as_ref()
                    .filter(|h| h.iter().all(|hash| self.has_change(hash)))
                    .map(|h| self.content_changed_since(h));
                if let Some(h) = &heads {
                    *self.accepted_changes.borrow_mut() =
                        Some((state, (h.clone(), changed.clone())));
                }
                changed
            }
        };
        Some(Acceptance {
            date,
            by: self.read_scalar(&obj, part::BY),
            changed,
        })
    }

    /// Records that the authority accepted the report on `date`, for the report as it is now.
    /// Refused while remarks wait for an answer or for the caseworker; records the
    /// submission too when nobody did (an accepted report has reached the authority).
    pub fn accept(&mut self, role: Role, date: Date) -> Result<()> {
        self.check_acceptance(role)?;
        let by = self.key_for(role).map(|k| hex(&k));
        let submitted = self.submission().is_some();
        self.act_as(role)?;
        self.commit_pending();
        let heads = encode_heads(&self.doc.get_heads());
        self.write(|doc| {
            let obj = doc.put_object(ROOT, key::ACCEPTANCE, ObjType::Map)?;
            doc.put(&obj, key::DATE, date.iso())?;
            doc.put(&obj, key::ROLE, role.as_str())?;
            if let Some(by) = by {
                doc.put(&obj, part::BY, by)?;
            }
            doc.put(&obj, part::HEADS, ScalarValue::Bytes(heads))?;
            if !submitted {
                let sub = doc.put_object(ROOT, key::SUBMISSION, ObjType::Map)?;
                doc.put(&sub, key::DATE, date.iso())?;
                doc.put(&sub, key::ROLE, role.as_str())?;
            }
            Ok(())
        })
    }

    /// Whether `role` may accept the report now: what [`Report::accept`] checks, for a form
    /// that wants to say why before it tries.
    pub fn check_acceptance(&self, role: Role) -> Result<()> {
        check_caseworker(role, "den Bericht annehmen")?;
        let pending = self.review_count().pending();
        if pending > 0 {
            return Err(refused(format!(
                "Es gibt noch {pending} offene Rückfrage{}. Bitte sie zuerst erledigen oder zurücknehmen.",
                if pending == 1 { "" } else { "n" },
            )));
        }
        Ok(())
    }

    /// Takes the acceptance back (recorded by mistake, or the report needs another round).
    pub fn withdraw_acceptance(&mut self, role: Role) -> Result<()> {
        check_caseworker(role, "die Annahme zurücknehmen")?;
        if self.child(&ROOT, key::ACCEPTANCE, ObjType::Map).is_none() {
            return Ok(());
        }
        self.act_as(role)?;
        self.write(|doc| {
            doc.delete(ROOT, key::ACCEPTANCE)?;
            Ok(())
        })
    }

    /// The name a member's record gives for `key_hex` (who asked or answered), when the
    /// report has memberships and the name is not empty.
    pub fn member_name(&self, key_hex: &str) -> Option<String> {
        self.roster()
            .members()
            .into_iter()
            .find(|m| hex(&m.key) == key_hex)
            .map(|m| m.name)
            .filter(|n| !n.trim().is_empty())
    }

    // ---- internals --------------------------------------------------------------------

    /// Every map stored under `review` (see the module documentation), in one order on every
    /// replica.
    fn review_maps(&self) -> Vec<ObjId> {
        let mut maps: Vec<ObjId> = match self.doc.get_all(ROOT, key::REVIEW) {
            Ok(all) => all
                .into_iter()
                .filter(|(v, _)| matches!(v, Value::Object(ObjType::Map)))
                .map(|(_, id)| id)
                .collect(),
            Err(_) => Vec::new(),
        };
        maps.sort_by_key(|id| id.to_string());
        maps
    }

    fn remark_obj(&self, id: &str) -> Result<ObjId> {
        self.review_maps()
            .into_iter()
            .find_map(|map| match self.doc.get(&map, id) {
                Ok(Some((Value::Object(ObjType::Map), obj))) => Some(obj),
                _ => None,
            })
            .ok_or_else(gone)
    }

    /// A remark as stored; `None` for a map this build cannot read (no anchor or question).
    fn read_remark(&self, id: String, obj: &ObjId) -> Option<Remark> {
        let anchor = self
            .read_scalar(obj, part::ANCHOR)
            .and_then(|a| Anchor::parse(&a))?;
        let text = self.read_scalar(obj, part::TEXT)?;
        let answer = self.read_scalar(obj, part::ANSWER).unwrap_or_default();
        let state = self
            .read_scalar(obj, part::STATE)
            .and_then(|s| RemarkState::from_code(&s))
            .unwrap_or(if answer.is_empty() {
                RemarkState::Open
            } else {
                RemarkState::Answered
            });
        Some(Remark {
            id,
            anchor,
            text,
            by: self.read_scalar(obj, part::BY),
            asked: self.read_date(obj, part::ASKED),
            answer,
            answered: self.read_date(obj, part::ANSWERED),
            answered_by: self.read_scalar(obj, part::ANSWERED_BY),
            state,
            closed: self.read_date(obj, part::CLOSED),
        })
    }
}

/// Whether `role` may ask `text` about `anchor`; the text as it would be stored (trimmed).
/// What [`Report::add_remark`] checks, for a form that wants to keep its input when refused.
pub fn check_remark<'a>(
    report: &Report,
    role: Role,
    anchor: &Anchor,
    text: &'a str,
) -> Result<&'a str> {
    check_caseworker(role, "Rückfragen stellen")?;
    let known = match anchor {
        Anchor::Field(id) => report.template().field(id).is_some(),
        Anchor::Goal(id) => report.goals().iter().any(|g| &g.id == id),
    };
    if !known {
        return Err(gone());
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(refused("Bitte die Rückfrage schreiben.".to_string()));
    }
    if text.chars().count() > MAX_REMARK_CHARS {
        return Err(refused(format!(
            "Eine Rückfrage hat höchstens {MAX_REMARK_CHARS} Zeichen."
        )));
    }
    Ok(text)
}

fn remark_id(actor: &str, n: u64) -> String {
    // The actor's first 32 hex digits are unique enough among a report's writers and keep
    // the id short.
    let short: String = actor.chars().take(32).collect();
    format!("{short}-r{n}")
}

fn encode_heads(heads: &[ChangeHash]) -> Vec<u8> {
    heads.iter().flat_map(|h| h.0).collect()
}

/// Heads as stored; `None` for bytes that are not a whole number of hashes.
pub(crate) fn decode_heads(bytes: &[u8]) -> Option<Vec<ChangeHash>> {
    if bytes.is_empty() || !bytes.len().is_multiple_of(32) || bytes.len() / 32 > MAX_ACCEPTED_HEADS
    {
        return None;
    }
    bytes
        .chunks(32)
        .map(|c| <[u8; 32]>::try_from(c).ok().map(ChangeHash))
        .collect()
}

fn check_caseworker(role: Role, what: &str) -> Result<()> {
    if role == Role::Caseworker {
        Ok(())
    } else {
        Err(refused(format!(
            "Nur der Leistungsträger kann {what} (Sie schreiben als {}).",
            role.label()
        )))
    }
}

fn refused(message: String) -> ModelError {
    ModelError::Workflow(message)
}

fn gone() -> ModelError {
    refused("Diese Rückfrage oder das Feld dazu gibt es nicht mehr.".to_string())
}
