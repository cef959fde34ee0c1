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
        self.name(&dreieck_texts::standard::STANDARD)
    }

    /// The role's name in the catalogue `t` (the standard label, or "Jemand vom Dienst" in
    /// Leichte Sprache).
    pub fn name(self, t: &'static dreieck_texts::Texts) -> &'static str {
        match self {
            Role::Beneficiary => t.role_beneficiary,
            Role::Provider => t.role_provider,
            Role::Caseworker => t.role_caseworker,
            Role::Guardian => t.role_guardian,
        }
    }

    /// The name in Leichte Sprache where no person's name is known: the person is addressed
    /// as "Sie", the others by what they are to the person (LEICHTE-SPRACHE.md).
    pub fn plain_label(self) -> &'static str {
        let t = &dreieck_texts::plain::PLAIN;
        match self {
            Role::Beneficiary => t.named_beneficiary,
            Role::Provider => t.named_provider,
            Role::Caseworker => t.named_caseworker,
            Role::Guardian => t.named_guardian,
        }
    }

    /// Who wrote something, in Leichte Sprache, after a name or "Jemand": "vom Amt", not
    /// "(Leistungsträger)"; the person is addressed as "Sie" (LEICHTE-SPRACHE.md).
    pub fn plain_from(self) -> &'static str {
        let t = &dreieck_texts::plain::PLAIN;
        match self {
            Role::Beneficiary => t.from_beneficiary,
            Role::Provider => t.from_provider,
            Role::Caseworker => t.from_caseworker,
            Role::Guardian => t.from_guardian,
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
