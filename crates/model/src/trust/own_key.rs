//! Signing with a person's own key on a device several people share.
//!
//! The device writes with one key per role; on a shared tablet that key is everybody's who
//! works there in that role. A signature must say more than "this tablet, as provider": it is
//! one person's. So a signature can be made with a key of the signer's own — kept behind their
//! own PIN (`crate::PersonKey`), or drawn for this one signature and forgotten right after it,
//! so that nobody can sign with it again.
//!
//! Other devices accept a signature only from a member in the line's role whose key wrote it
//! (`rules.rs`). So the signing device first makes the person's key a member, vouched for by
//! one of its own keys that may grant the role (owner, provider or caseworker), under the
//! name "Ben Träger (am Gerät von Anna Träger)": everybody sees at whose glass the key was
//! vouched for. Then the signature is written by a fresh actor bound to the person's key, and
//! the device goes back to its own key with another fresh actor, so none of its later edits
//! count as the person's.
//!
//! A device that may grant nothing (the person supported on their own phone, enrolled by an
//! invitation) signs with its own member key: that device is the person's.

use super::MemberKind;
use crate::signing::check_signer;
use crate::{ModelError, ParticipantKey, Report, Result, Role, SignRequest};

impl Report {
    /// Whether this device can vouch for a person's own key in `role`: the report is not
    /// protected, or one of the device's member keys may grant the role.
    pub fn may_vouch_for(&self, role: Role) -> bool {
        if !self.is_protected() {
            return true;
        }
        let roster = self.roster();
        self.acting_role(&roster, |key| {
            roster.may_grant(key, MemberKind::Member, role)
        })
        .is_some()
    }

    /// Signs `request` with the person's own `key` instead of the device's key for the role:
    /// makes the key a member first when it is not one (vouched for by this device), writes the
    /// signature as the key's own change, and returns to the device's key. Nothing is written
    /// when anything is refused.
    pub fn sign_in_person(
        &mut self,
        request: &SignRequest<'_>,
        key: &ParticipantKey,
    ) -> Result<()> {
        let role = request.role;
        self.check_edit(role, request.field)?;
        self.signature_line_obj(request.field)?;
        check_signer(request)?;
        if self.is_protected() {
            self.vouch_for(role, key, request.name)?;
        }
        let device_key = self.trust.keys.get(&role).cloned();
        self.begin_as_new_member(role, key.clone());
        let signed = self.sign(request, key);
        self.commit_pending();
        if signed.is_ok() && self.is_protected() {
            // The key is dropped right after: its attestation is made now and kept.
            self.attest_with(key);
        }
        match device_key {
            Some(k) => self.trust.keys.insert(role, k),
            None => self.trust.keys.remove(&role),
        };
        // A fresh actor: the next edit in `role` is bound to the device's key again.
        self.doc.set_actor(crate::report::session_actor());
        self.acting = None;
        self.unregistered = None;
        signed
    }

    /// Makes `key` a member in `role`, granted by one of this device's keys.
    fn vouch_for(&mut self, role: Role, key: &ParticipantKey, name: &str) -> Result<()> {
        let roster = self.roster();
        let public = key.public_key();
        match roster.role_of(&public) {
            Some(r) if r == role => return Ok(()),
            Some(r) => {
                return Err(ModelError::Membership(format!(
                    "Dieser Schlüssel gehört in diesem Bericht zur Rolle {}.",
                    r.label()
                )))
            }
            None if roster.is_removed(&public) => return Err(ModelError::Membership(
                "Diese Person wurde aus dem Bericht entfernt und kann hier nicht unterschreiben."
                    .into(),
            )),
            None => {}
        }
        let Some(as_role) =
            self.acting_role(&roster, |k| roster.may_grant(k, MemberKind::Member, role))
        else {
            return Err(ModelError::Membership(format!(
                "Auf diesem Gerät kann niemand eine Unterschrift als {} bestätigen.",
                role.label()
            )));
        };
        let granter = self.signing_key(as_role)?.public_key();
        self.vouch(&roster, (as_role, granter), public, role, name)
    }
}
