//! The goals table ("Ziele und Maßnahmen").
//!
//! Goals are entries of the root `goals` map, keyed by id, ordered by a fractional position
//! `pos` (ties broken by id, so every replica shows the same order). Adding appends after the
//! largest position; moving sets the moved goal's position between its new neighbours; only
//! when that gap has become too small to split are the positions renumbered 1, 2, 3, ….
//! Concurrent moves of the same goal are an ordinary scalar conflict on `pos`: one wins, the
//! goal appears once, and nobody's text is lost.

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ReadDoc};

use crate::report::{key, write_scalar};
use crate::template::{Field, FieldKind};
use crate::{ModelError, Report, Result, Role};

/// A goal's id: the hex actor id of the replica that added it and that replica's count of
/// changes at the time (`<actor>-<n>`). Actor ids are random per replica and the count only
/// grows there, so ids never collide across replicas; stable across moves and merges.
pub type GoalId = String;

/// One row of the goals table, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    pub id: GoalId,
    /// "Nr." on the form: 1-based position in the current order.
    pub number: usize,
    pub text: String,
    /// "Maßnahmen", each with who carries it out and by when; may hold blank ones to fill in.
    pub measures: Vec<crate::Measure>,
    pub achievement: Option<String>,
    pub reason: Option<String>,
    /// The chosen achievement asks for a reason (1–3 on the KVJS scale).
    pub needs_reason: bool,
    /// The person supported rates the goal too, on the same scale ("Selbsteinschätzung").
    /// Kept beside the provider's achievement, never merged with it.
    pub self_rating: Option<String>,
    /// Both ratings are given and differ: something to talk about, not to resolve.
    pub ratings_differ: bool,
    /// Level, target day, life area, where it came from.
    pub plan: crate::GoalPlan,
}

/// The scalar parts of a goal, for reading conflicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalScalar {
    Achievement,
    Reason,
    SelfRating,
}

/// The typed parts of a goal, for splicing keystrokes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GoalText {
    /// "Nennung der Ziele"
    Text,
    /// One of the "Maßnahmen" ([`crate::MAIN_MEASURE`] is the first).
    Measure(crate::MeasureId),
}

impl GoalText {
    /// The goal's first measure.
    pub fn main_measure() -> GoalText {
        GoalText::Measure(crate::MAIN_MEASURE.to_string())
    }

    /// Where it lies below the goal's map, as one path segment (`text`, `measures` or
    /// `measure:<id>`): a key for undo histories and views.
    pub fn key(&self) -> String {
        match self {
            GoalText::Text => key::TEXT.to_string(),
            GoalText::Measure(m) => {
                crate::measures::item_key(m).unwrap_or_else(|| key::MEASURES.to_string())
            }
        }
    }
}

impl crate::Goal {
    /// The measures with something written in them.
    pub fn given_measures(&self) -> impl Iterator<Item = &crate::Measure> {
        self.measures.iter().filter(|m| !m.is_blank())
    }

    /// The measures with something written in them, as drafts for another goal.
    pub fn measure_drafts(&self) -> Vec<crate::MeasureDraft> {
        self.given_measures()
            .cloned()
            .map(crate::MeasureDraft::from)
            .collect()
    }

    /// The measures' texts, one per line (for the CSV's and the spoken form's single cell).
    pub fn measures_text(&self) -> String {
        self.given_measures()
            .map(|m| m.text.trim())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// What the person's own rating is called in messages.
pub const SELF_RATING_LABEL: &str = "Selbsteinschätzung";

/// Below this gap between neighbours a move renumbers all positions instead of halving again.
const MIN_GAP: f64 = 1e-6;

impl Report {
    /// The goals in their order.
    pub fn goals(&self) -> Vec<Goal> {
        let achievement_list = self
            .goals_field()
            .ok()
            .and_then(|(_, a, _)| self.template.code_list(a).cloned());
        self.ordered_goals()
            .into_iter()
            .enumerate()
            .map(|(i, (id, _, obj))| {
                let text = |k: &str| {
                    self.child(&obj, k, ObjType::Text)
                        .and_then(|t| self.doc.text(&t).ok())
                        .unwrap_or_default()
                };
                let achievement = self.read_scalar(&obj, key::ACHIEVEMENT);
                let self_rating = self.read_scalar(&obj, key::SELF_RATING);
                let ratings_differ =
                    matches!((&achievement, &self_rating), (Some(a), Some(s)) if a != s);
                let needs_reason = match (&achievement, &achievement_list) {
                    (Some(code), Some(list)) => {
                        list.codes.iter().any(|c| &c.code == code && c.needs_reason)
                    }
                    _ => false,
                };
                Goal {
                    number: i + 1,
                    text: text(key::TEXT),
                    measures: self.measures_of(&obj),
                    reason: self.read_scalar(&obj, key::REASON),
                    achievement,
                    needs_reason,
                    self_rating,
                    ratings_differ,
                    plan: self.plan_of(&obj),
                    id,
                }
            })
            .collect()
    }

    /// Appends an empty goal and returns its id.
    pub fn add_goal(&mut self, role: Role) -> Result<GoalId> {
        self.add_goals(role, &[crate::GoalDraft::default()])?
            .into_iter()
            .next()
            .ok_or(ModelError::UnknownGoal)
    }

    pub fn remove_goal(&mut self, role: Role, goal: &str) -> Result<()> {
        let field_id = self.goals_field()?.0.id.clone();
        self.begin_edit(role, &field_id)?;
        self.goal_obj(goal)?;
        let goals = self.goals_obj()?;
        self.write(|doc| {
            doc.delete(&goals, goal)?;
            Ok(())
        })
    }

    /// Moves a goal to `index` (0-based) in the current order.
    ///
    /// An index past the end moves the goal to the end.
    pub fn move_goal(&mut self, role: Role, goal: &str, index: usize) -> Result<()> {
        let field_id = self.goals_field()?.0.id.clone();
        self.begin_edit(role, &field_id)?;
        let goal_obj = self.goal_obj(goal)?;
        let mut order = self.ordered_goals();
        let Some(current) = order.iter().position(|(id, _, _)| id == goal) else {
            return Err(ModelError::UnknownGoal);
        };
        let moved = order.remove(current);
        let index = index.min(order.len());
        if index == current {
            return Ok(());
        }
        let before = index.checked_sub(1).map(|i| order[i].1);
        let after = order.get(index).map(|g| g.1);
        let new_pos = match (before, after) {
            (None, None) => None,
            (Some(lo), None) => Some(lo.floor() + 1.0),
            (None, Some(hi)) => Some(hi.ceil() - 1.0),
            (Some(lo), Some(hi)) => {
                let mid = lo + (hi - lo) / 2.0;
                (hi - lo >= MIN_GAP && lo < mid && mid < hi).then_some(mid)
            }
        };
        match new_pos {
            Some(pos) if pos.is_finite() => self.write(|doc| {
                doc.put(&goal_obj, key::POS, pos)?;
                Ok(())
            }),
            _ => {
                // Renumber: the new order gets positions 1, 2, 3, …; only changed ones are written.
                order.insert(index, moved);
                self.write(|doc| {
                    for (i, (_, old, obj)) in order.iter().enumerate() {
                        let pos = (i + 1) as f64;
                        if *old != pos || obj == &goal_obj {
                            doc.put(obj, key::POS, pos)?;
                        }
                    }
                    Ok(())
                })
            }
        }
    }

    pub fn set_goal_text(&mut self, role: Role, goal: &str, text: &str) -> Result<()> {
        self.set_goal_part(role, goal, GoalText::Text, text)
    }

    /// Replaces the text of the goal's first measure.
    pub fn set_goal_measures(&mut self, role: Role, goal: &str, text: &str) -> Result<()> {
        self.set_measure_text(role, goal, crate::MAIN_MEASURE, text)
    }

    /// Deletes `delete` characters at `pos` (Unicode scalar values) of a goal's text or
    /// measures and inserts `insert`; positions are clamped like [`Report::splice_text`].
    pub fn splice_goal_text(
        &mut self,
        role: Role,
        goal: &str,
        part: GoalText,
        pos: usize,
        delete: usize,
        insert: &str,
    ) -> Result<()> {
        let field_id = self.goals_field()?.0.id.clone();
        self.begin_edit(role, &field_id)?;
        let obj = self.goal_text_object(goal, &part)?;
        self.splice_obj(&obj, pos, delete, insert)
    }

    /// The Automerge Text of a goal's text or one of its measures, to map patches to goals.
    pub fn goal_text_object(&self, goal: &str, part: &GoalText) -> Result<ObjId> {
        match part {
            GoalText::Text => {
                let obj = self.goal_obj(goal)?;
                self.child(&obj, key::TEXT, ObjType::Text)
                    .ok_or(ModelError::UnknownGoal)
            }
            GoalText::Measure(m) => self.measure_text_object(goal, m),
        }
    }

    /// Sets the Zielerreichung code; must be in the template's achievement list.
    pub fn set_goal_achievement(
        &mut self,
        role: Role,
        goal: &str,
        code: Option<&str>,
    ) -> Result<()> {
        self.set_goal_scalar(role, goal, GoalScalar::Achievement, code)
    }

    /// Sets the Grund bei Nichterreichung code; must be in the template's reason list.
    pub fn set_goal_reason(&mut self, role: Role, goal: &str, code: Option<&str>) -> Result<()> {
        self.set_goal_scalar(role, goal, GoalScalar::Reason, code)
    }

    /// The person supported rates a goal themselves, on the achievement scale. Only they can:
    /// whoever else holds the tablet cannot put a rating in their mouth.
    pub fn set_goal_self_rating(
        &mut self,
        role: Role,
        goal: &str,
        code: Option<&str>,
    ) -> Result<()> {
        if role != Role::Beneficiary {
            return Err(ModelError::NotPermitted {
                field: SELF_RATING_LABEL.to_string(),
                role,
            });
        }
        let (_, achievement, _) = self.goals_field()?;
        let list = achievement.to_string();
        if let Some(code) = code {
            self.check_code(SELF_RATING_LABEL, &list, code)?;
        }
        let obj = self.goal_obj(goal)?;
        self.act_as(role)?;
        self.write(|doc| write_scalar(doc, &obj, key::SELF_RATING, code.map(str::to_string)))
    }

    /// Every concurrently set value of a goal's achievement or reason, winner first.
    pub fn goal_conflicts(&self, goal: &str, which: GoalScalar) -> Result<Vec<String>> {
        let obj = self.goal_obj(goal)?;
        Ok(self.all_values(&obj, scalar_key(which)))
    }

    // ---- internals --------------------------------------------------------------------

    /// The goals field and the ids of its achievement and reason code lists.
    pub(crate) fn goals_field(&self) -> Result<(&Field, &str, &str)> {
        self.template
            .fields()
            .find_map(|f| match &f.kind {
                FieldKind::Goals {
                    achievement_codes,
                    reason_codes,
                } => Some((f, achievement_codes.as_str(), reason_codes.as_str())),
                _ => None,
            })
            .ok_or_else(|| ModelError::UnknownField("goals".into()))
    }

    pub(crate) fn goals_obj(&self) -> Result<ObjId> {
        self.child(&automerge::ROOT, key::GOALS, ObjType::Map)
            .ok_or_else(|| {
                ModelError::NotAReport("Der Bericht ist beschädigt: „goals“ fehlt.".into())
            })
    }

    pub(crate) fn goal_obj(&self, goal: &str) -> Result<ObjId> {
        let goals = self.goals_obj()?;
        self.child(&goals, goal, ObjType::Map)
            .ok_or(ModelError::UnknownGoal)
    }

    /// (id, position, object) of every goal, in display order.
    pub(crate) fn ordered_goals(&self) -> Vec<(String, f64, ObjId)> {
        let Ok(goals) = self.goals_obj() else {
            return Vec::new();
        };
        let mut out: Vec<(String, f64, ObjId)> = self
            .doc
            .keys(&goals)
            .filter_map(|id| {
                let obj = self.child(&goals, &id, ObjType::Map)?;
                Some((id, self.position(&obj), obj))
            })
            .collect();
        out.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// A goal's or a measure's fractional position (0 when missing or not a number).
    pub(crate) fn position(&self, obj: &ObjId) -> f64 {
        match self.doc.get(obj, key::POS) {
            Ok(Some((value, _))) => value
                .as_f64()
                .or_else(|| value.as_i64().map(|v| v as f64))
                .or_else(|| value.as_u64().map(|v| v as f64))
                .unwrap_or(0.0),
            _ => 0.0,
        }
    }

    /// The goal's text or a measure's (an error when the goal or the measure is missing).
    pub fn goal_text(&self, goal: &str, part: &GoalText) -> Result<String> {
        let obj = self.goal_text_object(goal, part)?;
        Ok(self.doc.text(&obj)?)
    }

    fn set_goal_part(&mut self, role: Role, goal: &str, part: GoalText, text: &str) -> Result<()> {
        let field_id = self.goals_field()?.0.id.clone();
        self.begin_edit(role, &field_id)?;
        let obj = self.goal_text_object(goal, &part)?;
        self.replace_text(&obj, text)
    }

    fn set_goal_scalar(
        &mut self,
        role: Role,
        goal: &str,
        which: GoalScalar,
        code: Option<&str>,
    ) -> Result<()> {
        let (field, achievement, reason) = self.goals_field()?;
        let field = field.clone();
        let list = match which {
            GoalScalar::Achievement | GoalScalar::SelfRating => achievement.to_string(),
            GoalScalar::Reason => reason.to_string(),
        };
        self.begin_edit(role, &field.id)?;
        if let Some(code) = code {
            // Name the column ("Zielerreichung"), not the whole table, in the message.
            let label = self
                .template
                .code_list(&list)
                .map(|l| l.label.clone())
                .unwrap_or_else(|| field.label.clone());
            self.check_code(&label, &list, code)?;
        }
        let obj = self.goal_obj(goal)?;
        self.write(|doc| write_scalar(doc, &obj, scalar_key(which), code.map(str::to_string)))
    }
}

fn scalar_key(which: GoalScalar) -> &'static str {
    match which {
        GoalScalar::Achievement => key::ACHIEVEMENT,
        GoalScalar::Reason => key::REASON,
        GoalScalar::SelfRating => key::SELF_RATING,
    }
}
