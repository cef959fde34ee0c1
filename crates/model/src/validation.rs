//! What is missing or implausible before a report can be signed, in German.

use crate::{Date, Report};

/// One thing to fix, pointing at the field (and goal) it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub goal: Option<String>,
    pub message: String,
}

/// Lists required fields that are empty, dates out of order or implausible, goals without
/// text or rating, and ratings that need a reason but have none. `today` comes from the caller.
pub fn validate(report: &Report, today: Date) -> Vec<Problem> {
    let _ = (report, today);
    todo!()
}
