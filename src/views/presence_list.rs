//! "Jetzt im Bericht": who else has the report open, and where each of them is writing.

use dreieck_texts::fill;
use leptos::prelude::*;

use crate::views::role_select::role_name;

use crate::state::editor::use_editor;
use crate::sync::link::Link;

#[component]
pub fn PresenceList(link: Link) -> impl IntoView {
    let editor = use_editor();
    let app = crate::state::app_context::use_app();
    let peers = link.peers.clone();
    let field_label = move |id: &str| {
        let plain = app.plain.get();
        editor
            .template(|t| {
                t.field(id).map(|f| {
                    if plain {
                        f.plain_label.clone()
                    } else {
                        f.label.clone()
                    }
                })
            })
            .flatten()
    };
    view! {
        <Show when={
            let peers = peers.clone();
            move || peers.with(|b| !b.peers.is_empty())
        }>
            <div class="presence">
                <h2 class="presence-title">{move || app.texts().presence_title}</h2>
                <ul class="presence-list">
                    {
                        let peers = peers.clone();
                        move || {
                            peers
                                .with(|b| b.peers.clone())
                                .into_iter()
                                .map(|p| {
                                    let t = app.texts();
                                    let place = match p.field.as_deref().and_then(field_label) {
                                        Some(label) => fill(t.presence_writing, &label),
                                        None => t.presence_reading.to_string(),
                                    };
                                    view! {
                                        <li class="presence-peer" data-role=p.role.as_str()>
                                            <strong>{role_name(t, p.role)}</strong>
                                            <span aria-hidden="true">" – "</span>
                                            {place}
                                        </li>
                                    }
                                })
                                .collect_view()
                        }
                    }
                </ul>
            </div>
        </Show>
    }
}
