//! Temporal values of openCypher: date, local time, time, local datetime, datetime and duration.
//! It knows nothing of syntax or storage; storage encodes these through the `*_parts` accessors.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// A calendar date without time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

/// A time of day without offset, nanosecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalTime(pub NaiveTime);

/// A time of day with a UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Time {
    pub time: NaiveTime,
    pub offset_seconds: i32,
}

/// A date and time without time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDateTime(pub NaiveDateTime);

/// A date and time at an offset, optionally in a named time zone (`Europe/Stockholm`).
/// `local` is the wall-clock time at `offset_seconds`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateTime {
    pub local: NaiveDateTime,
    pub offset_seconds: i32,
    pub zone: Option<String>,
}

/// An openCypher duration: months, days, seconds and nanoseconds kept apart, as the language
/// does not convert between them without a reference date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Duration {
    pub months: i64,
    pub days: i64,
    pub seconds: i64,
    pub nanos: i32,
}

impl Date {
    /// Days since 1970-01-01.
    #[must_use]
    pub fn epoch_days(&self) -> i64 {
        i64::from(self.0.signed_duration_since(NaiveDate::default()).num_days() as i32)
    }

    #[must_use]
    pub fn from_epoch_days(days: i64) -> Option<Self> {
        NaiveDate::default()
            .checked_add_signed(chrono::TimeDelta::try_days(days)?)
            .map(Date)
    }
}

fn nanos_of_day(time: NaiveTime) -> i64 {
    i64::from(time.num_seconds_from_midnight()) * NANOS_PER_SECOND + i64::from(time.nanosecond())
}

fn time_from_nanos_of_day(nanos: i64) -> Option<NaiveTime> {
    if !(0..86_400 * NANOS_PER_SECOND).contains(&nanos) {
        return None;
    }
    let secs = u32::try_from(nanos / NANOS_PER_SECOND).ok()?;
    let sub = u32::try_from(nanos % NANOS_PER_SECOND).ok()?;
    NaiveTime::from_num_seconds_from_midnight_opt(secs, sub)
}

impl LocalTime {
    #[must_use]
    pub fn nanos_of_day(&self) -> i64 {
        nanos_of_day(self.0)
    }

    #[must_use]
    pub fn from_nanos_of_day(nanos: i64) -> Option<Self> {
        time_from_nanos_of_day(nanos).map(LocalTime)
    }
}

impl Time {
    #[must_use]
    pub fn nanos_of_day(&self) -> i64 {
        nanos_of_day(self.time)
    }

    #[must_use]
    pub fn from_parts(nanos_of_day: i64, offset_seconds: i32) -> Option<Self> {
        Some(Time { time: time_from_nanos_of_day(nanos_of_day)?, offset_seconds })
    }
}

impl LocalDateTime {
    /// Seconds since 1970-01-01T00:00 of the wall-clock time, read as if it were UTC.
    #[must_use]
    pub fn epoch_seconds(&self) -> i64 {
        self.0.and_utc().timestamp()
    }

    #[must_use]
    pub fn subsec_nanos(&self) -> u32 {
        self.0.nanosecond()
    }

    #[must_use]
    pub fn from_parts(epoch_seconds: i64, nanos: u32) -> Option<Self> {
        chrono::DateTime::from_timestamp(epoch_seconds, nanos).map(|utc| LocalDateTime(utc.naive_utc()))
    }
}

impl DateTime {
    /// Seconds since the Unix epoch of the instant (UTC).
    #[must_use]
    pub fn epoch_seconds(&self) -> i64 {
        self.local.and_utc().timestamp() - i64::from(self.offset_seconds)
    }

    #[must_use]
    pub fn subsec_nanos(&self) -> u32 {
        self.local.nanosecond()
    }

    #[must_use]
    pub fn from_parts(epoch_seconds: i64, nanos: u32, offset_seconds: i32, zone: Option<&str>) -> Option<Self> {
        let local = chrono::DateTime::from_timestamp(epoch_seconds.checked_add(i64::from(offset_seconds))?, nanos)?
            .naive_utc();
        Some(DateTime { local, offset_seconds, zone: zone.map(str::to_owned) })
    }
}
