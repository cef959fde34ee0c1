//! The person's own words (O-Ton): only they write the text, staff write a remark beside it,
//! and the document records whether the words were typed or dictated.

mod common;

use common::*;
use dreieck_model::*;

#[test]
fn a_staff_edit_of_the_persons_words_is_refused_and_changes_nothing() {
    let mut r = new_report();
    r.set_text(Role::Beneficiary, "wuensche", "Ich will kochen lernen.")
        .unwrap();
    let heads = r.heads_hex();
    for role in [Role::Provider, Role::Caseworker] {
        let e = r
            .set_text(role, "wuensche", "Er möchte kochen lernen.")
            .unwrap_err();
        assert!(
            matches!(
                e,
                ModelError::OwnWords { .. } | ModelError::NotPermitted { .. }
            ),
            "{e:?}"
        );
    }
    let e = r
        .splice_text(Role::Provider, "wuensche", 0, 3, "Er")
        .unwrap_err();
    assert!(e.to_string().contains("eigenen Worten"), "{e}");
    assert_eq!(r.heads_hex(), heads);
    assert_eq!(r.text("wuensche").unwrap(), "Ich will kochen lernen.");
}

#[test]
fn staff_write_a_remark_beside_the_words_never_in_them() {
    let mut r = new_report();
    r.set_text(Role::Beneficiary, "wuensche", "Ich will kochen lernen.")
        .unwrap();
    r.set_own_words_remark(Role::Provider, "wuensche", "Kochkurs im Stadtteil ab März.")
        .unwrap();
    let mut loaded = reload(&mut r);
    let own = loaded.own_words("wuensche").unwrap();
    assert_eq!(own.remark, "Kochkurs im Stadtteil ab März.");
    assert_eq!(loaded.text("wuensche").unwrap(), "Ich will kochen lernen.");
    // The person does not write the staff's remark, and nobody writes a remark on a field
    // that is not their own words.
    assert!(loaded
        .set_own_words_remark(Role::Beneficiary, "wuensche", "x")
        .is_err());
    assert!(loaded
        .set_own_words_remark(Role::Provider, "anmerkungen_einrichtung", "x")
        .is_err());
    // A caseworker is no editor of the KVJS wishes: no remark either.
    assert!(loaded
        .set_own_words_remark(Role::Caseworker, "wuensche", "x")
        .is_err());
}

#[test]
fn the_document_records_typed_and_dictated_words() {
    let mut r = new_report();
    assert_eq!(r.own_words("wuensche").unwrap().input_label(), None);
    r.set_text(Role::Beneficiary, "wuensche", "Ich will")
        .unwrap();
    let own = r.own_words("wuensche").unwrap();
    assert!(own.typed && !own.dictated);
    assert_eq!(own.input_label(), Some("getippt"));

    r.set_text_dictated(Role::Beneficiary, "wuensche", "Ich will kochen lernen")
        .unwrap();
    let own = reload(&mut r).own_words("wuensche").unwrap();
    assert_eq!(own.input_label(), Some("getippt und diktiert"));

    // Dictation is the person's too.
    assert!(r
        .set_text_dictated(Role::Provider, "wuensche", "Er will")
        .is_err());
    // Only own-words fields know dictation.
    assert!(r
        .set_text_dictated(Role::Provider, "anmerkungen_einrichtung", "x")
        .is_err());
}

#[test]
fn recording_the_input_costs_one_flag_per_field_and_way() {
    let mut r = new_report();
    r.set_text(Role::Beneficiary, "wuensche", "a").unwrap();
    let first = r.save_incremental().len();
    r.set_text(Role::Beneficiary, "wuensche", "ab").unwrap();
    let second = r.save_incremental().len();
    assert!(
        second < first,
        "the flag goes with the first keystroke only"
    );
    // A keystroke stays one change, so peers can show it at once.
    let mut peer = reload(&mut r);
    let (index, splice) = r
        .set_text_spliced(Role::Beneficiary, "wuensche", "abc")
        .unwrap()
        .unwrap();
    let item = live::encode_item(&r.save_incremental(), Some((index, &splice)));
    let payload = live::decode(&item).unwrap();
    let heads = peer.heads();
    assert!(peer.previews(&heads, &payload).is_some());
    peer.apply(&payload.automerge_bytes()).unwrap();
    assert_eq!(peer.text("wuensche").unwrap(), "abc");
}

#[test]
fn every_shipped_form_marks_the_persons_own_words() {
    for t in builtin_templates() {
        let own: Vec<&str> = t
            .fields()
            .filter(|f| f.own_words)
            .map(|f| f.id.as_str())
            .collect();
        assert!(!own.is_empty(), "{} has no own-words field", t.id);
        let mut r = Report::create(&t, "o", T0).unwrap();
        for field in own {
            // Created with the report: the remark is there to write.
            assert_eq!(r.own_words(field).unwrap(), OwnWords::default());
            r.set_text(Role::Beneficiary, field, "Meine Worte.")
                .unwrap();
        }
    }
}

#[test]
fn a_template_cannot_give_own_words_to_a_non_text_or_without_the_person() {
    let json = |kind: &str, editors: &str| {
        kvjs()
            .to_json()
            .replacen(
                "\"id\":\"wuensche\",\"kind\":\"long_text\"",
                &format!("\"id\":\"wuensche\",\"kind\":\"{kind}\""),
                1,
            )
            .replacen("\"editors\":[\"beneficiary\",\"provider\"]", editors, 1)
    };
    let ok = Template::from_json(&json(
        "long_text",
        "\"editors\":[\"beneficiary\",\"provider\"]",
    ));
    assert!(ok.is_ok(), "{ok:?}");
    let e = Template::from_json(&json("long_text", "\"editors\":[\"provider\"]")).unwrap_err();
    assert!(e.to_string().contains("own_words"), "{e}");
}
