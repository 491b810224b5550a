//! Numeric functions: `abs`, `ceil`, `floor`, `round` (with precision and rounding mode),
//! `sign`, `sqrt`, `exp`, logarithms, trigonometry, `e`, `pi`, `isNaN`, and the random
//! sources `rand` and `randomUUID`.
//!
//! Results follow Java's `Math` as Neo4j does: `ceil`, `floor`, `round` and the transcendental
//! functions return floats, `abs` and `sign` keep integers integral, and out-of-domain inputs
//! give NaN or infinities rather than errors (`log(0)` is `-Infinity`, `sqrt(-1)` NaN).

use super::{
    FunctionDef, arg, def, opt_int, opt_number, opt_str, random_u64, type_error, volatile,
};
use crate::exec::{ExecError, FnContext};
use crate::value::Value;

pub(super) static FUNCTIONS: &[FunctionDef] = &[
    def("abs", 1, Some(1), abs),
    def("ceil", 1, Some(1), ceil),
    def("floor", 1, Some(1), floor),
    def("round", 1, Some(3), round),
    def("sign", 1, Some(1), sign),
    def("sqrt", 1, Some(1), sqrt),
    def("cbrt", 1, Some(1), cbrt),
    def("exp", 1, Some(1), exp),
    def("log", 1, Some(1), log),
    def("log10", 1, Some(1), log10),
    def("sin", 1, Some(1), sin),
    def("cos", 1, Some(1), cos),
    def("tan", 1, Some(1), tan),
    def("cot", 1, Some(1), cot),
    def("asin", 1, Some(1), asin),
    def("acos", 1, Some(1), acos),
    def("atan", 1, Some(1), atan),
    def("atan2", 2, Some(2), atan2),
    def("degrees", 1, Some(1), degrees),
    def("radians", 1, Some(1), radians),
    def("haversin", 1, Some(1), haversin),
    def("e", 0, Some(0), e),
    def("pi", 0, Some(0), pi),
    def("isNaN", 1, Some(1), is_nan),
    volatile("rand", 0, Some(0), rand),
    volatile("randomUUID", 0, Some(0), random_uuid),
];

fn abs(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Int(i) => i
            .checked_abs()
            .map(Value::Int)
            .ok_or_else(|| ExecError::Arithmetic(format!("integer overflow in abs({i})"))),
        Value::Float(f) => Ok(Value::Float(f.abs())),
        other => Err(type_error("abs", "a number", other)),
    }
}

/// A function of one float: null for null, a `TypeError` for a non-number.
fn unary_float(name: &str, args: &[Value], f: impl FnOnce(f64) -> f64) -> Result<Value, ExecError> {
    Ok(opt_number(name, arg(args, 0))?
        .map(|x| Value::Float(f(x)))
        .unwrap_or(Value::Null))
}

macro_rules! float_functions {
    ($($name:ident, $text:literal, $body:expr;)*) => {
        $(fn $name(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
            unary_float($text, args, $body)
        })*
    };
}

float_functions! {
    ceil, "ceil", f64::ceil;
    floor, "floor", f64::floor;
    sqrt, "sqrt", f64::sqrt;
    cbrt, "cbrt", f64::cbrt;
    exp, "exp", f64::exp;
    log, "log", f64::ln;
    log10, "log10", f64::log10;
    sin, "sin", f64::sin;
    cos, "cos", f64::cos;
    tan, "tan", f64::tan;
    cot, "cot", |x: f64| 1.0 / x.tan();
    asin, "asin", f64::asin;
    acos, "acos", f64::acos;
    atan, "atan", f64::atan;
    degrees, "degrees", f64::to_degrees;
    radians, "radians", f64::to_radians;
    haversin, "haversin", |x: f64| (1.0 - x.cos()) / 2.0;
}

fn atan2(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    let y = opt_number("atan2", arg(args, 0))?;
    let x = opt_number("atan2", arg(args, 1))?;
    Ok(match (y, x) {
        (Some(y), Some(x)) => Value::Float(y.atan2(x)),
        _ => Value::Null,
    })
}

fn e(_: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    Ok(Value::Float(std::f64::consts::E))
}

fn pi(_: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    Ok(Value::Float(std::f64::consts::PI))
}

/// `sign(x)`: -1, 0 or 1 as an integer, for integers and floats (0 for NaN).
fn sign(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Int(i) => Ok(Value::Int(i.signum())),
        Value::Float(f) if *f > 0.0 => Ok(Value::Int(1)),
        Value::Float(f) if *f < 0.0 => Ok(Value::Int(-1)),
        Value::Float(_) => Ok(Value::Int(0)),
        other => Err(type_error("sign", "a number", other)),
    }
}

fn is_nan(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Int(_) => Ok(Value::Bool(false)),
        Value::Float(f) => Ok(Value::Bool(f.is_nan())),
        other => Err(type_error("isNaN", "a number", other)),
    }
}

/// A float in [0, 1) with 53 random bits.
fn rand(_: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    #[allow(clippy::cast_precision_loss)]
    let x = (random_u64() >> 11) as f64 / (1u64 << 53) as f64;
    Ok(Value::Float(x))
}

/// A version 4 (random) UUID in its canonical lowercase form.
fn random_uuid(_: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    let high = (random_u64() & !0xF000) | 0x4000;
    let low = (random_u64() & !(0xC000u64 << 48)) | (0x8000u64 << 48);
    let hex = format!("{high:016x}{low:016x}");
    Ok(Value::String(
        (format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        ))
        .into(),
    ))
}

/// How `round(x, precision, mode)` resolves the discarded digits (Java's `RoundingMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RoundingMode {
    Up,
    Down,
    Ceiling,
    Floor,
    HalfUp,
    HalfDown,
    HalfEven,
    /// An `ArgumentError` if rounding would change the value.
    Unnecessary,
}

impl RoundingMode {
    fn parse(name: &str) -> Result<Self, ExecError> {
        Ok(match name.to_ascii_uppercase().as_str() {
            "UP" => RoundingMode::Up,
            "DOWN" => RoundingMode::Down,
            "CEILING" => RoundingMode::Ceiling,
            "FLOOR" => RoundingMode::Floor,
            "HALF_UP" => RoundingMode::HalfUp,
            "HALF_DOWN" => RoundingMode::HalfDown,
            "HALF_EVEN" => RoundingMode::HalfEven,
            "UNNECESSARY" => RoundingMode::Unnecessary,
            _ => {
                return Err(ExecError::Argument(format!(
                    "unknown rounding mode {name:?}"
                )));
            }
        })
    }
}

/// `round(x)` rounds half up towards positive infinity, as Java's `Math.round` (`round(-1.5)`
/// is `-1.0`); `round(x, precision[, mode])` rounds the decimal value of `x` to `precision`
/// digits after the point with `mode` (default `HALF_UP`, away from zero, except that
/// `round(x, 0)` agrees with `round(x)`), as Neo4j does with `BigDecimal`. Always a float; null
/// if any argument is null.
fn round(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    let Some(x) = opt_number("round", arg(args, 0))? else {
        return Ok(Value::Null);
    };
    if args.len() == 1 {
        return Ok(Value::Float(java_round(x)));
    }
    let Some(precision) = opt_int("round", arg(args, 1))? else {
        return Ok(Value::Null);
    };
    let mode = if args.len() > 2 {
        match opt_str("round", arg(args, 2))? {
            Some(name) => RoundingMode::parse(name)?,
            None => return Ok(Value::Null),
        }
    } else if precision == 0 {
        // Neo4j makes `round(x, 0)` agree with `round(x)`: ties towards positive infinity.
        return Ok(Value::Float(java_round(x)));
    } else {
        RoundingMode::HalfUp
    };
    round_decimal(x, precision, mode).map(Value::Float)
}

/// Java's `Math.round`: the nearest integer, ties towards positive infinity, as a float
/// (without negative zero, as Java's result is an integer).
fn java_round(x: f64) -> f64 {
    let rounded = if x - x.floor() == 0.5 {
        x.ceil()
    } else {
        x.round()
    };
    rounded + 0.0
}

/// Rounds the shortest decimal representation of `x` (the digits `toString` prints, which is
/// what `BigDecimal.valueOf` sees) to `precision` places.
fn round_decimal(x: f64, precision: i64, mode: RoundingMode) -> Result<f64, ExecError> {
    if !x.is_finite() || x == 0.0 {
        return Ok(x);
    }
    // Beyond these bounds every f64 is either kept whole or rounded to zero or one unit, and
    // the clamp keeps the digit strings small.
    let precision = precision.clamp(-400, 400);
    let negative = x < 0.0;
    let sci = format!("{:e}", x.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let digits: Vec<u8> = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    // value = 0.d1 d2 d3 ... x 10^(exponent + 1); keep `keep` leading digits.
    let keep = exponent + 1 + precision;
    let digit_count = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    if keep >= digit_count {
        return Ok(x);
    }
    let (kept, first_dropped, rest_nonzero): (Vec<u8>, u8, bool) = if keep < 0 {
        (Vec::new(), 0, true)
    } else {
        let keep = usize::try_from(keep).unwrap_or(0);
        (
            digits[..keep].to_vec(),
            digits[keep],
            digits[keep + 1..].iter().any(|d| *d != 0),
        )
    };
    let exact_half = first_dropped == 5 && !rest_nonzero;
    let above_half = first_dropped > 5 || (first_dropped == 5 && rest_nonzero);
    let last_odd = kept.last().is_some_and(|d| d % 2 == 1);
    // Everything dropped is non-zero here (keep < digit_count and the shortest form has no
    // trailing zeros), so every mode but the half ones rounds by direction alone.
    let away = match mode {
        RoundingMode::Up => true,
        RoundingMode::Down => false,
        RoundingMode::Ceiling => !negative,
        RoundingMode::Floor => negative,
        RoundingMode::HalfUp => above_half || exact_half,
        RoundingMode::HalfDown => above_half,
        RoundingMode::HalfEven => above_half || (exact_half && last_odd),
        RoundingMode::Unnecessary => {
            return Err(ExecError::Argument(format!(
                "rounding {x} to {precision} places is necessary"
            )));
        }
    };
    let mut kept = kept;
    if away {
        // Add one unit in the last kept place, carrying.
        let mut carry = true;
        for digit in kept.iter_mut().rev() {
            if *digit == 9 {
                *digit = 0;
            } else {
                *digit += 1;
                carry = false;
                break;
            }
        }
        if carry {
            kept.insert(0, 1);
        }
    }
    if kept.is_empty() {
        return Ok(if negative { -0.0 } else { 0.0 });
    }
    let text: String = kept.iter().map(|d| char::from(b'0' + d)).collect();
    let value: f64 = format!("{text}e{}", -precision)
        .parse()
        .map_err(|_| ExecError::Argument(format!("cannot round {x}")))?;
    Ok(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    //! `round_decimal` at the edges a data file cannot reach comfortably: carries, the clamp,
    //! subnormals and the top of the float range.

    use super::{RoundingMode, round_decimal};

    fn round(x: f64, precision: i64, mode: RoundingMode) -> f64 {
        round_decimal(x, precision, mode).expect("rounding")
    }

    #[test]
    fn carries_propagate() {
        assert_eq!(round(9.999, 2, RoundingMode::HalfUp), 10.0);
        assert_eq!(round(-9.999, 2, RoundingMode::HalfUp), -10.0);
        assert_eq!(round(99.5, 0, RoundingMode::HalfEven), 100.0);
        assert_eq!(round(0.95, 1, RoundingMode::HalfUp), 1.0);
    }

    #[test]
    fn precision_beyond_the_digits_keeps_the_value() {
        assert_eq!(round(0.1, 400, RoundingMode::Up), 0.1);
        assert_eq!(round(0.1, i64::MAX, RoundingMode::Unnecessary), 0.1);
        assert_eq!(round(123.0, 0, RoundingMode::Unnecessary), 123.0);
    }

    #[test]
    fn precision_far_below_rounds_to_zero_or_one_unit() {
        assert_eq!(round(123.0, -5, RoundingMode::HalfUp), 0.0);
        assert_eq!(round(123.0, -5, RoundingMode::Up), 100_000.0);
        assert_eq!(round(-123.0, -5, RoundingMode::Floor), -100_000.0);
        assert_eq!(round(123.0, i64::MIN, RoundingMode::Down), 0.0);
        assert!(round(123.0, i64::MIN, RoundingMode::Up).is_infinite());
    }

    #[test]
    fn extremes_of_the_float_range() {
        assert_eq!(round(5e-324, 400, RoundingMode::HalfUp), 5e-324);
        assert_eq!(round(5e-324, 2, RoundingMode::HalfUp), 0.0);
        assert_eq!(round(5e-324, 2, RoundingMode::Up), 0.01);
        assert_eq!(round(f64::MAX, 0, RoundingMode::HalfUp), f64::MAX);
        assert!(round(f64::MAX, -308, RoundingMode::Up).is_infinite());
        assert!(round(f64::NAN, 1, RoundingMode::Up).is_nan());
    }

    #[test]
    fn unnecessary_fails_only_when_digits_are_dropped() {
        assert!(round_decimal(1.25, 1, RoundingMode::Unnecessary).is_err());
        assert_eq!(round(1.25, 2, RoundingMode::Unnecessary), 1.25);
    }
}
