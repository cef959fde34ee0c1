//! Bytes on the wire per keystroke (printed with `--nocapture`).

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT};
use dreieck_sync::client::{Client, Config, Effect};
use dreieck_sync::envelope::{DocumentKey, OVERHEAD};
use dreieck_sync::room::{self, Room};
use dreieck_sync::wire::{self, Message};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

const ROOM_ID: [u8; 16] = [1; 16];

#[test]
fn bytes_per_keystroke() {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let key = DocumentKey::generate(&mut rng);
    let mut room = Room::new(ROOM_ID);
    let mut client = Client::new(ROOM_ID, key, Config::default());
    room.connection_opened(1);
    // Admission, with a perfect network.
    let mut to_relay: Vec<Vec<u8>> = client
        .connected()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Send(f) => Some(f),
            _ => None,
        })
        .collect();
    while let Some(frame) = to_relay.pop() {
        for fx in room.frame_received(1, &frame, &mut rng) {
            if let room::Effect::Send { frame, .. } = fx {
                for e in client.on_frame(&frame, &mut rng).unwrap() {
                    if let Effect::Send(f) = e {
                        to_relay.push(f);
                    }
                }
            }
        }
    }

    let mut doc = AutoCommit::new();
    let text = doc.put_object(ROOT, "text", ObjType::Text).unwrap();
    doc.splice_text(&text, 0, 0, "Ziel: ").unwrap();
    let mut heads = doc.get_heads();
    let mut sizes = Vec::new();
    for (i, c) in "selbst einkaufen".chars().enumerate() {
        doc.splice_text(&text, 6 + i, 0, &c.to_string()).unwrap();
        let change = doc.save_after(&heads);
        heads = doc.get_heads();
        let fx = client.on_local_change(&change, &mut rng).unwrap();
        let [Effect::Send(frame)] = &fx[..] else {
            panic!("one Append expected: {fx:?}")
        };
        let Ok(Message::Append { sealed, client_seq }) = wire::decode(frame) else {
            panic!()
        };
        assert_eq!(sealed.len(), change.len() + OVERHEAD);
        // Acknowledge at once, so each keystroke is its own Append.
        let mut effects = room.frame_received(1, frame, &mut rng);
        effects.extend(room.durable_up_to(u64::MAX));
        for e in effects {
            if let room::Effect::Send { frame, .. } = e {
                client.on_frame(&frame, &mut rng).unwrap();
            }
        }
        assert_eq!(client.unacknowledged(), 0, "keystroke {client_seq}");
        sizes.push((change.len(), sealed.len(), frame.len()));
    }
    let (change, sealed, frame) = sizes[sizes.len() - 1];
    println!(
        "one keystroke: change {change} B, sealed {sealed} B (+{OVERHEAD}), Append frame {frame} B; \
         first keystroke of a session: frame {} B",
        sizes[0].2
    );
    // automerge-repo sends ≈ 173 B per keystroke; stay at or below.
    assert!(frame <= 173, "Append frame of {frame} B");
}
