//! Foreign bytes into a report: the same fixture and check as `tests/foreign_bytes.rs`
//! (`tests/foreign/mod.rs`), driven by libFuzzer. The first byte chooses what the rest is:
//! - 0: bytes from anywhere (stored bytes, bundles, plain Automerge bytes);
//! - 1: an edit script (5 bytes an edit) applied to the Automerge part of a valid bundle,
//!   attestations as they came;
//! - 2: the same behind chunk headers made right again (lengths, checksums);
//! - 3: an edit script applied to a member's own changes, signed again by the member;
//! - 4: choices for changes a member makes up and signs.
//!
//! Whatever the input: no panic, refused bytes change nothing, nothing unsigned gets in, the
//! honest replica keeps syncing (`Fixture::check`).

#![no_main]

#[path = "../../tests/common/mod.rs"]
mod common;
#[path = "../../tests/foreign/mod.rs"]
mod foreign;

use foreign::*;
use libfuzzer_sys::fuzz_target;

fn edits(script: &[u8]) -> Vec<Edit> {
    script
        .chunks(5)
        .take(8)
        .filter_map(Edit::from_bytes)
        .collect()
}

/// Each chunk of `bytes` edited behind a correct header.
fn resealed(bytes: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while let Some((kind, data, tail)) = split_chunk(rest) {
        out.extend(chunk(kind, &edited(data, edits)));
        rest = tail;
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let fx = fixture();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (base, script) = rest.split_first().map_or((0, &[][..]), |(b, s)| (*b, s));
    match mode % 5 {
        0 => fx.check_raw(rest),
        1 => {
            let mut bundle = fx.base(base);
            bundle.changes = edited(&bundle.changes, &edits(script));
            fx.check(&bundle, Origin::Damaged);
        }
        2 => {
            let mut bundle = fx.base(base);
            bundle.changes = resealed(&bundle.changes, &edits(script));
            fx.check(&bundle, Origin::Damaged);
        }
        3 => {
            let own = if base % 2 == 0 {
                &fx.keystroke
            } else {
                &fx.typing
            };
            let bundle = signed_by_member(fx, resealed(&own.changes, &edits(script)));
            fx.check_admit(&bundle, Origin::SignedByMember);
            fx.check_join(&bundle, Origin::SignedByMember);
        }
        _ => {
            let bundle = fx.crafted(&mut Source(rest));
            fx.check_admit(&bundle, Origin::SignedByMember);
            fx.check_join(&bundle, Origin::SignedByMember);
        }
    }
});
