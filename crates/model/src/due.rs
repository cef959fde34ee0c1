//! When a report is due, from the rules of the form it was made with.
//!
//! The deadlines come from the sources of the forms, not from the product:
//!
//! - KVJS Ergebnisbericht (seed 000): "Vor Ablauf des Bewilligungszeitraums bzw. zum Zeitpunkt
//!   der Fortschreibung des Gesamtplans hat der Leistungserbringer dem Leistungsträger einen
//!   Ergebnisbericht vorzulegen." The Vordruck holds no Bewilligungszeitraum, so the template
//!   adds it (optional, written by provider or caseworker from the Bescheid): its last day is
//!   the latest day. Without it the Berichtszeitraum, which ends with it, gives the day ("bis").
//! - Göttingen Feedbackbogen (seed 002), by its Anlass:
//!   - Nichtantritt: "Vorlagefrist: sofort, spätestens aber innerhalb einer Woche nach dem
//!     Ereignis"; the event is the missed start, the first day of participation ("Teilnahme
//!     von").
//!   - Abbruch: the same Vorlagefrist, one week after "Abbruch am".
//!   - Regulärer Abschluss: "Erstellung: Spätestens am letzten Tag der individuellen Teilnahme"
//!     (the closing conversation "spätestens am letzten Tag der Teilnahme"), and then "ist
//!     spätestens zwei Wochen nach dem Gespräch per SAM an die zuständige IFK zu senden". Before
//!     the conversation ("Erstellt am" empty) the last day of participation counts; after it,
//!     two weeks after "Erstellt am".
//! - Erwartungsbogen and "Wille und Ressourcen" have no deadline in their sources.
//!
//! Pure: the report and "today" come from the caller; nothing reads the clock.

use crate::report::FieldValue;
use crate::{Date, Report};

/// From this many days before the due date on, a report is "bald fällig". One week: the
/// shortest deadline of the forms (Nichtantritt, Abbruch) is one week, so those are "bald
/// fällig" from the event on, which is what "sofort" asks for.
pub const SOON_DAYS: i64 = 7;

/// Template ids with deadlines (the files in `crates/model/templates/`).
const KVJS: &str = "kvjs-ergebnisbericht";
const FEEDBACK: &str = "goettingen-feedbackbogen";

/// How urgent a report is, relative to "today".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueState {
    /// More than [`SOON_DAYS`] days left.
    Offen,
    /// Due today or within [`SOON_DAYS`] days.
    BaldFaellig,
    /// The due date has passed.
    Ueberfaellig,
}

impl DueState {
    /// The German word shown in lists.
    pub fn label(self) -> &'static str {
        match self {
            DueState::Offen => "offen",
            DueState::BaldFaellig => "bald fällig",
            DueState::Ueberfaellig => "überfällig",
        }
    }
}

/// A report's deadline: the latest day, how urgent it is, and why (German, for the interface).
/// Without a date (no rule, or the dates the rule needs are missing), `date` and `state` are
/// `None` and `reason` says what is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub date: Option<Date>,
    pub state: Option<DueState>,
    pub reason: String,
}

impl Due {
    fn none(reason: String) -> Due {
        Due {
            date: None,
            state: None,
            reason,
        }
    }

    /// The state is filled in by [`due`], the one place that knows "today".
    fn at(date: Date, reason: String) -> Due {
        Due {
            date: Some(date),
            state: None,
            reason,
        }
    }

    /// `days` after `event`; no date (with a reason) in the unlikely case the calendar ends.
    fn after(event: Date, days: i64, reason: String) -> Due {
        match event.0.checked_add(time::Duration::days(days)) {
            Some(date) => Due::at(Date(date), reason),
            None => Due::none(format!("{reason} Das Datum liegt außerhalb des Kalenders.")),
        }
    }
}

/// The deadline of `report` as of `today` (see the module documentation for the rules).
pub fn due(report: &Report, today: Date) -> Due {
    let mut due = deadline(report);
    due.state = due.date.map(|date| due_state(date, today));
    due
}

/// The deadline without judging it: `state` is `None`. The date does not depend on the day it
/// is asked on, so a list can store it and judge it daily with [`due_state`].
pub fn deadline(report: &Report) -> Due {
    let template = report.template();
    match template.id.as_str() {
        KVJS => kvjs(report),
        FEEDBACK => feedback(report),
        _ => Due::none(format!(
            "Für „{}“ gibt es keine feste Frist.",
            template.name
        )),
    }
}

/// Whether the form has a deadline rule at all: a list says "Frist unbekannt, bitte … eintragen"
/// only for these, and nothing for forms without a deadline.
pub fn has_deadline_rule(template: &crate::Template) -> bool {
    matches!(template.id.as_str(), KVJS | FEEDBACK)
}

/// How urgent a deadline on `date` is on `today`. Separate from [`due`] so that a list can
/// keep the date and judge it again on another day without loading the report.
pub fn due_state(date: Date, today: Date) -> DueState {
    let left = (date.0 - today.0).whole_days();
    if left < 0 {
        DueState::Ueberfaellig
    } else if left <= SOON_DAYS {
        DueState::BaldFaellig
    } else {
        DueState::Offen
    }
}

fn kvjs(report: &Report) -> Due {
    if let Some(end) = range(report, "bewilligungszeitraum").1 {
        return Due::at(
            end,
            format!(
                "Ergebnisbericht: vor Ablauf des Bewilligungszeitraums vorzulegen, spätestens am {end}."
            ),
        );
    }
    match range(report, "berichtszeitraum").1 {
        Some(end) => Due::at(
            end,
            format!(
                "Ergebnisbericht: vor Ablauf des Bewilligungszeitraums vorzulegen, spätestens am letzten Tag des Berichtszeitraums ({end})."
            ),
        ),
        None => Due::none(
            "Ergebnisbericht: Frist unbekannt. Bitte beim Berichtszeitraum „bis“ eintragen."
                .into(),
        ),
    }
}

fn feedback(report: &Report) -> Due {
    let (start, end) = range(report, "teilnahme");
    let anlass = match report.value("anlass") {
        Ok(FieldValue::Choice(code)) => code,
        _ => None,
    };
    match anlass.as_deref() {
        Some("nichtantritt") => match start {
            Some(start) => Due::after(
                start,
                7,
                format!(
                    "Nichtantritt: sofort vorzulegen, spätestens eine Woche nach dem geplanten Beginn ({start})."
                ),
            ),
            None => Due::none(
                "Nichtantritt: Frist unbekannt. Bitte bei „Teilnahme“ das Datum „von“ eintragen."
                    .into(),
            ),
        },
        Some("abbruch") => match date(report, "abbruch_am") {
            Some(day) => Due::after(
                day,
                7,
                format!("Abbruch: sofort vorzulegen, spätestens eine Woche nach dem Abbruch ({day})."),
            ),
            None => Due::none("Abbruch: Frist unbekannt. Bitte „Abbruch am“ eintragen.".into()),
        },
        Some("regulaer") => match (date(report, "erstellt_am"), end) {
            (Some(talk), _) => Due::after(
                talk,
                14,
                format!(
                    "Regulärer Abschluss: spätestens zwei Wochen nach dem Abschlussgespräch ({talk}) an die IFK senden."
                ),
            ),
            (None, Some(end)) => Due::at(
                end,
                format!(
                    "Regulärer Abschluss: Abschlussgespräch und Feedbackbogen spätestens am letzten Tag der Teilnahme ({end})."
                ),
            ),
            (None, None) => Due::none(
                "Regulärer Abschluss: Frist unbekannt. Bitte bei „Teilnahme“ das Datum „bis“ oder „Erstellt am“ eintragen."
                    .into(),
            ),
        },
        _ => Due::none("Feedbackbogen: Frist unbekannt. Bitte den Anlass wählen.".into()),
    }
}

/// A date field's value; `None` when empty or when the template has no such field.
fn date(report: &Report, field: &str) -> Option<Date> {
    match report.value(field) {
        Ok(FieldValue::Date(date)) => date,
        _ => None,
    }
}

/// Both ends of a date range field; `(None, None)` when the template has no such field.
fn range(report: &Report, field: &str) -> (Option<Date>, Option<Date>) {
    match report.date_range(field) {
        Ok(r) => (r.from, r.to),
        Err(_) => (None, None),
    }
}
