//! Bytes on the wire per keystroke, as the app sends it (printed with `--nocapture`): the
//! Automerge change signed by its author (`dreieck_model::trust`), with the splice that lets
//! peers show it at once (`dreieck_model::live`), sealed and padded in an Append frame.

use dreieck_model::{live, sample, Role};
use dreieck_sync::client::{Client, Config, Effect};
use dreieck_sync::envelope::{DocumentKey, OVERHEAD};
use dreieck_sync::room::{self, Room};
use dreieck_sync::wire::{self, Message};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

const ROOM_ID: [u8; 16] = [1; 16];
const FIELD: &str = "anmerkungen_zielerreichung";

/// A client admitted to a room over a perfect network.
fn admitted(rng: &mut ChaCha20Rng) -> (Room, Client) {
    let key = DocumentKey::generate(rng);
    let mut room = Room::new(ROOM_ID);
    let mut client = Client::new(ROOM_ID, key, Config::default());
    room.connection_opened(1);
    let mut to_relay: Vec<Vec<u8>> = client
        .connected()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Send(f) => Some(f),
            _ => None,
        })
        .collect();
    while let Some(frame) = to_relay.pop() {
        for fx in room.frame_received(1, &frame, rng) {
            if let room::Effect::Send { frame, .. } = fx {
                for e in client.on_frame(&frame, rng).unwrap() {
                    if let Effect::Send(f) = e {
                        to_relay.push(f);
                    }
                }
            }
        }
    }
    (room, client)
}

/// The field becomes `text` by one keystroke, which the app sends as it does: signed, with its
/// splice, in an Append acknowledged at once (so each keystroke is its own Append). Returns the
/// lengths of the payload, the sealed envelope and the frame.
fn keystroke(
    owner: &mut dreieck_model::Report,
    text: &str,
    client: &mut Client,
    room: &mut Room,
    rng: &mut ChaCha20Rng,
) -> (usize, usize, usize) {
    let (index, splice) = owner
        .set_text_spliced(Role::Provider, FIELD, text)
        .unwrap()
        .unwrap();
    let item = live::encode_item(&owner.save_incremental(), Some((index, &splice)));
    let fx = client.on_local_change(&item, rng).unwrap();
    let [Effect::Send(frame)] = &fx[..] else {
        panic!("one Append expected: {fx:?}")
    };
    let Ok(Message::Append { sealed, client_seq }) = wire::decode(frame) else {
        panic!("an Append")
    };
    let mut effects = room.frame_received(1, frame, rng);
    effects.extend(room.durable_up_to(u64::MAX));
    for e in effects {
        if let room::Effect::Send { frame, .. } = e {
            client.on_frame(&frame, rng).unwrap();
        }
    }
    assert_eq!(client.unacknowledged(), 0, "keystroke {client_seq}");
    (item.len(), sealed.len(), frame.len())
}

#[test]
fn bytes_per_keystroke() {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let (mut room, mut client) = admitted(&mut rng);
    let (mut owner, _) = sample::signed_pair().unwrap();
    let _ = owner.save_incremental();
    // Plain letters, umlauts, a space and a long run: what the relay sees must not tell them apart.
    let typed: String = "Selbst einkaufen, Müll trennen; Größe ändern. "
        .chars()
        .cycle()
        .take(200)
        .collect();
    let mut text = String::new();
    let mut rows = Vec::new();
    for c in typed.chars() {
        text.push(c);
        rows.push(keystroke(
            &mut owner,
            &text,
            &mut client,
            &mut room,
            &mut rng,
        ));
    }
    let items: Vec<usize> = rows.iter().map(|r| r.0).collect();
    // (Frames differ by the length of their sequence number, which tells nothing typed.)
    let envelopes: std::collections::BTreeSet<usize> = rows[1..].iter().map(|r| r.1).collect();
    let (item, sealed, frame) = rows[rows.len() - 1];
    println!(
        "one keystroke: payload {}–{} B (signed change with its splice), sealed {sealed} B \
         (padded, +{OVERHEAD}), Append frame {frame} B; first keystroke of a session: frame {} B",
        items[1..].iter().min().unwrap(),
        items[1..].iter().max().unwrap(),
        rows[0].2
    );
    assert!(item < sealed);

    // Into a long text (10,000 characters), where positions and counters take more bytes.
    let long: String = "x".repeat(10_000);
    let mut text = long.clone();
    owner.set_text(Role::Provider, FIELD, &text).unwrap();
    let _ = owner.save_incremental();
    let mut long_rows = Vec::new();
    for c in "Müll trennen. ".chars() {
        text.push(c);
        let (item, _, frame) = keystroke(&mut owner, &text, &mut client, &mut room, &mut rng);
        long_rows.push((item, frame));
    }
    let long_items: Vec<usize> = long_rows.iter().map(|r| r.0).collect();
    let long_frames: std::collections::BTreeSet<usize> = long_rows.iter().map(|r| r.1).collect();
    println!(
        "into a text of 10,000 characters: payload {}–{} B, Append frame {long_frames:?} B",
        long_items.iter().min().unwrap(),
        long_items.iter().max().unwrap(),
    );
    assert!(long_frames.iter().all(|f| *f <= 270), "{long_frames:?}");
    // Every keystroke after the first looks the same on the wire, whatever was typed.
    assert_eq!(envelopes.len(), 1, "envelopes of {envelopes:?} B");
    // The Ed25519 signature (64 B) and the sealing (40 B) on top of Automerge's change (≈ 97 B)
    // put this above automerge-repo's ≈ 173 B; it must not grow past one bucket more.
    assert!(frame <= 310, "Append frame of {frame} B");
}
