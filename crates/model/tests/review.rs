//! The caseworker's review: a remark on a field or goal travels to the provider, is answered,
//! closed and the report accepted, on every device alike; each step is held to its role by
//! every honest device, whatever a hostile participant's own device writes.

mod common;

use automerge::transaction::Transactable;
use automerge::{ObjType, ReadDoc, ScalarValue, ROOT};
use common::members::*;
use common::*;
use dreieck_model::trust::{self, RefusalReason};
use dreieck_model::*;

const FIELD: &str = "entwicklung_mobilitaet";

fn field() -> Anchor {
    Anchor::Field(FIELD.to_string())
}

/// Three devices in step; the provider wrote a goal and a text, the caseworker asked one
/// question on the text and one on the goal.
fn asked() -> (Three, String, String, GoalId) {
    let mut t = three();
    bind_beneficiary(&mut t);
    t.provider
        .set_text(Role::Provider, FIELD, "Fährt allein Bus.")
        .unwrap();
    let goal = t.provider.add_goal(Role::Provider).unwrap();
    t.provider
        .set_goal_text(Role::Provider, &goal, "Einkaufen üben")
        .unwrap();
    settle(&mut t);
    let on_field = t
        .caseworker
        .add_remark(
            Role::Caseworker,
            &field(),
            "Welche Strecken genau?",
            d(2026, 3, 2),
        )
        .unwrap();
    let on_goal = t
        .caseworker
        .add_remark(
            Role::Caseworker,
            &Anchor::Goal(goal.clone()),
            "Wie oft pro Woche?",
            d(2026, 3, 2),
        )
        .unwrap();
    settle(&mut t);
    (t, on_field, on_goal, goal)
}

#[test]
fn a_remark_is_answered_closed_and_the_report_accepted_on_every_device() {
    let (mut t, on_field, on_goal, goal) = asked();
    // The provider and the person see both questions where they were asked.
    for r in [&t.provider, &t.beneficiary] {
        let remarks = r.remarks_on(&field());
        assert_eq!(remarks.len(), 1);
        assert_eq!(remarks[0].text, "Welche Strecken genau?");
        assert_eq!(remarks[0].state, RemarkState::Open);
        assert_eq!(remarks[0].asked, Some(d(2026, 3, 2)));
        assert_eq!(
            remarks[0].by.as_deref(),
            Some(hex(&key(CASEWORKER).public_key()).as_str())
        );
        assert_eq!(
            r.member_name(remarks[0].by.as_deref().unwrap()).as_deref(),
            Some("Herr Amt")
        );
        assert_eq!(r.remarks_on(&Anchor::Goal(goal.clone())).len(), 1);
        assert_eq!(r.review_count().open, 2);
    }

    // Accepting with questions open is refused, and nothing is recorded.
    let err = t
        .caseworker
        .accept(Role::Caseworker, d(2026, 3, 3))
        .unwrap_err();
    assert!(err.to_string().contains("2 offene Rückfragen"), "{err}");
    assert!(t.caseworker.acceptance().is_none());

    t.provider
        .answer_remark(
            Role::Provider,
            &on_field,
            "Zur Werkstatt und zurück.",
            d(2026, 3, 4),
        )
        .unwrap();
    t.provider
        .answer_remark(Role::Provider, &on_goal, "Zweimal.", d(2026, 3, 4))
        .unwrap();
    settle(&mut t);
    let answered = &t.caseworker.remarks_on(&field())[0];
    assert_eq!(answered.state, RemarkState::Answered);
    assert_eq!(answered.answer, "Zur Werkstatt und zurück.");
    assert_eq!(answered.answered, Some(d(2026, 3, 4)));
    assert_eq!(
        answered.answered_by.as_deref(),
        Some(hex(&key(OWNER).public_key()).as_str())
    );

    // Not satisfied: opened again, it stays answered (the answer is kept); then closed.
    t.caseworker
        .close_remark(Role::Caseworker, &on_goal, d(2026, 3, 5))
        .unwrap();
    t.caseworker
        .reopen_remark(Role::Caseworker, &on_goal)
        .unwrap();
    assert_eq!(
        t.caseworker.remarks_on(&Anchor::Goal(goal.clone()))[0].state,
        RemarkState::Answered
    );
    for id in [&on_field, &on_goal] {
        t.caseworker
            .close_remark(Role::Caseworker, id, d(2026, 3, 5))
            .unwrap();
    }
    t.caseworker
        .accept(Role::Caseworker, d(2026, 3, 6))
        .unwrap();
    settle(&mut t);
    // Each step is in the remark's history, with its role and day.
    let steps: Vec<(Option<Date>, Role, &str)> = t.caseworker.remarks_on(&field())[0]
        .steps()
        .into_iter()
        .map(|s| (s.date, s.role, s.what))
        .collect();
    assert_eq!(
        steps,
        vec![
            (Some(d(2026, 3, 2)), Role::Caseworker, "Rückfrage gestellt"),
            (Some(d(2026, 3, 4)), Role::Provider, "beantwortet"),
            (Some(d(2026, 3, 5)), Role::Caseworker, "erledigt"),
        ]
    );
    for r in [&t.provider, &t.caseworker, &t.beneficiary] {
        let done = r.review_count();
        assert_eq!((done.open, done.answered, done.done), (0, 0, 2));
        assert_eq!(r.remarks()[0].closed, Some(d(2026, 3, 5)));
        let accepted = r.acceptance().expect("accepted everywhere");
        assert_eq!(accepted.date, d(2026, 3, 6));
        assert_eq!(accepted.changed, Some(Vec::new()));
        // An accepted report has reached the authority.
        assert_eq!(
            r.submission().map(|s| (s.date, s.role)),
            Some((d(2026, 3, 6), Role::Caseworker))
        );
    }

    // An edit after the acceptance is named; the acceptance stays until taken back.
    t.provider
        .set_text(Role::Provider, FIELD, "Fährt allein Bus und Bahn.")
        .unwrap();
    settle(&mut t);
    assert_eq!(
        t.caseworker.acceptance().and_then(|a| a.changed),
        Some(vec![FIELD.to_string()])
    );
    t.caseworker.withdraw_acceptance(Role::Caseworker).unwrap();
    settle(&mut t);
    assert!(t.provider.acceptance().is_none());
}

#[test]
fn each_step_belongs_to_its_role_at_the_api() {
    let (mut t, on_field, _, _) = asked();
    let day = d(2026, 3, 4);
    for role in [Role::Provider, Role::Beneficiary, Role::Guardian] {
        assert!(check_remark(&t.provider, role, &field(), "Frage?").is_err());
    }
    let r = &mut t.provider;
    assert!(r
        .add_remark(Role::Provider, &field(), "Frage?", day)
        .is_err());
    assert!(r.close_remark(Role::Provider, &on_field, day).is_err());
    assert!(r.accept(Role::Provider, day).is_err());
    let b = &mut t.beneficiary;
    assert!(b
        .answer_remark(Role::Beneficiary, &on_field, "Antwort", day)
        .is_err());
    let c = &mut t.caseworker;
    assert!(c
        .answer_remark(Role::Caseworker, &on_field, "Antwort", day)
        .is_err());
    // Bad input: empty, too long, about something the report does not have.
    assert!(c.add_remark(Role::Caseworker, &field(), "  ", day).is_err());
    let long = "x".repeat(MAX_REMARK_CHARS + 1);
    assert!(c
        .add_remark(Role::Caseworker, &field(), &long, day)
        .is_err());
    let err = c
        .add_remark(
            Role::Caseworker,
            &Anchor::Field("gibtsnicht".into()),
            "Frage?",
            day,
        )
        .unwrap_err();
    assert!(err.to_string().contains("gibt es nicht"), "{err}");
    assert!(c
        .add_remark(Role::Caseworker, &Anchor::Goal("x-1".into()), "Frage?", day)
        .is_err());
    assert!(t
        .provider
        .answer_remark(Role::Provider, "gibtsnicht", "Antwort", day)
        .is_err());
    assert_eq!(t.provider.remarks().len(), 2);
}

#[test]
fn questions_asked_on_two_devices_at_once_both_survive() {
    let mut t = three();
    bind_beneficiary(&mut t);
    // A second device of the caseworker, asking at the same time as the first.
    let mut second = t.caseworker.fork();
    second.add_key(Role::Caseworker, key(CASEWORKER));
    t.caseworker
        .add_remark(Role::Caseworker, &field(), "Erste Frage", d(2026, 3, 2))
        .unwrap();
    second
        .add_remark(
            Role::Caseworker,
            &Anchor::Field("wuensche".into()),
            "Zweite Frage",
            d(2026, 3, 2),
        )
        .unwrap();
    sync(&mut second, &mut t.provider);
    settle(&mut t);
    let texts: Vec<String> = t.provider.remarks().into_iter().map(|r| r.text).collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts.contains(&"Erste Frage".to_string()));
    assert!(texts.contains(&"Zweite Frage".to_string()));
    // Every replica lists them in the same order.
    assert_eq!(t.provider.remarks(), t.beneficiary.remarks());
}

#[test]
fn a_remark_and_its_answer_survive_a_reload() {
    let (mut t, on_field, _, _) = asked();
    t.provider
        .answer_remark(Role::Provider, &on_field, "Antwort", d(2026, 3, 4))
        .unwrap();
    let reloaded = reload(&mut t.provider);
    assert_eq!(reloaded.remarks(), t.provider.remarks());
    assert_eq!(reloaded.remarks_on(&field())[0].answer, "Antwort");
}

// ---- a hostile participant --------------------------------------------------------------

fn review_map(doc: &automerge::AutoCommit) -> automerge::ObjId {
    doc.get(ROOT, "review").unwrap().unwrap().1
}

fn remark(doc: &automerge::AutoCommit, id: &str) -> automerge::ObjId {
    let map = review_map(doc);
    doc.get(&map, id).unwrap().unwrap().1
}

fn not_permitted(what: &'static str) -> impl Fn(&RefusalReason) -> bool {
    move |r| matches!(r, RefusalReason::NotPermitted(w) if w.contains(what))
}

#[test]
fn the_provider_cannot_ask_close_or_accept_and_every_honest_device_refuses() {
    type Attack = fn(&mut automerge::AutoCommit, &str);
    let attacks: [(&str, Attack); 5] = [
        ("Rückfrage", |doc, _| {
            let map = review_map(doc);
            let r = doc.put_object(&map, "x-r1", ObjType::Map).unwrap();
            doc.put(&r, "anchor", "field:wuensche").unwrap();
            doc.put(&r, "text", "Selbst gefragt").unwrap();
        }),
        ("Stand einer Rückfrage", |doc, id| {
            let r = remark(doc, id);
            doc.put(&r, "state", "erledigt").unwrap();
        }),
        ("Rückfrage", |doc, id| {
            let map = review_map(doc);
            doc.delete(&map, id).unwrap();
        }),
        ("angenommen", |doc, _| {
            let a = doc.put_object(ROOT, "acceptance", ObjType::Map).unwrap();
            doc.put(&a, "date", "2026-03-06").unwrap();
        }),
        ("Rückfrage", |doc, id| {
            let r = remark(doc, id);
            doc.put(&r, "text", "Umgeschriebene Frage").unwrap();
        }),
    ];
    for (what, attack) in attacks {
        let (mut t, on_field, _, _) = asked();
        let before = t.caseworker.remarks();
        let bundle = hostile_bundle(&mut t.provider, |doc| attack(doc, &on_field));
        refused_by_caseworker_and_person(&mut t, &bundle, not_permitted(what));
        assert_eq!(t.caseworker.remarks(), before, "{what}");
        assert!(t.beneficiary.acceptance().is_none());
    }
}

#[test]
fn nobody_but_the_provider_answers_and_nobody_answers_in_anothers_name() {
    // The person answers the caseworker's question.
    let (mut t, on_field, _, _) = asked();
    let bundle = hostile_bundle(&mut t.beneficiary, |doc| {
        let r = remark(doc, &on_field);
        doc.put(&r, "answer", "Ich antworte selbst").unwrap();
        doc.put(&r, "state", "beantwortet").unwrap();
    });
    assert_refused_by_both(
        &mut t,
        &bundle,
        |r| matches!(r, RefusalReason::NotPermitted(w) if w.contains("beantworten")),
    );
    assert_eq!(t.provider.remarks_on(&field())[0].answer, "");

    // The caseworker writes the provider's answer.
    let (mut t, on_field, _, _) = asked();
    let bundle = hostile_bundle(&mut t.caseworker, |doc| {
        let r = remark(doc, &on_field);
        doc.put(&r, "answer", "Erfundene Antwort").unwrap();
    });
    refused_by_provider_and_person(&mut t, &bundle, not_permitted("beantworten"));

    // The provider answers under the caseworker's key, marks a question done, or puts a
    // state nobody knows.
    type Attack = fn(&mut automerge::AutoCommit, &str);
    let attacks: [(&str, Attack); 3] = [
        ("im Namen einer anderen Person", |doc, id| {
            let r = remark(doc, id);
            doc.put(&r, "answer", "Antwort").unwrap();
            doc.put(&r, "answered_by", hex(&key(CASEWORKER).public_key()))
                .unwrap();
        }),
        ("Stand einer Rückfrage", |doc, id| {
            let r = remark(doc, id);
            doc.put(&r, "state", "erledigt").unwrap();
        }),
        ("Stand einer Rückfrage", |doc, id| {
            let r = remark(doc, id);
            doc.put(&r, "state", "egal").unwrap();
        }),
    ];
    for (what, attack) in attacks {
        let (mut t, on_field, _, _) = asked();
        let bundle = hostile_bundle(&mut t.provider, |doc| attack(doc, &on_field));
        refused_by_caseworker_and_person(&mut t, &bundle, not_permitted(what));
        assert_eq!(
            t.caseworker.remarks_on(&field())[0].state,
            RemarkState::Open
        );
    }
}

#[test]
fn a_caseworker_cannot_accept_in_anothers_name_or_with_a_forged_record() {
    type Attack = fn(&mut automerge::AutoCommit);
    let attacks: [(&str, Attack); 3] = [
        ("im Namen einer anderen Person", |doc| {
            let a = doc.put_object(ROOT, "acceptance", ObjType::Map).unwrap();
            doc.put(&a, "date", "2026-03-06").unwrap();
            doc.put(&a, "by", hex(&key(OWNER).public_key())).unwrap();
        }),
        ("anderen Rolle", |doc| {
            let a = doc.put_object(ROOT, "acceptance", ObjType::Map).unwrap();
            doc.put(&a, "role", "provider").unwrap();
        }),
        ("Aufbau", |doc| {
            let a = doc.put_object(ROOT, "acceptance", ObjType::Map).unwrap();
            doc.put(&a, "heads", ScalarValue::Bytes(vec![1, 2, 3]))
                .unwrap();
        }),
    ];
    for (what, attack) in attacks {
        let (mut t, _, _, _) = asked();
        t.caseworker
            .set_date(Role::Caseworker, "gesamtplan_vom", Some(d(2026, 1, 5)))
            .unwrap();
        settle(&mut t);
        let heads = t.caseworker.heads();
        attack(t.caseworker.doc_mut());
        t.caseworker.doc_mut().commit();
        let bundle = t.caseworker.save_after_signed(&heads);
        refused_by_provider_and_person(&mut t, &bundle, |r| match r {
            RefusalReason::NotPermitted(w) => {
                w.contains(what) || (what == "Aufbau" && w.contains("anderen Rolle"))
            }
            _ => false,
        });
        assert!(t.provider.acceptance().is_none(), "{what}");
    }
}

#[test]
fn a_remark_on_a_field_the_form_lacks_or_a_foreign_text_is_refused() {
    let (mut t, on_field, _, _) = asked();
    t.caseworker
        .set_date(Role::Caseworker, "gesamtplan_vom", Some(d(2026, 1, 5)))
        .unwrap();
    settle(&mut t);
    let bundle = hostile_bundle(&mut t.caseworker, |doc| {
        let r = remark(doc, &on_field);
        doc.put(&r, "anchor", "field:gibtsnicht").unwrap();
    });
    refused_by_provider_and_person(&mut t, &bundle, not_permitted("nicht hat"));
    // An empty question, written past the setter.
    let (mut t, on_field, _, _) = asked();
    let bundle = hostile_bundle(&mut t.caseworker, |doc| {
        let r = remark(doc, &on_field);
        doc.put(&r, "text", "   ").unwrap();
    });
    refused_by_provider_and_person(&mut t, &bundle, not_permitted("ungültigen Text"));
    assert_eq!(
        t.provider.remarks_on(&field())[0].text,
        "Welche Strecken genau?"
    );
}

/// The provider's and the person's devices refuse a change of the caseworker's.
fn refused_by_provider_and_person(
    t: &mut Three,
    bundle: &trust::SignedChanges,
    what: impl Fn(&RefusalReason) -> bool,
) {
    assert_refused_by(
        [
            ("provider", &mut t.provider),
            ("beneficiary", &mut t.beneficiary),
        ],
        bundle,
        what,
    );
}

/// The caseworker's and the person's devices refuse a change of the provider's.
fn refused_by_caseworker_and_person(
    t: &mut Three,
    bundle: &trust::SignedChanges,
    what: impl Fn(&RefusalReason) -> bool,
) {
    assert_refused_by(
        [
            ("caseworker", &mut t.caseworker),
            ("beneficiary", &mut t.beneficiary),
        ],
        bundle,
        what,
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
