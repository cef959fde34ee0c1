//! The sample reports used by the benchmark and the demo.

mod common;

use automerge::ReadDoc;
use common::*;
use dreieck_model::*;

#[test]
fn bench_report_has_the_requested_shape() {
    let mut r = sample::bench_report(3, 400);
    assert_eq!(r.goals().len(), 3);
    let changes = r.doc_mut().stats().num_changes as usize;
    // 400 keystrokes, plus creation, the scalars, 3 goal adds and the ratings.
    assert!((400..440).contains(&changes), "{changes} changes");
    let typed = chars(&r) - chars(&sample::bench_report(3, 0));
    assert!(
        typed < 400,
        "some edits were deletions ({typed} characters remain)"
    );
    assert!(typed > 300, "{typed}");
    let loaded = reload(&mut r);
    assert_eq!(loaded.goals(), r.goals());
    assert_eq!(loaded.title(), "Muster, Maria");
}

#[test]
fn bench_report_is_deterministic() {
    let a = sample::bench_report(2, 200);
    let b = sample::bench_report(2, 200);
    assert_eq!(snapshot(&a).values, snapshot(&b).values);
}

#[test]
fn demo_report_is_complete_but_unsigned() {
    let r = sample::demo_report("demo", T0).unwrap();
    assert_eq!(r.goals().len(), 5);
    assert!(validate_before_signing(&r, d(2026, 11, 23)).is_empty());
    assert!(sample::kvjs_template().is_ok());
}

/// All characters in long texts and goals.
fn chars(r: &Report) -> usize {
    r.template()
        .fields()
        .filter(|f| f.kind == FieldKind::LongText)
        .map(|f| r.text(&f.id).unwrap().chars().count())
        .sum::<usize>()
        + r.goals()
            .iter()
            .map(|g| g.text.chars().count() + g.measures_text().chars().count())
            .sum::<usize>()
}
