//! Lenient parsing of the values CRM exports write: numbers with thousands separators and
//! either decimal mark, money with currency symbols or codes, booleans as yes/no, dates in ISO,
//! US or European order, datetimes with or without a zone (UTC assumed) or as epoch
//! milliseconds. It knows nothing of files or mappings: each function takes one trimmed field
//! and returns a value or a short reason for the caller to place at file:line:column.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::value::{Date, DateTime, Value};

/// The order of day, month and year in a date written with slashes, dots or dashes and a
/// two-part prefix (`03/01/2024`). ISO dates (`2024-03-01`) are read the same in every order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// Month, day, year: the US convention, and the default of US CRM exports.
    #[default]
    Mdy,
    /// Day, month, year.
    Dmy,
}

/// A value type of a mapped column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    String,
    #[serde(alias = "integer")]
    Int,
    Float,
    #[serde(alias = "boolean")]
    Bool,
    Date,
    Datetime,
    Money,
}

impl Kind {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::Int => "integer",
            Kind::Float => "number",
            Kind::Bool => "boolean",
            Kind::Date => "date",
            Kind::Datetime => "datetime",
            Kind::Money => "money amount",
        }
    }
}

/// Parses a non-empty, trimmed field as `kind`.
pub fn parse(text: &str, kind: Kind, order: DateOrder) -> Result<Value, String> {
    let fail = || format!("`{text}` is not a valid {}", kind.name());
    match kind {
        Kind::String => Ok(Value::String(text.into())),
        Kind::Int => parse_int(text).map(Value::Int).ok_or_else(fail),
        Kind::Float => parse_number(text).map(Value::Float).ok_or_else(fail),
        Kind::Money => parse_money(text).map(Value::Float).ok_or_else(fail),
        Kind::Bool => parse_bool(text).map(Value::Bool).ok_or_else(fail),
        Kind::Date => parse_date(text, order)
            .map(|d| Value::Date(Date(d)))
            .ok_or_else(fail),
        Kind::Datetime => parse_datetime(text, order)
            .map(Value::DateTime)
            .ok_or_else(fail),
    }
}

/// `yes`/`no`, `true`/`false`, `y`/`n`, `t`/`f`, `1`/`0`, `on`/`off`, `x` (a ticked box), in
/// any case.
#[must_use]
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "t" | "1" | "on" | "x" => Some(true),
        "no" | "n" | "false" | "f" | "0" | "off" => Some(false),
        _ => None,
    }
}

/// An integer, allowing thousands separators (`1,234`, `1.234`, `1 234`, `1'234`) and a zero
/// fraction (`12.0`).
#[must_use]
pub fn parse_int(text: &str) -> Option<i64> {
    if let Ok(n) = text.parse::<i64>() {
        return Some(n);
    }
    let f = parse_number(text)?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Some(f as i64)
    } else {
        None
    }
}

/// A number with either decimal mark. When both `.` and `,` occur, the later one is the decimal
/// mark; a lone `,` followed by exactly three digits (or several `,`) groups thousands, any
/// other lone `,` is a decimal comma; several `.` group thousands. Spaces, `'` and `_` group
/// thousands too. A leading `+`/`-` or surrounding parentheses (accounting negatives) give the
/// sign; a trailing `%` is allowed and kept as written (`12%` is 12).
#[must_use]
pub fn parse_number(text: &str) -> Option<f64> {
    let mut t = text.trim();
    let mut negative = false;
    if let Some(inner) = t.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
        negative = true;
        t = inner.trim();
    }
    if let Some(rest) = t.strip_prefix('-') {
        negative = !negative;
        t = rest.trim_start();
    } else if let Some(rest) = t.strip_prefix('+') {
        t = rest.trim_start();
    }
    if let Some(rest) = t.strip_suffix('-') {
        // `1.234,50-`: a trailing minus, as some ERPs write.
        negative = !negative;
        t = rest.trim_end();
    }
    t = t.strip_suffix('%').map_or(t, str::trim_end);
    let cleaned: String = t
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'' | '_'))
        .collect();
    if cleaned.is_empty()
        || !cleaned
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        || !cleaned.chars().any(|c| c.is_ascii_digit())
    {
        // Scientific notation and the like: leave it to Rust's parser.
        return cleaned
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| if negative { -f } else { f });
    }
    let last_dot = cleaned.rfind('.');
    let last_comma = cleaned.rfind(',');
    let decimal = match (last_dot, last_comma) {
        (Some(d), Some(c)) => Some(if d > c { '.' } else { ',' }),
        (Some(_), None) => (cleaned.matches('.').count() == 1).then_some('.'),
        (None, Some(c)) => {
            let after = cleaned.len() - c - 1;
            (cleaned.matches(',').count() == 1 && after != 3).then_some(',')
        }
        (None, None) => None,
    };
    let mut digits = String::with_capacity(cleaned.len());
    for c in cleaned.chars() {
        match c {
            '0'..='9' => digits.push(c),
            c if Some(c) == decimal => digits.push('.'),
            _ => {}
        }
    }
    let value: f64 = digits.parse().ok()?;
    Some(if negative { -value } else { value })
}

/// A money amount: a number with a currency symbol or ISO code before or after it
/// (`$1,234.50`, `1.234,50 €`, `EUR 99`, `-£3`).
#[must_use]
pub fn parse_money(text: &str) -> Option<f64> {
    let stripped: String = text
        .chars()
        .filter(|c| {
            !(c.is_alphabetic()
                || matches!(
                    c,
                    '$' | '€' | '£' | '¥' | '₹' | '₩' | '₽' | '₺' | '₪' | '¢' | '฿' | '₫'
                ))
        })
        .collect();
    parse_number(&stripped)
}

/// A date: ISO (`2024-03-01`, `2024/03/01`, `20240301`), two-part-first dates in `order`
/// (`03/01/2024`, `01.03.2024`, `3-1-24`), month names (`1 Mar 2024`, `March 1, 2024`), or the
/// date part of a datetime.
#[must_use]
pub fn parse_date(text: &str, order: DateOrder) -> Option<NaiveDate> {
    let t = text.trim();
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(t, f) {
            return Some(d);
        }
    }
    let (first, second) = match order {
        DateOrder::Mdy => ("%m", "%d"),
        DateOrder::Dmy => ("%d", "%m"),
    };
    for sep in ['/', '.', '-'] {
        for year in ["%Y", "%y"] {
            let f = format!("{first}{sep}{second}{sep}{year}");
            if let Ok(d) = NaiveDate::parse_from_str(t, &f) {
                return Some(d);
            }
        }
    }
    for f in [
        "%d %b %Y",
        "%d %B %Y",
        "%b %d, %Y",
        "%B %d, %Y",
        "%d-%b-%Y",
        "%d-%b-%y",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(t, f) {
            return Some(d);
        }
    }
    parse_datetime(t, order).map(|dt| dt.local.date())
}

/// A datetime: RFC 3339 (`2024-03-01T10:00:00Z`), Salesforce's `2024-03-01T10:00:00.000+0000`,
/// a local date and time (`2024-03-01 10:00`, `03/01/2024 10:00 AM`, taken as UTC), a date
/// alone (midnight UTC), or epoch milliseconds (13 digits, as HubSpot writes them).
#[must_use]
pub fn parse_datetime(text: &str, order: DateOrder) -> Option<DateTime> {
    let t = text.trim();
    let zoned = |dt: chrono::DateTime<chrono::FixedOffset>| {
        DateTime::from_parts(
            dt.timestamp(),
            dt.timestamp_subsec_nanos(),
            dt.offset().local_minus_utc(),
            None,
        )
    };
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(t) {
        return zoned(dt);
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M%z",
    ] {
        if let Ok(dt) = chrono::DateTime::parse_from_str(t, f) {
            return zoned(dt);
        }
    }
    let utc = |local: NaiveDateTime| {
        let utc = local.and_utc();
        DateTime::from_parts(utc.timestamp(), utc.timestamp_subsec_nanos(), 0, None)
    };
    if let Some(without_z) = t.strip_suffix('Z').or_else(|| t.strip_suffix(" UTC"))
        && without_z != t
        && let Some(local) = local_datetime(without_z, order)
    {
        return utc(local);
    }
    if let Some(local) = local_datetime(t, order) {
        return utc(local);
    }
    if t.len() == 13 && t.bytes().all(|b| b.is_ascii_digit()) {
        return t
            .parse::<i64>()
            .ok()
            .and_then(|ms| DateTime::from_epoch_millis(ms).ok());
    }
    None
}

/// A date and time without a zone.
fn local_datetime(t: &str, order: DateOrder) -> Option<NaiveDateTime> {
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, f) {
            return Some(dt);
        }
    }
    // A date followed by a time, the date in any form `parse_date` reads.
    if let Some((date, time)) = t.split_once(' ').or_else(|| t.split_once('T')) {
        let date_part = NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .ok()
            .or_else(|| two_part_date(date, order));
        if let Some(d) = date_part {
            for f in ["%H:%M:%S", "%H:%M", "%I:%M %p", "%I:%M:%S %p", "%I:%M%p"] {
                if let Ok(tm) = NaiveTime::parse_from_str(time.trim(), f) {
                    return Some(d.and_time(tm));
                }
            }
        }
    }
    // A date alone: midnight.
    if t.len() >= 6 && !t.contains(':') {
        let d = NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .or_else(|| two_part_date(t, order))?;
        return d.and_hms_opt(0, 0, 0);
    }
    None
}

fn two_part_date(t: &str, order: DateOrder) -> Option<NaiveDate> {
    let (first, second) = match order {
        DateOrder::Mdy => ("%m", "%d"),
        DateOrder::Dmy => ("%d", "%m"),
    };
    for sep in ['/', '.', '-'] {
        for year in ["%Y", "%y"] {
            if let Ok(d) = NaiveDate::parse_from_str(t, &format!("{first}{sep}{second}{sep}{year}"))
            {
                return Some(d);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_either_decimal_mark() {
        assert_eq!(parse_number("1,234.50"), Some(1234.5));
        assert_eq!(parse_number("1.234,50"), Some(1234.5));
        assert_eq!(parse_number("1 234,5"), Some(1234.5));
        assert_eq!(parse_number("1,234"), Some(1234.0));
        assert_eq!(parse_number("1,5"), Some(1.5));
        assert_eq!(parse_number("1.234.567"), Some(1_234_567.0));
        assert_eq!(parse_number("(12.5)"), Some(-12.5));
        assert_eq!(parse_number("-3"), Some(-3.0));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number("1,234,567"), Some(1_234_567.0));
    }

    #[test]
    fn money_bools_and_ints() {
        assert_eq!(parse_money("$1,234.50"), Some(1234.5));
        assert_eq!(parse_money("1.234,50 €"), Some(1234.5));
        assert_eq!(parse_money("EUR 99"), Some(99.0));
        assert_eq!(parse_money("-£3"), Some(-3.0));
        assert_eq!(parse_money("USD"), None);
        assert_eq!(parse_bool("Yes"), Some(true));
        assert_eq!(parse_bool("0"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
        assert_eq!(parse_int("1,200"), Some(1200));
        assert_eq!(parse_int("12.0"), Some(12));
        assert_eq!(parse_int("12.5"), None);
    }

    #[test]
    fn dates_and_datetimes() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(parse_date("2024-03-01", DateOrder::Mdy), d(2024, 3, 1));
        assert_eq!(parse_date("03/01/2024", DateOrder::Mdy), d(2024, 3, 1));
        assert_eq!(parse_date("03/01/2024", DateOrder::Dmy), d(2024, 1, 3));
        assert_eq!(parse_date("01.03.2024", DateOrder::Dmy), d(2024, 3, 1));
        assert_eq!(parse_date("1 Mar 2024", DateOrder::Mdy), d(2024, 3, 1));
        assert_eq!(parse_date("March 1, 2024", DateOrder::Mdy), d(2024, 3, 1));
        assert_eq!(
            parse_date("2024-03-01T23:30:00Z", DateOrder::Mdy),
            d(2024, 3, 1)
        );
        assert_eq!(parse_date("13/13/2024", DateOrder::Mdy), None);
        let dt = parse_datetime("2024-03-01T10:00:00.000+0000", DateOrder::Mdy).unwrap();
        assert_eq!(
            dt,
            parse_datetime("2024-03-01T10:00:00Z", DateOrder::Mdy).unwrap()
        );
        assert_eq!(
            dt,
            parse_datetime("2024-03-01 10:00", DateOrder::Mdy).unwrap()
        );
        assert_eq!(
            dt,
            parse_datetime("03/01/2024 10:00 AM", DateOrder::Mdy).unwrap()
        );
        assert_eq!(dt, parse_datetime("1709287200000", DateOrder::Mdy).unwrap());
        let offset = parse_datetime("2024-03-01T11:00:00+01:00", DateOrder::Mdy).unwrap();
        assert_eq!(offset.epoch_seconds(), dt.epoch_seconds());
        assert_eq!(offset.offset_seconds, 3600);
        assert!(parse_datetime("yesterday", DateOrder::Mdy).is_none());
    }
}
