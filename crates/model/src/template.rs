//! Templates as data: which sections and fields a form has, in which words, and who may write what.
//!
//! The format is JSON (documented in `docs/templates.md`). Parsing checks more than the shape:
//! ids are unique, every code list a field names exists, every field has its plain-language
//! label. Errors name the JSON line and column, or the section and field, so whoever adapts a
//! template can fix it without a programmer.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::conversation::AgendaPart;
use crate::json_locator::{at_path, line_at, offset_of, Path, Seg, Spans};
use crate::paper::Paper;
use crate::pictogram::Pictogram;
use crate::role::Role;

/// The version of the template file format this build reads.
pub const FORMAT: u32 = 1;

/// Why a template file was refused. Every variant's text is German and, for a file, starts
/// with the line to look at (`Zeile 42: …`), so whoever adapts a form can fix it without a
/// programmer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// Not JSON, or not the shape of a template (a missing or unknown key, an unknown `kind`).
    #[error("Zeile {line}, Spalte {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// `format` is not the one this build reads.
    #[error("{}Formatversion {found} wird nicht unterstützt (erwartet {FORMAT}).", at_line(*.line))]
    Format { line: Option<usize>, found: u32 },
    /// The file is not a template file at all (not text, far too large).
    #[error("Die Datei ist keine Vorlage: {0}")]
    NotText(String),
    /// The shape is right, the content is not. `line` is `None` for a template checked
    /// without its file ([`Template::verify`]).
    #[error("{}{message}", at_line(*.line))]
    Invalid {
        line: Option<usize>,
        message: String,
    },
}

impl TemplateError {
    /// The 1-based line of the file the problem is on, where known.
    pub fn line(&self) -> Option<usize> {
        match self {
            TemplateError::Syntax { line, .. } => Some(*line),
            TemplateError::Format { line, .. } | TemplateError::Invalid { line, .. } => *line,
            TemplateError::NotText(_) => None,
        }
    }
}

fn at_line(line: Option<usize>) -> String {
    line.map(|l| format!("Zeile {l}: ")).unwrap_or_default()
}

/// A problem the content checks found, and where in the file (a path, turned into a line by
/// [`Spans`] when there is a file).
#[derive(Debug)]
pub(crate) struct Problem {
    at: Path,
    kind: ProblemKind,
}

#[derive(Debug)]
enum ProblemKind {
    Format(u32),
    Invalid(String),
}

impl Problem {
    fn format(found: u32) -> Problem {
        Problem {
            at: at_path!["format"],
            kind: ProblemKind::Format(found),
        }
    }

    fn into_error(self, line: Option<usize>) -> TemplateError {
        match self.kind {
            ProblemKind::Format(found) => TemplateError::Format { line, found },
            ProblemKind::Invalid(message) => TemplateError::Invalid { line, message },
        }
    }
}

pub(crate) fn fail(at: Path, message: impl Into<String>) -> Result<(), Problem> {
    Err(Problem {
        at,
        kind: ProblemKind::Invalid(message.into()),
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub format: u32,
    /// Stable identifier of the form, e.g. `kvjs-ergebnisbericht`.
    pub id: String,
    /// Version of this form; a report keeps the version it was created with.
    pub version: String,
    pub name: String,
    pub plain_name: String,
    #[serde(default)]
    pub code_lists: BTreeMap<String, CodeList>,
    pub sections: Vec<Section>,
    /// The parts of the joint conversation, in order; without it every section is a part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<Vec<AgendaPart>>,
    /// How many years after its submission a report of this form is kept (the
    /// organisation's retention rule); none: no period, no reminder (`crate::retention`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_years: Option<u16>,
    /// How the form prints, where paper differs from the screen (`crate::paper`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper: Option<Paper>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeList {
    pub label: String,
    pub plain_label: String,
    pub codes: Vec<Code>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Code {
    /// What is stored in the document, e.g. `"3"`.
    pub code: String,
    pub label: String,
    pub plain_label: String,
    /// Choosing this code asks for a reason (goal achievement 1–3 on the KVJS form).
    #[serde(default)]
    pub needs_reason: bool,
    /// A goal with this achievement or reason does not go on into the next report (KVJS:
    /// "völlig erreicht oder übertroffen", "Ziele nicht mehr relevant").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ends_goal: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub plain_title: String,
    #[serde(default)]
    pub help: Option<String>,
    #[serde(default)]
    pub plain_help: Option<String>,
    /// The picture beside the heading in plain language; templates without one show a sheet
    /// of paper.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pictogram: Option<Pictogram>,
    /// The section and all its fields are shown only while this holds (see [`Condition`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shown_when: Option<Condition>,
    pub fields: Vec<Field>,
}

/// "Shown only while the choice `field` holds one of `any_of`": the Feedbackbogen's Anlass
/// decides which parts of the form apply (Nichtantritt: "Nachfolgende Angaben entfallen!").
///
/// A hidden field is not required and not validated; its value stays in the document, so
/// choosing the other answer again brings back what was written. The named field must be a
/// `choice` that comes earlier in the form, which keeps evaluation free of cycles; a condition
/// on a field that is itself hidden does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Id of a `choice` field earlier in the form.
    pub field: String,
    /// Codes of that field's code list; the condition holds while one of them is chosen.
    #[serde(rename = "in")]
    pub any_of: Vec<String>,
}

/// Where a follow-up form takes a field's first value from: the field `field` of a report made
/// from template `template` (the Feedbackbogen's "Individuelle Erwartung des eLb (Hier bitte die
/// Inhalte aus Erwartungsbogen einfügen)"). Used by [`crate::Report::create_follow_up`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarriedFrom {
    /// Id of the template of the earlier report, e.g. `goettingen-erwartungsbogen`.
    pub template: String,
    /// Id of the field in that template.
    pub field: String,
}

// No `deny_unknown_fields` here: serde does not support it together with `flatten` (every
// field would be refused, "kind" first). Unknown keys are refused by `FieldKind` instead, which
// receives every key `Field` does not know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub id: String,
    #[serde(flatten)]
    pub kind: FieldKind,
    pub label: String,
    pub plain_label: String,
    #[serde(default)]
    pub help: Option<String>,
    #[serde(default)]
    pub plain_help: Option<String>,
    /// Roles that may write this field. Everybody in a shared report may read every field.
    pub editors: Vec<Role>,
    /// Must be filled before the report can be signed (only while the field is shown).
    #[serde(default)]
    pub required: bool,
    /// The field is shown only while this holds (see [`Condition`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shown_when: Option<Condition>,
    /// A follow-up report created from an earlier one starts with this field's value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carried_from: Option<CarriedFrom>,
    /// The person's own words (O-Ton): only the beneficiary writes the text; the other
    /// editors may add a remark beside it, never change it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub own_words: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FieldKind {
    /// One line of text (names, phone numbers).
    ShortText,
    /// Free text over several lines.
    LongText,
    /// A calendar date. `birth_date` turns on the plausibility check for a date of birth.
    Date {
        #[serde(default)]
        birth_date: bool,
    },
    /// From–to; validation checks that "from" is not after "to".
    DateRange,
    /// One code from a code list of the template.
    Choice { code_list: String },
    /// The goals table: any number of goals, each with text, measures, achievement and reason.
    Goals {
        achievement_codes: String,
        reason_codes: String,
    },
    /// A signature line: the drawn signature, who signed and when, signed with the signer's key
    /// (see `signing.rs`). `editors` are the roles that may sign it.
    Signature {
        #[serde(default)]
        optional: bool,
    },
}

impl FieldKind {
    /// A short English name, used in error messages about the wrong kind.
    pub fn name(&self) -> &'static str {
        match self {
            FieldKind::ShortText => "short_text",
            FieldKind::LongText => "long_text",
            FieldKind::Date { .. } => "date",
            FieldKind::DateRange => "date_range",
            FieldKind::Choice { .. } => "choice",
            FieldKind::Goals { .. } => "goals",
            FieldKind::Signature { .. } => "signature",
        }
    }
}

impl Template {
    /// Parses and checks a template file. Errors name the line and the problem in German.
    pub fn from_json(json: &str) -> Result<Template, TemplateError> {
        let template: Template = serde_json::from_str(json).map_err(|e| syntax_error(json, &e))?;
        let checked = template
            .check()
            .and_then(|()| check_field_keys(&template, json));
        if let Err(problem) = checked {
            let line = Spans::of(json).line(json, &problem.at);
            return Err(problem.into_error(line));
        }
        Ok(template)
    }

    /// Parses a file a person chose: it must be UTF-8 text (a byte-order mark is allowed) and
    /// begin with `{`, so a picture or a report file gets a plain message instead of
    /// "Zeile 1, Spalte 1: …". The size limit keeps a wrong choice from freezing the page.
    pub fn from_file(bytes: &[u8]) -> Result<Template, TemplateError> {
        const MAX_BYTES: usize = 2 * 1024 * 1024;
        if bytes.len() > MAX_BYTES {
            return Err(TemplateError::NotText(format!(
                "sie ist mit {} KB zu groß (eine Vorlage hat höchstens 2048 KB).",
                bytes.len() / 1024
            )));
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = match std::str::from_utf8(bytes) {
            Ok(text) if !text.contains('\0') => text,
            _ => {
                return Err(TemplateError::NotText(
                    "sie enthält keinen Text. Eine Vorlage ist eine JSON-Datei (.json), wie sie „Herunterladen“ auf der Seite „Vorlagen“ speichert.".into(),
                ))
            }
        };
        if !text.trim_start().starts_with('{') {
            return Err(TemplateError::NotText(
                "sie beginnt nicht mit „{“. Eine Vorlage ist eine JSON-Datei (.json), wie sie „Herunterladen“ auf der Seite „Vorlagen“ speichert.".into(),
            ));
        }
        Template::from_json(text)
    }

    pub fn to_json(&self) -> String {
        // Serialising plain structs of strings, vectors and maps cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The template as a file a person can read and edit (indented, one key per line).
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields().find(|f| f.id == id)
    }

    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.sections.iter().flat_map(|s| s.fields.iter())
    }

    pub fn code_list(&self, id: &str) -> Option<&CodeList> {
        self.code_lists.get(id)
    }

    /// Runs the checks of [`Template::from_json`] on a template built or changed in code
    /// (there is no file, so the error names no line).
    pub fn verify(&self) -> Result<(), TemplateError> {
        self.check().map_err(|p| p.into_error(None))
    }

    fn check(&self) -> Result<(), Problem> {
        if self.format != FORMAT {
            return Err(Problem::format(self.format));
        }
        for (key, value) in [
            ("id", &self.id),
            ("version", &self.version),
            ("name", &self.name),
            ("plain_name", &self.plain_name),
        ] {
            if value.trim().is_empty() {
                return fail(at_path![key], format!("„{key}“ darf nicht leer sein."));
            }
        }
        if let Some(years) = self.retention_years {
            if years == 0 || years > crate::MAX_RETENTION_YEARS {
                return fail(
                    at_path!["retention_years"],
                    format!(
                        "Die Aufbewahrung muss 1 bis {} Jahre betragen, nicht {years}.",
                        crate::MAX_RETENTION_YEARS
                    ),
                );
            }
        }
        // Id and version name the template in file names, links (`#/vorlagen/<id>/<version>`)
        // and storage keys.
        for (key, value, max) in [("id", &self.id, 64), ("version", &self.version, 32)] {
            let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
            if value.len() > max || !value.chars().all(allowed) {
                return fail(
                    at_path![key],
                    format!(
                        "„{key}“ darf nur Buchstaben ohne Umlaute, Ziffern, Punkt, Binde- und Unterstrich enthalten (höchstens {max} Zeichen), nicht „{value}“."
                    ),
                );
            }
        }
        // Every text a beneficiary may see needs its hand-written plain-language version.
        let plain_help = |at: Path, place: &str, help: &Option<String>, plain: &Option<String>| {
            let has = |t: &Option<String>| t.as_deref().is_some_and(|t| !t.trim().is_empty());
            if has(help) && !has(plain) {
                fail(
                    at,
                    format!(
                        "{place}: zur Hilfe („help“) fehlt der Text in Leichter Sprache („plain_help“)."
                    ),
                )
            } else {
                Ok(())
            }
        };
        for (id, list) in &self.code_lists {
            let at = |rest: &[Seg]| {
                let mut p = at_path!["code_lists", id];
                p.extend_from_slice(rest);
                p
            };
            if list.codes.is_empty() {
                return fail(
                    at(&at_path!["codes"]),
                    format!("Die Codeliste „{id}“ ist leer."),
                );
            }
            if list.label.trim().is_empty() || list.plain_label.trim().is_empty() {
                return fail(
                    at(&[]),
                    format!("Die Codeliste „{id}“ braucht „label“ und „plain_label“."),
                );
            }
            let mut seen = HashSet::new();
            for (k, code) in list.codes.iter().enumerate() {
                let at = |key: &str| at(&at_path!["codes", k, key]);
                if !seen.insert(&code.code) {
                    return fail(
                        at("code"),
                        format!(
                            "Die Codeliste „{id}“ enthält den Code „{}“ mehrfach.",
                            code.code
                        ),
                    );
                }
                if code.code.trim().is_empty() {
                    return fail(
                        at("code"),
                        format!("Die Codeliste „{id}“ enthält einen leeren Code."),
                    );
                }
                if code.label.trim().is_empty() {
                    return fail(
                        at("label"),
                        format!(
                            "Codeliste „{id}“, Code „{}“: die Beschriftung fehlt.",
                            code.code
                        ),
                    );
                }
                if code.plain_label.trim().is_empty() {
                    return fail(
                        at("plain_label"),
                        format!(
                            "Codeliste „{id}“, Code „{}“: der Text in Leichter Sprache fehlt.",
                            code.code
                        ),
                    );
                }
            }
        }
        let mut sections = HashSet::new();
        let mut fields = HashSet::new();
        let mut goals_tables = 0;
        if self.sections.is_empty() {
            return fail(at_path!["sections"], "Die Vorlage hat keine Abschnitte.");
        }
        for (i, section) in self.sections.iter().enumerate() {
            let at = |key: &str| at_path!["sections", i, key];
            let place = format!("Abschnitt „{}“", section.id);
            if section.id.trim().is_empty() {
                return fail(at("id"), "Ein Abschnitt hat keine ID.");
            }
            if section.title.trim().is_empty() {
                return fail(at("title"), format!("{place}: der Titel fehlt."));
            }
            plain_help(at("help"), &place, &section.help, &section.plain_help)?;
            if !sections.insert(&section.id) {
                return fail(
                    at("id"),
                    format!("Der Abschnitt „{}“ kommt mehrfach vor.", section.id),
                );
            }
            if section.plain_title.trim().is_empty() {
                return fail(
                    at("plain_title"),
                    format!("{place}: der Titel in Leichter Sprache fehlt."),
                );
            }
            for (j, field) in section.fields.iter().enumerate() {
                let at = |key: &str| at_path!["sections", i, "fields", j, key];
                let place = format!("Abschnitt „{}“, Feld „{}“", section.id, field.id);
                if field.id.trim().is_empty() || field.id.contains('/') {
                    return fail(at("id"), format!("{place}: ungültige Feld-ID."));
                }
                if !fields.insert(&field.id) {
                    return fail(
                        at("id"),
                        format!("{place}: die Feld-ID kommt mehrfach vor."),
                    );
                }
                if field.label.trim().is_empty() {
                    return fail(at("label"), format!("{place}: die Beschriftung fehlt."));
                }
                if field.plain_label.trim().is_empty() {
                    return fail(
                        at("plain_label"),
                        format!("{place}: die Beschriftung in Leichter Sprache fehlt."),
                    );
                }
                plain_help(at("help"), &place, &field.help, &field.plain_help)?;
                if let FieldKind::Signature { optional: true } = field.kind {
                    if field.required {
                        return fail(
                            at("optional"),
                            format!(
                                "{place}: eine Unterschrift kann nicht zugleich „optional“ und „required“ sein."
                            ),
                        );
                    }
                }
                if field.editors.is_empty() {
                    return fail(
                        at("editors"),
                        format!("{place}: niemand darf das Feld bearbeiten („editors“)."),
                    );
                }
                if field.own_words {
                    if !matches!(field.kind, FieldKind::ShortText | FieldKind::LongText) {
                        return fail(
                            at("own_words"),
                            format!("{place}: „own_words“ gibt es nur für Textfelder."),
                        );
                    }
                    if !field.editors.contains(&Role::Beneficiary) {
                        return fail(
                            at("editors"),
                            format!(
                                "{place}: eigene Worte („own_words“) schreibt die leistungsberechtigte Person; sie fehlt in „editors“."
                            ),
                        );
                    }
                }
                let lists: Vec<(&str, &String)> = match &field.kind {
                    FieldKind::Choice { code_list } => vec![("code_list", code_list)],
                    FieldKind::Goals {
                        achievement_codes,
                        reason_codes,
                    } => {
                        goals_tables += 1;
                        if goals_tables > 1 {
                            return fail(
                                at("kind"),
                                "Eine Vorlage kann höchstens eine Zieltabelle haben.",
                            );
                        }
                        vec![
                            ("achievement_codes", achievement_codes),
                            ("reason_codes", reason_codes),
                        ]
                    }
                    _ => vec![],
                };
                for (key, list) in lists {
                    if !self.code_lists.contains_key(list) {
                        return fail(
                            at(key),
                            format!("{place}: die Codeliste „{list}“ gibt es nicht."),
                        );
                    }
                }
            }
        }
        self.check_conversation()?;
        self.check_paper()?;
        self.check_conditions()
    }

    /// Every section is talked about in exactly one part of the conversation.
    fn check_conversation(&self) -> Result<(), Problem> {
        let Some(parts) = &self.conversation else {
            return Ok(());
        };
        let invalid =
            |at: Path, m: String| fail(at, format!("Gesprächsablauf („conversation“): {m}"));
        let mut seen = HashSet::new();
        for (p, part) in parts.iter().enumerate() {
            if part.title.trim().is_empty() || part.plain_title.trim().is_empty() {
                return invalid(
                    at_path!["conversation", p],
                    "jeder Teil braucht „title“ und „plain_title“.".into(),
                );
            }
            if part.sections.is_empty() {
                return invalid(
                    at_path!["conversation", p, "sections"],
                    format!("der Teil „{}“ nennt keinen Abschnitt.", part.title),
                );
            }
            for (k, id) in part.sections.iter().enumerate() {
                let at = at_path!["conversation", p, "sections", k];
                if !self.sections.iter().any(|s| &s.id == id) {
                    return invalid(at, format!("den Abschnitt „{id}“ gibt es nicht."));
                }
                if !seen.insert(id) {
                    return invalid(at, format!("der Abschnitt „{id}“ kommt mehrfach vor."));
                }
            }
        }
        if let Some(missing) = self.sections.iter().find(|s| !seen.contains(&s.id)) {
            return invalid(
                at_path!["conversation"],
                format!("der Abschnitt „{}“ fehlt.", missing.id),
            );
        }
        Ok(())
    }

    /// Conditions must name a `choice` field earlier in the form and codes of its list;
    /// `carried_from` must name a template and a field, and not on a signature or goals table.
    fn check_conditions(&self) -> Result<(), Problem> {
        // Position of every field in form order.
        let position: BTreeMap<&str, usize> = self
            .fields()
            .enumerate()
            .map(|(i, f)| (f.id.as_str(), i))
            .collect();
        let mut next = 0;
        for (i, section) in self.sections.iter().enumerate() {
            if let Some(condition) = &section.shown_when {
                let place = format!("Abschnitt „{}“", section.id);
                let at = at_path!["sections", i, "shown_when"];
                self.check_condition(at, &place, condition, next, &position)?;
            }
            for (j, field) in section.fields.iter().enumerate() {
                let at = |key: &str| at_path!["sections", i, "fields", j, key];
                let place = format!("Abschnitt „{}“, Feld „{}“", section.id, field.id);
                if let Some(condition) = &field.shown_when {
                    self.check_condition(at("shown_when"), &place, condition, next, &position)?;
                }
                if let Some(from) = &field.carried_from {
                    if from.template.trim().is_empty() || from.field.trim().is_empty() {
                        return fail(
                            at("carried_from"),
                            format!("{place}: „carried_from“ braucht „template“ und „field“."),
                        );
                    }
                    if matches!(
                        field.kind,
                        FieldKind::Signature { .. } | FieldKind::Goals { .. }
                    ) {
                        return fail(
                            at("carried_from"),
                            format!(
                                "{place}: Unterschriften und Zieltabellen können nicht übernommen werden („carried_from“)."
                            ),
                        );
                    }
                }
                next += 1;
            }
        }
        Ok(())
    }

    /// `before`: the position of the first field the condition governs; the named field must
    /// come earlier. `at` is the condition's path in the file.
    fn check_condition(
        &self,
        at: Path,
        place: &str,
        condition: &Condition,
        before: usize,
        position: &BTreeMap<&str, usize>,
    ) -> Result<(), Problem> {
        let invalid = |key: Seg, m: String| {
            let mut at = at.clone();
            at.push(key);
            fail(at, format!("{place}: {m}"))
        };
        let name = &condition.field;
        let Some(field) = self.field(name) else {
            return invalid(
                "field".into(),
                format!("die Bedingung („shown_when“) nennt das Feld „{name}“, das es nicht gibt."),
            );
        };
        if position.get(name.as_str()).is_none_or(|&p| p >= before) {
            return invalid(
                "field".into(),
                format!(
                    "die Bedingung („shown_when“) nennt das Feld „{name}“; es muss vor diesem Feld stehen."
                ),
            );
        }
        let FieldKind::Choice { code_list } = &field.kind else {
            return invalid(
                "field".into(),
                format!(
                    "die Bedingung („shown_when“) nennt das Feld „{name}“; es muss eine Auswahl („choice“) sein."
                ),
            );
        };
        if condition.any_of.is_empty() {
            return invalid(
                "in".into(),
                "die Bedingung („shown_when“) nennt keine Codes („in“).".into(),
            );
        }
        let list = self.code_lists.get(code_list);
        for code in &condition.any_of {
            if !list.is_some_and(|l| l.codes.iter().any(|c| &c.code == code)) {
                return invalid(
                    "in".into(),
                    format!(
                        "die Bedingung („shown_when“) nennt den Code „{code}“, den es beim Feld „{name}“ (Codeliste „{code_list}“) nicht gibt."
                    ),
                );
            }
        }
        Ok(())
    }

    /// The choice fields some condition (`shown_when`) looks at: what is shown can change only
    /// when one of them does, so views follow these instead of every change.
    pub fn condition_fields(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .sections
            .iter()
            .flat_map(|s| {
                std::iter::once(s.shown_when.as_ref())
                    .chain(s.fields.iter().map(|f| f.shown_when.as_ref()))
            })
            .flatten()
            .map(|c| c.field.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Whether the field is shown, given the chosen code of each choice field (`choice`).
    /// A field of a hidden section is hidden; a condition on a hidden field does not hold.
    /// Unknown fields are hidden.
    pub fn is_field_shown(&self, id: &str, choice: &dyn Fn(&str) -> Option<String>) -> bool {
        // Conditions only point to earlier fields in a checked template; the depth limit
        // keeps a template built in code (unchecked) from recursing forever.
        self.field_shown_depth(id, choice, self.fields().count())
    }

    /// Whether the section is shown (its condition holds).
    pub fn is_section_shown(&self, id: &str, choice: &dyn Fn(&str) -> Option<String>) -> bool {
        let depth = self.fields().count();
        self.sections.iter().find(|s| s.id == id).is_some_and(|s| {
            s.shown_when
                .as_ref()
                .is_none_or(|c| self.holds(c, choice, depth))
        })
    }

    fn field_shown_depth(
        &self,
        id: &str,
        choice: &dyn Fn(&str) -> Option<String>,
        depth: usize,
    ) -> bool {
        let Some(depth) = depth.checked_sub(1) else {
            return false;
        };
        let Some(section) = self
            .sections
            .iter()
            .find(|s| s.fields.iter().any(|f| f.id == id))
        else {
            return false;
        };
        let section_ok = section
            .shown_when
            .as_ref()
            .is_none_or(|c| self.holds(c, choice, depth));
        section_ok
            && section
                .fields
                .iter()
                .find(|f| f.id == id)
                .and_then(|f| f.shown_when.as_ref())
                .is_none_or(|c| self.holds(c, choice, depth))
    }

    fn holds(
        &self,
        condition: &Condition,
        choice: &dyn Fn(&str) -> Option<String>,
        depth: usize,
    ) -> bool {
        self.field_shown_depth(&condition.field, choice, depth)
            && choice(&condition.field).is_some_and(|code| condition.any_of.contains(&code))
    }
}

/// Refuses unknown keys in field objects. serde cannot (see [`Field`]) for the kinds without
/// own keys, where a typo like `"requird": true` would otherwise be ignored silently and the
/// field would quietly not be required.
fn check_field_keys(template: &Template, json: &str) -> Result<(), Problem> {
    const COMMON: [&str; 11] = [
        "id",
        "kind",
        "label",
        "plain_label",
        "help",
        "plain_help",
        "editors",
        "required",
        "shown_when",
        "carried_from",
        "own_words",
    ];
    /// Just the keys of each field object, in file order.
    #[derive(Deserialize)]
    struct Keys {
        sections: Vec<SectionKeys>,
    }
    #[derive(Deserialize)]
    struct SectionKeys {
        fields: Vec<BTreeMap<String, serde::de::IgnoredAny>>,
    }
    let Ok(keys) = serde_json::from_str::<Keys>(json) else {
        return Ok(()); // already parsed once as a template; cannot happen
    };
    for (i, (section, in_file)) in template.sections.iter().zip(&keys.sections).enumerate() {
        for (j, (field, object)) in section.fields.iter().zip(&in_file.fields).enumerate() {
            let kind_keys: &[&str] = match field.kind {
                FieldKind::Date { .. } => &["birth_date"],
                FieldKind::Choice { .. } => &["code_list"],
                FieldKind::Goals { .. } => &["achievement_codes", "reason_codes"],
                FieldKind::Signature { .. } => &["optional"],
                _ => &[],
            };
            for key in object.keys() {
                if !COMMON.contains(&key.as_str()) && !kind_keys.contains(&key.as_str()) {
                    return fail(
                        at_path!["sections", i, "fields", j, key],
                        format!(
                            "Abschnitt „{}“, Feld „{}“: die Angabe „{key}“ ist unbekannt (Tippfehler?).",
                            section.id, field.id
                        ),
                    );
                }
            }
        }
    }
    Ok(())
}

/// A serde error as [`TemplateError::Syntax`]. When the JSON itself is fine but a value does
/// not fit (a missing key, an unknown `kind`), the message also names the section and field
/// it is in: serde reports the end of a field object, which may be a line of `}` only.
fn syntax_error(json: &str, e: &serde_json::Error) -> TemplateError {
    let mut message = german_message(e);
    let (mut line, mut column) = (e.line(), e.column());
    if e.classify() == serde_json::error::Category::Data {
        let spans = Spans::of(json);
        let offset = offset_of(json, line, column);
        // serde stops at the end of the object that holds an unknown key: point at the key.
        let unknown = e.to_string();
        let key = unknown
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split('`').next());
        if let Some(key) = key {
            let found = spans.enclosing(offset).into_iter().rev().find_map(|p| {
                let mut p = p.clone();
                p.push(Seg::Key(key.to_string()));
                spans.offset(&p)
            });
            if let Some(at) = found {
                (line, column) = line_column(json, at);
            }
        }
        if let Some(place) = place_at(&spans, json, offset) {
            message = format!("{place}: {message}");
        }
    }
    TemplateError::Syntax {
        line,
        column,
        message,
    }
}

/// 1-based line and column (in characters) of byte `offset`.
fn line_column(json: &str, offset: usize) -> (usize, usize) {
    let before = json.get(..offset).unwrap_or(json);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        line_at(json, offset),
        before[line_start..].chars().count() + 1,
    )
}

/// "Abschnitt „s“, Feld „a“" (or "Abschnitt „s“", "Codeliste „c“") for the innermost section,
/// field or code list around byte `offset`.
fn place_at(spans: &Spans, json: &str, offset: usize) -> Option<String> {
    let id = |p: &[Seg]| {
        let mut p = p.to_vec();
        p.push(Seg::Key("id".into()));
        spans.string(json, &p).unwrap_or_default()
    };
    spans
        .enclosing(offset)
        .into_iter()
        .rev()
        .find_map(|p| match p.as_slice() {
            [Seg::Key(s), Seg::Index(_), Seg::Key(f), Seg::Index(_)]
                if s == "sections" && f == "fields" =>
            {
                Some(format!("Abschnitt „{}“, Feld „{}“", id(&p[..2]), id(p)))
            }
            [Seg::Key(s), Seg::Index(_)] if s == "sections" => {
                Some(format!("Abschnitt „{}“", id(p)))
            }
            [Seg::Key(c), Seg::Key(list)] if c == "code_lists" => {
                Some(format!("Codeliste „{list}“"))
            }
            _ => None,
        })
}

/// serde_json's message in German where it is one of the usual mistakes; the position is
/// given separately, so the " at line … column …" tail is dropped.
fn german_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(i) => &full[..i],
        None => full.as_str(),
    };
    let quoted = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string)
    };
    if let Some(name) = quoted("missing field `") {
        format!("Die Angabe „{name}“ fehlt.")
    } else if let Some(name) = quoted("unknown field `") {
        format!("Die Angabe „{name}“ ist unbekannt (Tippfehler?).")
    } else if let Some(name) = quoted("unknown variant `") {
        // serde lists what it expected: "…, expected one of `a`, `b`" or "expected `a` or `b`".
        let allowed = message
            .split_once("expected ")
            .map(|(_, list)| {
                list.trim_start_matches("one of ")
                    .replace('`', "")
                    .replace(" or ", ", ")
            })
            .unwrap_or_default();
        format!("„{name}“ ist hier nicht erlaubt (erlaubt: {allowed}).")
    } else if let Some(name) = quoted("duplicate field `") {
        format!("Die Angabe „{name}“ kommt doppelt vor.")
    } else if message.starts_with("EOF while parsing") {
        "Die Datei endet mitten in einem Eintrag (fehlt eine schließende Klammer?).".to_string()
    } else if message.starts_with("trailing comma") {
        "Überzähliges Komma vor einer schließenden Klammer.".to_string()
    } else if message.starts_with("expected") || message.starts_with("key must be") {
        format!("Ungültiges JSON ({message}).")
    } else if message.starts_with("invalid type") {
        format!("Falscher Typ eines Werts ({message}).")
    } else {
        message.to_string()
    }
}

/// The shipped template files, in the order the app offers them.
pub const BUILTIN_JSON: [&str; 4] = [
    include_str!("../templates/kvjs-ergebnisbericht.json"),
    include_str!("../templates/goettingen-erwartungsbogen.json"),
    include_str!("../templates/goettingen-feedbackbogen.json"),
    include_str!("../templates/hamburg-wille-ressourcen.json"),
];

/// The templates shipped with the app, parsed. A broken built-in template is a bug caught by
/// this crate's tests, so it is skipped here rather than taking the app down.
pub fn builtin_templates() -> Vec<Template> {
    BUILTIN_JSON
        .into_iter()
        .filter_map(|json| Template::from_json(json).ok())
        .collect()
}
