//! "Fehlender Hilfebaustein": a kind of help the person needed that did not exist.
//!
//! The case-management concept (seed 001) asks that such a gap be passed "strukturiert" to the
//! planning level, so that missing offers get built. A report therefore carries a list of
//! flags, each with a planning area and a free text, plus who noted it and when. The areas
//! are one fixed list for every form — the life areas of the KVJS report plus work, housing
//! and "other" — because the planning level adds flags up across reports, forms and
//! providers; a per-form list would make them incomparable.
//!
//! Stored in the root list `missing_help`: one map per flag (`area`, `text`, `role`, `date`).
//! A flag is written once and removed as a whole; concurrent additions on two devices both
//! survive (list inserts), and a flag is addressed by its Automerge object id, which is the
//! same on every replica.

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ReadDoc, ROOT};

use crate::report::key;
use crate::{Date, ModelError, Report, Result, Role};

/// A planning area: stable code, label, and the Leichte-Sprache label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelpArea {
    pub code: &'static str,
    pub label: &'static str,
    pub plain_label: &'static str,
}

/// The areas a gap can be reported in, in the order they are offered.
pub const HELP_AREAS: [HelpArea; 11] = [
    area(
        "selbstversorgung",
        "Selbstversorgung",
        "Für sich selbst sorgen",
    ),
    area(
        "lebensfuehrung",
        "alltägliche Lebensführung",
        "Den Alltag schaffen",
    ),
    area("kommunikation", "Kommunikation", "Mit anderen sprechen"),
    area("mobilitaet", "Mobilität", "Unterwegs sein"),
    area("orientierung", "Orientierung", "Sich zurecht-finden"),
    area(
        "gesundheit",
        "Gesundheitsfürsorge",
        "Auf die Gesundheit achten",
    ),
    area(
        "soziale_integration",
        "soziale Integration",
        "Mit anderen Menschen zusammen sein",
    ),
    area("freizeit", "Freizeitgestaltung", "Freizeit"),
    area("arbeit", "Arbeit und Beschäftigung", "Arbeit"),
    area("wohnen", "Wohnen", "Wohnen"),
    area("sonstiges", "Sonstiges", "Etwas anderes"),
];

const fn area(code: &'static str, label: &'static str, plain_label: &'static str) -> HelpArea {
    HelpArea {
        code,
        label,
        plain_label,
    }
}

/// The area with this code.
pub fn help_area(code: &str) -> Option<HelpArea> {
    HELP_AREAS.into_iter().find(|a| a.code == code)
}

/// Longest description kept for one flag: a paragraph, not a report.
pub const MAX_MISSING_HELP_CHARS: usize = 2_000;

/// One flagged gap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingHelp {
    /// Stable across replicas: the Automerge object id of the flag.
    pub id: String,
    /// A code of [`HELP_AREAS`]; an unknown code (a newer build's area) is kept as it is.
    pub area: String,
    pub text: String,
    pub role: Role,
    pub date: Option<Date>,
}

impl MissingHelp {
    /// The area's label, or its code when this build does not know it.
    pub fn area_label(&self) -> String {
        help_area(&self.area)
            .map(|a| a.label.to_string())
            .unwrap_or_else(|| self.area.clone())
    }

    /// The area's label in Leichte Sprache, or its code when this build does not know it.
    pub fn area_plain_label(&self) -> String {
        help_area(&self.area)
            .map(|a| a.plain_label.to_string())
            .unwrap_or_else(|| self.area.clone())
    }
}

impl Report {
    /// The flagged gaps: in the order they were noted on each device, the flags of lists
    /// created concurrently one after the other.
    pub fn missing_help(&self) -> Vec<MissingHelp> {
        let mut out = Vec::new();
        for list in self.missing_help_lists() {
            for i in 0..self.doc.length(&list) {
                let Ok(Some((automerge::Value::Object(ObjType::Map), obj))) =
                    self.doc.get(&list, i)
                else {
                    continue;
                };
                let (Some(area), Some(text), Some(role)) = (
                    self.read_scalar(&obj, key::AREA),
                    self.read_scalar(&obj, key::TEXT),
                    self.read_scalar(&obj, key::ROLE)
                        .and_then(|r| Role::parse(&r)),
                ) else {
                    continue; // not a flag this build wrote: skip rather than guess
                };
                out.push(MissingHelp {
                    id: obj.to_string(),
                    area,
                    text,
                    role,
                    date: self.read_date(&obj, key::DATE),
                });
            }
        }
        out
    }

    /// Every list stored under `missing_help`. Two devices that note the first gap of a report
    /// at the same time each create the list; Automerge keeps both as conflicting values of the
    /// key, and reading all of them keeps both devices' flags.
    fn missing_help_lists(&self) -> Vec<ObjId> {
        let mut lists: Vec<ObjId> = match self.doc.get_all(ROOT, key::MISSING_HELP) {
            Ok(all) => all
                .into_iter()
                .filter(|(v, _)| matches!(v, automerge::Value::Object(ObjType::List)))
                .map(|(_, id)| id)
                .collect(),
            Err(_) => Vec::new(),
        };
        // The same order on every replica, whatever order Automerge lists the conflict in.
        lists.sort_by_key(|id| id.to_string());
        lists
    }

    /// Notes a gap in `area` (a code of [`HELP_AREAS`]), described by `text`, on `date`.
    /// Returns the new flag's id.
    pub fn add_missing_help(
        &mut self,
        role: Role,
        area: &str,
        text: &str,
        date: Date,
    ) -> Result<String> {
        let text = check_missing_help(role, area, text)?;
        self.act_as(role)?;
        self.write(|doc| {
            // Into the list that wins the key (the others are read, not written).
            let list = match doc.get(ROOT, key::MISSING_HELP)? {
                Some((automerge::Value::Object(ObjType::List), id)) => id,
                _ => doc.put_object(ROOT, key::MISSING_HELP, ObjType::List)?,
            };
            let at = doc.length(&list);
            let obj = doc.insert_object(&list, at, ObjType::Map)?;
            doc.put(&obj, key::AREA, area)?;
            doc.put(&obj, key::TEXT, text)?;
            doc.put(&obj, key::ROLE, role.as_str())?;
            doc.put(&obj, key::DATE, date.iso())?;
            Ok(obj.to_string())
        })
    }

    /// Removes the flag `id` (noted by mistake, or the help exists after all).
    pub fn remove_missing_help(&mut self, role: Role, id: &str) -> Result<()> {
        check_noter(role)?;
        let found = self.missing_help_lists().into_iter().find_map(|list| {
            let at = (0..self.doc.length(&list)).find(
                |i| matches!(self.doc.get(&list, *i), Ok(Some((_, obj))) if obj.to_string() == id),
            )?;
            Some((list, at))
        });
        let Some((list, position)) = found else {
            return Err(gone());
        };
        self.act_as(role)?;
        self.write(|doc| {
            doc.delete(&list, position)?;
            Ok(())
        })
    }
}

/// Whether `role` may note a gap in `area` described by `text`; the text as it would be
/// stored (trimmed). What [`Report::add_missing_help`] checks, for a form that wants to keep
/// its input when refused.
pub fn check_missing_help<'a>(role: Role, area: &str, text: &'a str) -> Result<&'a str> {
    check_noter(role)?;
    if help_area(area).is_none() {
        return Err(refused(format!("„{area}“ ist kein bekannter Bereich.")));
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(refused(
            "Bitte beschreiben, welche Hilfe gefehlt hat.".to_string(),
        ));
    }
    if text.chars().count() > MAX_MISSING_HELP_CHARS {
        return Err(refused(format!(
            "Die Beschreibung hat höchstens {MAX_MISSING_HELP_CHARS} Zeichen."
        )));
    }
    Ok(text)
}

fn check_noter(role: Role) -> Result<()> {
    if role.keeps_the_case() {
        Ok(())
    } else {
        Err(refused(format!(
            "Die Rolle „{}“ kann keinen fehlenden Hilfebaustein eintragen; das tun Einrichtung oder Leistungsträger.",
            role.label()
        )))
    }
}

fn refused(message: String) -> ModelError {
    ModelError::Workflow(message)
}

fn gone() -> ModelError {
    refused("Diesen Eintrag gibt es nicht mehr.".to_string())
}
