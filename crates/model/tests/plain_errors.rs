//! What the model refuses is said in Leichte Sprache too: every reason has a plain text that
//! keeps the rules, and a reason the model words itself is said plainly where the catalogue
//! knows it.

use dreieck_model::{ModelError, Role};
use dreieck_texts::rules::problems;

#[test]
fn every_refusal_has_a_plain_text_that_keeps_the_rules() {
    let errors = [
        ModelError::NotAReport("x".into()),
        ModelError::UnknownField("f".into()),
        ModelError::UnknownGoal,
        ModelError::NotPermitted {
            field: "f".into(),
            role: Role::Caseworker,
        },
        ModelError::OwnWords { field: "f".into() },
        ModelError::InvalidDate("2026-13-01".into()),
        ModelError::Signature("etwas Unbekanntes".into()),
        ModelError::Workflow("etwas Unbekanntes".into()),
        ModelError::WrongPassword,
        ModelError::PasswordTooShort(8),
        ModelError::PinTooShort(6),
        ModelError::NewerFile(9),
        ModelError::NotAMember(Role::Provider),
        ModelError::Membership("etwas Unbekanntes".into()),
    ];
    for e in errors {
        let plain = e.plain();
        assert_ne!(plain, e.to_string(), "{e:?} has its own plain text");
        assert!(problems(&plain).is_empty(), "{e:?}: {:?}", problems(&plain));
    }
    assert_eq!(
        ModelError::NotPermitted {
            field: "f".into(),
            role: Role::Caseworker
        }
        .plain(),
        "Jemand vom Amt darf hier nichts ändern."
    );
}

#[test]
fn a_reason_the_catalogue_knows_is_said_in_its_plain_words() {
    let standard = dreieck_texts::standard::STANDARD.device_date_unknown;
    assert_eq!(
        ModelError::Workflow(standard.into()).plain(),
        dreieck_texts::plain::PLAIN.device_date_unknown
    );
}
