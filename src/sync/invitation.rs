//! Invitation links, in the URL fragment.
//!
//! A protected report: `#/einladung/<role>/<report id>/<secret><inviter>`. The link carries
//! the invitation's secret and the public key of the member who invited, no room and no key
//! of the report: the joining device asks the inviting device through the invitation's
//! rendezvous room, takes only answers signed by that member, and is admitted there once
//! (`dreieck_model::trust::admission`). A report from before membership:
//! `#/einladung/<role>/<report id>/<room id>/<document key>`; whoever holds such a link can
//! read and write the report. The fragment never reaches a server (browsers do not send it,
//! the relay serves only `/`).

use dreieck_model::trust::InvitationSecret;
use dreieck_model::Role;
use dreieck_sync::RoomId;

use crate::route::is_valid_id;
use crate::sync::shared::Shared;

/// What a link gives access with.
#[derive(Clone, PartialEq, Eq)]
pub enum Access {
    /// A protected report: ask the inviting device with this secret; `inviter` is the key of
    /// the member who invited, whose answers alone count (anybody with the link can post).
    Ask {
        secret: InvitationSecret,
        inviter: [u8; 32],
    },
    /// A report from before membership: its room and key.
    Room { room: RoomId, key: [u8; 32] },
}

/// What an invitation carries.
#[derive(Clone, PartialEq, Eq)]
pub struct Invitation {
    pub report_id: String,
    pub role: Role,
    pub access: Access,
}

// Never print the key or the secret, not even in a debug log.
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

/// A link of the kind made before invitations were admitted by the inviting device: it no
/// longer leads anywhere.
pub const OLD_LINK: &str =
    "Dieser Einladungslink stammt aus einer älteren Version und gilt nicht mehr. Bitte lassen Sie sich einen neuen Link geben.";

impl Invitation {
    /// The hash route of this invitation (starts with `#/einladung/`).
    pub fn fragment(&self) -> String {
        let access = match &self.access {
            Access::Ask { secret, inviter } => {
                format!("{}{}", to_hex(secret.as_bytes()), to_hex(inviter))
            }
            Access::Room { room, key } => format!("{}/{}", to_hex(room), to_hex(key)),
        };
        format!(
            "#/einladung/{}/{}/{access}",
            self.role.as_str(),
            self.report_id
        )
    }

    /// Reads the part of the route after `einladung/`.
    pub fn parse(rest: &str) -> Result<Invitation, &'static str> {
        let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
        let (role, report_id, access) = match parts[..] {
            [role, report_id, ask] => {
                let bytes: [u8; 64] = from_hex(ask).ok_or(BROKEN_LINK)?;
                let (mut secret, mut inviter) = ([0u8; 32], [0u8; 32]);
                secret.copy_from_slice(&bytes[..32]);
                inviter.copy_from_slice(&bytes[32..]);
                (
                    role,
                    report_id,
                    Access::Ask {
                        secret: InvitationSecret::from_bytes(secret),
                        inviter,
                    },
                )
            }
            [role, report_id, room, key] => (
                role,
                report_id,
                Access::Room {
                    room: from_hex(room).ok_or(BROKEN_LINK)?,
                    key: from_hex(key).ok_or(BROKEN_LINK)?,
                },
            ),
            [_, _, _, _, _] => return Err(OLD_LINK),
            _ => return Err(BROKEN_LINK),
        };
        let role = Role::parse(role).ok_or(BROKEN_LINK)?;
        if !is_valid_id(report_id) {
            return Err(BROKEN_LINK);
        }
        Ok(Invitation {
            report_id: report_id.to_string(),
            role,
            access,
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
    /// A link that asks the inviting device carries no room: it only opens the report here.
    pub fn fit(&self, stored: Option<&Shared>) -> Fit {
        let Access::Room { room, key } = &self.access else {
            return Fit::Same;
        };
        match stored {
            None => Fit::NotShared,
            Some(s) if s.room == *room && s.key == *key => Fit::Same,
            Some(_) => Fit::Different,
        }
    }
}

pub use dreieck::storage::hex::{from_hex_exact as from_hex, to_hex};

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Invitation {
        Invitation {
            report_id: "0f3a9c".to_string(),
            role: Role::Caseworker,
            access: Access::Ask {
                secret: InvitationSecret::from_bytes([0xcd; 32]),
                inviter: [0x11; 32],
            },
        }
    }

    fn plain() -> Invitation {
        Invitation {
            access: Access::Room {
                room: [7; 16],
                key: [0xab; 32],
            },
            ..sample()
        }
    }

    fn rest(inv: &Invitation) -> String {
        inv.fragment()
            .trim_start_matches("#/einladung/")
            .to_string()
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn both_kinds_round_trip_through_the_route() {
        for inv in [sample(), plain()] {
            assert_eq!(Invitation::parse(&rest(&inv)), Ok(inv));
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn damaged_and_old_links_are_refused() {
        let r = rest(&plain());
        // One hex digit missing from the key, a wrong role, a non-hex key, missing parts.
        assert!(Invitation::parse(&r[..r.len() - 1]).is_err());
        assert!(Invitation::parse(&r.replacen("caseworker", "chef", 1)).is_err());
        assert!(Invitation::parse(&r.replace('a', "z")).is_err());
        assert!(Invitation::parse("caseworker/0f3a9c").is_err());
        assert!(Invitation::parse("").is_err());
        let s = rest(&sample());
        assert!(Invitation::parse(&s[..s.len() - 1]).is_err());
        // Multi-byte characters where hex is expected must not panic.
        let umlaut = format!("caseworker/0f3a9c/{}", "ä".repeat(32));
        assert!(Invitation::parse(&umlaut).is_err());
        // A link with room, key and secret (before the inviting device admitted) is old.
        let old = format!("{r}/{}", "cd".repeat(32));
        assert_eq!(Invitation::parse(&old), Err(OLD_LINK));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn only_the_stored_room_and_key_fit_without_asking() {
        let inv = plain();
        let Access::Room { room, key } = inv.access.clone() else {
            unreachable!()
        };
        let stored = |room, key| Shared {
            room,
            key,
            acked_heads: Vec::new(),
        };
        assert_eq!(inv.fit(Some(&stored(room, key))), Fit::Same);
        assert_eq!(inv.fit(None), Fit::NotShared);
        // One bit off in the key, or in the room, is another place.
        let mut other_key = key;
        other_key[31] ^= 1;
        assert_eq!(inv.fit(Some(&stored(room, other_key))), Fit::Different);
        let mut other_room = room;
        other_room[0] ^= 0x80;
        assert_eq!(inv.fit(Some(&stored(other_room, key))), Fit::Different);
        // A link that asks the inviting device carries no room: it moves nothing.
        assert_eq!(sample().fit(Some(&stored(other_room, key))), Fit::Same);
        assert_eq!(sample().fit(None), Fit::Same);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn debug_output_hides_the_key_and_the_secret() {
        for inv in [sample(), plain()] {
            let shown = format!("{inv:?}");
            assert!(!shown.contains("ab") && !shown.contains("cd"), "{shown}");
        }
    }
}
