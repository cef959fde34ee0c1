//! The report's content for other systems: JSON of the structured content (schema in
//! `docs/export.md` and `docs/export.schema.json`) and CSV of the goals table.
//!
//! Both are one-way: they hold what a reader sees (the winning value of every field, every
//! code with its German text), not the history, so they cannot be imported again. The
//! `.automerge` and `.dreieck` files ([`crate::report_file`]) are the round-trip formats.
//!
//! Codes are given with their texts, so the authority's system needs neither the template nor
//! this app to read them; the code is what it should compare, the text what it may show.

use serde::Serialize;

use crate::template::{CodeList, Field, FieldKind};
use crate::{FieldValue, Report, Verification};

/// `format` of every JSON export.
pub const JSON_FORMAT: &str = "dreieck-export";
/// `format_version` of what this build writes. Raised on every change a reader could trip
/// over (a removed or renamed key, a changed meaning); new keys do not raise it.
pub const JSON_FORMAT_VERSION: u32 = 2;

pub const JSON_EXTENSION: &str = "json";
pub const CSV_EXTENSION: &str = "csv";

#[derive(Serialize)]
struct JsonExport {
    format: &'static str,
    format_version: u32,
    /// RFC 3339, UTC.
    exported_at: String,
    report: ReportInfo,
    template: TemplateInfo,
    fields: Vec<FieldOut>,
    goals: Vec<GoalOut>,
    case: CaseOut,
}

/// Where the report stands in the case process (status, deadline, submission, gaps in help).
#[derive(Serialize)]
struct CaseOut {
    status: &'static str,
    status_label: &'static str,
    /// The deadline by the form's rules, when known.
    due: Option<String>,
    due_reason: String,
    submitted: Option<SubmittedOut>,
    missing_help: Vec<MissingHelpOut>,
    /// "Bericht angenommen" by the caseworker.
    accepted: Option<AcceptedOut>,
    /// The caseworker's remarks ("Rückfragen") with the provider's answers.
    review: Vec<RemarkOut>,
}

#[derive(Serialize)]
struct AcceptedOut {
    date: String,
    /// Fields changed since the acceptance; `null` when the accepted version is unknown here.
    changed_fields: Option<Vec<String>>,
}

#[derive(Serialize)]
struct RemarkOut {
    id: String,
    /// `field` or `goal`.
    about: &'static str,
    /// The field's or the goal's id.
    about_id: String,
    /// The field's label, or the goal's text.
    about_label: String,
    question: String,
    asked: Option<String>,
    answer: String,
    answered: Option<String>,
    state: &'static str,
    closed: Option<String>,
}

#[derive(Serialize)]
struct SubmittedOut {
    date: String,
    role: &'static str,
}

#[derive(Serialize)]
struct MissingHelpOut {
    area: String,
    area_label: String,
    text: String,
    role: &'static str,
    date: Option<String>,
}

#[derive(Serialize)]
struct ReportInfo {
    id: String,
    created_at: String,
    /// The report this one was created from (a Feedbackbogen's Erwartungsbogen).
    follows: Option<String>,
}

#[derive(Serialize)]
struct TemplateInfo {
    id: String,
    version: String,
    name: String,
}

#[derive(Serialize)]
struct FieldOut {
    id: String,
    section: String,
    section_title: String,
    label: String,
    kind: &'static str,
    required: bool,
    /// Whether the form shows the field now (`shown_when`); a hidden field keeps its value.
    shown: bool,
    /// Depends on `kind`, see the schema.
    value: ValueOut,
    /// The German text of a chosen code.
    #[serde(skip_serializing_if = "Option::is_none")]
    value_label: Option<String>,
    /// Values set concurrently on different devices and not yet settled (the winner is
    /// `value`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    conflicting_values: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    own_words: Option<OwnWordsOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signature: Option<SignatureOut>,
}

/// A field's value as the schema describes it per kind. A typed enum rather than
/// `serde_json::Value`, whose serializer the browser app would otherwise carry for this alone.
#[derive(Serialize)]
#[serde(untagged)]
enum ValueOut {
    /// short_text, long_text
    Text(String),
    /// date, choice (`null` when empty)
    Scalar(Option<String>),
    /// date_range
    Range {
        from: Option<String>,
        to: Option<String>,
    },
    /// signature
    Signature { name: String, date: Option<String> },
}

#[derive(Serialize)]
struct OwnWordsOut {
    typed: bool,
    dictated: bool,
    remark: String,
    /// The person's words as staff wrote them down, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    recorded: Vec<RecordedOut>,
}

#[derive(Serialize)]
struct RecordedOut {
    /// The words that count: the confirmed ones once confirmed.
    words: String,
    /// "gesagt von … · aufgeschrieben von … am …"
    byline: String,
    written_by_role: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    written_on: Option<String>,
    /// "Bestätigt von … am …" or "Noch nicht bestätigt".
    confirmation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    confirmed_on: Option<String>,
    /// The text was changed while the person confirmed it; `words` is what they confirmed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    changed_since_confirmation: bool,
}

#[derive(Serialize)]
struct SignatureOut {
    /// `unsigned`, `valid`, `valid_for_earlier_version` or `invalid`.
    status: &'static str,
    /// The status in German, as the app shows it.
    status_text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    signed_by_role: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signed_at: Option<String>,
    /// Signed by typing the name instead of drawing.
    #[serde(skip_serializing_if = "Option::is_none")]
    typed: Option<bool>,
    /// For `valid_for_earlier_version`: the fields changed since.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    changed_fields: Vec<String>,
}

#[derive(Serialize)]
struct GoalOut {
    number: usize,
    id: String,
    text: String,
    /// The measures' texts, one per line: what a reader of format version 1 found here.
    measures: String,
    /// Each measure with who carries it out and by when.
    measure_list: Vec<MeasureOut>,
    achievement: Option<CodeOut>,
    reason: Option<CodeOut>,
    self_rating: Option<CodeOut>,
    /// The chosen achievement asks for a reason.
    needs_reason: bool,
    /// Achievement and self-rating both given and different.
    ratings_differ: bool,
    /// Wirkungs-, Bereichs- or Handlungsziel.
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<&'static str>,
    /// The day the goal is to be reached (ISO).
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<String>,
    /// `fortgeschrieben` or `gesamtplan`; absent: new in this report.
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<&'static str>,
    /// The life area's code and label.
    #[serde(skip_serializing_if = "Option::is_none")]
    area: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    area_label: Option<&'static str>,
}

#[derive(Serialize)]
struct MeasureOut {
    text: String,
    /// Who carries it out.
    #[serde(skip_serializing_if = "String::is_empty")]
    by: String,
    /// By when (ISO).
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<String>,
}

#[derive(Serialize)]
struct CodeOut {
    code: String,
    /// `null` when the code is not in the template's list.
    label: Option<String>,
    plain_label: Option<String>,
}

fn code_out(list: Option<&CodeList>, code: Option<String>) -> Option<CodeOut> {
    let code = code?;
    let found = list.and_then(|l| l.codes.iter().find(|c| c.code == code));
    Some(CodeOut {
        label: found.map(|c| c.label.clone()),
        plain_label: found.map(|c| c.plain_label.clone()),
        code,
    })
}

fn code_label(list: Option<&CodeList>, code: &str) -> Option<String> {
    list?
        .codes
        .iter()
        .find(|c| c.code == code)
        .map(|c| c.label.clone())
}

/// RFC 3339 in UTC with milliseconds, e.g. `2026-12-03T10:15:00.000Z`; out-of-range
/// times (never written by this app) give the epoch.
pub(crate) fn rfc3339_utc(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

impl Report {
    /// The structured content as JSON (pretty-printed, UTF-8). `exported_at_ms` is the time
    /// written into the file (the crate never reads the clock).
    pub fn to_json_export(&self, exported_at_ms: i64) -> String {
        let template = &self.template;
        let mut fields = Vec::new();
        for section in &template.sections {
            for field in &section.fields {
                if matches!(field.kind, FieldKind::Goals { .. }) {
                    continue;
                }
                fields.push(self.field_out(field, &section.id, &section.title));
            }
        }
        let export = JsonExport {
            format: JSON_FORMAT,
            format_version: JSON_FORMAT_VERSION,
            exported_at: rfc3339_utc(exported_at_ms),
            report: ReportInfo {
                id: self.id(),
                created_at: rfc3339_utc(self.created_at_ms()),
                follows: self.follows(),
            },
            template: TemplateInfo {
                id: template.id.clone(),
                version: template.version.clone(),
                name: template.name.clone(),
            },
            fields,
            goals: self.goals_out(),
            case: self.case_out(),
        };
        // Plain structs of strings, numbers and vectors always serialise.
        serde_json::to_string_pretty(&export).unwrap_or_default()
    }

    fn case_out(&self) -> CaseOut {
        let status = self.status();
        let deadline = crate::deadline(self);
        CaseOut {
            status: status.code(),
            status_label: status.label(),
            due: deadline.date.map(|d| d.iso()),
            due_reason: deadline.reason,
            submitted: self.submission().map(|s| SubmittedOut {
                date: s.date.iso(),
                role: s.role.as_str(),
            }),
            missing_help: self
                .missing_help()
                .into_iter()
                .map(|f| MissingHelpOut {
                    area_label: f.area_label(),
                    area: f.area,
                    text: f.text,
                    role: f.role.as_str(),
                    date: f.date.map(|d| d.iso()),
                })
                .collect(),
            accepted: self.acceptance().map(|a| AcceptedOut {
                date: a.date.iso(),
                changed_fields: a.changed,
            }),
            review: self.review_out(),
        }
    }

    fn review_out(&self) -> Vec<RemarkOut> {
        let goals = self.goals();
        let date = |d: Option<crate::Date>| d.map(|d| d.iso());
        self.remarks()
            .into_iter()
            .map(|r| {
                let (about, about_id, about_label) = match r.anchor {
                    crate::Anchor::Field(id) => {
                        let label = self
                            .template
                            .field(&id)
                            .map(|f| f.label.clone())
                            .unwrap_or_default();
                        ("field", id, label)
                    }
                    crate::Anchor::Goal(id) => {
                        let text = goals
                            .iter()
                            .find(|g| g.id == id)
                            .map(|g| g.text.clone())
                            .unwrap_or_default();
                        ("goal", id, text)
                    }
                };
                RemarkOut {
                    id: r.id,
                    about,
                    about_id,
                    about_label,
                    question: r.text,
                    asked: date(r.asked),
                    answer: r.answer,
                    answered: date(r.answered),
                    state: r.state.code(),
                    closed: date(r.closed),
                }
            })
            .collect()
    }

    fn field_out(&self, field: &Field, section: &str, section_title: &str) -> FieldOut {
        let date = |d: Option<crate::Date>| d.map(|d| d.iso());
        let mut value_label = None;
        let mut signature = None;
        let value = match self.value(&field.id) {
            Ok(FieldValue::Text(t)) => ValueOut::Text(t),
            Ok(FieldValue::Date(d)) => ValueOut::Scalar(date(d)),
            Ok(FieldValue::DateRange(r)) => ValueOut::Range {
                from: date(r.from),
                to: date(r.to),
            },
            Ok(FieldValue::Choice(code)) => {
                if let (Some(code), FieldKind::Choice { code_list }) = (&code, &field.kind) {
                    value_label = code_label(self.template.code_list(code_list), code);
                }
                ValueOut::Scalar(code)
            }
            Ok(FieldValue::Signature(line)) => {
                signature = Some(self.signature_out(&field.id));
                ValueOut::Signature {
                    name: line.name,
                    date: date(line.date),
                }
            }
            Ok(FieldValue::Goals) | Err(_) => ValueOut::Scalar(None),
        };
        let conflicting_values = match field.kind {
            FieldKind::Date { .. } | FieldKind::Choice { .. } => {
                self.conflicts(&field.id).unwrap_or_default()
            }
            FieldKind::DateRange => {
                let mut all = Vec::new();
                for end in ["from", "to"] {
                    let values = self
                        .conflicts(&format!("{}/{end}", field.id))
                        .unwrap_or_default();
                    if values.len() > 1 {
                        all.extend(values.into_iter().map(|v| format!("{end}: {v}")));
                    }
                }
                all
            }
            _ => Vec::new(),
        };
        let conflicting_values = if conflicting_values.len() > 1 {
            conflicting_values
        } else {
            Vec::new()
        };
        let own_words = field
            .own_words
            .then(|| self.own_words(&field.id).ok())
            .flatten()
            .map(|o| OwnWordsOut {
                typed: o.typed,
                dictated: o.dictated,
                remark: o.remark,
                recorded: self
                    .recorded_words(&field.id)
                    .into_iter()
                    .map(|w| RecordedOut {
                        words: w.words().to_string(),
                        byline: self.recorded_byline(&w),
                        written_by_role: w.role.as_str(),
                        written_on: w.at.map(|d| d.iso()),
                        confirmation: self.confirmation_line(&w),
                        confirmed_on: w.confirmation.as_ref().and_then(|c| c.at).map(|d| d.iso()),
                        changed_since_confirmation: w.changed_since_confirmation(),
                    })
                    .collect(),
            });
        FieldOut {
            id: field.id.clone(),
            section: section.to_string(),
            section_title: section_title.to_string(),
            label: field.label.clone(),
            kind: field.kind.name(),
            required: field.required,
            shown: self.is_shown(&field.id),
            value,
            value_label,
            conflicting_values,
            own_words,
            signature,
        }
    }

    fn signature_out(&self, field: &str) -> SignatureOut {
        let verification = self
            .verify_signature(field)
            .unwrap_or(Verification::Invalid(crate::InvalidSignature::Damaged));
        let record = self.signature_record(field).ok().flatten();
        let (status, status_text, changed_fields) = match verification {
            Verification::Unsigned => ("unsigned", "nicht unterschrieben".to_string(), vec![]),
            Verification::Valid => ("valid", "gültig unterschrieben".to_string(), vec![]),
            Verification::ValidForEarlierVersion { changed_fields } => (
                "valid_for_earlier_version",
                "für eine frühere Fassung unterschrieben".to_string(),
                changed_fields,
            ),
            Verification::Invalid(why) => (
                "invalid",
                format!("ungültig: {}", why.message()),
                Vec::new(),
            ),
        };
        SignatureOut {
            status,
            status_text,
            signed_by_role: record.as_ref().map(|r| r.role.as_str()),
            signed_at: record.as_ref().map(|r| rfc3339_utc(r.time_ms)),
            typed: record.as_ref().map(|r| r.typed()),
            changed_fields,
        }
    }

    fn goals_out(&self) -> Vec<GoalOut> {
        let (achievement, reason) = self.goal_code_lists();
        self.goals()
            .into_iter()
            .map(|g| GoalOut {
                measures: g.measures_text(),
                measure_list: g
                    .given_measures()
                    .map(|m| MeasureOut {
                        text: m.text.trim().to_string(),
                        by: m.by.trim().to_string(),
                        until: m.until.map(|d| d.iso()),
                    })
                    .collect(),
                number: g.number,
                achievement: code_out(achievement, g.achievement),
                reason: code_out(reason, g.reason),
                self_rating: code_out(achievement, g.self_rating),
                needs_reason: g.needs_reason,
                ratings_differ: g.ratings_differ,
                level: g.plan.level.map(|l| l.label()),
                target: g.plan.target.map(|d| d.iso()),
                origin: g.plan.origin.map(|o| o.code()),
                area_label: g
                    .plan
                    .area
                    .as_deref()
                    .and_then(crate::help_area)
                    .map(|a| a.label),
                area: g.plan.area,
                text: g.text,
                id: g.id,
            })
            .collect()
    }

    /// The achievement and reason code lists of the goals table (none without one).
    fn goal_code_lists(&self) -> (Option<&CodeList>, Option<&CodeList>) {
        match self.goals_field() {
            Ok((_, achievement, reason)) => (
                self.template.code_list(achievement),
                self.template.code_list(reason),
            ),
            Err(_) => (None, None),
        }
    }

    /// The goals table as CSV, the way German Excel opens it by double-click: UTF-8 with a
    /// byte order mark (without it Excel reads ANSI and garbles umlauts), `;` between
    /// columns (Excel's list separator in German locales), CRLF line ends, a header row, one
    /// row per goal. Fields are quoted when they hold `;`, `"` or a line break (RFC 4180);
    /// a text starting with `=`, `+`, `-`, `@` or a tab gets a leading `'` so that a
    /// spreadsheet never runs it as a formula.
    pub fn to_goals_csv(&self) -> String {
        let (achievement, reason) = self.goal_code_lists();
        let label = |list: Option<&CodeList>, code: &Option<String>| {
            code.as_deref()
                .and_then(|c| code_label(list, c))
                .unwrap_or_default()
        };
        let mut out = String::from("\u{feff}");
        let header = [
            "Nr.",
            "Ziel",
            "Maßnahmen",
            "Zielerreichung (Code)",
            "Zielerreichung",
            "Grund bei Nichterreichung (Code)",
            "Grund bei Nichterreichung",
            "Selbsteinschätzung (Code)",
            "Selbsteinschätzung",
            "Einschätzungen weichen ab",
            "Zielebene",
            "Zu erreichen bis",
            "Herkunft",
            "Lebensbereich",
        ];
        push_row(&mut out, header.iter().map(|s| s.to_string()));
        for g in self.goals() {
            let row = [
                g.number.to_string(),
                g.text.clone(),
                g.given_measures()
                    .map(|m| m.listed())
                    .collect::<Vec<_>>()
                    .join("\n"),
                g.achievement.clone().unwrap_or_default(),
                label(achievement, &g.achievement),
                g.reason.clone().unwrap_or_default(),
                label(reason, &g.reason),
                g.self_rating.clone().unwrap_or_default(),
                label(achievement, &g.self_rating),
                if g.ratings_differ { "ja" } else { "nein" }.to_string(),
                g.plan
                    .level
                    .map(|l| l.label())
                    .unwrap_or_default()
                    .to_string(),
                g.plan.target.map(|d| d.german()).unwrap_or_default(),
                g.plan
                    .origin
                    .map(|o| o.label())
                    .unwrap_or("neu in diesem Bericht")
                    .to_string(),
                g.plan
                    .area
                    .as_deref()
                    .and_then(crate::help_area)
                    .map(|a| a.label)
                    .unwrap_or_default()
                    .to_string(),
            ];
            push_row(&mut out, row.into_iter());
        }
        out
    }
}

/// One "fehlender Hilfebaustein" as the planning level receives it: no name and no report id,
/// since the concept passes the gap on, not the person (seed 001).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanningRow {
    /// Area code ([`crate::HELP_AREAS`]).
    pub area: String,
    pub text: String,
    /// ISO date the gap was noted.
    pub date: Option<String>,
    /// The form it was noted in.
    pub form: String,
}

/// The gaps of many reports as CSV for the planning level, in the same dialect as
/// [`Report::to_goals_csv`].
pub fn missing_help_csv(rows: &[PlanningRow]) -> String {
    let mut out = String::from("\u{feff}");
    let header = [
        "Bereich (Code)",
        "Bereich",
        "Was hat gefehlt",
        "Eingetragen am",
        "Formular",
    ];
    push_row(&mut out, header.iter().map(|s| s.to_string()));
    for row in rows {
        let label = crate::help_area(&row.area)
            .map(|a| a.label.to_string())
            .unwrap_or_else(|| row.area.clone());
        push_row(
            &mut out,
            [
                row.area.clone(),
                label,
                row.text.clone(),
                row.date.clone().unwrap_or_default(),
                row.form.clone(),
            ]
            .into_iter(),
        );
    }
    out
}

pub(crate) fn push_row(out: &mut String, cells: impl Iterator<Item = String>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(&csv_cell(&cell));
    }
    out.push_str("\r\n");
}

fn csv_cell(text: &str) -> String {
    let defused = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if defused.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_planning_csv_names_area_and_text_but_no_person() {
        let csv = missing_help_csv(&[PlanningRow {
            area: "wohnen".into(),
            text: "=Keine WG; nirgends".into(),
            date: Some("2026-11-23".into()),
            form: "Ergebnisbericht".into(),
        }]);
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(
            lines[0],
            "Bereich (Code);Bereich;Was hat gefehlt;Eingetragen am;Formular"
        );
        assert_eq!(
            lines[1],
            "wohnen;Wohnen;\"'=Keine WG; nirgends\";2026-11-23;Ergebnisbericht"
        );
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn csv_cells_are_quoted_and_defused() {
        assert_eq!(csv_cell("einfach"), "einfach");
        assert_eq!(csv_cell("a;b"), "\"a;b\"");
        assert_eq!(csv_cell("sagt \"ja\""), "\"sagt \"\"ja\"\"\"");
        assert_eq!(csv_cell("zwei\nZeilen"), "\"zwei\nZeilen\"");
        assert_eq!(csv_cell("=SUMME(A1)"), "'=SUMME(A1)");
        assert_eq!(csv_cell("- einkaufen"), "'- einkaufen");
    }

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_utc(1_795_428_000_123), "2026-11-23T10:00:00.123Z");
    }
}
