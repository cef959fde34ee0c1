//! Figures for the report document: size, time to open, cost of one keystroke.
//!
//! `cargo run --release -p dreieck-model --example bench`
//!
//! Prints figures only; nothing here asserts. The report is `sample::bench_report(20, 10_000)`:
//! 20 goals and 10,000 single-character edits typed into the long texts and goal texts, each its
//! own change, as a person types (bursts, typos corrected with backspace).

use std::time::{Duration, Instant};

use dreieck_model::{sample, sealed_file, Report, Role};

const GOALS: usize = 20;
const EDITS: usize = 10_000;
const OPEN_RUNS: usize = 9;
const KEYSTROKES: usize = 500;

fn main() {
    let t = Instant::now();
    let mut report = sample::bench_report(GOALS, EDITS);
    let built = t.elapsed();
    let chars: usize = text_fields(&report)
        .iter()
        .map(|f| report.text(f).map(|t| t.chars().count()).unwrap_or(0))
        .sum::<usize>()
        + report
            .goals()
            .iter()
            .map(|g| g.text.chars().count() + g.measures_text().chars().count())
            .sum::<usize>();
    let full = report.save();
    println!("report: {GOALS} goals, {EDITS} edits, {chars} characters of text now");
    println!("  built in {}", ms(built));
    println!(
        "  full save: {} bytes ({:.1} bytes per edit)",
        full.len(),
        full.len() as f64 / EDITS as f64
    );

    let mut opens = Vec::new();
    for _ in 0..OPEN_RUNS {
        let t = Instant::now();
        let loaded = Report::load(&full);
        opens.push(t.elapsed());
        if loaded.is_err() {
            println!("  load failed");
            return;
        }
    }
    opens.sort();
    println!(
        "  open (Report::load, {OPEN_RUNS} runs): median {}, min {}, max {}",
        ms(opens[OPEN_RUNS / 2]),
        ms(opens[0]),
        ms(opens[OPEN_RUNS - 1])
    );

    // Export as a password-sealed file and open it again: nearly all Argon2id.
    let mut seals = Vec::new();
    let mut unseals = Vec::new();
    for i in 0..3u8 {
        let t = Instant::now();
        let sealed = report.to_sealed_file(
            "Benchmark-Passwort",
            [i; sealed_file::SALT_LEN],
            [i; sealed_file::NONCE_LEN],
            sealed_file::KdfParams::RECOMMENDED,
        );
        seals.push(t.elapsed());
        let t = Instant::now();
        if sealed
            .and_then(|f| dreieck_model::read_report_file(&f, Some("Benchmark-Passwort")))
            .is_err()
        {
            println!("  sealing failed");
            return;
        }
        unseals.push(t.elapsed());
    }
    seals.sort();
    unseals.sort();
    println!(
        "  sealed file (Argon2id m=19 MiB t=2 p=1): seal median {}, open and load median {}",
        ms(seals[1]),
        ms(unseals[1])
    );

    let mut bare_opens = Vec::new();
    for _ in 0..OPEN_RUNS {
        let t = Instant::now();
        let _ = automerge::AutoCommit::load(&full);
        bare_opens.push(t.elapsed());
    }
    bare_opens.sort();
    println!(
        "  bare automerge load (no layout checks), median {}",
        ms(bare_opens[OPEN_RUNS / 2])
    );

    // A second replica that receives every keystroke, as a peer would.
    let mut peer = match Report::load(&full) {
        Ok(p) => p,
        Err(e) => {
            println!("  load failed: {e}");
            return;
        }
    };
    report.save_incremental();
    let mut raw = peer.fork();
    keystrokes("big document", &mut report, &mut peer, &mut raw);

    // The same on a nearly empty report: bytes per keystroke should not depend on history.
    let mut small = sample::bench_report(GOALS, 100);
    let mut small_peer = match Report::load(&small.save()) {
        Ok(p) => p,
        Err(e) => {
            println!("  load failed: {e}");
            return;
        }
    };
    small.save_incremental();
    let mut small_raw = small_peer.fork();
    keystrokes(
        "small document (100 edits)",
        &mut small,
        &mut small_peer,
        &mut small_raw,
    );
    long_field();
    println!();
    signed_keystrokes();
    signed_join();
}

/// The app's own path for one keystroke into a long field: the view hands `set_text` the
/// field's whole value (it diffs and splices), storage takes `save_incremental`; the peer runs
/// `apply_touched` and reads the field's text back to show it. The field is built as the sync
/// benchmark builds it: 15,000 single-character inserts, then 5,000 deletions.
fn long_field() {
    let field = "anmerkungen_einrichtung";
    let templates = dreieck_model::builtin_templates();
    let Some(template) = templates.first() else {
        return;
    };
    let Ok(mut report) = Report::create(template, "bench-long", 0) else {
        return;
    };
    let t = Instant::now();
    let filler = "Ich möchte selbst einkaufen gehen und kochen lernen. ";
    for (i, ch) in filler.chars().cycle().take(15_000).enumerate() {
        if report
            .splice_text(Role::Provider, field, i, 0, &ch.to_string())
            .is_err()
        {
            println!("  building failed");
            return;
        }
    }
    for _ in 0..5_000 {
        let len = report.text(field).map(|t| t.chars().count()).unwrap_or(0);
        if report
            .splice_text(Role::Provider, field, len - 1, 1, "")
            .is_err()
        {
            println!("  building failed");
            return;
        }
    }
    let built = t.elapsed();
    let Ok(mut peer) = Report::load(&report.save()) else {
        println!("  load failed");
        return;
    };
    let Ok(mut plain_peer) = Report::load(&report.save()) else {
        println!("  load failed");
        return;
    };
    let (mut plain, mut reads) = (Vec::new(), Vec::new());
    let mut value = report.text(field).unwrap_or_default();
    let (mut local, mut remote) = (Vec::new(), Vec::new());
    for ch in "Und am Wochenende möchte ich ins Stadion gehen. "
        .chars()
        .cycle()
        .take(KEYSTROKES)
    {
        value.push(ch);
        let t = Instant::now();
        let ok = report.set_text(Role::Provider, field, &value).is_ok();
        let chunk = report.save_incremental();
        local.push(t.elapsed());
        let t = Instant::now();
        let shown = peer
            .apply_touched(&chunk)
            .ok()
            .filter(|touched| touched.fields.contains(field))
            .and_then(|_| peer.text(field).ok());
        remote.push(t.elapsed());
        let t = Instant::now();
        let _ = plain_peer.apply(&chunk);
        plain.push(t.elapsed());
        let t = Instant::now();
        let _ = plain_peer.text(field);
        reads.push(t.elapsed());
        if !ok || shown.as_deref() != Some(value.as_str()) {
            println!("  keystroke failed");
            return;
        }
    }
    println!(
        "long field: 20,000 edits to 10,000 characters (built in {}), then {KEYSTROKES} keystrokes",
        ms(built)
    );
    println!(
        "  set_text (whole value) + save_incremental: p50 {}, p95 {}",
        us(pct(&mut local.clone(), 50)),
        us(pct(&mut local, 95))
    );
    println!(
        "  peer apply_touched + text(): p50 {}, p95 {}",
        us(pct(&mut remote.clone(), 50)),
        us(pct(&mut remote, 95))
    );
    println!(
        "    of which apply alone: p50 {}, p95 {}; text() alone: p50 {}, p95 {}",
        us(pct(&mut plain.clone(), 50)),
        us(pct(&mut plain, 95)),
        us(pct(&mut reads.clone(), 50)),
        us(pct(&mut reads, 95))
    );
}

/// Types `KEYSTROKES` characters at the end of the goals' comment field, one change each:
/// splice + `save_incremental` locally, `apply` of that chunk on the peer, and for comparison
/// Automerge's bare `load_incremental` (without `apply`'s checks) on a second peer.
fn keystrokes(name: &str, report: &mut Report, peer: &mut Report, raw: &mut Report) {
    let field = "anmerkungen_zielerreichung";
    let text = "Zu Nr. 3: Der Weg zur Arbeit klappt inzwischen auch bei Umleitungen. ";
    let mut local = Vec::with_capacity(KEYSTROKES);
    let mut remote = Vec::with_capacity(KEYSTROKES);
    let mut bare = Vec::with_capacity(KEYSTROKES);
    let mut bytes = Vec::with_capacity(KEYSTROKES);
    let start_len = report.text(field).map(|t| t.chars().count()).unwrap_or(0);
    for (i, ch) in text.chars().cycle().take(KEYSTROKES).enumerate() {
        let t = Instant::now();
        let ok = report
            .splice_text(Role::Provider, field, start_len + i, 0, &ch.to_string())
            .is_ok();
        let chunk = report.save_incremental();
        local.push(t.elapsed());
        bytes.push(chunk.len());
        let t = Instant::now();
        let applied = peer.apply(&chunk).is_ok();
        remote.push(t.elapsed());
        let t = Instant::now();
        let raw_ok = raw.doc_mut().load_incremental(&chunk).is_ok();
        bare.push(t.elapsed());
        if !ok || !applied || !raw_ok {
            println!("  keystroke {i} failed");
            return;
        }
    }
    let field_len = report.text(field).map(|t| t.chars().count()).unwrap_or(0);
    println!(
        "{name}: {KEYSTROKES} keystrokes into a field of {start_len} → {field_len} characters"
    );
    println!(
        "  splice + save_incremental: p50 {}, p95 {}",
        us(pct(&mut local.clone(), 50)),
        us(pct(&mut local, 95))
    );
    println!(
        "  peer apply of the chunk:   p50 {}, p95 {}",
        us(pct(&mut remote.clone(), 50)),
        us(pct(&mut remote, 95))
    );
    println!(
        "  bare load_incremental (no checks, for comparison): p50 {}, p95 {}",
        us(pct(&mut bare.clone(), 50)),
        us(pct(&mut bare, 95))
    );
    let first: Vec<usize> = bytes[..100].to_vec();
    let last: Vec<usize> = bytes[bytes.len() - 100..].to_vec();
    println!(
        "  bytes per incremental save: p50 {}, p95 {} (first 100: p50 {}, last 100: p50 {})",
        pct(&mut bytes.clone(), 50),
        pct(&mut bytes, 95),
        pct(&mut first.clone(), 50),
        pct(&mut last.clone(), 50)
    );
}

/// The cost of trust for a device joining a whole report: every change of the report's
/// history through the gate (`Report::from_signed`), against loading the same bytes from the
/// device's own storage (trusted, no gate).
fn signed_join() {
    let Ok(mut report) = sample::signed_bench_report(GOALS, EDITS) else {
        println!("  building failed");
        return;
    };
    let id = report.id();
    let bytes = report.save();
    let Ok(whole) = dreieck_model::trust::SignedChanges::decode(&bytes) else {
        println!("  not a bundle");
        return;
    };
    let t = Instant::now();
    let joined = Report::from_signed(std::slice::from_ref(&whole), &id);
    let join = t.elapsed();
    let t = Instant::now();
    let loaded = Report::load(&bytes);
    let load = t.elapsed();
    match (joined, loaded) {
        (Ok((_, admission)), Ok(_)) => println!(
            "protected report, {GOALS} goals and {EDITS} edits ({} KB signed): joining through the gate {} ({} changes, {} refused); loading from own storage {}",
            bytes.len() / 1024,
            ms(join),
            admission.applied + 1,
            admission.refused.len(),
            ms(load)
        ),
        (Err(e), _) | (_, Err(e)) => println!("  failed: {e}"),
    }
    // The same report as change chunks only (what a device could send instead of a whole
    // document, which Automerge's loader cannot take from a hostile sender safely).
    let changes = report.doc_mut().save_after(&[]);
    let as_changes = dreieck_model::trust::SignedChanges {
        changes,
        attestations: whole.attestations.clone(),
    };
    let encoded = as_changes.encode();
    let t = Instant::now();
    let joined = Report::from_signed(std::slice::from_ref(&as_changes), &id);
    let join = t.elapsed();
    match joined {
        Ok((_, admission)) => println!(
            "  the same as change chunks only: {} KB signed; joining through the gate {} ({} refused)",
            encoded.len() / 1024,
            ms(join),
            admission.refused.len()
        ),
        Err(e) => println!("  as change chunks: failed: {e}"),
    }
}

/// The cost of trust per keystroke: the same keystrokes into a protected report, where every
/// incremental save is signed (Ed25519 over the change hash, in a bundle) and the peer takes
/// it in through the gate (signature, membership, every operation against the role) — on a
/// fresh report and on one with 10,000 edits of history.
fn signed_keystrokes() {
    if let Ok((owner, peer)) = dreieck_model::sample::signed_pair() {
        typed_through_the_gate(
            "protected report, fresh",
            owner,
            peer,
            "anmerkungen_zielerreichung",
        );
    }
    let Ok(mut owner) = sample::signed_bench_report(GOALS, EDITS) else {
        println!("  building failed");
        return;
    };
    let id = owner.id();
    let Ok(whole) = dreieck_model::trust::SignedChanges::decode(&owner.save()) else {
        return;
    };
    let Ok((peer, _)) = Report::from_signed(&[whole], &id) else {
        println!("  join failed");
        return;
    };
    typed_through_the_gate(
        "protected report, 10,000 edits of history",
        owner,
        peer,
        "anmerkungen_zielerreichung",
    );
}

fn typed_through_the_gate(name: &str, mut owner: Report, mut peer: Report, field: &str) {
    let start = owner.text(field).map(|t| t.chars().count()).unwrap_or(0);
    let mut local = Vec::with_capacity(KEYSTROKES);
    let mut remote = Vec::with_capacity(KEYSTROKES);
    let mut bytes = Vec::with_capacity(KEYSTROKES);
    for (i, ch) in "Signiert und geprüft. "
        .chars()
        .cycle()
        .take(KEYSTROKES)
        .enumerate()
    {
        let t = Instant::now();
        let ok = owner
            .splice_text(Role::Provider, field, start + i, 0, &ch.to_string())
            .is_ok();
        let chunk = owner.save_incremental();
        local.push(t.elapsed());
        bytes.push(chunk.len());
        let t = Instant::now();
        let applied = peer.apply(&chunk).is_ok() && peer.refusals().is_empty();
        remote.push(t.elapsed());
        if !ok || !applied {
            println!("  keystroke {i} failed");
            return;
        }
    }
    println!("{name}: {KEYSTROKES} keystrokes, each signed and verified");
    println!(
        "  splice + signed save_incremental: p50 {}, p95 {}",
        us(pct(&mut local.clone(), 50)),
        us(pct(&mut local, 95))
    );
    println!(
        "  peer apply through the gate:      p50 {}, p95 {}",
        us(pct(&mut remote.clone(), 50)),
        us(pct(&mut remote, 95))
    );
    println!(
        "  bytes per signed incremental save: p50 {} (an attestation adds 96 and the bundle 11)",
        pct(&mut bytes, 50)
    );
}

fn text_fields(report: &Report) -> Vec<String> {
    report
        .template()
        .fields()
        .filter(|f| {
            matches!(
                f.kind,
                dreieck_model::FieldKind::ShortText | dreieck_model::FieldKind::LongText
            )
        })
        .map(|f| f.id.clone())
        .collect()
}

fn pct<T: Ord + Copy>(v: &mut [T], p: usize) -> T {
    v.sort();
    v[(v.len() - 1) * p / 100]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn us(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}
