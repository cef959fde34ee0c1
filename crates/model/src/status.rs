//! Where a report stands: Entwurf, im Gespräch, unterschrieben, übermittelt.
//!
//! Three of the four states are read off the document rather than stored, so they can never
//! disagree with it: a report is "im Gespräch" once the joint conversation has begun (a step
//! or a participant is recorded) or anybody has signed, and "unterschrieben" once every
//! signature line the form requires carries a signature that is valid for the report as it is
//! now. An edit after signing makes the signatures cover an earlier version, and the report
//! falls back to "im Gespräch" until it is signed again — which is what the paper process
//! means by a signed report.
//!
//! Only "übermittelt" is an act nobody can see in the content: the provider sent the report
//! to the authority (or the caseworker received it). It is stored in the root map
//! `submission` (date and role), can be taken back, and wins over the derived states.

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT};

use crate::report::key;
use crate::template::FieldKind;
use crate::{Date, ModelError, Report, Result, Role, Verification};

/// The state of a report in the case list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Draft,
    InConversation,
    Signed,
    Submitted,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Draft,
        Status::InConversation,
        Status::Signed,
        Status::Submitted,
    ];

    /// The stable code (stored in summaries, used in exports and filters).
    pub fn code(self) -> &'static str {
        match self {
            Status::Draft => "entwurf",
            Status::InConversation => "im_gespraech",
            Status::Signed => "unterschrieben",
            Status::Submitted => "uebermittelt",
        }
    }

    pub fn from_code(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The German word shown in the interface.
    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Entwurf",
            Status::InConversation => "im Gespräch",
            Status::Signed => "unterschrieben",
            Status::Submitted => "übermittelt",
        }
    }
}

/// Who recorded the submission, and for which day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub date: Date,
    pub role: Role,
}

impl Report {
    /// The report's state now (see the module documentation).
    pub fn status(&self) -> Status {
        if self.submission().is_some() {
            return Status::Submitted;
        }
        let signatures = self.verify_signatures();
        let required: Vec<&Verification> = signatures
            .iter()
            .filter(|(field, _)| self.signature_required(field))
            .map(|(_, v)| v)
            .collect();
        if !required.is_empty() && required.iter().all(|v| **v == Verification::Valid) {
            return Status::Signed;
        }
        let began = self.conversation_began()
            || signatures
                .iter()
                .any(|(_, v)| !matches!(v, Verification::Unsigned));
        if began {
            Status::InConversation
        } else {
            Status::Draft
        }
    }

    /// The recorded submission, if any. A damaged record (no date) counts as none.
    pub fn submission(&self) -> Option<Submission> {
        let obj = self.child(&ROOT, key::SUBMISSION, ObjType::Map)?;
        let date = self.read_date(&obj, key::DATE)?;
        let role = self
            .read_scalar(&obj, key::ROLE)
            .and_then(|r| Role::parse(&r))?;
        Some(Submission { date, role })
    }

    /// Records that the report was sent to (or received by) the authority on `date`.
    pub fn mark_submitted(&mut self, role: Role, date: Date) -> Result<()> {
        check_submitter(role)?;
        self.act_as(role)?;
        self.write(|doc| {
            let obj = doc.put_object(ROOT, key::SUBMISSION, ObjType::Map)?;
            doc.put(&obj, key::DATE, date.iso())?;
            doc.put(&obj, key::ROLE, role.as_str())?;
            Ok(())
        })
    }

    /// Takes a recorded submission back (recorded by mistake).
    pub fn withdraw_submission(&mut self, role: Role) -> Result<()> {
        check_submitter(role)?;
        if self.child(&ROOT, key::SUBMISSION, ObjType::Map).is_none() {
            return Ok(());
        }
        self.act_as(role)?;
        self.write(|doc| {
            doc.delete(ROOT, key::SUBMISSION)?;
            Ok(())
        })
    }

    /// Whether the template requires this signature line before the report counts as signed
    /// (an optional line, such as the guardian's, does not hold it back).
    fn signature_required(&self, field: &str) -> bool {
        self.template
            .field(field)
            .is_some_and(|f| f.required && matches!(f.kind, FieldKind::Signature { .. }))
            && self.is_shown(field)
    }
}

fn check_submitter(role: Role) -> Result<()> {
    if role.keeps_the_case() {
        Ok(())
    } else {
        Err(ModelError::Workflow(format!(
            "Die Rolle „{}“ kann die Übermittlung nicht eintragen; das tun Einrichtung oder Leistungsträger.",
            role.label()
        )))
    }
}
