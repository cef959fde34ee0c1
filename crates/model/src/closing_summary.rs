//! The last step of the joint conversation: what was agreed, what each person said, and who
//! still signs — read back together before anyone signs.
//!
//! The summary is read from the report, never stored: it always says what the report says
//! now, on every device, and it cannot drift from the form. It holds labels in both language
//! variants where the template has them, so the view picks standard German or Leichte Sprache
//! without knowing the template. Only what is shown counts: a hidden section's goals or
//! signature lines are not in it.

use crate::template::{Code, FieldKind, Template};
use crate::{Date, GoalId, Report, Role, Verification};

/// What the conversation comes to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClosingSummary {
    /// The goals as they stand, with their measures and both ratings.
    pub goals: Vec<AgreedGoal>,
    /// What the person said in their own words, what staff wrote down for them, and staff's
    /// remarks beside those words, in template order.
    pub sayings: Vec<Saying>,
    /// Every shown signature line and where it stands.
    pub signatures: Vec<SummarySignature>,
}

/// One goal as agreed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreedGoal {
    pub id: GoalId,
    pub number: usize,
    pub text: String,
    /// Each measure in one line ("Einkaufstraining (Frau Berger, bis 31.03.2027)").
    pub measures: Vec<String>,
    /// The provider's rating and the person's own, as labels of the template's scale.
    pub achievement: Option<Label>,
    pub self_rating: Option<Label>,
    pub ratings_differ: bool,
}

/// A text in both language variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub standard: String,
    pub plain: String,
}

/// Words one person said, about one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saying {
    /// Who said them.
    pub role: Role,
    /// The field they belong to.
    pub about: Label,
    pub words: String,
    pub how: SaidHow,
}

/// How words got into the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaidHow {
    /// The person typed or dictated them ("getippt", "diktiert", …; `None`: not recorded).
    OwnWords(Option<&'static str>),
    /// Staff in `writer`'s role wrote them down; `confirmed` once the person said "Ja, so habe
    /// ich das gesagt" for exactly these words.
    Recorded { writer: Role, confirmed: bool },
    /// Staff's remark beside the person's words.
    Remark,
}

/// One signature line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummarySignature {
    pub field: String,
    pub label: Label,
    /// The roles that may sign it.
    pub signers: Vec<Role>,
    pub optional: bool,
    pub state: SignatureState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureState {
    /// Nobody signed yet.
    Missing,
    /// Signed, and the signature covers the report as it is.
    Signed { name: String, date: Date },
    /// Signed, but the report changed since: to be signed again.
    SignedEarlierVersion { name: String },
    /// A record that does not verify: treated as not signed.
    Invalid,
}

impl SummarySignature {
    /// Somebody still has to sign here before the report is complete.
    pub fn still_to_sign(&self) -> bool {
        !self.optional && !matches!(self.state, SignatureState::Signed { .. })
    }
}

impl Report {
    /// See the module documentation.
    pub fn closing_summary(&self) -> ClosingSummary {
        let template = self.template();
        let shown = |id: &str| self.is_shown(id);
        let mut summary = ClosingSummary::default();
        for field in template.fields().filter(|f| shown(&f.id)) {
            let about = Label {
                standard: field.label.clone(),
                plain: field.plain_label.clone(),
            };
            match &field.kind {
                FieldKind::Goals { .. } => summary.goals = self.agreed_goals(),
                FieldKind::Signature { optional } => {
                    summary.signatures.push(SummarySignature {
                        field: field.id.clone(),
                        label: about,
                        signers: field.editors.clone(),
                        optional: *optional,
                        state: self.signature_state(&field.id),
                    });
                }
                _ if field.own_words => {
                    summary
                        .sayings
                        .extend(self.sayings_in(&field.id, &field.editors, about));
                }
                _ => {}
            }
        }
        summary
    }

    /// The goals as they stand, with their measures and both ratings (none without a goals
    /// table).
    pub fn agreed_goals(&self) -> Vec<AgreedGoal> {
        let Ok((_, achievement_codes, _)) = self.goals_field() else {
            return Vec::new();
        };
        let template = self.template();
        let label = |code: &Option<String>| {
            code.as_deref()
                .map(|c| code_label(template, achievement_codes, c))
        };
        self.goals()
            .into_iter()
            .map(|g| AgreedGoal {
                id: g.id.clone(),
                number: g.number,
                text: g.text.trim().to_string(),
                measures: g.given_measures().map(|m| m.listed()).collect(),
                achievement: label(&g.achievement),
                self_rating: label(&g.self_rating),
                ratings_differ: g.ratings_differ,
            })
            .collect()
    }

    /// The person's words in an own-words field, those written down for them, and the remark.
    fn sayings_in(&self, field: &str, editors: &[Role], about: Label) -> Vec<Saying> {
        let mut out = Vec::new();
        let text = self.text(field).unwrap_or_default();
        let record = self.own_words(field).unwrap_or_default();
        if !text.trim().is_empty() {
            out.push(Saying {
                role: Role::Beneficiary,
                about: about.clone(),
                words: text.trim().to_string(),
                how: SaidHow::OwnWords(record.input_label()),
            });
        }
        for recorded in self.recorded_words(field) {
            let words = recorded.words().trim().to_string();
            if words.is_empty() {
                continue;
            }
            out.push(Saying {
                role: Role::Beneficiary,
                about: about.clone(),
                words,
                how: SaidHow::Recorded {
                    writer: recorded.role,
                    confirmed: recorded.confirmation.is_some(),
                },
            });
        }
        // The remark is written by the field's staff editor; where a template names several,
        // the first stands for them.
        let staff = editors.iter().copied().find(|r| *r != Role::Beneficiary);
        if let (Some(role), false) = (staff, record.remark.trim().is_empty()) {
            out.push(Saying {
                role,
                about,
                words: record.remark.trim().to_string(),
                how: SaidHow::Remark,
            });
        }
        out
    }

    fn signature_state(&self, field: &str) -> SignatureState {
        let record = self.signature_record(field).ok().flatten();
        match (self.verify_signature(field), record) {
            (Ok(Verification::Valid), Some(r)) => SignatureState::Signed {
                name: r.name,
                date: r.date,
            },
            (Ok(Verification::ValidForEarlierVersion { .. }), Some(r)) => {
                SignatureState::SignedEarlierVersion { name: r.name }
            }
            (Ok(Verification::Unsigned), _) => SignatureState::Missing,
            _ => SignatureState::Invalid,
        }
    }
}

/// The code's label in both variants; the code itself where the list does not know it.
pub(crate) fn code_label(template: &Template, list: &str, code: &str) -> Label {
    let found: Option<&Code> = template
        .code_list(list)
        .and_then(|l| l.codes.iter().find(|c| c.code == code));
    match found {
        Some(c) => Label {
            standard: c.label.clone(),
            plain: c.plain_label.clone(),
        },
        None => Label {
            standard: code.to_string(),
            plain: code.to_string(),
        },
    }
}
