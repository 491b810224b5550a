//! Temporal functions: the constructors `date`, `localtime`, `time`, `localdatetime`,
//! `datetime` (with no argument, a string, a map or a temporal value), their clocks
//! `.transaction`, `.statement` and `.realtime`, `.truncate`, `datetime.fromepoch` and
//! `datetime.fromepochmillis`, `duration` and `duration.between/inMonths/inDays/inSeconds`,
//! and `timestamp()`.
//!
//! The work is done by `value::temporal` (see the table at the top of `src/value/temporal.rs`).
//! Every clock reads `FnContext::now`, which the executor takes once per statement, so a
//! statement sees one instant; the three clock variants therefore agree. Functions that read
//! the clock are registered as not deterministic. A map argument holding only `timezone` asks
//! for the current value in that zone (`date({timezone: 'Europe/Stockholm'})`).

use super::{FunctionDef, arg, def, opt_int, opt_str, type_error, volatile};
use crate::exec::{ExecError, FnContext};
use crate::value::{
    Date, DateTime, Duration, LocalDateTime, LocalTime, Map, TemporalUnit, Time, Value, ValueError,
};

pub(super) static FUNCTIONS: &[FunctionDef] = &[
    volatile("date", 0, Some(1), date),
    volatile("date.transaction", 0, Some(1), date_now),
    volatile("date.statement", 0, Some(1), date_now),
    volatile("date.realtime", 0, Some(1), date_now),
    def("date.truncate", 2, Some(3), date_truncate),
    volatile("localtime", 0, Some(1), localtime),
    volatile("localtime.transaction", 0, Some(1), localtime_now),
    volatile("localtime.statement", 0, Some(1), localtime_now),
    volatile("localtime.realtime", 0, Some(1), localtime_now),
    def("localtime.truncate", 2, Some(3), localtime_truncate),
    volatile("time", 0, Some(1), time),
    volatile("time.transaction", 0, Some(1), time_now),
    volatile("time.statement", 0, Some(1), time_now),
    volatile("time.realtime", 0, Some(1), time_now),
    def("time.truncate", 2, Some(3), time_truncate),
    volatile("localdatetime", 0, Some(1), localdatetime),
    volatile("localdatetime.transaction", 0, Some(1), localdatetime_now),
    volatile("localdatetime.statement", 0, Some(1), localdatetime_now),
    volatile("localdatetime.realtime", 0, Some(1), localdatetime_now),
    def("localdatetime.truncate", 2, Some(3), localdatetime_truncate),
    volatile("datetime", 0, Some(1), datetime),
    volatile("datetime.transaction", 0, Some(1), datetime_now),
    volatile("datetime.statement", 0, Some(1), datetime_now),
    volatile("datetime.realtime", 0, Some(1), datetime_now),
    def("datetime.truncate", 2, Some(3), datetime_truncate),
    def("datetime.fromepoch", 2, Some(2), datetime_fromepoch),
    def(
        "datetime.fromepochmillis",
        1,
        Some(1),
        datetime_fromepochmillis,
    ),
    def("duration", 1, Some(1), duration),
    def("duration.between", 2, Some(2), duration_between),
    def("duration.inMonths", 2, Some(2), duration_in_months),
    def("duration.inDays", 2, Some(2), duration_in_days),
    def("duration.inSeconds", 2, Some(2), duration_in_seconds),
    volatile("timestamp", 0, Some(0), timestamp),
];

/// What a constructor was asked for: the current value (in a zone, if given), null, or a
/// conversion of the argument.
enum Request<'a> {
    Now(Option<&'a str>),
    Null,
    From(&'a Value),
}

/// The time zone of a `{timezone: ...}` map, if that is its only key.
fn timezone_only(map: &Map) -> Option<&Value> {
    match map.iter().next() {
        Some((key, value)) if map.len() == 1 && key.eq_ignore_ascii_case("timezone") => Some(value),
        _ => None,
    }
}

fn zone_name<'a>(name: &str, value: &'a Value) -> Result<Option<&'a str>, ExecError> {
    match value {
        Value::String(zone) => Ok(Some(zone)),
        other => Err(type_error(name, "a time zone name", other)),
    }
}

fn request<'a>(name: &str, args: &'a [Value]) -> Result<Request<'a>, ExecError> {
    match args.first() {
        None => Ok(Request::Now(None)),
        Some(Value::Null) => Ok(Request::Null),
        Some(Value::Map(map)) => match timezone_only(map) {
            Some(Value::Null) => Ok(Request::Null),
            Some(zone) => Ok(Request::Now(zone_name(name, zone)?)),
            None => Ok(Request::From(&args[0])),
        },
        Some(other) => Ok(Request::From(other)),
    }
}

/// The `.transaction`, `.statement` and `.realtime` clocks: an optional zone, as a string or
/// a `{timezone}` map.
fn clock_request<'a>(name: &str, args: &'a [Value]) -> Result<Request<'a>, ExecError> {
    match args.first() {
        None => Ok(Request::Now(None)),
        Some(Value::Null) => Ok(Request::Null),
        Some(Value::String(zone)) => Ok(Request::Now(Some(zone))),
        Some(Value::Map(map)) => match timezone_only(map) {
            Some(Value::Null) => Ok(Request::Null),
            Some(zone) => Ok(Request::Now(zone_name(name, zone)?)),
            None => Err(ExecError::Argument(format!(
                "{name}() accepts only a time zone"
            ))),
        },
        Some(other) => Err(type_error(name, "a time zone", other)),
    }
}

/// The overrides map of `truncate`; null means none.
fn overrides<'a>(name: &str, value: &'a Value) -> Result<Option<&'a Map>, ExecError> {
    match value {
        Value::Null => Ok(None),
        Value::Map(map) => Ok(Some(map)),
        other => Err(type_error(name, "a map", other)),
    }
}

macro_rules! temporal_type {
    ($ty:ident, $variant:ident, $ctor:ident, $now:ident, $truncate:ident, $name:literal) => {
        fn $ctor(args: &[Value], ctx: &FnContext<'_>) -> Result<Value, ExecError> {
            Ok(match request($name, args)? {
                Request::Null => Value::Null,
                Request::Now(zone) => Value::$variant($ty::current(ctx.now, zone)?),
                Request::From(value) => Value::$variant($ty::from_value(value)?),
            })
        }

        fn $now(args: &[Value], ctx: &FnContext<'_>) -> Result<Value, ExecError> {
            Ok(match clock_request($name, args)? {
                Request::Now(zone) => Value::$variant($ty::current(ctx.now, zone)?),
                Request::Null | Request::From(_) => Value::Null,
            })
        }

        fn $truncate(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
            let name = concat!($name, ".truncate");
            let Some(unit) = opt_str(name, arg(args, 0))? else {
                return Ok(Value::Null);
            };
            let value = arg(args, 1);
            if value.is_null() {
                return Ok(Value::Null);
            }
            let unit = TemporalUnit::parse(unit)?;
            let map = overrides(name, arg(args, 2))?;
            Ok(Value::$variant($ty::truncate(unit, value, map)?))
        }
    };
}

temporal_type!(Date, Date, date, date_now, date_truncate, "date");
temporal_type!(
    LocalTime,
    LocalTime,
    localtime,
    localtime_now,
    localtime_truncate,
    "localtime"
);
temporal_type!(Time, Time, time, time_now, time_truncate, "time");
temporal_type!(
    LocalDateTime,
    LocalDateTime,
    localdatetime,
    localdatetime_now,
    localdatetime_truncate,
    "localdatetime"
);
temporal_type!(
    DateTime,
    DateTime,
    datetime,
    datetime_now,
    datetime_truncate,
    "datetime"
);

/// `datetime.fromepoch(seconds, nanoseconds)` at UTC.
fn datetime_fromepoch(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    let seconds = opt_int("datetime.fromepoch", arg(args, 0))?;
    let nanos = opt_int("datetime.fromepoch", arg(args, 1))?;
    Ok(match (seconds, nanos) {
        (Some(seconds), Some(nanos)) => {
            Value::DateTime(DateTime::from_epoch(seconds, nanos, None)?)
        }
        _ => Value::Null,
    })
}

fn datetime_fromepochmillis(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    Ok(match opt_int("datetime.fromepochmillis", arg(args, 0))? {
        Some(millis) => Value::DateTime(DateTime::from_epoch_millis(millis)?),
        None => Value::Null,
    })
}

fn duration(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    Ok(match arg(args, 0) {
        Value::Null => Value::Null,
        value => Value::Duration(Duration::from_value(value)?),
    })
}

fn between(
    args: &[Value],
    f: fn(&Value, &Value) -> Result<Duration, ValueError>,
) -> Result<Value, ExecError> {
    let (from, to) = (arg(args, 0), arg(args, 1));
    if from.is_null() || to.is_null() {
        return Ok(Value::Null);
    }
    Ok(Value::Duration(f(from, to)?))
}

fn duration_between(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    between(args, Duration::between)
}

fn duration_in_months(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    between(args, Duration::in_months)
}

fn duration_in_days(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    between(args, Duration::in_days)
}

fn duration_in_seconds(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    between(args, Duration::in_seconds)
}

/// `timestamp()`: the statement's instant in milliseconds since the epoch.
fn timestamp(_: &[Value], ctx: &FnContext<'_>) -> Result<Value, ExecError> {
    let millis = ctx
        .now
        .epoch_seconds()
        .checked_mul(1000)
        .and_then(|ms| ms.checked_add(i64::from(ctx.now.subsec_nanos() / 1_000_000)))
        .ok_or_else(|| ExecError::Arithmetic("timestamp out of range".to_owned()))?;
    Ok(Value::Int(millis))
}
