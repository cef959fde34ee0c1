//! "Wer ist dabei?": the people at the conversation, a line per role with their name. Stored
//! in the report, so the record shows who took part.

use dreieck_model::Role;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::state::session::CONVERSATION;
use crate::views::role_select::role_name;

#[component]
pub fn ParticipantsPanel() -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let present = Memo::new(move |_| {
        editor.track_field(CONVERSATION);
        editor.read(|r| r.present()).unwrap_or_default()
    });
    let set = move |who: Role, name: Option<String>| {
        let role = app.role.get_untracked();
        editor.change(|r| r.set_present(role, who, name.as_deref()));
    };
    let rows = Role::ALL
        .into_iter()
        .map(|who| {
            let check_id = format!("dabei-{}", who.as_str());
            let check_for = check_id.clone();
            let name_id = format!("dabei-{}-name", who.as_str());
            let name_for = name_id.clone();
            let name_of =
                move || present.with(|p| p.iter().find(|(r, _)| *r == who).map(|(_, n)| n.clone()));
            let is_present = move || name_of().is_some();
            view! {
                <li class="participant">
                    <label class="choice" for=check_for>
                        <input
                            type="checkbox"
                            id=check_id
                            prop:checked=is_present
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                set(who, on.then(String::new));
                            }
                        />
                        <span>{move || role_name(app.texts(), who)}</span>
                    </label>
                    <Show when=is_present>
                        <label class="participant-name" for=name_for.clone()>
                            <span>{move || app.texts().participant_name}</span>
                            <input
                                type="text"
                                id=name_id.clone()
                                class="control"
                                autocomplete="off"
                                maxlength=dreieck_model::MAX_PARTICIPANT_NAME
                                prop:value=move || name_of().unwrap_or_default()
                                on:change=move |ev| set(who, Some(event_target_value(&ev)))
                            />
                        </label>
                    </Show>
                </li>
            }
        })
        .collect_view();
    // Open while nobody is entered; once people are there it folds away to a line naming them,
    // so the step itself comes into view on the tablet.
    let open_at_start = present.with_untracked(Vec::is_empty);
    let names = move || {
        present.with(|p| {
            p.iter()
                .map(|(r, n)| {
                    if n.trim().is_empty() {
                        role_name(app.texts(), *r).to_string()
                    } else {
                        n.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
    };
    view! {
        <details class="participants" open=open_at_start>
            <summary>
                <span class="summary-title">{move || app.texts().participants_title}</span>
                " "
                <span class="summary-names">{names}</span>
            </summary>
            <ul class="participant-list">{rows}</ul>
        </details>
    }
}
