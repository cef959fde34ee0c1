//! What each role may write: every operation of a change, judged by where it lands in the
//! layout of docs/document.md.
//!
//! The setters of [`crate::Report`] already refuse what a role may not do, but they run only on
//! the honest device that writes. These rules run on every device, on every operation that
//! arrives from elsewhere, and they are stricter than "the setters would have allowed it": an
//! operation at a place the layout does not know is refused too. After creation nobody writes
//! the layout (`schema`, `report_id`, `template`, `owner`, the objects every field has).

use automerge::legacy::{Key, OpType};
use automerge::{ObjType, ScalarValue};

use super::records::{MemberRecord, Removal};
use super::room_move::RoomMove;
use super::roster::Roster;
use std::collections::HashMap;

use crate::measures::{item_id, measure_by_ok};
use crate::recorded_words::{self, maker_of, recording_id, Recorded};
use crate::report::key;
use crate::review::{self, MAX_REMARK_ID};
use crate::signing::{SignatureRecord, SIGNED};
use crate::template::FieldKind;
use crate::{Date, Role, Template};
use crate::{GoalLevel, GoalOrigin};

/// One step of the path from the root to where an operation writes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Step {
    /// A map key.
    Key(String),
    /// An element of a list or text.
    Elem,
}

/// Who writes, as the gate established it.
pub(crate) struct Author<'a> {
    pub role: Role,
    pub key: [u8; 32],
    pub actor_hex: &'a str,
    /// The change is the actor's first (the only one that may bind the actor to a key).
    pub first: bool,
}

/// What the rules need to know besides the operation.
pub(crate) struct Context<'a> {
    pub template: &'a Template,
    pub report_id: &'a str,
    /// Membership as the author could know it (at the change's dependencies, plus records
    /// the change itself writes, in order).
    pub roster: &'a mut Roster,
    /// The recordings of the person's words the change touches, by field and id, as they
    /// stood at the change's dependencies (`recorded_words.rs`).
    pub recorded: &'a HashMap<(String, String), Recorded>,
}

/// The reason an operation is refused, in German, naming the place (never the content).
pub(crate) type Refused = String;

/// Judges one operation. `path` leads from the root to the object the operation writes in;
/// the operation's own key is added here.
pub(crate) fn check_op(
    path: &[Step],
    op_key: &Key,
    action: &OpType,
    insert: bool,
    author: &Author<'_>,
    cx: &mut Context<'_>,
) -> Result<(), Refused> {
    let mut full: Vec<Step> = path.to_vec();
    full.push(match op_key {
        Key::Map(k) => Step::Key(k.to_string()),
        Key::Seq(_) => Step::Elem,
    });
    let keys: Vec<&str> = full
        .iter()
        .map(|s| match s {
            Step::Key(k) => k.as_str(),
            Step::Elem => "#",
        })
        .collect();
    let role = author.role;
    let layout = || Err::<(), _>("den Aufbau des Berichts ändern".to_string());
    if matches!(
        action,
        OpType::Increment(_) | OpType::MarkBegin(_) | OpType::MarkEnd(_)
    ) {
        return Err("eine im Bericht unbekannte Art von Änderung".into());
    }
    match keys[..] {
        // ---- the form's fields ------------------------------------------------------
        [key::FIELDS, field] => {
            let def = field_of(cx.template, field)?;
            may_edit(def, role)?;
            match &def.kind {
                FieldKind::Date { .. } => scalar_value(action, insert, date_ok, def),
                FieldKind::Choice { code_list } => scalar_value(
                    action,
                    insert,
                    |v| {
                        cx.template
                            .code_list(code_list)
                            .is_some_and(|l| l.codes.iter().any(|c| c.code == v))
                    },
                    def,
                ),
                _ => layout(),
            }
        }
        [key::FIELDS, field, "#"] => {
            let def = field_of(cx.template, field)?;
            if !matches!(def.kind, FieldKind::ShortText | FieldKind::LongText) {
                return layout();
            }
            may_edit(def, role)?;
            text_op(action, insert)
        }
        [key::FIELDS, field, end @ (key::FROM | key::TO)] => {
            let def = field_of(cx.template, field)?;
            if def.kind != FieldKind::DateRange {
                return layout();
            }
            may_edit(def, role)?;
            let _ = end;
            scalar_value(action, insert, date_ok, def)
        }
        [key::FIELDS, field, key::DATE] => {
            let def = signature_field(cx.template, field)?;
            may_edit(def, role)?;
            scalar_value(action, insert, date_ok, def)
        }
        [key::FIELDS, field, key::NAME, "#"] => {
            let def = signature_field(cx.template, field)?;
            may_edit(def, role)?;
            text_op(action, insert)
        }
        [key::FIELDS, field, SIGNED] => {
            let def = signature_field(cx.template, field)?;
            may_edit(def, role)?;
            match action {
                OpType::Delete => Ok(()),
                OpType::Put(ScalarValue::Bytes(bytes)) if !insert => {
                    match SignatureRecord::decode(bytes) {
                        // Only one's own signature, in one's own role: nobody signs for another.
                        Some(r) if r.public_key == author.key && r.role == role => Ok(()),
                        Some(_) => Err(format!(
                            "im Namen einer anderen Person unterschreiben („{}“)",
                            def.label
                        )),
                        None => Err(format!("eine unlesbare Unterschrift bei „{}“", def.label)),
                    }
                }
                _ => layout(),
            }
        }
        // ---- goals ------------------------------------------------------------------
        [key::GOALS, _goal] => {
            let def = goals_field(cx.template)?;
            may_edit(def, role)?;
            match action {
                OpType::Make(ObjType::Map) | OpType::Delete if !insert => Ok(()),
                _ => layout(),
            }
        }
        [key::GOALS, _goal, part] => {
            let def = goals_field(cx.template)?;
            match (part, action) {
                (key::SELF_RATING, _) => {
                    if role != Role::Beneficiary {
                        return Err(format!(
                            "die Selbsteinschätzung der leistungsberechtigten Person ändern ({})",
                            role.label()
                        ));
                    }
                    goal_code(cx.template, def, action, insert, true)
                }
                (key::POS, OpType::Put(ScalarValue::F64(p))) if p.is_finite() && !insert => {
                    may_edit(def, role)
                }
                (key::TEXT | key::MEASURES, OpType::Make(ObjType::Text)) if !insert => {
                    may_edit(def, role)
                }
                // Removing the first measure.
                (key::MEASURES, OpType::Delete) if !insert => may_edit(def, role),
                // A further measure: added as a map of its own, or removed.
                (m, OpType::Make(ObjType::Map) | OpType::Delete)
                    if !insert && item_id(m).is_some() =>
                {
                    may_edit(def, role)
                }
                (key::ACHIEVEMENT, _) => {
                    may_edit(def, role)?;
                    goal_code(cx.template, def, action, insert, true)
                }
                (key::REASON, _) => {
                    may_edit(def, role)?;
                    goal_code(cx.template, def, action, insert, false)
                }
                (key::LEVEL, _) => {
                    may_edit(def, role)?;
                    scalar_value(action, insert, |v| GoalLevel::from_code(v).is_some(), def)
                }
                (key::ORIGIN, _) => {
                    may_edit(def, role)?;
                    scalar_value(action, insert, |v| GoalOrigin::from_code(v).is_some(), def)
                }
                (key::TARGET | key::MEASURES_UNTIL, _) => {
                    may_edit(def, role)?;
                    scalar_value(action, insert, date_ok, def)
                }
                (key::MEASURES_BY, _) => {
                    may_edit(def, role)?;
                    scalar_value(action, insert, measure_by_ok, def)
                }
                (key::AREA, _) => {
                    may_edit(def, role)?;
                    scalar_value(action, insert, |v| crate::help_area(v).is_some(), def)
                }
                _ => layout(),
            }
        }
        [key::GOALS, _goal, key::TEXT | key::MEASURES, "#"] => {
            may_edit(goals_field(cx.template)?, role)?;
            text_op(action, insert)
        }
        [key::GOALS, _goal, measure, part] if item_id(measure).is_some() => {
            let def = goals_field(cx.template)?;
            may_edit(def, role)?;
            match (part, action) {
                (key::POS, OpType::Put(ScalarValue::F64(p))) if p.is_finite() && !insert => Ok(()),
                (key::TEXT, OpType::Make(ObjType::Text)) if !insert => Ok(()),
                (key::BY, _) => scalar_value(action, insert, measure_by_ok, def),
                (key::UNTIL, _) => scalar_value(action, insert, date_ok, def),
                _ => layout(),
            }
        }
        [key::GOALS, _goal, measure, key::TEXT, "#"] if item_id(measure).is_some() => {
            may_edit(goals_field(cx.template)?, role)?;
            text_op(action, insert)
        }
        // ---- the person's own words ---------------------------------------------------
        [key::OWN_WORDS, field, mode @ ("typed" | "dictated")] => {
            let def = field_of(cx.template, field)?;
            let _ = mode;
            if !def.own_words || role != Role::Beneficiary {
                return Err(format!("„{}“ als eigene Worte kennzeichnen", def.label));
            }
            match action {
                OpType::Put(ScalarValue::Boolean(true)) if !insert => Ok(()),
                _ => layout(),
            }
        }
        [key::OWN_WORDS, field, "remark", "#"] => {
            let def = field_of(cx.template, field)?;
            if role == Role::Beneficiary || !def.editors.contains(&role) {
                return Err(format!("die Anmerkung zu „{}“ schreiben", def.label));
            }
            text_op(action, insert)
        }
        [key::OWN_WORDS, field, item, ref rest @ ..] if recording_id(item).is_some() => {
            recording_op(field, item, rest, action, insert, author, cx)
        }
        // ---- conversation and case --------------------------------------------------
        [key::CONVERSATION] => make_or_nothing(action, insert, ObjType::Map),
        [key::CONVERSATION, "step"] => match action {
            OpType::Put(ScalarValue::Str(_)) if !insert => Ok(()),
            _ => layout(),
        },
        [key::CONVERSATION, "present"] => make_or_nothing(action, insert, ObjType::Map),
        [key::CONVERSATION, "present", who] => match (Role::parse(who), action) {
            (Some(_), OpType::Put(ScalarValue::Str(n))) if !insert && n.chars().count() <= 200 => {
                Ok(())
            }
            (Some(_), OpType::Delete) => Ok(()),
            _ => layout(),
        },
        [key::SUBMISSION] => {
            keeps_case(role, "die Übermittlung eintragen")?;
            match action {
                OpType::Make(ObjType::Map) | OpType::Delete if !insert => Ok(()),
                _ => layout(),
            }
        }
        [key::SUBMISSION, part] => {
            keeps_case(role, "die Übermittlung eintragen")?;
            own_role_or_date(part, action, insert, role)
        }
        [key::MISSING_HELP] => {
            keeps_case(role, "einen fehlenden Hilfebaustein notieren")?;
            make_or_nothing(action, insert, ObjType::List)
        }
        [key::MISSING_HELP, "#"] => {
            keeps_case(role, "einen fehlenden Hilfebaustein notieren")?;
            match action {
                OpType::Make(ObjType::Map) if insert => Ok(()),
                OpType::Delete if !insert => Ok(()),
                _ => layout(),
            }
        }
        [key::MISSING_HELP, "#", part] => {
            keeps_case(role, "einen fehlenden Hilfebaustein notieren")?;
            match part {
                key::AREA | key::TEXT => match action {
                    OpType::Put(ScalarValue::Str(s)) if !insert && s.chars().count() <= 4000 => {
                        Ok(())
                    }
                    _ => layout(),
                },
                _ => own_role_or_date(part, action, insert, role),
            }
        }
        // ---- the caseworker's review -------------------------------------------------
        [key::REVIEW] => {
            caseworker_only(role, "eine Rückfrage stellen")?;
            make_or_nothing(action, insert, ObjType::Map)
        }
        [key::REVIEW, id] => {
            caseworker_only(role, "eine Rückfrage stellen oder zurücknehmen")?;
            match action {
                OpType::Make(ObjType::Map) if !insert && id.len() <= MAX_REMARK_ID => Ok(()),
                OpType::Delete if !insert => Ok(()),
                _ => layout(),
            }
        }
        [key::REVIEW, _id, part] => remark_part(part, action, insert, author, cx.template),
        [key::ACCEPTANCE] => {
            caseworker_only(role, "den Bericht als angenommen eintragen")?;
            match action {
                OpType::Make(ObjType::Map) | OpType::Delete if !insert => Ok(()),
                _ => layout(),
            }
        }
        [key::ACCEPTANCE, part] => {
            caseworker_only(role, "den Bericht als angenommen eintragen")?;
            match (part, action) {
                (review::part::BY, _) => own_key(action, insert, author),
                (review::part::HEADS, OpType::Put(ScalarValue::Bytes(b)))
                    if !insert && review::decode_heads(b).is_some() =>
                {
                    Ok(())
                }
                _ => own_role_or_date(part, action, insert, role),
            }
        }
        // ---- who writes -------------------------------------------------------------
        [key::ACTORS, actor] => match action {
            OpType::Put(ScalarValue::Str(r))
                if !insert && actor == author.actor_hex && r.as_str() == role.as_str() =>
            {
                Ok(())
            }
            _ => Err("eine andere Rolle oder ein anderes Gerät eintragen".into()),
        },
        [super::roster::KEYS, actor] => match action {
            OpType::Put(ScalarValue::Bytes(b))
                if !insert && author.first && actor == author.actor_hex && b[..] == author.key =>
            {
                Ok(())
            }
            _ => Err("ein Gerät an einen fremden Schlüssel binden".into()),
        },
        [crate::signing::PARTICIPANTS, k] => match action {
            OpType::Put(ScalarValue::Str(json))
                if !insert && k == crate::bytes::hex(&author.key) =>
            {
                match serde_json::from_str::<crate::Participant>(json) {
                    Ok(p) if p.role == role => Ok(()),
                    _ => Err("sich mit einer anderen Rolle eintragen".into()),
                }
            }
            _ => Err("eine andere Person in die Liste der Unterschreibenden eintragen".into()),
        },
        [super::roster::MEMBERS, k] => {
            let OpType::Put(ScalarValue::Bytes(bytes)) = action else {
                return Err("eine Mitgliedschaft löschen".into());
            };
            let record = MemberRecord::decode(bytes)
                .filter(|r| !insert && crate::bytes::hex(&r.key) == k)
                .ok_or_else(|| "eine unlesbare Mitgliedschaft eintragen".to_string())?;
            check_grant(&record, cx)?;
            cx.roster.add_record(record);
            Ok(())
        }
        [super::roster::MOVES] => match action {
            OpType::Make(ObjType::Map) if !insert && cx.roster.may_move(&author.key) => Ok(()),
            _ => Err("den Bericht umziehen, ohne dazu berechtigt zu sein".into()),
        },
        [super::roster::MOVES, k] => {
            let OpType::Put(ScalarValue::Bytes(bytes)) = action else {
                return Err("einen Umzug des Berichts löschen".into());
            };
            let record = RoomMove::decode(bytes)
                .filter(|r| !insert && r.id() == k)
                .ok_or_else(|| "einen unlesbaren Umzug eintragen".to_string())?;
            if record.by != author.key
                || !record.verifies(cx.report_id)
                || !cx.roster.may_move(&record.by)
            {
                return Err("den Bericht umziehen, ohne dazu berechtigt zu sein".into());
            }
            Ok(())
        }
        [super::roster::REMOVED, k] => {
            let OpType::Put(ScalarValue::Bytes(bytes)) = action else {
                return Err("eine Entfernung rückgängig machen".into());
            };
            let removal = Removal::decode(bytes)
                .filter(|r| !insert && crate::bytes::hex(&r.key) == k)
                .ok_or_else(|| "eine unlesbare Entfernung eintragen".to_string())?;
            if !removal.verifies(cx.report_id) || !cx.roster.may_remove(&removal.by, &removal.key) {
                return Err("eine Person entfernen, ohne dazu berechtigt zu sein".into());
            }
            cx.roster.add_removal(removal);
            Ok(())
        }
        _ => layout(),
    }
}

/// The person's words written down by staff: the writer makes and writes them until the
/// person confirms; only the person confirms; after that nobody changes them.
fn recording_op(
    field: &str,
    item: &str,
    rest: &[&str],
    action: &OpType,
    insert: bool,
    author: &Author<'_>,
    cx: &Context<'_>,
) -> Result<(), Refused> {
    use recorded_words::part as p;
    let def = field_of(cx.template, field)?;
    let layout = || Err::<(), _>("den Aufbau des Berichts ändern".to_string());
    if !def.own_words {
        return layout();
    }
    let id = recording_id(item).unwrap_or_default();
    let state = cx
        .recorded
        .get(&(field.to_string(), id.to_string()))
        .cloned()
        .unwrap_or(Recorded::Absent);
    let role = author.role;
    let staff = role != Role::Beneficiary && def.editors.contains(&role);
    let not_staff = || {
        Err::<(), _>(format!(
            "die Worte der Person zu „{}“ aufschreiben (als {})",
            def.label,
            role.label()
        ))
    };
    let writer = || match &state {
        Recorded::MadeHere => Ok(()),
        Recorded::Existing {
            confirmed: true, ..
        } => Err(format!(
            "von der Person bestätigte Worte zu „{}“ ändern",
            def.label
        )),
        Recorded::Existing { by: Some(by), .. } if *by == crate::bytes::hex(&author.key) => Ok(()),
        Recorded::Existing { .. } => Err(format!(
            "Worte zu „{}“ ändern, die jemand anderes aufgeschrieben hat",
            def.label
        )),
        Recorded::Absent => layout(),
    };
    match rest {
        [] => {
            if !staff {
                return not_staff();
            }
            match action {
                OpType::Make(ObjType::Map) if !insert => {
                    if maker_of(id) != Some(author.actor_hex) {
                        return Err("aufgeschriebene Worte unter fremdem Namen anlegen".into());
                    }
                    match state {
                        Recorded::Existing { .. } => {
                            Err(format!("aufgeschriebene Worte zu „{}“ ersetzen", def.label))
                        }
                        _ => Ok(()),
                    }
                }
                OpType::Delete if !insert => writer(),
                _ => layout(),
            }
        }
        [part @ (p::CONFIRMED_TEXT | p::CONFIRMED_BY | p::CONFIRMED_AT)] => {
            if role != Role::Beneficiary {
                return Err(format!(
                    "Worte zu „{}“ im Namen der Person bestätigen",
                    def.label
                ));
            }
            if !matches!(state, Recorded::Existing { .. }) {
                return layout();
            }
            match *part {
                p::CONFIRMED_TEXT => match action {
                    OpType::Put(ScalarValue::Str(s))
                        if !insert && s.chars().count() <= recorded_words::MAX_RECORDED_CHARS =>
                    {
                        Ok(())
                    }
                    _ => layout(),
                },
                p::CONFIRMED_BY => own_key(action, insert, author),
                _ => date_put(action, insert),
            }
        }
        [part] => {
            if !staff {
                return not_staff();
            }
            writer()?;
            match (*part, action) {
                (p::TEXT, OpType::Make(ObjType::Text)) if !insert => Ok(()),
                (p::ROLE, OpType::Put(ScalarValue::Str(r)))
                    if !insert && r.as_str() == role.as_str() =>
                {
                    Ok(())
                }
                (p::BY, _) => own_key(action, insert, author),
                (p::AT, _) => date_put(action, insert),
                _ => layout(),
            }
        }
        [p::TEXT, "#"] => {
            if !staff {
                return not_staff();
            }
            writer()?;
            text_op(action, insert)
        }
        _ => layout(),
    }
}

/// One part of a remark: the caseworker asks, closes and reopens; the provider answers.
fn remark_part(
    part: &str,
    action: &OpType,
    insert: bool,
    author: &Author<'_>,
    template: &Template,
) -> Result<(), Refused> {
    use review::part as p;
    let role = author.role;
    let text_within = |max: usize| match action {
        OpType::Put(ScalarValue::Str(s))
            if !insert && !s.trim().is_empty() && s.chars().count() <= max =>
        {
            Ok(())
        }
        _ => Err("einen ungültigen Text in eine Rückfrage schreiben".to_string()),
    };
    match part {
        p::ANCHOR => {
            caseworker_only(role, "eine Rückfrage stellen")?;
            match action {
                OpType::Put(ScalarValue::Str(a)) if !insert => match review::Anchor::parse(a) {
                    Some(review::Anchor::Field(f)) if template.field(&f).is_some() => Ok(()),
                    Some(review::Anchor::Goal(_)) => Ok(()),
                    _ => Err("eine Rückfrage zu etwas stellen, das der Bericht nicht hat".into()),
                },
                _ => Err("den Aufbau des Berichts ändern".into()),
            }
        }
        p::TEXT => {
            caseworker_only(role, "eine Rückfrage stellen")?;
            text_within(review::MAX_REMARK_CHARS)
        }
        p::BY => {
            caseworker_only(role, "eine Rückfrage stellen")?;
            own_key(action, insert, author)
        }
        p::ASKED => {
            caseworker_only(role, "eine Rückfrage stellen")?;
            date_put(action, insert)
        }
        p::CLOSED => {
            caseworker_only(role, "eine Rückfrage erledigen")?;
            match action {
                OpType::Delete if !insert => Ok(()),
                _ => date_put(action, insert),
            }
        }
        p::ANSWER | p::ANSWERED | p::ANSWERED_BY => {
            if role != Role::Provider {
                return Err(format!(
                    "eine Rückfrage beantworten (als {}; das tut die Einrichtung)",
                    role.label()
                ));
            }
            match part {
                p::ANSWER => text_within(review::MAX_ANSWER_CHARS),
                p::ANSWERED => date_put(action, insert),
                _ => own_key(action, insert, author),
            }
        }
        p::STATE => {
            let allowed: &[review::RemarkState] = match role {
                Role::Caseworker => &review::RemarkState::ALL,
                Role::Provider => &[review::RemarkState::Answered],
                _ => &[],
            };
            match action {
                OpType::Put(ScalarValue::Str(s))
                    if !insert
                        && review::RemarkState::from_code(s)
                            .is_some_and(|st| allowed.contains(&st)) =>
                {
                    Ok(())
                }
                _ => Err(format!(
                    "den Stand einer Rückfrage ändern (als {})",
                    role.label()
                )),
            }
        }
        _ => Err("den Aufbau des Berichts ändern".into()),
    }
}

fn caseworker_only(role: Role, what: &str) -> Result<(), Refused> {
    if role == Role::Caseworker {
        Ok(())
    } else {
        Err(format!("{what} (als {})", role.label()))
    }
}

/// A key written as the author's own (hex): nobody writes in another's name.
fn own_key(action: &OpType, insert: bool, author: &Author<'_>) -> Result<(), Refused> {
    match action {
        OpType::Put(ScalarValue::Str(k)) if !insert && *k == crate::bytes::hex(&author.key) => {
            Ok(())
        }
        _ => Err("einen Eintrag im Namen einer anderen Person machen".into()),
    }
}

fn date_put(action: &OpType, insert: bool) -> Result<(), Refused> {
    match action {
        OpType::Put(ScalarValue::Str(v)) if !insert && date_ok(v) => Ok(()),
        _ => Err("ein ungültiges Datum eintragen".into()),
    }
}

/// A membership record written by a change: it verifies, its granter may grant it as the
/// author could know (not removed; an invitation only if it has no limits and was not
/// withdrawn), and the key has no record yet.
fn check_grant(record: &MemberRecord, cx: &mut Context<'_>) -> Result<(), Refused> {
    let refuse = |why: &str| Err(format!("eine Mitgliedschaft eintragen: {why}"));
    if !record.verifies(cx.report_id) {
        return refuse("die Unterschrift stimmt nicht");
    }
    if record.granted_by == record.key || cx.roster.is_owner(&record.key) {
        return refuse("nur beim Anlegen des Berichts");
    }
    // An invitation's key, even withdrawn: every holder of its link knows its secret half.
    if cx.roster.role_of(&record.key).is_some()
        || cx.roster.invitation_record(&record.key).is_some()
    {
        return refuse("der Schlüssel ist schon eingetragen");
    }
    if !cx
        .roster
        .may_grant(&record.granted_by, record.kind, record.role)
    {
        return refuse("wer sie ausstellt, darf diese Rolle nicht vergeben");
    }
    Ok(())
}

fn field_of<'t>(template: &'t Template, id: &str) -> Result<&'t crate::Field, Refused> {
    template
        .field(id)
        .ok_or_else(|| "ein Feld schreiben, das die Vorlage nicht kennt".to_string())
}

fn signature_field<'t>(template: &'t Template, id: &str) -> Result<&'t crate::Field, Refused> {
    let def = field_of(template, id)?;
    match def.kind {
        FieldKind::Signature { .. } => Ok(def),
        _ => Err("den Aufbau des Berichts ändern".into()),
    }
}

fn goals_field(template: &Template) -> Result<&crate::Field, Refused> {
    template
        .fields()
        .find(|f| matches!(f.kind, FieldKind::Goals { .. }))
        .ok_or_else(|| "Ziele schreiben, die diese Vorlage nicht hat".to_string())
}

fn may_edit(def: &crate::Field, role: Role) -> Result<(), Refused> {
    if !def.editors.contains(&role) {
        return Err(format!("„{}“ ändern (als {})", def.label, role.label()));
    }
    if def.own_words && role != Role::Beneficiary {
        return Err(format!(
            "die eigenen Worte der leistungsberechtigten Person in „{}“ ändern",
            def.label
        ));
    }
    Ok(())
}

fn keeps_case(role: Role, what: &str) -> Result<(), Refused> {
    if role.keeps_the_case() {
        Ok(())
    } else {
        Err(format!("{what} (als {})", role.label()))
    }
}

fn text_op(action: &OpType, insert: bool) -> Result<(), Refused> {
    match action {
        OpType::Put(ScalarValue::Str(_)) if insert => Ok(()),
        OpType::Delete if !insert => Ok(()),
        _ => Err("einen Text auf unbekannte Weise ändern".into()),
    }
}

fn make_or_nothing(action: &OpType, insert: bool, typ: ObjType) -> Result<(), Refused> {
    match action {
        OpType::Make(t) if *t == typ && !insert => Ok(()),
        _ => Err("den Aufbau des Berichts ändern".into()),
    }
}

fn scalar_value(
    action: &OpType,
    insert: bool,
    ok: impl Fn(&str) -> bool,
    def: &crate::Field,
) -> Result<(), Refused> {
    match action {
        OpType::Delete if !insert => Ok(()),
        OpType::Put(ScalarValue::Str(v)) if !insert && ok(v) => Ok(()),
        _ => Err(format!(
            "einen ungültigen Wert in „{}“ eintragen",
            def.label
        )),
    }
}

fn goal_code(
    template: &Template,
    def: &crate::Field,
    action: &OpType,
    insert: bool,
    achievement: bool,
) -> Result<(), Refused> {
    let FieldKind::Goals {
        achievement_codes,
        reason_codes,
    } = &def.kind
    else {
        return Err("den Aufbau des Berichts ändern".into());
    };
    let list = if achievement {
        achievement_codes
    } else {
        reason_codes
    };
    scalar_value(
        action,
        insert,
        |v| {
            template
                .code_list(list)
                .is_some_and(|l| l.codes.iter().any(|c| c.code == v))
        },
        def,
    )
}

fn own_role_or_date(part: &str, action: &OpType, insert: bool, role: Role) -> Result<(), Refused> {
    match (part, action) {
        (key::DATE, OpType::Put(ScalarValue::Str(v))) if !insert && date_ok(v) => Ok(()),
        (key::ROLE, OpType::Put(ScalarValue::Str(v))) if !insert && v.as_str() == role.as_str() => {
            Ok(())
        }
        _ => Err("einen Eintrag im Namen einer anderen Rolle machen".into()),
    }
}

fn date_ok(v: &str) -> bool {
    Date::parse_iso(v).is_ok()
}
