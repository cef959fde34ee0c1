use serde::{Deserialize, Serialize};

/// The corners of the "sozialrechtliches Dreieck", plus the legal guardian.
///
/// Templates name these in `editors` to say who may write a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Beneficiary,
    Provider,
    Caseworker,
    Guardian,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Beneficiary,
        Role::Provider,
        Role::Caseworker,
        Role::Guardian,
    ];

    /// The German name shown in the interface.
    pub fn label(self) -> &'static str {
        match self {
            Role::Beneficiary => "Leistungsberechtigte Person",
            Role::Provider => "Einrichtung/Dienst",
            Role::Caseworker => "Leistungsträger",
            Role::Guardian => "Rechtliche Betreuung",
        }
    }

    /// The name in Leichte Sprache where no person's name is known: the person is addressed
    /// as "Sie", the others by what they are to the person (LEICHTE-SPRACHE.md).
    pub fn plain_label(self) -> &'static str {
        match self {
            Role::Beneficiary => "Sie",
            Role::Provider => "Der Dienst",
            Role::Caseworker => "Das Amt",
            Role::Guardian => "Die rechtliche Betreuung",
        }
    }

    /// Who wrote something, in Leichte Sprache, after a name or "Jemand": "vom Amt", not
    /// "(Leistungsträger)"; the person is addressed as "Sie" (LEICHTE-SPRACHE.md).
    pub fn plain_from(self) -> &'static str {
        match self {
            Role::Beneficiary => "mit dem Zugang für Sie",
            Role::Provider => "vom Dienst",
            Role::Caseworker => "vom Amt",
            Role::Guardian => "von der rechtlichen Betreuung",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Beneficiary => "beneficiary",
            Role::Provider => "provider",
            Role::Caseworker => "caseworker",
            Role::Guardian => "guardian",
        }
    }

    /// Whether this role keeps the case: records the submission and notes missing help. The
    /// provider sends the report and sees gaps first; the caseworker receives it and plans the
    /// help. The beneficiary signs and speaks in their own words; recording the paperwork is
    /// not theirs, nor the guardian's.
    pub fn keeps_the_case(self) -> bool {
        matches!(self, Role::Provider | Role::Caseworker)
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}
