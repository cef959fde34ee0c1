//! "Jetzt im Bericht": who else has the report open, and where each of them is writing.

use leptos::prelude::*;

use crate::state::editor::use_editor;
use crate::sync::link::Link;

#[component]
pub fn PresenceList(link: Link) -> impl IntoView {
    let editor = use_editor();
    let peers = link.peers.clone();
    let field_label = move |id: &str| {
        editor
            .template(|t| t.field(id).map(|f| f.label.clone()))
            .flatten()
    };
    view! {
        <Show when={
            let peers = peers.clone();
            move || peers.with(|b| !b.peers.is_empty())
        }>
            <div class="presence">
                <h2 class="presence-title">"Jetzt auch im Bericht"</h2>
                <ul class="presence-list">
                    {
                        let peers = peers.clone();
                        move || {
                            peers
                                .with(|b| b.peers.clone())
                                .into_iter()
                                .map(|p| {
                                    let place = match p.field.as_deref().and_then(field_label) {
                                        Some(label) => format!("schreibt in „{label}“"),
                                        None => "liest".to_string(),
                                    };
                                    view! {
                                        <li class="presence-peer" data-role=p.role.as_str()>
                                            <strong>{p.role.label()}</strong>
                                            " – "
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
