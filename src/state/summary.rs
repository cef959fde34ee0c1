//! What the case list shows about a report without loading it: the storage [`Summary`].

use dreieck::storage::{MissingHelpSummary, Summary};
use dreieck_model::{deadline, FieldKind, Report, Template};

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
    Summary {
        id: report.id(),
        title,
        template_name: report.template().name.clone(),
        created_ms: report.created_at_ms() as f64,
        updated_ms,
        status: report.status().code().to_string(),
        due: deadline.date.map(|d| d.iso()),
        due_reason: deadline.reason,
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
