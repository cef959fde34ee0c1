//! The rows Wirkungsorientierung counts, from the summaries the case list already reads: no
//! report is opened for the page, and nothing but counts is shown or exported from it.

use dreieck_model::{Date, GoalLevel, ImpactGoal};

use crate::state::case_list::{reports, Entry};

/// Every goal of every listed report, as the aggregate counts it.
pub fn impact_goals(entries: &[Entry]) -> Vec<ImpactGoal> {
    reports(entries)
        .flat_map(|s| {
            s.impact.iter().map(|g| ImpactGoal {
                person: g.person.clone(),
                report: s.id.clone(),
                period_end: g
                    .period_end
                    .as_deref()
                    .and_then(|d| Date::parse_iso(d).ok()),
                provider: g.provider.clone(),
                area: g.area.clone(),
                level: g.level.as_deref().and_then(GoalLevel::from_code),
                achievement: g.achievement,
                reason: g.reason,
                self_rating: g.self_rating,
            })
        })
        .collect()
}
