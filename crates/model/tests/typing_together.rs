//! Two to four people type sentences into one field at the same moment, over a network that
//! drops, duplicates, delays and reorders: every sentence ends up whole.
//!
//! Each replica is a report with a text control modelled by `ShownText` (what the control
//! shows) and a caret in UTF-16 units (as the DOM keeps it). A keystroke changes the control's
//! value as a browser would and the edit is recovered from it with the caret
//! (`ShownText::typed`); a change from elsewhere moves the caret by its splices
//! (`Touched::edits`, `ShownText::receive`). Each person starts at a place in the common text
//! chosen before anyone types (half of them at its end, as in a conversation where everyone adds
//! to one answer), sometimes makes a typo and takes it back. After everything is delivered:
//! every replica shows the same text, each control shows exactly its report's text at every
//! step, and each person's sentence is in it as one piece, in typed order.

use dreieck_model::text_control::{char_at_utf16, utf16_at_char, ShownText, TextEdit};
use dreieck_model::{Report, Role};

const FIELD: &str = "entwicklung_freizeit";
const BASE: &str = "Frau M. kocht. Sie geht schwimmen.";
const SENTENCES: [&str; 4] = [
    " Wir backen Kuchen.",
    " Im Garten blüht's.",
    " Grüße 😀 an Jörg.",
    " Fußball war gut.",
];
const SEEDS: u64 = 1000;

/// xorshift64*: reproducible without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

struct Person {
    report: Report,
    shown: ShownText,
    /// Caret in UTF-16 units.
    caret: u32,
    /// The keystrokes still to make: `Some(c)` types c, `None` is Backspace.
    keys: Vec<Option<char>>,
}

impl Person {
    fn check_shown(&self, seed: u64) {
        assert_eq!(
            self.shown.text(),
            self.report.text(FIELD).expect("text"),
            "seed {seed}: the control shows what the report holds"
        );
    }

    /// One keystroke as a browser makes it: the control's value changes at the caret.
    fn key(&mut self) -> Vec<u8> {
        let key = self.keys.remove(0);
        let text = self.shown.text().to_string();
        let at = char_at_utf16(&text, self.caret);
        let (value, caret_chars) = match key {
            Some(c) => (
                TextEdit {
                    pos: at,
                    delete: 0,
                    insert: c.to_string(),
                }
                .apply(&text),
                at + 1,
            ),
            None => (
                TextEdit {
                    pos: at - 1,
                    delete: 1,
                    insert: String::new(),
                }
                .apply(&text),
                at - 1,
            ),
        };
        self.caret = utf16_at_char(&value, caret_chars);
        let edit = self
            .shown
            .typed(&value, Some(self.caret))
            .expect("a keystroke changes the value");
        if std::env::var("TYPING_SEED").is_ok() {
            eprintln!(
                "{}/{} key {key:?} -> {edit:?} caret {}",
                self.report.actor_hex(),
                self.keys.len(),
                self.caret
            );
        }
        self.report
            .splice_text(Role::Provider, FIELD, edit.pos, edit.delete, &edit.insert)
            .expect("typing is allowed");
        self.report.save_incremental()
    }

    fn receive(&mut self, bytes: &[u8], seed: u64) {
        let touched = self.report.apply_touched(bytes).expect("apply");
        if !touched.fields.contains(FIELD) {
            return;
        }
        let edits = touched
            .edits
            .get(FIELD)
            .unwrap_or_else(|| panic!("seed {seed}: typing arrives as splices"));
        let before = self.caret;
        let (s, _) = self
            .shown
            .receive(edits, Some((self.caret, self.caret)))
            .expect("a caret");
        if std::env::var("TYPING_SEED").is_ok() {
            eprintln!(
                "{}/{} recv {edits:?} caret {before} -> {s}",
                self.report.actor_hex(),
                self.keys.len()
            );
        }
        self.caret = s;
    }
}

/// The keystrokes for `sentence`, with typos taken back at once. Never before the first
/// character: a person who deletes all they typed at a place where someone else's text now
/// ends continues after that text, and their next word may interleave with it (Automerge
/// anchors an insert to the visible character before it; docs/security.md does not apply,
/// see docs/architecture.md "Typing together").
fn keys_for(sentence: &str, rng: &mut Rng) -> Vec<Option<char>> {
    let mut keys = Vec::new();
    for (i, c) in sentence.chars().enumerate() {
        if i > 0 && rng.chance(8) {
            keys.push(Some('x'));
            keys.push(None);
        }
        keys.push(Some(c));
    }
    keys
}

/// The report everyone starts from, saved.
fn start() -> Vec<u8> {
    let template = &dreieck_model::builtin_templates()[0];
    let mut first = Report::create(template, "r1", 0).expect("create");
    first
        .set_text(Role::Provider, FIELD, BASE)
        .expect("base text");
    first.save()
}

fn run(seed: u64, saved: &[u8]) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let count = 2 + rng.below(3);
    let base_len = BASE.chars().count();
    let mut people: Vec<Person> = (0..count)
        .map(|i| {
            let at = if rng.chance(50) {
                base_len
            } else {
                rng.below(base_len + 1)
            };
            // Actors from the seed: the order of concurrent inserts depends on them, and a
            // failing seed must fail again.
            let mut report = Report::load(saved).expect("load");
            report.set_actor(&rng.next().to_be_bytes());
            Person {
                report,
                shown: ShownText::new(BASE),
                caret: utf16_at_char(BASE, at),
                keys: keys_for(SENTENCES[i], &mut rng),
            }
        })
        .collect();
    // In flight: (to, bytes).
    let mut network: Vec<(usize, Vec<u8>)> = Vec::new();
    loop {
        let typing: Vec<usize> = (0..count).filter(|&i| !people[i].keys.is_empty()).collect();
        if typing.is_empty() && network.is_empty() {
            break;
        }
        if !typing.is_empty() && (network.is_empty() || rng.chance(45)) {
            let who = typing[rng.below(typing.len())];
            let bytes = people[who].key();
            people[who].check_shown(seed);
            for to in (0..count).filter(|&to| to != who) {
                network.push((to, bytes.clone()));
            }
            continue;
        }
        // Any message in flight, not the oldest: delays and reordering.
        let i = rng.below(network.len());
        let (to, bytes) = if rng.chance(10) {
            network[i].clone() // delivered and still in flight: a duplicate
        } else {
            network.swap_remove(i)
        };
        if rng.chance(5) {
            continue; // dropped
        }
        people[to].receive(&bytes, seed);
        people[to].check_shown(seed);
    }
    // What was dropped comes with the catch-up after reconnecting.
    for to in 0..count {
        for from in 0..count {
            if from != to {
                let heads = people[to].report.heads();
                let bytes = people[from].report.save_after(&heads);
                people[to].receive(&bytes, seed);
                people[to].check_shown(seed);
            }
        }
    }
    let text = people[0].shown.text().to_string();
    for p in &people {
        assert_eq!(p.shown.text(), text, "seed {seed}: all show the same text");
    }
    let mut rest = text.clone();
    for sentence in &SENTENCES[..count] {
        assert!(
            rest.contains(sentence),
            "seed {seed}: {sentence:?} is torn apart in {text:?}"
        );
        rest = rest.replacen(sentence, "", 1);
    }
    assert_eq!(rest, BASE, "seed {seed}: nothing else changed");
}

#[test]
fn every_sentence_stays_whole_when_people_type_at_once() {
    // TYPING_SEED=n runs one seed (to look at a failure).
    let saved = start();
    if let Some(seed) = std::env::var("TYPING_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return run(seed, &saved);
    }
    for seed in 0..SEEDS {
        run(seed, &saved);
    }
}
