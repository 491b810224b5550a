//! Property access on temporal values: `d.year`, `t.offsetMinutes`, `dt.epochMillis`,
//! `dur.minutesOfHour`, ... Names are matched case-insensitively, as Neo4j does.

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};

use super::construct::quarter_of;
use super::{DateTime, Duration, NANOS_PER_SECOND, format_offset, format_offset_signed};
use crate::value::Value;

/// The value of property `name` of a temporal value, or `None` when `value` is not a temporal
/// value or has no such property (the executor decides whether that is null or an error).
#[must_use]
pub fn property(value: &Value, name: &str) -> Option<Value> {
    let name = name.to_ascii_lowercase();
    match value {
        Value::Date(d) => date_field(d.0, &name),
        Value::LocalTime(t) => time_field(t.0, &name),
        Value::Time(t) => {
            time_field(t.time, &name).or_else(|| offset_field(t.offset_seconds, None, &name))
        }
        Value::LocalDateTime(dt) => {
            date_field(dt.0.date(), &name).or_else(|| time_field(dt.0.time(), &name))
        }
        Value::DateTime(dt) => date_field(dt.local.date(), &name)
            .or_else(|| time_field(dt.local.time(), &name))
            .or_else(|| offset_field(dt.offset_seconds, dt.zone.as_deref(), &name))
            .or_else(|| epoch_field(dt, &name)),
        Value::Duration(d) => duration_field(d, &name),
        _ => None,
    }
}

fn date_field(date: NaiveDate, name: &str) -> Option<Value> {
    let iso = date.iso_week();
    let int = |i: u32| Some(Value::Int(i64::from(i)));
    match name {
        "year" => Some(Value::Int(i64::from(date.year()))),
        "quarter" => int(date.month0() / 3 + 1),
        "month" => int(date.month()),
        "week" => int(iso.week()),
        "weekyear" => Some(Value::Int(i64::from(iso.year()))),
        "day" => int(date.day()),
        "ordinalday" => int(date.ordinal()),
        "weekday" | "dayofweek" => int(date.weekday().number_from_monday()),
        "dayofquarter" => quarter_of(date).ok().map(|(_, day)| Value::Int(day)),
        _ => None,
    }
}

fn time_field(time: NaiveTime, name: &str) -> Option<Value> {
    let int = |i: u32| Some(Value::Int(i64::from(i)));
    let nanos = time.nanosecond();
    match name {
        "hour" => int(time.hour()),
        "minute" => int(time.minute()),
        "second" => int(time.second()),
        "millisecond" => int(nanos / 1_000_000),
        "microsecond" => int(nanos / 1_000),
        "nanosecond" => int(nanos),
        _ => None,
    }
}

fn offset_field(offset_seconds: i32, zone: Option<&str>, name: &str) -> Option<Value> {
    match name {
        "timezone" => Some(Value::String(
            (zone.map_or_else(|| format_offset(offset_seconds), str::to_owned)).into(),
        )),
        "offset" => Some(Value::String(format_offset_signed(offset_seconds).into())),
        "offsetminutes" => Some(Value::Int(i64::from(offset_seconds / 60))),
        "offsetseconds" => Some(Value::Int(i64::from(offset_seconds))),
        _ => None,
    }
}

fn epoch_field(dt: &DateTime, name: &str) -> Option<Value> {
    match name {
        "epochseconds" => Some(Value::Int(dt.epoch_seconds())),
        "epochmillis" => {
            let millis =
                i128::from(dt.epoch_seconds()) * 1000 + i128::from(dt.subsec_nanos() / 1_000_000);
            i64::try_from(millis).ok().map(Value::Int)
        }
        _ => None,
    }
}

/// Duration properties. `years`, `months`, ... are the whole duration in that unit within its
/// group (months, days, seconds); `xOfY` are the remainders (`minutesOfHour`).
fn duration_field(d: &Duration, name: &str) -> Option<Value> {
    let seconds = d.seconds;
    let nanos = i64::from(d.nanos);
    let wide = |v: i128| i64::try_from(v).ok().map(Value::Int);
    let total_nanos = d.total_nanos();
    Some(Value::Int(match name {
        "years" => d.months / 12,
        "quarters" => d.months / 3,
        "months" => d.months,
        "weeks" => d.days / 7,
        "days" => d.days,
        "hours" => seconds / 3600,
        "minutes" => seconds / 60,
        "seconds" => seconds,
        "milliseconds" => return wide(i128::from(seconds) * 1000 + i128::from(nanos / 1_000_000)),
        "microseconds" => return wide(i128::from(seconds) * 1_000_000 + i128::from(nanos / 1_000)),
        "nanoseconds" => return wide(total_nanos),
        "quartersofyear" => d.months % 12 / 3,
        "monthsofquarter" => d.months % 3,
        "monthsofyear" => d.months % 12,
        "daysofweek" => d.days % 7,
        "hoursofday" => seconds / 3600 % 24,
        "minutesofhour" => seconds / 60 % 60,
        "secondsofminute" => seconds % 60,
        "millisecondsofsecond" => nanos / 1_000_000,
        "microsecondsofsecond" => nanos / 1_000,
        "nanosecondsofsecond" => nanos,
        _ => return None,
    }))
}

const _: () = assert!(NANOS_PER_SECOND == 1_000_000_000);
