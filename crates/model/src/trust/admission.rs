//! Joining by invitation link: the joining device asks, the inviting device admits.
//!
//! An invitation with limits (one device, until a date) cannot be enforced by the devices that
//! verify the report: time is whatever the enrolling device claims, and two devices using one
//! link at the same moment each see the invitation unused. Only one party sees every use in
//! order and has a clock it trusts: the device that made the invitation. So a link carries no
//! room and no key of the report, only the invitation's secret and the inviting member's
//! public key, and the inviting device is the doorkeeper:
//!
//! 1. The secret derives a *rendezvous* room and key ([`InvitationSecret::rendezvous`]), and
//!    the public key of the invitation's record in the report ([`InvitationSecret::record_key`]),
//!    so the inviting device finds the invitation from the secret alone.
//! 2. The joining device posts a [`JoinRequest`] there: its own device key, signed with it
//!    (whoever copies a request cannot have the answer sealed to a key of their own).
//! 3. The inviting device checks the request against the report and its own clock and count
//!    ([`crate::Report::decide_join`]): the invitation is still in the report, this device made it,
//!    it has not expired, and no other device was admitted through it. It answers with a
//!    [`JoinReply`]: the report's room and key, a membership record for the joining key signed
//!    by the inviting member, and the invitation's withdrawal, all sealed to the joining key.
//! 4. The joining device takes only answers signed by the member its link names (anybody
//!    with the link can post in the rendezvous room). It syncs the report from that room and
//!    writes the record and the withdrawal as its first change ([`crate::Report::join`]).
//!    Every device checks the record like any grant: signed by a member who may grant that
//!    role.
//!
//! Whoever holds a link that was already used reads nothing: the rendezvous room holds only
//! requests and sealed answers. The inviting device must be online for a device to join;
//! the joining device says so while it waits.

use sha2::Sha256;
use zeroize::Zeroize;

use super::records::{verify, MemberKind, MemberRecord, Removal};
use super::room_move::{open_sealed, seal_to, RoomKeys};
use crate::bytes::{put_str32, Reader};
use crate::error::ModelError;
use crate::Result;
use crate::{ParticipantKey, Report, Role};

/// Domain label of join requests and of the answers sealed to the joining device.
pub const JOIN_DOMAIN: &[u8] = b"dreieck/join/v1";
const REQUEST_TAG: u8 = 1;
const GRANTED_TAG: u8 = 2;
const DECLINED_TAG: u8 = 3;

/// The secret an invitation link carries (32 random bytes from the inviting device).
#[derive(Clone, PartialEq, Eq)]
pub struct InvitationSecret([u8; 32]);

impl InvitationSecret {
    pub fn from_bytes(bytes: [u8; 32]) -> InvitationSecret {
        InvitationSecret(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn expand(&self, what: &str, out: &mut [u8]) {
        let hk = hkdf::Hkdf::<Sha256>::new(None, &self.0);
        let mut info = JOIN_DOMAIN.to_vec();
        info.extend_from_slice(what.as_bytes());
        // At most 48 bytes, far below HKDF-SHA256's limit: expand cannot fail here.
        let _ = hk.expand(&info, out);
    }

    /// Where requests and answers for this invitation meet on the relay.
    pub fn rendezvous(&self) -> RoomKeys {
        let mut okm = [0u8; 48];
        self.expand("/rendezvous", &mut okm);
        let mut keys = RoomKeys {
            room: [0; 16],
            key: [0; 32],
        };
        keys.room.copy_from_slice(&okm[..16]);
        keys.key.copy_from_slice(&okm[16..]);
        okm.zeroize();
        keys
    }

    /// The key the invitation's record names. Its secret half is known to every holder of the
    /// link, so it grants nothing itself (a limited invitation enrols nobody on its own).
    pub fn record_key(&self) -> ParticipantKey {
        let mut seed = [0u8; 32];
        self.expand("/record", &mut seed);
        let key = ParticipantKey::from_seed(&seed);
        seed.zeroize();
        key
    }
}

impl Drop for InvitationSecret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

// Never print the secret.
impl std::fmt::Debug for InvitationSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InvitationSecret(..)")
    }
}

/// A joining device's request: admit this device key, proven by its signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinRequest {
    pub device: [u8; 32],
    pub signature: [u8; 64],
}

fn request_message(report_id: &str, invitation: &[u8; 32], device: &[u8; 32]) -> Vec<u8> {
    let mut m = Vec::with_capacity(128);
    m.extend_from_slice(JOIN_DOMAIN);
    m.extend_from_slice(b"/request");
    put_str32(&mut m, report_id);
    m.extend_from_slice(invitation);
    m.extend_from_slice(device);
    m
}

impl JoinRequest {
    pub fn sign(report_id: &str, secret: &InvitationSecret, key: &ParticipantKey) -> JoinRequest {
        let device = key.public_key();
        let invitation = secret.record_key().public_key();
        JoinRequest {
            device,
            signature: key.sign(&request_message(report_id, &invitation, &device)),
        }
    }

    pub fn verifies(&self, report_id: &str, secret: &InvitationSecret) -> bool {
        let invitation = secret.record_key().public_key();
        verify(
            &self.device,
            &request_message(report_id, &invitation, &self.device),
            &self.signature,
        )
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![REQUEST_TAG];
        out.extend_from_slice(&self.device);
        out.extend_from_slice(&self.signature);
        out
    }
}

/// Why the inviting device admits nobody more through an invitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Declined {
    /// The invitation is no longer in the report (withdrawn, or used by another device).
    Withdrawn,
    /// Its time ran out, by the inviting device's clock.
    Expired,
    /// Another device was admitted through it.
    UsedUp,
}

impl Declined {
    fn code(self) -> u8 {
        match self {
            Declined::Withdrawn => 1,
            Declined::Expired => 2,
            Declined::UsedUp => 3,
        }
    }

    fn from_code(code: u8) -> Option<Declined> {
        Some(match code {
            1 => Declined::Withdrawn,
            2 => Declined::Expired,
            3 => Declined::UsedUp,
            _ => return None,
        })
    }

    /// For the person who opened the link, in German.
    pub fn message(self) -> &'static str {
        self.text(&dreieck_texts::standard::STANDARD)
    }

    /// The same in Leichte Sprache, a sentence a line.
    pub fn plain(self) -> &'static str {
        self.text(&dreieck_texts::plain::PLAIN)
    }

    fn text(self, t: &'static dreieck_texts::Texts) -> &'static str {
        match self {
            Declined::Withdrawn => t.declined_withdrawn,
            Declined::Expired => t.declined_expired,
            Declined::UsedUp => t.declined_used_up,
        }
    }
}

/// What an admitted device receives: where the report is, and its records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinGrant {
    pub room: RoomKeys,
    /// The joining key's membership, signed by the inviting member.
    pub record: MemberRecord,
    /// The invitation's withdrawal (it is used), signed by the inviting member.
    pub used: Removal,
}

impl JoinGrant {
    fn encode(&self) -> Vec<u8> {
        let record = self.record.encode();
        let mut out = Vec::with_capacity(64 + record.len() + 140);
        out.extend_from_slice(&self.room.room);
        out.extend_from_slice(&self.room.key);
        out.extend_from_slice(&(record.len() as u16).to_be_bytes());
        out.extend_from_slice(&record);
        out.extend_from_slice(&self.used.encode());
        out
    }

    fn decode(bytes: &[u8]) -> Option<JoinGrant> {
        let mut r = Reader(bytes);
        let room = RoomKeys {
            room: r.array::<16>()?,
            key: r.array::<32>()?,
        };
        let n = usize::from(r.u16()?);
        let record = MemberRecord::decode(r.take(n)?)?;
        let used = Removal::decode(r.0)?;
        Some(JoinGrant { room, record, used })
    }
}

/// The inviting device's answer to one request, posted in the rendezvous room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JoinReply {
    /// A [`JoinGrant`] sealed to `to` (X25519 with the ephemeral key `ephemeral`).
    Granted {
        to: [u8; 32],
        ephemeral: [u8; 32],
        sealed: Vec<u8>,
    },
    /// Nobody more is admitted; `to` asked. Signed by the inviting member, so that no other
    /// holder of the link can send the person away.
    Declined {
        to: [u8; 32],
        why: Declined,
        signature: [u8; 64],
    },
}

fn declined_message(
    report_id: &str,
    secret: &InvitationSecret,
    to: &[u8; 32],
    why: Declined,
) -> Vec<u8> {
    let mut m = Vec::with_capacity(128);
    m.extend_from_slice(JOIN_DOMAIN);
    m.extend_from_slice(b"/declined");
    put_str32(&mut m, report_id);
    m.extend_from_slice(&secret.record_key().public_key());
    m.extend_from_slice(to);
    m.push(why.code());
    m
}

impl JoinReply {
    /// Seals `grant` to the device that asked (`ephemeral`: 32 fresh random bytes).
    pub fn grant(report_id: &str, grant: &JoinGrant, ephemeral: [u8; 32]) -> Option<JoinReply> {
        let to = grant.record.key;
        let mut plain = grant.encode();
        let sealed = seal_to(JOIN_DOMAIN, report_id.as_bytes(), ephemeral, &to, &plain);
        plain.zeroize();
        Some(JoinReply::Granted {
            to,
            ephemeral: curve25519_dalek::montgomery::MontgomeryPoint::mul_base_clamped(ephemeral)
                .to_bytes(),
            sealed: sealed?,
        })
    }

    /// A refusal for `to`, signed with the inviting member's `key`.
    pub fn decline(
        report_id: &str,
        secret: &InvitationSecret,
        to: [u8; 32],
        why: Declined,
        key: &ParticipantKey,
    ) -> JoinReply {
        JoinReply::Declined {
            to,
            why,
            signature: key.sign(&declined_message(report_id, secret, &to, why)),
        }
    }

    /// Why the inviting member (`inviter`, named in the link) declined `me`: `None` when this
    /// is no refusal for `me` or not signed by the inviter (anybody with the link can post).
    pub fn declined(
        &self,
        report_id: &str,
        secret: &InvitationSecret,
        inviter: &[u8; 32],
        me: &[u8; 32],
    ) -> Option<Declined> {
        let JoinReply::Declined { to, why, signature } = self else {
            return None;
        };
        (to == me
            && verify(
                inviter,
                &declined_message(report_id, secret, to, *why),
                signature,
            ))
        .then_some(*why)
    }

    /// The device key this reply answers.
    pub fn to(&self) -> &[u8; 32] {
        match self {
            JoinReply::Granted { to, .. } | JoinReply::Declined { to, .. } => to,
        }
    }

    /// Opens a grant with this device's key: `None` when it is not for `key`, does not open,
    /// or is not the inviting member's (`inviter`, named in the link): its record and the
    /// invitation's withdrawal must be signed by that member. What it grants is still to be
    /// checked against the report ([`crate::Report::join`]).
    pub fn open(
        &self,
        report_id: &str,
        secret: &InvitationSecret,
        inviter: &[u8; 32],
        key: &ParticipantKey,
    ) -> Option<JoinGrant> {
        let JoinReply::Granted {
            to,
            ephemeral,
            sealed,
        } = self
        else {
            return None;
        };
        if *to != key.public_key() {
            return None;
        }
        let mut plain = open_sealed(JOIN_DOMAIN, report_id.as_bytes(), ephemeral, sealed, key)?;
        let grant = JoinGrant::decode(&plain);
        plain.zeroize();
        grant.filter(|g| {
            g.record.key == *to
                && g.record.granted_by == *inviter
                && g.record.verifies(report_id)
                && g.used.by == *inviter
                && g.used.key == secret.record_key().public_key()
                && g.used.verifies(report_id)
        })
    }

    pub fn encode(&self) -> Vec<u8> {
        match self {
            JoinReply::Granted {
                to,
                ephemeral,
                sealed,
            } => {
                let mut out = vec![GRANTED_TAG];
                out.extend_from_slice(to);
                out.extend_from_slice(ephemeral);
                out.extend_from_slice(sealed);
                out
            }
            JoinReply::Declined { to, why, signature } => {
                let mut out = vec![DECLINED_TAG];
                out.extend_from_slice(to);
                out.push(why.code());
                out.extend_from_slice(signature);
                out
            }
        }
    }
}

/// One message of a rendezvous room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JoinMessage {
    Request(JoinRequest),
    Reply(JoinReply),
}

/// Longest sealed grant accepted (a record with the longest name, a removal, the room).
const MAX_SEALED: usize = 1024;

impl JoinMessage {
    /// `None` for anything that is not a complete message.
    pub fn decode(bytes: &[u8]) -> Option<JoinMessage> {
        let mut r = Reader(bytes);
        let message = match r.u8()? {
            REQUEST_TAG => JoinMessage::Request(JoinRequest {
                device: r.array::<32>()?,
                signature: r.array::<64>()?,
            }),
            GRANTED_TAG => {
                let to = r.array::<32>()?;
                let ephemeral = r.array::<32>()?;
                let sealed = r.0.to_vec();
                if sealed.is_empty() || sealed.len() > MAX_SEALED {
                    return None;
                }
                r.0 = &[];
                JoinMessage::Reply(JoinReply::Granted {
                    to,
                    ephemeral,
                    sealed,
                })
            }
            DECLINED_TAG => JoinMessage::Reply(JoinReply::Declined {
                to: r.array::<32>()?,
                why: Declined::from_code(r.u8()?)?,
                signature: r.array::<64>()?,
            }),
            _ => return None,
        };
        r.is_empty().then_some(message)
    }
}

/// What the inviting device decided about one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Admit(Box<JoinGrant>),
    /// Declined for this reason; the refusal to post, signed by the inviting member.
    Decline(Declined, JoinReply),
    /// Not this device's invitation, or the request is not genuine: no answer at all (the
    /// device that made the invitation answers, or nobody).
    Ignore,
}

impl Report {
    /// The inviting device's decision on `request` for the invitation with `secret`, by this
    /// device's clock (`now_ms`) and the device keys it admitted through it before
    /// (`admitted`, kept on this device). A device admitted before is admitted again (its
    /// answer may have been lost); `room` is where the report is shared from this device.
    pub fn decide_join(
        &self,
        secret: &InvitationSecret,
        request: &JoinRequest,
        admitted: &[[u8; 32]],
        now_ms: i64,
        room: &RoomKeys,
    ) -> Decision {
        let id = self.id();
        if !self.is_protected() || !request.verifies(&id, secret) {
            return Decision::Ignore;
        }
        let roster = self.roster();
        let invitation_key = secret.record_key().public_key();
        let Some(invitation) = roster.invitation_record(&invitation_key).cloned() else {
            return Decision::Ignore;
        };
        let Some(granter) = self
            .trust
            .keys
            .values()
            .find(|k| k.public_key() == invitation.granted_by)
        else {
            return Decision::Ignore;
        };
        let decline = |why| {
            Decision::Decline(
                why,
                JoinReply::decline(&id, secret, request.device, why, granter),
            )
        };
        if !roster.may_grant(&invitation.granted_by, MemberKind::Member, invitation.role) {
            return decline(Declined::Withdrawn);
        }
        // A device admitted before is answered again (its answer may have been lost, and its
        // own first change withdrew the invitation).
        if !admitted.contains(&request.device) {
            if roster.is_removed(&invitation_key) {
                // Withdrawn, or used: an admission withdraws the invitation it used.
                return decline(match admitted.is_empty() {
                    true => Declined::Withdrawn,
                    false => Declined::UsedUp,
                });
            }
            if invitation.expires_ms.is_some_and(|t| now_ms > t) {
                return decline(Declined::Expired);
            }
            if admitted.len() >= usize::from(invitation.max_uses.max(1)) {
                return decline(Declined::UsedUp);
            }
        }
        Decision::Admit(Box::new(grant_for(
            &id,
            &invitation,
            request,
            now_ms,
            room,
            granter,
        )))
    }

    /// On the joining device: writes the grant's membership and the invitation's withdrawal as
    /// this device's first change, so it writes in the granted role from then on. The grant
    /// must be for `key`, and verify against this report: signed by a member who may grant
    /// the role, who also withdrew the invitation.
    pub fn join(&mut self, grant: &JoinGrant, key: ParticipantKey) -> Result<Role> {
        let id = self.id();
        let refuse = |why: &str| Err(ModelError::Membership(why.to_string()));
        let record = &grant.record;
        if record.key != key.public_key() || record.kind != MemberKind::Member {
            return refuse("Die Einladung gilt nicht für dieses Gerät.");
        }
        let roster = self.roster();
        if !record.verifies(&id)
            || !grant.used.verifies(&id)
            || grant.used.by != record.granted_by
            || !roster.may_grant(&record.granted_by, MemberKind::Member, record.role)
        {
            return refuse(
                "Die Antwort auf die Einladung stammt von niemandem, der in diesen Bericht einladen darf.",
            );
        }
        let role = record.role;
        if roster.role_of(&record.key) == Some(role) {
            // Joined before: the records are in the report already.
            self.trust.keys.insert(role, key);
            return Ok(role);
        }
        self.begin_as_new_member(role, key);
        let member = record.encode();
        let used = grant.used.encode();
        let (member_key, used_key) = (
            crate::bytes::hex(&record.key),
            crate::bytes::hex(&grant.used.key),
        );
        let (Some(members), Some(removed)) = (
            self.child(
                &automerge::ROOT,
                super::roster::MEMBERS,
                automerge::ObjType::Map,
            ),
            self.child(
                &automerge::ROOT,
                super::roster::REMOVED,
                automerge::ObjType::Map,
            ),
        ) else {
            return Err(ModelError::NotAReport("„members“ fehlt.".into()));
        };
        // Written as the new member: the record must be in place before the role check.
        self.write(move |doc| {
            use automerge::transaction::Transactable;
            doc.put(&members, member_key, automerge::ScalarValue::Bytes(member))?;
            doc.put(&removed, used_key, automerge::ScalarValue::Bytes(used))?;
            Ok(())
        })?;
        Ok(role)
    }
}

fn grant_for(
    report_id: &str,
    invitation: &MemberRecord,
    request: &JoinRequest,
    now_ms: i64,
    room: &RoomKeys,
    granter: &ParticipantKey,
) -> JoinGrant {
    let record = MemberRecord::sign(
        report_id,
        &super::records::Grant {
            kind: MemberKind::Member,
            key: request.device,
            role: invitation.role,
            name: &invitation.name,
            time_ms: now_ms,
            expires_ms: None,
            max_uses: 0,
        },
        granter,
    );
    JoinGrant {
        room: room.clone(),
        record,
        used: Removal::sign(report_id, invitation.key, now_ms, granter),
    }
}
