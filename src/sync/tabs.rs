//! Other tabs and windows of this browser that show the same report.
//!
//! Each tab holds its own copy of the report in memory and writes its own chunks to storage
//! (`ReportStore` is safe against that). Without a word between them, a tab would show text
//! another tab has long changed and still say "gespeichert". So every tab showing a report
//! joins a `BroadcastChannel` named after it and posts each change it makes, in the format it
//! sends to the relay (`dreieck_model::live`: a keystroke travels with its splice, so the
//! other tab shows it at once and moves its caret by it). This works whether the report is
//! shared or not, and without a network.
//!
//! A tab that opens a report asks the others for what they hold (an empty message); each
//! answers with a full save. That covers the changes a tab typed but had not stored yet when
//! the new tab read storage: without them, its later changes could not be applied (their
//! predecessors would be missing).
//!
//! A tab alone with a report posts nothing: every post crosses to the browser's own process
//! (a fifth of a millisecond per keystroke on the typing device). It starts posting once it
//! has heard from another tab, and then first posts a full save of its own, so the other tab
//! also gets what was typed here while it seemed alone.
//!
//! The channel is same-origin and stays in this browser: it carries what IndexedDB already
//! holds, unencrypted like there. What arrives is still checked like anything from outside
//! (`Session::apply_remote`: the gate for a protected report, the parser's checks).

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{BroadcastChannel, MessageEvent};

/// What another tab posted.
pub enum TabMessage {
    /// A tab opened the report and asks for what the others hold.
    Hello,
    /// Changes, as `dreieck_model::live` payload or a full save. `first`: the first word
    /// from another tab, before which this one posted nothing (see the module docs).
    Payload { bytes: Vec<u8>, first: bool },
}

pub struct TabChannel {
    channel: BroadcastChannel,
    /// Another tab has been heard from: changes are posted.
    others: Rc<Cell<bool>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl TabChannel {
    /// Joins the channel of report `id` and says hello. `None` where the browser has no
    /// `BroadcastChannel` (then tabs only meet through storage, as before).
    pub fn open(id: &str, on_message: impl Fn(TabMessage) + 'static) -> Option<TabChannel> {
        let channel = BroadcastChannel::new(&format!("dreieck-bericht-{id}")).ok()?;
        let others = Rc::new(Cell::new(false));
        let heard = others.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            // Anything but bytes is not ours: ignored.
            let Ok(bytes) = ev.data().dyn_into::<js_sys::Uint8Array>() else {
                return;
            };
            let first = !heard.replace(true);
            if bytes.length() == 0 {
                on_message(TabMessage::Hello);
            } else {
                on_message(TabMessage::Payload {
                    bytes: bytes.to_vec(),
                    first,
                });
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let tabs = TabChannel {
            channel,
            others,
            _on_message: on_message,
        };
        tabs.send(&[]);
        Some(tabs)
    }

    /// Says hello again while no other tab has been heard from: a tab that was frozen in the
    /// background may have missed another's hello, and both would otherwise go on alone.
    pub fn hello_if_alone(&self) {
        if !self.others.get() {
            self.send(&[]);
        }
    }

    /// Posts changes to the other tabs, if another tab has been heard from.
    pub fn post(&self, payload: &[u8]) {
        if self.others.get() {
            self.send(payload);
        }
    }

    fn send(&self, payload: &[u8]) {
        // Fails only once closed; there is nobody to tell then.
        let _ = self
            .channel
            .post_message(&js_sys::Uint8Array::from(payload));
    }
}

impl Drop for TabChannel {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
