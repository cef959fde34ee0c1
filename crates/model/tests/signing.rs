//! Signing and verifying signature lines, including tampered records and documents.

mod common;

use automerge::transaction::Transactable;
use automerge::{ObjType, ReadDoc, ScalarValue, ROOT};
use common::*;
use dreieck_model::*;

const LINE: &str = "unterschrift_leistungserbringer";
const TODAY_MS: i64 = T0 + 86_400_000;

fn key(n: u8) -> ParticipantKey {
    ParticipantKey::from_seed(&[n; 32])
}

fn strokes() -> Strokes {
    Strokes::from_points(&[
        vec![(0.1, 0.5), (0.2, 0.3), (0.35, 0.6)],
        vec![(0.5, 0.5), (0.9, 0.45)],
    ])
}

fn sign(r: &mut Report, field: &str, role: Role, name: &str, k: &ParticipantKey) {
    let s = strokes();
    r.sign(
        &SignRequest {
            field,
            role,
            name,
            strokes: &s,
            time_ms: TODAY_MS,
            date: d(2026, 11, 23),
        },
        k,
    )
    .unwrap();
}

fn demo() -> Report {
    sample::demo_report("demo", T0).unwrap()
}

/// Replaces the line's record with `f(record)`, keeping the signature bytes as they were:
/// what somebody editing the document behind the API would do.
fn tamper(r: &mut Report, field: &str, f: impl FnOnce(&mut SignatureRecord)) {
    let mut record = r.signature_record(field).unwrap().unwrap();
    f(&mut record);
    put_record_bytes(r, field, record.encode());
}

fn put_record_bytes(r: &mut Report, field: &str, bytes: Vec<u8>) {
    let doc = r.doc_mut();
    let (_, fields) = doc.get(ROOT, "fields").unwrap().unwrap();
    let (_, line) = doc.get(&fields, field).unwrap().unwrap();
    doc.put(&line, "signed", ScalarValue::Bytes(bytes)).unwrap();
    doc.commit();
}

fn status(r: &Report, field: &str) -> Verification {
    r.verify_signature(field).unwrap()
}

#[test]
fn a_fresh_signature_is_valid_and_shows_who_signed() {
    let mut r = demo();
    let k = key(1);
    assert_eq!(status(&r, LINE), Verification::Unsigned);
    sign(&mut r, LINE, Role::Provider, "  Anna Berger ", &k);
    assert_eq!(status(&r, LINE), Verification::Valid);
    let record = r.signature_record(LINE).unwrap().unwrap();
    assert_eq!(record.name, "Anna Berger");
    assert_eq!(record.role, Role::Provider);
    assert_eq!(record.time_ms, TODAY_MS);
    assert_eq!(record.public_key, k.public_key());
    assert_eq!(record.strokes, strokes());
    assert!(!record.typed());
    // The line's name and date follow the signature (for printing and older readers).
    let line = r.signature(LINE).unwrap();
    assert_eq!(line.name, "Anna Berger");
    assert_eq!(line.date, Some(d(2026, 11, 23)));
    // The signer is in the participants list.
    let participants = r.participants();
    assert_eq!(
        participants.get(&k.public_hex()),
        Some(&Participant {
            role: Role::Provider,
            name: "Anna Berger".into()
        })
    );
}

#[test]
fn strokes_round_trip_in_the_unit_box() {
    let s = Strokes::from_points(&[vec![(0.0, 1.0), (0.5, 0.25), (2.0, -1.0), (f64::NAN, 0.5)]]);
    let points = &s.to_points()[0];
    assert_eq!(points[0], (0.0, 1.0));
    assert!((points[1].0 - 0.5).abs() < 1e-4 && (points[1].1 - 0.25).abs() < 1e-4);
    assert_eq!(points[2], (1.0, 0.0), "clamped into the box");
    assert_eq!(points[3].0, 0.0, "not a number reads as 0");
    assert_eq!(Strokes::from_points(&[vec![]]), Strokes::default());
    // Quantized: encoding what was decoded gives the same bytes (what the signature covers).
    let again = Strokes::from_points(&s.to_points());
    assert_eq!(again.encode(), s.encode());
}

#[test]
fn signing_by_typing_the_name_records_no_strokes() {
    let mut r = demo();
    let k = key(1);
    let none = Strokes::default();
    r.sign(
        &SignRequest {
            field: LINE,
            role: Role::Provider,
            name: "Anna Berger",
            strokes: &none,
            time_ms: TODAY_MS,
            date: d(2026, 11, 23),
        },
        &k,
    )
    .unwrap();
    assert!(r.signature_record(LINE).unwrap().unwrap().typed());
    assert_eq!(status(&r, LINE), Verification::Valid);
}

#[test]
fn only_the_lines_editors_may_sign_and_a_name_is_needed() {
    let mut r = demo();
    let s = strokes();
    let req = |field, role, name| SignRequest {
        field,
        role,
        name,
        strokes: &s,
        time_ms: TODAY_MS,
        date: d(2026, 11, 23),
    };
    let k = key(1);
    let err = r
        .sign(
            &req("unterschrift_leistungsberechtigter", Role::Provider, "A"),
            &k,
        )
        .unwrap_err();
    assert!(matches!(err, ModelError::NotPermitted { .. }), "{err}");
    let err = r.sign(&req(LINE, Role::Provider, "  "), &k).unwrap_err();
    assert!(matches!(err, ModelError::Signature(_)), "{err}");
    let err = r
        .sign(&req("lb_name", Role::Provider, "A"), &k)
        .unwrap_err();
    assert!(matches!(err, ModelError::WrongKind { .. }), "{err}");
    let too_long = Strokes::from_points(&[vec![(0.5, 0.5); MAX_POINTS + 1]]);
    let err = r
        .sign(
            &SignRequest {
                strokes: &too_long,
                ..req(LINE, Role::Provider, "A")
            },
            &k,
        )
        .unwrap_err();
    assert!(matches!(err, ModelError::Signature(_)), "{err}");
    // Refused attempts wrote nothing.
    assert!(r
        .verify_signatures()
        .iter()
        .all(|(_, v)| *v == Verification::Unsigned));
}

#[test]
fn a_later_edit_marks_the_signature_for_an_earlier_version_naming_the_field() {
    let mut r = demo();
    sign(&mut r, LINE, Role::Provider, "Anna Berger", &key(1));
    r.set_text(Role::Provider, "anmerkungen_einrichtung", "Neu.")
        .unwrap();
    let goal = r.goals()[0].id.clone();
    r.set_goal_achievement(Role::Provider, &goal, Some("5"))
        .unwrap();
    assert_eq!(
        status(&r, LINE),
        Verification::ValidForEarlierVersion {
            changed_fields: vec!["anmerkungen_einrichtung".into(), "ziele".into()]
        }
    );
    // Re-signing covers the new version.
    sign(&mut r, LINE, Role::Provider, "Anna Berger", &key(1));
    assert_eq!(status(&r, LINE), Verification::Valid);
}

#[test]
fn an_edit_undone_leaves_the_signed_content_and_the_signature_current() {
    let mut r = demo();
    sign(&mut r, LINE, Role::Provider, "Anna Berger", &key(1));
    let before = r.text("lb_anschrift").unwrap();
    r.set_text(Role::Provider, "lb_anschrift", "anders")
        .unwrap();
    r.set_text(Role::Provider, "lb_anschrift", &before).unwrap();
    assert_eq!(status(&r, LINE), Verification::Valid);
}

#[test]
fn other_people_signing_later_does_not_outdate_a_signature() {
    let mut r = demo();
    sign(&mut r, LINE, Role::Provider, "Anna Berger", &key(1));
    sign(
        &mut r,
        "unterschrift_leitung",
        Role::Provider,
        "Bernd Leiter",
        &key(2),
    );
    sign(
        &mut r,
        "unterschrift_leistungsberechtigter",
        Role::Beneficiary,
        "Maria Muster",
        &key(3),
    );
    for (field, v) in r.verify_signatures() {
        let expected = if field == "unterschrift_betreuer" {
            Verification::Unsigned
        } else {
            Verification::Valid
        };
        assert_eq!(v, expected, "{field}");
    }
}

#[test]
fn editing_the_signed_lines_name_afterwards_counts_as_a_change() {
    let mut r = demo();
    sign(&mut r, LINE, Role::Provider, "Anna Berger", &key(1));
    r.set_signature_name(Role::Provider, LINE, "Jemand anders")
        .unwrap();
    assert_eq!(
        status(&r, LINE),
        Verification::ValidForEarlierVersion {
            changed_fields: vec![LINE.into()]
        }
    );
}

#[test]
fn tampered_records_are_invalid() {
    type Tamper = Box<dyn Fn(&mut SignatureRecord)>;
    let cases: Vec<(&str, Tamper)> = vec![
        ("name", Box::new(|r| r.name = "Eve".into())),
        ("time", Box::new(|r| r.time_ms += 60_000)),
        ("date", Box::new(|r| r.date = d(2026, 1, 1))),
        (
            "heads",
            Box::new(|r| {
                r.heads.pop();
            }),
        ),
        (
            "strokes",
            Box::new(|r| r.strokes = Strokes::from_points(&[vec![(0.0, 0.0), (1.0, 1.0)]])),
        ),
        ("signature bytes", Box::new(|r| r.signature[7] ^= 1)),
    ];
    for (what, f) in cases {
        let mut r = demo();
        sign(&mut r, LINE, Role::Provider, "Anna Berger", &key(1));
        tamper(&mut r, LINE, f);
        assert_eq!(
            status(&r, LINE),
            Verification::Invalid(InvalidSignature::BadSignature),
            "tampered {what}"
        );
    }
}

#[test]
fn damaged_record_bytes_are_invalid() {
    let mut r = demo();
    sign(&mut r, LINE, Role::Provider, "Anna Berger", &key(1));
    let mut bytes = r.signature_record(LINE).unwrap().unwrap().encode();
    bytes.truncate(bytes.len() - 3);
    put_record_bytes(&mut r, LINE, bytes);
    assert_eq!(
        status(&r, LINE),
        Verification::Invalid(InvalidSignature::Damaged)
    );
    assert_eq!(r.signature_record(LINE).unwrap(), None);
    put_record_bytes(&mut r, LINE, b"not a record".to_vec());
    assert_eq!(
        status(&r, LINE),
        Verification::Invalid(InvalidSignature::Damaged)
    );
}

#[test]
fn a_record_moved_to_another_line_or_report_is_invalid() {
    let mut r = demo();
    let k = key(1);
    sign(&mut r, LINE, Role::Provider, "Anna Berger", &k);
    let bytes = r.signature_record(LINE).unwrap().unwrap().encode();
    // Same signer, same role, another line: the field id is signed.
    let mut r2 = r.fork();
    put_record_bytes(&mut r2, "unterschrift_leitung", bytes.clone());
    assert_eq!(
        status(&r2, "unterschrift_leitung"),
        Verification::Invalid(InvalidSignature::BadSignature)
    );
    // Another report with the same content but another id: the report id is signed.
    let mut other = sample::demo_report("other", T0).unwrap();
    sign(&mut other, LINE, Role::Provider, "Anna Berger", &k);
    let mut copied = r.fork();
    let foreign = other.signature_record(LINE).unwrap().unwrap().encode();
    put_record_bytes(&mut copied, LINE, foreign);
    assert!(
        matches!(status(&copied, LINE), Verification::Invalid(_)),
        "{:?}",
        status(&copied, LINE)
    );
}

#[test]
fn a_key_not_in_the_participants_list_is_invalid() {
    let mut r = demo();
    let k = key(1);
    sign(&mut r, LINE, Role::Provider, "Anna Berger", &k);
    let doc = r.doc_mut();
    let (_, participants) = doc.get(ROOT, "participants").unwrap().unwrap();
    doc.delete(&participants, k.public_hex().as_str()).unwrap();
    doc.commit();
    assert_eq!(
        status(&r, LINE),
        Verification::Invalid(InvalidSignature::UnknownKey)
    );
}

#[test]
fn a_participant_listed_with_another_role_is_invalid() {
    let mut r = demo();
    let k = key(1);
    sign(&mut r, LINE, Role::Provider, "Anna Berger", &k);
    let doc = r.doc_mut();
    let (_, participants) = doc.get(ROOT, "participants").unwrap().unwrap();
    doc.put(
        &participants,
        k.public_hex().as_str(),
        r#"{"role":"caseworker","name":"Anna Berger"}"#,
    )
    .unwrap();
    doc.commit();
    assert_eq!(
        status(&r, LINE),
        Verification::Invalid(InvalidSignature::RoleMismatch)
    );
}

#[test]
fn a_record_whose_role_may_not_sign_the_line_is_invalid() {
    // A genuine beneficiary signature copied onto the provider's line, with its signature
    // remade for that line by the same key: the template does not let the beneficiary sign it.
    let mut r = demo();
    let k = key(3);
    sign(
        &mut r,
        "unterschrift_leistungsberechtigter",
        Role::Beneficiary,
        "Maria Muster",
        &k,
    );
    let bytes = r
        .signature_record("unterschrift_leistungsberechtigter")
        .unwrap()
        .unwrap()
        .encode();
    put_record_bytes(&mut r, LINE, bytes);
    assert_eq!(
        status(&r, LINE),
        Verification::Invalid(InvalidSignature::NotPermitted)
    );
}

#[test]
fn a_signature_verifies_on_another_replica_after_merge() {
    let mut a = demo();
    let mut b = a.fork();
    sign(&mut a, LINE, Role::Provider, "Anna Berger", &key(1));
    // b edits concurrently: the merged document holds a change the signature did not cover.
    b.set_text(Role::Provider, "anmerkungen_zielerreichung", "Von B.")
        .unwrap();
    let mut a_copy = a.fork();
    b.merge(&mut a_copy).unwrap();
    assert_eq!(
        status(&b, LINE),
        Verification::ValidForEarlierVersion {
            changed_fields: vec!["anmerkungen_zielerreichung".into()]
        }
    );
    // Without a concurrent edit, the other replica sees it valid, also through save/load.
    let mut c = demo();
    let mut d_ = c.fork();
    sign(&mut c, LINE, Role::Provider, "Anna Berger", &key(1));
    d_.apply(&c.save()).unwrap();
    assert_eq!(status(&d_, LINE), Verification::Valid);
    let loaded = Report::load(&d_.save()).unwrap();
    assert_eq!(status(&loaded, LINE), Verification::Valid);
}

#[test]
fn participants_of_concurrently_created_lists_are_all_found() {
    // A report from before signatures: no participants list; two replicas sign at once and
    // each creates one. After the merge both signers are still known.
    let mut a = demo();
    {
        let doc = a.doc_mut();
        doc.delete(ROOT, "participants").unwrap();
        doc.commit();
    }
    let mut b = a.fork();
    sign(&mut a, LINE, Role::Provider, "Anna Berger", &key(1));
    sign(
        &mut b,
        "unterschrift_leistungsberechtigter",
        Role::Beneficiary,
        "Maria Muster",
        &key(3),
    );
    a.merge(&mut b).unwrap();
    assert_eq!(a.doc_mut().get_all(ROOT, "participants").unwrap().len(), 2);
    assert!(matches!(
        a.doc_mut().get(ROOT, "participants").unwrap(),
        Some((automerge::Value::Object(ObjType::Map), _))
    ));
    assert_eq!(a.participants().len(), 2);
    assert_eq!(status(&a, LINE), Verification::Valid);
    assert_eq!(
        status(&a, "unterschrift_leistungsberechtigter"),
        Verification::Valid
    );
}
