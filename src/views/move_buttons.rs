//! "Nach oben" / "Nach unten" for one item of a list that can be reordered by keyboard.
//!
//! The moved item's DOM node moves too, which drops focus in browsers; so focus is put back on
//! the button just pressed, or on the other one when the item reached the end of its list.
//! What happened is announced by the caller's live region.

use dreieck_model::Move;
use dreieck_texts::fill;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::platform::focus_element;

#[component]
pub fn MoveButtons(
    /// Prefix of the two buttons' ids (`<prefix>-hoch`, `<prefix>-runter`).
    id_prefix: String,
    /// What moves, for the buttons' names, e.g. "Feld „Name“".
    #[prop(into)]
    what: Signal<String>,
    #[prop(into)] can_up: Signal<bool>,
    #[prop(into)] can_down: Signal<bool>,
    /// Moves; returns whether the item can move further the same way.
    on_move: Callback<Move, bool>,
) -> impl IntoView {
    let app = use_app();
    let up_id = format!("{id_prefix}-hoch");
    let down_id = format!("{id_prefix}-runter");
    let press = {
        let (up_id, down_id) = (up_id.clone(), down_id.clone());
        move |direction: Move| {
            let further = on_move.run(direction);
            let (same, other) = match direction {
                Move::Up => (up_id.clone(), down_id.clone()),
                Move::Down => (down_id.clone(), up_id.clone()),
            };
            request_animation_frame(move || {
                focus_element(if further { &same } else { &other });
            });
        }
    };
    let press_down = press.clone();
    view! {
        <div class="move-buttons">
            <button
                id=up_id
                type="button"
                class="button"
                disabled=move || !can_up.get()
                aria-label=move || fill(app.texts().move_up_what, &what.get())
                on:click=move |_| press(Move::Up)
            >
                <span aria-hidden="true">"↑ "</span>
                {move || app.texts().move_up}
            </button>
            <button
                id=down_id
                type="button"
                class="button"
                disabled=move || !can_down.get()
                aria-label=move || fill(app.texts().move_down_what, &what.get())
                on:click=move |_| press_down(Move::Down)
            >
                <span aria-hidden="true">"↓ "</span>
                {move || app.texts().move_down}
            </button>
        </div>
    }
}
