//! The joint conversation on one tablet: who is present, and the agenda step by step.
//!
//! The agenda comes from the template: its `conversation` parts (KVJS: Allgemeines →
//! Entwicklung → Ziele → Wünsche → Unterschriften), or one part per section where a template
//! has none. The part that holds the goals table becomes one step per goal, so the goals are
//! talked through one at a time; parts whose sections are all hidden (a Feedbackbogen after
//! "Nichtantritt") are left out.
//!
//! The current step and the people present are stored in the document (root map
//! `conversation`), not on the device: a caseworker who joins from the office sees the step
//! the tablet shows, and whoever opens the report later sees who took part. A step is stored
//! by key (`"2"`, or `"2:<goal id>"` for a goal), so removing a goal or hiding a section moves
//! the conversation to the nearest step that still exists instead of to a wrong one.
//!
//! Every agenda ends with the closing summary ([`SUMMARY_STEP`], see `closing_summary.rs`):
//! what was agreed, what each person said, who still signs — read back together before the
//! conversation ends.

use automerge::transaction::Transactable;
use automerge::{ObjType, ReadDoc, ROOT};
use dreieck_texts::{fill_with, plain::PLAIN, standard::STANDARD};
use serde::{Deserialize, Serialize};

use crate::goals::GoalId;
use crate::report::key;
use crate::{ModelError, Report, Result, Role};

const STEP: &str = "step";
const PRESENT: &str = "present";
/// Longest name kept for a participant (a name, not a text).
pub const MAX_PARTICIPANT_NAME: usize = 100;
/// The key of the last step, the closing summary. Not a number, so it never names a part.
pub const SUMMARY_STEP: &str = "zusammenfassung";

/// A part of the conversation as the template names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaPart {
    pub title: String,
    pub plain_title: String,
    /// Ids of the sections talked about in this part, in form order or not.
    pub sections: Vec<String>,
}

/// One step of the agenda as the conversation walks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaStep {
    /// What is stored as the current step.
    pub key: String,
    pub title: String,
    pub plain_title: String,
    pub sections: Vec<String>,
    /// A goal step shows this goal only.
    pub goal: Option<GoalId>,
}

impl AgendaStep {
    /// The closing summary: it shows no sections but [`Report::closing_summary`].
    pub fn is_summary(&self) -> bool {
        self.key == SUMMARY_STEP
    }
}

impl Report {
    /// The template's parts, or one per section.
    fn agenda_parts(&self) -> Vec<AgendaPart> {
        match &self.template.conversation {
            Some(parts) => parts.clone(),
            None => self
                .template
                .sections
                .iter()
                .map(|s| AgendaPart {
                    title: s.title.clone(),
                    plain_title: s.plain_title.clone(),
                    sections: vec![s.id.clone()],
                })
                .collect(),
        }
    }

    /// The steps of the conversation now (they change with the goals and with choices that
    /// hide sections), the closing summary last.
    pub fn agenda(&self) -> Vec<AgendaStep> {
        let goals_section = self.goals_field().ok().and_then(|(field, _, _)| {
            self.template
                .sections
                .iter()
                .find(|s| s.fields.iter().any(|f| f.id == field.id))
                .map(|s| s.id.clone())
        });
        let mut steps = Vec::new();
        for (i, part) in self.agenda_parts().into_iter().enumerate() {
            let shown: Vec<String> = part
                .sections
                .iter()
                .filter(|s| self.is_section_shown(s))
                .cloned()
                .collect();
            if shown.is_empty() {
                continue;
            }
            let has_goals = goals_section.as_ref().is_some_and(|g| shown.contains(g));
            let goals = if has_goals { self.goals() } else { Vec::new() };
            if goals.is_empty() {
                steps.push(AgendaStep {
                    key: i.to_string(),
                    title: part.title,
                    plain_title: part.plain_title,
                    sections: shown,
                    goal: None,
                });
                continue;
            }
            for goal in goals {
                steps.push(AgendaStep {
                    key: format!("{i}:{}", goal.id),
                    title: goal_step(STANDARD.agenda_goal_step, &part.title, goal.number),
                    plain_title: goal_step(PLAIN.agenda_goal_step, &part.plain_title, goal.number),
                    sections: shown.clone(),
                    goal: Some(goal.id),
                });
            }
        }
        steps.push(AgendaStep {
            key: SUMMARY_STEP.to_string(),
            title: STANDARD.summary_read.to_string(),
            plain_title: PLAIN.summary_read.to_string(),
            sections: Vec::new(),
            goal: None,
        });
        steps
    }

    /// The index in [`Report::agenda`] of the current step: the stored one, or where it was
    /// (the same part, else the part before), or the first.
    pub fn conversation_step(&self) -> usize {
        let agenda = self.agenda();
        let Some(stored) = self
            .conversation_obj()
            .and_then(|o| self.read_scalar(&o, STEP))
        else {
            return 0;
        };
        if let Some(i) = agenda.iter().position(|s| s.key == stored) {
            return i;
        }
        let part = |k: &str| k.split(':').next().and_then(|p| p.parse::<usize>().ok());
        let Some(wanted) = part(&stored) else {
            return 0;
        };
        agenda
            .iter()
            .rposition(|s| part(&s.key).is_some_and(|p| p <= wanted))
            .unwrap_or(0)
    }

    /// Moves the conversation to the step with `key` (one of [`Report::agenda`]).
    pub fn set_conversation_step(&mut self, role: Role, key: &str) -> Result<()> {
        if !self.agenda().iter().any(|s| s.key == key) {
            return Err(ModelError::Conversation(
                "Diesen Schritt gibt es im Gespräch nicht (mehr).".into(),
            ));
        }
        self.act_as(role)?;
        self.write(|doc| {
            let obj = ensure_conversation(doc)?;
            doc.put(&obj, STEP, key)?;
            Ok(())
        })
    }

    /// Who takes part in the conversation, by role (in the order of [`Role::ALL`]).
    pub fn present(&self) -> Vec<(Role, String)> {
        let Some(present) = self
            .conversation_obj()
            .and_then(|o| self.child(&o, PRESENT, ObjType::Map))
        else {
            return Vec::new();
        };
        Role::ALL
            .into_iter()
            .filter_map(|r| Some((r, self.read_scalar(&present, r.as_str())?)))
            .collect()
    }

    /// Notes `who` as present with `name` (the name may still be empty), or as not present.
    pub fn set_present(&mut self, role: Role, who: Role, name: Option<&str>) -> Result<()> {
        let name = name.map(str::trim);
        if name.is_some_and(|n| n.chars().count() > MAX_PARTICIPANT_NAME) {
            return Err(ModelError::Conversation(format!(
                "Ein Name hat höchstens {MAX_PARTICIPANT_NAME} Zeichen."
            )));
        }
        self.act_as(role)?;
        self.write(|doc| {
            let obj = ensure_conversation(doc)?;
            let present = match doc.get(&obj, PRESENT)? {
                Some((automerge::Value::Object(ObjType::Map), id)) => id,
                _ => doc.put_object(&obj, PRESENT, ObjType::Map)?,
            };
            match name {
                Some(n) => doc.put(&present, who.as_str(), n)?,
                None => doc.delete(&present, who.as_str())?,
            }
            Ok(())
        })
    }

    /// Whether the joint conversation has begun: a step was taken or somebody noted present.
    pub(crate) fn conversation_began(&self) -> bool {
        self.conversation_obj()
            .is_some_and(|o| self.read_scalar(&o, STEP).is_some() || !self.present().is_empty())
    }

    fn conversation_obj(&self) -> Option<automerge::ObjId> {
        self.child(&ROOT, key::CONVERSATION, ObjType::Map)
    }
}

fn ensure_conversation(doc: &mut automerge::AutoCommit) -> Result<automerge::ObjId> {
    Ok(match doc.get(ROOT, key::CONVERSATION)? {
        Some((automerge::Value::Object(ObjType::Map), id)) => id,
        _ => doc.put_object(ROOT, key::CONVERSATION, ObjType::Map)?,
    })
}

/// A step for one goal of a part ("Ziele – Ziel 2").
fn goal_step(text: &str, part: &str, number: usize) -> String {
    fill_with(text, &[("part", part), ("number", &number.to_string())])
}
