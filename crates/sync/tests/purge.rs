//! "Für alle löschen" at the relay's room: a purge reaches every connected device at once and
//! every later one on admission, leaves nothing of the report in the room or its stored
//! records, survives a restart, and the room takes nothing new afterwards. A device whose
//! record does not open (another key) learns only that the room is gone.

use dreieck_sync::client::{self, Client, Config};
use dreieck_sync::envelope::DocumentKey;
use dreieck_sync::room::{self, Record, Room, MAX_DELETION_SIZE};
use dreieck_sync::wire::{code, Message};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

const ROOM: [u8; 16] = [0x44; 16];

/// One relay room, its stored records, and devices connected to it without a network:
/// frames go across at once, in order.
struct Bench {
    room: Room,
    stored: Vec<Record>,
    devices: Vec<Option<Client>>,
    /// What each device's app was told (besides frames).
    told: Vec<Vec<client::Effect>>,
    /// Errors the relay sent each device.
    refused: Vec<Vec<u16>>,
    rng: ChaCha20Rng,
}

impl Bench {
    fn new(devices: usize) -> Bench {
        let key = || DocumentKey::from_bytes([7; 32]);
        Bench {
            room: Room::new(ROOM),
            stored: Vec::new(),
            devices: (0..devices)
                .map(|_| Some(Client::new(ROOM, key(), Config::default())))
                .collect(),
            told: vec![Vec::new(); devices],
            refused: vec![Vec::new(); devices],
            rng: ChaCha20Rng::seed_from_u64(5),
        }
    }

    fn client(&mut self, d: usize) -> &mut Client {
        self.devices[d].as_mut().expect("device present")
    }

    fn connect(&mut self, d: usize) {
        self.room.connection_opened(d as u64);
        let fx = self.client(d).connected();
        self.on_device(d, fx);
    }

    fn disconnect(&mut self, d: usize) {
        self.room.connection_closed(d as u64);
        self.client(d).disconnected();
    }

    fn on_device(&mut self, d: usize, effects: Vec<client::Effect>) {
        for effect in effects {
            match effect {
                client::Effect::Send(frame) => {
                    let fx = self.room.frame_received(d as u64, &frame, &mut self.rng);
                    self.on_room(fx);
                }
                other => self.told[d].push(other),
            }
        }
    }

    fn on_room(&mut self, effects: Vec<room::Effect>) {
        for effect in effects {
            match effect {
                room::Effect::Send { conn, frame } => {
                    let d = conn as usize;
                    if let Ok(Message::Error { code, .. }) = dreieck_sync::wire::decode(&frame) {
                        self.refused[d].push(code);
                    }
                    let client = self.devices[d].as_mut().expect("device present");
                    let fx = client.on_frame(&frame, &mut self.rng).unwrap();
                    self.on_device(d, fx);
                }
                room::Effect::Persist(record) => {
                    if matches!(record, Record::Purged { .. }) {
                        // What the store does: the room's entries and snapshots go.
                        self.stored.retain(|r| {
                            matches!(r, Record::Registered { .. } | Record::Epoch { .. })
                        });
                    }
                    let seq = match &record {
                        Record::Entry { seq, .. } | Record::Purged { seq, .. } => Some(*seq),
                        _ => None,
                    };
                    self.stored.push(record);
                    if let Some(seq) = seq {
                        let fx = self.room.durable_up_to(seq);
                        self.on_room(fx);
                    }
                }
                room::Effect::Close { conn } => {
                    self.room.connection_closed(conn);
                    self.client(conn as usize).disconnected();
                }
                room::Effect::Compact { .. } | room::Effect::LoadLog => {}
            }
        }
    }

    fn edit(&mut self, d: usize, bytes: &[u8]) {
        let client = self.devices[d].as_mut().expect("device present");
        let fx = client.on_local_change(bytes, &mut self.rng).unwrap();
        self.on_device(d, fx);
    }

    fn purged_told(&self, d: usize) -> Vec<Vec<u8>> {
        self.told[d]
            .iter()
            .filter_map(|e| match e {
                client::Effect::Purged(bytes) => Some(bytes.clone()),
                _ => None,
            })
            .collect()
    }

    fn stored_bytes(&self) -> Vec<u8> {
        let mut all = Vec::new();
        for record in &self.stored {
            match record {
                Record::Entry { sealed, .. } | Record::Snapshot { sealed, .. } => {
                    all.extend_from_slice(sealed)
                }
                _ => {}
            }
        }
        all
    }
}

const DELETION: &[u8] = b"signed deletion record";

#[test]
fn a_purge_reaches_every_device_now_and_later_and_the_room_keeps_nothing_else() {
    let mut b = Bench::new(3);
    b.connect(0);
    b.connect(1);
    b.connect(2);
    b.edit(0, b"change one");
    b.edit(1, b"change two");
    assert!(!b.stored_bytes().is_empty());
    // Device 2 goes offline and misses the purge.
    b.disconnect(2);

    let mut rng = ChaCha20Rng::seed_from_u64(6);
    let fx = b.client(0).purge(DELETION, &mut rng).unwrap();
    b.on_device(0, fx);
    assert!(b.room.is_purged());
    // Both connected devices, the purging one included, are told at once.
    assert_eq!(b.purged_told(0), vec![DELETION.to_vec()]);
    assert_eq!(b.purged_told(1), vec![DELETION.to_vec()]);
    assert!(b.client(1).purged());
    // Storage keeps the record and nothing of the report.
    assert!(b.stored_bytes().is_empty(), "entries left after the purge");
    assert!(b.room.resident_bytes() <= MAX_DELETION_SIZE as u64);

    // The offline device edits, comes back, and learns it before anything of its own goes out.
    b.edit(2, b"written offline");
    b.connect(2);
    assert_eq!(b.purged_told(2), vec![DELETION.to_vec()]);
    assert!(
        b.stored_bytes().is_empty(),
        "the offline edit reached the room"
    );
    assert!(b.refused[2].is_empty(), "{:?}", b.refused[2]);

    // An honest device sends nothing more; a device that does is refused.
    b.edit(1, b"after the purge");
    assert!(b.stored_bytes().is_empty());
    let append = Message::Append {
        client_seq: 99,
        sealed: vec![1; 64],
    };
    let fx = b.room.frame_received(1, &append.encode(), &mut b.rng);
    assert!(fx
        .iter()
        .any(|e| matches!(e, room::Effect::Close { conn: 1 })));
    b.on_room(fx);
    assert_eq!(b.refused[1], vec![code::PURGED]);
    assert!(b.stored_bytes().is_empty());

    // After a restart, the room is still purged, and a device coming later still learns it.
    let (mut restored, _) = Room::restore(ROOM, b.stored.clone());
    assert!(restored.is_purged());
    assert_eq!(restored.resident_bytes(), 0);
    b.room = std::mem::replace(&mut restored, Room::new(ROOM));
    b.devices.push(Some(Client::new(
        ROOM,
        DocumentKey::from_bytes([7; 32]),
        Config::default(),
    )));
    b.told.push(Vec::new());
    b.refused.push(Vec::new());
    b.connect(3);
    assert_eq!(b.purged_told(3), vec![DELETION.to_vec()]);
}

#[test]
fn a_deletion_sealed_under_another_key_is_reported_and_nothing_is_applied() {
    let mut b = Bench::new(2);
    b.devices[1] = Some(Client::new(
        ROOM,
        DocumentKey::from_bytes([7; 32]),
        Config::default(),
    ));
    b.connect(0);
    b.connect(1);
    // An insider's purge carrying bytes sealed under no key the devices know.
    let frame = Message::Purge {
        sealed: vec![9; 120],
    };
    let fx = b.room.frame_received(0, &frame.encode(), &mut b.rng);
    b.on_room(fx);
    assert!(b.room.is_purged());
    for d in 0..2 {
        assert!(b.purged_told(d).is_empty());
        assert!(b.told[d].iter().any(|e| matches!(
            e,
            client::Effect::Rejected {
                reason: client::Rejection::Deletion,
                ..
            }
        )));
    }
}

#[test]
fn a_purge_larger_than_a_deletion_record_is_refused_and_drops_nothing() {
    let mut b = Bench::new(2);
    b.connect(0);
    b.connect(1);
    b.edit(0, b"kept");
    let before = b.stored_bytes();
    let frame = Message::Purge {
        sealed: vec![0; MAX_DELETION_SIZE + 1],
    };
    let fx = b.room.frame_received(1, &frame.encode(), &mut b.rng);
    b.on_room(fx);
    assert!(!b.room.is_purged());
    assert_eq!(b.refused[1], vec![code::BAD_FRAME]);
    assert_eq!(b.stored_bytes(), before);
}

#[test]
fn a_device_that_is_not_admitted_cannot_purge() {
    let mut b = Bench::new(1);
    b.connect(0);
    b.edit(0, b"kept");
    let before = b.stored_bytes();
    // A stranger without the room key: a Hello, a wrong answer, then a purge.
    b.room.connection_opened(9);
    let hello = Message::Hello {
        room: ROOM,
        verifier: [3; 32],
    };
    let fx = b.room.frame_received(9, &hello.encode(), &mut b.rng);
    assert!(!fx.is_empty());
    let fx = b.room.frame_received(
        9,
        &Message::Purge {
            sealed: vec![1; 100],
        }
        .encode(),
        &mut b.rng,
    );
    assert!(fx
        .iter()
        .any(|e| matches!(e, room::Effect::Close { conn: 9 })));
    assert!(!b.room.is_purged());
    assert_eq!(b.stored_bytes(), before);
}
