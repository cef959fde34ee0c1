//! "Meine Rolle": which corner of the triangle uses this device, remembered across visits.

use dreieck::storage::settings;
use dreieck_model::Role;

/// The default role: the provider's staff write most of a report.
pub const DEFAULT: Role = Role::Provider;

/// The remembered role, or [`DEFAULT`] when none (or an unknown one) is stored.
pub fn load() -> Role {
    settings::role()
        .and_then(|s| Role::parse(&s))
        .unwrap_or(DEFAULT)
}

/// Remembers the role. Not being able to remember it is harmless (the default comes back on
/// the next visit), so a storage error is not shown.
pub fn save(role: Role) {
    let _ = settings::set_role(role.as_str());
}
