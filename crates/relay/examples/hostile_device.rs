//! A participant with devtools-level control of their own device: everything the page keeps is
//! theirs (the room, the document key, the device's signing key), and they write with their
//! own program instead of the app's setters. Used by `tests/e2e/hostile.test.mjs`.
//!
//! `hostile_device <relay ws url> <room hex> <document key hex> <signing seed hex> <report id>
//! <field>`: joins the room with the real sync client, catches up, builds a change with a fresh
//! actor bound to the device's key that writes `field` (which the key's role may not write),
//! signs it properly with that key, sends it as an ordinary keystroke and waits until the
//! relay has acknowledged it. Prints what it did; the honest devices must refuse it.

use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use automerge::transaction::Transactable;
use automerge::{ActorId, ReadDoc, ScalarValue, ROOT};
use dreieck_model::trust::SignedChanges;
use dreieck_model::{live, ParticipantKey, Report};
use dreieck_sync::client::{Client, Config, Effect};
use dreieck_sync::envelope::DocumentKey;
use futures_util::{SinkExt as _, StreamExt as _};
use rand_core::OsRng;
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// What the attacker writes into the field.
const WORDS: &str = "Von der Person selbst eingetragen";
const LIMIT: Duration = Duration::from_secs(30);

fn hex<const N: usize>(s: &str) -> Result<[u8; N]> {
    let mut out = [0u8; N];
    if s.len() != 2 * N {
        bail!("{s:?} is not {N} bytes of hex");
    }
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16)?;
    }
    Ok(out)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, room, key, seed, report_id, field] = &args[..] else {
        bail!("usage: hostile_device <ws url> <room> <key> <seed> <report id> <field>");
    };
    let room = hex::<16>(room)?;
    let seed = hex::<32>(seed)?;
    let mut client = Client::new(
        room,
        DocumentKey::from_bytes(hex::<32>(key)?),
        Config {
            snapshot_every: 0,
            ..Default::default()
        },
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str()).await?;
    let mut received: Vec<SignedChanges> = Vec::new();
    let mut effects = client.connected();
    let mut sent = false;
    loop {
        for effect in std::mem::take(&mut effects) {
            match effect {
                Effect::Send(frame) => ws.send(WsMessage::Binary(frame.into())).await?,
                Effect::Apply(bytes) => {
                    let payload = live::decode(&bytes)?;
                    received.extend(
                        SignedChanges::decode_all(&payload.automerge_bytes())
                            .map_err(|e| anyhow::anyhow!("not signed changes: {e:?}"))?,
                    );
                }
                Effect::Acknowledged { .. } if sent => {
                    println!("sent and acknowledged: a write to {field:?}");
                    return Ok(());
                }
                Effect::RelayError { code, .. } => bail!("relay refused with code {code}"),
                _ => {}
            }
        }
        if client.caught_up() && !sent {
            let item = hostile_write(&received, report_id, &seed, field)?;
            effects = client.on_local_change(&item, &mut OsRng)?;
            sent = true;
            continue;
        }
        let frame = match tokio::time::timeout(LIMIT, ws.next()).await? {
            Some(Ok(WsMessage::Binary(frame))) => frame.to_vec(),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e.into()),
            None => bail!("relay closed"),
        };
        effects = client.on_frame(&frame, &mut OsRng)?;
    }
}

/// The report as the room holds it, and one change past every check of the app's own setters:
/// a fresh actor bound to the device's key (allowed) writing `field` (not allowed for its role).
fn hostile_write(
    received: &[SignedChanges],
    report_id: &str,
    seed: &[u8; 32],
    field: &str,
) -> Result<Vec<u8>> {
    let (mut report, _) = Report::from_signed(received, report_id)?;
    let me = ParticipantKey::from_seed(seed);
    let public = me.public_key();
    let role = report
        .roster()
        .role_of(&public)
        .context("the key is no member of the report")?;
    println!("writing as a member in the role {role:?}");
    report.add_key(role, me);
    let heads = report.heads();
    let text = report.text_object(field)?;
    let doc = report.doc_mut();
    doc.set_actor(ActorId::random());
    let actor = doc.get_actor().to_hex_string();
    let (_, keys) = doc.get(ROOT, "keys")?.context("no keys map")?;
    doc.put(&keys, actor, ScalarValue::Bytes(public.to_vec()))?;
    doc.splice_text(&text, 0, 0, WORDS)?;
    doc.commit();
    let bundle = report.save_after_signed(&heads);
    // Sent like a keystroke with its splice, so receivers consider showing it ahead too.
    let splice = live::Splice {
        field: field.to_string(),
        pos: 0,
        delete: 0,
        insert: WORDS.to_string(),
    };
    let index = report
        .template()
        .fields()
        .position(|f| f.id == field)
        .unwrap_or(0);
    Ok(live::encode_item(&bundle.encode(), Some((index, &splice))))
}
