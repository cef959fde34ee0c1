//! Invitation links: everything a device needs to join a shared report, in the URL fragment.
//!
//! `#/einladung/<role>/<report id>/<room id>/<document key>` (ids and key in hex). The fragment
//! never reaches a server (browsers do not send it, the relay serves only `/`), so the key
//! travels only as far as the link itself is passed: by QR code on the same table, or by a
//! channel the people already trust. Whoever holds a link can read and write the report; the
//! role in it only preselects "Meine Rolle" on the new device.

use dreieck_model::Role;
use dreieck_sync::RoomId;

use crate::route::is_valid_id;
use crate::sync::shared::Shared;

/// What an invitation carries.
#[derive(Clone, PartialEq, Eq)]
pub struct Invitation {
    pub report_id: String,
    pub room: RoomId,
    pub key: [u8; 32],
    pub role: Role,
    /// The invitation's secret (a protected report): the seed of the invitation key whose
    /// record in the report grants `role`. The joining device enrols its own key with it.
    /// `None` for a report from before membership.
    pub secret: Option<[u8; 32]>,
}

// Never print the key, not even in a debug log.
impl std::fmt::Debug for Invitation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invitation")
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// Why a link is not an invitation, in German for the person who opened it.
pub const BROKEN_LINK: &str =
    "Dieser Einladungslink ist unvollständig oder beschädigt. Bitte lassen Sie sich den Link noch einmal geben.";

impl Invitation {
    /// The hash route of this invitation (starts with `#/einladung/`).
    pub fn fragment(&self) -> String {
        let secret = self
            .secret
            .map(|s| format!("/{}", to_hex(&s)))
            .unwrap_or_default();
        format!(
            "#/einladung/{}/{}/{}/{}{secret}",
            self.role.as_str(),
            self.report_id,
            to_hex(&self.room),
            to_hex(&self.key)
        )
    }

    /// Reads the part of the route after `einladung/`.
    pub fn parse(rest: &str) -> Result<Invitation, &'static str> {
        let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
        let (role, report_id, room, key, secret) = match parts[..] {
            [role, report_id, room, key] => (role, report_id, room, key, None),
            [role, report_id, room, key, secret] => (
                role,
                report_id,
                room,
                key,
                Some(from_hex(secret).ok_or(BROKEN_LINK)?),
            ),
            _ => return Err(BROKEN_LINK),
        };
        let role = Role::parse(role).ok_or(BROKEN_LINK)?;
        if !is_valid_id(report_id) {
            return Err(BROKEN_LINK);
        }
        Ok(Invitation {
            report_id: report_id.to_string(),
            room: from_hex(room).ok_or(BROKEN_LINK)?,
            key: from_hex(key).ok_or(BROKEN_LINK)?,
            role,
            secret,
        })
    }
}

/// How an invitation for a report this device already has relates to the room and key the
/// device keeps for it. Anyone who knows a report's id (it is in every link and export) can
/// make a link for it with a room and key of their own, so only [`Fit::Same`] may be followed
/// without asking: using any other link uploads the whole report to wherever it points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// The room and key this device uses already: the link only opens the report.
    Same,
    /// The report is not shared from this device: using the link would start sharing it there.
    NotShared,
    /// Another room or key: using the link would move the report somewhere else.
    Different,
}

impl Invitation {
    /// Decides how this invitation fits `stored`, the sharing state this device keeps for the
    /// invited report (`None`: not shared).
    pub fn fit(&self, stored: Option<&Shared>) -> Fit {
        match stored {
            None => Fit::NotShared,
            Some(s) if s.room == self.room && s.key == self.key => Fit::Same,
            Some(_) => Fit::Different,
        }
    }
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Exactly `N` bytes of hex (either case), or `None`.
pub fn from_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Invitation {
        Invitation {
            report_id: "0f3a9c".to_string(),
            room: [7; 16],
            key: [0xab; 32],
            role: Role::Caseworker,
            secret: Some([0xcd; 32]),
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn links_without_a_secret_still_read_and_a_damaged_secret_is_refused() {
        let plain = Invitation {
            secret: None,
            ..sample()
        };
        let fragment = plain.fragment();
        let rest = fragment.trim_start_matches("#/einladung/");
        assert_eq!(Invitation::parse(rest), Ok(plain));
        let full = sample().fragment();
        let rest = full.trim_start_matches("#/einladung/");
        assert!(Invitation::parse(&rest[..rest.len() - 1]).is_err());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn round_trips_through_the_route() {
        let inv = sample();
        let fragment = inv.fragment();
        let rest = fragment.trim_start_matches("#/einladung/");
        assert_eq!(Invitation::parse(rest), Ok(inv));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn damaged_links_are_refused() {
        let fragment = sample().fragment();
        let rest = fragment.trim_start_matches("#/einladung/").to_string();
        // One hex digit missing from the key, a wrong role, a non-hex key, missing parts.
        assert!(Invitation::parse(&rest[..rest.len() - 1]).is_err());
        assert!(Invitation::parse(&rest.replacen("caseworker", "chef", 1)).is_err());
        assert!(Invitation::parse(&rest.replace('a', "z")).is_err());
        assert!(Invitation::parse("caseworker/0f3a9c").is_err());
        assert!(Invitation::parse("").is_err());
        // Multi-byte characters where hex is expected must not panic.
        let umlaut = format!("caseworker/0f3a9c/{}/{}", "ä".repeat(16), "0".repeat(64));
        assert!(Invitation::parse(&umlaut).is_err());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn only_the_stored_room_and_key_fit_without_asking() {
        let inv = sample();
        let stored = |room, key| Shared {
            room,
            key,
            acked_heads: Vec::new(),
        };
        assert_eq!(inv.fit(Some(&stored(inv.room, inv.key))), Fit::Same);
        assert_eq!(inv.fit(None), Fit::NotShared);
        // One bit off in the key, or in the room, is another place.
        let mut key = inv.key;
        key[31] ^= 1;
        assert_eq!(inv.fit(Some(&stored(inv.room, key))), Fit::Different);
        let mut room = inv.room;
        room[0] ^= 0x80;
        assert_eq!(inv.fit(Some(&stored(room, inv.key))), Fit::Different);
        assert_eq!(inv.fit(Some(&stored(room, key))), Fit::Different);
        // The role in the link does not matter: every role's link names the same room and key.
        let other_role = Invitation {
            role: Role::Beneficiary,
            ..inv.clone()
        };
        assert_eq!(other_role.fit(Some(&stored(inv.room, inv.key))), Fit::Same);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn debug_output_hides_the_key() {
        let shown = format!("{:?}", sample());
        assert!(!shown.contains("ab"), "{shown}");
    }
}
