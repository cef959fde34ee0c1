//! The notice on a device the report has moved away from: after a removal the report lives in
//! a new room that only the remaining members' devices can open. This device keeps what it
//! had, and nothing it writes reaches the others any more.

use dreieck_texts::Texts;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;

/// The heading and the text, a sentence a line.
fn wording(t: &'static Texts) -> (&'static str, &'static str) {
    (t.moved_title, t.moved_text)
}

#[component]
pub fn MovedAway() -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let moved = Memo::new(move |_| editor.moved_away());
    move || {
        moved.get().then(|| {
            let (title, lines) = wording(app.texts());
            view! {
                <section class="moved-away message error" role="alert" aria-labelledby="umgezogen-titel">
                    <h2 id="umgezogen-titel">{title}</h2>
                    {lines.lines().map(|line| view! { <p>{line}</p> }).collect_view()}
                </section>
            }
        })
    }
}
