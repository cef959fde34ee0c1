//! "Feedbackbogen anlegen", "Folgebericht anlegen": a follow-up form created from the open
//! report — the Göttingen Feedbackbogen from an Erwartungsbogen, the next Ergebnisbericht from
//! this one with the goals that go on — so the person's details, the expectation and the goals
//! do not have to be typed again. Offered for every template that carries fields from this
//! report's form (`carried_from`).

use dreieck_model::Template;
use dreieck_texts::fill;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::route::{navigate, Route};
use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::state::session::Session;

#[component]
pub fn FollowUp() -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let source = editor.template(|t| t.id.clone()).unwrap_or_default();
    let follow_ups: Vec<Template> = app.templates.library.with_untracked(|l| {
        l.choices()
            .into_iter()
            .filter(|t| {
                t.fields().any(|f| {
                    f.carried_from
                        .as_ref()
                        .is_some_and(|c| c.template == source)
                })
            })
            .cloned()
            .collect()
    });
    if follow_ups.is_empty() {
        return ().into_any();
    }
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let create = move |template: Template| {
        let (Some(store), Some(session)) = (app.store(), editor.session()) else {
            return;
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = Session::create_follow_up(store, &session, &template).await;
            let _ = busy.try_set(false);
            match result {
                Ok(id) => navigate(&Route::Report(id)),
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <section class="form-section follow-up" aria-labelledby="folgebogen-titel">
            <h2 id="folgebogen-titel">{move || app.texts().follow_up_title}</h2>
            <p class="section-help">
                {move || app.texts().follow_up_intro}
            </p>
            {follow_ups
                .into_iter()
                .map(|template| {
                    let same = template.id == source;
                    let (name, plain_name) = (template.name.clone(), template.plain_name.clone());
                    let label = move || {
                        if same {
                            app.texts().follow_up_same.to_string()
                        } else {
                            fill(app.texts().follow_up_other, app.words(&name, &plain_name))
                        }
                    };
                    view! {
                        <button
                            class="button primary"
                            disabled=move || busy.get()
                            on:click=move |_| create(template.clone())
                        >
                            {label}
                        </button>
                    }
                })
                .collect_view()}
            {move || {
                error
                    .get()
                    .map(|e| {
                        view! {
                            <p class="message error" role="alert">
                                {fill(app.texts().follow_up_failed, &e)}
                            </p>
                        }
                    })
            }}
        </section>
    }
    .into_any()
}
