//! The editor bar sticks to the top of the page, and grows when it has more to say (shared,
//! offline, changes waiting). A control that gets focus must never end up under it, going
//! forward or backward (Shift+Tab scrolls a control just into view: to the top edge). The
//! browser's own focus scrolling keeps clear of the bar when the page's `scroll-padding-top`
//! is the bar's height (style/main.css), so the bar's height is kept in `--editor-bar-height`
//! on the root element. This works with smooth scrolling too, which a script scrolling after
//! the browser would fight.
//!
//! One case the browser misses: a control in a form section it has not laid out yet
//! (`content-visibility: auto`) is scrolled to by the section's estimated size, and when the
//! section is laid out the control can end up below the window, with nothing scrolling after
//! it. So when focus arrives and the page has not moved two frames later, a control still
//! out of sight is brought into view — only then, so a scroll the browser started is never
//! fought.

use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

const PROPERTY: &str = "--editor-bar-height";

/// Follows the height of the bar `bar` while it is shown.
pub fn keep_focus_clear_of(bar: NodeRef<Div>) {
    bring_missed_focus_into_view();
    let observer = StoredValue::new_local(None::<(web_sys::ResizeObserver, Closure<dyn FnMut()>)>);
    Effect::new(move |_| {
        let Some(el) = bar.get() else { return };
        let measured: web_sys::HtmlElement = el.clone().into();
        let on_resize = Closure::<dyn FnMut()>::new(move || set_height(&measured));
        let Ok(watch) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) else {
            return;
        };
        watch.observe(&el);
        observer.set_value(Some((watch, on_resize)));
    });
    on_cleanup(move || {
        if let Some(Some((watch, _))) = observer.try_update_value(Option::take) {
            watch.disconnect();
        }
        if let Some(root) = document().document_element() {
            if let Ok(root) = root.dyn_into::<web_sys::HtmlElement>() {
                let _ = root.style().remove_property(PROPERTY);
            }
        }
    });
}

fn set_height(bar: &web_sys::HtmlElement) {
    let Some(root) = document()
        .document_element()
        .and_then(|r| r.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    // Where the bar ends when stuck: its height, plus any offset it sticks at.
    let rect = bar.get_bounding_client_rect();
    let bottom = rect.height() + rect.top().clamp(0.0, 32.0);
    let _ = root.style().set_property(PROPERTY, &format!("{bottom}px"));
}

/// See the module documentation: focus the browser left out of sight.
fn bring_missed_focus_into_view() {
    let on_focus = Closure::<dyn FnMut(web_sys::FocusEvent)>::new(|ev: web_sys::FocusEvent| {
        let Some(el) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            return;
        };
        let scrolled = window().scroll_y().unwrap_or(0.0);
        request_animation_frame(move || {
            request_animation_frame(move || {
                let moved = window().scroll_y().unwrap_or(0.0) != scrolled;
                let focused = document()
                    .active_element()
                    .is_some_and(|a| a == *el.as_ref());
                if moved || !focused {
                    return;
                }
                let height = window()
                    .inner_height()
                    .ok()
                    .and_then(|h| h.as_f64())
                    .unwrap_or(0.0);
                let rect = el.get_bounding_client_rect();
                if rect.bottom() < 0.0 || rect.top() > height {
                    let options = web_sys::ScrollIntoViewOptions::new();
                    options.set_block(web_sys::ScrollLogicalPosition::Nearest);
                    el.scroll_into_view_with_scroll_into_view_options(&options);
                }
            });
        });
    });
    let listener = on_focus
        .as_ref()
        .unchecked_ref::<js_sys::Function>()
        .clone();
    let _ = document().add_event_listener_with_callback("focusin", &listener);
    let kept = StoredValue::new_local(Some(on_focus));
    on_cleanup(move || {
        let _ = document().remove_event_listener_with_callback("focusin", &listener);
        kept.set_value(None);
    });
}
