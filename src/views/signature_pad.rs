//! Signing on the glass: a drawing area for finger, pen or mouse (pointer events), the
//! signer's name, "Löschen" and "Unterschreiben".
//!
//! The drawing is kept as strokes of points in the unit box (0..1 on both axes), the form the
//! model stores, so a signature drawn on a phone shows the same on a desktop. The drawing area
//! takes no keyboard focus, so it cannot trap anybody: keyboard users type their name and press
//! "Unterschreiben"; the signature then has no drawing, and the line says so.

use dreieck_model::Strokes;
use dreieck_texts::{plain::PLAIN, standard::STANDARD};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::state::app_context::use_app;
use crate::views::words::Words;

/// Width and height of the drawing's coordinate system (3 : 1, like a signature line on paper).
pub const VIEW_W: f64 = 600.0;
pub const VIEW_H: f64 = 200.0;

/// An SVG `points` attribute for one stroke in the unit box.
pub fn polyline_points(stroke: &[(f64, f64)]) -> String {
    stroke
        .iter()
        .map(|(x, y)| format!("{:.1},{:.1}", x * VIEW_W, y * VIEW_H))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A stroke of one point draws nothing as a polyline; a tap shows as a dot.
pub fn stroke_view(stroke: Vec<(f64, f64)>) -> AnyView {
    match stroke.as_slice() {
        [(x, y)] => view! { <circle cx=x * VIEW_W cy=y * VIEW_H r="3" /> }.into_any(),
        _ => view! { <polyline points=polyline_points(&stroke) /> }.into_any(),
    }
}

/// Where a pointer event lies in the unit box of the element it is on.
fn unit_point(ev: &web_sys::PointerEvent) -> Option<(f64, f64)> {
    let el = ev.current_target()?.dyn_into::<web_sys::Element>().ok()?;
    let rect = el.get_bounding_client_rect();
    if rect.width() <= 0.0 || rect.height() <= 0.0 {
        return None;
    }
    let x = (f64::from(ev.client_x()) - rect.left()) / rect.width();
    let y = (f64::from(ev.client_y()) - rect.top()) / rect.height();
    Some((x.clamp(0.0, 1.0), y.clamp(0.0, 1.0)))
}

/// The pad. `on_sign` gets the name and the strokes (empty when nothing was drawn).
#[component]
pub fn SignaturePad(
    /// Element id prefix (the field's control id): the name input is `<base>-name`.
    base: String,
    /// The signer's name (the line's name, or the last signer's, to start with; the chosen
    /// person's when one is chosen above the pad).
    name: RwSignal<String>,
    on_sign: Callback<(String, Strokes)>,
    /// Shown when signing again, to go back without signing.
    on_cancel: Option<Callback<()>>,
    /// While a signature is being made (a person's PIN checked): no second one.
    #[prop(into)]
    busy: Signal<bool>,
    /// Above the name: who signs (`signer_choice`).
    children: Children,
) -> impl IntoView {
    let strokes = RwSignal::new(Vec::<Vec<(f64, f64)>>::new());
    let drawing = RwSignal::new(false);
    let name_id = format!("{base}-name");
    let hint_id = format!("{base}-pad-hint");

    let down = move |ev: web_sys::PointerEvent| {
        // Only the main button of a mouse; touch and pen report button 0 as well.
        if ev.button() != 0 {
            return;
        }
        let Some(p) = unit_point(&ev) else {
            return;
        };
        ev.prevent_default();
        if let Some(el) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            // Keep receiving moves when the finger leaves the area mid-stroke.
            let _ = el.set_pointer_capture(ev.pointer_id());
        }
        drawing.set(true);
        strokes.update(|s| s.push(vec![p]));
    };
    let mv = move |ev: web_sys::PointerEvent| {
        if !drawing.get_untracked() {
            return;
        }
        if let Some(p) = unit_point(&ev) {
            ev.prevent_default();
            strokes.update(|s| {
                if let Some(last) = s.last_mut() {
                    if last.len() < 5_000 {
                        last.push(p);
                    }
                }
            });
        }
    };
    let up = move |_ev: web_sys::PointerEvent| drawing.set(false);
    let clear = move |_| strokes.set(Vec::new());
    let sign = move |_| {
        let drawn = Strokes::from_points(&strokes.get_untracked());
        on_sign.run((name.get_untracked(), drawn));
    };
    let has_name = move || !name.get().trim().is_empty();
    let app = use_app();

    view! {
        <div class="signature-pad">
            {children()}
            <div class="field-part field-part-wide">
                <label for=name_id.clone()>{move || app.words("Name", "Ihr Name")}</label>
                <input
                    type="text"
                    id=name_id
                    class="control"
                    autocomplete="name"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </div>
            <p class="field-help" id=hint_id.clone()>
                <Words
                    standard=STANDARD.sign_hint
                    plain=PLAIN.sign_hint
                    block=hint_id.clone()
                />
            </p>
            <svg
                class="signature-canvas"
                viewBox=format!("0 0 {VIEW_W} {VIEW_H}")
                role="img"
                aria-label=move || app.texts().sign_pad
                aria-describedby=hint_id
                on:pointerdown=down
                on:pointermove=mv
                on:pointerup=up
                on:pointercancel=up
            >
                <line class="signature-baseline" x1="20" y1="160" x2="580" y2="160" />
                {move || strokes.get().into_iter().map(stroke_view).collect_view()}
            </svg>
            <div class="signature-actions">
                <button
                    type="button"
                    class="button"
                    on:click=clear
                    disabled=move || strokes.with(Vec::is_empty)
                >
                    {move || app.texts().sign_clear}
                </button>
                <button
                    type="button"
                    class="button primary"
                    on:click=sign
                    disabled=move || !has_name() || busy.get()
                >
                    {move || if busy.get() { app.texts().sign_checking } else { app.texts().sign_button }}
                </button>
                {on_cancel
                    .map(|cancel| {
                        view! {
                            <button type="button" class="button quiet" on:click=move |_| cancel.run(())>
                                "Abbrechen"
                            </button>
                        }
                    })}
            </div>
        </div>
    }
}
