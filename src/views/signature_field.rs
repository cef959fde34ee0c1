//! A signature line: the drawn signature, "unterschrieben von … am …", and whether the signature
//! is valid for the report as it is now; the pad to sign (again) for a role that may sign it.
//!
//! Once the line is signed, the verification is re-read on every change of the report, typing
//! included: a signature that covered the report a keystroke ago may now be for an earlier
//! version. An unsigned line follows only its own field.

use dreieck::storage::people::{self, PersonError};
use dreieck::storage::settings;
use dreieck_model::{
    Field, ModelError, ParticipantKey, SignRequest, SignatureRecord, Strokes, Verification,
};
use dreieck_texts::{fill, fill_with, Texts};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::{use_editor, Editor};
use crate::state::platform::focus_element;
use crate::state::platform::{format_timestamp, now_ms, today};
use crate::views::field_label::{described_by, FieldHelp, LabelText};
use crate::views::role_select::role_name;
use crate::views::signature_pad::{stroke_view, SignaturePad, VIEW_H, VIEW_W};
use crate::views::signer_choice::{Signer, SignerChoice};
use crate::views::text_field::control_id;

/// What the line shows: the record (if any) and its verification.
#[derive(Clone, PartialEq)]
struct Shown {
    record: Option<SignatureRecord>,
    verification: Verification,
    /// Labels of the fields changed since signing (for an earlier version).
    changed: Vec<String>,
}

fn read(editor: Editor, field: &str) -> Shown {
    editor
        .read(|r| {
            let verification = r.verify_signature(field).unwrap_or(Verification::Unsigned);
            let changed = match &verification {
                Verification::ValidForEarlierVersion { changed_fields } => changed_fields
                    .iter()
                    .map(|id| r.changed_label(id))
                    .collect(),
                _ => Vec::new(),
            };
            Shown {
                record: r.signature_record(field).ok().flatten(),
                verification,
                changed,
            }
        })
        .unwrap_or(Shown {
            record: None,
            verification: Verification::Unsigned,
            changed: Vec::new(),
        })
}

#[component]
pub fn SignatureField(field: Field, optional: bool, editable: Signal<bool>) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let base = control_id(&field.id);
    let described = described_by(&field, &base);
    let field_id = StoredValue::new(field.id.clone());
    // Signing again: the pad is open although the line is signed.
    let resigning = RwSignal::new(false);

    let shown = Memo::new(move |_| {
        field_id.with_value(|f| editor.track_field(f));
        let shown = field_id.with_value(|f| read(editor, f));
        // Once signed, every change (typing anywhere included) may make this signature one
        // for an earlier version; an unsigned line changes only when it is signed, which
        // touches the line itself.
        if shown.record.is_some() {
            editor.track_all();
        }
        shown
    });
    // Its own memo, so the pad is rebuilt (losing a drawing in progress) only when the line
    // becomes signed or unsigned, not on every change elsewhere in the report.
    let is_signed = Memo::new(move |_| shown.with(|s| s.record.is_some()));
    let signed = move || is_signed.get();

    let signer = RwSignal::new(Signer::ForThisSignature);
    let signer_name = RwSignal::new(String::new());
    let pin = RwSignal::new(String::new());
    let pin_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let pin_id = format!("{base}-pin");

    let on_sign = Callback::new(move |(name, strokes): (String, Strokes)| {
        let role = app.role.get_untracked();
        let time_ms = now_ms() as i64;
        let date = today();
        // `own`: the key of a person set up here (signs with it or not at all); otherwise a key
        // for this signature, or the device's where it may vouch for nobody.
        let sign_with = move |key: Option<ParticipantKey>, own: bool| {
            field_id.with_value(|f| {
                editor.change(|r| {
                    let date = date.ok_or_else(|| {
                        ModelError::Signature(app.texts_now().signature_no_date.into())
                    })?;
                    let request = SignRequest {
                        field: f,
                        role,
                        name: &name,
                        strokes: &strokes,
                        time_ms,
                        date,
                    };
                    match key {
                        Some(key) if own || r.may_vouch_for(role) => {
                            r.sign_in_person(&request, &key)
                        }
                        // A device that may vouch for nobody is its person's own (enrolled by
                        // their invitation): it signs with its member key.
                        _ => {
                            let seed = settings::signing_seed(role.as_str())
                                .map_err(|e| ModelError::Signature(e.to_string()))?;
                            r.sign(&request, &ParticipantKey::from_seed(&seed))
                        }
                    }
                })
            });
            // Undo never reaches behind a signature.
            editor.forget_undo();
            resigning.set(false);
        };
        match signer.get_untracked() {
            Signer::ForThisSignature => sign_with(people::key_for_one_signature().ok(), false),
            Signer::Person { public, .. } => {
                let typed = pin.get_untracked();
                busy.set(true);
                pin_error.set(None);
                let pin_id = pin_id.clone();
                leptos::task::spawn_local(async move {
                    // Argon2id holds the thread: let "Wird geprüft …" show first.
                    dreieck::storage::yield_to_browser().await;
                    let key = people::unlock(&public, &typed, time_ms);
                    pin.set(String::new());
                    busy.set(false);
                    match key {
                        Ok(key) => sign_with(Some(key), true),
                        Err(e) => {
                            if matches!(e, PersonError::Wiped(_) | PersonError::Unknown(_)) {
                                signer.set(Signer::ForThisSignature);
                            }
                            pin_error.set(Some(person_error_text(
                                &e,
                                app.texts_now(),
                                app.plain.get_untracked(),
                            )));
                            focus_element(&pin_id);
                        }
                    }
                });
            }
        }
    });

    let pad_base = base.clone();
    let pad = move || {
        let open = editable.get() && (!signed() || resigning.get());
        open.then(|| {
            let initial = shown.with_untracked(|s| {
                s.record
                    .as_ref()
                    .map(|r| r.name.clone())
                    .unwrap_or_default()
            });
            signer_name.set(initial);
            let choice_base = pad_base.clone();
            let cancel = signed().then_some(Callback::new(move |()| resigning.set(false)));
            view! {
                <SignaturePad
                    base=pad_base.clone()
                    name=signer_name
                    on_sign=on_sign
                    on_cancel=cancel
                    busy=busy
                >
                    <SignerChoice
                        base=choice_base
                        role=app.role
                        chosen=signer
                        name=signer_name
                        pin=pin
                        error=pin_error
                    />
                </SignaturePad>
            }
        })
    };
    let signer_id = format!("{base}-signer");

    view! {
        <fieldset class="field field-group signature" aria-describedby=described>
            <legend class="field-label">
                <LabelText field=field.clone() editable=editable optional=optional />
            </legend>
            <FieldHelp field=field.clone() control_id=base.clone() />
            {move || {
                let s = shown.get();
                let signer_id = signer_id.clone();
                match s.record {
                    None => {
                        let text = if matches!(s.verification, Verification::Invalid(_)) {
                            app.texts().signature_broken
                        } else {
                            app.texts().signature_missing
                        };
                        view! { <p class="signature-state">{text}</p> }.into_any()
                    }
                    Some(record) => {
                        let when = format_timestamp(record.time_ms as f64);
                        let drawing = if record.typed() {
                            view! {
                                <p class="signature-typed">
                                    {app.texts().signature_typed}
                                </p>
                            }
                                .into_any()
                        } else {
                            let label = fill(app.texts().signature_drawn, &record.name);
                            view! {
                                <svg
                                    class="signature-drawing"
                                    viewBox=format!("0 0 {VIEW_W} {VIEW_H}")
                                    role="img"
                                    aria-label=label
                                >
                                    {record.strokes.to_points().into_iter().map(stroke_view).collect_view()}
                                </svg>
                            }
                                .into_any()
                        };
                        let (class, state) = match &s.verification {
                            Verification::Valid => (
                                "signature-state valid",
                                app.texts().signature_valid.to_string(),
                            ),
                            Verification::ValidForEarlierVersion { .. } => (
                                "signature-state earlier",
                                fill_with(app.texts().signature_earlier, &[("changed", &s.changed.join(", "))]),
                            ),
                            Verification::Invalid(why) => {
                                ("signature-state invalid", fill_with(app.texts().signature_invalid, &[("why", why.message())]))
                            }
                            Verification::Unsigned => ("signature-state", String::new()),
                        };
                        // The name in its own element (the drawing is labelled by it).
                        let line = fill_with(
                            app.texts().signed_by,
                            &[("role", role_name(app.texts(), record.role)), ("when", &when)],
                        );
                        let (before, after) = line
                            .split_once("{name}")
                            .map(|(b, a)| (b.to_string(), a.to_string()))
                            .unwrap_or((line.clone(), String::new()));
                        view! {
                            {drawing}
                            <p class="signed-by">
                                {before}
                                <span id=signer_id class="signer">{record.name.clone()}</span>
                                {after}
                            </p>
                            <p class=class>{state}</p>
                        }
                            .into_any()
                    }
                }
            }}
            <Show when=move || editable.get() && signed() && !resigning.get()>
                <button type="button" class="button" on:click=move |_| resigning.set(true)>
                    {move || app.texts().signature_again}
                </button>
            </Show>
            {pad}
        </fieldset>
    }
}

/// What a person's PIN did wrong, in the words of the page.
fn person_error_text(e: &PersonError, t: &'static Texts, plain: bool) -> String {
    if !plain {
        return match e {
            PersonError::WrongPin { wait: Some(w), .. } => fill_with(
                t.person_pin_wrong,
                &[("message", &e.to_string()), ("time", w)],
            ),
            _ => e.to_string(),
        };
    }
    match e {
        PersonError::WrongPin { left, wait, .. } => {
            let mut text = fill(t.person_pin_wrong_left, &left.to_string());
            if let Some(w) = wait {
                text.push('\n');
                text.push_str(&fill(t.person_pin_wait, w));
            }
            text
        }
        PersonError::Wait(w) => fill(t.person_pin_wait, w),
        PersonError::Wiped(_) => t.person_pin_wiped.to_string(),
        other => other.to_string(),
    }
}
