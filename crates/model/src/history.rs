//! Who changed what and when: authorship from the Automerge change graph.
//!
//! Every change carries its actor and its time; what the document does not know by itself is
//! who an actor is. So a replica registers its actor under `actors` (actor hex → role) with
//! its first edit in a role, and writes in another role with a fresh actor: on a shared
//! tablet, switching "Meine Rolle" makes the next edits count as the other person's. The
//! registry costs one small change per actor, nothing per keystroke.
//!
//! A field's history is read from the changes themselves (their operations on the field's
//! objects), grouped into sittings: consecutive changes of one actor less than
//! [`SITTING_GAP_S`] apart are one entry ("schrieb 52 Zeichen, löschte 3"). Reading it walks
//! every change of the document, so it is made when someone asks for it, never per keystroke.

use automerge::legacy::{Key, ObjectId, OpId, OpType};
use automerge::transaction::Transactable;
use automerge::{ChangeHash, ObjId, ObjType, ReadDoc, ROOT};

use crate::report::{key, write_scalar};
use crate::template::FieldKind;
use crate::{Report, Result, Role};

/// Changes of one actor further apart than this (seconds) are separate entries.
pub const SITTING_GAP_S: i64 = 5 * 60;

/// One sitting of one actor on one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldEdit {
    /// Time of the first and the last change, in seconds since the epoch (0: not recorded).
    pub from_s: i64,
    pub to_s: i64,
    /// The actor (hex) that wrote.
    pub actor: String,
    /// The role the actor was registered with (`None`: before registration existed, or the
    /// report's creation).
    pub role: Option<Role>,
    /// Characters inserted and deleted (text fields).
    pub inserted: usize,
    pub deleted: usize,
    /// Values set or cleared (dates, choices, parts of a signature line).
    pub set: usize,
    /// The last change of the sitting.
    pub last_change: ChangeHash,
}

impl Report {
    /// Makes the next edits count as `role`'s: the next write registers this replica's actor
    /// for `role` (in the same change, so a keystroke stays one change), or, when the actor
    /// already wrote in another role, continues with a fresh actor first. Called by every
    /// write that names a role.
    pub(crate) fn act_as(&mut self, role: Role) -> Result<()> {
        if self.acting == Some(role) {
            return Ok(());
        }
        self.check_member(role)?;
        let actor = self.doc.get_actor().to_hex_string();
        match self.actor_roles().get(&actor) {
            Some(r) if *r == role => {
                self.acting = Some(role);
                self.unregistered = None;
                return Ok(());
            }
            Some(_) => {
                self.commit_pending();
                self.doc.set_actor(crate::report::session_actor());
            }
            None => {}
        }
        self.acting = None;
        self.unregistered = Some(role);
        Ok(())
    }

    /// Inside a write: registers the current actor for the role [`Report::act_as`] left.
    pub(crate) fn register_actor(&mut self, role: Role) -> Result<()> {
        let actor = self.doc.get_actor().to_hex_string();
        let registry = match self.child(&ROOT, key::ACTORS, ObjType::Map) {
            Some(obj) => obj,
            // Reports created before the registry existed get theirs now.
            None => self.doc.put_object(ROOT, key::ACTORS, ObjType::Map)?,
        };
        write_scalar(
            &mut self.doc,
            &registry,
            &actor,
            Some(role.as_str().to_string()),
        )?;
        self.bind_actor(role)
    }

    /// Every registered actor (hex) with its role. Reads every concurrently created registry.
    pub fn actor_roles(&self) -> std::collections::BTreeMap<String, Role> {
        let mut roles = std::collections::BTreeMap::new();
        for (value, registry) in self.doc.get_all(ROOT, key::ACTORS).unwrap_or_default() {
            if !matches!(value, automerge::Value::Object(ObjType::Map)) {
                continue;
            }
            for actor in self.doc.keys(&registry) {
                if let Some(role) = self
                    .read_scalar(&registry, &actor)
                    .and_then(|r| Role::parse(&r))
                {
                    roles.insert(actor, role);
                }
            }
        }
        roles
    }

    /// The history of one field, newest sitting first.
    pub fn field_history(&mut self, field: &str) -> Result<Vec<FieldEdit>> {
        let def = self.field_def(field)?.clone();
        let fields = self.fields_obj()?;
        // The objects whose operations are edits of this field.
        let mut objects: Vec<ObjId> = Vec::new();
        match def.kind {
            FieldKind::ShortText | FieldKind::LongText | FieldKind::DateRange => {
                objects.extend(
                    self.doc
                        .get_all(&fields, field)?
                        .into_iter()
                        .map(|(_, o)| o),
                );
            }
            FieldKind::Signature { .. } => {
                for (_, line) in self.doc.get_all(&fields, field)? {
                    objects.extend(
                        self.doc
                            .get_all(&line, key::NAME)?
                            .into_iter()
                            .map(|(_, o)| o),
                    );
                    objects.push(line);
                }
            }
            FieldKind::Date { .. } | FieldKind::Choice { .. } | FieldKind::Goals { .. } => {}
        }
        let objects: Vec<ObjectId> = objects.iter().filter_map(legacy_object).collect();
        let fields = legacy_object(&fields);
        let roles = self.actor_roles();

        self.commit_pending();
        let mut edits: Vec<FieldEdit> = Vec::new();
        for change in self.doc.get_changes(&[]) {
            let expanded = change.decode();
            let (mut inserted, mut deleted, mut set) = (0, 0, 0);
            for op in &expanded.operations {
                let on_field_key = Some(&op.obj) == fields.as_ref()
                    && matches!(&op.key, Key::Map(k) if k.as_str() == field);
                if !on_field_key && !objects.contains(&op.obj) {
                    continue;
                }
                match (&op.action, op.insert) {
                    (OpType::Delete, _) if !on_field_key && is_text(&def.kind) => deleted += 1,
                    (_, true) => inserted += 1,
                    // Objects made at the field's own key are its layout, not an edit.
                    (OpType::Make(_), false) => {}
                    _ => set += 1,
                }
            }
            if inserted + deleted + set == 0 {
                continue;
            }
            let actor = change.actor_id().to_hex_string();
            let time = change.timestamp();
            match edits.last_mut() {
                Some(last) if last.actor == actor && time - last.to_s <= SITTING_GAP_S => {
                    last.to_s = last.to_s.max(time);
                    last.inserted += inserted;
                    last.deleted += deleted;
                    last.set += set;
                    last.last_change = change.hash();
                }
                _ => edits.push(FieldEdit {
                    from_s: time,
                    to_s: time,
                    role: roles.get(&actor).copied(),
                    actor,
                    inserted,
                    deleted,
                    set,
                    last_change: change.hash(),
                }),
            }
        }
        edits.reverse();
        Ok(edits)
    }
}

fn is_text(kind: &FieldKind) -> bool {
    matches!(kind, FieldKind::ShortText | FieldKind::LongText)
}

/// The same object as the change graph names it.
fn legacy_object(obj: &ObjId) -> Option<ObjectId> {
    match obj {
        ObjId::Root => Some(ObjectId::Root),
        ObjId::Id(counter, actor, _) => Some(ObjectId::Id(OpId(*counter, actor.clone()))),
    }
}
