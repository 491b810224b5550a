//! The duration type: normalisation, construction from maps (with fractional fields cascading to
//! smaller units), ISO 8601 parsing and printing, and duration arithmetic.
//!
//! A fraction of a month becomes days and seconds through the average Gregorian month
//! (30.436875 days, as java.time and Neo4j use); a fraction of a day becomes seconds. Days are
//! never folded into months, nor seconds into days: `PT25H` stays 25 hours.

use std::fmt;

use super::{NANOS_PER_DAY, NANOS_PER_SECOND};
use crate::value::{Map, Value, ValueError};

/// Seconds in the average Gregorian month: 365.2425 days / 12.
const AVG_MONTH_SECONDS: i64 = 2_629_746;

impl Duration {
    /// A duration from its parts; nanoseconds may be any value and carry into seconds.
    pub fn new(months: i64, days: i64, seconds: i64, nanos: i64) -> Result<Self, ValueError> {
        let total = i128::from(seconds) * i128::from(NANOS_PER_SECOND) + i128::from(nanos);
        Self::from_total(months, days, total)
    }

    /// A duration of months, days and a total of nanoseconds.
    pub(crate) fn from_total(months: i64, days: i64, nanos: i128) -> Result<Self, ValueError> {
        let per = i128::from(NANOS_PER_SECOND);
        let seconds =
            i64::try_from(nanos.div_euclid(per)).map_err(|_| ValueError::Overflow("duration"))?;
        let nanos =
            i32::try_from(nanos.rem_euclid(per)).map_err(|_| ValueError::Overflow("duration"))?;
        Ok(Duration {
            months,
            days,
            seconds,
            nanos,
        })
    }

    /// The seconds and nanoseconds part as one nanosecond count.
    #[must_use]
    pub fn total_nanos(&self) -> i128 {
        i128::from(self.seconds) * i128::from(NANOS_PER_SECOND) + i128::from(self.nanos)
    }

    /// `duration({years: 1, days: 1.5, ...})`. Keys: years, quarters, months, weeks, days, hours,
    /// minutes, seconds, milliseconds, microseconds, nanoseconds (case-insensitive); values are
    /// integers or floats; null values are ignored. Unknown keys are an error.
    pub fn from_map(map: &Map) -> Result<Self, ValueError> {
        let mut builder = Builder::default();
        for (key, value) in map {
            let amount = match value {
                Value::Null => continue,
                Value::Int(i) => Amount::Int(*i),
                Value::Float(f) if f.is_finite() => Amount::Float(*f),
                Value::Float(f) => return Err(ValueError::range("duration", f)),
                other => {
                    return Err(ValueError::TypeMismatch {
                        expected: "a number",
                        found: other.type_name(),
                    });
                }
            };
            let unit = Unit::from_key(key).ok_or_else(|| {
                ValueError::InvalidFields(format!("unknown duration field {key:?}"))
            })?;
            builder.add(unit, amount)?;
        }
        builder.build()
    }

    /// `duration(string)`: `P[nY][nM][nW][nD][T[nH][nM][nS]]` with signed and fractional
    /// components (`P5M1.5D`, `PT-0.001S`, `-P1D`), or the alternative form
    /// `PYYYY-MM-DDThh:mm:ss[.f]`.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        parse_duration(text).ok_or_else(|| ValueError::parse("duration", text))
    }

    /// `-self`.
    pub fn checked_neg(&self) -> Result<Self, ValueError> {
        let overflow = || ValueError::Overflow("duration");
        Self::from_total(
            self.months.checked_neg().ok_or_else(overflow)?,
            self.days.checked_neg().ok_or_else(overflow)?,
            -self.total_nanos(),
        )
    }

    /// Component-wise sum.
    pub fn checked_add(&self, other: &Duration) -> Result<Self, ValueError> {
        let overflow = || ValueError::Overflow("duration");
        Self::from_total(
            self.months.checked_add(other.months).ok_or_else(overflow)?,
            self.days.checked_add(other.days).ok_or_else(overflow)?,
            self.total_nanos() + other.total_nanos(),
        )
    }

    /// Component-wise difference.
    pub fn checked_sub(&self, other: &Duration) -> Result<Self, ValueError> {
        self.checked_add(&other.checked_neg()?)
    }

    /// `duration * integer`: exact.
    pub fn checked_mul_int(&self, factor: i64) -> Result<Self, ValueError> {
        let overflow = || ValueError::Overflow("duration");
        Self::from_total(
            self.months.checked_mul(factor).ok_or_else(overflow)?,
            self.days.checked_mul(factor).ok_or_else(overflow)?,
            self.total_nanos()
                .checked_mul(i128::from(factor))
                .ok_or_else(overflow)?,
        )
    }

    /// `duration * float`: each component is scaled and fractions cascade to smaller units
    /// (half a month is 15 days and 5h14m33s).
    pub fn checked_mul_float(&self, factor: f64) -> Result<Self, ValueError> {
        if !factor.is_finite() {
            return Err(ValueError::range("factor", factor));
        }
        let mut builder = Builder::default();
        #[allow(clippy::cast_precision_loss)]
        {
            builder.add(Unit::Months, Amount::Float(self.months as f64 * factor))?;
            builder.add(Unit::Days, Amount::Float(self.days as f64 * factor))?;
            builder.add_nanos_f64(self.total_nanos() as f64 * factor)?;
        }
        builder.build()
    }

    /// `duration / number`, with fractions cascading as for multiplication.
    pub fn checked_div(&self, divisor: f64) -> Result<Self, ValueError> {
        if divisor == 0.0 {
            return Err(ValueError::DivisionByZero);
        }
        self.checked_mul_float(1.0 / divisor)
    }
}

use super::Duration;

/// An integer or float field value.
#[derive(Clone, Copy)]
pub(crate) enum Amount {
    Int(i64),
    Float(f64),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Years,
    Quarters,
    Months,
    Weeks,
    Days,
    Hours,
    Minutes,
    Seconds,
    Milliseconds,
    Microseconds,
    Nanoseconds,
}

impl Unit {
    fn from_key(key: &str) -> Option<Unit> {
        Some(match key.to_ascii_lowercase().as_str() {
            "years" => Unit::Years,
            "quarters" => Unit::Quarters,
            "months" => Unit::Months,
            "weeks" => Unit::Weeks,
            "days" => Unit::Days,
            "hours" => Unit::Hours,
            "minutes" => Unit::Minutes,
            "seconds" => Unit::Seconds,
            "milliseconds" => Unit::Milliseconds,
            "microseconds" => Unit::Microseconds,
            "nanoseconds" => Unit::Nanoseconds,
            _ => return None,
        })
    }
}

/// Accumulates duration fields: whole months, whole days and a nanosecond total, with fractions
/// of months and days pushed down to the smaller units.
#[derive(Default)]
pub(crate) struct Builder {
    months: i64,
    days: i64,
    nanos: i128,
}

impl Builder {
    pub(crate) fn add(&mut self, unit: Unit, amount: Amount) -> Result<(), ValueError> {
        let overflow = || ValueError::Overflow("duration");
        match unit {
            Unit::Years | Unit::Quarters | Unit::Months => {
                let per = match unit {
                    Unit::Years => 12,
                    Unit::Quarters => 3,
                    _ => 1,
                };
                match amount {
                    Amount::Int(i) => {
                        self.months = i
                            .checked_mul(per)
                            .and_then(|m| self.months.checked_add(m))
                            .ok_or_else(overflow)?;
                    }
                    Amount::Float(f) => {
                        #[allow(clippy::cast_precision_loss)]
                        let months = f * per as f64;
                        let whole = months.trunc();
                        self.months = self
                            .months
                            .checked_add(f64_to_i64(whole)?)
                            .ok_or_else(overflow)?;
                        #[allow(clippy::cast_precision_loss)]
                        let rest_nanos = (months - whole) * (AVG_MONTH_SECONDS as f64) * 1e9;
                        self.add_day_fraction_nanos(rest_nanos)?;
                    }
                }
            }
            Unit::Weeks | Unit::Days => {
                let per = if unit == Unit::Weeks { 7 } else { 1 };
                match amount {
                    Amount::Int(i) => {
                        self.days = i
                            .checked_mul(per)
                            .and_then(|d| self.days.checked_add(d))
                            .ok_or_else(overflow)?;
                    }
                    Amount::Float(f) => {
                        #[allow(clippy::cast_precision_loss)]
                        let days = f * per as f64;
                        let whole = days.trunc();
                        self.days = self
                            .days
                            .checked_add(f64_to_i64(whole)?)
                            .ok_or_else(overflow)?;
                        #[allow(clippy::cast_precision_loss)]
                        self.add_nanos_f64((days - whole) * NANOS_PER_DAY as f64)?;
                    }
                }
            }
            _ => {
                let per: i64 = match unit {
                    Unit::Hours => 3600 * NANOS_PER_SECOND,
                    Unit::Minutes => 60 * NANOS_PER_SECOND,
                    Unit::Seconds => NANOS_PER_SECOND,
                    Unit::Milliseconds => 1_000_000,
                    Unit::Microseconds => 1_000,
                    _ => 1,
                };
                match amount {
                    Amount::Int(i) => {
                        self.nanos = self
                            .nanos
                            .checked_add(i128::from(i) * i128::from(per))
                            .ok_or_else(overflow)?;
                    }
                    #[allow(clippy::cast_precision_loss)]
                    Amount::Float(f) => self.add_nanos_f64(f * per as f64)?,
                }
            }
        }
        Ok(())
    }

    /// Adds an exact nanosecond amount (used by the string parser for `21.545S`).
    pub(crate) fn add_exact_nanos(&mut self, nanos: i128) -> Result<(), ValueError> {
        self.nanos = self
            .nanos
            .checked_add(nanos)
            .ok_or(ValueError::Overflow("duration"))?;
        Ok(())
    }

    /// Splits a (fraction of a month) nanosecond amount into whole days and nanoseconds.
    fn add_day_fraction_nanos(&mut self, nanos: f64) -> Result<(), ValueError> {
        #[allow(clippy::cast_precision_loss)]
        let per_day = NANOS_PER_DAY as f64;
        let days = (nanos / per_day).trunc();
        self.days = self
            .days
            .checked_add(f64_to_i64(days)?)
            .ok_or(ValueError::Overflow("duration"))?;
        self.add_nanos_f64(nanos - days * per_day)
    }

    fn add_nanos_f64(&mut self, nanos: f64) -> Result<(), ValueError> {
        // Round to the nearest nanosecond, ties towards zero: `1ns * 0.5` is 0, as Neo4j
        // truncates, while float noise (`0.3 days` as 25919999999999.996ns) still rounds up.
        let rounded = if (nanos - nanos.trunc()).abs() == 0.5 {
            nanos.trunc()
        } else {
            nanos.round()
        };
        // i128 holds any f64 below 1.7e38; reject the rest rather than saturate silently.
        if !rounded.is_finite() || rounded.abs() > 1e36 {
            return Err(ValueError::Overflow("duration"));
        }
        #[allow(clippy::cast_possible_truncation)]
        let n = rounded as i128;
        self.add_exact_nanos(n)
    }

    pub(crate) fn build(self) -> Result<Duration, ValueError> {
        Duration::from_total(self.months, self.days, self.nanos)
    }
}

fn f64_to_i64(f: f64) -> Result<i64, ValueError> {
    #[allow(clippy::cast_precision_loss)]
    if f.is_finite() && f.abs() < i64::MAX as f64 {
        #[allow(clippy::cast_possible_truncation)]
        Ok(f as i64)
    } else {
        Err(ValueError::Overflow("duration"))
    }
}

// ---------------------------------------------------------------------------------------------
// Printing.

impl fmt::Display for Duration {
    /// `P1Y2M10DT12H45M30.25S`: years and months from `months`, days, then hours, minutes and
    /// seconds from the seconds part, each printed with its own sign (`PT-1M-0.001S`); zero is
    /// `PT0S`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::from("P");
        let (years, months) = (self.months / 12, self.months % 12);
        if years != 0 {
            out.push_str(&format!("{years}Y"));
        }
        if months != 0 {
            out.push_str(&format!("{months}M"));
        }
        if self.days != 0 {
            out.push_str(&format!("{}D", self.days));
        }
        let total = self.total_nanos();
        if total != 0 {
            out.push('T');
            let negative = total < 0;
            let abs = total.unsigned_abs();
            let per_second = NANOS_PER_SECOND.unsigned_abs() as u128;
            let hours = abs / (3600 * per_second);
            let minutes = abs / (60 * per_second) % 60;
            let seconds = abs / per_second % 60;
            let fraction = abs % per_second;
            let sign = if negative { "-" } else { "" };
            if hours != 0 {
                out.push_str(&format!("{sign}{hours}H"));
            }
            if minutes != 0 {
                out.push_str(&format!("{sign}{minutes}M"));
            }
            if seconds != 0 || fraction != 0 {
                out.push_str(&format!("{sign}{seconds}"));
                if fraction != 0 {
                    let digits = format!("{fraction:09}");
                    out.push('.');
                    out.push_str(digits.trim_end_matches('0'));
                }
                out.push('S');
            }
        }
        if out == "P" {
            out.push_str("T0S");
        }
        f.write_str(&out)
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing.

fn parse_duration(text: &str) -> Option<Duration> {
    let (negate, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let rest = rest.strip_prefix(['P', 'p'])?;
    if rest.is_empty() {
        return None;
    }
    let duration = parse_alternative(rest).or_else(|| parse_designators(rest))?;
    if negate {
        duration.checked_neg().ok()
    } else {
        Some(duration)
    }
}

/// `[n Y][n M][n W][n D][T [n H][n M][n S]]`, each number signed and optionally fractional.
fn parse_designators(text: &str) -> Option<Duration> {
    let mut builder = Builder::default();
    let (date_part, time_part) = match text.find(['T', 't']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let mut any = false;
    let mut rest = date_part;
    let date_units = [
        ('Y', Unit::Years),
        ('M', Unit::Months),
        ('W', Unit::Weeks),
        ('D', Unit::Days),
    ];
    let mut next_unit = 0;
    while !rest.is_empty() {
        let (number, designator, tail) = split_component(rest)?;
        let position = date_units
            .iter()
            .position(|(c, _)| c.eq_ignore_ascii_case(&designator))?;
        if position < next_unit {
            return None;
        }
        next_unit = position + 1;
        builder.add(date_units[position].1, number.amount()?).ok()?;
        any = true;
        rest = tail;
    }
    if let Some(time_part) = time_part {
        if time_part.is_empty() {
            return None;
        }
        let mut rest = time_part;
        let time_units = [
            ('H', Unit::Hours),
            ('M', Unit::Minutes),
            ('S', Unit::Seconds),
        ];
        let mut next_unit = 0;
        while !rest.is_empty() {
            let (number, designator, tail) = split_component(rest)?;
            let position = time_units
                .iter()
                .position(|(c, _)| c.eq_ignore_ascii_case(&designator))?;
            if position < next_unit {
                return None;
            }
            next_unit = position + 1;
            if time_units[position].1 == Unit::Seconds {
                builder
                    .add_exact_nanos(number.exact_nanos(NANOS_PER_SECOND)?)
                    .ok()?;
            } else {
                builder.add(time_units[position].1, number.amount()?).ok()?;
            }
            any = true;
            rest = tail;
        }
    }
    if !any {
        return None;
    }
    builder.build().ok()
}

/// A decimal number as written: sign, integer digits, optional fraction digits.
struct Decimal<'a> {
    negative: bool,
    integer: &'a str,
    fraction: &'a str,
}

impl Decimal<'_> {
    fn amount(&self) -> Option<Amount> {
        let integer: i64 = self.integer.parse().ok()?;
        let integer = if self.negative { -integer } else { integer };
        if self.fraction.is_empty() {
            return Some(Amount::Int(integer));
        }
        let text = format!(
            "{}{}.{}",
            if self.negative { "-" } else { "" },
            self.integer,
            self.fraction
        );
        text.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Amount::Float)
    }

    /// The exact value times `unit` (the number of nanoseconds in one unit), with at most nine
    /// fraction digits.
    fn exact_nanos(&self, unit: i64) -> Option<i128> {
        if self.fraction.len() > 9 {
            return None;
        }
        let integer: i128 = self.integer.parse().ok()?;
        let mut fraction: i128 = if self.fraction.is_empty() {
            0
        } else {
            self.fraction.parse().ok()?
        };
        for _ in self.fraction.len()..9 {
            fraction *= 10;
        }
        let total = integer
            .checked_mul(i128::from(unit))?
            .checked_add(fraction.checked_mul(i128::from(unit))? / 1_000_000_000)?;
        Some(if self.negative { -total } else { total })
    }
}

/// Splits `-1.5D...` into the number, the designator letter and the rest.
fn split_component(text: &str) -> Option<(Decimal<'_>, char, &str)> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(body) => (true, body),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let int_end = body
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(body.len());
    let integer = &body[..int_end];
    let mut rest = &body[int_end..];
    let mut fraction = "";
    if let Some(after) = rest.strip_prefix(['.', ',']) {
        let frac_end = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        fraction = &after[..frac_end];
        if fraction.is_empty() {
            return None;
        }
        rest = &after[frac_end..];
    }
    if integer.is_empty() {
        return None;
    }
    let designator = rest.chars().next()?;
    Some((
        Decimal {
            negative,
            integer,
            fraction,
        },
        designator,
        &rest[designator.len_utf8()..],
    ))
}

/// `YYYY-MM-DDThh:mm:ss[.f]` (after the `P`): years, months, days, hours, minutes, seconds.
fn parse_alternative(text: &str) -> Option<Duration> {
    let (date, time) = match text.find(['T', 't']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let fields: Vec<&str> = date.split('-').collect();
    let [years, months, days] = fields.as_slice() else {
        return None;
    };
    let digits = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i64>().ok())
            .flatten()
    };
    let years = digits(years, 4)?;
    let months = digits(months, 2)?;
    let days = digits(days, 2)?;
    let mut builder = Builder::default();
    builder.add(Unit::Years, Amount::Int(years)).ok()?;
    builder.add(Unit::Months, Amount::Int(months)).ok()?;
    builder.add(Unit::Days, Amount::Int(days)).ok()?;
    if let Some(time) = time {
        let parts: Vec<&str> = time.split(':').collect();
        let [hours, minutes, seconds] = parts.as_slice() else {
            return None;
        };
        builder
            .add(Unit::Hours, Amount::Int(digits(hours, 2)?))
            .ok()?;
        builder
            .add(Unit::Minutes, Amount::Int(digits(minutes, 2)?))
            .ok()?;
        let (whole, fraction) = match seconds.split_once(['.', ',']) {
            Some((whole, fraction)) => (whole, fraction),
            None => (*seconds, ""),
        };
        if whole.len() != 2 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let decimal = Decimal {
            negative: false,
            integer: whole,
            fraction,
        };
        builder
            .add_exact_nanos(decimal.exact_nanos(NANOS_PER_SECOND)?)
            .ok()?;
    }
    builder.build().ok()
}
