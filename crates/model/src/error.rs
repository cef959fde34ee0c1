use crate::role::Role;
use crate::template::TemplateError;

/// Everything that can go wrong when reading or writing a report.
///
/// Messages are German where a user may see them (they are shown in the app as they are).
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("Die Datei ist kein Dreieck-Bericht oder beschädigt: {0}")]
    NotAReport(String),
    #[error("Die Vorlage ist fehlerhaft: {0}")]
    Template(#[from] TemplateError),
    #[error("Das Feld „{0}“ gibt es in dieser Vorlage nicht.")]
    UnknownField(String),
    #[error("Das Feld „{field}“ hat nicht die Art {expected}.")]
    WrongKind {
        field: String,
        expected: &'static str,
    },
    #[error("„{code}“ ist kein gültiger Wert für „{field}“.")]
    UnknownCode { field: String, code: String },
    #[error("Das Ziel gibt es nicht (mehr).")]
    UnknownGoal,
    #[error("Die Rolle „{}“ darf das Feld „{field}“ nicht ändern.", role.label())]
    NotPermitted { field: String, role: Role },
    #[error(
        "„{field}“ steht in den eigenen Worten der leistungsberechtigten Person: nur sie schreibt dort. Eine Anmerkung daneben ist möglich."
    )]
    OwnWords { field: String },
    #[error("Ungültiges Datum: „{0}“ (erwartet JJJJ-MM-TT).")]
    InvalidDate(String),
    /// Signing refused (no name, a drawing too long); the German reason.
    #[error("{0}")]
    Signature(String),
    #[error(
        "„{to}“ kann nicht aus „{from}“ angelegt werden: die Vorlage übernimmt nichts daraus."
    )]
    NotAFollowUp { from: String, to: String },
    #[error("Feld „{field}“ lässt sich nicht übernehmen: {message}.")]
    CarryOver { field: String, message: String },
    /// The conversation's step or participants refused; the German reason.
    #[error("{0}")]
    Conversation(String),
    /// Submission or a missing-help flag refused; the German reason.
    #[error("{0}")]
    Workflow(String),
    /// A sealed file opened with the wrong password.
    #[error("Das Passwort ist falsch. Bitte noch einmal eingeben.")]
    WrongPassword,
    /// A sealed file was given without a password.
    #[error("Die Datei ist mit einem Passwort verschlüsselt. Bitte das Passwort eingeben.")]
    PasswordRequired,
    #[error("Das Passwort muss mindestens {0} Zeichen lang sein.")]
    PasswordTooShort(usize),
    /// The device's PIN was wrong.
    #[error("Die PIN ist falsch.")]
    WrongPin,
    #[error("Die PIN muss mindestens {0} Zeichen lang sein.")]
    PinTooShort(usize),
    /// Stored data of a locked device that cannot be opened; the German reason.
    #[error("Gespeicherte Daten lassen sich nicht entschlüsseln: {0}.")]
    Locked(String),
    /// A sealed file that cannot be opened whatever the password; the German reason.
    #[error("Die Datei ist beschädigt: {0}.")]
    DamagedFile(String),
    /// A sealed file of a newer format than this build reads.
    #[error(
        "Die Datei stammt aus einer neueren Version von Dreieck (Dateiformat {0}). Bitte die App aktualisieren."
    )]
    NewerFile(u8),
    /// An imported file holds another report under the id of one on this device; what differs.
    #[error(
        "Die Datei enthält einen anderen Bericht mit derselben Kennung wie ein Bericht auf diesem Gerät ({0}). Nichts wurde geändert."
    )]
    NotTheSameReport(String),
    /// A write in a role this device holds no membership for (protected reports).
    #[error("Sie sind in diesem Bericht nicht als „{}“ eingetragen.", .0.label())]
    NotAMember(Role),
    /// Granting, enrolling or removing refused; the German reason.
    #[error("{0}")]
    Membership(String),
    #[error("Automerge: {0}")]
    Automerge(#[from] automerge::AutomergeError),
}

impl ModelError {
    /// The same in Leichte Sprache: what did not work, one or two short sentences. A reason
    /// the model words itself (a signature, a membership) is said in its plain version where
    /// the catalogue has one, else as what did not work.
    pub fn plain(&self) -> String {
        use dreieck_texts::{fill, plain::PLAIN as t, plain_of};
        let said = |why: &str, otherwise: &'static str| {
            let plain = plain_of(why);
            if plain == why {
                otherwise.to_string()
            } else {
                plain.to_string()
            }
        };
        let role = |r: &Role| r.name(&t);
        match self {
            ModelError::NotAReport(_) => t.error_not_a_report.into(),
            ModelError::Template(_) => t.error_template.into(),
            ModelError::UnknownField(_) => t.error_unknown_field.into(),
            ModelError::WrongKind { .. } => t.error_wrong_kind.into(),
            ModelError::UnknownCode { .. } => t.error_unknown_code.into(),
            ModelError::UnknownGoal => t.error_unknown_goal.into(),
            ModelError::NotPermitted { role: r, .. } => fill(t.error_not_permitted, role(r)),
            ModelError::OwnWords { .. } => t.error_own_words.into(),
            ModelError::InvalidDate(_) => t.error_invalid_date.into(),
            ModelError::Signature(why) => said(why, t.error_signature),
            ModelError::NotAFollowUp { .. } => t.error_not_a_follow_up.into(),
            ModelError::CarryOver { .. } => t.error_carry_over.into(),
            ModelError::Conversation(why) => said(why, t.error_conversation),
            ModelError::Workflow(why) => said(why, t.error_workflow),
            ModelError::WrongPassword => t.error_wrong_password.into(),
            ModelError::PasswordRequired => t.error_password_required.into(),
            ModelError::PasswordTooShort(n) => fill(t.export_password_short, &n.to_string()),
            ModelError::WrongPin => t.error_wrong_pin.into(),
            ModelError::PinTooShort(n) => fill(t.pin_too_short, &n.to_string()),
            ModelError::Locked(_) => t.error_locked.into(),
            ModelError::DamagedFile(_) => t.error_damaged_file.into(),
            ModelError::NewerFile(_) => t.error_newer_file.into(),
            ModelError::NotTheSameReport(_) => t.error_not_the_same_report.into(),
            ModelError::NotAMember(r) => fill(t.error_not_a_member, role(r)),
            ModelError::Membership(why) => said(why, t.error_membership),
            ModelError::Automerge(_) => t.error_automerge.into(),
        }
    }
}
