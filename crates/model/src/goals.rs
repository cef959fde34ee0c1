//! The goals table ("Ziele und Maßnahmen").

use crate::{Report, Result, Role};

/// A goal's random id (hex); stable across moves and merges.
pub type GoalId = String;

/// One row of the goals table, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    pub id: GoalId,
    /// "Nr." on the form: 1-based position in the current order.
    pub number: usize,
    pub text: String,
    pub measures: String,
    pub achievement: Option<String>,
    pub reason: Option<String>,
    /// The chosen achievement asks for a reason (1–3 on the KVJS scale).
    pub needs_reason: bool,
}

/// The scalar parts of a goal, for reading conflicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalScalar {
    Achievement,
    Reason,
}

impl Report {
    /// The goals in their order.
    pub fn goals(&self) -> Vec<Goal> {
        todo!()
    }

    /// Appends an empty goal and returns its id.
    pub fn add_goal(&mut self, role: Role) -> Result<GoalId> {
        let _ = role;
        todo!()
    }

    pub fn remove_goal(&mut self, role: Role, goal: &str) -> Result<()> {
        let _ = (role, goal);
        todo!()
    }

    /// Moves a goal to `index` (0-based) in the current order.
    pub fn move_goal(&mut self, role: Role, goal: &str, index: usize) -> Result<()> {
        let _ = (role, goal, index);
        todo!()
    }

    pub fn set_goal_text(&mut self, role: Role, goal: &str, text: &str) -> Result<()> {
        let _ = (role, goal, text);
        todo!()
    }

    pub fn set_goal_measures(&mut self, role: Role, goal: &str, text: &str) -> Result<()> {
        let _ = (role, goal, text);
        todo!()
    }

    /// Sets the Zielerreichung code; must be in the template's achievement list.
    pub fn set_goal_achievement(&mut self, role: Role, goal: &str, code: Option<&str>) -> Result<()> {
        let _ = (role, goal, code);
        todo!()
    }

    /// Sets the Grund bei Nichterreichung code; must be in the template's reason list.
    pub fn set_goal_reason(&mut self, role: Role, goal: &str, code: Option<&str>) -> Result<()> {
        let _ = (role, goal, code);
        todo!()
    }

    /// Every concurrently set value of a goal's achievement or reason, winner first.
    pub fn goal_conflicts(&self, goal: &str, which: GoalScalar) -> Result<Vec<String>> {
        let _ = (goal, which);
        todo!()
    }
}
