//! The editor bar sticks to the top of the page, and grows when it has more to say (shared,
//! offline, changes waiting). A control that gets focus must never end up under it, going
//! forward or backward (Shift+Tab scrolls a control just into view: to the top edge). The
//! browser's own focus scrolling keeps clear of the bar when the page's `scroll-padding-top`
//! is the bar's height (style/main.css), so the bar's height is kept in `--editor-bar-height`
//! on the root element. This works with smooth scrolling too, which a script scrolling after
//! the browser would fight.

use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

const PROPERTY: &str = "--editor-bar-height";

/// Follows the height of the bar `bar` while it is shown.
pub fn keep_focus_clear_of(bar: NodeRef<Div>) {
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
