//! Helpers shared by the integration tests.
#![allow(dead_code)]

use dreieck_model::{builtin_templates, Date, FieldValue, Goal, Report, Template};

pub const T0: i64 = 1_795_428_000_000;

pub fn kvjs() -> Template {
    builtin_templates()
        .into_iter()
        .find(|t| t.id == "kvjs-ergebnisbericht")
        .expect("the KVJS template is shipped and parses")
}

pub fn new_report() -> Report {
    Report::create(&kvjs(), "r1", T0).unwrap()
}

pub fn d(y: i32, m: u8, day: u8) -> Date {
    Date::from_ymd(y, m, day).unwrap()
}

/// Everything a user can see of a report, for comparing replicas.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub values: Vec<(String, FieldValue)>,
    pub conflicts: Vec<(String, Vec<String>)>,
    pub goals: Vec<Goal>,
    pub goal_conflicts: Vec<Vec<String>>,
}

pub fn snapshot(r: &Report) -> Snapshot {
    let t = r.template().clone();
    let mut values = Vec::new();
    let mut conflicts = Vec::new();
    for f in t.fields() {
        values.push((f.id.clone(), r.value(&f.id).unwrap()));
        let subs: Vec<String> = match f.kind {
            dreieck_model::FieldKind::DateRange => {
                vec![format!("{}/from", f.id), format!("{}/to", f.id)]
            }
            dreieck_model::FieldKind::Signature { .. } => vec![format!("{}/date", f.id)],
            _ => vec![f.id.clone()],
        };
        for s in subs {
            conflicts.push((s.clone(), r.conflicts(&s).unwrap()));
        }
    }
    let goals = r.goals();
    let goal_conflicts = goals
        .iter()
        .flat_map(|g| {
            [
                r.goal_conflicts(&g.id, dreieck_model::GoalScalar::Achievement).unwrap(),
                r.goal_conflicts(&g.id, dreieck_model::GoalScalar::Reason).unwrap(),
            ]
        })
        .collect();
    Snapshot {
        values,
        conflicts,
        goals,
        goal_conflicts,
    }
}
