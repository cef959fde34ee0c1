//! The person's words written down by staff, under an own-words field: "gesagt von … ·
//! aufgeschrieben von …", read aloud to the person, confirmed by them ("Ja, so habe ich das
//! gesagt"), and from then on nobody's to change (the rules live in the model:
//! `recorded_words.rs`).
//!
//! The writer types into a plain textarea (nobody else writes there, so there is no
//! co-typing to merge); everyone else sees the words as a quotation.

use dreieck_model::{Field, RecordedWords, Role};
use dreieck_texts::{fill, fill_with};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::state::platform::{focus_element, today};
use crate::views::confirm_dialog::ConfirmDialog;
use crate::views::read_aloud_button::ReadAloudButton;
use crate::views::text_field::{control_id, show_text};

/// The id of a recording's control: `feld-<field>-gesagt-<n>-<part>` (`n` from 1, in order).
pub fn recording_control_id(field: &str, n: usize, part: &str) -> String {
    format!("{}-gesagt-{n}-{part}", control_id(field))
}

#[component]
pub fn RecordedWordsList(field: Field) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let field_id = StoredValue::new(field.id.clone());
    // Re-read when the role changes too: on a shared tablet the writer's typing (which does
    // not refresh this copy) is followed by the person taking the pen to confirm.
    let all = Memo::new(move |_| {
        field_id.with_value(|f| editor.track_field(f));
        app.role.track();
        editor
            .read(|r| field_id.with_value(|f| r.recorded_words(f)))
            .unwrap_or_default()
    });
    let ids = Memo::new(move |_| all.with(|a| a.iter().map(|w| w.id.clone()).collect::<Vec<_>>()));
    let editors = field.editors.clone();
    let staff = move || {
        let role = app.role.get();
        role != Role::Beneficiary && editors.contains(&role)
    };
    let add_id = format!("{}-aufschreiben", control_id(&field.id));
    let add = {
        let add_id = add_id.clone();
        move |_| {
            let role = app.role.get_untracked();
            let Some(day) = today() else { return };
            let mut added = false;
            field_id.with_value(|f| {
                editor.change(|r| {
                    r.record_words(role, f, day)?;
                    added = true;
                    Ok(())
                })
            });
            let add_id = add_id.clone();
            request_animation_frame(move || {
                let n = ids.with_untracked(Vec::len);
                let focused = added
                    && field_id.with_value(|f| focus_element(&recording_control_id(f, n, "text")));
                if !focused {
                    focus_element(&add_id);
                }
            });
        }
    };
    // The recording the removal dialog asks about.
    let confirm_remove = RwSignal::new(None::<(String, usize)>);
    let remove_now = {
        let add_id = add_id.clone();
        move |id: String| {
            let role = app.role.get_untracked();
            field_id.with_value(|f| editor.change(|r| r.remove_recorded_words(role, f, &id)));
            let add_id = add_id.clone();
            request_animation_frame(move || {
                focus_element(&add_id);
            });
        }
    };
    let ask_remove = {
        let remove_now = remove_now.clone();
        Callback::new(move |(id, n): (String, usize)| {
            // Read from the report: typing in place does not refresh the list's copy.
            let blank = editor
                .read(|r| {
                    field_id.with_value(|f| {
                        r.recorded_words(f)
                            .into_iter()
                            .find(|w| w.id == id)
                            .is_none_or(|w| w.text.trim().is_empty())
                    })
                })
                .unwrap_or(true);
            if blank {
                remove_now(id);
            } else {
                confirm_remove.set(Some((id, n)));
            }
        })
    };
    let message = Signal::derive(move || {
        confirm_remove
            .get()
            .map(|(_, n)| fill(app.texts().recorded_remove_question, &n.to_string()))
    });
    view! {
        <div class="recorded-list">
            <For each=move || ids.get() key=|id| id.clone() let:id>
                <Recording field_id=field_id.get_value() id=id ids=ids all=all on_remove=ask_remove />
            </For>
            <Show when=staff.clone()>
                <button id=add_id.clone() type="button" class="button" on:click=add.clone()>
                    {move || app.texts().recorded_add}
                </button>
            </Show>
            <Show when=move || confirm_remove.with(Option::is_some)>
                <ConfirmDialog
                    message=message
                    confirm_label=Signal::derive(move || app.texts().remove.to_string())
                    question_id="gesagt-entfernen-frage"
                    on_confirm=Callback::new({
                        let remove_now = remove_now.clone();
                        move |()| {
                            if let Some((id, _)) = confirm_remove.get_untracked() {
                                confirm_remove.set(None);
                                remove_now(id);
                            }
                        }
                    })
                    on_cancel=Callback::new(move |()| confirm_remove.set(None))
                />
            </Show>
        </div>
    }
}

/// One recording: who said and who wrote, the words, whether the person confirmed them.
#[component]
fn Recording(
    field_id: String,
    id: String,
    ids: Memo<Vec<String>>,
    all: Memo<Vec<RecordedWords>>,
    on_remove: Callback<(String, usize)>,
) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let key = StoredValue::new((field_id, id));
    let number = Memo::new(move |_| {
        key.with_value(|(_, id)| {
            ids.with(|ids| ids.iter().position(|x| x == id).map_or(0, |p| p + 1))
        })
    });
    let current = Memo::new(move |_| {
        key.with_value(|(_, id)| all.with(|a| a.iter().find(|w| &w.id == id).cloned()))
    });
    let describe = move |f: &dyn Fn(&dreieck_model::Report, &RecordedWords) -> String| {
        current
            .get()
            .and_then(|w| editor.read(|r| f(r, &w)))
            .unwrap_or_default()
    };
    // In Leichte Sprache the person is addressed as "Sie" on their own screen.
    let person_is_reading = move || app.role.get() == Role::Beneficiary;
    let byline = move || {
        if app.plain.get() {
            let you = person_is_reading();
            let t = app.texts();
            describe(&move |r, w| {
                let writer = r
                    .recorded_writer(w)
                    .unwrap_or_else(|| fill(t.recorded_someone, w.role.plain_from()));
                if you {
                    fill_with(t.recorded_you_said, &[("writer", &writer)])
                } else {
                    fill_with(
                        t.recorded_person_said,
                        &[("person", &r.person_named()), ("writer", &writer)],
                    )
                }
            })
        } else {
            describe(&|r, w| r.recorded_byline(w))
        }
    };
    let state = move || {
        if app.plain.get() {
            let you = person_is_reading();
            let t = app.texts();
            describe(&move |r, w| match (you, w.confirmation.is_some()) {
                (true, true) => t.recorded_you_confirmed.to_string(),
                (true, false) => t.recorded_you_not_confirmed.to_string(),
                (false, true) => fill(t.recorded_person_confirmed, &r.person_named()),
                (false, false) => fill(t.recorded_person_not_confirmed, &r.person_named()),
            })
        } else {
            describe(&|r, w| r.confirmation_line(w))
        }
    };
    let confirmed = move || current.with(|w| w.as_ref().is_some_and(|w| w.confirmation.is_some()));
    let changed = move || {
        current.with(|w| {
            w.as_ref()
                .is_some_and(RecordedWords::changed_since_confirmation)
        })
    };
    let words = move || {
        current.with(|w| {
            w.as_ref()
                .map(|w| w.words().to_string())
                .unwrap_or_default()
        })
    };
    // The writer writes until the person confirms; re-checked on every re-read.
    let writable = Memo::new(move |_| {
        let role = app.role.get();
        current.track();
        key.with_value(|(f, id)| editor.read(|r| r.may_change_recorded(role, f, id)))
            .unwrap_or(false)
    });
    let may_confirm =
        move || app.role.get() == Role::Beneficiary && !confirmed() && !words().trim().is_empty();
    let control =
        move |part: &str| key.with_value(|(f, _)| recording_control_id(f, number.get(), part));
    let node = NodeRef::<leptos::html::Textarea>::new();
    Effect::new(move |_| {
        let text = current.with(|w| w.as_ref().map(|w| w.text.clone()).unwrap_or_default());
        if let Some(el) = node.get() {
            show_text(&el, &text);
        }
    });
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        let role = app.role.get_untracked();
        key.with_value(|(f, id)| editor.type_in(|r| r.set_recorded_text(role, f, id, &text)));
    };
    let confirm = move |_| {
        let Some(day) = today() else { return };
        key.with_value(|(f, id)| {
            editor.change(|r| r.confirm_recorded_words(Role::Beneficiary, f, id, day))
        });
        let state_id = control("stand");
        request_animation_frame(move || {
            focus_element(&state_id);
        });
    };
    // Read from the report, not the list's copy: the writer's typing does not refresh it.
    let sentences = Callback::new(move |()| {
        key.with_value(|(f, id)| {
            editor.read(|r| {
                r.recorded_words(f)
                    .into_iter()
                    .find(|w| &w.id == id)
                    .map(|w| r.spoken_recording(&w))
                    .unwrap_or_default()
            })
        })
        .unwrap_or_default()
    });
    let label = move || fill(app.texts().recorded_label, &number.get().to_string());
    view! {
        <section class="recorded" class:recorded-confirmed=confirmed aria-label=label>
            <p class="recorded-by">{byline}</p>
            {move || {
                if writable.get() {
                    view! {
                        <label class="field-label" for=control("text")>{label}</label>
                        <textarea
                            node_ref=node
                            id=control("text")
                            class="control"
                            rows="3"
                            on:input=on_input
                        ></textarea>
                    }
                        .into_any()
                } else {
                    view! { <blockquote class="recorded-text">{words}</blockquote> }.into_any()
                }
            }}
            <Show when=changed>
                <p class="notice">
                    {move || {
                        app.texts().recorded_changed_while_confirming
                    }}
                </p>
            </Show>
            <p class="recorded-state" id=move || control("stand") tabindex="-1">{state}</p>
            <div class="recorded-actions">
                <ReadAloudButton
                    block=key.with_value(|(f, id)| format!("{f}-gesagt-{id}"))
                    what=Signal::derive(move || fill(app.texts().recorded_what, &number.get().to_string()))
                    sentences=sentences
                    always=true
                />
                <Show when=may_confirm>
                    <button type="button" class="button primary" id=move || control("bestaetigen") on:click=confirm>
                        {move || app.texts().recorded_confirm}
                    </button>
                </Show>
                <Show when=move || writable.get()>
                    <button
                        type="button"
                        class="button"
                        id=move || control("entfernen")
                        on:click=move |_| key.with_value(|(_, id)| on_remove.run((id.clone(), number.get_untracked())))
                    >
                        {move || fill(app.texts().recorded_remove, &number.get().to_string())}
                    </button>
                </Show>
            </div>
        </section>
    }
}
