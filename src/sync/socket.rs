//! A binary WebSocket to the relay, as three events: open, a frame, closed.
//!
//! The handlers call back into the link synchronously (no queue, no timer: a keystroke's
//! frame goes out and a peer's frame is applied in the same task the browser delivers it).
//! A socket is never dropped from inside its own handler — the link replaces it from a timer —
//! because freeing a closure while it runs is an error in wasm-bindgen.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, MessageEvent, WebSocket};

pub enum SocketEvent {
    Open,
    Frame(Vec<u8>),
    Closed,
}

pub struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut()>,
}

impl Socket {
    /// Opens `url`. Errors (a malformed URL, a page not allowed to connect) come back in German.
    pub fn open(url: &str, on_event: impl Fn(SocketEvent) + 'static) -> Result<Socket, String> {
        let ws = WebSocket::new(url).map_err(|_| "Verbindung zum Server nicht möglich.")?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let on_event = std::rc::Rc::new(on_event);
        let on_open = {
            let f = on_event.clone();
            Closure::<dyn FnMut()>::new(move || f(SocketEvent::Open))
        };
        let on_message = {
            let f = on_event.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
                // Only binary frames are protocol messages; anything else is ignored.
                if let Ok(buf) = ev.data().dyn_into::<js_sys::ArrayBuffer>() {
                    f(SocketEvent::Frame(js_sys::Uint8Array::new(&buf).to_vec()));
                }
            })
        };
        let on_close = {
            let f = on_event;
            Closure::<dyn FnMut()>::new(move || f(SocketEvent::Closed))
        };
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // An error is always followed by a close event; only the close is acted on.
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Socket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// Sends one frame; `false` when the socket is not open (the client resends after the
    /// next admission, so nothing is lost).
    pub fn send(&self, frame: &[u8]) -> bool {
        self.ws.ready_state() == WebSocket::OPEN && self.ws.send_with_u8_array(frame).is_ok()
    }

    /// Starts closing; the close event follows.
    pub fn close(&self) {
        let _ = self.ws.close();
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

/// The relay's sync endpoint on the origin the app was loaded from.
pub fn relay_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/sync", location.host().ok()?))
}
