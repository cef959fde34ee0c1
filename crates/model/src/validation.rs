//! What is missing or implausible before a report can be signed, in German.
//!
//! What "required" means depends on the kind: text must contain more than blanks, a date or
//! choice must be set, a period needs both ends, a signature line needs name and date, the goals
//! table needs at least one goal. Independently of "required", what is filled must be plausible
//! (period in order, birth date neither in the future nor more than 120 years back), every goal
//! must be complete, and concurrently set values must be resolved before anyone signs.
//!
//! A signature line counts as signed when it holds a signature record (see `signing.rs`); a
//! typed name and date alone are not a signature. An invalid signature is a problem; a genuine
//! signature for an earlier version of the report is a note (`Problem::note`): the signer should
//! look at what changed and sign again, but nothing is wrong with the report itself.
//!
//! Fields hidden by a condition (`shown_when`, see [`crate::Condition`]) are skipped entirely.

use dreieck_texts::{fill_with, plain::PLAIN, standard::STANDARD, Texts};

use crate::report::FieldValue;
use crate::template::{Field, FieldKind};
use crate::{Date, GoalScalar, Report, Verification};

/// One thing to fix, pointing at the field (and goal) it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub goal: Option<String>,
    pub message: String,
    /// The same in Leichte Sprache (the field's plain label in it).
    pub plain_message: String,
    /// Information rather than something to fix before signing (a signature that covers an
    /// earlier version of the report).
    pub note: bool,
}

/// The oldest plausible age, in years, for a date of birth.
const MAX_AGE_YEARS: i32 = 120;

/// Lists required fields that are empty, dates out of order or implausible, goals without
/// text or rating, and ratings that need a reason but have none. `today` comes from the caller.
pub fn validate(report: &Report, today: Date) -> Vec<Problem> {
    check(report, today, true)
}

/// Like [`validate`], but leaves the signature lines out: what must be complete before the
/// first person signs.
pub fn validate_before_signing(report: &Report, today: Date) -> Vec<Problem> {
    check(report, today, false)
}

fn check(report: &Report, today: Date, signatures: bool) -> Vec<Problem> {
    let mut problems = Vec::new();
    for field in report.template().fields() {
        if !signatures && matches!(field.kind, FieldKind::Signature { .. }) {
            continue;
        }
        // A field whose condition does not hold does not apply to this report (Feedbackbogen,
        // Nichtantritt: "Nachfolgende Angaben entfallen!"): not required, not checked.
        if !report.is_shown(&field.id) {
            continue;
        }
        check_field(report, field, today, &mut problems);
    }
    problems
}

/// A problem's text in both variants: `text` picks the catalogue entry, `values` fill its
/// named places; `{label}` is the field's label in the variant's words.
fn worded(
    field: &Field,
    text: fn(&'static Texts) -> &'static str,
    values: &[(&str, &str)],
) -> (String, String) {
    let say = |t: &'static Texts, label: &str| {
        let mut all = vec![("label", label)];
        all.extend_from_slice(values);
        fill_with(text(t), &all)
    };
    let plain_label = if field.plain_label.trim().is_empty() {
        &field.label
    } else {
        &field.plain_label
    };
    (say(&STANDARD, &field.label), say(&PLAIN, plain_label))
}

fn check_field(report: &Report, field: &Field, today: Date, out: &mut Vec<Problem>) {
    let mut push = |text: fn(&'static Texts) -> &'static str, values: &[(&str, &str)]| {
        let (message, plain_message) = worded(field, text, values);
        out.push(Problem {
            field: field.id.clone(),
            goal: None,
            message,
            plain_message,
            note: false,
        })
    };
    let Ok(value) = report.value(&field.id) else {
        push(|t| t.check_unreadable, &[]);
        return;
    };
    let conflict = report.has_conflict(&field.id).unwrap_or(false);
    match value {
        FieldValue::Text(text) => {
            if field.required && text.trim().is_empty() {
                push(|t| t.check_fill, &[]);
            }
        }
        FieldValue::Date(date) => match date {
            None if field.required => push(|t| t.check_fill, &[]),
            None => {}
            Some(date) => {
                if matches!(field.kind, FieldKind::Date { birth_date: true }) {
                    if date > today {
                        push(|t| t.check_birth_future, &[]);
                    } else if date < years_before(today, MAX_AGE_YEARS) {
                        push(
                            |t| t.check_birth_old,
                            &[("years", &MAX_AGE_YEARS.to_string())],
                        );
                    }
                }
            }
        },
        FieldValue::DateRange(range) => match (range.from, range.to) {
            (None, None) if field.required => push(|t| t.check_fill, &[]),
            (None, None) => {}
            (None, Some(_)) => push(|t| t.check_range_from, &[]),
            (Some(_), None) => push(|t| t.check_range_to, &[]),
            (Some(from), Some(to)) => {
                if from > to {
                    push(
                        |t| t.check_range_order,
                        &[("from", &from.to_string()), ("to", &to.to_string())],
                    );
                }
            }
        },
        FieldValue::Choice(choice) => {
            if field.required && choice.is_none() {
                push(|t| t.check_choose, &[]);
            }
        }
        FieldValue::Signature(line) => {
            let verification = report
                .verify_signature(&field.id)
                .unwrap_or(Verification::Unsigned);
            let has_name = !line.name.trim().is_empty();
            match verification {
                Verification::Unsigned => match (has_name, line.date) {
                    (false, None) if field.required => {
                        push(|t| t.check_sign, &[]);
                    }
                    (false, None) => {}
                    (false, Some(_)) => push(|t| t.check_sign_name, &[]),
                    (true, None) => push(|t| t.check_sign_date, &[]),
                    (true, Some(date)) => {
                        if date > today {
                            push(|t| t.check_sign_future, &[]);
                        } else if field.required {
                            push(|t| t.check_sign, &[]);
                        }
                    }
                },
                Verification::Valid => {
                    if line.date.is_some_and(|date| date > today) {
                        push(|t| t.check_sign_future, &[]);
                    }
                }
                Verification::Invalid(why) => {
                    push(|t| t.check_sign_invalid, &[("why", why.message())])
                }
                Verification::ValidForEarlierVersion { changed_fields } => {
                    let labels: Vec<String> = changed_fields
                        .iter()
                        .map(|id| format!("„{}“", report.changed_label(id)))
                        .collect();
                    let (message, plain_message) = worded(
                        field,
                        |t| t.check_sign_earlier,
                        &[("changed", &labels.join(", "))],
                    );
                    out.push(Problem {
                        field: field.id.clone(),
                        goal: None,
                        message,
                        plain_message,
                        note: true,
                    });
                }
            }
        }
        FieldValue::Goals => {
            check_goals(report, field, out);
            return;
        }
    }
    if conflict {
        let (message, plain_message) = worded(field, |t| t.check_conflict, &[]);
        out.push(Problem {
            field: field.id.clone(),
            goal: None,
            message,
            plain_message,
            note: false,
        });
    }
}

fn check_goals(report: &Report, field: &Field, out: &mut Vec<Problem>) {
    let goals = report.goals();
    if field.required && goals.is_empty() {
        let (message, plain_message) = worded(field, |t| t.check_goals_none, &[]);
        out.push(Problem {
            field: field.id.clone(),
            goal: None,
            message,
            plain_message,
            note: false,
        });
    }
    for goal in goals {
        let n = goal.number.to_string();
        let mut push = |text: fn(&'static Texts) -> &'static str,
                        what: Option<fn(&'static Texts) -> &'static str>| {
            let say = |t: &'static Texts| {
                fill_with(text(t), &[("n", &n), ("what", what.map_or("", |w| w(t)))])
            };
            out.push(Problem {
                field: field.id.clone(),
                goal: Some(goal.id.clone()),
                message: say(&STANDARD),
                plain_message: say(&PLAIN),
                note: false,
            })
        };
        if goal.text.trim().is_empty() {
            push(|t| t.check_goal_text, None);
        }
        if goal.achievement.is_none() {
            push(|t| t.check_goal_achievement, None);
        } else if goal.needs_reason && goal.reason.is_none() {
            push(|t| t.check_goal_reason, None);
        }
        for which in [
            GoalScalar::Achievement,
            GoalScalar::Reason,
            GoalScalar::SelfRating,
        ] {
            let many = report
                .goal_conflicts(&goal.id, which)
                .map(|v| v.len() > 1)
                .unwrap_or(false);
            if many {
                let what: fn(&'static Texts) -> &'static str = match which {
                    GoalScalar::Achievement => |t| t.check_what_achievement,
                    GoalScalar::Reason => |t| t.check_what_reason,
                    GoalScalar::SelfRating => |t| t.check_what_self_rating,
                };
                push(|t| t.check_goal_conflict, Some(what));
            }
        }
    }
}

/// The same calendar day `years` years earlier (28 February for a 29 February).
fn years_before(date: Date, years: i32) -> Date {
    let d = date.0;
    let year = d.year() - years;
    let day = d.day().min(time::util::days_in_month(d.month(), year));
    time::Date::from_calendar_date(year, d.month(), day)
        .map(Date)
        .unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::years_before;
    use crate::Date;

    #[test]
    fn years_before_handles_leap_days() {
        let d = Date::from_ymd(2024, 2, 29).unwrap();
        assert_eq!(years_before(d, 1), Date::from_ymd(2023, 2, 28).unwrap());
        assert_eq!(years_before(d, 4), Date::from_ymd(2020, 2, 29).unwrap());
    }
}
