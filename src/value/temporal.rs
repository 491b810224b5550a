//! Temporal values of openCypher: date, local time, time, local datetime, datetime and duration,
//! with the semantics the TCK's temporal features exercise.
//!
//! This file holds the types, the accessors storage encodes them through (`epoch_days`,
//! `nanos_of_day`, `epoch_seconds`/`subsec_nanos`, `from_parts`), time zones, clocks and the
//! ISO 8601 printing. The submodules add the rest:
//! - `parse`: every ISO 8601 string form (`2015-W30-2`, `214032.142+0100`, `P1Y2M`, ...);
//! - `construct`: construction from maps (`{year, week, dayOfWeek}`, `{date: d, day: 28}`, ...);
//! - `fields`: property access (`d.year`, `dur.minutesOfHour`, ...);
//! - `arith`: `temporal ± duration`, `duration.between/inMonths/inDays/inSeconds`, `truncate`;
//! - `duration`: the duration type's arithmetic, parsing and printing.
//!
//! How an executor maps openCypher onto this API (every temporal function returns null for a
//! null argument; callers check that before calling):
//!
//! | openCypher | API |
//! |---|---|
//! | `date(x)` for a string, map or temporal (likewise `localtime`, `time`, `localdatetime`, `datetime`, `duration`) | `Date::from_value(&x)` |
//! | `date()`, `date.transaction/statement/realtime([tz])` | `Date::current(&now, tz)` with one `now` per statement |
//! | `datetime.fromepoch(s, ns)`, `datetime.fromepochmillis(ms)` | `DateTime::from_epoch(s, ns, None)`, `DateTime::from_epoch_millis(ms)` |
//! | `date.truncate(unit, x[, map])` (and the other types) | `Date::truncate(TemporalUnit::parse(unit)?, &x, map)` |
//! | `duration.between/inMonths/inDays/inSeconds(a, b)` | `Duration::between/in_months/in_days/in_seconds(&a, &b)` |
//! | `x + d`, `x - d` (`d + x` too) | `temporal::add_duration(&x, &d)`, `temporal::subtract_duration(&x, &d)` |
//! | `d1 - d2`, `-d`, `d * n`, `d / n` | `Duration::checked_sub`, `checked_neg`, `checked_mul_int`/`checked_mul_float`, `checked_div` |
//! | `x.year`, `d.minutesOfHour`, ... | `temporal::property(&x, "year")` |
//! | `toString(x)` | `Value::to_cypher_string` |
//!
//! It knows nothing of syntax, plans or storage. Years are limited to chrono's range (about
//! ±262,000); anything beyond is a [`ValueError::Overflow`], never a panic. Tests are in
//! `tests/value.rs` (including a runner over the TCK's temporal scenarios).

mod arith;
mod construct;
mod duration;
mod fields;
mod parse;

use std::cmp::Ordering;
use std::fmt;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike};

use super::ValueError;

pub use arith::{TemporalUnit, add_duration, subtract_duration};
pub use fields::property;

pub(crate) const NANOS_PER_SECOND: i64 = 1_000_000_000;
pub(crate) const NANOS_PER_DAY: i64 = 86_400 * NANOS_PER_SECOND;
const SECONDS_PER_DAY: i64 = 86_400;
/// The largest offset a time zone may have, as in ISO 8601 and java.time.
const MAX_OFFSET_SECONDS: i32 = 18 * 3600;

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
///
/// Invariant: when `zone` is set it names a time zone chrono-tz knows, and `offset_seconds` is
/// that zone's offset at the instant; constructors in this module keep it so.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateTime {
    pub local: NaiveDateTime,
    pub offset_seconds: i32,
    pub zone: Option<String>,
}

/// An openCypher duration: months, days, seconds and nanoseconds kept apart, as the language
/// does not convert between them without a reference date.
///
/// Invariant: `0 <= nanos < 1_000_000_000`; a negative sub-second part borrows from `seconds`
/// (`-0.1s` is `seconds: -1, nanos: 900_000_000`). Constructors and arithmetic keep it, so the
/// derived equality is the openCypher equality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Duration {
    pub months: i64,
    pub days: i64,
    pub seconds: i64,
    pub nanos: i32,
}

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const EPOCH_FROM_CE: i64 = 719_163;

impl Date {
    /// Days since 1970-01-01.
    #[must_use]
    pub fn epoch_days(&self) -> i64 {
        i64::from(self.0.num_days_from_ce()) - EPOCH_FROM_CE
    }

    #[must_use]
    pub fn from_epoch_days(days: i64) -> Option<Self> {
        let days = i32::try_from(days.checked_add(EPOCH_FROM_CE)?).ok()?;
        NaiveDate::from_num_days_from_ce_opt(days).map(Date)
    }

    /// The date of a calendar day, or an error naming the field out of range.
    pub fn from_ymd(year: i64, month: i64, day: i64) -> Result<Self, ValueError> {
        let year = checked_year(year)?;
        let month = u32::try_from(month)
            .ok()
            .filter(|m| (1..=12).contains(m))
            .ok_or_else(|| ValueError::range("month", month))?;
        let day_u = u32::try_from(day).map_err(|_| ValueError::range("day", day))?;
        NaiveDate::from_ymd_opt(year, month, day_u)
            .map(Date)
            .ok_or_else(|| ValueError::range("day", day))
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
        Some(Time {
            time: time_from_nanos_of_day(nanos_of_day)?,
            offset_seconds,
        })
    }

    /// Nanoseconds of the day at UTC, without wrapping: it may be negative or exceed a day.
    /// Times compare by this value (openCypher compares times by instant).
    #[must_use]
    pub fn utc_nanos(&self) -> i64 {
        self.nanos_of_day() - i64::from(self.offset_seconds) * NANOS_PER_SECOND
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
        chrono::DateTime::from_timestamp(epoch_seconds, nanos)
            .map(|utc| LocalDateTime(utc.naive_utc()))
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
    pub fn from_parts(
        epoch_seconds: i64,
        nanos: u32,
        offset_seconds: i32,
        zone: Option<&str>,
    ) -> Option<Self> {
        // Both the instant and the wall-clock time must be representable.
        chrono::DateTime::from_timestamp(epoch_seconds, nanos)?;
        let local = chrono::DateTime::from_timestamp(
            epoch_seconds.checked_add(i64::from(offset_seconds))?,
            nanos,
        )?
        .naive_utc();
        Some(DateTime {
            local,
            offset_seconds,
            zone: zone.map(str::to_owned),
        })
    }

    /// The instant as UTC wall-clock time.
    #[must_use]
    pub fn utc(&self) -> NaiveDateTime {
        // Constructors keep the instant inside chrono's range (`Zone::at_local`, `from_parts`);
        // a hand-built value at the very edge saturates rather than panics.
        self.local
            .checked_sub_signed(chrono::TimeDelta::seconds(i64::from(self.offset_seconds)))
            .unwrap_or(self.local)
    }

    /// The instant in whole nanoseconds since the epoch (i128: never overflows in chrono's range).
    #[must_use]
    pub fn epoch_nanos(&self) -> i128 {
        i128::from(self.epoch_seconds()) * i128::from(NANOS_PER_SECOND)
            + i128::from(self.subsec_nanos())
    }

    /// The datetime of an instant (seconds and nanoseconds since the epoch) in a zone; `None`
    /// means UTC.
    pub fn from_epoch(seconds: i64, nanos: i64, zone: Option<&Zone>) -> Result<Self, ValueError> {
        let extra = nanos.div_euclid(NANOS_PER_SECOND);
        let seconds = seconds
            .checked_add(extra)
            .ok_or(ValueError::Overflow("datetime"))?;
        let nanos = u32::try_from(nanos.rem_euclid(NANOS_PER_SECOND))
            .map_err(|_| ValueError::Overflow("datetime"))?;
        let utc = chrono::DateTime::from_timestamp(seconds, nanos)
            .ok_or(ValueError::Overflow("datetime"))?
            .naive_utc();
        Zone::or_utc(zone).at_utc(utc)
    }

    /// The datetime of an instant given in milliseconds since the epoch, at UTC.
    pub fn from_epoch_millis(millis: i64) -> Result<Self, ValueError> {
        Self::from_epoch(
            millis.div_euclid(1000),
            millis.rem_euclid(1000) * 1_000_000,
            None,
        )
    }

    /// The current instant of the system clock, at UTC. Executors read it once per statement
    /// (or take it pinned from the caller) and derive `date()`, `localtime()`, ... from it with
    /// the `current` constructors, so one statement sees one "now".
    #[must_use]
    pub fn now() -> Self {
        DateTime {
            local: chrono::Utc::now().naive_utc(),
            offset_seconds: 0,
            zone: None,
        }
    }

    /// `datetime()` / `datetime.statement(tz)`: the instant `now` seen in `timezone` (a zone
    /// name or offset; `None` keeps `now`'s own zone).
    pub fn current(now: &DateTime, timezone: Option<&str>) -> Result<Self, ValueError> {
        match timezone {
            None => Ok(now.clone()),
            Some(name) => Zone::parse(name)?.at_utc(now.utc()),
        }
    }

    /// The zone of this datetime: the named zone if any, else its fixed offset.
    #[must_use]
    pub fn zone(&self) -> Zone {
        self.zone
            .as_deref()
            .and_then(|name| name.parse::<chrono_tz::Tz>().ok())
            .map_or(Zone::Offset(self.offset_seconds), Zone::Named)
    }

    /// The same instant seen in another zone.
    pub fn with_zone_same_instant(&self, zone: &Zone) -> Result<Self, ValueError> {
        zone.at_utc(self.utc())
    }
}

impl Date {
    /// `date()` / `date.statement(tz)`: the calendar date of `now` in `timezone`.
    pub fn current(now: &DateTime, timezone: Option<&str>) -> Result<Self, ValueError> {
        Ok(Date(DateTime::current(now, timezone)?.local.date()))
    }
}

impl LocalTime {
    /// `localtime()`: the wall-clock time of `now` in `timezone`.
    pub fn current(now: &DateTime, timezone: Option<&str>) -> Result<Self, ValueError> {
        Ok(LocalTime(DateTime::current(now, timezone)?.local.time()))
    }
}

impl Time {
    /// `time()`: the time of day and offset of `now` in `timezone`.
    pub fn current(now: &DateTime, timezone: Option<&str>) -> Result<Self, ValueError> {
        let dt = DateTime::current(now, timezone)?;
        Ok(Time {
            time: dt.local.time(),
            offset_seconds: dt.offset_seconds,
        })
    }
}

impl LocalDateTime {
    /// `localdatetime()`: the wall-clock date and time of `now` in `timezone`.
    pub fn current(now: &DateTime, timezone: Option<&str>) -> Result<Self, ValueError> {
        Ok(LocalDateTime(DateTime::current(now, timezone)?.local))
    }
}

/// A time zone: a fixed offset or a named zone of the tz database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// A fixed offset from UTC in seconds; 0 prints as `Z`.
    Offset(i32),
    /// A named zone (`Europe/Stockholm`) whose offset depends on the instant.
    Named(chrono_tz::Tz),
}

impl Zone {
    /// Parses `Z`, an offset (`+01`, `+0100`, `+01:00`, `-02:05:59`) or a zone name.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        if text.eq_ignore_ascii_case("z") {
            return Ok(Zone::Offset(0));
        }
        if text.starts_with(['+', '-']) {
            return parse::offset_exact(text)
                .map(Zone::Offset)
                .ok_or_else(|| ValueError::UnknownTimeZone(text.to_owned()));
        }
        text.parse::<chrono_tz::Tz>()
            .map(Zone::Named)
            .map_err(|_| ValueError::UnknownTimeZone(text.to_owned()))
    }

    fn or_utc(zone: Option<&Zone>) -> Zone {
        zone.copied().unwrap_or(Zone::Offset(0))
    }

    /// The name a datetime stores: the zone name for named zones, none for offsets.
    fn name(&self) -> Option<String> {
        match self {
            Zone::Offset(_) => None,
            Zone::Named(tz) => Some(tz.name().to_owned()),
        }
    }

    /// The datetime of a UTC instant in this zone; an error when the wall-clock time falls
    /// outside chrono's range.
    fn at_utc(&self, utc: NaiveDateTime) -> Result<DateTime, ValueError> {
        let offset_seconds = match self {
            Zone::Offset(seconds) => *seconds,
            Zone::Named(tz) => tz.offset_from_utc_datetime(&utc).fix().local_minus_utc(),
        };
        let local = utc
            .checked_add_signed(chrono::TimeDelta::seconds(i64::from(offset_seconds)))
            .ok_or(ValueError::Overflow("datetime"))?;
        Ok(DateTime {
            local,
            offset_seconds,
            zone: self.name(),
        })
    }

    /// The datetime of a wall-clock time in this zone. As in java.time, an ambiguous time (the
    /// hour repeated when clocks go back) takes the earlier offset, and a time in a gap (when
    /// clocks go forward) moves later by the length of the gap. An error when the instant falls
    /// outside chrono's range.
    fn at_local(&self, local: NaiveDateTime) -> Result<DateTime, ValueError> {
        let offset_seconds = match self {
            Zone::Offset(seconds) => *seconds,
            Zone::Named(tz) => match tz.offset_from_local_datetime(&local) {
                chrono::LocalResult::Single(offset) | chrono::LocalResult::Ambiguous(offset, _) => {
                    offset.fix().local_minus_utc()
                }
                chrono::LocalResult::None => {
                    // In a gap: use the offset in force before the transition.
                    let before = local
                        .checked_sub_signed(chrono::TimeDelta::days(1))
                        .ok_or(ValueError::Overflow("datetime"))?;
                    let offset = tz.offset_from_utc_datetime(&before).fix().local_minus_utc();
                    let utc = local
                        .checked_sub_signed(chrono::TimeDelta::seconds(i64::from(offset)))
                        .ok_or(ValueError::Overflow("datetime"))?;
                    return self.at_utc(utc);
                }
            },
        };
        // Keep the invariant that the instant is representable too (see `DateTime::utc`).
        local
            .checked_sub_signed(chrono::TimeDelta::seconds(i64::from(offset_seconds)))
            .ok_or(ValueError::Overflow("datetime"))?;
        Ok(DateTime {
            local,
            offset_seconds,
            zone: self.name(),
        })
    }

    /// The offset this zone has at the wall-clock time `local` (used for `Time` from a named
    /// zone: the offset of today's date).
    fn offset_at_local(&self, local: NaiveDateTime) -> Result<i32, ValueError> {
        Ok(self.at_local(local)?.offset_seconds)
    }
}

pub(crate) fn checked_year(year: i64) -> Result<i32, ValueError> {
    i32::try_from(year)
        .ok()
        .filter(|y| (NaiveDate::MIN.year()..=NaiveDate::MAX.year()).contains(y))
        .ok_or(ValueError::Overflow("year"))
}

pub(crate) fn check_offset(seconds: i64) -> Result<i32, ValueError> {
    i32::try_from(seconds)
        .ok()
        .filter(|s| s.abs() <= MAX_OFFSET_SECONDS)
        .ok_or_else(|| {
            ValueError::UnknownTimeZone(format_offset(i32::try_from(seconds).unwrap_or(i32::MAX)))
        })
}

// ---------------------------------------------------------------------------------------------
// Printing: ISO 8601 as openCypher (and java.time) print it.

fn write_date(f: &mut fmt::Formatter<'_>, date: NaiveDate) -> fmt::Result {
    let year = date.year();
    if year > 9999 {
        write!(f, "+{year}")?;
    } else if year < 0 {
        write!(f, "-{:04}", -i64::from(year))?;
    } else {
        write!(f, "{year:04}")?;
    }
    write!(f, "-{:02}-{:02}", date.month(), date.day())
}

/// `HH:MM`, then `:SS` if seconds or nanoseconds are set, then the fraction without trailing
/// zeros (`12:31:14.645`, `12:00`).
fn write_time(f: &mut fmt::Formatter<'_>, time: NaiveTime) -> fmt::Result {
    write!(f, "{:02}:{:02}", time.hour(), time.minute())?;
    let nanos = time.nanosecond();
    if time.second() != 0 || nanos != 0 {
        write!(f, ":{:02}", time.second())?;
        write_fraction(f, nanos)?;
    }
    Ok(())
}

fn write_fraction(f: &mut fmt::Formatter<'_>, nanos: u32) -> fmt::Result {
    if nanos == 0 {
        return Ok(());
    }
    let digits = format!("{nanos:09}");
    write!(f, ".{}", digits.trim_end_matches('0'))
}

/// `Z` for zero, else `+HH:MM` with `:SS` when the offset has seconds.
#[must_use]
pub fn format_offset(seconds: i32) -> String {
    if seconds == 0 {
        return "Z".to_owned();
    }
    format_offset_signed(seconds)
}

/// `+HH:MM` (`+00:00` for zero, as the `offset` property prints it).
fn format_offset_signed(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs / 60 % 60, abs % 60);
    if s == 0 {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}:{m:02}:{s:02}")
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_date(f, self.0)
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_time(f, self.0)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_time(f, self.time)?;
        f.write_str(&format_offset(self.offset_seconds))
    }
}

impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_date(f, self.0.date())?;
        f.write_str("T")?;
        write_time(f, self.0.time())
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_date(f, self.local.date())?;
        f.write_str("T")?;
        write_time(f, self.local.time())?;
        f.write_str(&format_offset(self.offset_seconds))?;
        if let Some(zone) = &self.zone {
            write!(f, "[{zone}]")?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Ordering: times and datetimes by instant, then by offset and zone so the order is total and
// agrees with equality.

impl Time {
    /// Total order: by instant (`utc_nanos`), then by offset.
    #[must_use]
    pub fn order(&self, other: &Time) -> Ordering {
        self.utc_nanos()
            .cmp(&other.utc_nanos())
            .then(self.offset_seconds.cmp(&other.offset_seconds))
    }
}

impl DateTime {
    /// Total order: by instant, then by offset, then by zone name.
    #[must_use]
    pub fn order(&self, other: &DateTime) -> Ordering {
        self.epoch_nanos()
            .cmp(&other.epoch_nanos())
            .then(self.offset_seconds.cmp(&other.offset_seconds))
            .then_with(|| self.zone.cmp(&other.zone))
    }
}

impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Time {
    fn cmp(&self, other: &Self) -> Ordering {
        self.order(other)
    }
}

impl PartialOrd for DateTime {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for DateTime {
    fn cmp(&self, other: &Self) -> Ordering {
        self.order(other)
    }
}

// Helpers shared by the submodules.

fn date_of(date: NaiveDate, time: NaiveTime) -> NaiveDateTime {
    NaiveDateTime::new(date, time)
}

fn days_delta(days: i64) -> Result<chrono::TimeDelta, ValueError> {
    chrono::TimeDelta::try_days(days).ok_or(ValueError::Overflow("date"))
}

fn add_days(date: NaiveDate, days: i64) -> Result<NaiveDate, ValueError> {
    date.checked_add_signed(days_delta(days)?)
        .ok_or(ValueError::Overflow("date"))
}

fn add_nanos(dt: NaiveDateTime, nanos: i128) -> Result<NaiveDateTime, ValueError> {
    let secs = i64::try_from(nanos.div_euclid(i128::from(NANOS_PER_SECOND)))
        .map_err(|_| ValueError::Overflow("datetime"))?;
    let sub = i64::try_from(nanos.rem_euclid(i128::from(NANOS_PER_SECOND)))
        .map_err(|_| ValueError::Overflow("datetime"))?;
    let delta = chrono::TimeDelta::try_seconds(secs)
        .and_then(|d| d.checked_add(&chrono::TimeDelta::nanoseconds(sub)))
        .ok_or(ValueError::Overflow("datetime"))?;
    dt.checked_add_signed(delta)
        .ok_or(ValueError::Overflow("datetime"))
}

/// Adds months, clamping the day to the end of a shorter month (Jan 31 + 1 month = Feb 29).
fn add_months(date: NaiveDate, months: i64) -> Result<NaiveDate, ValueError> {
    let total = i64::from(date.year())
        .checked_mul(12)
        .and_then(|m| m.checked_add(i64::from(date.month0())))
        .and_then(|m| m.checked_add(months))
        .ok_or(ValueError::Overflow("date"))?;
    let year = checked_year(total.div_euclid(12))?;
    let month0 = u32::try_from(total.rem_euclid(12)).map_err(|_| ValueError::Overflow("date"))?;
    let last = last_day_of_month(year, month0 + 1)?;
    NaiveDate::from_ymd_opt(year, month0 + 1, date.day().min(last))
        .ok_or(ValueError::Overflow("date"))
}

fn last_day_of_month(year: i32, month: u32) -> Result<u32, ValueError> {
    (28..=31)
        .rev()
        .find(|&d| NaiveDate::from_ymd_opt(year, month, d).is_some())
        .ok_or(ValueError::Overflow("date"))
}

const _: () = assert!(SECONDS_PER_DAY * NANOS_PER_SECOND == NANOS_PER_DAY);
