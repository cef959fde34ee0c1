//! A WebRTC data channel to one other device, as events: described, open, a message, closed.
//!
//! No STUN or TURN server is configured: the devices are in one room (the same network, or
//! one's hotspot), so their own addresses are enough, and no third party learns that they
//! talk. The whole session description is gathered before it is handed out (no trickled
//! candidates): it travels as one signal through the relay, or as one QR code.
//!
//! As with the WebSocket, handlers call back synchronously and a connection is never dropped
//! from inside its own handler (the owner replaces it from a timer or another event).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    MessageEvent, RtcConfiguration, RtcDataChannel, RtcDataChannelEvent, RtcDataChannelInit,
    RtcDataChannelState, RtcDataChannelType, RtcIceGatheringState, RtcPeerConnection,
    RtcPeerConnectionState, RtcSdpType, RtcSessionDescriptionInit,
};

pub enum PeerEvent {
    /// This side's session description, complete: to be sent to the other device.
    Described(String),
    Open,
    Message(Vec<u8>),
    /// The channel closed or the connection was lost (also when it never opened).
    Closed,
}

type OnEvent = Rc<dyn Fn(PeerEvent)>;

struct Handlers {
    _gathering: Closure<dyn FnMut()>,
    _state: Closure<dyn FnMut()>,
    _datachannel: Closure<dyn FnMut(RtcDataChannelEvent)>,
    channel: Option<ChannelHandlers>,
}

struct ChannelHandlers {
    _open: Closure<dyn FnMut()>,
    _message: Closure<dyn FnMut(MessageEvent)>,
    _close: Closure<dyn FnMut()>,
}

struct Inner {
    pc: RtcPeerConnection,
    channel: RefCell<Option<RtcDataChannel>>,
    handlers: RefCell<Option<Handlers>>,
    on_event: OnEvent,
    offering: bool,
}

/// A cheap handle; the connection closes when the last one is dropped (never from inside one
/// of its own handlers).
#[derive(Clone)]
pub struct PeerConnection(Rc<Inner>);

/// Whether the browser offers WebRTC data channels at all.
pub fn available() -> bool {
    web_sys::window().is_some_and(|w| {
        js_sys::Reflect::has(&w, &JsValue::from_str("RTCPeerConnection")).unwrap_or(false)
    })
}

impl PeerConnection {
    /// The side that offers: makes the channel and its description.
    pub fn offer(on_event: impl Fn(PeerEvent) + 'static) -> Result<PeerConnection, String> {
        let peer = PeerConnection::new(Rc::new(on_event), true)?;
        let init = RtcDataChannelInit::new();
        init.set_ordered(true);
        let channel = peer
            .0
            .pc
            .create_data_channel_with_data_channel_dict("dreieck", &init);
        peer.take_channel(channel);
        let (pc, on_event) = (peer.0.pc.clone(), peer.0.on_event.clone());
        spawn_local(async move {
            let described = async {
                let offer = JsFuture::from(pc.create_offer()).await?;
                set_local(&pc, RtcSdpType::Offer, &offer).await
            };
            if described.await.is_err() {
                on_event(PeerEvent::Closed);
            }
        });
        Ok(peer)
    }

    /// The side that answers an offer's description `sdp`.
    pub fn answer(
        sdp: &str,
        on_event: impl Fn(PeerEvent) + 'static,
    ) -> Result<PeerConnection, String> {
        let peer = PeerConnection::new(Rc::new(on_event), false)?;
        let (pc, on_event) = (peer.0.pc.clone(), peer.0.on_event.clone());
        let remote = RtcSessionDescriptionInit::new(RtcSdpType::Offer);
        remote.set_sdp(sdp);
        spawn_local(async move {
            let described = async {
                JsFuture::from(pc.set_remote_description(&remote)).await?;
                let answer = JsFuture::from(pc.create_answer()).await?;
                set_local(&pc, RtcSdpType::Answer, &answer).await
            };
            if described.await.is_err() {
                on_event(PeerEvent::Closed);
            }
        });
        Ok(peer)
    }

    /// The offering side takes the answer's description.
    pub fn accept(&self, sdp: &str) {
        let (pc, on_event) = (self.0.pc.clone(), self.0.on_event.clone());
        let remote = RtcSessionDescriptionInit::new(RtcSdpType::Answer);
        remote.set_sdp(sdp);
        spawn_local(async move {
            if JsFuture::from(pc.set_remote_description(&remote))
                .await
                .is_err()
            {
                on_event(PeerEvent::Closed);
            }
        });
    }

    /// Sends one message; `false` when the channel is not open.
    pub fn send(&self, bytes: &[u8]) -> bool {
        self.0.channel.borrow().as_ref().is_some_and(|c| {
            c.ready_state() == RtcDataChannelState::Open && c.send_with_u8_array(bytes).is_ok()
        })
    }

    /// Whether this side made the offer.
    pub fn offering(&self) -> bool {
        self.0.offering
    }

    fn new(on_event: OnEvent, offering: bool) -> Result<PeerConnection, String> {
        let config = RtcConfiguration::new();
        config.set_ice_servers(&js_sys::Array::new());
        let pc = RtcPeerConnection::new_with_configuration(&config)
            .map_err(|_| "Eine direkte Verbindung ist in diesem Browser nicht möglich.")?;
        let peer = PeerConnection(Rc::new(Inner {
            pc: pc.clone(),
            channel: RefCell::new(None),
            handlers: RefCell::new(None),
            on_event: on_event.clone(),
            offering,
        }));
        let gathering = {
            let (pc, f) = (pc.clone(), on_event.clone());
            Closure::<dyn FnMut()>::new(move || {
                if pc.ice_gathering_state() == RtcIceGatheringState::Complete {
                    if let Some(desc) = pc.local_description() {
                        f(PeerEvent::Described(desc.sdp()));
                    }
                }
            })
        };
        let state = {
            let (pc, f) = (pc.clone(), on_event);
            Closure::<dyn FnMut()>::new(move || {
                // "disconnected": the other device stopped answering (gone, or off the
                // network) for some seconds. The channel is given up then rather than after
                // the half minute until "failed": the indicator must not say "direkt
                // verbunden" for a device that is gone, and a new channel is found as soon
                // as both hear each other again.
                if matches!(
                    pc.connection_state(),
                    RtcPeerConnectionState::Disconnected
                        | RtcPeerConnectionState::Failed
                        | RtcPeerConnectionState::Closed
                ) {
                    f(PeerEvent::Closed);
                }
            })
        };
        let datachannel = {
            let weak = Rc::downgrade(&peer.0);
            Closure::<dyn FnMut(RtcDataChannelEvent)>::new(move |ev: RtcDataChannelEvent| {
                if let Some(inner) = weak.upgrade() {
                    PeerConnection(inner).take_channel(ev.channel());
                }
            })
        };
        pc.set_onicegatheringstatechange(Some(gathering.as_ref().unchecked_ref()));
        pc.set_onconnectionstatechange(Some(state.as_ref().unchecked_ref()));
        pc.set_ondatachannel(Some(datachannel.as_ref().unchecked_ref()));
        *peer.0.handlers.borrow_mut() = Some(Handlers {
            _gathering: gathering,
            _state: state,
            _datachannel: datachannel,
            channel: None,
        });
        Ok(peer)
    }

    fn take_channel(&self, channel: RtcDataChannel) {
        let f = self.0.on_event.clone();
        channel.set_binary_type(RtcDataChannelType::Arraybuffer);
        let open = {
            let f = f.clone();
            Closure::<dyn FnMut()>::new(move || f(PeerEvent::Open))
        };
        let message = {
            let f = f.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
                // Only binary messages belong to the protocol.
                if let Ok(buf) = ev.data().dyn_into::<js_sys::ArrayBuffer>() {
                    f(PeerEvent::Message(js_sys::Uint8Array::new(&buf).to_vec()));
                }
            })
        };
        let close = Closure::<dyn FnMut()>::new(move || f(PeerEvent::Closed));
        channel.set_onopen(Some(open.as_ref().unchecked_ref()));
        channel.set_onmessage(Some(message.as_ref().unchecked_ref()));
        channel.set_onclose(Some(close.as_ref().unchecked_ref()));
        if let Some(h) = self.0.handlers.borrow_mut().as_mut() {
            h.channel = Some(ChannelHandlers {
                _open: open,
                _message: message,
                _close: close,
            });
        }
        *self.0.channel.borrow_mut() = Some(channel);
    }
}

/// Sets `description` (what `createOffer`/`createAnswer` resolved to) as the local one.
async fn set_local(
    pc: &RtcPeerConnection,
    kind: RtcSdpType,
    description: &JsValue,
) -> Result<(), JsValue> {
    let sdp = js_sys::Reflect::get(description, &JsValue::from_str("sdp"))?
        .as_string()
        .unwrap_or_default();
    let desc = RtcSessionDescriptionInit::new(kind);
    desc.set_sdp(&sdp);
    JsFuture::from(pc.set_local_description(&desc)).await?;
    Ok(())
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(c) = self.channel.borrow_mut().take() {
            c.set_onopen(None);
            c.set_onmessage(None);
            c.set_onclose(None);
            c.close();
        }
        self.pc.set_onicegatheringstatechange(None);
        self.pc.set_onconnectionstatechange(None);
        self.pc.set_ondatachannel(None);
        self.pc.close();
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use dreieck_sync::sdp::Compact;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::{PeerConnection, PeerEvent};
    use crate::state::test_support::until;

    #[derive(Default)]
    struct Seen {
        described: Option<String>,
        open: bool,
        messages: Vec<Vec<u8>>,
    }

    fn recorder() -> (Rc<RefCell<Seen>>, impl Fn(PeerEvent) + 'static) {
        let seen = Rc::new(RefCell::new(Seen::default()));
        let s = seen.clone();
        (seen, move |event| match event {
            PeerEvent::Described(sdp) => s.borrow_mut().described = Some(sdp),
            PeerEvent::Open => s.borrow_mut().open = true,
            PeerEvent::Message(m) => s.borrow_mut().messages.push(m),
            PeerEvent::Closed => {}
        })
    }

    /// Offer and answer cut down to what a QR code carries (`dreieck_sync::sdp`) and written
    /// out again: Chromium takes them, the channel opens and carries bytes both ways.
    #[wasm_bindgen_test]
    async fn a_channel_opens_from_compact_descriptions() {
        let (a_seen, a_events) = recorder();
        let a = PeerConnection::offer(a_events).expect("offer");
        until("the offer is described", || {
            a_seen.borrow().described.is_some()
        })
        .await;
        let offer = a_seen.borrow().described.clone().unwrap_or_default();
        let compact = Compact::from_sdp(&offer).expect("offer parses");
        let carried = Compact::decode(&compact.encode()).expect("decodes");

        let (b_seen, b_events) = recorder();
        let b = PeerConnection::answer(&carried.to_sdp(), b_events).expect("answer");
        until("the answer is described", || {
            b_seen.borrow().described.is_some()
        })
        .await;
        let answer = b_seen.borrow().described.clone().unwrap_or_default();
        let compact = Compact::from_sdp(&answer).expect("answer parses");
        a.accept(
            &Compact::decode(&compact.encode())
                .expect("decodes")
                .to_sdp(),
        );

        until("both ends open", || {
            a_seen.borrow().open && b_seen.borrow().open
        })
        .await;
        assert!(a.send(b"vom Tablet"));
        assert!(b.send(b"vom Telefon"));
        until("the bytes arrive", || {
            !a_seen.borrow().messages.is_empty() && !b_seen.borrow().messages.is_empty()
        })
        .await;
        assert_eq!(b_seen.borrow().messages, vec![b"vom Tablet".to_vec()]);
        assert_eq!(a_seen.borrow().messages, vec![b"vom Telefon".to_vec()]);
    }
}
