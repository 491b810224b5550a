//! ISO 8601 parsing of dates, times, datetimes and offsets in every form openCypher accepts:
//! calendar (`2015-07-21`, `20150721`, `2015-07`), week (`2015-W30-2`, `2015W302`, `2015-W30`),
//! ordinal (`2015-202`, `2015202`), quarter (`2015-Q3`, `2015-Q3-45`) and year (`2015`, `+10000`)
//! dates; times `21`, `21:40`, `2140`, `21:40:32.142`, `214032,142`; offsets `Z`, `+01`, `+0100`,
//! `+01:00`, `+01:00:30`; zone names in brackets (`[Europe/Stockholm]`).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use super::{Date, DateTime, LocalDateTime, LocalTime, Time, Zone, check_offset, checked_year};
use crate::value::ValueError;

impl Date {
    /// `date(string)`.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        parse_date(text, "date").map(Date)
    }
}

impl LocalTime {
    /// `localtime(string)`: a time without offset.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        parse_time(text, "local time").map(LocalTime)
    }
}

impl Time {
    /// `time(string)`: a time with an optional offset (UTC when absent).
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let err = || ValueError::parse("time", text);
        let (time_text, offset_text) = split_offset(text);
        let time = parse_time(time_text, "time").map_err(|_| err())?;
        let offset_seconds = match offset_text {
            "" => 0,
            offset => offset_exact(offset).ok_or_else(err)?,
        };
        Ok(Time {
            time,
            offset_seconds,
        })
    }
}

impl LocalDateTime {
    /// `localdatetime(string)`: a date, optionally followed by `T` and a time.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let (date, time) = match text.split_once(['T', 't']) {
            Some((date, time)) => (
                date,
                parse_time(time, "local datetime")
                    .map_err(|_| ValueError::parse("local datetime", text))?,
            ),
            None => (text, NaiveTime::MIN),
        };
        let date =
            parse_date(date, "local datetime").map_err(|e| rename(e, "local datetime", text))?;
        Ok(LocalDateTime(NaiveDateTime::new(date, time)))
    }
}

impl DateTime {
    /// `datetime(string)`: date, optional `T` and time, optional offset, optional `[Zone/Name]`.
    /// With only a zone name the offset is the zone's at that wall-clock time; with both, the
    /// written offset fixes the instant, shown in the zone. Without either, the datetime is at
    /// UTC.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let err = || ValueError::parse("datetime", text);
        let (body, zone_name) = match text.strip_suffix(']') {
            Some(head) => {
                let (body, name) = head.rsplit_once('[').ok_or_else(err)?;
                (body, Some(name))
            }
            None => (text, None),
        };
        let (date_text, time_text) = match body.split_once(['T', 't']) {
            Some((date, time)) => (date, Some(time)),
            None => (body, None),
        };
        let date = parse_date(date_text, "datetime").map_err(|e| rename(e, "datetime", text))?;
        let (time, offset) = match time_text {
            Some(time_text) => {
                let (time_text, offset_text) = split_offset(time_text);
                let time = parse_time(time_text, "datetime").map_err(|_| err())?;
                let offset = match offset_text {
                    "" => None,
                    offset => Some(offset_exact(offset).ok_or_else(err)?),
                };
                (time, offset)
            }
            None => (NaiveTime::MIN, None),
        };
        let local = NaiveDateTime::new(date, time);
        match (zone_name, offset) {
            (Some(name), None) => Zone::parse(name)?.at_local(local),
            (Some(name), Some(offset)) => {
                // Both written: the offset fixes the instant and the zone how it is shown, as
                // java.time resolves `2021-10-31T02:30+01:00[Europe/Stockholm]`.
                let zone = Zone::parse(name)?;
                zone.at_utc(Zone::Offset(offset).at_local(local)?.utc())
            }
            (None, Some(offset)) => Zone::Offset(offset).at_local(local),
            (None, None) => Ok(DateTime {
                local,
                offset_seconds: 0,
                zone: None,
            }),
        }
    }
}

fn rename(error: ValueError, target: &'static str, text: &str) -> ValueError {
    match error {
        ValueError::Parse { .. } => ValueError::parse(target, text),
        other => other,
    }
}

/// Splits a time text at the start of its offset (`Z`, `+`, `-`).
fn split_offset(text: &str) -> (&str, &str) {
    match text.find(['Z', 'z', '+', '-']) {
        Some(at) => (&text[..at], &text[at..]),
        None => (text, ""),
    }
}

fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn number(text: &str) -> Option<i64> {
    if all_digits(text) {
        text.parse().ok()
    } else {
        None
    }
}

/// Parses a date in any of the ISO 8601 forms. A year outside chrono's range is an overflow
/// error, anything malformed a parse error.
pub(super) fn parse_date(text: &str, target: &'static str) -> Result<NaiveDate, ValueError> {
    let err = || ValueError::parse(target, text);
    // Every form is ASCII; checking once makes the byte slicing below safe.
    if !text.is_ascii() {
        return Err(err());
    }
    // The year: four digits, or a sign and any number of digits (then only extended forms).
    let (year, rest) = if let Some(signed) = text.strip_prefix(['+', '-']) {
        let end = signed
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(signed.len());
        let digits = number(&signed[..end]).ok_or_else(err)?;
        let year = if text.starts_with('-') {
            -digits
        } else {
            digits
        };
        let rest = &signed[end..];
        if !(rest.is_empty() || rest.starts_with('-')) {
            return Err(err());
        }
        (year, rest)
    } else {
        let head = text.get(..4).ok_or_else(err)?;
        (number(head).ok_or_else(err)?, &text[4..])
    };
    let year = checked_year(year)?;
    let (extended, rest) = match rest.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    if extended && rest.is_empty() {
        return Err(err());
    }
    if rest.is_empty() {
        return NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(err);
    }
    if let Some(week_text) = rest.strip_prefix(['W', 'w']) {
        let (week, day) = if extended {
            match week_text.split_once('-') {
                Some((week, day)) if day.len() == 1 => (week, Some(day)),
                Some(_) => return Err(err()),
                None => (week_text, None),
            }
        } else {
            match week_text.len() {
                2 => (week_text, None),
                3 => (&week_text[..2], Some(&week_text[2..])),
                _ => return Err(err()),
            }
        };
        if week.len() != 2 {
            return Err(err());
        }
        let week = number(week).ok_or_else(err)?;
        let day = day.map(number).map_or(Some(1), |d| d).ok_or_else(err)?;
        return week_date(year, week, day).map_err(|_| err());
    }
    if let Some(quarter_text) = rest.strip_prefix(['Q', 'q']) {
        let (quarter, day) = if extended {
            match quarter_text.split_once('-') {
                Some((quarter, day)) => (quarter, Some(day)),
                None => (quarter_text, None),
            }
        } else if quarter_text.len() > 1 {
            (&quarter_text[..1], Some(&quarter_text[1..]))
        } else {
            (quarter_text, None)
        };
        if quarter.len() != 1 || day.is_some_and(|d| d.len() != 2) {
            return Err(err());
        }
        let quarter = number(quarter).ok_or_else(err)?;
        let day = day.map(number).map_or(Some(1), |d| d).ok_or_else(err)?;
        return quarter_date(year, quarter, day).map_err(|_| err());
    }
    let parts: Vec<&str> = if extended {
        rest.split('-').collect()
    } else {
        Vec::new()
    };
    let (month, day, ordinal) = if extended {
        match parts.as_slice() {
            [ordinal] if ordinal.len() == 3 => (None, None, Some(*ordinal)),
            [month] if month.len() == 2 => (Some(*month), None, None),
            [month, day] if month.len() == 2 && day.len() == 2 => (Some(*month), Some(*day), None),
            _ => return Err(err()),
        }
    } else {
        match rest.len() {
            2 => (Some(rest), None, None),
            3 => (None, None, Some(rest)),
            4 => (Some(&rest[..2]), Some(&rest[2..]), None),
            _ => return Err(err()),
        }
    };
    if let Some(ordinal) = ordinal {
        let ordinal = number(ordinal)
            .and_then(|o| u32::try_from(o).ok())
            .ok_or_else(err)?;
        return NaiveDate::from_yo_opt(year, ordinal).ok_or_else(err);
    }
    let month = month
        .and_then(number)
        .and_then(|m| u32::try_from(m).ok())
        .ok_or_else(err)?;
    let day = match day {
        Some(day) => number(day)
            .and_then(|d| u32::try_from(d).ok())
            .ok_or_else(err)?,
        None => 1,
    };
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(err)
}

/// The date of ISO week `week` (1-53) day `day` (1 = Monday) of week-based year `year`.
pub(super) fn week_date(year: i32, week: i64, day: i64) -> Result<NaiveDate, ValueError> {
    let week = u32::try_from(week)
        .ok()
        .filter(|w| (1..=53).contains(w))
        .ok_or_else(|| ValueError::range("week", week))?;
    let weekday = weekday_of(day)?;
    NaiveDate::from_isoywd_opt(year, week, weekday).ok_or_else(|| ValueError::range("week", week))
}

pub(super) fn weekday_of(day: i64) -> Result<Weekday, ValueError> {
    Ok(match day {
        1 => Weekday::Mon,
        2 => Weekday::Tue,
        3 => Weekday::Wed,
        4 => Weekday::Thu,
        5 => Weekday::Fri,
        6 => Weekday::Sat,
        7 => Weekday::Sun,
        _ => return Err(ValueError::range("dayOfWeek", day)),
    })
}

/// The date of day `day` (1-92) of quarter `quarter` (1-4) of `year`.
pub(super) fn quarter_date(year: i32, quarter: i64, day: i64) -> Result<NaiveDate, ValueError> {
    let quarter = u32::try_from(quarter)
        .ok()
        .filter(|q| (1..=4).contains(q))
        .ok_or_else(|| ValueError::range("quarter", quarter))?;
    let first =
        NaiveDate::from_ymd_opt(year, quarter * 3 - 2, 1).ok_or(ValueError::Overflow("date"))?;
    let next = super::add_months(first, 3)?;
    let length = next.signed_duration_since(first).num_days();
    if !(1..=length).contains(&day) {
        return Err(ValueError::range("dayOfQuarter", day));
    }
    super::add_days(first, day - 1)
}

/// Parses `HH[:MM[:SS[.f]]]` or `HH[MM[SS[.f]]]`.
pub(super) fn parse_time(text: &str, target: &'static str) -> Result<NaiveTime, ValueError> {
    let err = || ValueError::parse(target, text);
    let (main, fraction) = match text.split_once(['.', ',']) {
        Some((main, fraction)) => (main, Some(fraction)),
        None => (text, None),
    };
    let fields: Vec<&str> = if main.contains(':') {
        main.split(':').collect()
    } else {
        if main.len() % 2 != 0 || main.len() > 6 || !main.is_ascii() {
            return Err(err());
        }
        (0..main.len() / 2)
            .map(|i| &main[i * 2..i * 2 + 2])
            .collect()
    };
    if fields.is_empty() || fields.len() > 3 || fields.iter().any(|f| f.len() != 2) {
        return Err(err());
    }
    let values: Vec<u32> = fields
        .iter()
        .map(|f| number(f).and_then(|n| u32::try_from(n).ok()))
        .collect::<Option<_>>()
        .ok_or_else(err)?;
    let nanos = match fraction {
        None => 0,
        Some(fraction) => {
            if values.len() != 3
                || fraction.is_empty()
                || fraction.len() > 9
                || !all_digits(fraction)
            {
                return Err(err());
            }
            let digits: u32 = fraction.parse().map_err(|_| err())?;
            digits * 10u32.pow(u32::try_from(9 - fraction.len()).map_err(|_| err())?)
        }
    };
    let hour = values[0];
    let minute = values.get(1).copied().unwrap_or(0);
    let second = values.get(2).copied().unwrap_or(0);
    NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
        .filter(|_| second < 60)
        .ok_or_else(err)
}

/// Parses an offset: `Z`, `±HH`, `±HHMM`, `±HH:MM`, `±HH:MM:SS`, `±HHMMSS`, at most ±18:00.
pub(crate) fn offset_exact(text: &str) -> Option<i32> {
    if text.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let negative = text.starts_with('-');
    let body = text.strip_prefix(['+', '-'])?;
    let fields: Vec<&str> = if body.contains(':') {
        body.split(':').collect()
    } else {
        if body.len() % 2 != 0 || body.len() > 6 || !body.is_ascii() {
            return None;
        }
        (0..body.len() / 2)
            .map(|i| &body[i * 2..i * 2 + 2])
            .collect()
    };
    if fields.is_empty() || fields.len() > 3 || fields.iter().any(|f| f.len() != 2) {
        return None;
    }
    let values: Vec<i64> = fields.iter().map(|f| number(f)).collect::<Option<_>>()?;
    let (hours, minutes, seconds) = (
        values[0],
        values.get(1).copied().unwrap_or(0),
        values.get(2).copied().unwrap_or(0),
    );
    if minutes >= 60 || seconds >= 60 {
        return None;
    }
    let total = hours * 3600 + minutes * 60 + seconds;
    check_offset(if negative { -total } else { total }).ok()
}
