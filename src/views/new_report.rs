//! "Neuer Bericht": which form the new report is made from, and the button that makes it.
//!
//! Offers every form on the device, the newest version of each: the shipped ones by their name,
//! imported ones as "Name (Version x, eigene Vorlage)", so nobody mistakes an adapted form for
//! the original.

use dreieck_model::{Library, Template};
use dreieck_texts::{fill, fill_with, Texts};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::route::{navigate, Route};
use crate::state::app_context::use_app;
use crate::state::session::Session;

/// The form preselected for a new report (the KVJS Ergebnisbericht, form 1).
const DEFAULT_TEMPLATE: &str = "kvjs-ergebnisbericht";

/// How a form is named in the choice: imported ones say so, with their version.
pub fn choice_label(
    library: &Library,
    template: &Template,
    t: &'static Texts,
    plain: bool,
) -> String {
    let name = if plain && !template.plain_name.trim().is_empty() {
        &template.plain_name
    } else {
        &template.name
    };
    if library.is_builtin(&template.id, &template.version) {
        name.clone()
    } else {
        fill_with(
            t.form_own_version,
            &[("name", name), ("version", &template.version)],
        )
    }
}

#[component]
pub fn NewReport() -> impl IntoView {
    let app = use_app();
    let library = app.templates.library;
    let creating = RwSignal::new(false);
    let create_error = RwSignal::new(None::<String>);
    // Which form: an id; the report gets that form's newest version. Radio buttons: one tab
    // stop, arrow keys between forms, the whole label is the touch target.
    let template_choice = RwSignal::new(DEFAULT_TEMPLATE.to_string());
    let forms = move || {
        let texts = app.texts();
        let plain = app.plain.get();
        library.with(|l| {
            l.choices()
                .into_iter()
                .map(|t| (t.id.clone(), choice_label(l, t, texts, plain)))
                .collect::<Vec<_>>()
        })
    };

    let new_report = move |_| {
        let Some(store) = app.store() else {
            return;
        };
        let id = template_choice.get_untracked();
        let template = library.with_untracked(|l| {
            l.newest(&id)
                .or_else(|| l.choices().into_iter().next())
                .cloned()
        });
        let Some(template) = template else {
            create_error.set(Some(app.texts_now().new_no_template.into()));
            return;
        };
        creating.set(true);
        create_error.set(None);
        spawn_local(async move {
            let result = Session::create(store, &template).await;
            let _ = creating.try_set(false);
            match result {
                Ok(id) => navigate(&Route::Report(id)),
                Err(e) => {
                    let _ = create_error.try_set(Some(e));
                }
            }
        });
    };

    view! {
        <div class="new-report">
            <fieldset class="form-choice">
                <legend>{move || app.texts().new_form}</legend>
                <div class="choices">
                    <For
                        each=forms
                        key=|(id, label)| format!("{id}\u{0}{label}")
                        children=move |(id, label)| {
                            let checked_id = id.clone();
                            let chosen_id = id.clone();
                            view! {
                                <label class="choice">
                                    <input
                                        type="radio"
                                        name="formular"
                                        value=id
                                        prop:checked=move || {
                                            template_choice.with(|c| *c == checked_id)
                                        }
                                        on:change=move |_| template_choice.set(chosen_id.clone())
                                    />
                                    <span>{label}</span>
                                </label>
                            }
                        }
                    />
                </div>
            </fieldset>
            <button class="button primary" on:click=new_report disabled=move || creating.get()>
                {move || if creating.get() { app.texts().new_creating } else { app.texts().new_report }}
            </button>
        </div>
        {move || {
            create_error
                .get()
                .map(|e| {
                    view! {
                        <p class="message error" role="alert">
                            {fill(app.texts().new_failed, &e)}
                        </p>
                    }
                })
        }}
    }
}
