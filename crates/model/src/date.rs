use std::fmt;

use crate::error::ModelError;

/// A calendar date, stored in the document as ISO text (`2026-11-23`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub time::Date);

impl Date {
    /// Parses `JJJJ-MM-TT`, the value of an `<input type="date">` (surrounding whitespace is
    /// ignored; the year may carry a sign, as in `time`'s `[year]-[month]-[day]`).
    ///
    /// Hand-written rather than `time`'s format descriptions: their parser and formatter
    /// machinery cost the browser app about 10 KB (brotli) for this one format.
    pub fn parse_iso(s: &str) -> Result<Date, ModelError> {
        split_iso(s.trim().as_bytes())
            .and_then(|(year, month, day)| {
                let month = time::Month::try_from(month).ok()?;
                time::Date::from_calendar_date(year, month, day).ok()
            })
            .map(Date)
            .ok_or_else(|| ModelError::InvalidDate(s.to_string()))
    }

    pub fn from_ymd(year: i32, month: u8, day: u8) -> Result<Date, ModelError> {
        let m = time::Month::try_from(month)
            .map_err(|_| ModelError::InvalidDate(format!("{year}-{month}-{day}")))?;
        time::Date::from_calendar_date(year, m, day)
            .map(Date)
            .map_err(|_| ModelError::InvalidDate(format!("{year}-{month}-{day}")))
    }

    /// `2026-11-23`: four-digit year (with `-` before a year BC), two-digit month and day.
    pub fn iso(&self) -> String {
        let (sign, year, month, day) = self.parts();
        format!("{sign}{year:04}-{month:02}-{day:02}")
    }

    /// German notation, `23.11.2026`.
    pub fn german(&self) -> String {
        let (sign, year, month, day) = self.parts();
        format!("{day:02}.{month:02}.{sign}{year:04}")
    }

    /// As it is read aloud and written in plain language: `3. März 2026`.
    pub fn spoken(&self) -> String {
        const MONTHS: [&str; 12] = [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ];
        let (sign, year, month, day) = self.parts();
        let name = MONTHS[usize::from(month.clamp(1, 12)) - 1];
        format!("{day}. {name} {sign}{year}")
    }

    fn parts(&self) -> (&'static str, u32, u8, u8) {
        let year = self.0.year();
        let sign = if year < 0 { "-" } else { "" };
        (
            sign,
            year.unsigned_abs(),
            u8::from(self.0.month()),
            self.0.day(),
        )
    }
}

/// Splits `[+|-]YYYY-MM-DD` (exactly four, two and two ASCII digits) into its numbers, without
/// checking that they make a date.
fn split_iso(s: &[u8]) -> Option<(i32, u8, u8)> {
    let (negative, rest) = match s {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, s),
    };
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *rest else {
        return None;
    };
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(number(&[y0, y1, y2, y3])?).ok()?;
    let month = u8::try_from(number(&[m0, m1])?).ok()?;
    let day = u8::try_from(number(&[d0, d1])?).ok()?;
    Some((if negative { -year } else { year }, month, day))
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.german())
    }
}

/// Both ends of a period; either may still be empty while the form is filled in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateRange {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

#[cfg(test)]
mod tests {
    use super::Date;
    use crate::ModelError;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::from_ymd(y, m, day).unwrap()
    }

    #[test]
    fn parses_iso() {
        assert_eq!(Date::parse_iso("2026-11-23").unwrap(), d(2026, 11, 23));
        assert_eq!(Date::parse_iso("  2024-02-29\n").unwrap(), d(2024, 2, 29));
        assert_eq!(Date::parse_iso("0001-01-01").unwrap(), d(1, 1, 1));
        assert_eq!(Date::parse_iso("+2026-01-05").unwrap(), d(2026, 1, 5));
        assert_eq!(Date::parse_iso("-0044-03-15").unwrap(), d(-44, 3, 15));
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for s in [
            "",
            "2026",
            "2026-1-05",
            "2026-01-5",
            "26-01-05",
            "02026-01-05",
            "2026-01-05x",
            "2026/01/05",
            "2026-13-01",
            "2026-00-10",
            "2026-02-30",
            "2023-02-29",
            "2026-04-31",
            "2026-01-00",
            "2026-01-+5",
            "2026-+1-05",
            "+-2026-01-05",
            "２026-01-05",
            "23.11.2026",
        ] {
            match Date::parse_iso(s) {
                Err(ModelError::InvalidDate(v)) => assert_eq!(v, s),
                other => panic!("{s:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn formats_iso_and_german() {
        assert_eq!(d(2026, 1, 5).iso(), "2026-01-05");
        assert_eq!(d(2026, 1, 5).german(), "05.01.2026");
        assert_eq!(d(2026, 1, 5).to_string(), "05.01.2026");
        assert_eq!(d(33, 12, 31).iso(), "0033-12-31");
        assert_eq!(d(-44, 3, 15).iso(), "-0044-03-15");
        assert_eq!(d(-44, 3, 15).german(), "15.03.-0044");
    }

    #[test]
    fn iso_round_trips() {
        for s in [
            "2026-11-23",
            "2000-02-29",
            "0000-01-01",
            "9999-12-31",
            "-0001-06-30",
        ] {
            assert_eq!(Date::parse_iso(s).unwrap().iso(), s);
        }
    }
}
