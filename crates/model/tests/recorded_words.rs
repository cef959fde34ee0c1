//! The person's words written down by staff ("gesagt von … · aufgeschrieben von …"): the
//! writer writes until the person confirms, only the person confirms, nobody changes them
//! afterwards — on the honest writing device and on every device that receives a hostile
//! change.

mod common;

use automerge::transaction::Transactable;
use automerge::ReadDoc;
use common::members::*;
use common::*;
use dreieck_model::trust::RefusalReason;
use dreieck_model::*;

const P: Role = Role::Provider;
const B: Role = Role::Beneficiary;
const FIELD: &str = "wuensche";

/// The map of recording `id` in a replica's document, to write into it past the setters.
fn recording_obj(r: &mut Report, id: &str) -> automerge::ObjId {
    own_words_obj(r)
        .and_then(
            |own| match r.doc_mut().get(&own, format!("said:{id}").as_str()) {
                Ok(Some((_, obj))) => Some(obj),
                _ => None,
            },
        )
        .expect("the recording")
}

fn own_words_obj(r: &mut Report) -> Option<automerge::ObjId> {
    let all = r.doc_mut().get(automerge::ROOT, "own_words").ok()??.1;
    Some(r.doc_mut().get(&all, FIELD).ok()??.1)
}

fn refused_as_not_permitted(r: &RefusalReason) -> bool {
    matches!(r, RefusalReason::NotPermitted(_))
}

/// The provider writes down what the person said; everybody has it.
fn recorded(t: &mut Three, words: &str) -> String {
    let id = t.provider.record_words(P, FIELD, d(2026, 12, 7)).unwrap();
    t.provider.set_recorded_text(P, FIELD, &id, words).unwrap();
    bind_beneficiary(t);
    settle(t);
    id
}

#[test]
fn staff_write_down_the_persons_words_and_the_person_confirms_them() {
    let mut t = three();
    let id = recorded(&mut t, "Ich will im Sommer ans Meer.");
    let provider_key = t.provider.key_for(P).map(|k| hex(&k)).unwrap();

    // Every device sees who said it, who wrote it down, and that it is not confirmed yet.
    for r in [&t.provider, &t.caseworker, &t.beneficiary] {
        let all = r.recorded_words(FIELD);
        assert_eq!(all.len(), 1);
        let w = &all[0];
        assert_eq!(w.id, id);
        assert_eq!(w.text, "Ich will im Sommer ans Meer.");
        assert_eq!(w.role, P);
        assert_eq!(w.by.as_deref(), Some(provider_key.as_str()));
        assert_eq!(r.member_name(&provider_key).as_deref(), Some("Frau Träger"));
        assert_eq!(w.at, Some(d(2026, 12, 7)));
        assert_eq!(w.confirmation, None);
    }
    // The person's own field is theirs alone: the recording is beside it, not in it.
    assert_eq!(t.caseworker.text(FIELD).unwrap(), "Ich möchte");

    // The person hears the words and confirms them.
    t.beneficiary
        .confirm_recorded_words(B, FIELD, &id, d(2026, 12, 8))
        .unwrap();
    settle(&mut t);
    let beneficiary_key = t.beneficiary.key_for(B).map(|k| hex(&k)).unwrap();
    for r in [&mut t.provider, &mut t.caseworker] {
        let w = reload(r).recorded_words(FIELD).remove(0);
        let c = w.confirmation.clone().expect("confirmed");
        assert_eq!(c.text, "Ich will im Sommer ans Meer.");
        assert_eq!(c.by.as_deref(), Some(beneficiary_key.as_str()));
        assert_eq!(c.at, Some(d(2026, 12, 8)));
        assert_eq!(w.words(), "Ich will im Sommer ans Meer.");
        assert!(!w.changed_since_confirmation());
    }
}

#[test]
fn the_writing_device_refuses_what_the_rules_forbid_and_writes_nothing() {
    let mut t = three();
    let id = recorded(&mut t, "Ich will ans Meer.");
    let heads = t.provider.heads_hex();
    // Only staff who edit the field write down words; only the person confirms.
    assert!(t
        .beneficiary
        .record_words(B, FIELD, d(2026, 12, 7))
        .is_err());
    assert!(t
        .caseworker
        .record_words(Role::Caseworker, FIELD, d(2026, 12, 7))
        .is_err());
    assert!(t
        .provider
        .record_words(P, "anmerkungen_einrichtung", d(2026, 12, 7))
        .is_err());
    assert!(t
        .provider
        .confirm_recorded_words(P, FIELD, &id, d(2026, 12, 7))
        .is_err());
    assert!(t
        .provider
        .set_recorded_text(P, FIELD, &id, &"x".repeat(MAX_RECORDED_CHARS + 1))
        .is_err());
    assert_eq!(t.provider.heads_hex(), heads);

    // Nothing written down yet: nothing to confirm.
    let empty = t.provider.record_words(P, FIELD, d(2026, 12, 7)).unwrap();
    settle(&mut t);
    let e = t
        .beneficiary
        .confirm_recorded_words(B, FIELD, &empty, d(2026, 12, 7))
        .unwrap_err();
    assert!(e.to_string().contains("noch nichts"), "{e}");
    // Before the confirmation the writer may still correct and remove.
    t.provider.remove_recorded_words(P, FIELD, &empty).unwrap();

    // After the confirmation nobody changes or removes them, not even the writer.
    t.beneficiary
        .confirm_recorded_words(B, FIELD, &id, d(2026, 12, 7))
        .unwrap();
    settle(&mut t);
    let heads = t.provider.heads_hex();
    let e = t
        .provider
        .set_recorded_text(P, FIELD, &id, "Er will ans Meer.")
        .unwrap_err();
    assert!(e.to_string().contains("bestätigt"), "{e}");
    assert!(t.provider.remove_recorded_words(P, FIELD, &id).is_err());
    assert_eq!(t.provider.heads_hex(), heads);
    assert_eq!(t.provider.recorded_words(FIELD).len(), 1);
}

#[test]
fn a_hostile_change_after_the_confirmation_is_refused_by_every_honest_device() {
    // The writer's own device, past its setters: rewrites the words, removes the recording,
    // or replaces it with a new map under the same key.
    type Write = fn(&mut automerge::AutoCommit, &automerge::ObjId, &automerge::ObjId, &str);
    let writes: [(&str, Write); 3] = [
        ("bestätigte Worte", |doc, _own, item, _key| {
            let text = doc.get(item, "text").unwrap().unwrap().1;
            doc.splice_text(&text, 0, 3, "Er").unwrap();
        }),
        ("bestätigte Worte", |doc, own, _item, key| {
            doc.delete(own, key).unwrap();
        }),
        ("ersetzen", |doc, own, _item, key| {
            let m = doc.put_object(own, key, automerge::ObjType::Map).unwrap();
            doc.put(&m, "role", "provider").unwrap();
        }),
    ];
    for (what, write) in writes {
        let mut t = three();
        let id = recorded(&mut t, "Ich will ans Meer.");
        t.beneficiary
            .confirm_recorded_words(B, FIELD, &id, d(2026, 12, 7))
            .unwrap();
        settle(&mut t);
        let item = recording_obj(&mut t.provider, &id);
        let own = own_words_obj(&mut t.provider).unwrap();
        let key = format!("said:{id}");
        let bundle = hostile_bundle(&mut t.provider, |doc| write(doc, &own, &item, &key));
        // Refused for what the confirmation forbids, not for anything else about the change.
        assert_refused_by(
            [
                ("caseworker", &mut t.caseworker),
                ("beneficiary", &mut t.beneficiary),
            ],
            &bundle,
            |r| matches!(r, RefusalReason::NotPermitted(w) if w.contains(what)),
        );
        for r in [&t.caseworker, &t.beneficiary] {
            let w = r.recorded_words(FIELD);
            assert_eq!(w.len(), 1, "{what}");
            assert_eq!(w[0].text, "Ich will ans Meer.", "{what}");
            assert!(w[0].confirmation.is_some(), "{what}");
        }
    }
}

#[test]
fn nobody_but_the_writer_changes_the_words_and_nobody_but_the_person_confirms() {
    // A second member of the provider's staff, on a device of their own.
    let mut t = three();
    invite(&mut t.provider, 20, P, "Herr Zweiter");
    let mut colleague = join(&mut t.provider, 20, 21, "Herr Zweiter");
    let id = recorded(&mut t, "Ich will ans Meer.");
    sync(&mut t.provider, &mut colleague);
    assert_eq!(colleague.recorded_words(FIELD).len(), 1);
    // The colleague's setters refuse; past them, every honest device refuses.
    let e = colleague
        .set_recorded_text(P, FIELD, &id, "Sie will ans Meer.")
        .unwrap_err();
    assert!(e.to_string().contains("aufgeschrieben hat"), "{e}");
    colleague
        .set_text(P, "anmerkungen_einrichtung", "x")
        .unwrap(); // binds its actor
    sync(&mut colleague, &mut t.provider);
    settle(&mut t);
    let item = recording_obj(&mut colleague, &id);
    let bundle = hostile_bundle(&mut colleague, |doc| {
        let text = doc.get(&item, "text").unwrap().unwrap().1;
        doc.splice_text(&text, 0, 3, "Sie").unwrap();
    });
    assert_refused_by(
        [
            ("provider", &mut t.provider),
            ("caseworker", &mut t.caseworker),
            ("beneficiary", &mut t.beneficiary),
        ],
        &bundle,
        refused_as_not_permitted,
    );

    // The writer confirms in the person's name; the caseworker (no editor of the field)
    // writes words down; the person writes words down as if staff had.
    let mut t = three();
    let id = recorded(&mut t, "Ich will ans Meer.");
    let item = recording_obj(&mut t.provider, &id);
    let bundle = hostile_bundle(&mut t.provider, |doc| {
        doc.put(&item, "confirmed_text", "Ich will ans Meer.")
            .unwrap();
    });
    assert_refused_by(
        [
            ("caseworker", &mut t.caseworker),
            ("beneficiary", &mut t.beneficiary),
        ],
        &bundle,
        refused_as_not_permitted,
    );
    // The caseworker binds its actor with a write of its own first.
    t.caseworker
        .set_date(Role::Caseworker, "gesamtplan_vom", Some(d(2026, 1, 1)))
        .unwrap();
    settle(&mut t);
    for (who, role) in [("caseworker", Role::Caseworker), ("beneficiary", B)] {
        let device = match role {
            Role::Caseworker => &mut t.caseworker,
            _ => &mut t.beneficiary,
        };
        let own = own_words_obj(device).unwrap();
        let actor = device.actor_hex();
        let bundle = hostile_bundle(device, |doc| {
            let m = doc
                .put_object(
                    &own,
                    format!("said:{actor}-1").as_str(),
                    automerge::ObjType::Map,
                )
                .unwrap();
            doc.put(&m, "role", role.as_str()).unwrap();
        });
        assert_refused_by(
            [("provider", &mut t.provider)],
            &bundle,
            refused_as_not_permitted,
        );
        assert_eq!(t.provider.recorded_words(FIELD).len(), 1, "{who}");
    }
}

#[test]
fn hostile_shapes_of_a_recording_are_refused() {
    type Write = fn(&mut automerge::AutoCommit, &automerge::ObjId, &automerge::ObjId, &str);
    let writes: [(&str, Write); 4] = [
        ("another actor's id", |doc, own, _item, _actor| {
            let m = doc
                .put_object(own, "said:0123456789abcdef-1", automerge::ObjType::Map)
                .unwrap();
            doc.put(&m, "role", "provider").unwrap();
        }),
        ("another role", |doc, _own, item, _actor| {
            doc.put(item, "role", "caseworker").unwrap();
        }),
        ("an unknown part", |doc, _own, item, _actor| {
            doc.put(item, "farbe", "rot").unwrap();
        }),
        ("no date", |doc, _own, item, _actor| {
            doc.put(item, "at", "gestern").unwrap();
        }),
    ];
    for (what, write) in writes {
        let mut t = three();
        let id = recorded(&mut t, "Ich will ans Meer.");
        let item = recording_obj(&mut t.provider, &id);
        let own = own_words_obj(&mut t.provider).unwrap();
        let actor = t.provider.actor_hex();
        let before = t.caseworker.recorded_words(FIELD);
        let bundle = hostile_bundle(&mut t.provider, |doc| write(doc, &own, &item, &actor));
        assert_refused_by(
            [
                ("caseworker", &mut t.caseworker),
                ("beneficiary", &mut t.beneficiary),
            ],
            &bundle,
            refused_as_not_permitted,
        );
        assert_eq!(t.caseworker.recorded_words(FIELD), before, "{what}");
    }

    // The person confirms with a copy longer than any recording.
    let mut t = three();
    let id = recorded(&mut t, "Ich will ans Meer.");
    let item = recording_obj(&mut t.beneficiary, &id);
    let bundle = hostile_bundle(&mut t.beneficiary, |doc| {
        doc.put(&item, "confirmed_text", "x".repeat(MAX_RECORDED_CHARS + 1))
            .unwrap();
    });
    assert_refused_by_both(&mut t, &bundle, refused_as_not_permitted);
}

#[test]
fn an_edit_made_while_the_person_confirmed_is_kept_and_named() {
    let mut t = three();
    let id = recorded(&mut t, "Ich will ans Meer.");
    // At the same moment: the writer corrects a word, the person confirms what they heard.
    t.provider
        .set_recorded_text(P, FIELD, &id, "Ich will an die Ostsee.")
        .unwrap();
    t.beneficiary
        .confirm_recorded_words(B, FIELD, &id, d(2026, 12, 7))
        .unwrap();
    settle(&mut t);
    for r in [&t.provider, &t.caseworker, &t.beneficiary] {
        let w = r.recorded_words(FIELD).remove(0);
        assert!(r.refusals().is_empty(), "{:?}", r.refusals());
        assert_eq!(w.text, "Ich will an die Ostsee.");
        // What counts is what the person confirmed, and the difference is said.
        assert_eq!(w.words(), "Ich will ans Meer.");
        assert!(w.changed_since_confirmation());
    }
}

#[test]
fn a_recording_after_the_signature_is_named_as_a_change() {
    let mut r = new_report();
    r.set_text(B, FIELD, "Ich möchte").unwrap();
    r.accept(Role::Caseworker, d(2026, 12, 3)).unwrap();
    let id = r.record_words(P, FIELD, d(2026, 12, 7)).unwrap();
    r.set_recorded_text(P, FIELD, &id, "Ans Meer.").unwrap();
    assert_eq!(
        r.acceptance().unwrap().changed,
        Some(vec![FIELD.to_string()])
    );
    r.confirm_recorded_words(B, FIELD, &id, d(2026, 12, 7))
        .unwrap();
    let before = r.acceptance().unwrap().changed;
    assert_eq!(before, Some(vec![FIELD.to_string()]));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn read_aloud_says_who_wrote_the_words_down_and_whether_the_person_confirmed_them() {
    let mut t = three();
    t.provider.set_text(P, "lb_name", "Kaya").unwrap();
    let id = recorded(&mut t, "Ich will ans Meer. Mit meiner Schwester.");
    let said = t.beneficiary.spoken_value(FIELD).unwrap();
    let tail: Vec<&str> = said.iter().map(String::as_str).rev().take(4).collect();
    assert_eq!(
        tail,
        [
            "Kaya hat noch nicht gesagt: Das stimmt so.",
            "Mit meiner Schwester.",
            "Ich will ans Meer.",
            "Das hat Frau Träger aufgeschrieben:",
        ]
    );
    t.beneficiary
        .confirm_recorded_words(B, FIELD, &id, d(2026, 12, 7))
        .unwrap();
    let said = t.beneficiary.spoken_value(FIELD).unwrap();
    assert_eq!(said.last().unwrap(), "Kaya hat gesagt: Das stimmt so.");
}
