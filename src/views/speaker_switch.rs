//! "Wer spricht gerade?": on a shared tablet, whoever speaks takes the pen. Choosing a person
//! sets the role this device writes in, so each edit counts as theirs (their own Automerge
//! actor, their name in the history) and own-words fields open only for the person supported.

use dreieck_texts::around;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::state::session::CONVERSATION;
use crate::views::role_select::role_name;

#[component]
pub fn SpeakerSwitch() -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let present = Memo::new(move |_| {
        editor.track_field(CONVERSATION);
        editor.read(|r| r.present()).unwrap_or_default()
    });
    let options = move || {
        present
            .get()
            .into_iter()
            .map(|(role, name)| {
                let id = format!("spricht-{}", role.as_str());
                let label_for = id.clone();
                // The name large, the role small below it; read as one label.
                let role_words = role_name(app.texts(), role);
                let (first, rest) = if name.trim().is_empty() {
                    (role_words.to_string(), None)
                } else {
                    (name, Some(role_words))
                };
                view! {
                    <label class="choice speaker" for=label_for>
                        <input
                            type="radio"
                            id=id
                            name="wer-spricht"
                            prop:checked=move || app.role.get() == role
                            on:change=move |_| app.set_role(role)
                        />
                        <span>{first}<span class="speaker-role">{rest.map(|r| view! { " (" {r} ")" })}</span></span>
                    </label>
                }
            })
            .collect_view()
    };
    let nobody = move || present.with(Vec::is_empty);
    view! {
        <fieldset class="speaker-switch">
            <legend>{move || app.texts().speaker_label}</legend>
            <Show when=nobody>
                <p class="field-help">
                    {move || app.texts().speaker_first_participants}
                </p>
            </Show>
            <div class="speaker-options">{options}</div>
            // The checked name shows who writes; this says it to a screen reader.
            <p class="visually-hidden" aria-live="polite">
                {move || around(app.texts().speaker_now).0}
                <strong>{move || role_name(app.texts(), app.role.get())}</strong>
            </p>
        </fieldset>
    }
}
