//! Trust inside a report: who may write what, checked on every device.
//!
//! The relay reads nothing, but inside a report every change must come from somebody allowed
//! to make it. The design, in short (the threat model is `docs/security.md`):
//!
//! - **A root of trust.** The device that creates a report holds the owner key; the report id
//!   is derived from it (`report_id_for`), and the creation change names it and is attested by
//!   it. A document under a known id but another owner is a different report everywhere.
//! - **Membership records** (`records.rs`), signed by whoever granted them, back to the owner:
//!   the owner and the roles that keep the case grant roles and make invitations; an
//!   invitation enrols one device key of the invited person's own, in the invitation's role.
//!   Removals are records too. `roster.rs` reads and checks them.
//! - **Actors bound to keys.** Each Automerge actor is bound to one device key by its first
//!   change (`keys/<actor>`), and every change travels with an attestation of that key
//!   (`bundle.rs`): the author's signature over the change hash, which through the hash chain
//!   vouches for everything the author built on.
//! - **One gate** (`gate.rs`) for all bytes from elsewhere — relay, peer, file, join: signature,
//!   membership as the author could know it, and every operation against the rules of the
//!   author's role (`rules.rs`). Refused changes are kept out, named, and everything else
//!   goes on.
//!
//! Reports created before membership existed have no owner and no gate; they keep working on
//! the device and are marked as such.

mod admission;
mod bundle;
mod deletion;
mod gate;
mod moving;
mod own_key;
mod records;
mod room_move;
mod roster;
mod rules;

pub use admission::{
    Decision, Declined, InvitationSecret, JoinGrant, JoinMessage, JoinReply, JoinRequest,
    JOIN_DOMAIN,
};
pub use bundle::{Attestation, BundleError, SignedChanges};
pub use deletion::{Deletion, DeletionNotice, DELETION_DOMAIN};
pub(crate) use gate::{split_changes, TrustState};
pub use gate::{Admission, Refusal, RefusalReason};
pub(crate) use records::verify;
pub use records::{
    report_id_for, Grant, MemberKind, MemberRecord, Removal, CHANGE_DOMAIN, MAX_MEMBER_NAME,
    MEMBER_DOMAIN, REMOVAL_DOMAIN,
};
pub use room_move::{RoomKeys, RoomMove, MOVE_DOMAIN};
pub use roster::{Member, Roster};
pub(crate) use roster::{KEYS, MEMBERS, OWNER, OWNER_NONCE, REMOVED};

use automerge::transaction::Transactable;
use automerge::{ObjType, ReadDoc, ScalarValue, ROOT};

use crate::{ModelError, ParticipantKey, Report, Result, Role, Template};

/// Who creates a report: the owner key and the role and name they write in, and 16 random
/// bytes that make this report's id (one device key owns many reports; the crate draws no
/// randomness).
pub struct Owner<'a> {
    pub key: &'a ParticipantKey,
    pub role: Role,
    pub name: &'a str,
    pub nonce: [u8; 16],
}

impl Report {
    /// A new report owned by `owner`: its id is derived from the owner key, the owner's own
    /// membership and the binding of the creating actor to that key are part of the creation,
    /// and the device keeps the key to write and sign with.
    pub fn create_owned(
        template: &Template,
        owner: Owner<'_>,
        created_at_ms: i64,
    ) -> Result<Report> {
        let id = report_id_for(&owner.key.public_key(), &owner.nonce);
        let mut report = Report::laid_out(template, &id, created_at_ms)?;
        report.found(&owner, created_at_ms)?;
        report.seal_creation(created_at_ms, "Bericht angelegt");
        report.add_key(owner.role, owner.key.clone());
        Ok(report)
    }

    /// Writes the owner's part of the creation change (still uncommitted).
    pub(crate) fn found(&mut self, owner: &Owner<'_>, time_ms: i64) -> Result<()> {
        let id = self.id();
        let key = owner.key.public_key();
        let record = MemberRecord::sign(
            &id,
            &Grant {
                kind: MemberKind::Member,
                key,
                role: owner.role,
                name: owner.name,
                time_ms,
                expires_ms: None,
                max_uses: 0,
            },
            owner.key,
        );
        let actor = self.doc.get_actor().to_hex_string();
        self.doc
            .put(ROOT, OWNER, ScalarValue::Bytes(key.to_vec()))?;
        self.doc
            .put(ROOT, OWNER_NONCE, ScalarValue::Bytes(owner.nonce.to_vec()))?;
        let members = self.doc.put_object(ROOT, MEMBERS, ObjType::Map)?;
        self.doc.put(
            &members,
            crate::bytes::hex(&key),
            ScalarValue::Bytes(record.encode()),
        )?;
        self.doc.put_object(ROOT, REMOVED, ObjType::Map)?;
        let keys = self.doc.put_object(ROOT, KEYS, ObjType::Map)?;
        self.doc
            .put(&keys, actor.as_str(), ScalarValue::Bytes(key.to_vec()))?;
        let actors = self
            .child(&ROOT, crate::report::key::ACTORS, ObjType::Map)
            .ok_or_else(|| ModelError::NotAReport("„actors“ fehlt.".into()))?;
        self.doc.put(&actors, actor.as_str(), owner.role.as_str())?;
        self.acting = Some(owner.role);
        Ok(())
    }

    /// Whether the report has an owner and a gate (created by this version or later).
    pub fn is_protected(&self) -> bool {
        self.owner_key().is_some()
    }

    /// The device's key for writing in `role` (it must hold a membership for it to write).
    pub fn add_key(&mut self, role: Role, key: ParticipantKey) {
        self.trust.keys.insert(role, key);
    }

    /// The public key this device writes with in `role`, if it has one.
    pub fn key_for(&self, role: Role) -> Option<[u8; 32]> {
        self.trust.keys.get(&role).map(ParticipantKey::public_key)
    }

    /// The public keys this device holds for the report (one per role it was given a key
    /// for, member or not).
    pub fn my_keys(&self) -> Vec<[u8; 32]> {
        self.trust
            .keys
            .values()
            .map(ParticipantKey::public_key)
            .collect()
    }

    /// The roles this device may write in: its keys with a valid, unremoved membership.
    pub fn my_roles(&self) -> Vec<Role> {
        let roster = self.roster();
        self.trust
            .keys
            .iter()
            .filter(|(role, key)| roster.role_of(&key.public_key()) == Some(**role))
            .map(|(role, _)| *role)
            .collect()
    }

    /// Before writing in `role` on a protected report: this device holds a key that is a
    /// member in that role. (Other devices would refuse the change otherwise.)
    ///
    /// Several people on one device: when the device has a key for `role` that is not a member
    /// yet, and another of its keys may grant that role (the owner, provider or caseworker on
    /// their tablet), it grants it first, in a change of its own that names where it was
    /// made — "Leistungsberechtigte Person (am Gerät von Frau Träger)". So the person supported
    /// can write their own words on the staff's tablet, their edits are theirs in the history,
    /// and no device claims a role nobody gave it.
    pub(crate) fn check_member(&mut self, role: Role) -> Result<()> {
        if !self.is_protected() {
            return Ok(());
        }
        let Some(key) = self.trust.keys.get(&role).map(ParticipantKey::public_key) else {
            return Err(ModelError::NotAMember(role));
        };
        let roster = self.roster();
        match roster.role_of(&key) {
            Some(r) if r == role => return Ok(()),
            Some(_) => return Err(ModelError::NotAMember(role)),
            None if roster.is_removed(&key) => return Err(ModelError::NotAMember(role)),
            None => {}
        }
        let granter = self.trust.keys.iter().find_map(|(r, k)| {
            let public = k.public_key();
            (*r != role
                && roster.role_of(&public) == Some(*r)
                && roster.may_grant(&public, MemberKind::Member, role))
            .then_some((*r, public))
        });
        let Some((granter_role, granter_key)) = granter else {
            return Err(ModelError::NotAMember(role));
        };
        self.vouch(
            &roster,
            (granter_role, granter_key),
            key,
            role,
            role.label(),
        )
    }

    /// Grants `key` membership in `role` with this device's key `granter` (role and public
    /// key), named "<who> (am Gerät von <granter's name>)": everybody sees at whose device
    /// the key was vouched for.
    pub(crate) fn vouch(
        &mut self,
        roster: &Roster,
        granter: (Role, [u8; 32]),
        key: [u8; 32],
        role: Role,
        who: &str,
    ) -> Result<()> {
        let name = format!(
            "{} (am Gerät von {})",
            who.trim(),
            granter_name(roster, granter.0, &granter.1)
        );
        let time_ms = self.now_ms.unwrap_or(0);
        self.grant(
            granter.0,
            &Grant {
                kind: MemberKind::Member,
                key,
                role,
                name: &name,
                time_ms,
                expires_ms: None,
                max_uses: 0,
            },
        )?;
        Ok(())
    }

    /// Inside a write: binds a fresh actor to the device key of `role` (protected reports).
    pub(crate) fn bind_actor(&mut self, role: Role) -> Result<()> {
        let Some(key) = self.trust.keys.get(&role).map(ParticipantKey::public_key) else {
            return Ok(());
        };
        if !self.is_protected() {
            return Ok(());
        }
        let keys = self
            .child(&ROOT, KEYS, ObjType::Map)
            .ok_or_else(|| ModelError::NotAReport("„keys“ fehlt.".into()))?;
        let actor = self.doc.get_actor().to_hex_string();
        self.doc
            .put(&keys, actor.as_str(), ScalarValue::Bytes(key.to_vec()))?;
        Ok(())
    }

    /// Grants `grant` with this device's key for `as_role` (the owner, provider or
    /// caseworker): one change that writes the signed record under `members`.
    pub fn grant(&mut self, as_role: Role, grant: &Grant<'_>) -> Result<MemberRecord> {
        let granter = self.signing_key(as_role)?;
        let roster = self.roster();
        if !roster.may_grant(&granter.public_key(), grant.kind, grant.role) {
            return Err(ModelError::Membership(format!(
                "Als {} können Sie niemanden als {} eintragen.",
                as_role.label(),
                grant.role.label()
            )));
        }
        if roster.role_of(&grant.key).is_some() || roster.invitation_record(&grant.key).is_some() {
            return Err(ModelError::Membership(
                "Dieser Schlüssel ist schon eingetragen.".into(),
            ));
        }
        let record = MemberRecord::sign(&self.id(), grant, &granter);
        self.write_record(as_role, MEMBERS, &grant.key, record.encode())?;
        Ok(record)
    }

    /// Makes sure an invitation for `role` with `invitation`'s key exists, granted by one of
    /// this device's keys that may ("Teilen" shows a link per role the device can invite to).
    /// Returns whether it was granted now. Reusable until removed: the link is the person's to
    /// pass on to whoever holds that role.
    pub fn ensure_invitation(
        &mut self,
        role: Role,
        invitation: &ParticipantKey,
        time_ms: i64,
    ) -> Result<bool> {
        let key = invitation.public_key();
        if self
            .roster()
            .invitation(&key)
            .is_some_and(|r| r.role == role)
        {
            return Ok(false);
        }
        self.grant_invitation(&Grant {
            kind: MemberKind::Invitation,
            key,
            role,
            name: "",
            time_ms,
            expires_ms: None,
            max_uses: 0,
        })?;
        Ok(true)
    }

    /// Invites one named person in `role` ("Teilen"): one device, until `expires_ms`. The
    /// link carries `secret`; this device admits the device that asks with it
    /// ([`Report::decide_join`]), which then writes in `role`. Returns the key of the member
    /// who invited, for the link: the joining device takes answers signed by that key only.
    pub fn invite(
        &mut self,
        role: Role,
        name: &str,
        secret: &InvitationSecret,
        time_ms: i64,
        expires_ms: i64,
    ) -> Result<[u8; 32]> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ModelError::Membership(
                "Bitte geben Sie den Namen der Person an, die Sie einladen.".into(),
            ));
        }
        if name.chars().count() > MAX_MEMBER_NAME {
            return Err(ModelError::Membership(format!(
                "Der Name ist zu lang (höchstens {MAX_MEMBER_NAME} Zeichen)."
            )));
        }
        self.grant_invitation(&Grant {
            kind: MemberKind::Invitation,
            key: secret.record_key().public_key(),
            role,
            name,
            time_ms,
            expires_ms: Some(expires_ms),
            max_uses: 1,
        })
        .map(|record| record.granted_by)
    }

    /// The roles this device may invite to.
    pub fn invitable_roles(&self) -> Vec<Role> {
        let roster = self.roster();
        Role::ALL
            .into_iter()
            .filter(|role| self.inviting_role(&roster, *role).is_some())
            .collect()
    }

    /// Invitations not used up, not expired at `now_ms` and not withdrawn.
    pub fn open_invitations(&self, now_ms: i64) -> Vec<MemberRecord> {
        let roster = self.roster();
        roster
            .invitations()
            .into_iter()
            // A used one was withdrawn by the admission that used it.
            .filter(|inv| inv.expires_ms.is_none_or(|t| now_ms <= t))
            .collect()
    }

    /// Which of this device's roles signs an invitation to `role`.
    fn inviting_role(&self, roster: &Roster, role: Role) -> Option<Role> {
        self.acting_role(roster, |key| {
            roster.may_grant(key, MemberKind::Invitation, role)
        })
    }

    /// A role this device is a member in whose key `allowed` accepts.
    pub(crate) fn acting_role(
        &self,
        roster: &Roster,
        allowed: impl Fn(&[u8; 32]) -> bool,
    ) -> Option<Role> {
        self.trust.keys.iter().find_map(|(r, k)| {
            let public = k.public_key();
            (roster.role_of(&public) == Some(*r) && allowed(&public)).then_some(*r)
        })
    }

    /// The device's key for signing as `role`.
    pub(crate) fn signing_key(&self, role: Role) -> Result<ParticipantKey> {
        self.trust
            .keys
            .get(&role)
            .cloned()
            .ok_or(ModelError::NotAMember(role))
    }

    fn grant_invitation(&mut self, grant: &Grant<'_>) -> Result<MemberRecord> {
        let roster = self.roster();
        let Some(as_role) = self.inviting_role(&roster, grant.role) else {
            return Err(ModelError::Membership(format!(
                "Von diesem Gerät aus kann niemand als {} eingeladen werden.",
                grant.role.label()
            )));
        };
        self.grant(as_role, grant)
    }

    /// Starts this device's first change in the report as the new member in `role` with `key`:
    /// a fresh actor, not yet bound to the key, so that the membership record written next is
    /// in place before the role check (enrolling and joining).
    pub(crate) fn begin_as_new_member(&mut self, role: Role, key: ParticipantKey) {
        self.trust.keys.insert(role, key);
        self.commit_pending();
        self.doc.set_actor(crate::report::session_actor());
        self.acting = None;
        self.unregistered = Some(role);
    }

    /// Enrols this device's own `key` through an invitation without limits (whose secret came
    /// in a sealed file): one change, the device's first in the report, that writes the record
    /// signed by the invitation key. The device then writes in the invitation's role.
    pub fn enrol(
        &mut self,
        invitation: &ParticipantKey,
        key: ParticipantKey,
        name: &str,
        time_ms: i64,
    ) -> Result<Role> {
        let roster = self.roster();
        if let Some(role) = roster.role_of(&key.public_key()) {
            // Joined before (this device's key for the role is a member already).
            if roster
                .invitation(&invitation.public_key())
                .is_some_and(|inv| inv.role == role)
            {
                self.trust.keys.insert(role, key);
                return Ok(role);
            }
        }
        let Some(inv) = roster.invitation(&invitation.public_key()).cloned() else {
            return Err(ModelError::Membership(
                "Die Einladung gilt nicht (mehr). Bitte lassen Sie sich neu einladen.".into(),
            ));
        };
        if inv.max_uses > 0 || inv.expires_ms.is_some() {
            // Its device admits through the link ([`Report::decide_join`]).
            return Err(ModelError::Membership(
                "Diese Einladung gilt nur über ihren Link.".into(),
            ));
        }
        // Without a name of its own the device takes the one the invitation was made for.
        let name = if name.trim().is_empty() {
            inv.name.as_str()
        } else {
            name
        };
        let record = MemberRecord::sign(
            &self.id(),
            &Grant {
                kind: MemberKind::Member,
                key: key.public_key(),
                role: inv.role,
                name,
                time_ms,
                expires_ms: None,
                max_uses: 0,
            },
            invitation,
        );
        let role = inv.role;
        let public = key.public_key();
        self.begin_as_new_member(role, key);
        let bytes = record.encode();
        self.write(move |doc| {
            let members = match doc.get(ROOT, MEMBERS)? {
                Some((automerge::Value::Object(ObjType::Map), id)) => id,
                _ => return Err(ModelError::NotAReport("„members“ fehlt.".into())),
            };
            doc.put(
                &members,
                crate::bytes::hex(&public),
                ScalarValue::Bytes(bytes),
            )?;
            Ok(())
        })?;
        Ok(role)
    }

    /// Removes the member with `key` (signed by this device's key for `as_role`).
    pub fn remove_member(&mut self, as_role: Role, key: &[u8; 32], time_ms: i64) -> Result<()> {
        let by = self.signing_key(as_role)?;
        if !self.roster().may_remove(&by.public_key(), key) {
            return Err(ModelError::Membership(format!(
                "Als {} können Sie diese Person nicht entfernen.",
                as_role.label()
            )));
        }
        let removal = Removal::sign(&self.id(), *key, time_ms, &by);
        self.write_record(as_role, REMOVED, key, removal.encode())
    }

    fn write_record(
        &mut self,
        as_role: Role,
        map: &str,
        key: &[u8; 32],
        bytes: Vec<u8>,
    ) -> Result<()> {
        self.act_as(as_role)?;
        let obj = self
            .child(&ROOT, map, ObjType::Map)
            .ok_or_else(|| ModelError::NotAReport(format!("„{map}“ fehlt.")))?;
        let k = crate::bytes::hex(key);
        self.write(|doc| {
            doc.put(&obj, k.as_str(), ScalarValue::Bytes(bytes))?;
            Ok(())
        })
    }
}

/// How a device's member is named where it vouches for somebody at its glass: its name in
/// the roster, or its role.
pub(crate) fn granter_name(roster: &Roster, role: Role, key: &[u8; 32]) -> String {
    roster
        .members()
        .into_iter()
        .find(|m| m.key == *key)
        .map(|m| m.name)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| role.label().to_string())
}
