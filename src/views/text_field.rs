//! short_text (one line) and long_text (a textarea that grows with its text).

use dreieck_model::text_control::ShownText;
use dreieck_model::Field;
use leptos::html::Textarea;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::views::field_label::{described_by, FieldLabel};

/// Element id of a field's control (also what the "Prüfen" panel focuses).
pub fn control_id(field: &str) -> String {
    format!("feld-{field}")
}

#[component]
pub fn TextField(field: Field, editable: Signal<bool>, multiline: bool) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let id = control_id(&field.id);
    let described = described_by(&field, &id);
    let control = Control {
        editor,
        field: StoredValue::new(field.id.clone()),
        shown: StoredValue::new(ShownText::default()),
        composing: StoredValue::new(false),
        role: Signal::derive(move || app.role.get()),
    };

    let element = if multiline {
        let node = NodeRef::<Textarea>::new();
        grow_with_content(node);
        control.follow(node, move || resize(node));
        view! {
            <textarea
                node_ref=node
                id=id.clone()
                class="control"
                rows="3"
                aria-describedby=described
                aria-required=field.required.then_some("true")
                prop:readOnly=move || !editable.get()
                on:input=move |_| {
                    if let Some(el) = node.get_untracked() {
                        control.input(&el);
                    }
                    resize(node);
                }
                on:compositionstart=move |_| control.composing.set_value(true)
                on:compositionend=move |_| {
                    control.composing.set_value(false);
                    if let Some(el) = node.get_untracked() {
                        control.input(&el);
                        control.catch_up(&el);
                    }
                    resize(node);
                }
                on:keydown=move |ev| {
                    if let (Some(redo), Some(el)) = (undo_key(&ev), node.get_untracked()) {
                        ev.prevent_default();
                        control.undo(&el, redo);
                        resize(node);
                    }
                }
                on:beforeinput=move |ev| {
                    if let (Some(redo), Some(el)) = (history_input(&ev), node.get_untracked()) {
                        ev.prevent_default();
                        control.undo(&el, redo);
                        resize(node);
                    }
                }
            ></textarea>
        }
        .into_any()
    } else {
        let node = NodeRef::<leptos::html::Input>::new();
        control.follow(node, || ());
        view! {
            <input
                node_ref=node
                type="text"
                id=id.clone()
                class="control"
                aria-describedby=described
                aria-required=field.required.then_some("true")
                prop:readOnly=move || !editable.get()
                on:input=move |_| {
                    if let Some(el) = node.get_untracked() {
                        control.input(&el);
                    }
                }
                on:compositionstart=move |_| control.composing.set_value(true)
                on:compositionend=move |_| {
                    control.composing.set_value(false);
                    if let Some(el) = node.get_untracked() {
                        control.input(&el);
                        control.catch_up(&el);
                    }
                }
                on:keydown=move |ev| {
                    if let (Some(redo), Some(el)) = (undo_key(&ev), node.get_untracked()) {
                        ev.prevent_default();
                        control.undo(&el, redo);
                    }
                }
                on:beforeinput=move |ev| {
                    if let (Some(redo), Some(el)) = (history_input(&ev), node.get_untracked()) {
                        ev.prevent_default();
                        control.undo(&el, redo);
                    }
                }
            />
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

/// One field's control and what it shows (see `dreieck_model::text_control`).
#[derive(Clone, Copy)]
struct Control {
    editor: crate::state::editor::Editor,
    field: StoredValue<String>,
    shown: StoredValue<ShownText>,
    /// A composition (dead key, on-screen keyboard word, dictation) is under way: the control's
    /// value belongs to the browser until it ends, so edits from elsewhere wait.
    composing: StoredValue<bool>,
    role: Signal<dreieck_model::Role>,
}

impl Control {
    /// Keeps the control showing the report: peers' keystrokes as they come, the field's
    /// changes when they are applied. A keystroke here re-renders nothing.
    fn follow<E>(self, node: NodeRef<E>, after: impl Fn() + Copy + Send + Sync + 'static)
    where
        E: leptos::html::ElementType + 'static,
        E::Output: TextControl + AsRef<web_sys::Element> + Clone + 'static,
        NodeRef<E>: Get<Value = Option<E::Output>>,
    {
        Effect::new(move |first: Option<()>| {
            self.field.with_value(|f| self.editor.track_field(f));
            if let Some(el) = node.get() {
                let changed = if first.is_none() {
                    self.start(&el)
                } else {
                    self.catch_up(&el)
                };
                if changed {
                    after();
                }
            }
        });
        Effect::new(move |_| {
            self.field.with_value(|f| self.editor.track_previews(f));
            if let Some(el) = node.get() {
                if self.show_edits(&el) {
                    after();
                }
            }
        });
    }

    /// The first look: what the report holds, and nothing queued for an earlier view.
    fn start(self, el: &(impl TextControl + AsRef<web_sys::Element>)) -> bool {
        let text = self.report_text();
        self.field.with_value(|f| self.editor.take_previews(f));
        self.shown.set_value(ShownText::new(text.clone()));
        if el.text() == text {
            return false;
        }
        el.set_text(&text);
        true
    }

    fn report_text(self) -> String {
        self.editor
            .read(|r| self.field.with_value(|f| r.text(f).unwrap_or_default()))
            .unwrap_or_default()
    }

    /// Shows the edits from elsewhere that wait, moving the caret by each.
    fn show_edits(self, el: &(impl TextControl + AsRef<web_sys::Element>)) -> bool {
        if self.composing.get_value() {
            return false;
        }
        let edits = self.field.with_value(|f| self.editor.take_previews(f));
        if edits.is_empty() {
            return false;
        }
        let selection = focused_selection(el);
        let selection = self
            .shown
            .try_update_value(|s| s.receive(&edits, selection))
            .flatten();
        self.show(el, selection);
        true
    }

    /// After the field changed in the report: the waiting edits, then whatever they do not
    /// explain (a field written anew, a peer's preview that turned out wrong) by comparison.
    fn catch_up(self, el: &(impl TextControl + AsRef<web_sys::Element>)) -> bool {
        if self.composing.get_value() {
            return false;
        }
        let mut changed = self.show_edits(el);
        let text = self.report_text();
        if self.shown.with_value(|s| s.text() != text) {
            let selection = focused_selection(el);
            let selection = self
                .shown
                .try_update_value(|s| s.replace(&text, selection))
                .flatten();
            self.show(el, selection);
            changed = true;
        }
        changed
    }

    fn show(
        self,
        el: &(impl TextControl + AsRef<web_sys::Element>),
        selection: Option<(u32, u32)>,
    ) {
        self.shown.with_value(|s| {
            if el.text() != s.text() {
                el.set_text(s.text());
            }
        });
        if let Some((start, end)) = selection {
            el.select(start, end);
        }
    }

    /// The person typed: the edit goes to the report as they made it, at the caret.
    fn input(self, el: &(impl TextControl + AsRef<web_sys::Element>)) {
        if self.composing.get_value() {
            return;
        }
        let value = el.text();
        let caret = el.selection().map(|(_, end)| end);
        let pending = self.field.with_value(|f| self.editor.take_previews(f));
        let made = self
            .shown
            .try_update_value(|s| {
                if pending.is_empty() {
                    let len = s.text().chars().count();
                    s.typed(&value, caret).map(|e| (e, len, None))
                } else {
                    let (made, caret) = s.rebase(&value, caret, &pending);
                    made.map(|e| {
                        let len = s.text().chars().count() + e.delete - e.insert.chars().count();
                        (e, len, caret)
                    })
                }
            })
            .flatten();
        if !pending.is_empty() {
            // Typed into a control that was behind: it shows the report with the edit now.
            let caret = made.as_ref().and_then(|(_, _, c)| *c);
            self.show(el, caret.map(|c| (c, c)));
        }
        if let Some((edit, len, _)) = made {
            let role = self.role.get_untracked();
            let text = self.shown.with_value(|s| s.text().to_string());
            self.field
                .with_value(|f| self.editor.type_text(role, f, &edit, len, &text));
        }
    }
}

impl Control {
    /// Takes back (or makes again) this person's last typing here, never a peer's; the caret
    /// goes where the text changed.
    fn undo(self, el: &(impl TextControl + AsRef<web_sys::Element>), redo: bool) {
        if self.composing.get_value() {
            return;
        }
        self.show_edits(el);
        let role = self.role.get_untracked();
        let edits = self.field.with_value(|f| self.editor.undo(role, f, redo));
        let Some(last) = edits.last() else {
            return;
        };
        let caret = self
            .shown
            .try_update_value(|s| {
                s.receive(&edits, None);
                let end = last.pos + last.insert.chars().count();
                dreieck_model::text_control::utf16_at_char(s.text(), end)
            })
            .unwrap_or_default();
        self.show(el, Some((caret, caret)));
    }
}

/// Strg+Z is undo; Strg+Y and Strg+Umschalt+Z are redo (⌘ on a Mac). `Some(redo)`.
fn undo_key(ev: &leptos::ev::KeyboardEvent) -> Option<bool> {
    if !(ev.ctrl_key() || ev.meta_key()) || ev.alt_key() {
        return None;
    }
    match ev.key().to_lowercase().as_str() {
        "z" => Some(ev.shift_key()),
        "y" => Some(true),
        _ => None,
    }
}

/// The browser's own undo and redo (its context menu, a shake on a phone): `Some(redo)`.
fn history_input(ev: &leptos::ev::InputEvent) -> Option<bool> {
    match ev.input_type().as_str() {
        "historyUndo" => Some(false),
        "historyRedo" => Some(true),
        _ => None,
    }
}

fn focused_selection(el: &(impl TextControl + AsRef<web_sys::Element>)) -> Option<(u32, u32)> {
    let focused = document()
        .active_element()
        .is_some_and(|a| &a == el.as_ref());
    el.selection().filter(|_| focused)
}

/// A text control: a textarea or a one-line input.
pub trait TextControl {
    fn text(&self) -> String;
    fn set_text(&self, text: &str);
    fn selection(&self) -> Option<(u32, u32)>;
    fn select(&self, start: u32, end: u32);
}

macro_rules! text_control {
    ($t:ty) => {
        impl TextControl for $t {
            fn text(&self) -> String {
                self.value()
            }
            fn set_text(&self, text: &str) {
                self.set_value(text)
            }
            fn selection(&self) -> Option<(u32, u32)> {
                Some((self.selection_start().ok()??, self.selection_end().ok()??))
            }
            fn select(&self, start: u32, end: u32) {
                let _ = self.set_selection_range(start, end);
            }
        }
    };
}
text_control!(web_sys::HtmlTextAreaElement);
text_control!(web_sys::HtmlInputElement);

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
