//! Replicas that edit concurrently and exchange changes in any order end identical, and no
//! typed character is lost.
//!
//! Two or three replicas are forked from one report. Each step is either a local edit on one
//! replica (text splices in several fields and in goal texts, dates, a period, ratings, goal
//! adds and moves) or an exchange from one replica to another: a full save, `merge`, or a random
//! subset of the incremental chunks the sender produced, applied in random order (so changes
//! arrive before their predecessors). At the end everybody exchanges everything.
//!
//! Every insertion types characters that occur nowhere else (taken from a running counter, half
//! of them outside the Basic Multilingual Plane, to exercise the scalar-value positions), so
//! "every character typed is present" is a plain membership check. That property runs with
//! insertions only; a second property adds deletions and checks convergence alone.

mod common;

use common::*;
use dreieck_model::*;
use proptest::prelude::*;

const TEXT_FIELDS: [&str; 4] = [
    "lb_name",
    "lb_anschrift",
    "entwicklung_freizeit",
    "anmerkungen_zielerreichung",
];
const P: Role = Role::Provider;

#[derive(Debug, Clone)]
enum Exchange {
    FullSave,
    Merge,
    /// Which of the sender's chunks to deliver (by bit) and a seed for their order.
    Chunks(u64, u64),
}

#[derive(Debug, Clone)]
enum Step {
    Splice {
        replica: usize,
        field: usize,
        pos: usize,
        delete: usize,
        len: usize,
    },
    GoalSplice {
        replica: usize,
        goal: usize,
        /// `None`: the goal's text; `Some(i)`: its i-th measure (modulo how many it has).
        measure: Option<usize>,
        pos: usize,
        delete: usize,
        len: usize,
    },
    SetDate {
        replica: usize,
        day: Option<u8>,
    },
    SetRange {
        replica: usize,
        from: Option<u8>,
        to: Option<u8>,
    },
    Rate {
        replica: usize,
        goal: usize,
        code: u8,
    },
    AddGoal {
        replica: usize,
    },
    AddMeasure {
        replica: usize,
        goal: usize,
    },
    MoveGoal {
        replica: usize,
        goal: usize,
        to: usize,
    },
    Exchange {
        from: usize,
        to: usize,
        how: Exchange,
    },
}

fn step(replicas: usize, deletions: bool) -> impl Strategy<Value = Step> {
    let r = 0..replicas;
    let del = if deletions { 0..4usize } else { 0..1usize };
    let how = prop_oneof![
        Just(Exchange::FullSave),
        Just(Exchange::Merge),
        (any::<u64>(), any::<u64>()).prop_map(|(a, b)| Exchange::Chunks(a, b)),
    ];
    prop_oneof![
        6 => (r.clone(), 0..TEXT_FIELDS.len(), 0..200usize, del.clone(), 1..4usize).prop_map(
            |(replica, field, pos, delete, len)| Step::Splice { replica, field, pos, delete, len }
        ),
        4 => (r.clone(), 0..8usize, proptest::option::of(0..4usize), 0..200usize, del, 1..4usize).prop_map(
            |(replica, goal, measure, pos, delete, len)| Step::GoalSplice {
                replica, goal, measure, pos, delete, len
            }
        ),
        1 => (r.clone(), proptest::option::of(1..29u8))
            .prop_map(|(replica, day)| Step::SetDate { replica, day }),
        1 => (r.clone(), proptest::option::of(1..29u8), proptest::option::of(1..29u8))
            .prop_map(|(replica, from, to)| Step::SetRange { replica, from, to }),
        1 => (r.clone(), 0..8usize, 1..6u8)
            .prop_map(|(replica, goal, code)| Step::Rate { replica, goal, code }),
        2 => r.clone().prop_map(|replica| Step::AddGoal { replica }),
        1 => (r.clone(), 0..8usize).prop_map(|(replica, goal)| Step::AddMeasure { replica, goal }),
        1 => (r.clone(), 0..8usize, 0..8usize)
            .prop_map(|(replica, goal, to)| Step::MoveGoal { replica, goal, to }),
        4 => (r.clone(), r, how).prop_map(|(from, to, how)| Step::Exchange { from, to, how }),
    ]
}

/// Unique characters: a running counter mapped alternately into the CJK block (BMP, 3 bytes
/// in UTF-8) and CJK Extension B (outside the BMP, 4 bytes, a surrogate pair in UTF-16).
struct Marks(u32);

impl Marks {
    fn next(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| {
                let i = self.0;
                self.0 += 1;
                let code = if i.is_multiple_of(2) {
                    0x4E00 + i / 2
                } else {
                    0x20000 + i / 2
                };
                char::from_u32(code).unwrap()
            })
            .collect()
    }
}

struct Replica {
    report: Report,
    /// Every incremental chunk this replica produced, in order.
    outbox: Vec<Vec<u8>>,
}

/// Runs the steps; returns the replicas after a final full exchange and every typed string.
fn run(replicas: usize, steps: &[Step]) -> (Vec<Replica>, Vec<String>) {
    let mut origin = new_report();
    let id = origin.add_goal(P).unwrap();
    origin.set_goal_text(P, &id, "Ziel").unwrap();
    let mut rs: Vec<Replica> = (0..replicas)
        .map(|_| {
            let mut report = origin.fork();
            report.save_incremental();
            Replica {
                report,
                outbox: Vec::new(),
            }
        })
        .collect();
    let mut marks = Marks(0);
    let mut typed = Vec::new();
    for s in steps {
        match s.clone() {
            Step::Splice {
                replica,
                field,
                pos,
                delete,
                len,
            } => {
                let ins = marks.next(len);
                let r = &mut rs[replica].report;
                r.splice_text(P, TEXT_FIELDS[field], pos, delete, &ins)
                    .unwrap();
                typed.push(ins);
            }
            Step::GoalSplice {
                replica,
                goal,
                measure,
                pos,
                delete,
                len,
            } => {
                let r = &mut rs[replica].report;
                let goals = r.goals();
                let g = &goals[goal % goals.len()];
                let part = match measure {
                    Some(i) if !g.measures.is_empty() => {
                        GoalText::Measure(g.measures[i % g.measures.len()].id.clone())
                    }
                    _ => GoalText::Text,
                };
                let ins = marks.next(len);
                r.splice_goal_text(P, &g.id, part, pos, delete, &ins)
                    .unwrap();
                typed.push(ins);
            }
            Step::SetDate { replica, day } => {
                let date = day.map(|day| d(2025, 3, day));
                rs[replica]
                    .report
                    .set_date(P, "gesamtplan_vom", date)
                    .unwrap();
            }
            Step::SetRange { replica, from, to } => {
                let range = DateRange {
                    from: from.map(|day| d(2025, 1, day)),
                    to: to.map(|day| d(2025, 12, day)),
                };
                rs[replica]
                    .report
                    .set_date_range(P, "berichtszeitraum", range)
                    .unwrap();
            }
            Step::Rate {
                replica,
                goal,
                code,
            } => {
                let r = &mut rs[replica].report;
                let goals = r.goals();
                let g = &goals[goal % goals.len()];
                r.set_goal_achievement(P, &g.id, Some(&code.to_string()))
                    .unwrap();
            }
            Step::AddGoal { replica } => {
                rs[replica].report.add_goal(P).unwrap();
            }
            Step::AddMeasure { replica, goal } => {
                let r = &mut rs[replica].report;
                let goals = r.goals();
                let g = goals[goal % goals.len()].id.clone();
                r.add_measure(P, &g).unwrap();
            }
            Step::MoveGoal { replica, goal, to } => {
                let r = &mut rs[replica].report;
                let goals = r.goals();
                let g = goals[goal % goals.len()].id.clone();
                r.move_goal(P, &g, to).unwrap();
            }
            Step::Exchange { from, to, how } => {
                if from == to {
                    continue;
                }
                let (sender, receiver) = pair(&mut rs, from, to);
                match how {
                    Exchange::FullSave => {
                        let bytes = sender.report.save();
                        receiver.report.apply(&bytes).unwrap();
                    }
                    Exchange::Merge => receiver.report.merge(&mut sender.report).unwrap(),
                    Exchange::Chunks(mask, seed) => {
                        let mut chosen: Vec<&Vec<u8>> = sender
                            .outbox
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| mask >> (i % 64) & 1 == 1)
                            .map(|(_, c)| c)
                            .collect();
                        shuffle(&mut chosen, seed);
                        for chunk in chosen {
                            receiver.report.apply(chunk).unwrap();
                        }
                    }
                }
            }
        }
        for r in rs.iter_mut() {
            let chunk = r.report.save_incremental();
            if !chunk.is_empty() {
                r.outbox.push(chunk);
            }
        }
    }
    // Final exchange: everybody sends everybody every chunk, then a full save.
    for from in 0..replicas {
        for to in 0..replicas {
            if from != to {
                let (sender, receiver) = pair(&mut rs, from, to);
                for chunk in sender.outbox.clone().iter().rev() {
                    receiver.report.apply(chunk).unwrap();
                }
            }
        }
    }
    for from in 0..replicas {
        for to in 0..replicas {
            if from != to {
                let (sender, receiver) = pair(&mut rs, from, to);
                let bytes = sender.report.save();
                receiver.report.apply(&bytes).unwrap();
            }
        }
    }
    (rs, typed)
}

fn pair(rs: &mut [Replica], a: usize, b: usize) -> (&mut Replica, &mut Replica) {
    if a < b {
        let (x, y) = rs.split_at_mut(b);
        (&mut x[a], &mut y[0])
    } else {
        let (x, y) = rs.split_at_mut(a);
        (&mut y[0], &mut x[b])
    }
}

fn shuffle<T>(v: &mut [T], mut seed: u64) {
    for i in (1..v.len()).rev() {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = (seed >> 33) as usize % (i + 1);
        v.swap(i, j);
    }
}

fn all_text(r: &Report) -> String {
    let mut s = String::new();
    for f in TEXT_FIELDS {
        s.push_str(&r.text(f).unwrap());
    }
    for g in r.goals() {
        s.push_str(&g.text);
        for m in &g.measures {
            s.push_str(&m.text);
        }
    }
    s
}

fn assert_identical(rs: &mut [Replica]) -> std::result::Result<(), TestCaseError> {
    // Save bytes are not compared: automerge does not promise byte-identical saves for the same
    // set of changes. The same heads (hashes over every change) plus the same visible state,
    // conflicts included, and the same whole-document value are the stronger statement.
    let first = snapshot(&rs[0].report);
    let heads = rs[0].report.heads_hex();
    let whole = rs[0].report.doc_mut().document().hydrate(None);
    let bytes = rs[0].report.save();
    for r in rs.iter_mut().skip(1) {
        prop_assert_eq!(&snapshot(&r.report), &first);
        prop_assert_eq!(&r.report.heads_hex(), &heads);
        prop_assert!(
            r.report.doc_mut().document().hydrate(None) == whole,
            "documents differ"
        );
    }
    // And a reload shows the same.
    let reloaded = Report::load(&bytes).unwrap();
    prop_assert_eq!(&snapshot(&reloaded), &first);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn insertions_converge_and_keep_every_character(
        replicas in 2..4usize,
        steps in (2..4usize).prop_flat_map(|n| proptest::collection::vec(step(n, false), 1..40)),
    ) {
        let steps: Vec<Step> = steps.into_iter().filter(|s| in_range(s, replicas)).collect();
        let (mut rs, typed) = run(replicas, &steps);
        assert_identical(&mut rs)?;
        let text = all_text(&rs[0].report);
        for t in &typed {
            for ch in t.chars() {
                prop_assert_eq!(text.matches(ch).count(), 1, "character {:?} of {:?} lost or doubled", ch, t);
            }
            // A run typed in one splice stays together (it may be split only by a later
            // insertion *inside* it, which a replica can do after receiving it).
        }
        let total: usize = typed.iter().map(|t| t.chars().count()).sum();
        prop_assert_eq!(text.chars().filter(|c| *c as u32 >= 0x4E00).count(), total);
    }

    #[test]
    fn edits_with_deletions_converge(
        replicas in 2..4usize,
        steps in (2..4usize).prop_flat_map(|n| proptest::collection::vec(step(n, true), 1..40)),
    ) {
        let steps: Vec<Step> = steps.into_iter().filter(|s| in_range(s, replicas)).collect();
        let (mut rs, _) = run(replicas, &steps);
        assert_identical(&mut rs)?;
    }
}

/// Steps were generated for a replica count drawn separately; drop those naming a replica
/// that does not exist in this case.
fn in_range(s: &Step, n: usize) -> bool {
    match s {
        Step::Splice { replica, .. }
        | Step::GoalSplice { replica, .. }
        | Step::SetDate { replica, .. }
        | Step::SetRange { replica, .. }
        | Step::Rate { replica, .. }
        | Step::AddGoal { replica }
        | Step::AddMeasure { replica, .. }
        | Step::MoveGoal { replica, .. } => *replica < n,
        Step::Exchange { from, to, .. } => *from < n && *to < n,
    }
}

/// "Vom Gerät nehmen" drops a device's copy only when the relay's acknowledged heads cover
/// every change it holds: a word typed after the last acknowledgement keeps the copy.
#[test]
fn a_copy_is_covered_only_by_heads_that_hold_every_change_of_it() {
    let mut device = new_report();
    device.set_text(P, "lb_name", "Kiefer, Karla").unwrap();
    let acked = device.heads();
    assert!(device.is_covered_by(&acked));

    device
        .set_text(P, "entwicklung_freizeit", "Wasserfarben")
        .unwrap();
    assert!(
        !device.is_covered_by(&acked),
        "a change after the acknowledged heads is only on this device"
    );

    // The relay's copy (another replica) receives it: its heads cover the device again.
    let mut relay = device.fork();
    let relay_heads = relay.heads();
    assert!(device.is_covered_by(&relay_heads));

    // Heads this copy never saw (another report's) cover nothing.
    let mut other = new_report();
    other.set_text(P, "lb_name", "Anders").unwrap();
    assert!(!device.is_covered_by(&other.heads()));
    // Nothing acknowledged yet covers nothing of a report that has changes.
    assert!(!device.is_covered_by(&[]));
}
