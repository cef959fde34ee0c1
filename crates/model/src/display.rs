//! A field's content as it is printed: standard German, dates as on paper (`23.11.2026`),
//! codes with their number and label as the form lists them.

use crate::report::{FieldValue, Report};
use crate::{FieldKind, Result};

impl Report {
    /// What `field` holds as one line (or lines, for long text) of the printed form; empty
    /// when nothing is filled in. Signature lines and the goals table are printed by their
    /// own layouts and give the signer's name and nothing.
    pub fn display_value(&self, field: &str) -> Result<String> {
        Ok(match self.value(field)? {
            FieldValue::Text(text) => text,
            FieldValue::Date(date) => date.map(|d| d.german()).unwrap_or_default(),
            FieldValue::DateRange(range) => match (range.from, range.to) {
                (None, None) => String::new(),
                (from, to) => format!(
                    "{} – {}",
                    from.map(|d| d.german()).unwrap_or_default(),
                    to.map(|d| d.german()).unwrap_or_default()
                ),
            },
            FieldValue::Choice(Some(code)) => self.code_text(field, &code),
            FieldValue::Choice(None) => String::new(),
            FieldValue::Signature(line) => line.name,
            FieldValue::Goals => String::new(),
        })
    }

    fn code_text(&self, field: &str, code: &str) -> String {
        let list = match self.template.field(field).map(|f| &f.kind) {
            Some(FieldKind::Choice { code_list }) => self.template.code_list(code_list),
            _ => None,
        };
        list.and_then(|l| l.codes.iter().find(|c| c.code == code))
            .map(|c| c.label.clone())
            .unwrap_or_else(|| code.to_string())
    }
}
