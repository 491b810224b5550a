//! Temporal arithmetic: `temporal ± duration`, `duration.between` and its `inMonths`, `inDays`,
//! `inSeconds` variants, and `truncate` for every temporal type.
//!
//! Adding a duration adds its months (clamping the day to the month's end), then its days, then
//! its seconds; a date ignores the part of the seconds below a whole day, a time ignores months
//! and days and wraps around midnight. A datetime in a named zone adds months and days on the
//! wall clock and seconds on the instant, as java.time does.
//!
//! `between(a, b)` counts whole months, then whole days, then the remaining time, each towards
//! zero, on the wall clock of one zone (the first side's, else the second's), with the remaining
//! time measured between instants. When either side has no date only times of day are
//! compared: as instants when both have offsets, and a time facing a datetime is placed on that
//! datetime's date, so a daylight saving shift counts.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use super::{
    Date, DateTime, Duration, LocalDateTime, LocalTime, NANOS_PER_DAY, NANOS_PER_SECOND, Time,
    Zone, add_days, add_months, add_nanos, checked_year, date_of,
};
use crate::value::{Map, Value, ValueError};

/// `temporal + duration` (and `duration + duration`); a type error for any other left side.
pub fn add_duration(value: &Value, duration: &Duration) -> Result<Value, ValueError> {
    Ok(match value {
        Value::Date(d) => Value::Date(d.plus(duration)?),
        Value::LocalTime(t) => Value::LocalTime(t.plus(duration)?),
        Value::Time(t) => Value::Time(t.plus(duration)?),
        Value::LocalDateTime(dt) => Value::LocalDateTime(dt.plus(duration)?),
        Value::DateTime(dt) => Value::DateTime(dt.plus(duration)?),
        Value::Duration(d) => Value::Duration(d.checked_add(duration)?),
        other => {
            return Err(ValueError::TypeMismatch {
                expected: "a temporal value",
                found: other.type_name(),
            });
        }
    })
}

/// `temporal - duration`.
pub fn subtract_duration(value: &Value, duration: &Duration) -> Result<Value, ValueError> {
    add_duration(value, &duration.checked_neg()?)
}

impl Date {
    /// `date + duration`: months, days, then whole days of the seconds part.
    pub fn plus(&self, duration: &Duration) -> Result<Self, ValueError> {
        let date = add_months(self.0, duration.months)?;
        let extra_days = i64::try_from(duration.total_nanos() / i128::from(NANOS_PER_DAY))
            .map_err(|_| ValueError::Overflow("date"))?;
        let days = duration
            .days
            .checked_add(extra_days)
            .ok_or(ValueError::Overflow("date"))?;
        add_days(date, days).map(Date)
    }
}

fn wrap_time(time: NaiveTime, duration: &Duration) -> Result<NaiveTime, ValueError> {
    let nanos = (i128::from(super::nanos_of_day(time)) + duration.total_nanos())
        .rem_euclid(i128::from(NANOS_PER_DAY));
    let nanos = i64::try_from(nanos).map_err(|_| ValueError::Overflow("time"))?;
    super::time_from_nanos_of_day(nanos).ok_or(ValueError::Overflow("time"))
}

impl LocalTime {
    /// `localtime + duration`: only the seconds part counts, wrapping around midnight.
    pub fn plus(&self, duration: &Duration) -> Result<Self, ValueError> {
        wrap_time(self.0, duration).map(LocalTime)
    }
}

impl Time {
    /// `time + duration`: only the seconds part counts, wrapping around midnight.
    pub fn plus(&self, duration: &Duration) -> Result<Self, ValueError> {
        Ok(Time {
            time: wrap_time(self.time, duration)?,
            offset_seconds: self.offset_seconds,
        })
    }
}

fn plus_calendar(local: NaiveDateTime, duration: &Duration) -> Result<NaiveDateTime, ValueError> {
    let date = add_days(add_months(local.date(), duration.months)?, duration.days)?;
    Ok(date_of(date, local.time()))
}

impl LocalDateTime {
    /// `localdatetime + duration`: months, days, then seconds.
    pub fn plus(&self, duration: &Duration) -> Result<Self, ValueError> {
        add_nanos(plus_calendar(self.0, duration)?, duration.total_nanos()).map(LocalDateTime)
    }
}

impl DateTime {
    /// `datetime + duration`: months and days on the wall clock, then seconds on the instant.
    pub fn plus(&self, duration: &Duration) -> Result<Self, ValueError> {
        let zone = self.zone();
        let moved = zone.at_local(plus_calendar(self.local, duration)?)?;
        let utc = add_nanos(moved.utc(), duration.total_nanos())?;
        zone.at_utc(utc)
    }
}

// ---------------------------------------------------------------------------------------------
// duration.between

/// One side of `duration.between`: its date (if any), time of day, and zone (if any).
struct Point {
    date: Option<NaiveDate>,
    time: NaiveTime,
    offset: Option<i32>,
    datetime: Option<DateTime>,
}

impl Point {
    fn of(value: &Value) -> Result<Point, ValueError> {
        Ok(match value {
            Value::Date(d) => Point {
                date: Some(d.0),
                time: NaiveTime::MIN,
                offset: None,
                datetime: None,
            },
            Value::LocalTime(t) => Point {
                date: None,
                time: t.0,
                offset: None,
                datetime: None,
            },
            Value::Time(t) => Point {
                date: None,
                time: t.time,
                offset: Some(t.offset_seconds),
                datetime: None,
            },
            Value::LocalDateTime(dt) => Point {
                date: Some(dt.0.date()),
                time: dt.0.time(),
                offset: None,
                datetime: None,
            },
            Value::DateTime(dt) => Point {
                date: Some(dt.local.date()),
                time: dt.local.time(),
                offset: Some(dt.offset_seconds),
                datetime: Some(dt.clone()),
            },
            other => {
                return Err(ValueError::TypeMismatch {
                    expected: "a temporal value",
                    found: other.type_name(),
                });
            }
        })
    }
}

/// The two sides as wall-clock datetimes in one frame, with that frame's zone: the zone of
/// `from` when it has one, else the zone of `to`, else none (plain wall-clock arithmetic). A
/// side without a zone is read as a wall-clock time in the frame's zone. Only for sides that
/// both have dates.
fn common_frame(
    from: &Point,
    to: &Point,
) -> Result<(NaiveDateTime, NaiveDateTime, Option<Zone>), ValueError> {
    let (Some(from_date), Some(to_date)) = (from.date, to.date) else {
        return Err(ValueError::Overflow("duration"));
    };
    let from_local = date_of(from_date, from.time);
    let to_local = date_of(to_date, to.time);
    match (&from.datetime, &to.datetime) {
        (Some(from_dt), Some(to_dt)) => {
            let zone = from_dt.zone();
            Ok((
                from_local,
                to_dt.with_zone_same_instant(&zone)?.local,
                Some(zone),
            ))
        }
        (Some(dt), None) | (None, Some(dt)) => Ok((from_local, to_local, Some(dt.zone()))),
        (None, None) => Ok((from_local, to_local, None)),
    }
}

/// The end date java.time uses for counting whole days or months from `a` to `b`: one day
/// closer when the time of day has not yet been reached.
fn adjusted_end(a: NaiveDateTime, b: NaiveDateTime) -> Result<NaiveDate, ValueError> {
    let end = b.date();
    if end > a.date() && b.time() < a.time() {
        add_days(end, -1)
    } else if end < a.date() && b.time() > a.time() {
        add_days(end, 1)
    } else {
        Ok(end)
    }
}

fn months_until(a: NaiveDateTime, b: NaiveDateTime) -> Result<i64, ValueError> {
    let end = adjusted_end(a, b)?;
    let packed =
        |d: NaiveDate| (i64::from(d.year()) * 12 + i64::from(d.month0())) * 32 + i64::from(d.day());
    Ok((packed(end) - packed(a.date())) / 32)
}

fn days_until(a: NaiveDateTime, b: NaiveDateTime) -> Result<i64, ValueError> {
    let end = adjusted_end(a, b)?;
    Ok(end.signed_duration_since(a.date()).num_days())
}

fn local_nanos_between(a: NaiveDateTime, b: NaiveDateTime) -> i128 {
    let secs = b.and_utc().timestamp() - a.and_utc().timestamp();
    i128::from(secs) * i128::from(NANOS_PER_SECOND) + i128::from(b.nanosecond())
        - i128::from(a.nanosecond())
}

/// Nanoseconds from `a` to `b`, both wall-clock times in `zone` (instants when zoned).
fn nanos_between(
    a: NaiveDateTime,
    b: NaiveDateTime,
    zone: Option<&Zone>,
) -> Result<i128, ValueError> {
    match zone {
        Some(zone) => Ok(zone.at_local(b)?.epoch_nanos() - zone.at_local(a)?.epoch_nanos()),
        None => Ok(local_nanos_between(a, b)),
    }
}

/// Nanoseconds between two sides of which at least one has no date. A time of day facing a
/// datetime is placed on the datetime's date (in its zone, or at its own offset), so daylight
/// saving shifts count; otherwise the times of day are compared, as instants when both have
/// offsets.
fn time_nanos_between(from: &Point, to: &Point) -> Result<i128, ValueError> {
    let on_date_of = |timeless: &Point, dt: &DateTime| -> Result<i128, ValueError> {
        let local = date_of(dt.local.date(), timeless.time);
        match timeless.offset {
            Some(offset) => Ok(Zone::Offset(offset).at_local(local)?.epoch_nanos()),
            None => Ok(dt.zone().at_local(local)?.epoch_nanos()),
        }
    };
    match (&from.datetime, &to.datetime) {
        (Some(dt), None) if to.date.is_none() => return Ok(on_date_of(to, dt)? - dt.epoch_nanos()),
        (None, Some(dt)) if from.date.is_none() => {
            return Ok(dt.epoch_nanos() - on_date_of(from, dt)?);
        }
        _ => {}
    }
    let base = |p: &Point| i128::from(super::nanos_of_day(p.time));
    let mut nanos = base(to) - base(from);
    if let (Some(a), Some(b)) = (from.offset, to.offset) {
        nanos -= i128::from(b - a) * i128::from(NANOS_PER_SECOND);
    }
    Ok(nanos)
}

impl Duration {
    /// `duration.between(from, to)`: whole months, whole days, then the rest as seconds.
    pub fn between(from: &Value, to: &Value) -> Result<Self, ValueError> {
        let (from, to) = (Point::of(from)?, Point::of(to)?);
        if from.date.is_none() || to.date.is_none() {
            return Duration::from_total(0, 0, time_nanos_between(&from, &to)?);
        }
        let (a, b, zone) = common_frame(&from, &to)?;
        let months = months_until(a, b)?;
        let after_months = date_of(add_months(a.date(), months)?, a.time());
        let days = days_until(after_months, b)?;
        let after_days = date_of(add_days(after_months.date(), days)?, a.time());
        let nanos = nanos_between(after_days, b, zone.as_ref())?;
        Duration::from_total(months, days, nanos)
    }

    /// `duration.inMonths(from, to)`: the whole months between (zero without dates).
    pub fn in_months(from: &Value, to: &Value) -> Result<Self, ValueError> {
        let (from, to) = (Point::of(from)?, Point::of(to)?);
        if from.date.is_none() || to.date.is_none() {
            return Ok(Duration::default());
        }
        let (a, b, _) = common_frame(&from, &to)?;
        Ok(Duration {
            months: months_until(a, b)?,
            ..Duration::default()
        })
    }

    /// `duration.inDays(from, to)`: the whole days between (zero without dates).
    pub fn in_days(from: &Value, to: &Value) -> Result<Self, ValueError> {
        let (from, to) = (Point::of(from)?, Point::of(to)?);
        if from.date.is_none() || to.date.is_none() {
            return Ok(Duration::default());
        }
        let (a, b, _) = common_frame(&from, &to)?;
        Ok(Duration {
            days: days_until(a, b)?,
            ..Duration::default()
        })
    }

    /// `duration.inSeconds(from, to)`: the exact time between, as seconds.
    pub fn in_seconds(from: &Value, to: &Value) -> Result<Self, ValueError> {
        let (from, to) = (Point::of(from)?, Point::of(to)?);
        if from.date.is_none() || to.date.is_none() {
            return Duration::from_total(0, 0, time_nanos_between(&from, &to)?);
        }
        let (a, b, zone) = common_frame(&from, &to)?;
        Duration::from_total(0, 0, nanos_between(a, b, zone.as_ref())?)
    }
}

// ---------------------------------------------------------------------------------------------
// truncate

/// A unit of `truncate`, from the largest to the smallest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TemporalUnit {
    Millennium,
    Century,
    Decade,
    Year,
    WeekYear,
    Quarter,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
    Microsecond,
    Nanosecond,
}

impl TemporalUnit {
    /// Parses a unit name (`'millennium'`, `'weekYear'`, ...), case-insensitively.
    pub fn parse(name: &str) -> Result<Self, ValueError> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "millennium" => TemporalUnit::Millennium,
            "century" => TemporalUnit::Century,
            "decade" => TemporalUnit::Decade,
            "year" => TemporalUnit::Year,
            "weekyear" => TemporalUnit::WeekYear,
            "quarter" => TemporalUnit::Quarter,
            "month" => TemporalUnit::Month,
            "week" => TemporalUnit::Week,
            "day" => TemporalUnit::Day,
            "hour" => TemporalUnit::Hour,
            "minute" => TemporalUnit::Minute,
            "second" => TemporalUnit::Second,
            "millisecond" => TemporalUnit::Millisecond,
            "microsecond" => TemporalUnit::Microsecond,
            "nanosecond" => TemporalUnit::Nanosecond,
            _ => {
                return Err(ValueError::UnsupportedUnit {
                    unit: name.to_owned(),
                    target: "truncate",
                });
            }
        })
    }

    fn is_date_unit(self) -> bool {
        self <= TemporalUnit::Day
    }
}

fn truncate_date(date: NaiveDate, unit: TemporalUnit) -> Result<NaiveDate, ValueError> {
    let year = i64::from(date.year());
    let first_of_year = |y: i64| -> Result<NaiveDate, ValueError> {
        NaiveDate::from_ymd_opt(checked_year(y)?, 1, 1).ok_or(ValueError::Overflow("date"))
    };
    match unit {
        TemporalUnit::Millennium => first_of_year(year.div_euclid(1000) * 1000),
        TemporalUnit::Century => first_of_year(year.div_euclid(100) * 100),
        TemporalUnit::Decade => first_of_year(year.div_euclid(10) * 10),
        TemporalUnit::Year => first_of_year(year),
        TemporalUnit::WeekYear => super::parse::week_date(date.iso_week().year(), 1, 1),
        TemporalUnit::Quarter => {
            super::parse::quarter_date(date.year(), i64::from(date.month0() / 3 + 1), 1)
        }
        TemporalUnit::Month => NaiveDate::from_ymd_opt(date.year(), date.month(), 1)
            .ok_or(ValueError::Overflow("date")),
        TemporalUnit::Week => add_days(date, -i64::from(date.weekday().num_days_from_monday())),
        _ => Ok(date),
    }
}

fn truncate_time(time: NaiveTime, unit: TemporalUnit) -> NaiveTime {
    let nanos = super::nanos_of_day(time);
    let step = match unit {
        TemporalUnit::Hour => 3600 * NANOS_PER_SECOND,
        TemporalUnit::Minute => 60 * NANOS_PER_SECOND,
        TemporalUnit::Second => NANOS_PER_SECOND,
        TemporalUnit::Millisecond => 1_000_000,
        TemporalUnit::Microsecond => 1_000,
        TemporalUnit::Nanosecond => 1,
        _ => NANOS_PER_DAY,
    };
    super::time_from_nanos_of_day(nanos - nanos % step).unwrap_or(NaiveTime::MIN)
}

/// The parts of a value to truncate.
struct Parts {
    date: Option<NaiveDate>,
    time: Option<NaiveTime>,
    zone: Option<Zone>,
    type_name: &'static str,
}

impl Parts {
    fn of(value: &Value) -> Result<Parts, ValueError> {
        Ok(match value {
            Value::Date(d) => Parts {
                date: Some(d.0),
                time: None,
                zone: None,
                type_name: value.type_name(),
            },
            Value::LocalTime(t) => Parts {
                date: None,
                time: Some(t.0),
                zone: None,
                type_name: value.type_name(),
            },
            Value::Time(t) => Parts {
                date: None,
                time: Some(t.time),
                zone: Some(Zone::Offset(t.offset_seconds)),
                type_name: value.type_name(),
            },
            Value::LocalDateTime(dt) => Parts {
                date: Some(dt.0.date()),
                time: Some(dt.0.time()),
                zone: None,
                type_name: value.type_name(),
            },
            Value::DateTime(dt) => Parts {
                date: Some(dt.local.date()),
                time: Some(dt.local.time()),
                zone: Some(dt.zone()),
                type_name: value.type_name(),
            },
            other => {
                return Err(ValueError::TypeMismatch {
                    expected: "a temporal value",
                    found: other.type_name(),
                });
            }
        })
    }

    fn date(&self) -> Result<NaiveDate, ValueError> {
        self.date.ok_or(ValueError::TypeMismatch {
            expected: "a value with a date",
            found: self.type_name,
        })
    }

    /// The truncated date and time of day (midnight for date units).
    fn truncated_local(&self, unit: TemporalUnit) -> Result<NaiveDateTime, ValueError> {
        let date = truncate_date(self.date()?, unit)?;
        let time = if unit.is_date_unit() {
            NaiveTime::MIN
        } else {
            truncate_time(self.time.unwrap_or(NaiveTime::MIN), unit)
        };
        Ok(date_of(date, time))
    }
}

/// Splits the overrides into the field map and its `timezone`.
fn split_timezone(overrides: Option<&Map>) -> Result<(Map, Option<Zone>), ValueError> {
    let mut map = overrides.cloned().unwrap_or_default();
    let key = map
        .keys()
        .find(|k| k.eq_ignore_ascii_case("timezone"))
        .cloned();
    let zone = match key.and_then(|k| map.remove(&k)) {
        Some(Value::String(name)) => Some(Zone::parse(&name)?),
        Some(Value::Null) | None => None,
        Some(other) => {
            return Err(ValueError::TypeMismatch {
                expected: "a string",
                found: other.type_name(),
            });
        }
    };
    Ok((map, zone))
}

fn local_time_unit(unit: TemporalUnit, target: &'static str) -> Result<(), ValueError> {
    if unit < TemporalUnit::Day {
        return Err(ValueError::UnsupportedUnit {
            unit: format!("{unit:?}").to_lowercase(),
            target,
        });
    }
    Ok(())
}

impl Date {
    /// `date.truncate(unit, value, overrides)`: `unit` at most `day`.
    pub fn truncate(
        unit: TemporalUnit,
        value: &Value,
        overrides: Option<&Map>,
    ) -> Result<Self, ValueError> {
        if !unit.is_date_unit() {
            return Err(ValueError::UnsupportedUnit {
                unit: format!("{unit:?}").to_lowercase(),
                target: "date",
            });
        }
        let parts = Parts::of(value)?;
        let date = Date(truncate_date(parts.date()?, unit)?);
        match overrides {
            Some(map) if !map.is_empty() => {
                let mut map = map.clone();
                map.insert("date".to_owned(), Value::Date(date));
                Date::from_map(&map)
            }
            _ => Ok(date),
        }
    }
}

impl LocalDateTime {
    /// `localdatetime.truncate(unit, value, overrides)`.
    pub fn truncate(
        unit: TemporalUnit,
        value: &Value,
        overrides: Option<&Map>,
    ) -> Result<Self, ValueError> {
        let parts = Parts::of(value)?;
        let local = parts.truncated_local(unit)?;
        with_overrides(local, overrides.cloned().unwrap_or_default())
    }
}

fn with_overrides(local: NaiveDateTime, mut map: Map) -> Result<LocalDateTime, ValueError> {
    if map.is_empty() {
        return Ok(LocalDateTime(local));
    }
    map.insert("date".to_owned(), Value::Date(Date(local.date())));
    map.insert("time".to_owned(), Value::LocalTime(LocalTime(local.time())));
    LocalDateTime::from_map(&map)
}

impl DateTime {
    /// `datetime.truncate(unit, value, overrides)`: the wall-clock fields are truncated and
    /// overridden; `timezone` in the overrides replaces the zone of the wall-clock time.
    pub fn truncate(
        unit: TemporalUnit,
        value: &Value,
        overrides: Option<&Map>,
    ) -> Result<Self, ValueError> {
        let parts = Parts::of(value)?;
        let local = parts.truncated_local(unit)?;
        let (map, zone) = split_timezone(overrides)?;
        let local = with_overrides(local, map)?.0;
        zone.or(parts.zone)
            .unwrap_or(Zone::Offset(0))
            .at_local(local)
    }
}

fn truncated_time(
    parts: &Parts,
    unit: TemporalUnit,
    target: &'static str,
    map: Map,
) -> Result<NaiveTime, ValueError> {
    local_time_unit(unit, target)?;
    let time = parts.time.ok_or(ValueError::TypeMismatch {
        expected: "a value with a time",
        found: parts.type_name,
    })?;
    let time = truncate_time(time, unit);
    if map.is_empty() {
        return Ok(time);
    }
    let mut map = map;
    map.insert("time".to_owned(), Value::LocalTime(LocalTime(time)));
    LocalTime::from_map(&map).map(|t| t.0)
}

impl LocalTime {
    /// `localtime.truncate(unit, value, overrides)`: `unit` at least `day`.
    pub fn truncate(
        unit: TemporalUnit,
        value: &Value,
        overrides: Option<&Map>,
    ) -> Result<Self, ValueError> {
        let parts = Parts::of(value)?;
        truncated_time(
            &parts,
            unit,
            "local time",
            overrides.cloned().unwrap_or_default(),
        )
        .map(LocalTime)
    }
}

impl Time {
    /// `time.truncate(unit, value, overrides)`: `timezone` in the overrides replaces the offset.
    pub fn truncate(
        unit: TemporalUnit,
        value: &Value,
        overrides: Option<&Map>,
    ) -> Result<Self, ValueError> {
        let parts = Parts::of(value)?;
        let (map, zone) = split_timezone(overrides)?;
        let time = truncated_time(&parts, unit, "time", map)?;
        let offset_seconds = match zone.or(parts.zone) {
            None => 0,
            Some(Zone::Offset(seconds)) => seconds,
            Some(zone) => {
                let date = parts
                    .date
                    .unwrap_or_else(|| chrono::Utc::now().date_naive());
                zone.offset_at_local(date_of(date, time))?
            }
        };
        Ok(Time {
            time,
            offset_seconds,
        })
    }
}
