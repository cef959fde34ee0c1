//! "Abgelehnte Änderungen": changes from another device that this device did not take in
//! (not signed, not a member, or outside the author's role), named with who and why.

use dreieck_texts::Texts;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;

/// The heading and the explanation above the list, a sentence a line.
fn wording(t: &'static Texts) -> (&'static str, &'static str) {
    (t.refused_title, t.refused_text)
}

#[component]
pub fn RefusedChanges() -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let refused = Memo::new(move |_| editor.refused());
    move || {
        let list = refused.get();
        (!list.is_empty()).then(|| {
            let plain = app.plain.get();
            let (title, lines) = wording(app.texts());
            let items = list
                .into_iter()
                .map(|r| {
                    if plain {
                        let [who, why] = r.plain_lines();
                        view! { <li>{who}<br />{why}</li> }.into_any()
                    } else {
                        view! { <li>{r.message()}</li> }.into_any()
                    }
                })
                .collect_view();
            view! {
                <section class="refused-changes message error" role="alert" aria-labelledby="abgelehnt-titel">
                    <h2 id="abgelehnt-titel">{title}</h2>
                    {lines.lines().map(|line| view! { <p>{line}</p> }).collect_view()}
                    <ul>{items}</ul>
                </section>
            }
        })
    }
}
