//! Construction of temporal values from maps (`date({year: 1984, week: 10, dayOfWeek: 3})`) and
//! from other values (`date(datetimeValue)`, `time('12:00+01:00')`).
//!
//! Rules, as openCypher and Neo4j define them:
//! - A date is given in exactly one of four forms: calendar `{year, month, day}`, week
//!   `{year, week, dayOfWeek}` (the year is then the week-based year), ordinal
//!   `{year, ordinalDay}` or quarter `{year, quarter, dayOfQuarter}`. Smaller fields need the
//!   larger ones (`day` needs `month`) unless a base value supplies them.
//! - A base value (`{date: d}`, `{time: t}`, `{datetime: dt}`) supplies every field the map does
//!   not; the map's fields override it in the form the map uses (`{date: d, week: 1}` keeps
//!   `d`'s day of week).
//! - A time's sub-second part is `millisecond`, `microsecond` and `nanosecond` added together;
//!   each replaces the part of the base it covers.
//! - `timezone` on a value whose base has a zone converts the instant; on a value without one it
//!   attaches the zone to the wall-clock time. The default zone is UTC.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use super::parse::{quarter_date, week_date};
use super::{
    Date, DateTime, Duration, LocalDateTime, LocalTime, NANOS_PER_SECOND, Time, Zone, checked_year,
};
use crate::value::{Map, Value, ValueError};

const DATE_KEYS: &[&str] = &[
    "year",
    "month",
    "day",
    "week",
    "dayOfWeek",
    "ordinalDay",
    "quarter",
    "dayOfQuarter",
];
const TIME_KEYS: &[&str] = &[
    "hour",
    "minute",
    "second",
    "millisecond",
    "microsecond",
    "nanosecond",
];

/// The fields of a construction map, validated for type and known names.
#[derive(Default)]
struct Fields {
    year: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    week: Option<i64>,
    day_of_week: Option<i64>,
    ordinal_day: Option<i64>,
    quarter: Option<i64>,
    day_of_quarter: Option<i64>,
    hour: Option<i64>,
    minute: Option<i64>,
    second: Option<i64>,
    millisecond: Option<i64>,
    microsecond: Option<i64>,
    nanosecond: Option<i64>,
    epoch_seconds: Option<i64>,
    epoch_millis: Option<i64>,
    timezone: Option<Zone>,
    date: Option<Value>,
    time: Option<Value>,
    datetime: Option<Value>,
}

/// Which keys a constructor accepts.
struct Allowed {
    date_fields: bool,
    time_fields: bool,
    timezone: bool,
    epoch: bool,
    bases: &'static [&'static str],
    target: &'static str,
}

impl Fields {
    fn read(map: &Map, allowed: &Allowed) -> Result<Fields, ValueError> {
        let mut fields = Fields::default();
        for (key, value) in map {
            if value.is_null() {
                continue;
            }
            let lower = key.to_ascii_lowercase();
            let is_date = DATE_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key));
            let is_time = TIME_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key));
            let is_epoch = lower == "epochseconds" || lower == "epochmillis";
            let invalid = || {
                ValueError::InvalidFields(format!("{key:?} is not a field of {}", allowed.target))
            };
            if (is_date && !allowed.date_fields)
                || (is_time && !allowed.time_fields)
                || (is_epoch && !allowed.epoch)
            {
                return Err(invalid());
            }
            if lower == "timezone" {
                if !allowed.timezone {
                    return Err(invalid());
                }
                let name = value.as_str().ok_or(ValueError::TypeMismatch {
                    expected: "a string",
                    found: value.type_name(),
                })?;
                fields.timezone = Some(Zone::parse(name)?);
                continue;
            }
            if ["date", "time", "datetime"].contains(&lower.as_str()) {
                if !allowed.bases.contains(&lower.as_str()) {
                    return Err(invalid());
                }
                let slot = match lower.as_str() {
                    "date" => &mut fields.date,
                    "time" => &mut fields.time,
                    _ => &mut fields.datetime,
                };
                *slot = Some(value.clone());
                continue;
            }
            let number = match value {
                Value::Int(i) => *i,
                other => {
                    return Err(ValueError::TypeMismatch {
                        expected: "an integer",
                        found: other.type_name(),
                    });
                }
            };
            let slot = match lower.as_str() {
                "year" => &mut fields.year,
                "month" => &mut fields.month,
                "day" => &mut fields.day,
                "week" => &mut fields.week,
                "dayofweek" => &mut fields.day_of_week,
                "ordinalday" => &mut fields.ordinal_day,
                "quarter" => &mut fields.quarter,
                "dayofquarter" => &mut fields.day_of_quarter,
                "hour" => &mut fields.hour,
                "minute" => &mut fields.minute,
                "second" => &mut fields.second,
                "millisecond" => &mut fields.millisecond,
                "microsecond" => &mut fields.microsecond,
                "nanosecond" => &mut fields.nanosecond,
                "epochseconds" => &mut fields.epoch_seconds,
                "epochmillis" => &mut fields.epoch_millis,
                _ => return Err(invalid()),
            };
            *slot = Some(number);
        }
        Ok(fields)
    }

    fn has_time_fields(&self) -> bool {
        self.hour.is_some()
            || self.minute.is_some()
            || self.second.is_some()
            || self.millisecond.is_some()
            || self.microsecond.is_some()
            || self.nanosecond.is_some()
    }

    /// The date base: from `date` or `datetime`.
    fn date_base(&self) -> Result<Option<NaiveDate>, ValueError> {
        let Some(value) = self.date.as_ref().or(self.datetime.as_ref()) else {
            return Ok(None);
        };
        Ok(Some(match value {
            Value::Date(d) => d.0,
            Value::LocalDateTime(dt) => dt.0.date(),
            Value::DateTime(dt) => dt.local.date(),
            other => {
                return Err(ValueError::TypeMismatch {
                    expected: "a value with a date",
                    found: other.type_name(),
                });
            }
        }))
    }

    /// The time base: from `time` or `datetime`, with its zone if it has one.
    fn time_base(&self) -> Result<Option<TimeBase>, ValueError> {
        let Some(value) = self.time.as_ref().or(self.datetime.as_ref()) else {
            return Ok(None);
        };
        Ok(Some(match value {
            Value::LocalTime(t) => TimeBase {
                time: t.0,
                zone: None,
            },
            Value::Time(t) => TimeBase {
                time: t.time,
                zone: Some((Zone::Offset(t.offset_seconds), None)),
            },
            Value::LocalDateTime(dt) => TimeBase {
                time: dt.0.time(),
                zone: None,
            },
            Value::DateTime(dt) => TimeBase {
                time: dt.local.time(),
                zone: Some((dt.zone(), Some(dt.clone()))),
            },
            other => {
                return Err(ValueError::TypeMismatch {
                    expected: "a value with a time",
                    found: other.type_name(),
                });
            }
        }))
    }

    /// Resolves the date fields over an optional base; `None` when there is neither.
    fn resolve_date(&self, base: Option<NaiveDate>) -> Result<Option<NaiveDate>, ValueError> {
        let calendar = self.month.is_some() || self.day.is_some();
        let week = self.week.is_some() || self.day_of_week.is_some();
        let ordinal = self.ordinal_day.is_some();
        let quarter = self.quarter.is_some() || self.day_of_quarter.is_some();
        if [calendar, week, ordinal, quarter]
            .iter()
            .filter(|&&b| b)
            .count()
            > 1
        {
            return Err(ValueError::InvalidFields(
                "calendar, week, ordinal and quarter fields cannot be mixed".to_owned(),
            ));
        }
        let Some(base) = base else {
            let Some(year) = self.year else {
                if calendar || week || ordinal || quarter {
                    return Err(ValueError::InvalidFields("year is required".to_owned()));
                }
                return Ok(None);
            };
            let year = checked_year(year)?;
            return Ok(Some(if week {
                let week = self.week.ok_or_else(|| {
                    ValueError::InvalidFields("dayOfWeek requires week".to_owned())
                })?;
                week_date(year, week, self.day_of_week.unwrap_or(1))?
            } else if ordinal {
                ordinal_date(year, self.ordinal_day.unwrap_or(1))?
            } else if quarter {
                let q = self.quarter.ok_or_else(|| {
                    ValueError::InvalidFields("dayOfQuarter requires quarter".to_owned())
                })?;
                quarter_date(year, q, self.day_of_quarter.unwrap_or(1))?
            } else {
                if self.day.is_some() && self.month.is_none() {
                    return Err(ValueError::InvalidFields("day requires month".to_owned()));
                }
                Date::from_ymd(
                    i64::from(year),
                    self.month.unwrap_or(1),
                    self.day.unwrap_or(1),
                )?
                .0
            }));
        };
        Ok(Some(if week {
            let iso = base.iso_week();
            let year = checked_year(self.year.unwrap_or(i64::from(iso.year())))?;
            let dow = i64::from(base.weekday().number_from_monday());
            week_date(
                year,
                self.week.unwrap_or(i64::from(iso.week())),
                self.day_of_week.unwrap_or(dow),
            )?
        } else if ordinal {
            let year = checked_year(self.year.unwrap_or(i64::from(base.year())))?;
            ordinal_date(year, self.ordinal_day.unwrap_or(i64::from(base.ordinal())))?
        } else if quarter {
            let year = checked_year(self.year.unwrap_or(i64::from(base.year())))?;
            let (base_quarter, base_day) = quarter_of(base)?;
            quarter_date(
                year,
                self.quarter.unwrap_or(base_quarter),
                self.day_of_quarter.unwrap_or(base_day),
            )?
        } else {
            let year = self.year.unwrap_or(i64::from(base.year()));
            Date::from_ymd(
                year,
                self.month.unwrap_or(i64::from(base.month())),
                self.day.unwrap_or(i64::from(base.day())),
            )?
            .0
        }))
    }

    /// Resolves the time fields over an optional base; `None` when there is neither.
    fn resolve_time(&self, base: Option<NaiveTime>) -> Result<Option<NaiveTime>, ValueError> {
        let subsecond =
            self.millisecond.is_some() || self.microsecond.is_some() || self.nanosecond.is_some();
        if base.is_none() {
            if !self.has_time_fields() {
                return Ok(None);
            }
            let missing = |what: &str| ValueError::InvalidFields(format!("{what} is required"));
            if self.hour.is_none() {
                return Err(missing("hour"));
            }
            if self.second.is_some() && self.minute.is_none() {
                return Err(missing("minute"));
            }
            if subsecond && self.second.is_none() {
                return Err(missing("second"));
            }
        }
        let base = base.unwrap_or(NaiveTime::MIN);
        let hour = self.hour.unwrap_or(i64::from(base.hour()));
        let minute = self.minute.unwrap_or(i64::from(base.minute()));
        let second = self.second.unwrap_or(i64::from(base.second()));
        let check = |field: &'static str, value: i64, max: i64| {
            if (0..=max).contains(&value) {
                Ok(value)
            } else {
                Err(ValueError::range(field, value))
            }
        };
        let hour = check("hour", hour, 23)?;
        let minute = check("minute", minute, 59)?;
        let second = check("second", second, 59)?;
        let nanos = subsecond_nanos(
            self.millisecond,
            self.microsecond,
            self.nanosecond,
            i64::from(base.nanosecond()),
        )?;
        let time = NaiveTime::from_hms_nano_opt(
            u32::try_from(hour).map_err(|_| ValueError::range("hour", hour))?,
            u32::try_from(minute).map_err(|_| ValueError::range("minute", minute))?,
            u32::try_from(second).map_err(|_| ValueError::range("second", second))?,
            u32::try_from(nanos).map_err(|_| ValueError::range("nanosecond", nanos))?,
        )
        .ok_or_else(|| ValueError::range("time", format!("{hour}:{minute}:{second}")))?;
        Ok(Some(time))
    }
}

/// The time base of a construction map and its zone: the zone, and the base datetime for
/// named zones (whose offset depends on the date).
struct TimeBase {
    time: NaiveTime,
    zone: Option<(Zone, Option<DateTime>)>,
}

fn ordinal_date(year: i32, day: i64) -> Result<NaiveDate, ValueError> {
    u32::try_from(day)
        .ok()
        .and_then(|d| NaiveDate::from_yo_opt(year, d))
        .ok_or_else(|| ValueError::range("ordinalDay", day))
}

/// The quarter (1-4) of a date and its day within the quarter (1-92).
pub(super) fn quarter_of(date: NaiveDate) -> Result<(i64, i64), ValueError> {
    let quarter = i64::from(date.month0() / 3 + 1);
    let first = NaiveDate::from_ymd_opt(date.year(), date.month0() / 3 * 3 + 1, 1)
        .ok_or(ValueError::Overflow("date"))?;
    Ok((quarter, date.signed_duration_since(first).num_days() + 1))
}

/// Combines the sub-second fields over the base's nanoseconds. Each given field replaces the
/// digits it covers: `millisecond` the first three, `microsecond` the next three (and the first
/// three if it is 1000 or more), `nanosecond` the last three (and more if it is larger).
fn subsecond_nanos(
    millis: Option<i64>,
    micros: Option<i64>,
    nanos: Option<i64>,
    base: i64,
) -> Result<i64, ValueError> {
    if millis.is_none() && micros.is_none() && nanos.is_none() {
        return Ok(base);
    }
    let check = |field: &'static str, value: i64, max: i64| {
        if (0..=max).contains(&value) {
            Ok(value)
        } else {
            Err(ValueError::range(field, value))
        }
    };
    let (mut ms, mut us, mut ns) = (base / 1_000_000, base / 1_000 % 1_000, base % 1_000);
    // Which of the three-digit groups each given field covers; a group covered twice is an error.
    let mut covered = [false; 3];
    let mut cover = |group: usize, field: &'static str, value: i64| {
        if covered[group] {
            return Err(ValueError::range(field, value));
        }
        covered[group] = true;
        Ok(())
    };
    if let Some(value) = millis {
        ms = check("millisecond", value, 999)?;
        cover(0, "millisecond", value)?;
    }
    if let Some(value) = micros {
        let value = check("microsecond", value, 999_999)?;
        cover(1, "microsecond", value)?;
        us = value;
        if value >= 1_000 {
            cover(0, "microsecond", value)?;
            ms = 0;
        }
    }
    if let Some(value) = nanos {
        let value = check("nanosecond", value, 999_999_999)?;
        cover(2, "nanosecond", value)?;
        ns = value;
        if value >= 1_000 {
            cover(1, "nanosecond", value)?;
            us = 0;
        }
        if value >= 1_000_000 {
            cover(0, "nanosecond", value)?;
            ms = 0;
        }
    }
    let total = ms * 1_000_000 + us * 1_000 + ns;
    if total >= NANOS_PER_SECOND {
        return Err(ValueError::range("nanosecond", total));
    }
    Ok(total)
}

impl Date {
    /// `date({...})`: see the module documentation for the accepted forms.
    pub fn from_map(map: &Map) -> Result<Self, ValueError> {
        let allowed = Allowed {
            date_fields: true,
            time_fields: false,
            timezone: false,
            epoch: false,
            bases: &["date"],
            target: "date",
        };
        let fields = Fields::read(map, &allowed)?;
        fields
            .resolve_date(fields.date_base()?)?
            .map(Date)
            .ok_or_else(|| ValueError::InvalidFields("year is required".to_owned()))
    }

    /// `date(x)` for a string, a map, or a value with a date part.
    pub fn from_value(value: &Value) -> Result<Self, ValueError> {
        match value {
            Value::String(s) => Self::parse(s),
            Value::Map(map) => Self::from_map(map),
            Value::Date(d) => Ok(*d),
            Value::LocalDateTime(dt) => Ok(Date(dt.0.date())),
            Value::DateTime(dt) => Ok(Date(dt.local.date())),
            other => Err(ValueError::TypeMismatch {
                expected: "a string, map or date",
                found: other.type_name(),
            }),
        }
    }
}

impl LocalTime {
    /// `localtime({hour, minute, second, millisecond, microsecond, nanosecond, time})`.
    pub fn from_map(map: &Map) -> Result<Self, ValueError> {
        let allowed = Allowed {
            date_fields: false,
            time_fields: true,
            timezone: false,
            epoch: false,
            bases: &["time"],
            target: "local time",
        };
        let fields = Fields::read(map, &allowed)?;
        let base = fields.time_base()?.map(|b| b.time);
        fields
            .resolve_time(base)?
            .map(LocalTime)
            .ok_or_else(|| ValueError::InvalidFields("hour is required".to_owned()))
    }

    /// `localtime(x)` for a string, a map, or a value with a time part.
    pub fn from_value(value: &Value) -> Result<Self, ValueError> {
        match value {
            Value::String(s) => Self::parse(s),
            Value::Map(map) => Self::from_map(map),
            Value::LocalTime(t) => Ok(*t),
            Value::Time(t) => Ok(LocalTime(t.time)),
            Value::LocalDateTime(dt) => Ok(LocalTime(dt.0.time())),
            Value::DateTime(dt) => Ok(LocalTime(dt.local.time())),
            other => Err(ValueError::TypeMismatch {
                expected: "a string, map or time",
                found: other.type_name(),
            }),
        }
    }
}

/// The offset of `zone` for a time of day: fixed offsets as they are; a named zone takes its
/// offset at `date` (the base's date, else today's).
fn time_offset(zone: &Zone, date: Option<NaiveDate>, time: NaiveTime) -> Result<i32, ValueError> {
    match zone {
        Zone::Offset(seconds) => Ok(*seconds),
        Zone::Named(_) => {
            let date = date.unwrap_or_else(|| chrono::Utc::now().date_naive());
            zone.offset_at_local(NaiveDateTime::new(date, time))
        }
    }
}

impl Time {
    /// `time({hour, ..., timezone, time})`.
    pub fn from_map(map: &Map) -> Result<Self, ValueError> {
        let allowed = Allowed {
            date_fields: false,
            time_fields: true,
            timezone: true,
            epoch: false,
            bases: &["time"],
            target: "time",
        };
        let fields = Fields::read(map, &allowed)?;
        let base = fields.time_base()?;
        let time = fields
            .resolve_time(base.as_ref().map(|b| b.time))?
            .ok_or_else(|| ValueError::InvalidFields("hour is required".to_owned()))?;
        let base_date = base
            .as_ref()
            .and_then(|b| b.zone.as_ref())
            .and_then(|(_, dt)| dt.as_ref())
            .map(|dt| dt.local.date());
        let base_offset = match base.as_ref().and_then(|b| b.zone.as_ref()) {
            Some((zone, _)) => Some(time_offset(zone, base_date, time)?),
            None => None,
        };
        match (&fields.timezone, base_offset) {
            (Some(zone), Some(from)) => {
                let to = time_offset(zone, base_date, time)?;
                let nanos = (Time {
                    time,
                    offset_seconds: from,
                }
                .nanos_of_day()
                    + i64::from(to - from) * NANOS_PER_SECOND)
                    .rem_euclid(super::NANOS_PER_DAY);
                Time::from_parts(nanos, to).ok_or(ValueError::Overflow("time"))
            }
            (Some(zone), None) => Ok(Time {
                time,
                offset_seconds: time_offset(zone, None, time)?,
            }),
            (None, Some(offset)) => Ok(Time {
                time,
                offset_seconds: offset,
            }),
            (None, None) => Ok(Time {
                time,
                offset_seconds: 0,
            }),
        }
    }

    /// `time(x)` for a string, a map, or a value with a time part (local ones at UTC).
    pub fn from_value(value: &Value) -> Result<Self, ValueError> {
        match value {
            Value::String(s) => Self::parse(s),
            Value::Map(map) => Self::from_map(map),
            Value::LocalTime(t) => Ok(Time {
                time: t.0,
                offset_seconds: 0,
            }),
            Value::Time(t) => Ok(*t),
            Value::LocalDateTime(dt) => Ok(Time {
                time: dt.0.time(),
                offset_seconds: 0,
            }),
            Value::DateTime(dt) => Ok(Time {
                time: dt.local.time(),
                offset_seconds: dt.offset_seconds,
            }),
            other => Err(ValueError::TypeMismatch {
                expected: "a string, map or time",
                found: other.type_name(),
            }),
        }
    }
}

impl LocalDateTime {
    /// `localdatetime({...})`: date fields (or `date`), time fields (or `time`), or `datetime`.
    pub fn from_map(map: &Map) -> Result<Self, ValueError> {
        let allowed = Allowed {
            date_fields: true,
            time_fields: true,
            timezone: false,
            epoch: false,
            bases: &["date", "time", "datetime"],
            target: "local datetime",
        };
        let fields = Fields::read(map, &allowed)?;
        let date = fields
            .resolve_date(fields.date_base()?)?
            .ok_or_else(|| ValueError::InvalidFields("year is required".to_owned()))?;
        let time = fields
            .resolve_time(fields.time_base()?.map(|b| b.time))?
            .unwrap_or(NaiveTime::MIN);
        Ok(LocalDateTime(NaiveDateTime::new(date, time)))
    }

    /// `localdatetime(x)` for a string, a map, or a date/datetime value.
    pub fn from_value(value: &Value) -> Result<Self, ValueError> {
        match value {
            Value::String(s) => Self::parse(s),
            Value::Map(map) => Self::from_map(map),
            Value::LocalDateTime(dt) => Ok(*dt),
            Value::DateTime(dt) => Ok(LocalDateTime(dt.local)),
            Value::Date(d) => Ok(LocalDateTime(NaiveDateTime::new(d.0, NaiveTime::MIN))),
            other => Err(ValueError::TypeMismatch {
                expected: "a string, map or datetime",
                found: other.type_name(),
            }),
        }
    }
}

impl DateTime {
    /// `datetime({...})`: as `localdatetime` plus `timezone`, or `{epochSeconds | epochMillis,
    /// [nanosecond], [timezone]}`.
    pub fn from_map(map: &Map) -> Result<Self, ValueError> {
        let allowed = Allowed {
            date_fields: true,
            time_fields: true,
            timezone: true,
            epoch: true,
            bases: &["date", "time", "datetime"],
            target: "datetime",
        };
        let fields = Fields::read(map, &allowed)?;
        if fields.epoch_seconds.is_some() || fields.epoch_millis.is_some() {
            return Self::from_epoch_fields(&fields);
        }
        let date = fields
            .resolve_date(fields.date_base()?)?
            .ok_or_else(|| ValueError::InvalidFields("year is required".to_owned()))?;
        let base = fields.time_base()?;
        let time = fields
            .resolve_time(base.as_ref().map(|b| b.time))?
            .unwrap_or(NaiveTime::MIN);
        let local = NaiveDateTime::new(date, time);
        let base_zone = base.and_then(|b| b.zone).map(|(zone, _)| zone);
        match (fields.timezone, base_zone) {
            (Some(zone), Some(from)) => from.at_local(local)?.with_zone_same_instant(&zone),
            (Some(zone), None) => zone.at_local(local),
            (None, Some(from)) => from.at_local(local),
            (None, None) => Zone::Offset(0).at_local(local),
        }
    }

    fn from_epoch_fields(fields: &Fields) -> Result<Self, ValueError> {
        if fields.year.is_some()
            || fields.date.is_some()
            || fields.time.is_some()
            || fields.datetime.is_some()
        {
            return Err(ValueError::InvalidFields(
                "epoch fields cannot be combined with date or time fields".to_owned(),
            ));
        }
        let extra_nanos =
            subsecond_nanos(fields.millisecond, fields.microsecond, fields.nanosecond, 0)?;
        let (seconds, nanos) = match (fields.epoch_seconds, fields.epoch_millis) {
            (Some(seconds), None) => (seconds, extra_nanos),
            (None, Some(millis)) => (
                millis.div_euclid(1000),
                millis.rem_euclid(1000) * 1_000_000 + extra_nanos,
            ),
            _ => {
                return Err(ValueError::InvalidFields(
                    "give either epochSeconds or epochMillis".to_owned(),
                ));
            }
        };
        DateTime::from_epoch(seconds, nanos, fields.timezone.as_ref())
    }

    /// `datetime(x)` for a string, a map, or a date/datetime value (local ones at UTC).
    pub fn from_value(value: &Value) -> Result<Self, ValueError> {
        match value {
            Value::String(s) => Self::parse(s),
            Value::Map(map) => Self::from_map(map),
            Value::DateTime(dt) => Ok(dt.clone()),
            Value::LocalDateTime(dt) => Ok(DateTime {
                local: dt.0,
                offset_seconds: 0,
                zone: None,
            }),
            Value::Date(d) => Ok(DateTime {
                local: NaiveDateTime::new(d.0, NaiveTime::MIN),
                offset_seconds: 0,
                zone: None,
            }),
            other => Err(ValueError::TypeMismatch {
                expected: "a string, map or datetime",
                found: other.type_name(),
            }),
        }
    }
}

impl Duration {
    /// `duration(x)` for a string, a map or a duration.
    pub fn from_value(value: &Value) -> Result<Self, ValueError> {
        match value {
            Value::String(s) => Self::parse(s),
            Value::Map(map) => Self::from_map(map),
            Value::Duration(d) => Ok(*d),
            other => Err(ValueError::TypeMismatch {
                expected: "a string, map or duration",
                found: other.type_name(),
            }),
        }
    }
}
