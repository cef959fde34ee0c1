//! A goal's measures, each with who carries it out and by when (seed 001: "für jede Maßnahme:
//! wer, bis wann").
//!
//! A goal has always had one measure text with one "who" and one "by when" beside it, stored
//! in the goal's map (`measures`, `measures_by`, `measures_until`). That slot is the goal's
//! first measure, [`MAIN_MEASURE`]; every further measure is a map of its own under the key
//! `measure:<id>` in the same goal map (`pos`, `text`, `by`, `until`). So:
//!
//! - reports written before measures became a list read unchanged, with no migration that two
//!   devices could run at once;
//! - measures added on two devices at the same moment never meet in one container (each is its
//!   own key, its id carries the adding replica's actor), so neither is lost;
//! - a measure exists while its key does: removing one deletes it, emptying one does not, so a
//!   control never vanishes under the hands of someone who clears it to retype.
//!
//! Measures keep the order they were added in; the first measure comes first.

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ReadDoc};

use crate::report::{key, write_scalar};
use crate::{Date, ModelError, Report, Result, Role};

/// The longest "who carries it out" (a name or a service, not a text).
pub const MAX_MEASURES_BY: usize = 200;

/// A measure's id within its goal: [`MAIN_MEASURE`], or `<actor>-<n>` of the replica that
/// added it.
pub type MeasureId = String;

/// The id of a goal's first measure, the one stored in the goal's own map.
pub const MAIN_MEASURE: &str = "main";

/// The goal map's key prefix of every further measure.
pub(crate) const MEASURE_PREFIX: &str = "measure:";

/// One measure, as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Measure {
    pub id: MeasureId,
    /// What is done ("Einkaufstraining mit Begleitung").
    pub text: String,
    /// Who carries it out ("Frau Berger, Wohngruppe"); empty: not named.
    pub by: String,
    /// By when.
    pub until: Option<Date>,
}

impl Measure {
    /// Nothing written in it: it is shown to be filled in, but neither printed nor exported.
    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty() && self.by.trim().is_empty() && self.until.is_none()
    }

    /// "Frau Berger · bis 31.03.2027": who and by when in one line, empty if neither is set.
    pub fn who_and_when(&self) -> String {
        let by = self.by.trim();
        let until = self.until.map(|d| format!("bis {}", d.german()));
        [(!by.is_empty()).then(|| by.to_string()), until]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

impl Measure {
    /// "Einkaufstraining (Frau Berger, bis 31.03.2027)": the notation a Gesamtplan goal list
    /// uses (docs/templates.md), so a cell of the CSV reads like a line of such a list.
    pub fn listed(&self) -> String {
        let text = self.text.trim();
        let by = self.by.trim();
        let until = self.until.map(|d| format!("bis {}", d.german()));
        let inside = [(!by.is_empty()).then(|| by.to_string()), until]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        match (text.is_empty(), inside.is_empty()) {
            (_, true) => text.to_string(),
            (true, false) => format!("({inside})"),
            (false, false) => format!("{text} ({inside})"),
        }
    }
}

/// A measure to write with a new goal (continued or taken from a list).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeasureDraft {
    pub text: String,
    pub by: String,
    pub until: Option<Date>,
}

impl From<Measure> for MeasureDraft {
    fn from(m: Measure) -> Self {
        MeasureDraft {
            text: m.text,
            by: m.by,
            until: m.until,
        }
    }
}

/// The keys a measure's parts are stored under.
struct MeasureKeys {
    text: &'static str,
    by: &'static str,
    until: &'static str,
}

const MAIN_KEYS: MeasureKeys = MeasureKeys {
    text: key::MEASURES,
    by: key::MEASURES_BY,
    until: key::MEASURES_UNTIL,
};

const ITEM_KEYS: MeasureKeys = MeasureKeys {
    text: key::TEXT,
    by: key::BY,
    until: key::UNTIL,
};

/// The goal map's key of a further measure, `None` for the first (or an id that is not one).
pub(crate) fn item_key(measure: &str) -> Option<String> {
    (measure != MAIN_MEASURE).then(|| format!("{MEASURE_PREFIX}{measure}"))
}

/// Whether a key of the goal map holds a further measure, and which.
pub(crate) fn item_id(goal_key: &str) -> Option<&str> {
    goal_key
        .strip_prefix(MEASURE_PREFIX)
        .filter(|id| measure_id_ok(id))
}

/// An id another device may create: not the first measure's, short, printable.
pub(crate) fn measure_id_ok(id: &str) -> bool {
    !id.is_empty()
        && id != MAIN_MEASURE
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Report {
    /// A goal's measures in their order; the first one while it exists, then the others.
    pub(crate) fn measures_of(&self, goal: &ObjId) -> Vec<Measure> {
        let mut out = Vec::new();
        if let Some(text) = self.child(goal, key::MEASURES, ObjType::Text) {
            out.push(Measure {
                id: MAIN_MEASURE.to_string(),
                text: self.doc.text(&text).unwrap_or_default(),
                by: self.read_scalar(goal, key::MEASURES_BY).unwrap_or_default(),
                until: self.read_date(goal, key::MEASURES_UNTIL),
            });
        }
        let mut items: Vec<(f64, Measure)> = self
            .doc
            .keys(goal)
            .filter_map(|k| {
                let id = item_id(&k)?.to_string();
                let obj = self.child(goal, &k, ObjType::Map)?;
                Some((
                    self.position(&obj),
                    Measure {
                        text: self
                            .child(&obj, key::TEXT, ObjType::Text)
                            .and_then(|t| self.doc.text(&t).ok())
                            .unwrap_or_default(),
                        by: self.read_scalar(&obj, key::BY).unwrap_or_default(),
                        until: self.read_date(&obj, key::UNTIL),
                        id,
                    },
                ))
            })
            .collect();
        items.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
        out.extend(items.into_iter().map(|(_, m)| m));
        out
    }

    /// Adds an empty measure after the goal's others and returns its id.
    pub fn add_measure(&mut self, role: Role, goal: &str) -> Result<MeasureId> {
        self.begin_goal_edit(role)?;
        let obj = self.goal_obj(goal)?;
        self.commit_pending();
        let actor = self.actor_hex();
        let mut n = self.change_count();
        let mut id = format!("{actor}-{n}");
        while self
            .doc
            .get(&obj, format!("{MEASURE_PREFIX}{id}"))
            .ok()
            .flatten()
            .is_some()
        {
            n += 1;
            id = format!("{actor}-{n}");
        }
        let pos = self
            .doc
            .keys(&obj)
            .filter(|k| item_id(k).is_some())
            .filter_map(|k| self.child(&obj, &k, ObjType::Map))
            .map(|m| self.position(&m))
            .fold(0.0_f64, f64::max)
            .floor()
            + 1.0;
        let draft = MeasureDraft::default();
        self.write(|doc| put_item(doc, &obj, &id, pos, &draft))?;
        Ok(id)
    }

    /// Removes a measure with its text, who and by when.
    pub fn remove_measure(&mut self, role: Role, goal: &str, measure: &str) -> Result<()> {
        self.begin_goal_edit(role)?;
        let obj = self.measure_obj(goal, measure)?;
        let goal_obj = self.goal_obj(goal)?;
        self.write(|doc| {
            match item_key(measure) {
                Some(k) => doc.delete(&goal_obj, k.as_str())?,
                None => {
                    for k in [key::MEASURES, key::MEASURES_BY, key::MEASURES_UNTIL] {
                        if doc.get(&obj, k)?.is_some() {
                            doc.delete(&obj, k)?;
                        }
                    }
                }
            }
            Ok(())
        })
    }

    /// Who carries out a measure; blank clears it.
    pub fn set_measure_by(
        &mut self,
        role: Role,
        goal: &str,
        measure: &str,
        who: &str,
    ) -> Result<()> {
        let who = who.trim();
        check_measure_by(who)?;
        self.begin_goal_edit(role)?;
        let obj = self.measure_obj(goal, measure)?;
        let k = keys_of(measure).by;
        self.write(|doc| write_scalar(doc, &obj, k, (!who.is_empty()).then(|| who.to_string())))
    }

    /// By when a measure is carried out; `None` clears it.
    pub fn set_measure_until(
        &mut self,
        role: Role,
        goal: &str,
        measure: &str,
        day: Option<Date>,
    ) -> Result<()> {
        self.begin_goal_edit(role)?;
        let obj = self.measure_obj(goal, measure)?;
        let k = keys_of(measure).until;
        self.write(|doc| write_scalar(doc, &obj, k, day.map(|d| d.iso())))
    }

    /// Replaces a measure's text (typing goes through [`Report::splice_goal_text`]).
    pub fn set_measure_text(
        &mut self,
        role: Role,
        goal: &str,
        measure: &str,
        text: &str,
    ) -> Result<()> {
        self.begin_goal_edit(role)?;
        let obj = self.measure_text_object(goal, measure)?;
        self.replace_text(&obj, text)
    }

    /// The Automerge Text of a measure.
    pub(crate) fn measure_text_object(&self, goal: &str, measure: &str) -> Result<ObjId> {
        let obj = self.measure_obj(goal, measure)?;
        self.child(&obj, keys_of(measure).text, ObjType::Text)
            .ok_or(ModelError::UnknownGoal)
    }

    /// The map holding a measure's parts: the goal's own for the first measure.
    fn measure_obj(&self, goal: &str, measure: &str) -> Result<ObjId> {
        let goal_obj = self.goal_obj(goal)?;
        match item_key(measure) {
            Some(k) => self
                .child(&goal_obj, &k, ObjType::Map)
                .ok_or(ModelError::UnknownGoal),
            None if self
                .child(&goal_obj, key::MEASURES, ObjType::Text)
                .is_some() =>
            {
                Ok(goal_obj)
            }
            None => Err(ModelError::UnknownGoal),
        }
    }

    fn begin_goal_edit(&mut self, role: Role) -> Result<()> {
        let field_id = self.goals_field()?.0.id.clone();
        self.begin_edit(role, &field_id)
    }
}

fn keys_of(measure: &str) -> &'static MeasureKeys {
    if measure == MAIN_MEASURE {
        &MAIN_KEYS
    } else {
        &ITEM_KEYS
    }
}

/// Writes a new goal's measures: the first into the goal's own map (an empty one when there
/// is none, so a new goal offers a measure to fill in), the others as items.
pub(crate) fn put_measures(
    doc: &mut automerge::AutoCommit,
    goal: &ObjId,
    measures: &[MeasureDraft],
) -> Result<()> {
    let first = measures.first().cloned().unwrap_or_default();
    put_parts(doc, goal, &MAIN_KEYS, &first)?;
    for (i, m) in measures.iter().enumerate().skip(1) {
        put_item(doc, goal, &format!("c{i}"), i as f64, m)?;
    }
    Ok(())
}

fn put_item(
    doc: &mut automerge::AutoCommit,
    goal: &ObjId,
    id: &str,
    pos: f64,
    m: &MeasureDraft,
) -> Result<()> {
    let obj = doc.put_object(goal, format!("{MEASURE_PREFIX}{id}"), ObjType::Map)?;
    doc.put(&obj, key::POS, pos)?;
    put_parts(doc, &obj, &ITEM_KEYS, m)
}

fn put_parts(
    doc: &mut automerge::AutoCommit,
    obj: &ObjId,
    keys: &MeasureKeys,
    m: &MeasureDraft,
) -> Result<()> {
    let text = doc.put_object(obj, keys.text, ObjType::Text)?;
    doc.splice_text(&text, 0, 0, m.text.trim())?;
    let by = m.by.trim();
    if !by.is_empty() {
        doc.put(obj, keys.by, by)?;
    }
    if let Some(until) = m.until {
        doc.put(obj, keys.until, until.iso())?;
    }
    Ok(())
}

pub(crate) fn check_measure_by(who: &str) -> Result<()> {
    if who.chars().count() > MAX_MEASURES_BY {
        return Err(ModelError::Workflow(format!(
            "„Wer führt die Maßnahme durch?“ hat höchstens {MAX_MEASURES_BY} Zeichen."
        )));
    }
    Ok(())
}

/// Whether a stored "who" is acceptable (the trust rules' check, same as the setter's).
pub(crate) fn measure_by_ok(who: &str) -> bool {
    !who.trim().is_empty() && who.chars().count() <= MAX_MEASURES_BY
}
