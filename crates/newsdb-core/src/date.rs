//! Dates as scrapers write them → the day, `YYYY-MM-DD`. One parser for the header's date line and
//! JSON Lines' `published`/`date` fields, so both read the same formats.
//!
//! The day is taken as written: a timestamp with a time zone keeps its own calendar day (an article
//! published at 23:30 in New York is of that day, not of the next one in UTC). A day written with
//! the month and day in an order that cannot be told apart (`01/02/2022`) is not read: a wrong date
//! is worse than none.

use chrono::{DateTime, NaiveDate};

/// Formats of a day alone, tried in order.
const DAY_FORMATS: &[&str] = &[
    "%Y-%m-%d",      // 2022-01-18
    "%Y/%m/%d",      // 2022/01/18
    "%Y.%m.%d",      // 2022.01.18
    "%d.%m.%Y",      // 18.01.2022 (German and most of Europe)
    "%B %d, %Y",     // January 18, 2022 (and Jan 18, 2022)
    "%B %d %Y",      // January 18 2022
    "%d %B %Y",      // 18 January 2022
    "%d %B, %Y",     // 18 January, 2022
    "%A, %B %d, %Y", // Tuesday, January 18, 2022
    "%A, %d %B %Y",  // Tuesday, 18 January 2022
];

/// The day `text` names, if it is one of the formats above, `YYYYMMDD`, an RFC 3339 / ISO 8601
/// timestamp (`2022-01-18T10:00:00Z`, `2022-01-18 10:00`), or an RFC 2822 date
/// (`Tue, 18 Jan 2022 10:00:00 GMT`). `None` for anything else, and for days that do not exist.
pub fn day(text: &str) -> Option<String> {
    let text = text.trim();
    if text.len() < 6 || text.len() > 64 {
        return None;
    }
    let date = if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        NaiveDate::parse_from_str(text, "%Y%m%d").ok()
    } else {
        timestamp_day(text)
            .or_else(|| {
                DateTime::parse_from_rfc2822(text)
                    .ok()
                    .map(|d| d.date_naive())
            })
            .or_else(|| {
                let text = text.trim_end_matches('.');
                DAY_FORMATS
                    .iter()
                    .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
            })
    }?;
    Some(date.format("%Y-%m-%d").to_string())
}

/// The day of seconds since the Unix epoch, in UTC; milliseconds (13 digits) are read as such. Only
/// for fields that hold a number: a bare number on a text's date line is not taken for a date.
pub fn day_from_epoch(seconds: i64) -> Option<String> {
    let seconds = if seconds.abs() >= 100_000_000_000 {
        seconds / 1000
    } else {
        seconds
    };
    DateTime::from_timestamp(seconds, 0).map(|d| d.format("%Y-%m-%d").to_string())
}

/// `2022-01-18T10:00:00Z`, `2022-01-18 10:00`, `2022-01-18T10:00:00.123+05:00`: the day as written.
fn timestamp_day(text: &str) -> Option<NaiveDate> {
    let (day, rest) = text.split_at_checked(10)?;
    if !rest.starts_with(['T', 't', ' ']) || !rest[1..].starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_formats_scrapers_write_give_the_day_as_written() {
        for text in [
            "20220118",
            "2022-01-18",
            "2022/01/18",
            "18.01.2022",
            "January 18, 2022",
            "Jan 18, 2022",
            "18 January 2022",
            "Tuesday, January 18, 2022",
            "2022-01-18T10:00:00Z",
            "2022-01-18T23:30:00-05:00",
            "2022-01-18 10:00",
            "Tue, 18 Jan 2022 10:00:00 GMT",
            "Tue, 18 Jan 2022 23:30:00 -0500",
        ] {
            assert_eq!(day(text).as_deref(), Some("2022-01-18"), "{text}");
        }
    }

    #[test]
    fn what_is_not_a_day_is_none() {
        for text in [
            "20221345",
            "2022-02-30",
            "01/02/2022",
            "last Tuesday",
            "1642500000",
            "Harbour reopens after repairs",
            "",
        ] {
            assert_eq!(day(text), None, "{text}");
        }
    }

    #[test]
    fn epoch_seconds_and_milliseconds() {
        assert_eq!(day_from_epoch(1_642_500_000).as_deref(), Some("2022-01-18"));
        assert_eq!(
            day_from_epoch(1_642_500_000_000).as_deref(),
            Some("2022-01-18")
        );
    }
}
