//! A report as a file: `.automerge` and password-sealed `.dreieck` round trips, importing
//! (new, and merged into the replica on the device), every kind of bad file, and the JSON and
//! CSV exports.

mod common;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};
use common::*;
use dreieck_model::sealed_file::{self, KdfParams, HEADER_LEN, NONCE_LEN, SALT_LEN};
use dreieck_model::*;
use proptest::prelude::*;

const P: Role = Role::Provider;
const B: Role = Role::Beneficiary;
const PASSWORD: &str = "Korrekt Pferd Batterie";
const EXPORTED_MS: i64 = T0 + 3_600_000;

/// Cheap Argon2 settings for the many tests about the format; one test uses the real ones.
const FAST: KdfParams = KdfParams {
    memory_kib: 256,
    passes: 1,
    lanes: 1,
};

fn sealed(r: &mut Report, password: &str) -> Vec<u8> {
    r.to_sealed_file(password, [3; SALT_LEN], [5; NONCE_LEN], FAST)
        .unwrap()
}

fn demo() -> Report {
    sample::demo_report("0123456789abcdef0123456789abcdef", T0).unwrap()
}

fn not_a_report(result: Result<Report>) -> String {
    match result {
        Err(e @ ModelError::NotAReport(_)) => e.to_string(),
        other => panic!("expected NotAReport, got {other:?}"),
    }
}

fn damaged(result: Result<Report>) -> String {
    match result {
        Err(e @ ModelError::DamagedFile(_)) => e.to_string(),
        other => panic!("expected DamagedFile, got {other:?}"),
    }
}

// ---- round trips -------------------------------------------------------------------------

#[test]
fn automerge_file_round_trip_keeps_everything() {
    let mut r = demo();
    let file = r.to_automerge_file();
    assert_eq!(file_kind(&file), FileKind::Automerge);
    let back = read_report_file(&file, None).unwrap();
    assert_eq!(back.id(), r.id());
    assert_eq!(snapshot(&back), snapshot(&r));
}

#[test]
fn sealed_file_round_trip_with_the_recommended_settings() {
    let mut r = demo();
    let file = r
        .to_sealed_file(
            PASSWORD,
            [1; SALT_LEN],
            [2; NONCE_LEN],
            KdfParams::RECOMMENDED,
        )
        .unwrap();
    assert_eq!(file_kind(&file), FileKind::Sealed);
    // The header names the settings.
    assert_eq!(&file[10..14], &(64u32 * 1024).to_be_bytes());
    assert_eq!(&file[14..18], &3u32.to_be_bytes());
    let back = read_report_file(&file, Some(PASSWORD)).unwrap();
    assert_eq!(snapshot(&back), snapshot(&r));
}

#[test]
fn sealed_file_holds_no_readable_text() {
    let mut r = new_report();
    r.set_text(P, "lb_name", "Müller, Anna").unwrap();
    let file = sealed(&mut r, PASSWORD);
    let needle = "Müller".as_bytes();
    assert!(!file.windows(needle.len()).any(|w| w == needle));
    // The plain file does hold it (Automerge compresses only larger columns).
    assert_eq!(
        read_report_file(&file, Some(PASSWORD))
            .unwrap()
            .text("lb_name")
            .unwrap(),
        "Müller, Anna"
    );
}

#[test]
fn exporting_does_not_disturb_incremental_saving() {
    let mut r = new_report();
    r.save();
    r.set_text(P, "lb_name", "A").unwrap();
    let _ = r.to_automerge_file();
    let _ = sealed(&mut r, PASSWORD);
    // What was typed before the export still goes to storage with the next write.
    assert!(!r.save_incremental().is_empty());
}

#[test]
fn file_names_carry_no_personal_data() {
    let mut r = demo();
    r.set_text(P, "lb_name", "Müller, Anna").unwrap();
    let name = file_name(&r, d(2026, 12, 3), SEALED_EXTENSION);
    assert_eq!(name, "kvjs-ergebnisbericht-2026-12-03-01234567.dreieck");
}

// ---- importing ---------------------------------------------------------------------------

/// Two devices with the same report, each edited offline.
fn two_devices() -> (Report, Report) {
    let mut a = demo();
    let b = Report::load(&a.save()).unwrap();
    (a, b)
}

#[test]
fn importing_merges_both_sides_concurrent_edits() {
    let (mut here, mut there) = two_devices();
    // Here: the address, a word at the start of the remarks, a new goal.
    here.set_text(P, "lb_anschrift", "Hauptstraße 1, Tübingen")
        .unwrap();
    let remarks = here.text("anmerkungen_einrichtung").unwrap();
    here.set_text(P, "anmerkungen_einrichtung", &format!("Hier: {remarks}"))
        .unwrap();
    let goal_here = here.add_goal(P).unwrap();
    here.set_goal_text(P, &goal_here, "Ziel von hier").unwrap();
    // There: the phone, a word at the end of the same remarks, another goal, a rating.
    there
        .set_text(P, "einrichtung_telefon", "07071 12345")
        .unwrap();
    let remarks = there.text("anmerkungen_einrichtung").unwrap();
    there
        .set_text(
            P,
            "anmerkungen_einrichtung",
            &format!("{remarks} (von dort)"),
        )
        .unwrap();
    let goal_there = there.add_goal(P).unwrap();
    there
        .set_goal_text(P, &goal_there, "Ziel von dort")
        .unwrap();
    let first = there.goals()[0].id.clone();
    there.set_goal_self_rating(B, &first, Some("4")).unwrap();

    let file = sealed(&mut there, PASSWORD);
    let mut incoming = read_report_file(&file, Some(PASSWORD)).unwrap();
    let new = here.import(&mut incoming).unwrap();
    assert!(new >= 4, "{new} changes taken in");

    assert_eq!(
        here.text("lb_anschrift").unwrap(),
        "Hauptstraße 1, Tübingen"
    );
    assert_eq!(here.text("einrichtung_telefon").unwrap(), "07071 12345");
    let remarks = here.text("anmerkungen_einrichtung").unwrap();
    assert!(remarks.starts_with("Hier: "), "{remarks}");
    assert!(remarks.ends_with(" (von dort)"), "{remarks}");
    let texts: Vec<String> = here.goals().into_iter().map(|g| g.text).collect();
    assert!(texts.contains(&"Ziel von hier".to_string()));
    assert!(texts.contains(&"Ziel von dort".to_string()));
    assert_eq!(here.goals()[0].self_rating.as_deref(), Some("4"));

    // The other way round gives the same report.
    let mut back = read_report_file(&here.to_automerge_file(), None).unwrap();
    there.import(&mut back).unwrap();
    assert_eq!(snapshot(&there), snapshot(&here));
}

#[test]
fn importing_the_same_file_twice_changes_nothing_the_second_time() {
    let (mut here, mut there) = two_devices();
    there.set_text(P, "einrichtung_telefon", "0711 1").unwrap();
    let file = there.to_automerge_file();
    assert!(
        here.import(&mut read_report_file(&file, None).unwrap())
            .unwrap()
            > 0
    );
    let heads = here.heads();
    assert_eq!(
        here.import(&mut read_report_file(&file, None).unwrap())
            .unwrap(),
        0
    );
    assert_eq!(here.heads(), heads);
}

#[test]
fn an_import_reaches_storage_with_the_next_incremental_save() {
    let (mut here, mut there) = two_devices();
    let stored = here.save();
    there.set_text(P, "einrichtung_telefon", "0711 2").unwrap();
    here.import(&mut read_report_file(&there.to_automerge_file(), None).unwrap())
        .unwrap();
    let mut on_disk = stored;
    on_disk.extend(here.save_incremental());
    let reloaded = Report::load(&on_disk).unwrap();
    assert_eq!(reloaded.text("einrichtung_telefon").unwrap(), "0711 2");
}

#[test]
fn a_report_of_another_template_under_the_same_id_is_refused_and_changes_nothing() {
    let mut here = demo();
    let erwartung = builtin_templates()
        .into_iter()
        .find(|t| t.id == "goettingen-erwartungsbogen")
        .unwrap();
    let mut other = Report::create(&erwartung, &here.id(), T0).unwrap();
    let mut incoming = read_report_file(&other.to_automerge_file(), None).unwrap();
    let before = snapshot(&here);
    let heads = here.heads();
    let err = here.import(&mut incoming).unwrap_err();
    assert!(
        matches!(err, ModelError::NotTheSameReport(_)),
        "{err:?}: {err}"
    );
    assert!(err.to_string().contains("Erwartungsbogen"), "{err}");
    assert_eq!(here.heads(), heads);
    assert_eq!(snapshot(&here), before);
}

#[test]
fn a_report_created_independently_under_the_same_id_is_refused_and_changes_nothing() {
    let mut here = new_report();
    here.set_text(P, "lb_name", "Hier").unwrap();
    let mut twin = new_report(); // same id "r1", same template, another document
    twin.set_text(P, "lb_name", "Dort").unwrap();
    let mut incoming = read_report_file(&twin.to_automerge_file(), None).unwrap();
    let heads = here.heads();
    let err = here.import(&mut incoming).unwrap_err();
    assert!(matches!(err, ModelError::NotTheSameReport(_)), "{err:?}");
    assert_eq!(here.heads(), heads);
    assert_eq!(here.text("lb_name").unwrap(), "Hier");
    // ... and the report still works.
    here.set_text(P, "lb_name", "Hier 2").unwrap();
}

#[test]
fn a_report_id_that_is_unsafe_as_a_key_is_refused() {
    let mut r = Report::create(&kvjs(), "../../etc", T0).unwrap();
    let msg = not_a_report(read_report_file(&r.to_automerge_file(), None));
    assert!(msg.contains("Kennung"), "{msg}");
}

// ---- bad files ---------------------------------------------------------------------------

#[test]
fn a_file_that_is_not_a_report_says_so() {
    let msg = not_a_report(read_report_file(b"Hallo, ich bin ein Brief.", None));
    assert!(msg.contains(".dreieck"), "{msg}");
    let msg = not_a_report(read_report_file(b"", Some(PASSWORD)));
    assert!(msg.contains("leer"), "{msg}");
    // A PNG, say.
    not_a_report(read_report_file(
        &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0],
        None,
    ));
}

#[test]
fn the_json_export_is_recognised_and_refused_with_a_hint() {
    let json = demo().to_json_export(EXPORTED_MS);
    assert_eq!(file_kind(json.as_bytes()), FileKind::Json);
    let msg = not_a_report(read_report_file(json.as_bytes(), None));
    assert!(msg.contains("JSON"), "{msg}");
}

#[test]
fn another_applications_automerge_document_is_not_a_report() {
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "title", "Einkaufsliste").unwrap();
    let msg = not_a_report(read_report_file(&doc.save(), None));
    assert!(msg.contains("Dokumentformat"), "{msg}");
}

#[test]
fn a_truncated_automerge_file_is_refused() {
    let mut r = demo();
    let file = r.to_automerge_file();
    for cut in [4, 20, file.len() / 2, file.len() - 1] {
        not_a_report(read_report_file(&file[..cut], None));
    }
}

#[test]
fn a_sealed_file_without_password_asks_for_one() {
    let file = sealed(&mut new_report(), PASSWORD);
    for pw in [None, Some("")] {
        assert!(matches!(
            read_report_file(&file, pw),
            Err(ModelError::PasswordRequired)
        ));
    }
}

#[test]
fn a_wrong_password_says_so() {
    let file = sealed(&mut new_report(), PASSWORD);
    let err = read_report_file(&file, Some("korrekt pferd batterie")).unwrap_err();
    assert!(matches!(err, ModelError::WrongPassword), "{err:?}");
    assert_eq!(
        err.to_string(),
        "Das Passwort ist falsch. Bitte noch einmal eingeben."
    );
}

#[test]
fn a_short_password_is_refused_when_sealing() {
    let err = new_report()
        .to_sealed_file("kurz", [0; SALT_LEN], [0; NONCE_LEN], FAST)
        .unwrap_err();
    assert!(matches!(err, ModelError::PasswordTooShort(8)), "{err:?}");
}

#[test]
fn a_truncated_sealed_file_says_it_is_incomplete() {
    let file = sealed(&mut demo(), PASSWORD);
    for cut in [
        9,
        HEADER_LEN - 1,
        HEADER_LEN,
        HEADER_LEN + 10,
        file.len() - 1,
    ] {
        let msg = damaged(read_report_file(&file[..cut], Some(PASSWORD)));
        assert!(msg.contains("unvollständig"), "cut at {cut}: {msg}");
    }
}

#[test]
fn a_tampered_header_is_refused() {
    let file = sealed(&mut demo(), PASSWORD);
    // Every header byte after the magic; a changed magic is "not a report" (tested above).
    for i in 8..HEADER_LEN {
        let mut bad = file.clone();
        bad[i] ^= 0x01;
        let result = read_report_file(&bad, Some(PASSWORD));
        assert!(
            matches!(
                result,
                Err(ModelError::DamagedFile(_) | ModelError::NewerFile(_))
            ),
            "byte {i}: {result:?}"
        );
    }
}

#[test]
fn a_header_changed_with_its_check_recomputed_still_does_not_open() {
    use sha2::{Digest, Sha256};
    let file = sealed(&mut demo(), PASSWORD);
    let recheck = |bad: &mut Vec<u8>| {
        let check = Sha256::digest(&bad[..HEADER_LEN - 8]);
        bad[HEADER_LEN - 8..HEADER_LEN].copy_from_slice(&check[..8]);
    };
    // Other Argon2 settings or salt: another key, so the key check fails.
    for i in [13, 25] {
        let mut bad = file.clone();
        bad[i] ^= 0x01;
        recheck(&mut bad);
        let result = read_report_file(&bad, Some(PASSWORD));
        assert!(
            matches!(result, Err(ModelError::WrongPassword)),
            "{i}: {result:?}"
        );
    }
    // Another nonce: the key is right, the tag (over the header too) is not.
    let mut bad = file.clone();
    bad[40] ^= 0x01;
    recheck(&mut bad);
    damaged(read_report_file(&bad, Some(PASSWORD)));
}

#[test]
fn a_corrupted_ciphertext_is_refused() {
    let file = sealed(&mut demo(), PASSWORD);
    for i in [HEADER_LEN, file.len() / 2, file.len() - 1] {
        let mut bad = file.clone();
        bad[i] ^= 0x80;
        let msg = damaged(read_report_file(&bad, Some(PASSWORD)));
        assert!(msg.contains("verändert"), "{msg}");
    }
}

#[test]
fn a_file_from_a_newer_version_asks_for_an_update() {
    let mut file = sealed(&mut new_report(), PASSWORD);
    file[8] = 2;
    let err = read_report_file(&file, Some(PASSWORD)).unwrap_err();
    assert!(matches!(err, ModelError::NewerFile(2)), "{err:?}");
    assert!(err.to_string().contains("aktualisieren"));
}

#[test]
fn a_file_asking_for_absurd_argon2_costs_is_refused_before_computing() {
    let mut file = sealed(&mut new_report(), PASSWORD);
    file[10..14].copy_from_slice(&u32::MAX.to_be_bytes());
    use sha2::{Digest, Sha256};
    let check = Sha256::digest(&file[..HEADER_LEN - 8]);
    file[HEADER_LEN - 8..HEADER_LEN].copy_from_slice(&check[..8]);
    let msg = damaged(read_report_file(&file, Some(PASSWORD)));
    assert!(msg.contains("Rechenaufwand"), "{msg}");
}

#[test]
fn sealing_the_same_report_with_another_salt_and_nonce_gives_another_file() {
    let mut r = new_report();
    let one = r
        .to_sealed_file(PASSWORD, [1; SALT_LEN], [1; NONCE_LEN], FAST)
        .unwrap();
    let two = r
        .to_sealed_file(PASSWORD, [2; SALT_LEN], [2; NONCE_LEN], FAST)
        .unwrap();
    assert_ne!(one[HEADER_LEN..], two[HEADER_LEN..]);
    assert_eq!(
        sealed_file::open(&one, PASSWORD).unwrap(),
        r.to_automerge_file()
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Whatever a file holds, importing it gives an error or a report: never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(
        prefix in prop::sample::select(vec![
            Vec::new(),
            sealed_file::SEALED_MAGIC.to_vec(),
            [&sealed_file::SEALED_MAGIC[..], &[1u8, 1]].concat(),
            vec![0x85, 0x6f, 0x4a, 0x83],
            b"{".to_vec(),
        ]),
        rest in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        let bytes = [prefix, rest].concat();
        let _ = file_kind(&bytes);
        let _ = read_report_file(&bytes, Some(PASSWORD));
        let _ = read_report_file(&bytes, None);
    }

    /// A real sealed file with any one byte changed never opens as something else.
    #[test]
    fn a_sealed_file_with_a_changed_byte_never_opens(index in any::<prop::sample::Index>(), flip in 1u8..) {
        let mut r = new_report();
        let mut file = sealed(&mut r, PASSWORD);
        let i = index.index(file.len());
        file[i] ^= flip;
        prop_assert!(read_report_file(&file, Some(PASSWORD)).is_err());
    }
}

// ---- JSON and CSV ------------------------------------------------------------------------

fn signed_demo() -> Report {
    let mut r = demo();
    let strokes = Strokes::default();
    r.sign(
        &SignRequest {
            field: "unterschrift_leistungserbringer",
            role: P,
            name: "Petra Pflege",
            strokes: &strokes,
            time_ms: T0 + 1000,
            date: d(2026, 11, 22),
        },
        &ParticipantKey::from_seed(&[7; 32]),
    )
    .unwrap();
    r
}

#[test]
fn json_export_holds_the_structured_content() {
    let mut r = signed_demo();
    r.set_text(P, "lb_name", "Müller, Anna \"Anni\"").unwrap();
    r.set_own_words_remark(P, "wuensche", "Im Gespräch am 1.10.")
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&r.to_json_export(EXPORTED_MS)).unwrap();

    assert_eq!(json["format"], "dreieck-export");
    assert_eq!(json["format_version"], 2);
    assert_eq!(json["exported_at"], "2026-11-23T11:00:00.000Z");
    assert_eq!(json["report"]["id"], r.id());
    assert_eq!(json["report"]["created_at"], "2026-11-23T10:00:00.000Z");
    assert_eq!(json["template"]["id"], "kvjs-ergebnisbericht");
    assert_eq!(json["template"]["version"], r.template().version);

    let fields = json["fields"].as_array().unwrap();
    let field = |id: &str| {
        fields
            .iter()
            .find(|f| f["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing"))
    };
    // Every field of the form except the goals table, in form order.
    let ids: Vec<&str> = fields.iter().map(|f| f["id"].as_str().unwrap()).collect();
    let expected: Vec<String> = r
        .template()
        .fields()
        .filter(|f| f.kind.name() != "goals")
        .map(|f| f.id.clone())
        .collect();
    assert_eq!(ids, expected);

    let name = field("lb_name");
    assert_eq!(name["label"], "Name, Vorname");
    assert_eq!(name["kind"], "short_text");
    assert_eq!(name["section"], "leistungsberechtigter");
    assert_eq!(name["value"], "Müller, Anna \"Anni\"");
    assert_eq!(name["shown"], true);
    let range = field("berichtszeitraum");
    assert!(range["value"]["from"].is_string());
    let wishes = field("wuensche");
    assert_eq!(wishes["own_words"]["remark"], "Im Gespräch am 1.10.");
    assert_eq!(wishes["own_words"]["typed"], true);

    let signed = field("unterschrift_leistungserbringer");
    assert_eq!(signed["value"]["name"], "Petra Pflege");
    assert_eq!(signed["value"]["date"], "2026-11-22");
    assert_eq!(signed["signature"]["signed_by_role"], "provider");
    assert_eq!(signed["signature"]["typed"], true);
    // The name was changed after signing: the signature is for an earlier version.
    assert_eq!(signed["signature"]["status"], "valid_for_earlier_version");
    assert!(signed["signature"]["changed_fields"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("lb_name")));
    let unsigned = field("unterschrift_leitung");
    assert_eq!(unsigned["signature"]["status"], "unsigned");
    assert_eq!(unsigned["signature"]["status_text"], "nicht unterschrieben");

    let goals = json["goals"].as_array().unwrap();
    assert_eq!(goals.len(), r.goals().len());
    for (g, goal) in goals.iter().zip(r.goals()) {
        assert_eq!(g["number"], goal.number);
        assert_eq!(g["text"], goal.text);
        assert_eq!(g["measures"], goal.measures_text());
        let listed = g["measure_list"].as_array().unwrap();
        assert_eq!(listed.len(), goal.given_measures().count());
        for (m, measure) in listed.iter().zip(goal.given_measures()) {
            assert_eq!(m["text"], measure.text);
        }
        assert_eq!(g["achievement"]["code"], goal.achievement.clone().unwrap());
        assert!(g["achievement"]["label"].is_string());
        assert!(g["achievement"]["plain_label"].is_string());
    }
    let with_reason = goals.iter().find(|g| g["reason"].is_object()).unwrap();
    assert!(with_reason["reason"]["label"].as_str().unwrap().len() > 3);
}

#[test]
fn json_export_lists_unsettled_conflicts() {
    let (mut a, mut b) = two_devices();
    a.set_date(P, "gesamtplan_vom", Some(d(2026, 1, 1)))
        .unwrap();
    b.set_date(P, "gesamtplan_vom", Some(d(2026, 2, 2)))
        .unwrap();
    a.merge(&mut b).unwrap();
    let json: serde_json::Value = serde_json::from_str(&a.to_json_export(EXPORTED_MS)).unwrap();
    let field = json["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "gesamtplan_vom")
        .unwrap()
        .clone();
    assert_eq!(field["conflicting_values"].as_array().unwrap().len(), 2);
    assert!(json["fields"][0].get("conflicting_values").is_none());
}

#[test]
fn json_export_of_a_form_without_goals_has_an_empty_goals_list() {
    let hamburg = builtin_templates()
        .into_iter()
        .find(|t| t.id == "hamburg-wille-ressourcen")
        .unwrap();
    let r = Report::create(&hamburg, "h1", T0).unwrap();
    let json: serde_json::Value = serde_json::from_str(&r.to_json_export(EXPORTED_MS)).unwrap();
    assert_eq!(json["goals"], serde_json::json!([]));
    assert!(!json["fields"].as_array().unwrap().is_empty());
}

#[test]
fn goals_csv_is_what_german_excel_expects() {
    let mut r = demo();
    let first = r.goals()[0].id.clone();
    r.set_goal_text(P, &first, "Einkaufen; allein \"richtig\"\n- mit Liste")
        .unwrap();
    r.set_goal_self_rating(B, &first, Some("1")).unwrap();
    r.set_goal_area(P, &first, Some("soziale_integration"))
        .unwrap();
    // The second goal's measures: each on its line, who and by when as a goal list writes them.
    let second = r.goals()[1].id.clone();
    r.set_goal_measures(P, &second, "Fahrtraining").unwrap();
    r.set_measure_by(P, &second, MAIN_MEASURE, "Herr Adler")
        .unwrap();
    let next = r.add_measure(P, &second).unwrap();
    r.set_measure_text(P, &second, &next, "Fahrplan lesen")
        .unwrap();
    r.set_measure_until(P, &second, &next, Some(d(2027, 3, 31)))
        .unwrap();
    let csv = r.to_goals_csv();
    assert!(
        csv.contains("\"Fahrtraining (Herr Adler)\nFahrplan lesen (bis 31.03.2027)\""),
        "{csv}"
    );
    assert!(csv.starts_with('\u{feff}'));
    let body = &csv['\u{feff}'.len_utf8()..];
    let lines: Vec<&str> = body.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "Nr.;Ziel;Maßnahmen;Zielerreichung (Code);Zielerreichung;Grund bei Nichterreichung (Code);Grund bei Nichterreichung;Selbsteinschätzung (Code);Selbsteinschätzung;Einschätzungen weichen ab;\
         Zielebene;Zu erreichen bis;Herkunft;Lebensbereich"
    );
    // One line per goal plus the header and the empty string after the last CRLF; the
    // goal's line break is inside quotes, so count records, not lines.
    assert!(body.ends_with("\r\n"));
    assert_eq!(body.matches("\r\n").count(), r.goals().len() + 1, "{body}");
    assert!(
        lines[1].starts_with("1;\"Einkaufen; allein \"\"richtig\"\"\n- mit Liste\";"),
        "{}",
        lines[1]
    );
    let goal = &r.goals()[0];
    let achievement = goal.achievement.clone().unwrap();
    assert!(lines[1].contains(&format!(";{achievement};")));
    assert!(lines[1].contains(";1;Verschlechterung;"), "{}", lines[1]);
    assert!(
        lines[1].ends_with(";ja;;;neu in diesem Bericht;soziale Integration") || achievement == "1"
    );
    assert!(lines[1].ends_with(";soziale Integration"), "{}", lines[1]);
}

#[test]
fn goals_csv_of_a_form_without_goals_is_the_header_only() {
    let hamburg = builtin_templates()
        .into_iter()
        .find(|t| t.id == "hamburg-wille-ressourcen")
        .unwrap();
    let r = Report::create(&hamburg, "h1", T0).unwrap();
    assert_eq!(r.to_goals_csv().matches("\r\n").count(), 1);
}

#[test]
fn a_damaged_sealed_file_is_named_before_any_password_is_asked_for() {
    let file = sealed(&mut demo(), PASSWORD);
    assert!(sealed_file::check(&file).is_ok());
    assert!(matches!(
        sealed_file::check(&file[..file.len() - 1]),
        Err(ModelError::DamagedFile(_))
    ));
    let mut bad = file.clone();
    bad[30] ^= 1;
    assert!(matches!(
        sealed_file::check(&bad),
        Err(ModelError::DamagedFile(_))
    ));
}

/// The documented schema and the export agree on the keys every object must have, and the
/// export has no key the schema does not name.
#[test]
fn json_export_matches_the_documented_schema_keys() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../../docs/export.schema.json")).unwrap();
    let mut report = signed_demo();
    report
        .add_missing_help(
            Role::Caseworker,
            "mobilitaet",
            "Kein Fahrdienst.",
            d(2026, 11, 23),
        )
        .unwrap();
    report
        .mark_submitted(Role::Provider, d(2026, 11, 30))
        .unwrap();
    // One goal with every part of its plan, so that the plan's keys are checked too.
    let planned = report.goals()[0].id.clone();
    report
        .set_goal_level(Role::Provider, &planned, Some(GoalLevel::Handlungsziel))
        .unwrap();
    report
        .set_goal_target(Role::Provider, &planned, Some(d(2027, 6, 30)))
        .unwrap();
    report
        .set_measure_by(Role::Provider, &planned, MAIN_MEASURE, "Herr Adler")
        .unwrap();
    let second = report.add_measure(Role::Provider, &planned).unwrap();
    report
        .set_measure_text(Role::Provider, &planned, &second, "Fahrplan lesen")
        .unwrap();
    report
        .set_measure_until(Role::Provider, &planned, &second, Some(d(2027, 5, 31)))
        .unwrap();
    report
        .set_goal_area(Role::Provider, &planned, Some("mobilitaet"))
        .unwrap();
    let remark = report
        .add_remark(
            Role::Caseworker,
            &Anchor::Field("wuensche".into()),
            "Seit wann?",
            d(2026, 12, 1),
        )
        .unwrap();
    report
        .answer_remark(Role::Provider, &remark, "Seit dem Sommer.", d(2026, 12, 2))
        .unwrap();
    report
        .close_remark(Role::Caseworker, &remark, d(2026, 12, 3))
        .unwrap();
    // The person's words written down by staff, confirmed, and a second one not yet.
    for words in ["Ich will ans Meer.", "Und schwimmen."] {
        let id = report
            .record_words(Role::Provider, "wuensche", d(2026, 12, 2))
            .unwrap();
        report
            .set_recorded_text(Role::Provider, "wuensche", &id, words)
            .unwrap();
        if words.starts_with("Ich") {
            report
                .confirm_recorded_words(Role::Beneficiary, "wuensche", &id, d(2026, 12, 3))
                .unwrap();
        }
    }
    report.accept(Role::Caseworker, d(2026, 12, 3)).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&report.to_json_export(EXPORTED_MS)).unwrap();
    fn check(value: &serde_json::Value, schema: &serde_json::Value, what: &str) {
        let object = value.as_object().unwrap();
        for key in schema["required"].as_array().unwrap() {
            assert!(
                object.contains_key(key.as_str().unwrap()),
                "{what}: {key} missing"
            );
        }
        let known = schema["properties"].as_object().unwrap();
        for key in object.keys() {
            assert!(known.contains_key(key), "{what}: {key} not in the schema");
        }
    }
    let defs = &schema["$defs"];
    check(&json, &schema, "export");
    check(&json["report"], &schema["properties"]["report"], "report");
    check(
        &json["template"],
        &schema["properties"]["template"],
        "template",
    );
    for field in json["fields"].as_array().unwrap() {
        check(field, &defs["field"], "field");
        if let Some(own) = field.get("own_words") {
            let own_schema = &defs["field"]["properties"]["own_words"];
            check(own, own_schema, "own_words");
            for w in own["recorded"].as_array().into_iter().flatten() {
                check(
                    w,
                    &own_schema["properties"]["recorded"]["items"],
                    "recorded",
                );
            }
        }
        if let Some(sig) = field.get("signature") {
            check(sig, &defs["signature"], "signature");
        }
    }
    for goal in json["goals"].as_array().unwrap() {
        check(goal, &defs["goal"], "goal");
        check(&goal["achievement"], &defs["code"], "code");
        for measure in goal["measure_list"].as_array().unwrap() {
            check(measure, &defs["measure"], "measure");
        }
    }
    let planned_out = &json["goals"][0]["measure_list"];
    assert_eq!(planned_out[0]["by"], "Herr Adler");
    assert_eq!(planned_out[1]["text"], "Fahrplan lesen");
    assert_eq!(planned_out[1]["until"], "2027-05-31");
    let case = &schema["properties"]["case"];
    check(&json["case"], case, "case");
    check(
        &json["case"]["submitted"],
        &case["properties"]["submitted"],
        "submitted",
    );
    for flag in json["case"]["missing_help"].as_array().unwrap() {
        check(flag, &case["properties"]["missing_help"]["items"], "flag");
    }
    check(
        &json["case"]["accepted"],
        &case["properties"]["accepted"],
        "accepted",
    );
    for remark in json["case"]["review"].as_array().unwrap() {
        check(remark, &case["properties"]["review"]["items"], "remark");
    }
    let wishes = json["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "wuensche")
        .unwrap();
    let recorded = &wishes["own_words"]["recorded"];
    assert_eq!(recorded[0]["words"], "Ich will ans Meer.");
    assert_eq!(recorded[0]["written_by_role"], "provider");
    assert_eq!(recorded[0]["confirmed_on"], "2026-12-03");
    assert!(
        recorded[0]["byline"]
            .as_str()
            .unwrap()
            .contains("aufgeschrieben von"),
        "{}",
        recorded[0]["byline"]
    );
    assert!(recorded[0]["confirmation"]
        .as_str()
        .unwrap()
        .starts_with("Bestätigt von"));
    assert_eq!(recorded[1]["confirmation"], "Noch nicht bestätigt");
    assert_eq!(json["goals"][0]["area"], "mobilitaet");
    assert_eq!(json["goals"][0]["area_label"], "Mobilität");
    assert_eq!(json["case"]["accepted"]["date"], "2026-12-03");
    assert_eq!(
        json["case"]["accepted"]["changed_fields"],
        serde_json::json!([])
    );
    let remark = &json["case"]["review"][0];
    assert_eq!(remark["about"], "field");
    assert_eq!(remark["about_id"], "wuensche");
    assert_eq!(remark["question"], "Seit wann?");
    assert_eq!(remark["answer"], "Seit dem Sommer.");
    assert_eq!(remark["state"], "erledigt");
    assert_eq!(remark["closed"], "2026-12-03");
    assert_eq!(json["case"]["status"], "uebermittelt");
    assert_eq!(json["case"]["submitted"]["date"], "2026-11-30");
    assert_eq!(json["case"]["missing_help"][0]["area_label"], "Mobilität");
    assert_eq!(json["case"]["missing_help"][0]["text"], "Kein Fahrdienst.");
}

/// A file sealed by the first release (Argon2id m = 19 MiB, t = 2): the settings are in its
/// header, so it opens although files are sealed with stronger ones now.
#[test]
fn a_file_sealed_with_the_first_settings_still_opens() {
    let file = include_bytes!("fixtures/sealed-v1-19mib.dreieck");
    assert_eq!(&file[10..14], &(19u32 * 1024).to_be_bytes());
    assert_eq!(&file[14..18], &2u32.to_be_bytes());
    let back = read_report_file(file, Some(PASSWORD)).unwrap();
    assert_eq!(back.id(), demo().id());
    assert_eq!(back.text("lb_name").unwrap(), "Muster, Maria");
    assert_eq!(
        back.text("wuensche").unwrap(),
        "Ich will in meine eigene Wohnung. Ich will weiter im Chor singen."
    );
    assert!(matches!(
        read_report_file(file, Some("falsch falsch")),
        Err(ModelError::WrongPassword)
    ));
}
