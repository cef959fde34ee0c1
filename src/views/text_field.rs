//! short_text (one line) and long_text (a textarea that grows with its text).

use dreieck_model::text_control::{ShownText, TextTarget};
use dreieck_model::Field;
use leptos::html::Textarea;
use leptos::prelude::*;

use crate::views::field_label::{described_by, FieldLabel};
use crate::views::typed_text::{focused_selection, TextControl, TypedInput, TypedTextarea};

/// Element id of a field's control (also what the "Prüfen" panel focuses).
pub fn control_id(field: &str) -> String {
    format!("feld-{field}")
}

#[component]
pub fn TextField(field: Field, editable: Signal<bool>, multiline: bool) -> impl IntoView {
    let id = control_id(&field.id);
    let described = described_by(&field, &id);
    let target = TextTarget::Field(field.id.clone());
    let required = field.required;
    let element = if multiline {
        view! {
            <TypedTextarea id=id.clone() target=target editable=editable rows=3 described=described required=required />
        }
        .into_any()
    } else {
        view! {
            <TypedInput id=id.clone() target=target editable=editable described=described required=required />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <FieldLabel for_id=id field=field.clone() editable=editable />
            {element}
        </div>
    }
}

/// Shows `text` in a control no edits are known for (own words put in by dictation, a
/// remark); returns whether it changed. A focused control keeps its selection where it was
/// relative to the unchanged text around it.
pub fn show_text(el: &(impl TextControl + AsRef<web_sys::Element>), text: &str) -> bool {
    let old = el.text();
    if old == text {
        return false;
    }
    let selection = focused_selection(el);
    let selection = ShownText::new(old).replace(text, selection);
    el.set_text(text);
    if let Some((start, end)) = selection {
        el.select(start, end);
    }
    true
}

/// Sizes a textarea to its content after it is rendered (CSS `field-sizing` does this on its
/// own where supported; elsewhere this keeps long texts readable without an inner scrollbar).
pub fn grow_with_content(node: NodeRef<Textarea>) {
    Effect::new(move |_| {
        if node.get().is_some() {
            request_animation_frame(move || resize(node));
        }
    });
}

/// Sets the height from `scrollHeight` unless the browser sizes the field by CSS.
pub fn resize(node: NodeRef<Textarea>) {
    if sized_by_css() {
        return;
    }
    if let Some(el) = node.get_untracked() {
        let style = web_sys::HtmlElement::style(&el);
        let _ = style.set_property("height", "auto");
        let _ = style.set_property("height", &format!("{}px", el.scroll_height() + 2));
    }
}

fn sized_by_css() -> bool {
    thread_local! {
        static SUPPORTED: bool = web_sys::window()
            .and_then(|w| js_sys::Reflect::get(&w, &"CSS".into()).ok())
            .and_then(|css| {
                let supports = js_sys::Reflect::get(&css, &"supports".into()).ok()?;
                let f: &js_sys::Function = wasm_bindgen::JsCast::dyn_ref(&supports)?;
                f.call2(&css, &"field-sizing".into(), &"content".into()).ok()
            })
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
    }
    SUPPORTED.with(|s| *s)
}
