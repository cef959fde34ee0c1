//! The paper form: how a template prints, where paper differs from the screen.
//!
//! On screen a form is ordered for writing it together (the person's wishes before the goals,
//! the signatures last); on paper it must be the Vordruck colleagues know, heading for heading:
//! the KVJS form puts the signature lines under "Allgemeine Angaben", prints the guiding
//! questions under "Entwicklung und Veränderungen", and orders the goals table's columns
//! Nr. – Ziele – Zielerreichung – Grund – Maßnahmen. That is the form's content, not the
//! program's, so it lives in the template (`paper`) and an organisation's variant changes it by
//! editing its file. Without it a template prints its sections in order under their titles.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::json_locator::{at_path, Path};
use crate::template::{fail, FieldKind, Problem, Section, Template};

/// How a template prints (`"paper"` in the template file).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paper {
    /// The form's parts in the paper's order, each under its heading. Sections no part names
    /// print after the parts, in the template's order, so none is ever left off the paper.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<PaperPart>,
    /// Sections whose heading or guiding text differs on paper, by section id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sections: BTreeMap<String, PaperSection>,
    /// Fields whose label differs on paper, by field id: the form's question with its hint in
    /// parentheses ("Individuelle Erwartung des eLb (Hier bitte die Inhalte aus
    /// Erwartungsbogen einfügen)"), where the screen puts the hint under the field.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, PaperField>,
    /// The goals table's columns in the paper's order with their headings; without it the
    /// default order of [`GoalColumn::defaults`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goal_columns: Vec<GoalColumn>,
}

/// A heading on paper with the sections printed under it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaperPart {
    pub heading: String,
    pub sections: Vec<String>,
}

/// A section as the paper has it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaperSection {
    /// The heading on paper instead of the section's title; `""` prints none (the KVJS
    /// signature lines follow the report's data without a heading of their own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Lines under the heading: the form's guiding questions, hints and instructions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A field as the paper has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaperField {
    pub label: String,
}

/// What a column of the goals table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalPart {
    Number,
    Goal,
    Measures,
    Achievement,
    Reason,
    /// The person's own rating on the same scale (not on the KVJS Vordruck; printed last).
    SelfRating,
}

/// A column of the printed goals table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalColumn {
    pub part: GoalPart,
    pub label: String,
}

impl GoalColumn {
    /// The columns of a template that names none: the KVJS order, which is the common one.
    pub fn defaults() -> Vec<GoalColumn> {
        [
            (GoalPart::Number, "Nr."),
            (GoalPart::Goal, "Ziel"),
            (GoalPart::Achievement, "Zielerreichung"),
            (GoalPart::Reason, "Grund"),
            (GoalPart::Measures, "Maßnahmen"),
            (GoalPart::SelfRating, "Einschätzung der Person"),
        ]
        .into_iter()
        .map(|(part, label)| GoalColumn {
            part,
            label: label.to_string(),
        })
        .collect()
    }
}

/// A part of the printed form: its heading (none where the template has no parts) and its
/// sections with the heading and notes each has on paper.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintedPart<'a> {
    pub heading: Option<&'a str>,
    pub sections: Vec<PrintedSection<'a>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PrintedSection<'a> {
    pub section: &'a Section,
    /// `None`: no heading on paper.
    pub title: Option<&'a str>,
    pub notes: &'a [String],
}

impl Template {
    /// The sections in the paper's order, grouped under the paper's headings.
    pub fn paper_parts(&self) -> Vec<PrintedPart<'_>> {
        let paper = self.paper.as_ref();
        let mut parts = Vec::new();
        let mut placed = HashSet::new();
        for part in paper.map(|p| p.parts.as_slice()).unwrap_or_default() {
            let sections = part
                .sections
                .iter()
                .filter_map(|id| self.sections.iter().find(|s| &s.id == id))
                .inspect(|s| {
                    placed.insert(s.id.as_str());
                })
                .map(|s| self.section_on_paper(s))
                .collect();
            parts.push(PrintedPart {
                heading: Some(part.heading.as_str()),
                sections,
            });
        }
        let rest: Vec<_> = self
            .sections
            .iter()
            .filter(|s| !placed.contains(s.id.as_str()))
            .map(|s| self.section_on_paper(s))
            .collect();
        if !rest.is_empty() {
            parts.push(PrintedPart {
                heading: None,
                sections: rest,
            });
        }
        parts
    }

    fn section_on_paper<'a>(&'a self, section: &'a Section) -> PrintedSection<'a> {
        let own = self
            .paper
            .as_ref()
            .and_then(|p| p.sections.get(&section.id));
        let title = match own.and_then(|o| o.title.as_deref()) {
            Some(t) if t.trim().is_empty() => None,
            Some(t) => Some(t),
            None => Some(section.title.as_str()),
        };
        PrintedSection {
            section,
            title,
            notes: own.map(|o| o.notes.as_slice()).unwrap_or_default(),
        }
    }

    /// A field's label on paper.
    pub fn paper_label<'a>(&'a self, field: &'a crate::template::Field) -> &'a str {
        self.paper
            .as_ref()
            .and_then(|p| p.fields.get(&field.id))
            .map_or(field.label.as_str(), |f| f.label.as_str())
    }

    /// The goals table's columns on paper.
    pub fn goal_columns(&self) -> Vec<GoalColumn> {
        match &self.paper {
            Some(p) if !p.goal_columns.is_empty() => p.goal_columns.clone(),
            _ => GoalColumn::defaults(),
        }
    }

    /// Every section a part names exists and is named once; headings and labels are not
    /// empty; a goals table's columns name each part at most once and the goal itself.
    pub(crate) fn check_paper(&self) -> Result<(), Problem> {
        let Some(paper) = &self.paper else {
            return Ok(());
        };
        let invalid = |at: Path, m: String| fail(at, format!("Druckfassung („paper“): {m}"));
        let exists = |id: &str| self.sections.iter().any(|s| s.id == id);
        let mut seen = HashSet::new();
        for (p, part) in paper.parts.iter().enumerate() {
            if part.heading.trim().is_empty() {
                return invalid(
                    at_path!["paper", "parts", p, "heading"],
                    "jeder Teil braucht eine Überschrift („heading“).".into(),
                );
            }
            for (k, id) in part.sections.iter().enumerate() {
                let at = at_path!["paper", "parts", p, "sections", k];
                if !exists(id) {
                    return invalid(at, format!("den Abschnitt „{id}“ gibt es nicht."));
                }
                if !seen.insert(id) {
                    return invalid(at, format!("der Abschnitt „{id}“ kommt mehrfach vor."));
                }
            }
        }
        for (id, section) in &paper.sections {
            let at = at_path!["paper", "sections", id];
            if !exists(id) {
                return invalid(at, format!("den Abschnitt „{id}“ gibt es nicht."));
            }
            if section.notes.iter().any(|n| n.trim().is_empty()) {
                return invalid(
                    at,
                    format!("der Abschnitt „{id}“ hat eine leere Zeile in „notes“."),
                );
            }
        }
        for (id, field) in &paper.fields {
            let at = at_path!["paper", "fields", id];
            if self.field(id).is_none() {
                return invalid(at, format!("das Feld „{id}“ gibt es nicht."));
            }
            if field.label.trim().is_empty() {
                return invalid(
                    at,
                    format!("das Feld „{id}“ braucht eine Beschriftung („label“)."),
                );
            }
        }
        if paper.goal_columns.is_empty() {
            return Ok(());
        }
        if !self
            .fields()
            .any(|f| matches!(f.kind, FieldKind::Goals { .. }))
        {
            return invalid(
                at_path!["paper", "goal_columns"],
                "„goal_columns“ gibt es nur in Vorlagen mit einer Zieltabelle.".into(),
            );
        }
        let mut parts = HashSet::new();
        for (c, column) in paper.goal_columns.iter().enumerate() {
            let at = at_path!["paper", "goal_columns", c];
            if column.label.trim().is_empty() {
                return invalid(at, "jede Spalte braucht eine Überschrift („label“).".into());
            }
            if !parts.insert(column.part) {
                return invalid(at, "eine Spalte kommt mehrfach vor.".into());
            }
        }
        if !parts.contains(&GoalPart::Goal) {
            return invalid(
                at_path!["paper", "goal_columns"],
                "die Spalte mit dem Ziel („goal“) fehlt.".into(),
            );
        }
        Ok(())
    }
}
