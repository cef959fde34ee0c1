//! "Personen an diesem Gerät" on the Sperre page: the people who sign here with a key of their
//! own, behind their own PIN (`storage::people`); setting one up and removing one.

use dreieck::storage::people::{self, PersonError};
use dreieck_model::at_rest::MIN_PIN_CHARS;
use dreieck_model::{PersonKey, Role};
use dreieck_texts::{fill, plain::PLAIN, standard::STANDARD};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::platform::focus_element;
use crate::views::confirm_dialog::ConfirmDialog;
use crate::views::pin_input::PinInput;
use crate::views::role_select::role_name;

const ERROR_ID: &str = "person-fehler";

#[component]
pub fn PeopleSettings() -> impl IntoView {
    let app = use_app();
    let list = RwSignal::new(people::load());
    let removing = RwSignal::new(None::<PersonKey>);
    let done = RwSignal::new(None::<String>);
    let confirm_text = Signal::derive(move || {
        removing
            .get()
            .map(|p| fill(app.texts().people_remove_question, &p.name))
    });
    let on_confirm = Callback::new(move |()| {
        if let Some(p) = removing.get_untracked() {
            done.set(Some(match people::remove(&p.public) {
                Ok(()) => fill(app.texts_now().people_removed, &p.name),
                Err(e) => e.to_string(),
            }));
            list.set(people::load());
        }
        removing.set(None);
    });
    let on_cancel = Callback::new(move |()| removing.set(None));

    let rows = move || match list.get() {
        Err(e) => view! { <p class="field-error" role="alert">{e.to_string()}</p> }.into_any(),
        Ok(people) if people.is_empty() => view! {
            <p class="hint">
                {move || app.texts().people_none.to_string()}
            </p>
        }
        .into_any(),
        Ok(people) => view! {
            <ul class="people-list">
                {people
                    .into_iter()
                    .map(|p| {
                        let label = fill(app.texts().people_remove_label, &p.name);
                        let who = format!("{} – {}", p.name, role_name(app.texts(), p.role));
                        view! {
                            <li>
                                <span>{who}</span>
                                <button
                                    type="button"
                                    class="button"
                                    aria-label=label
                                    on:click=move |_| removing.set(Some(p.clone()))
                                >
                                    {app.texts().remove}
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any(),
    };

    view! {
        <section aria-labelledby="personen-titel" class="people-settings">
            <h2 id="personen-titel">
                {move || app.texts().people_title.to_string()}
            </h2>
            <p>
                {move || app.texts().people_intro.to_string()}
            </p>
            {rows}
            <p class="status-line" role="status">{move || done.get()}</p>
            <AddPerson list=list done=done />
            <ConfirmDialog
                message=confirm_text
                confirm_label=Signal::derive(move || app.texts().remove.to_string())
                on_confirm=on_confirm
                on_cancel=on_cancel
            />
        </section>
    }
}

/// Name, role and PIN of a new person; Argon2id runs once the page shows "Wird eingerichtet".
#[component]
fn AddPerson(
    list: RwSignal<Result<Vec<PersonKey>, dreieck::storage::StorageError>>,
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let app = use_app();
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(app.role.get_untracked());
    let pin = RwSignal::new(String::new());
    let repeated = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let fail = move |text: String, focus: &str| {
        error.set(Some(text));
        focus_element(focus);
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (n, p, r) = (
            name.get_untracked(),
            pin.get_untracked(),
            repeated.get_untracked(),
        );
        if n.trim().is_empty() {
            return fail(app.texts_now().people_name_missing.into(), "person-name");
        }
        if p.chars().count() < MIN_PIN_CHARS {
            return fail(
                fill(app.texts_now().pin_too_short, &MIN_PIN_CHARS.to_string()),
                "person-pin",
            );
        }
        if p != r {
            return fail(app.texts_now().pin_mismatch.into(), "person-pin-2");
        }
        busy.set(true);
        error.set(None);
        done.set(None);
        let chosen = role.get_untracked();
        leptos::task::spawn_local(async move {
            dreieck::storage::yield_to_browser().await;
            let outcome = people::add(&n, chosen, &p);
            pin.set(String::new());
            repeated.set(String::new());
            busy.set(false);
            match outcome {
                Ok(person) => {
                    name.set(String::new());
                    done.set(Some(format!(
                        "{} ist eingerichtet und kann als {} mit der eigenen PIN unterschreiben.",
                        person.name,
                        person.role.label()
                    )));
                    list.set(people::load());
                }
                Err(PersonError::Duplicate(n)) => fail(
                    format!("„{n}“ ist in dieser Rolle schon eingerichtet."),
                    "person-name",
                ),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <h3>{move || app.texts().people_add.to_string()}</h3>
        <form class="lock-form" on:submit=submit novalidate>
            <div class="field">
                <label class="field-label" for="person-name">
                    {move || app.texts().sign_name.to_string()}
                </label>
                <input
                    id="person-name"
                    class="control"
                    type="text"
                    autocomplete="off"
                    aria-describedby=ERROR_ID
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </div>
            <div class="field">
                <label class="field-label" for="person-rolle">
                    {move || app.texts().people_role.to_string()}
                </label>
                <select
                    id="person-rolle"
                    class="control"
                    on:change=move |ev| {
                        if let Some(r) = Role::parse(&event_target_value(&ev)) {
                            role.set(r);
                        }
                    }
                >
                    {Role::ALL
                        .into_iter()
                        .map(|r| view! {
                            <option value=r.as_str() prop:selected=move || role.get() == r>
                                {move || role_name(app.texts(), r)}
                            </option>
                        })
                        .collect_view()}
                </select>
            </div>
            <PinInput id="person-pin" label=(STANDARD.people_own_pin, PLAIN.people_own_pin) autocomplete="new-password" value=pin described=ERROR_ID />
            <PinInput id="person-pin-2" label=(STANDARD.people_own_pin_repeat, PLAIN.people_own_pin_repeat) autocomplete="new-password" value=repeated described=ERROR_ID />
            <p id=ERROR_ID class="field-error" role="alert">{move || error.get()}</p>
            <button type="submit" class="button primary" disabled=move || busy.get()>
                {move || if busy.get() { app.texts().people_adding } else { app.texts().people_add }}
            </button>
        </form>
    }
}
