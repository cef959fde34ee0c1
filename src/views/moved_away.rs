//! The notice on a device the report has moved away from: after a removal the report lives in
//! a new room that only the remaining members' devices can open. This device keeps what it
//! had, and nothing it writes reaches the others any more.

use leptos::prelude::*;

use crate::state::editor::use_editor;

#[component]
pub fn MovedAway() -> impl IntoView {
    let editor = use_editor();
    let moved = Memo::new(move |_| editor.moved_away());
    move || {
        moved.get().then(|| {
            view! {
                <section class="moved-away message error" role="alert" aria-labelledby="umgezogen-titel">
                    <h2 id="umgezogen-titel">"Dieses Gerät ist nicht mehr dabei"</h2>
                    <p>
                        "Der Bericht ist in einen neuen Bereich umgezogen, weil jemand entfernt wurde. "
                        "Dieses Gerät kann ihn dort nicht öffnen: Sie sehen den Stand von vorher, "
                        "und was Sie hier ändern, erreicht die anderen nicht mehr."
                    </p>
                    <p>"Wenn Sie weiter mitarbeiten sollen, lassen Sie sich bitte neu einladen."</p>
                </section>
            }
        })
    }
}
