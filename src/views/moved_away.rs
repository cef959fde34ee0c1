//! The notice on a device the report has moved away from: after a removal the report lives in
//! a new room that only the remaining members' devices can open. This device keeps what it
//! had, and nothing it writes reaches the others any more.

use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;

/// The heading and the text, a sentence a line.
fn wording(plain: bool) -> (&'static str, &'static [&'static str]) {
    if plain {
        (
            "Dieses Gerät ist nicht mehr dabei",
            &[
                "Jemand wurde aus dem Bericht entfernt.",
                "Darum ist der Bericht jetzt an einem neuen Ort.",
                "Dieses Gerät kann den Bericht dort nicht öffnen.",
                "Sie sehen hier den alten Stand.",
                "Was Sie hier schreiben, sehen die anderen nicht.",
                "Sollen Sie weiter mitmachen? Dann bitten Sie um einen neuen Link.",
            ],
        )
    } else {
        (
            "Dieses Gerät ist nicht mehr dabei",
            &[
                "Der Bericht ist in einen neuen Bereich umgezogen, weil jemand entfernt wurde. \
                 Dieses Gerät kann ihn dort nicht öffnen: Sie sehen den Stand von vorher, und \
                 was Sie hier ändern, erreicht die anderen nicht mehr.",
                "Wenn Sie weiter mitarbeiten sollen, lassen Sie sich bitte neu einladen.",
            ],
        )
    }
}

#[component]
pub fn MovedAway() -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let moved = Memo::new(move |_| editor.moved_away());
    move || {
        moved.get().then(|| {
            let (title, lines) = wording(app.plain.get());
            view! {
                <section class="moved-away message error" role="alert" aria-labelledby="umgezogen-titel">
                    <h2 id="umgezogen-titel">{title}</h2>
                    {lines.iter().map(|line| view! { <p>{*line}</p> }).collect_view()}
                </section>
            }
        })
    }
}
