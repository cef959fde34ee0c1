//! The typed API over one report's Automerge document.
//!
//! Document layout (documented for other implementations in `docs/document.md`):
//! ```text
//! ROOT
//!   schema: 1                      the layout version
//!   report_id: "…"                 random id, also the storage key
//!   created_at: <ms since epoch>
//!   template: "<JSON>"             the template the report was created from, verbatim
//!   fields: {
//!     <field id>: Text             short_text, long_text
//!     <field id>: "JJJJ-MM-TT"     date (absent = empty)
//!     <field id>: {from, to}       date_range, each "JJJJ-MM-TT"
//!     <field id>: "<code>"         choice
//!     <field id>: {name: Text, date: "JJJJ-MM-TT"}   signature
//!   }
//!   goals: { <goal id>: {pos: f64, text: Text, measures: Text,
//!                        achievement: "<code>", reason: "<code>"} }
//! ```
//! Goals live in a map with a fractional position rather than a list: moving a goal then only
//! sets one number, and an edit made concurrently to the moved goal's text is kept.

use automerge::AutoCommit;

use crate::{Date, DateRange, ModelError, Result, Role, Template};

/// A report's random identifier (hex).
pub type ReportId = String;

/// The current value of any field, for rendering generically from the template.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Text(String),
    Date(Option<Date>),
    DateRange(DateRange),
    Choice(Option<String>),
    Signature(SignatureLine),
    /// The goals table; read it with [`Report::goals`].
    Goals,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignatureLine {
    pub name: String,
    pub date: Option<Date>,
}

pub struct Report {
    pub(crate) doc: AutoCommit,
    pub(crate) template: Template,
}

impl Report {
    /// A new, empty report; the template is embedded in the document.
    pub fn create(template: &Template, id: &str, created_at_ms: i64) -> Result<Report> {
        let _ = (template, id, created_at_ms);
        todo!()
    }

    /// Loads a saved document (a full save, possibly followed by incremental chunks).
    /// Anything that is not a report gives [`ModelError::NotAReport`].
    pub fn load(bytes: &[u8]) -> Result<Report> {
        let _ = bytes;
        todo!()
    }

    pub fn id(&self) -> String {
        todo!()
    }

    pub fn created_at_ms(&self) -> i64 {
        todo!()
    }

    pub fn template(&self) -> &Template {
        &self.template
    }

    /// A full, compact save of the whole document.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// Only what changed since the last save: what storage appends on every edit.
    pub fn save_incremental(&mut self) -> Vec<u8> {
        self.doc.save_incremental()
    }

    /// Applies changes from elsewhere (an incremental save, a full save of another replica).
    pub fn apply(&mut self, bytes: &[u8]) -> Result<()> {
        let _ = bytes;
        todo!()
    }

    /// Merges another replica of the same report into this one.
    pub fn merge(&mut self, other: &mut Report) -> Result<()> {
        let _ = other;
        todo!()
    }

    /// An independent replica with a fresh actor (another device, in tests).
    pub fn fork(&mut self) -> Report {
        todo!()
    }

    /// Hex of the document's current heads; changes whenever anything changes.
    pub fn heads_hex(&mut self) -> Vec<String> {
        todo!()
    }

    /// The underlying document, for the sync layer.
    pub fn doc_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    // ---- fields -------------------------------------------------------------------------

    pub fn value(&self, field: &str) -> Result<FieldValue> {
        let _ = field;
        todo!()
    }

    /// The whole text of a short_text or long_text field ("" when never written).
    pub fn text(&self, field: &str) -> Result<String> {
        let _ = field;
        todo!()
    }

    /// Replaces the field's text with `value` by splicing only what differs, so a concurrent
    /// edit elsewhere in the same text survives.
    pub fn set_text(&mut self, role: Role, field: &str, value: &str) -> Result<()> {
        let _ = (role, field, value);
        todo!()
    }

    /// Deletes `delete` characters at `pos` (in Unicode scalar values) and inserts `insert`.
    pub fn splice_text(
        &mut self,
        role: Role,
        field: &str,
        pos: usize,
        delete: usize,
        insert: &str,
    ) -> Result<()> {
        let _ = (role, field, pos, delete, insert);
        todo!()
    }

    pub fn set_date(&mut self, role: Role, field: &str, date: Option<Date>) -> Result<()> {
        let _ = (role, field, date);
        todo!()
    }

    pub fn set_date_range(&mut self, role: Role, field: &str, range: DateRange) -> Result<()> {
        let _ = (role, field, range);
        todo!()
    }

    /// Sets a choice; the code must be in the field's code list.
    pub fn set_choice(&mut self, role: Role, field: &str, code: Option<&str>) -> Result<()> {
        let _ = (role, field, code);
        todo!()
    }

    pub fn set_signature_name(&mut self, role: Role, field: &str, name: &str) -> Result<()> {
        let _ = (role, field, name);
        todo!()
    }

    pub fn set_signature_date(&mut self, role: Role, field: &str, date: Option<Date>) -> Result<()> {
        let _ = (role, field, date);
        todo!()
    }

    /// Every value concurrently set for a scalar field (date, choice, each end of a range as
    /// `from`/`to` sub-fields like `period/from`), winner first. More than one value means a
    /// conflict the user should resolve by setting the field again.
    pub fn conflicts(&self, field: &str) -> Result<Vec<String>> {
        let _ = field;
        todo!()
    }

    pub(crate) fn check_edit(&self, role: Role, field: &str) -> Result<()> {
        let f = self
            .template
            .field(field)
            .ok_or_else(|| ModelError::UnknownField(field.to_string()))?;
        if !f.editors.contains(&role) {
            return Err(ModelError::NotPermitted {
                field: f.label.clone(),
                role,
            });
        }
        Ok(())
    }
}
