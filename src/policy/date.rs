//! Calendar dates for exception expiry (`YYYY-MM-DD`), without a date-time dependency: only the
//! proleptic Gregorian calendar and a day count are needed.

use std::fmt;
use std::str::FromStr;

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// The error for anything that is not a real `YYYY-MM-DD` date.
pub const DATE_ERROR: &str = "must be a date written YYYY-MM-DD (e.g. 2026-03-31)";

impl Date {
    /// `None` unless `year-month-day` exists in the calendar.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Date { year, month, day })
    }

    /// Today in UTC, from the system clock.
    pub fn today_utc() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days((secs / 86_400) as i64)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: year as i32,
            month,
            day,
        }
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.days() - self.days()
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl FromStr for Date {
    type Err = &'static str;

    /// Exactly `YYYY-MM-DD`: four-digit year, two-digit month and day, a real date.
    fn from_str(s: &str) -> Result<Date, Self::Err> {
        let b = s.as_bytes();
        let shape = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape {
            return Err(DATE_ERROR);
        }
        let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().map_err(|_| DATE_ERROR);
        let year = i32::try_from(num(0..4)?).map_err(|_| DATE_ERROR)?;
        Date::new(year, num(5..7)?, num(8..10)?).ok_or(DATE_ERROR)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_real_dates() {
        assert_eq!("2024-02-29".parse(), Ok(Date::new(2024, 2, 29).unwrap()));
        for bad in [
            "2023-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-04-31",
            "2025-1-01",
            "25-01-01",
            "2025/01/01",
            "2025-01-01 ",
            "",
            "2100-02-29",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
        assert_eq!(Date::new(2026, 3, 5).unwrap().to_string(), "2026-03-05");
    }

    #[test]
    fn day_counts_round_trip() {
        assert_eq!(Date::new(1970, 1, 1).unwrap().days(), 0);
        assert_eq!(Date::new(2000, 3, 1).unwrap().days(), 11_017);
        for days in [-1000, 0, 59, 10_000, 20_000, 30_000] {
            assert_eq!(Date::from_days(days).days(), days);
        }
        let a = Date::new(2025, 12, 25).unwrap();
        let b = Date::new(2026, 1, 8).unwrap();
        assert_eq!(a.days_until(b), 14);
        assert_eq!(b.days_until(a), -14);
    }
}
