//! A text control that several people type into at once: a textarea or a one-line input
//! showing a field or a goal's text (see `dreieck_model::text_control` for why keystrokes and
//! carets go by splices, and `dreieck_model::undo` for per-person undo).

use dreieck_model::text_control::{ShownText, TextTarget};
use leptos::html::{Input, Textarea};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::{use_editor, Editor};
use crate::views::text_field::{grow_with_content, resize};

/// A textarea that grows with its text.
#[component]
pub fn TypedTextarea(
    id: String,
    target: TextTarget,
    editable: Signal<bool>,
    rows: u32,
    #[prop(optional, into)] described: MaybeProp<String>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let control = Control::new(target);
    let node = NodeRef::<Textarea>::new();
    grow_with_content(node);
    let grow = move || resize(node);
    control.follow(node, grow);
    view! {
        <textarea
            node_ref=node
            id=id
            class="control"
            rows=rows
            aria-describedby=move || described.get()
            aria-required=required.then_some("true")
            prop:readOnly=move || !editable.get()
            on:input=move |_| control.on_input(node, grow)
            on:compositionstart=move |_| control.composing.set_value(true)
            on:compositionend=move |_| control.on_composition_end(node, grow)
            on:keydown=move |ev| control.on_undo(undo_key(&ev), &ev, node, grow)
            on:beforeinput=move |ev| control.on_undo(history_input(&ev), &ev, node, grow)
        ></textarea>
    }
}

/// A one-line input.
#[component]
pub fn TypedInput(
    id: String,
    target: TextTarget,
    editable: Signal<bool>,
    #[prop(optional, into)] described: MaybeProp<String>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let control = Control::new(target);
    let node = NodeRef::<Input>::new();
    control.follow(node, || ());
    view! {
        <input
            node_ref=node
            type="text"
            id=id
            class="control"
            aria-describedby=move || described.get()
            aria-required=required.then_some("true")
            prop:readOnly=move || !editable.get()
            on:input=move |_| control.on_input(node, || ())
            on:compositionstart=move |_| control.composing.set_value(true)
            on:compositionend=move |_| control.on_composition_end(node, || ())
            on:keydown=move |ev| control.on_undo(undo_key(&ev), &ev, node, || ())
            on:beforeinput=move |ev| control.on_undo(history_input(&ev), &ev, node, || ())
        />
    }
}

/// One text's control and what it shows (see `dreieck_model::text_control`).
#[derive(Clone, Copy)]
struct Control {
    editor: Editor,
    target: StoredValue<TextTarget>,
    /// `target`'s key, for what waits for this view.
    key: StoredValue<String>,
    shown: StoredValue<ShownText>,
    /// A composition (dead key, on-screen keyboard word, dictation) is under way: the control's
    /// value belongs to the browser until it ends, so edits from elsewhere wait.
    composing: StoredValue<bool>,
    role: Signal<dreieck_model::Role>,
}

impl Control {
    fn new(target: TextTarget) -> Self {
        let app = use_app();
        Control {
            editor: use_editor(),
            key: StoredValue::new(target.key()),
            target: StoredValue::new(target),
            shown: StoredValue::new(ShownText::default()),
            composing: StoredValue::new(false),
            role: Signal::derive(move || app.role.get()),
        }
    }

    /// The composition ended: its edit goes in, moved past what arrived meanwhile.
    fn composition_end(self, el: &(impl TextControl + AsRef<web_sys::Element>)) {
        self.composing.set_value(false);
        self.input(el);
        self.catch_up(el);
    }

    /// Keeps the control showing the report: peers' keystrokes as they come, the field's
    /// changes when they are applied. A keystroke here re-renders nothing.
    fn follow<E>(self, node: NodeRef<E>, after: impl Fn() + Copy + Send + Sync + 'static)
    where
        E: leptos::html::ElementType + 'static,
        E::Output: TextControl + AsRef<web_sys::Element> + Clone + 'static,
        NodeRef<E>: Get<Value = Option<E::Output>>,
    {
        Effect::new(move |first: Option<()>| {
            self.target.with_value(|t| self.editor.track_text(t));
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
            self.key.with_value(|k| self.editor.track_previews(k));
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
        self.key.with_value(|k| self.editor.take_previews(k));
        self.shown.set_value(ShownText::new(text.clone()));
        if el.text() == text {
            return false;
        }
        el.set_text(&text);
        true
    }

    fn report_text(self) -> String {
        self.target.with_value(|t| self.editor.read_text(t))
    }

    /// Shows the edits from elsewhere that wait, moving the caret by each.
    fn show_edits(self, el: &(impl TextControl + AsRef<web_sys::Element>)) -> bool {
        if self.composing.get_value() {
            return false;
        }
        let edits = self.key.with_value(|k| self.editor.take_previews(k));
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
        let pending = self.key.with_value(|k| self.editor.take_previews(k));
        let made = self
            .shown
            .try_update_value(|s| {
                if pending.is_empty() {
                    let len = s.chars();
                    s.typed(&value, caret).map(|e| (e, len, None))
                } else {
                    let (made, caret) = s.rebase(&value, caret, &pending);
                    made.map(|e| {
                        let len = s.chars() + e.delete - e.insert.chars().count();
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
            // Nothing was waiting: the control shows what it holds (no copy per keystroke).
            let text = if pending.is_empty() {
                value
            } else {
                self.shown.with_value(|s| s.text().to_string())
            };
            self.target
                .with_value(|t| self.editor.type_text(role, t, &edit, len, &text));
        }
    }
}

/// The control's event handlers, the same for a textarea and an input; `after` runs when
/// the value may have changed (a textarea grows with it).
impl Control {
    fn on_input<E>(self, node: NodeRef<E>, after: impl Fn())
    where
        E: leptos::html::ElementType,
        E::Output: TextControl + AsRef<web_sys::Element>,
        NodeRef<E>: GetUntracked<Value = Option<E::Output>>,
    {
        if let Some(el) = node.get_untracked() {
            self.input(&el);
        }
        after();
    }

    fn on_composition_end<E>(self, node: NodeRef<E>, after: impl Fn())
    where
        E: leptos::html::ElementType,
        E::Output: TextControl + AsRef<web_sys::Element>,
        NodeRef<E>: GetUntracked<Value = Option<E::Output>>,
    {
        if let Some(el) = node.get_untracked() {
            self.composition_end(&el);
        }
        after();
    }

    /// Strg+Z / Strg+Y or the browser's own undo (`redo`: which of them; `None`: another key
    /// or input, left alone).
    fn on_undo<E>(self, redo: Option<bool>, ev: &web_sys::Event, node: NodeRef<E>, after: impl Fn())
    where
        E: leptos::html::ElementType,
        E::Output: TextControl + AsRef<web_sys::Element>,
        NodeRef<E>: GetUntracked<Value = Option<E::Output>>,
    {
        if let (Some(redo), Some(el)) = (redo, node.get_untracked()) {
            ev.prevent_default();
            self.undo(&el, redo);
            after();
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
        let edits = self.target.with_value(|t| self.editor.undo(role, t, redo));
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

pub fn focused_selection(el: &(impl TextControl + AsRef<web_sys::Element>)) -> Option<(u32, u32)> {
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
