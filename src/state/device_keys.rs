//! This device's keys in a report: one Ed25519 key per role (`settings::signing_seed`), the
//! same keys it signs signature lines with.
//!
//! A protected report accepts writes only from members; the model grants a role to the
//! device's key for it when the device may (the tablet of the staff, for the person supported
//! at the table), and refuses otherwise. So the model needs every key the device has.

use dreieck::storage::settings;
use dreieck_model::{ParticipantKey, Report, Role};

/// The device's key for `role`, created on first use.
pub fn device_key(role: Role) -> Result<ParticipantKey, String> {
    let seed = settings::signing_seed(role.as_str()).map_err(|e| e.to_string())?;
    Ok(ParticipantKey::from_seed(&seed))
}

/// Hands the report every key of this device. A key that cannot be read (no storage) is left
/// out: writing in that role is then refused with a clear message by the model.
pub fn give_keys(report: &mut Report) {
    for role in Role::ALL {
        if let Ok(key) = device_key(role) {
            report.add_key(role, key);
        }
    }
}
