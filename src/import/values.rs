//! Fast parsers from CSV field bytes to stored values, one per header type: integers, floats,
//! booleans, ISO 8601 dates, times, datetimes (with `Z`, an offset or a `[Zone/Name]`) and
//! durations. They work on bytes and allocate only for strings and lists; they never panic.
//! This module knows nothing of files or of the store beyond `StoredValue`.

use chrono::{Offset, TimeZone};

use super::header::ScalarType;
use crate::storage::records::StoredValue;

const NANOS_PER_SECOND: i64 = 1_000_000_000;
/// chrono (and so `value::temporal`) represents years up to about ±262,000; a stored date
/// outside that range could not be read back, so the importer refuses it.
const MAX_YEAR: i64 = 262_000;

/// Parses one field (not empty) as `scalar`, or as a list of them split on `array_delimiter`.
pub fn parse_value(field: &[u8], scalar: ScalarType, array: Option<u8>) -> Option<StoredValue> {
    match array {
        None => parse_scalar(field, scalar),
        Some(delimiter) => field
            .split(|b| *b == delimiter)
            .map(|item| parse_scalar(item, scalar))
            .collect::<Option<Vec<_>>>()
            .map(StoredValue::List),
    }
}

/// Parses one scalar; `None` when the text is not a valid value of the type.
pub fn parse_scalar(field: &[u8], scalar: ScalarType) -> Option<StoredValue> {
    if scalar == ScalarType::String {
        return std::str::from_utf8(field)
            .ok()
            .map(|s| StoredValue::String(s.to_owned()));
    }
    let text = field.trim_ascii();
    match scalar {
        ScalarType::Int => parse_int(text).map(StoredValue::Int),
        ScalarType::Float => parse_float(text).map(StoredValue::Float),
        ScalarType::Bool => parse_bool(text).map(StoredValue::Bool),
        ScalarType::Date => parse_date_only(text).map(StoredValue::Date),
        ScalarType::DateTime => parse_datetime(text),
        ScalarType::LocalDateTime => parse_local_datetime(text),
        ScalarType::Time => parse_time(text),
        ScalarType::LocalTime => parse_local_time(text),
        ScalarType::Duration => parse_duration(text),
        ScalarType::String => None,
    }
}

/// A decimal integer with an optional sign.
#[must_use]
pub fn parse_int(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        let digit = i64::from(b - b'0');
        value = value.checked_mul(10)?;
        value = if negative {
            value.checked_sub(digit)?
        } else {
            value.checked_add(digit)?
        };
    }
    Some(value)
}

fn parse_float(text: &[u8]) -> Option<f64> {
    std::str::from_utf8(text).ok()?.parse().ok()
}

fn parse_bool(text: &[u8]) -> Option<bool> {
    if text.eq_ignore_ascii_case(b"true") {
        Some(true)
    } else if text.eq_ignore_ascii_case(b"false") {
        Some(false)
    } else {
        None
    }
}

/// Exactly `n` ASCII digits at the start of `text`, as a number.
fn digits(text: &[u8], n: usize) -> Option<u32> {
    let part = text.get(..n)?;
    let mut value = 0u32;
    for &b in part {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u32::from(b - b'0');
    }
    Some(value)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a valid proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = i64::from((month + 9) % 12);
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// `YYYY-MM-DD` (a sign allows more year digits); returns the days since the epoch and the rest.
fn parse_date(text: &[u8]) -> Option<(i64, &[u8])> {
    let (sign, rest) = match text.first()? {
        b'-' => (-1, &text[1..]),
        b'+' => (1, &text[1..]),
        _ => (1, text),
    };
    let year_len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if year_len < 4 || (year_len > 4 && sign == 1 && text[0] != b'+') || year_len > 6 {
        return None;
    }
    let year = sign * i64::from(digits(rest, year_len)?);
    let rest = &rest[year_len..];
    if year.abs() > MAX_YEAR || rest.first() != Some(&b'-') {
        return None;
    }
    let month = digits(&rest[1..], 2)?;
    if rest.get(3) != Some(&b'-') {
        return None;
    }
    let day = digits(&rest[4..], 2)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some((days_from_civil(year, month, day), &rest[6..]))
}

fn parse_date_only(text: &[u8]) -> Option<i64> {
    match parse_date(text)? {
        (days, []) => Some(days),
        _ => None,
    }
}

/// `HH:MM[:SS[.fffffffff]]`; returns nanoseconds of the day and the rest.
fn parse_clock(text: &[u8]) -> Option<(i64, &[u8])> {
    let hour = digits(text, 2)?;
    if text.get(2) != Some(&b':') {
        return None;
    }
    let minute = digits(&text[3..], 2)?;
    let mut rest = &text[5..];
    let mut second = 0;
    let mut nanos = 0i64;
    if rest.first() == Some(&b':') {
        second = digits(&rest[1..], 2)?;
        rest = &rest[3..];
        if let Some((b'.' | b',', fraction)) = rest.split_first() {
            let len = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
            if len == 0 || len > 9 {
                return None;
            }
            nanos = i64::from(digits(fraction, len)?) * 10i64.pow(9 - len as u32);
            rest = &fraction[len..];
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let seconds = i64::from(hour * 3600 + minute * 60 + second);
    Some((seconds * NANOS_PER_SECOND + nanos, rest))
}

/// `Z`, `+HH`, `+HHMM` or `+HH:MM` (or `-`); returns the offset in seconds and the rest.
fn parse_offset(text: &[u8]) -> Option<(i32, &[u8])> {
    match text.first()? {
        b'Z' | b'z' => Some((0, &text[1..])),
        sign @ (b'+' | b'-') => {
            let hours = digits(&text[1..], 2)?;
            let mut rest = &text[3..];
            let mut minutes = 0;
            if rest.first() == Some(&b':') {
                minutes = digits(&rest[1..], 2)?;
                rest = &rest[3..];
            } else if let Some(m) = digits(rest, 2) {
                minutes = m;
                rest = &rest[2..];
            }
            if hours > 18 || minutes > 59 {
                return None;
            }
            #[allow(clippy::cast_possible_wrap)]
            let seconds = (hours * 3600 + minutes * 60) as i32;
            Some((if *sign == b'-' { -seconds } else { seconds }, rest))
        }
        _ => None,
    }
}

/// `[Zone/Name]` at the end of the text.
fn parse_zone(text: &[u8]) -> Option<&str> {
    let name = text.strip_prefix(b"[")?.strip_suffix(b"]")?;
    let name = std::str::from_utf8(name).ok()?;
    (!name.is_empty()).then_some(name)
}

/// The date and the time of day of a `date[Ttime]` text, and the rest after them.
fn parse_date_and_clock(text: &[u8]) -> Option<(i64, i64, &[u8])> {
    let (days, rest) = parse_date(text)?;
    match rest.split_first() {
        Some((b'T' | b't' | b' ', clock)) => {
            let (nanos, rest) = parse_clock(clock)?;
            Some((days, nanos, rest))
        }
        _ => Some((days, 0, rest)),
    }
}

fn split_nanos(days: i64, nanos_of_day: i64) -> (i64, u32) {
    let seconds = days * 86_400 + nanos_of_day / NANOS_PER_SECOND;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let nanos = (nanos_of_day % NANOS_PER_SECOND) as u32;
    (seconds, nanos)
}

fn parse_datetime(text: &[u8]) -> Option<StoredValue> {
    let (days, nanos_of_day, rest) = parse_date_and_clock(text)?;
    let (local_seconds, nanos) = split_nanos(days, nanos_of_day);
    let (offset, zone) = match rest {
        [] => (0, None),
        [b'[', ..] => {
            let name = parse_zone(rest)?;
            (zone_offset(name, local_seconds)?, Some(name.to_owned()))
        }
        _ => {
            let (offset, rest) = parse_offset(rest)?;
            match rest {
                [] => (offset, None),
                _ => (offset, Some(parse_zone(rest)?.to_owned())),
            }
        }
    };
    Some(StoredValue::DateTime(
        local_seconds - i64::from(offset),
        nanos,
        offset,
        zone,
    ))
}

/// The offset of a named zone at a wall-clock time (the earlier one in a fold; a wall-clock
/// time in a gap is refused).
fn zone_offset(name: &str, local_seconds: i64) -> Option<i32> {
    let zone: chrono_tz::Tz = name.parse().ok()?;
    let local = chrono::DateTime::from_timestamp(local_seconds, 0)?.naive_utc();
    let offset = zone.offset_from_local_datetime(&local).earliest()?;
    Some(offset.fix().local_minus_utc())
}

fn parse_local_datetime(text: &[u8]) -> Option<StoredValue> {
    match parse_date_and_clock(text)? {
        (days, nanos_of_day, []) => {
            let (seconds, nanos) = split_nanos(days, nanos_of_day);
            Some(StoredValue::LocalDateTime(seconds, nanos))
        }
        _ => None,
    }
}

fn parse_time(text: &[u8]) -> Option<StoredValue> {
    let (nanos, rest) = parse_clock(text)?;
    let offset = match rest {
        [] => 0,
        _ => match parse_offset(rest)? {
            (offset, []) => offset,
            _ => return None,
        },
    };
    Some(StoredValue::Time(nanos, offset))
}

fn parse_local_time(text: &[u8]) -> Option<StoredValue> {
    match parse_clock(text)? {
        (nanos, []) => Some(StoredValue::LocalTime(nanos)),
        _ => None,
    }
}

/// ISO 8601 `P[nY][nM][nW][nD][T[nH][nM][n[.f]S]]`, each number optionally signed, a fraction
/// only on the seconds; a leading `-` negates the whole duration.
fn parse_duration(text: &[u8]) -> Option<StoredValue> {
    let (negate, text) = match text.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, text),
    };
    let mut rest = text
        .strip_prefix(b"P")
        .or_else(|| text.strip_prefix(b"p"))?;
    let (mut months, mut days, mut seconds, mut nanos) = (0i64, 0i64, 0i64, 0i64);
    let mut in_time = false;
    let mut any = false;
    while let Some((&first, after)) = rest.split_first() {
        if first == b'T' || first == b't' {
            if in_time {
                return None;
            }
            in_time = true;
            rest = after;
            continue;
        }
        let sign_len = usize::from(first == b'-' || first == b'+');
        let number_len = rest[sign_len..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if number_len == 0 {
            return None;
        }
        let number = parse_int(&rest[..sign_len + number_len])?;
        rest = &rest[sign_len + number_len..];
        let mut fraction = 0i64;
        if let Some((b'.' | b',', after)) = rest.split_first() {
            let len = after.iter().take_while(|b| b.is_ascii_digit()).count();
            if len == 0 || len > 9 {
                return None;
            }
            fraction = i64::from(digits(after, len)?) * 10i64.pow(9 - len as u32);
            if first == b'-' {
                fraction = -fraction;
            }
            rest = &after[len..];
        }
        let (&unit, after) = rest.split_first()?;
        rest = after;
        if fraction != 0 && !(in_time && unit.eq_ignore_ascii_case(&b'S')) {
            return None;
        }
        match (in_time, unit.to_ascii_uppercase()) {
            (false, b'Y') => months = months.checked_add(number.checked_mul(12)?)?,
            (false, b'M') => months = months.checked_add(number)?,
            (false, b'W') => days = days.checked_add(number.checked_mul(7)?)?,
            (false, b'D') => days = days.checked_add(number)?,
            (true, b'H') => seconds = seconds.checked_add(number.checked_mul(3600)?)?,
            (true, b'M') => seconds = seconds.checked_add(number.checked_mul(60)?)?,
            (true, b'S') => {
                seconds = seconds.checked_add(number)?;
                nanos += fraction;
            }
            _ => return None,
        }
        any = true;
    }
    if !any {
        return None;
    }
    // Seconds and nanoseconds are kept with nanoseconds in 0..1e9, as openCypher normalises them.
    let total = i128::from(seconds) * i128::from(NANOS_PER_SECOND) + i128::from(nanos);
    let total = if negate { -total } else { total };
    let sign = if negate { -1 } else { 1 };
    let seconds = i64::try_from(total.div_euclid(i128::from(NANOS_PER_SECOND))).ok()?;
    let nanos = i32::try_from(total.rem_euclid(i128::from(NANOS_PER_SECOND))).ok()?;
    Some(StoredValue::Duration(
        months.checked_mul(sign)?,
        days.checked_mul(sign)?,
        seconds,
        nanos,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Option<i64> {
        parse_date_only(text.as_bytes())
    }

    #[test]
    fn dates_count_days_from_the_epoch() {
        assert_eq!(date("1970-01-01"), Some(0));
        assert_eq!(date("1969-12-31"), Some(-1));
        assert_eq!(date("2000-03-01"), Some(11_017));
        assert_eq!(date("2024-02-29"), Some(19_782));
        assert_eq!(date("2023-02-29"), None);
        assert_eq!(date("2024-13-01"), None);
        assert_eq!(date("2024-1-01"), None);
        assert_eq!(date("2024-01-01x"), None);
        assert_eq!(date("-0001-01-01"), Some(-719_893));
        assert_eq!(date(""), None);
    }

    #[test]
    fn datetimes_with_offsets_and_zones() {
        let dt = |t: &str| parse_datetime(t.as_bytes());
        assert_eq!(
            dt("2024-03-01T10:15:00Z"),
            Some(StoredValue::DateTime(1_709_288_100, 0, 0, None))
        );
        assert_eq!(
            dt("2024-03-01T10:15Z"),
            Some(StoredValue::DateTime(1_709_288_100, 0, 0, None))
        );
        assert_eq!(
            dt("2024-03-01T11:15:00.25+01:00"),
            Some(StoredValue::DateTime(
                1_709_288_100,
                250_000_000,
                3600,
                None
            ))
        );
        assert_eq!(
            dt("2024-03-01T11:15:00[Europe/Stockholm]"),
            Some(StoredValue::DateTime(
                1_709_288_100,
                0,
                3600,
                Some("Europe/Stockholm".into())
            ))
        );
        assert_eq!(dt("2024-03-01T25:00:00Z"), None);
        assert_eq!(dt("2024-03-01T10:00:00[Nowhere/Atall]"), None);
        assert_eq!(
            parse_local_datetime(b"1970-01-02T00:00:01"),
            Some(StoredValue::LocalDateTime(86_401, 0))
        );
        assert_eq!(
            parse_time(b"01:00:00-02:00"),
            Some(StoredValue::Time(3_600_000_000_000, -7200))
        );
        assert_eq!(
            parse_local_time(b"00:00:01.5"),
            Some(StoredValue::LocalTime(1_500_000_000))
        );
    }

    #[test]
    fn numbers_booleans_and_durations() {
        assert_eq!(parse_int(b"-42"), Some(-42));
        assert_eq!(parse_int(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_int(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_int(b"9223372036854775808"), None);
        assert_eq!(parse_int(b"4x"), None);
        assert_eq!(parse_int(b"-"), None);
        assert_eq!(parse_float(b"1234.50"), Some(1234.5));
        assert_eq!(parse_bool(b"TRUE"), Some(true));
        assert_eq!(parse_bool(b"yes"), None);
        assert_eq!(
            parse_duration(b"P1Y2M3W4DT5H6M7.5S"),
            Some(StoredValue::Duration(14, 25, 18_367, 500_000_000))
        );
        assert_eq!(
            parse_duration(b"-PT1.5S"),
            Some(StoredValue::Duration(0, 0, -2, 500_000_000))
        );
        assert_eq!(parse_duration(b"P"), None);
        assert_eq!(parse_duration(b"P1.5D"), None);
        assert_eq!(
            parse_value(b"a;;b", ScalarType::String, Some(b';')),
            Some(StoredValue::List(vec![
                StoredValue::String("a".into()),
                StoredValue::String(String::new()),
                StoredValue::String("b".into())
            ]))
        );
        assert_eq!(parse_value(b"1;x", ScalarType::Int, Some(b';')), None);
    }
}
