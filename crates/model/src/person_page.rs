//! The person's own view of a report: what concerns the person supported first, in the order
//! they care about, with nothing that only staff use.
//!
//! A form is laid out for the office: the provider's data, the report period, the provider's
//! rating before the person's own. The person opening their invitation wants to see their
//! words, their goals with their own rating, what others wrote about them, and where they
//! sign. This module picks and orders those parts from any template by what the template
//! already says — which fields the person may write, which are their own words, which
//! signature lines they sign — so a new template needs nothing extra. Like the closing
//! summary it is read from the report and never stored; only shown sections count.

use crate::closing_summary::{code_label, Label};
use crate::report::FieldValue;
use crate::template::{FieldKind, Section};
use crate::{Report, Role};

/// The parts of the person's view, in the order they are shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonPage {
    /// Sections in which the person writes: those with their own words first (their wishes),
    /// then the others (their name and address), each with the fields the person may write.
    pub own: Vec<OwnPart>,
    /// The goals table is shown: the view lists the goals with the person's own rating.
    pub goals: bool,
    /// What others wrote, field by field, only where something is written.
    pub by_others: Vec<Written>,
    /// The signature lines the person signs.
    pub signatures: Vec<String>,
}

/// A section of the form, with the fields of it the person writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnPart {
    pub section: String,
    pub fields: Vec<String>,
}

/// A field someone else wrote, in both language variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub field: String,
    /// The section it belongs to (its heading in the form).
    pub section: Label,
    pub about: Label,
    pub value: Label,
    /// Who writes this field (the first role the template names).
    pub writer: Role,
}

impl Report {
    /// See the module documentation.
    pub fn person_page(&self) -> PersonPage {
        let template = self.template();
        let mut page = PersonPage::default();
        let mut own_words_parts = Vec::new();
        let mut other_parts = Vec::new();
        for section in template
            .sections
            .iter()
            .filter(|s| self.is_section_shown(&s.id))
        {
            let shown = section.fields.iter().filter(|f| self.is_shown(&f.id));
            let mut own = Vec::new();
            let mut has_own_words = false;
            for field in shown {
                let person_writes = field.editors.contains(&Role::Beneficiary);
                match &field.kind {
                    FieldKind::Goals { .. } => page.goals = true,
                    FieldKind::Signature { .. } if person_writes => {
                        page.signatures.push(field.id.clone())
                    }
                    FieldKind::Signature { .. } => {}
                    _ if person_writes => {
                        has_own_words |= field.own_words;
                        own.push(field.id.clone());
                    }
                    _ => page.by_others.extend(self.written(section, &field.id)),
                }
            }
            if own.is_empty() {
                continue;
            }
            let part = OwnPart {
                section: section.id.clone(),
                fields: own,
            };
            if has_own_words {
                own_words_parts.push(part);
            } else {
                other_parts.push(part);
            }
        }
        page.own = own_words_parts;
        page.own.extend(other_parts);
        page
    }

    /// `field` as someone else wrote it, or nothing when it is empty.
    fn written(&self, section: &Section, field: &str) -> Option<Written> {
        let template = self.template();
        let f = template.field(field)?;
        let standard = self.display_value(field).ok()?;
        if standard.trim().is_empty() {
            return None;
        }
        let plain = match self.value(field).ok()? {
            FieldValue::Choice(Some(code)) => match &f.kind {
                FieldKind::Choice { code_list } => code_label(template, code_list, &code).plain,
                _ => code,
            },
            FieldValue::Date(Some(d)) => d.spoken(),
            FieldValue::DateRange(range) => match (range.from, range.to) {
                (Some(from), Some(to)) => format!("{} bis {}", from.spoken(), to.spoken()),
                (Some(from), None) => format!("ab {}", from.spoken()),
                (None, Some(to)) => format!("bis {}", to.spoken()),
                (None, None) => return None,
            },
            _ => standard.clone(),
        };
        Some(Written {
            field: field.to_string(),
            section: Label {
                standard: section.title.clone(),
                plain: section.plain_title.clone(),
            },
            about: Label {
                standard: f.label.clone(),
                plain: f.plain_label.clone(),
            },
            value: Label {
                standard: standard.trim().to_string(),
                plain: plain.trim().to_string(),
            },
            writer: f.editors.first().copied().unwrap_or(Role::Provider),
        })
    }
}
