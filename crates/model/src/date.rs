use std::fmt;

use time::macros::format_description;

use crate::error::ModelError;

/// A calendar date, stored in the document as ISO text (`2026-11-23`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub time::Date);

impl Date {
    /// Parses `JJJJ-MM-TT`, the value of an `<input type="date">`.
    pub fn parse_iso(s: &str) -> Result<Date, ModelError> {
        time::Date::parse(s.trim(), format_description!("[year]-[month]-[day]"))
            .map(Date)
            .map_err(|_| ModelError::InvalidDate(s.to_string()))
    }

    pub fn from_ymd(year: i32, month: u8, day: u8) -> Result<Date, ModelError> {
        let m = time::Month::try_from(month)
            .map_err(|_| ModelError::InvalidDate(format!("{year}-{month}-{day}")))?;
        time::Date::from_calendar_date(year, m, day)
            .map(Date)
            .map_err(|_| ModelError::InvalidDate(format!("{year}-{month}-{day}")))
    }

    pub fn iso(&self) -> String {
        self.0
            .format(format_description!("[year]-[month]-[day]"))
            .unwrap_or_default()
    }

    /// German notation, `23.11.2026`.
    pub fn german(&self) -> String {
        self.0
            .format(format_description!("[day].[month].[year]"))
            .unwrap_or_default()
    }
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
