//! Set-ups the unit tests of several modules share.

use crate::{builtin_templates, Report};

/// Two replicas of one new report: the creator and a device that loaded it.
pub(crate) fn pair() -> (Report, Report) {
    let templates = builtin_templates();
    let mut a = Report::create(&templates[0], "r1", 0).expect("create");
    let b = Report::load(&a.save()).expect("load");
    (a, b)
}
