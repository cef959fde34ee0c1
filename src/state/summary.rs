//! What the case list shows about a report without loading it: the storage [`Summary`].

use dreieck::storage::{ImpactSummary, MissingHelpSummary, Period, Summary};
use dreieck_model::{deadline, has_deadline_rule, FieldKind, FieldValue, Report, Template};

/// The field that holds the approval period (Bewilligungszeitraum) in the templates we know.
const APPROVAL_FIELD: &str = "bewilligungszeitraum";
/// The field that says what a form was written for (the Feedbackbogen's Anlass).
const OCCASION_FIELD: &str = "anlass";

/// Field ids that hold the beneficiary's name in the templates we know, most specific first.
const NAME_FIELD_IDS: [&str; 4] = ["lb_name", "beneficiary_name", "name_vorname", "name"];

/// The field whose text is the report's title (the beneficiary's name).
///
/// Known ids first; otherwise the first one-line text of the first section, which is where
/// every form we know puts the person's name. Templates are data, so this has to guess.
pub fn title_field(template: &Template) -> Option<String> {
    let is_text = |kind: &FieldKind| matches!(kind, FieldKind::ShortText);
    for id in NAME_FIELD_IDS {
        if let Some(f) = template.field(id) {
            if is_text(&f.kind) {
                return Some(f.id.clone());
            }
        }
    }
    template
        .sections
        .first()?
        .fields
        .iter()
        .find(|f| is_text(&f.kind))
        .map(|f| f.id.clone())
}

/// The summary to store beside the document after a write at `updated_ms`.
pub fn summary_of(report: &Report, title_field: Option<&str>, updated_ms: f64) -> Summary {
    let title = title_field
        .and_then(|f| report.text(f).ok())
        .map(|t| t.trim().to_string())
        .unwrap_or_default();
    // Stored without its urgency: the list judges that against its own "today".
    let deadline = deadline(report);
    let review = report.review_count();
    Summary {
        id: report.id(),
        title,
        template_name: report.template().name.clone(),
        created_ms: report.created_at_ms() as f64,
        updated_ms,
        status: report.status().code().to_string(),
        due: deadline.date.map(|d| d.iso()),
        // A form without a deadline rule has nothing to say about one in the list.
        due_reason: if has_deadline_rule(report.template()) {
            deadline.reason
        } else {
            String::new()
        },
        missing_help: report
            .missing_help()
            .into_iter()
            .map(|flag| MissingHelpSummary {
                area: flag.area,
                text: flag.text,
                date: flag.date.map(|d| d.iso()),
            })
            .collect(),
        retention_end: report.retention_end().map(|d| d.iso()),
        occasion: occasion(report),
        period: report
            .template()
            .fields()
            .find(|f| matches!(f.kind, FieldKind::DateRange) && f.id != APPROVAL_FIELD)
            .and_then(|f| period(report, &f.id)),
        approval: period(report, APPROVAL_FIELD),
        remarks_open: count(review.open),
        remarks_answered: count(review.answered),
        accepted: report.acceptance().map(|a| a.date.iso()),
        impact: report
            .impact_goals()
            .into_iter()
            .map(|g| ImpactSummary {
                person: g.person,
                period_end: g.period_end.map(|d| d.iso()),
                provider: g.provider,
                area: g.area,
                level: g.level.map(|l| l.code().to_string()),
                achievement: g.achievement,
                reason: g.reason,
                self_rating: g.self_rating,
            })
            .collect(),
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A from–to field with its label; `None` when the form has no such field.
fn period(report: &Report, field: &str) -> Option<Period> {
    let label = report.template().field(field)?.label.clone();
    let range = report.date_range(field).ok()?;
    Some(Period {
        label,
        from: range.from.map(|d| d.iso()),
        to: range.to.map(|d| d.iso()),
    })
}

/// The label of the chosen Anlass, while the field is shown and chosen.
fn occasion(report: &Report) -> Option<String> {
    if !report.is_shown(OCCASION_FIELD) {
        return None;
    }
    match report.value(OCCASION_FIELD).ok()? {
        FieldValue::Choice(Some(_)) => report
            .display_value(OCCASION_FIELD)
            .ok()
            .filter(|t| !t.is_empty()),
        _ => None,
    }
}

/// How a report is named in lists and messages: its title, or a placeholder while empty.
pub fn display_title(title: &str) -> String {
    let t = title.trim();
    if t.is_empty() {
        "Ohne Namen".to_string()
    } else {
        t.to_string()
    }
}
