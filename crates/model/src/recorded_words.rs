//! The person's words written down by staff: "gesagt von … · aufgeschrieben von …".
//!
//! In a closing conversation the person supported often speaks and a member of staff writes
//! (seed 002). Until now the only honest place for the person's words was the own-words
//! field, which only the beneficiary's role writes — so staff had to pretend to be the person.
//! A recording is its own small record beside that field instead:
//!
//! - a member of staff who may edit the field makes it and writes the words; nobody else
//!   changes them (the record names the writer's key, and every device checks the writer
//!   against that key as the document stood when the change was made);
//! - the person hears them read aloud and confirms ("Ja, so habe ich das gesagt"): the
//!   confirmation is written in the beneficiary's role and keeps a copy of exactly the words
//!   confirmed, the day and the confirming key;
//! - after the confirmation nobody changes or removes the recording: every device refuses a
//!   change built on the confirmation (`trust/gate.rs` reads the recording at the change's
//!   dependencies). A change made concurrently with the confirmation cannot know of it and is
//!   kept; the copy then still says what the person confirmed, and the difference is named.
//!
//! Layout: `own_words.<field>.said:<actor>-<n> = { text: Text, role, by, at, confirmed_text,
//! confirmed_by, confirmed_at }` (the id starts with the writing actor, so two devices never
//! pick the same one).

use automerge::transaction::Transactable;
use automerge::{ChangeHash, ObjId, ObjType, ReadDoc, Value, ROOT};

use crate::bytes::hex;
use crate::report::key;
use crate::{Date, ModelError, Report, Result, Role};

/// Longest recording: what a person says about one field, not a book.
pub const MAX_RECORDED_CHARS: usize = 20_000;

/// Key prefix of a recording in an own-words field's map.
pub(crate) const PREFIX: &str = "said:";

/// Keys of a recording's map.
pub(crate) mod part {
    pub const TEXT: &str = "text";
    pub const ROLE: &str = "role";
    pub const BY: &str = "by";
    pub const AT: &str = "at";
    pub const CONFIRMED_TEXT: &str = "confirmed_text";
    pub const CONFIRMED_BY: &str = "confirmed_by";
    pub const CONFIRMED_AT: &str = "confirmed_at";
}

/// The person's words as a member of staff wrote them down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedWords {
    /// Unique in the field, the same on every replica (`<actor>-<n>`).
    pub id: String,
    pub text: String,
    /// The role the words were written down in.
    pub role: Role,
    /// The writer's key (hex) when the report has keys.
    pub by: Option<String>,
    pub at: Option<Date>,
    pub confirmation: Option<Confirmation>,
}

/// "Ja, so habe ich das gesagt."
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// Exactly the words confirmed.
    pub text: String,
    /// The confirming key (hex) when the report has keys.
    pub by: Option<String>,
    pub at: Option<Date>,
}

impl RecordedWords {
    /// The words that count: the confirmed ones once confirmed.
    pub fn words(&self) -> &str {
        match &self.confirmation {
            Some(c) => &c.text,
            None => &self.text,
        }
    }

    /// The text differs from what the person confirmed (only a change made at the same time
    /// as the confirmation can do that: later ones are refused).
    pub fn changed_since_confirmation(&self) -> bool {
        self.confirmation
            .as_ref()
            .is_some_and(|c| c.text != self.text)
    }
}

/// A recording as the gate sees it at a change's dependencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Recorded {
    /// It exists: who wrote it and whether the person confirmed it.
    Existing { by: Option<String>, confirmed: bool },
    /// The change being judged makes it.
    MadeHere,
    /// Neither.
    Absent,
}

/// The recording id in an own-words map key, when it is one another device may create.
pub(crate) fn recording_id(own_words_key: &str) -> Option<&str> {
    own_words_key.strip_prefix(PREFIX).filter(|id| {
        !id.is_empty()
            && id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    })
}

/// The actor an id was made by (its part before the last `-`).
pub(crate) fn maker_of(id: &str) -> Option<&str> {
    id.rsplit_once('-').map(|(actor, _)| actor)
}

/// Where a recording stood at `heads` (`None`: now), for the gate.
pub(crate) fn recorded_at(
    doc: &automerge::AutoCommit,
    field: &str,
    id: &str,
    heads: Option<&[ChangeHash]>,
) -> Recorded {
    let child = |parent: &ObjId, k: &str| -> Option<ObjId> {
        let got = match heads {
            Some(h) => doc.get_at(parent, k, h),
            None => doc.get(parent, k),
        };
        match got {
            Ok(Some((Value::Object(ObjType::Map), obj))) => Some(obj),
            _ => None,
        }
    };
    let scalar = |obj: &ObjId, k: &str| -> Option<String> {
        let got = match heads {
            Some(h) => doc.get_at(obj, k, h),
            None => doc.get(obj, k),
        };
        match got {
            Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                automerge::ScalarValue::Str(v) => Some(v.to_string()),
                _ => None,
            },
            _ => None,
        }
    };
    let item = child(&ROOT, key::OWN_WORDS)
        .and_then(|all| child(&all, field))
        .and_then(|f| child(&f, &format!("{PREFIX}{id}")));
    match item {
        Some(obj) => Recorded::Existing {
            by: scalar(&obj, part::BY),
            confirmed: scalar(&obj, part::CONFIRMED_TEXT).is_some(),
        },
        None => Recorded::Absent,
    }
}

impl Report {
    /// The recordings of an own-words field, oldest first (one order everywhere).
    pub fn recorded_words(&self, field: &str) -> Vec<RecordedWords> {
        let Some(map) = self.own_words_obj(field) else {
            return Vec::new();
        };
        let mut out: Vec<RecordedWords> = self
            .doc
            .keys(&map)
            .filter_map(|k| {
                let id = recording_id(&k)?.to_string();
                let obj = self.child(&map, &k, ObjType::Map)?;
                self.read_recording(id, &obj)
            })
            .collect();
        // The counter after the actor grows with the document's history: within a day, the
        // order written (as far as the writers could know), the same on every replica.
        let counter = |w: &RecordedWords| -> u64 {
            w.id.rsplit_once('-')
                .and_then(|(_, n)| n.parse().ok())
                .unwrap_or(0)
        };
        out.sort_by(|a, b| (a.at, counter(a), &a.id).cmp(&(b.at, counter(b), &b.id)));
        out
    }

    /// Starts writing down what the person says in `field`, as a member of staff. Returns
    /// the recording's id.
    pub fn record_words(&mut self, role: Role, field: &str, date: Date) -> Result<String> {
        self.check_recorder(role, field)?;
        let map = self.own_words_obj(field).ok_or_else(|| {
            refused("Dieser Bericht ist älter als das Aufschreiben eigener Worte.".into())
        })?;
        self.act_as(role)?;
        self.commit_pending();
        let actor = self.actor_hex();
        let mut n = self.change_count();
        let mut id = format!("{actor}-{n}");
        while self
            .child(&map, &format!("{PREFIX}{id}"), ObjType::Map)
            .is_some()
        {
            n += 1;
            id = format!("{actor}-{n}");
        }
        let by = self.key_for(role).map(|k| hex(&k));
        let item_key = format!("{PREFIX}{id}");
        self.write(|doc| {
            let item = doc.put_object(&map, item_key.as_str(), ObjType::Map)?;
            doc.put_object(&item, part::TEXT, ObjType::Text)?;
            doc.put(&item, part::ROLE, role.as_str())?;
            if let Some(by) = by {
                doc.put(&item, part::BY, by)?;
            }
            doc.put(&item, part::AT, date.iso())?;
            Ok(())
        })?;
        Ok(id)
    }

    /// The words of recording `id`, as its writer types them.
    pub fn set_recorded_text(
        &mut self,
        role: Role,
        field: &str,
        id: &str,
        text: &str,
    ) -> Result<()> {
        if text.chars().count() > MAX_RECORDED_CHARS {
            return Err(refused(format!(
                "Aufgeschriebene Worte haben höchstens {MAX_RECORDED_CHARS} Zeichen."
            )));
        }
        let obj = self.changeable_recording(role, field, id)?;
        self.act_as(role)?;
        let text_obj = match self.child(&obj, part::TEXT, ObjType::Text) {
            Some(t) => t,
            None => return Err(gone()),
        };
        self.replace_text(&text_obj, text)
    }

    /// Removes recording `id` (only its writer, only before the person confirmed it).
    pub fn remove_recorded_words(&mut self, role: Role, field: &str, id: &str) -> Result<()> {
        self.changeable_recording(role, field, id)?;
        let map = self.own_words_obj(field).ok_or_else(gone)?;
        self.act_as(role)?;
        let item_key = format!("{PREFIX}{id}");
        self.write(|doc| {
            doc.delete(&map, item_key.as_str())?;
            Ok(())
        })
    }

    /// The person confirms the words as theirs ("Ja, so habe ich das gesagt"): a copy of the
    /// words, the day and the beneficiary's key go into the record.
    pub fn confirm_recorded_words(
        &mut self,
        role: Role,
        field: &str,
        id: &str,
        date: Date,
    ) -> Result<()> {
        if role != Role::Beneficiary {
            return Err(refused(format!(
                "Nur die Person selbst kann ihre Worte bestätigen (Sie schreiben als {}).",
                role.label()
            )));
        }
        let obj = self.recording_obj(field, id)?;
        let current = self.read_recording(id.to_string(), &obj).ok_or_else(gone)?;
        if current.text.trim().is_empty() {
            return Err(refused("Es ist noch nichts aufgeschrieben.".into()));
        }
        let by = self.key_for(role).map(|k| hex(&k));
        self.act_as(role)?;
        self.write(|doc| {
            doc.put(&obj, part::CONFIRMED_TEXT, current.text.as_str())?;
            if let Some(by) = by {
                doc.put(&obj, part::CONFIRMED_BY, by)?;
            }
            doc.put(&obj, part::CONFIRMED_AT, date.iso())?;
            Ok(())
        })
    }

    /// "gesagt von Kleinschmidt, Hanna · aufgeschrieben von Frau Träger (Einrichtung/Dienst)
    /// am 07.12.2026": one line for the screen, the print and the export.
    pub fn recorded_byline(&self, w: &RecordedWords) -> String {
        let writer = match self.recorded_writer(w) {
            Some(name) => format!("{name} ({})", w.role.label()),
            None => w.role.label().to_string(),
        };
        let on =
            w.at.map(|d| format!(" am {}", d.german()))
                .unwrap_or_default();
        format!(
            "gesagt von {} · aufgeschrieben von {writer}{on}",
            self.person_named()
        )
    }

    /// The writer's name as their membership gives it (`None` in a report without keys).
    pub fn recorded_writer(&self, w: &RecordedWords) -> Option<String> {
        w.by.as_deref().and_then(|k| self.member_name(k))
    }

    /// Whether `role` on this device may still change or remove recording `id` of `field`
    /// (its writer, before the person confirmed it).
    pub fn may_change_recorded(&self, role: Role, field: &str, id: &str) -> bool {
        self.changeable_recording(role, field, id).is_ok()
    }

    /// "Bestätigt von Kleinschmidt, Hanna am 08.12.2026" or "Noch nicht bestätigt".
    pub fn confirmation_line(&self, w: &RecordedWords) -> String {
        match &w.confirmation {
            Some(c) => {
                let on =
                    c.at.map(|d| format!(" am {}", d.german()))
                        .unwrap_or_default();
                format!("Bestätigt von {}{on}", self.person_named())
            }
            None => "Noch nicht bestätigt".to_string(),
        }
    }

    /// The person supported by name, or by role while the name is empty.
    pub fn person_named(&self) -> String {
        let name = self.title();
        if name.is_empty() {
            "der leistungsberechtigten Person".to_string()
        } else {
            name
        }
    }

    // ---- internals --------------------------------------------------------------------

    /// Whether `role` may write down the person's words in `field`: an own-words field and a
    /// role of staff that edits it.
    fn check_recorder(&self, role: Role, field: &str) -> Result<()> {
        let def = self.field_def(field)?;
        if !def.own_words {
            return Err(ModelError::UnknownField(format!(
                "{field} (keine eigenen Worte)"
            )));
        }
        if role == Role::Beneficiary || !def.editors.contains(&role) {
            return Err(ModelError::NotPermitted {
                field: format!("Aufgeschriebene Worte zu „{}“", def.label),
                role,
            });
        }
        Ok(())
    }

    /// Recording `id` when `role` may still change it: its writer, before the confirmation.
    fn changeable_recording(&self, role: Role, field: &str, id: &str) -> Result<ObjId> {
        self.check_recorder(role, field)?;
        let obj = self.recording_obj(field, id)?;
        let rec = self.read_recording(id.to_string(), &obj).ok_or_else(gone)?;
        if rec.confirmation.is_some() {
            return Err(refused(
                "Die Person hat diese Worte bestätigt. Niemand kann sie jetzt noch ändern.".into(),
            ));
        }
        let mine = self.key_for(role).map(|k| hex(&k));
        if rec.by != mine || (rec.by.is_none() && rec.role != role) {
            return Err(refused(
                "Nur wer die Worte aufgeschrieben hat, kann sie ändern.".into(),
            ));
        }
        Ok(obj)
    }

    fn recording_obj(&self, field: &str, id: &str) -> Result<ObjId> {
        self.own_words_obj(field)
            .and_then(|m| self.child(&m, &format!("{PREFIX}{id}"), ObjType::Map))
            .ok_or_else(gone)
    }

    fn read_recording(&self, id: String, obj: &ObjId) -> Option<RecordedWords> {
        let role = self
            .read_scalar(obj, part::ROLE)
            .and_then(|r| Role::parse(&r))?;
        let text = self
            .child(obj, part::TEXT, ObjType::Text)
            .and_then(|t| self.doc.text(&t).ok())
            .unwrap_or_default();
        let confirmation = self
            .read_scalar(obj, part::CONFIRMED_TEXT)
            .map(|text| Confirmation {
                text,
                by: self.read_scalar(obj, part::CONFIRMED_BY),
                at: self.read_date(obj, part::CONFIRMED_AT),
            });
        Some(RecordedWords {
            id,
            text,
            role,
            by: self.read_scalar(obj, part::BY),
            at: self.read_date(obj, part::AT),
            confirmation,
        })
    }
}

fn refused(message: String) -> ModelError {
    ModelError::Workflow(message)
}

fn gone() -> ModelError {
    refused("Diese aufgeschriebenen Worte gibt es nicht mehr.".to_string())
}
