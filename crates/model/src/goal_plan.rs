//! What a goal is planned as, beside its text: its level (Wirkungs-, Bereichs- or
//! Handlungsziel, seed 001), the day it is to be reached (the "T" of SMART), its life area, and
//! where it came from — continued from the previous report of the
//! same person, taken from the Gesamtplan, or new in this report (seed 000: "Die Ziele von
//! Gesamtplan und Ergebnisbericht sind identisch"; the next report continues the last one).
//!
//! Who carries out each measure and by when belongs to the measure ([`crate::measures`]).
//!
//! Stored as scalars in the goal's map (`level`, `target`, `origin`, `area`): each is one person's decision, so a concurrent edit is an ordinary conflict where
//! one value wins, as for the achievement. The trust rules check each on every device.

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ReadDoc};

use crate::goals::GoalId;
use crate::measures::{check_measure_by, put_measures, MeasureDraft};
use crate::report::{key, write_scalar};
use crate::{Date, ModelError, Report, Result, Role};

/// The level of a goal in the Gesamtplan's hierarchy (seed 001, Ulm: "Wirkungsziele,
/// Bereichsziele, Handlungsziele").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GoalLevel {
    /// The long-term effect the person wants in their life.
    Wirkungsziel,
    /// What is to change in one life area.
    Bereichsziel,
    /// A concrete step, with a date.
    Handlungsziel,
}

impl GoalLevel {
    pub const ALL: [GoalLevel; 3] = [
        GoalLevel::Wirkungsziel,
        GoalLevel::Bereichsziel,
        GoalLevel::Handlungsziel,
    ];

    /// What is stored.
    pub fn code(self) -> &'static str {
        match self {
            GoalLevel::Wirkungsziel => "wirkungsziel",
            GoalLevel::Bereichsziel => "bereichsziel",
            GoalLevel::Handlungsziel => "handlungsziel",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            GoalLevel::Wirkungsziel => "Wirkungsziel",
            GoalLevel::Bereichsziel => "Bereichsziel",
            GoalLevel::Handlungsziel => "Handlungsziel",
        }
    }

    /// Leichte Sprache: what the level means, not its name.
    pub fn plain_label(self) -> &'static str {
        match self {
            GoalLevel::Wirkungsziel => "Ein großes Ziel für Ihr Leben",
            GoalLevel::Bereichsziel => "Ein Ziel für einen Teil von Ihrem Leben",
            GoalLevel::Handlungsziel => "Ein kleiner Schritt",
        }
    }

    pub fn from_code(code: &str) -> Option<GoalLevel> {
        GoalLevel::ALL.into_iter().find(|l| l.code() == code)
    }
}

/// Where a goal came from; a goal without an origin was set in this report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GoalOrigin {
    /// Carried over from the previous report of the same person.
    Continued,
    /// Taken from the Gesamtplan (or the provider's Hilfeplanung) as a list.
    Gesamtplan,
}

impl GoalOrigin {
    pub fn code(self) -> &'static str {
        match self {
            GoalOrigin::Continued => "fortgeschrieben",
            GoalOrigin::Gesamtplan => "gesamtplan",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            GoalOrigin::Continued => "aus dem letzten Bericht fortgeschrieben",
            GoalOrigin::Gesamtplan => "aus dem Gesamtplan übernommen",
        }
    }

    pub fn plain_label(self) -> &'static str {
        match self {
            GoalOrigin::Continued => "Das Ziel war schon im letzten Bericht.",
            GoalOrigin::Gesamtplan => "Das Ziel steht im Gesamt-Plan.",
        }
    }

    pub fn from_code(code: &str) -> Option<GoalOrigin> {
        [GoalOrigin::Continued, GoalOrigin::Gesamtplan]
            .into_iter()
            .find(|o| o.code() == code)
    }
}

/// The planning parts of one goal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoalPlan {
    pub level: Option<GoalLevel>,
    /// The day the goal is to be reached.
    pub target: Option<Date>,
    /// `None`: new in this report.
    pub origin: Option<GoalOrigin>,
    /// The life area the goal belongs to: a code of [`crate::HELP_AREAS`], the one list the
    /// planning level adds up across forms (Wirkungsorientierung by life area).
    pub area: Option<String>,
}

/// A goal to add with its content: continued from a previous report or taken from a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoalDraft {
    pub text: String,
    pub measures: Vec<MeasureDraft>,
    pub plan: GoalPlan,
}

impl GoalPlan {
    /// The scalars as stored, in the order written.
    fn stored(&self) -> [(&'static str, Option<String>); 4] {
        [
            (key::LEVEL, self.level.map(|l| l.code().to_string())),
            (key::TARGET, self.target.map(|d| d.iso())),
            (key::ORIGIN, self.origin.map(|o| o.code().to_string())),
            (
                key::AREA,
                self.area.clone().filter(|a| crate::help_area(a).is_some()),
            ),
        ]
    }
}

impl Report {
    /// The planning parts of a goal; values another program wrote that do not parse read as
    /// empty.
    pub fn goal_plan(&self, goal: &str) -> Result<GoalPlan> {
        let obj = self.goal_obj(goal)?;
        Ok(self.plan_of(&obj))
    }

    pub(crate) fn plan_of(&self, obj: &ObjId) -> GoalPlan {
        GoalPlan {
            level: self
                .read_scalar(obj, key::LEVEL)
                .and_then(|c| GoalLevel::from_code(&c)),
            target: self.read_date(obj, key::TARGET),
            origin: self
                .read_scalar(obj, key::ORIGIN)
                .and_then(|c| GoalOrigin::from_code(&c)),
            area: self
                .read_scalar(obj, key::AREA)
                .filter(|a| crate::help_area(a).is_some()),
        }
    }

    pub fn set_goal_level(
        &mut self,
        role: Role,
        goal: &str,
        level: Option<GoalLevel>,
    ) -> Result<()> {
        self.set_plan_scalar(role, goal, key::LEVEL, level.map(|l| l.code().to_string()))
    }

    /// The goal's life area (a code of [`crate::HELP_AREAS`]); `None` clears it.
    pub fn set_goal_area(&mut self, role: Role, goal: &str, area: Option<&str>) -> Result<()> {
        if let Some(a) = area {
            if crate::help_area(a).is_none() {
                return Err(ModelError::Workflow(format!(
                    "„{a}“ ist kein bekannter Lebensbereich."
                )));
            }
        }
        self.set_plan_scalar(role, goal, key::AREA, area.map(str::to_string))
    }

    pub fn set_goal_target(&mut self, role: Role, goal: &str, day: Option<Date>) -> Result<()> {
        self.set_plan_scalar(role, goal, key::TARGET, day.map(|d| d.iso()))
    }

    /// Adds goals after the existing ones, with their text, measures and plan, as one change:
    /// a list taken from the Gesamtplan arrives whole or not at all.
    pub fn add_goals(&mut self, role: Role, drafts: &[GoalDraft]) -> Result<Vec<GoalId>> {
        for m in drafts.iter().flat_map(|d| &d.measures) {
            check_measure_by(m.by.trim())?;
        }
        let field_id = self.goals_field()?.0.id.clone();
        self.begin_edit(role, &field_id)?;
        let goals = self.goals_obj()?;
        self.commit_pending();
        let actor = self.actor_hex();
        let mut n = self.change_count();
        let mut pos = self
            .ordered_goals()
            .last()
            .map(|(_, pos, _)| pos.floor() + 1.0)
            .unwrap_or(1.0);
        let mut planned = Vec::new();
        for d in drafts {
            let mut id = format!("{actor}-{n}");
            while self.doc.get(&goals, id.as_str()).ok().flatten().is_some()
                || planned.iter().any(|(i, _, _)| i == &id)
            {
                n += 1;
                id = format!("{actor}-{n}");
            }
            n += 1;
            planned.push((id, pos, d));
            pos += 1.0;
        }
        self.write(|doc| {
            for (id, pos, d) in &planned {
                put_goal(doc, &goals, id, *pos, d)?;
            }
            Ok(())
        })?;
        Ok(planned.into_iter().map(|(id, _, _)| id).collect())
    }

    /// The goals that go on into the next report, as drafts marked as continued: text,
    /// measures and plan, without this period's ratings. A goal whose achievement or reason
    /// ends it (`Code::ends_goal`: reached, no longer relevant) stays behind.
    pub fn continuing_goals(&self) -> Vec<GoalDraft> {
        let Ok((_, achievement, reason)) = self.goals_field() else {
            return Vec::new();
        };
        let ends = |list: &str, code: &Option<String>| {
            code.as_ref().is_some_and(|code| {
                self.template
                    .code_list(list)
                    .is_some_and(|l| l.codes.iter().any(|c| &c.code == code && c.ends_goal))
            })
        };
        self.goals()
            .into_iter()
            .filter(|g| !ends(achievement, &g.achievement) && !ends(reason, &g.reason))
            .filter(|g| !g.text.trim().is_empty())
            .map(|g| GoalDraft {
                measures: g.measure_drafts(),
                text: g.text,
                plan: GoalPlan {
                    origin: Some(GoalOrigin::Continued),
                    ..g.plan
                },
            })
            .collect()
    }

    /// Writes goals into a report being created (no role: the creation is the owner's one
    /// change, like the carried fields).
    pub(crate) fn write_goals(&mut self, drafts: &[GoalDraft]) -> Result<()> {
        let goals = self.goals_obj()?;
        let actor = self.actor_hex();
        for (i, d) in drafts.iter().enumerate() {
            let id = format!("{actor}-c{i}");
            put_goal(&mut self.doc, &goals, &id, (i + 1) as f64, d)?;
        }
        Ok(())
    }

    fn set_plan_scalar(
        &mut self,
        role: Role,
        goal: &str,
        k: &'static str,
        value: Option<String>,
    ) -> Result<()> {
        let field_id = self.goals_field()?.0.id.clone();
        self.begin_edit(role, &field_id)?;
        let obj = self.goal_obj(goal)?;
        self.write(|doc| write_scalar(doc, &obj, k, value))
    }
}

/// Writes one goal's map: position, text, measures and the plan's values that are set.
fn put_goal(
    doc: &mut automerge::AutoCommit,
    goals: &ObjId,
    id: &str,
    pos: f64,
    d: &GoalDraft,
) -> Result<()> {
    let goal = doc.put_object(goals, id, ObjType::Map)?;
    doc.put(&goal, key::POS, pos)?;
    let text = doc.put_object(&goal, key::TEXT, ObjType::Text)?;
    doc.splice_text(&text, 0, 0, d.text.trim())?;
    put_measures(doc, &goal, &d.measures)?;
    for (k, v) in d.plan.stored() {
        if let Some(v) = v {
            doc.put(&goal, k, v)?;
        }
    }
    Ok(())
}
