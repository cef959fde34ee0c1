//! How long a submitted report is kept: a form may set a retention period in years after the
//! submission (`Template::retention_years`), the organisation's rule for that kind of record.
//! The case list reminds before it runs out. A shared report is then deleted everywhere by
//! the relay, with a deletion a device that may delete signed in advance at the submission
//! (`Report::sign_retention_deletion`, checked on each device's own clock and copy); one only
//! on this device is marked for deletion by a person.

use crate::{Date, Report};

/// How long before the end the case list starts to remind.
pub const REMIND_DAYS: i64 = 90;
/// The longest period a form may set; more is a typing error, not a rule.
pub const MAX_RETENTION_YEARS: u16 = 50;

/// Where a report stands against its retention period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retention {
    /// Ends on that day, more than [`REMIND_DAYS`] away.
    Until(Date),
    /// Ends on that day, within [`REMIND_DAYS`].
    EndsSoon(Date),
    /// Ended on that day: the report is to be deleted.
    Ended(Date),
}

impl Retention {
    pub fn date(self) -> Date {
        match self {
            Retention::Until(d) | Retention::EndsSoon(d) | Retention::Ended(d) => d,
        }
    }

    /// Judged against `today`.
    pub fn on(end: Date, today: Date) -> Retention {
        let days = (end.0 - today.0).whole_days();
        if days <= 0 {
            Retention::Ended(end)
        } else if days <= REMIND_DAYS {
            Retention::EndsSoon(end)
        } else {
            Retention::Until(end)
        }
    }
}

/// `date` plus `years` calendar years; 29 February becomes 28 February in a common year.
pub fn years_after(date: Date, years: u16) -> Option<Date> {
    let year = date.0.year().checked_add(i32::from(years))?;
    let day = date.0.day().min(date.0.month().length(year));
    time::Date::from_calendar_date(year, date.0.month(), day)
        .ok()
        .map(Date)
}

impl Report {
    /// The last day the report is to be kept: the submission date plus the form's retention
    /// period. `None` while it is not submitted or the form sets no period.
    pub fn retention_end(&self) -> Option<Date> {
        let years = self.template().retention_years?;
        years_after(self.submission()?.date, years)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    #[test]
    fn years_after_keeps_the_day_and_the_leap_day_falls_back_to_the_28th() {
        assert_eq!(years_after(d("2026-03-15"), 10), Some(d("2036-03-15")));
        assert_eq!(years_after(d("2028-02-29"), 1), Some(d("2029-02-28")));
        assert_eq!(years_after(d("2028-02-29"), 4), Some(d("2032-02-29")));
    }

    #[test]
    fn the_reminder_starts_ninety_days_before_the_end() {
        let end = d("2027-06-30");
        assert_eq!(Retention::on(end, d("2027-01-01")), Retention::Until(end));
        assert_eq!(
            Retention::on(end, d("2027-04-01")),
            Retention::EndsSoon(end)
        );
        assert_eq!(
            Retention::on(end, d("2027-06-29")),
            Retention::EndsSoon(end)
        );
        assert_eq!(Retention::on(end, d("2027-06-30")), Retention::Ended(end));
        assert_eq!(Retention::on(end, d("2030-01-01")), Retention::Ended(end));
    }
}
