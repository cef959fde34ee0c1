//! "Abgelehnte Änderungen": changes from another device that this device did not take in
//! (not signed, not a member, or outside the author's role), named with who and why.

use leptos::prelude::*;

use crate::state::editor::use_editor;

#[component]
pub fn RefusedChanges() -> impl IntoView {
    let editor = use_editor();
    let refused = Memo::new(move |_| editor.refused());
    move || {
        let list = refused.get();
        (!list.is_empty()).then(|| {
            view! {
                <section class="refused-changes message error" role="alert" aria-labelledby="abgelehnt-titel">
                    <h2 id="abgelehnt-titel">"Abgelehnte Änderungen"</h2>
                    <p>
                        "Diese Änderungen kamen von einem anderen Gerät und wurden nicht übernommen. "
                        "Alles andere wird weiter abgeglichen."
                    </p>
                    <ul>{list.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                </section>
            }
        })
    }
}
