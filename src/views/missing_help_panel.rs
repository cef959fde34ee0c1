//! "Fehlender Hilfebaustein": noting in the report a kind of help the person needed that did
//! not exist, so the planning level learns of it (seed 001), and removing a note made by
//! mistake. Every device sees the notes; the case list gathers them across reports.

use dreieck_model::{check_missing_help, HELP_AREAS, MAX_MISSING_HELP_CHARS};
use dreieck_texts::fill;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::state::platform::today;
use crate::state::session::CASE;
use crate::views::case_role_hint::CaseRoleHint;

const AREA_ID: &str = "hilfebaustein-bereich";
const TEXT_ID: &str = "hilfebaustein-text";

#[component]
pub fn MissingHelpPanel() -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let flags = move || {
        editor.track_field(CASE);
        editor.read(|r| r.missing_help()).unwrap_or_default()
    };
    let area = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let add = move |_| {
        let role = app.role.get_untracked();
        let Some(day) = today() else {
            error.set(Some(app.texts_now().device_date_unknown.to_string()));
            return;
        };
        let chosen = area.get_untracked();
        if chosen.is_empty() {
            error.set(Some(app.texts_now().gap_no_area.to_string()));
            return;
        }
        let description = text.get_untracked();
        // Checked before the edit, so that a refused text stays in the box to be mended.
        if let Err(e) = check_missing_help(role, &chosen, &description) {
            error.set(Some(e.to_string()));
            return;
        }
        error.set(None);
        editor.change(move |r| {
            r.add_missing_help(role, &chosen, &description, day)
                .map(|_| ())
        });
        text.set(String::new());
        area.set(String::new());
    };
    view! {
        <section class="form-section missing-help" aria-labelledby="hilfebaustein-titel">
            <h2 id="hilfebaustein-titel">{move || app.texts().gap_title}</h2>
            <p class="section-help">
                {move || app.texts().gap_intro}
            </p>
            {move || {
                let list = flags();
                let t = app.texts();
                let plain = app.plain.get();
                if list.is_empty() {
                    return view! { <p class="message empty">{t.gap_none}</p> }
                        .into_any();
                }
                view! {
                    <ul class="missing-help-list" aria-label=t.gap_list>
                        {list
                            .into_iter()
                            .map(|flag| {
                                let id = flag.id.clone();
                                let area = if plain { flag.area_plain_label() } else { flag.area_label() };
                                let remove_label = fill(t.gap_remove, &area);
                                let who = if plain { flag.role.plain_label() } else { flag.role.label() };
                                let meta = format!(
                                    "{}{}",
                                    fill(t.gap_by, who),
                                    flag.date.map(|d| fill(t.gap_on, &d.german())).unwrap_or_default(),
                                );
                                view! {
                                    <li class="missing-help-item">
                                        <div>
                                            <strong class="missing-help-area">{area.clone()}</strong>
                                            <p class="missing-help-text">{flag.text.clone()}</p>
                                            <p class="case-meta">{meta}</p>
                                        </div>
                                        <button
                                            class="button quiet danger-text"
                                            aria-label=remove_label
                                            disabled=move || !app.role.get().keeps_the_case()
                                            on:click=move |_| {
                                                let role = app.role.get_untracked();
                                                let id = id.clone();
                                                editor.change(move |r| r.remove_missing_help(role, &id));
                                            }
                                        >
                                            {t.remove}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            <div class="missing-help-form">
                <div class="field-control">
                    <label for=AREA_ID>{move || app.texts().gap_area}</label>
                    <select
                        id=AREA_ID
                        prop:value=move || area.get()
                        on:change=move |ev| area.set(event_target_value(&ev))
                    >
                        <option value="">{move || app.texts().choose_one}</option>
                        {HELP_AREAS
                            .into_iter()
                            .map(|a| {
                                view! { <option value=a.code>{move || app.words(a.label, a.plain_label).to_string()}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field-control">
                    <label for=TEXT_ID>{move || app.texts().gap_text}</label>
                    <textarea
                        class="control"
                        id=TEXT_ID
                        rows="3"
                        maxlength=MAX_MISSING_HELP_CHARS.to_string()
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))
                    ></textarea>
                </div>
                <button
                    class="button primary"
                    id="hilfebaustein-eintragen"
                    disabled=move || !app.role.get().keeps_the_case()
                    on:click=add
                >
                    {move || app.texts().gap_add}
                </button>
                <CaseRoleHint text=|t| t.gap_who />
                {move || error.get().map(|e| view! { <p class="message error" role="alert">{e}</p> })}
            </div>
        </section>
    }
}
