//! The conversation's agenda: every step as a list (the current one marked), and "Zurück" /
//! "Weiter". Moving writes the step into the report, so every device follows.
//!
//! A move made here brings the new step's heading into view, below the sticky bar: from the
//! buttons under a long step, the next step would otherwise begin far above the window. Focus
//! goes to the heading too when the move came from below, so the next Tab reaches the step's
//! first control; from the top the focus stays on the button, to press "Weiter" again, and
//! the page moves no further than the heading needs, so that button stays in sight. A move
//! made on another device scrolls nothing here: the page does not jump under someone's hand.

use dreieck_model::AgendaStep;
use dreieck_texts::fill_with;
use leptos::prelude::*;

use crate::state::app_context::use_app;

/// The id of the step's heading.
pub const STEP_HEADING: &str = "gespraech-schritt";

#[component]
pub fn AgendaNav(
    /// The agenda and the index of the current step.
    state: Memo<(Vec<AgendaStep>, usize)>,
    go_to: Callback<String>,
    /// The second navigation below the step: buttons only.
    #[prop(optional)]
    bottom: bool,
) -> impl IntoView {
    let app = use_app();
    let key_at = move |delta: isize| {
        state.with(|(agenda, i)| {
            i.checked_add_signed(delta)
                .and_then(|j| agenda.get(j))
                .map(|s| s.key.clone())
        })
    };
    let title = move |s: &AgendaStep| app.words(&s.title, &s.plain_title).to_string();
    let position = move || {
        state.with(|(agenda, i)| {
            agenda.get(*i).map(|s| {
                fill_with(
                    app.texts().agenda_position,
                    &[
                        ("number", &(i + 1).to_string()),
                        ("count", &agenda.len().to_string()),
                        ("title", &title(s)),
                    ],
                )
            })
        })
    };
    // The steps scroll sideways in one row; the current one is kept in the middle of it.
    let steps = NodeRef::<leptos::html::Ol>::new();
    Effect::new(move |_| {
        state.track();
        let Some(list) = steps.get() else { return };
        request_animation_frame(move || center_current(&list));
    });
    let list = (!bottom).then(|| {
        view! {
            <ol class="agenda-list" node_ref=steps>
                {move || {
                    state.with(|(agenda, current)| {
                        agenda
                            .iter()
                            .enumerate()
                            .map(|(i, s)| {
                                let key = s.key.clone();
                                let here = i == *current;
                                view! {
                                    <li>
                                        <button
                                            type="button"
                                            class="button agenda-step"
                                            aria-current=here.then_some("step")
                                            on:click=move |_| {
                                                go_to.run(key.clone());
                                                show_step_heading(false);
                                            }
                                        >
                                            {title(s)}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    })
                }}
            </ol>
        }
    });
    let heading = (!bottom).then(|| {
        view! { <h2 class="step-title" id=STEP_HEADING tabindex="-1">{position}</h2> }
    });
    view! {
        <nav class="agenda" class:agenda-top=!bottom aria-label=move || if bottom { app.texts().agenda_label_bottom } else { app.texts().agenda_label }>
            <div class="agenda-buttons">
                <button
                    type="button"
                    class="button"
                    disabled=move || key_at(-1).is_none()
                    on:click=move |_| {
                        if let Some(k) = key_at(-1) {
                            go_to.run(k);
                            show_step_heading(bottom);
                        }
                    }
                >
                    {move || app.texts().back}
                </button>
                {list}
                <button
                    type="button"
                    class="button primary"
                    disabled=move || key_at(1).is_none()
                    on:click=move |_| {
                        if let Some(k) = key_at(1) {
                            go_to.run(k);
                            show_step_heading(bottom);
                        }
                    }
                >
                    {move || app.texts().next}
                </button>
            </div>
        </nav>
        {heading}
    }
}

/// After the new step is drawn: its heading into view (the page's scroll padding keeps it
/// below the sticky bar), to the top of the window and focused when `focus`.
pub fn show_step_heading(focus: bool) {
    use wasm_bindgen::JsCast;

    request_animation_frame(move || {
        let Some(heading) = document()
            .get_element_by_id(STEP_HEADING)
            .and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            return;
        };
        // With the focus the heading goes to the top; without, the focused button above it
        // must stay in sight, so the page moves only as far as the heading needs.
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(if focus {
            web_sys::ScrollLogicalPosition::Start
        } else {
            web_sys::ScrollLogicalPosition::Nearest
        });
        heading.scroll_into_view_with_scroll_into_view_options(&options);
        if focus {
            let no_scroll = web_sys::FocusOptions::new();
            no_scroll.set_prevent_scroll(true);
            let _ = heading.focus_with_options(&no_scroll);
        }
    });
}

/// Scrolls the row of steps sideways so the current step is in its middle (the page itself
/// does not move).
fn center_current(list: &web_sys::HtmlOListElement) {
    use wasm_bindgen::JsCast;

    let Some(current) = list
        .query_selector("[aria-current=step]")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let middle = current.offset_left() + current.offset_width() / 2 - list.client_width() / 2;
    list.set_scroll_left(middle.max(0));
}
