//! Aggregate functions: `count`, `sum`, `avg`, `min`, `max`, `collect`, `percentileCont`,
//! `percentileDisc`, `stDev`, `stDevP`, as accumulators the aggregation operator feeds one row
//! at a time, and a registry the planner resolves once, checking arity at compile time.
//!
//! Semantics follow the TCK's aggregation features: nulls are skipped by every aggregate, so an
//! all-null group is the same as an empty one (`count` 0, `sum` 0, `collect` `[]`, `stDev` 0.0,
//! the rest null). `count(*)` counts rows, nulls included, and has its own accumulator
//! ([`count_star`]). `sum` of integers stays an integer, and a sum outside the 64-bit range (checked
//! once, at the end) is an `ArithmeticError`;
//! a float makes the sum a float; durations sum to a duration; mixing numbers and durations is
//! a `TypeError`. `min` and `max` compare across types by the ORDER BY order (`Value::order`).
//! Float sums (in `sum` and `avg`) are exact until the final rounding (Shewchuk's partials, as
//! Python's `math.fsum`), so they do not depend on the order rows arrive in.
//!
//! Accumulators that can `merge` (all but `stDev` and `stDevP`) let the aggregation run on
//! several threads, each over a part of the rows in scan order; merging the parts in that
//! order gives what one thread would have: counts and exact sums add, `min` and `max` keep the
//! first of equals, `collect` and the percentiles append.
//!
//! DISTINCT is the caller's business: the aggregation operator keeps a set of the argument
//! values seen per group (grouping equality, `Value`'s `Eq`/`Hash`) and calls `update` only
//! for new ones. Only the first argument is de-duplicated; the percentile is a constant.
//!
//! Tests: `src/db/tests/functions.rs` (cases in `tests/data/functions/aggregates.txt`).

use std::any::Any;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::OnceLock;

use super::ExecError;
use crate::value::{Duration, Value};

/// A running aggregate for one group.
pub trait Accumulator: Send + Any {
    /// Feeds one row's evaluated arguments (as many as the definition's arity allows).
    fn update(&mut self, args: &[Value]) -> Result<(), ExecError>;
    /// Feeds many rows of a one-argument aggregate, in order: `update` with each value.
    fn update_each(&mut self, values: &[Value]) -> Result<(), ExecError> {
        for value in values {
            self.update(std::slice::from_ref(value))?;
        }
        Ok(())
    }
    /// The aggregate's value for the rows seen. Called once, after the last `update`.
    fn finish(&mut self) -> Result<Value, ExecError>;
    /// Whether `merge` can combine this accumulator with another of its kind.
    fn mergeable(&self) -> bool {
        false
    }
    /// Takes in `later`, an accumulator of the same aggregate fed the rows that come after
    /// this one's. Only called when `mergeable`.
    fn merge(&mut self, later: &mut dyn Accumulator) -> Result<(), ExecError> {
        let _ = later;
        Err(ExecError::Argument(
            "this aggregate cannot combine partial results".into(),
        ))
    }
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// `later` as the concrete accumulator type of the one it merges into.
fn same<T: 'static>(later: &mut dyn Accumulator) -> Result<&mut T, ExecError> {
    later
        .as_any_mut()
        .downcast_mut::<T>()
        .ok_or_else(|| ExecError::Argument("merging accumulators of different aggregates".into()))
}

pub use crate::value::ExactSum;

/// An aggregate function of the library.
#[derive(Debug, Clone, Copy)]
pub struct AggregateDef {
    /// The canonical spelling (`count`, `percentileCont`).
    pub name: &'static str,
    pub min_args: usize,
    pub max_args: usize,
    /// A fresh accumulator for one group.
    pub new: fn() -> Box<dyn Accumulator>,
}

static AGGREGATES: &[AggregateDef] = &[
    AggregateDef {
        name: "count",
        min_args: 1,
        max_args: 1,
        new: || Box::new(Count(0)),
    },
    AggregateDef {
        name: "sum",
        min_args: 1,
        max_args: 1,
        new: || Box::new(Sum::default()),
    },
    AggregateDef {
        name: "avg",
        min_args: 1,
        max_args: 1,
        new: || Box::new(Avg::default()),
    },
    AggregateDef {
        name: "min",
        min_args: 1,
        max_args: 1,
        new: || Box::new(Extreme::new(Ordering::Less)),
    },
    AggregateDef {
        name: "max",
        min_args: 1,
        max_args: 1,
        new: || Box::new(Extreme::new(Ordering::Greater)),
    },
    AggregateDef {
        name: "collect",
        min_args: 1,
        max_args: 1,
        new: || Box::new(Collect(Vec::new())),
    },
    AggregateDef {
        name: "percentileCont",
        min_args: 2,
        max_args: 2,
        new: || Box::new(Percentile::new(true)),
    },
    AggregateDef {
        name: "percentileDisc",
        min_args: 2,
        max_args: 2,
        new: || Box::new(Percentile::new(false)),
    },
    AggregateDef {
        name: "stDev",
        min_args: 1,
        max_args: 1,
        new: || Box::new(StDev::new(true)),
    },
    AggregateDef {
        name: "stDevP",
        min_args: 1,
        max_args: 1,
        new: || Box::new(StDev::new(false)),
    },
];

/// Every aggregate function.
pub fn all() -> impl Iterator<Item = &'static AggregateDef> {
    AGGREGATES.iter()
}

/// The aggregate function of that name (case-insensitive).
#[must_use]
pub fn lookup(name: &str) -> Option<&'static AggregateDef> {
    static REGISTRY: OnceLock<HashMap<String, &'static AggregateDef>> = OnceLock::new();
    REGISTRY
        .get_or_init(|| {
            AGGREGATES
                .iter()
                .map(|def| (def.name.to_ascii_lowercase(), def))
                .collect()
        })
        .get(&name.to_ascii_lowercase())
        .copied()
}

/// The accumulator of `count(*)`: counts every row it is fed, whatever the arguments.
#[cfg(test)]
#[must_use]
pub fn count_star() -> Box<dyn Accumulator> {
    Box::new(CountRows(0))
}

fn first(args: &[Value]) -> &Value {
    args.first().unwrap_or(&Value::Null)
}

/// A count as the language returns it.
pub(crate) fn count_value(n: u64) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

#[cfg(test)]
struct CountRows(u64);

#[cfg(test)]
impl Accumulator for CountRows {
    fn update(&mut self, _: &[Value]) -> Result<(), ExecError> {
        self.0 += 1;
        Ok(())
    }

    fn mergeable(&self) -> bool {
        true
    }

    fn merge(&mut self, later: &mut dyn Accumulator) -> Result<(), ExecError> {
        self.0 += same::<CountRows>(later)?.0;
        Ok(())
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }

    fn finish(&mut self) -> Result<Value, ExecError> {
        Ok(count_value(self.0))
    }
}

struct Count(u64);

impl Accumulator for Count {
    fn update(&mut self, args: &[Value]) -> Result<(), ExecError> {
        if !first(args).is_null() {
            self.0 += 1;
        }
        Ok(())
    }

    fn mergeable(&self) -> bool {
        true
    }

    fn merge(&mut self, later: &mut dyn Accumulator) -> Result<(), ExecError> {
        self.0 += same::<Count>(later)?.0;
        Ok(())
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }

    fn finish(&mut self) -> Result<Value, ExecError> {
        Ok(count_value(self.0))
    }
}

/// A running sum of numbers (integers exactly, in an `i128` checked against the 64-bit range
/// at the end; floats exactly, see `ExactSum`; a float anywhere makes the result a float), or
/// of durations.
#[derive(Default)]
enum Sum {
    #[default]
    Empty,
    Numbers {
        ints: i128,
        floats: ExactSum,
        any_float: bool,
    },
    Duration(Duration),
}

fn sum_type_error(found: &Value) -> ExecError {
    ExecError::Type(format!(
        "sum() expects numbers or durations, found {}",
        found.type_name()
    ))
}

impl Accumulator for Sum {
    fn update(&mut self, args: &[Value]) -> Result<(), ExecError> {
        let value = first(args);
        if value.is_null() {
            return Ok(());
        }
        if let Sum::Empty = self {
            *self = match value {
                Value::Duration(d) => {
                    *self = Sum::Duration(*d);
                    return Ok(());
                }
                Value::Int(_) | Value::Float(_) => Sum::Numbers {
                    ints: 0,
                    floats: ExactSum::default(),
                    any_float: false,
                },
                other => return Err(sum_type_error(other)),
            };
        }
        match (self, value) {
            (Sum::Numbers { ints, .. }, Value::Int(i)) => *ints += i128::from(*i),
            (
                Sum::Numbers {
                    floats, any_float, ..
                },
                Value::Float(f),
            ) => {
                floats.add(*f);
                *any_float = true;
            }
            (Sum::Duration(a), Value::Duration(b)) => *a = a.checked_add(b)?,
            (_, other) => return Err(sum_type_error(other)),
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<Value, ExecError> {
        Ok(match self {
            Sum::Empty => Value::Int(0),
            Sum::Numbers {
                ints,
                floats,
                any_float: false,
            } => {
                let _ = floats;
                Value::Int(i64::try_from(*ints).map_err(|_| {
                    ExecError::Arithmetic(format!(
                        "integer overflow in sum(): {ints} is outside the 64-bit range"
                    ))
                })?)
            }
            Sum::Numbers { ints, floats, .. } => {
                #[allow(clippy::cast_precision_loss)]
                floats.add(*ints as f64);
                Value::Float(floats.total())
            }
            Sum::Duration(d) => Value::Duration(*d),
        })
    }

    fn mergeable(&self) -> bool {
        true
    }

    fn merge(&mut self, later: &mut dyn Accumulator) -> Result<(), ExecError> {
        let later = std::mem::take(same::<Sum>(later)?);
        match (&mut *self, later) {
            (_, Sum::Empty) => {}
            (Sum::Empty, later) => *self = later,
            (
                Sum::Numbers {
                    ints,
                    floats,
                    any_float,
                },
                Sum::Numbers {
                    ints: i,
                    floats: f,
                    any_float: a,
                },
            ) => {
                *ints += i;
                floats.merge(&f);
                *any_float |= a;
            }
            (Sum::Duration(a), Sum::Duration(b)) => *a = a.checked_add(&b)?,
            (Sum::Numbers { .. }, Sum::Duration(d)) => {
                return Err(sum_type_error(&Value::Duration(d)));
            }
            (Sum::Duration(_), Sum::Numbers { .. }) => {
                return Err(ExecError::Type(
                    "sum() expects numbers or durations, found a number among durations".into(),
                ));
            }
        }
        Ok(())
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// A running average. Integers are summed exactly in an `i128` (no overflow before 2^64
/// rows), floats exactly (`ExactSum`); durations are summed and divided at the end.
#[derive(Default)]
struct Avg {
    count: u64,
    int_sum: i128,
    float_sum: ExactSum,
    duration: Option<Duration>,
    numbers: bool,
}

impl Accumulator for Avg {
    fn update(&mut self, args: &[Value]) -> Result<(), ExecError> {
        let value = first(args);
        match value {
            Value::Null => return Ok(()),
            Value::Int(i) if self.duration.is_none() => self.int_sum += i128::from(*i),
            Value::Float(f) if self.duration.is_none() => self.float_sum.add(*f),
            Value::Duration(d) if !self.numbers => {
                self.duration = Some(match self.duration {
                    Some(sum) => sum.checked_add(d)?,
                    None => *d,
                });
            }
            other => {
                return Err(ExecError::Type(format!(
                    "avg() expects numbers or durations, not mixed, found {}",
                    other.type_name()
                )));
            }
        }
        self.numbers = self.duration.is_none();
        self.count += 1;
        Ok(())
    }

    #[allow(clippy::cast_precision_loss)]
    fn finish(&mut self) -> Result<Value, ExecError> {
        if self.count == 0 {
            return Ok(Value::Null);
        }
        let n = self.count as f64;
        if let Some(sum) = self.duration {
            return Ok(Value::Duration(sum.checked_div(n)?));
        }
        let mut sum = self.float_sum.clone();
        sum.add(self.int_sum as f64);
        Ok(Value::Float(sum.total() / n))
    }

    fn mergeable(&self) -> bool {
        true
    }

    fn merge(&mut self, later: &mut dyn Accumulator) -> Result<(), ExecError> {
        let later = same::<Avg>(later)?;
        if later.count == 0 {
            return Ok(());
        }
        if self.count > 0 && self.numbers != later.numbers {
            return Err(ExecError::Type(
                "avg() expects numbers or durations, not mixed".into(),
            ));
        }
        self.count += later.count;
        self.int_sum += later.int_sum;
        self.float_sum.merge(&later.float_sum);
        self.duration = match (self.duration, later.duration) {
            (Some(a), Some(b)) => Some(a.checked_add(&b)?),
            (a, b) => a.or(b),
        };
        self.numbers = later.numbers;
        Ok(())
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// `min` (keeps values that order `Less`) or `max` (`Greater`).
struct Extreme {
    keep: Ordering,
    best: Option<Value>,
}

impl Extreme {
    fn new(keep: Ordering) -> Self {
        Extreme { keep, best: None }
    }
}

impl Accumulator for Extreme {
    fn update(&mut self, args: &[Value]) -> Result<(), ExecError> {
        let value = first(args);
        if value.is_null() {
            return Ok(());
        }
        let better = match &self.best {
            None => true,
            Some(best) => value.order(best) == self.keep,
        };
        if better {
            self.best = Some(value.clone());
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<Value, ExecError> {
        Ok(self.best.take().unwrap_or(Value::Null))
    }

    fn mergeable(&self) -> bool {
        true
    }

    fn merge(&mut self, later: &mut dyn Accumulator) -> Result<(), ExecError> {
        // The later part's best replaces this one's only when strictly better, as a row would.
        if let Some(best) = same::<Extreme>(later)?.best.take() {
            self.update(&[best])?;
        }
        Ok(())
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

struct Collect(Vec<Value>);

impl Accumulator for Collect {
    fn update(&mut self, args: &[Value]) -> Result<(), ExecError> {
        let value = first(args);
        if !value.is_null() {
            self.0.push(value.clone());
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<Value, ExecError> {
        Ok(Value::List(std::mem::take(&mut self.0).into()))
    }

    fn mergeable(&self) -> bool {
        true
    }

    fn merge(&mut self, later: &mut dyn Accumulator) -> Result<(), ExecError> {
        self.0.append(&mut same::<Collect>(later)?.0);
        Ok(())
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// `percentileCont` (linear interpolation, a float) or `percentileDisc` (the nearest value at
/// or above the rank, as given), over the numbers seen.
struct Percentile {
    continuous: bool,
    percentile: Option<f64>,
    values: Vec<Value>,
}

impl Percentile {
    fn new(continuous: bool) -> Self {
        Percentile {
            continuous,
            percentile: None,
            values: Vec::new(),
        }
    }

    fn name(&self) -> &'static str {
        if self.continuous {
            "percentileCont"
        } else {
            "percentileDisc"
        }
    }
}

impl Accumulator for Percentile {
    fn update(&mut self, args: &[Value]) -> Result<(), ExecError> {
        let percentile = match args.get(1).unwrap_or(&Value::Null) {
            Value::Int(_) | Value::Float(_) => args[1].as_float().unwrap_or(f64::NAN),
            other => {
                return Err(ExecError::Argument(format!(
                    "{}() needs a percentile between 0.0 and 1.0, found {}",
                    self.name(),
                    other.type_name()
                )));
            }
        };
        if !(0.0..=1.0).contains(&percentile) {
            return Err(ExecError::Argument(format!(
                "{}() needs a percentile between 0.0 and 1.0, found {percentile}",
                self.name()
            )));
        }
        self.percentile = Some(percentile);
        match first(args) {
            Value::Null => {}
            value @ (Value::Int(_) | Value::Float(_)) => self.values.push(value.clone()),
            other => {
                return Err(ExecError::Type(format!(
                    "{}() expects numbers, found {}",
                    self.name(),
                    other.type_name()
                )));
            }
        }
        Ok(())
    }

    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    fn finish(&mut self) -> Result<Value, ExecError> {
        let Some(percentile) = self.percentile else {
            return Ok(Value::Null);
        };
        if self.values.is_empty() {
            return Ok(Value::Null);
        }
        let mut values = std::mem::take(&mut self.values);
        values.sort_by(Value::order);
        let n = values.len();
        if self.continuous {
            let float_index = percentile * (n - 1) as f64;
            let lower = float_index.floor() as usize;
            let upper = (float_index.ceil() as usize).min(n - 1);
            let at = |i: usize| values[i].as_float().unwrap_or(f64::NAN);
            // Weighted as Neo4j weighs, so results agree to the last bit.
            let result = if lower == upper {
                at(lower)
            } else {
                at(lower) * (upper as f64 - float_index) + at(upper) * (float_index - lower as f64)
            };
            Ok(Value::Float(result))
        } else {
            // The smallest value whose rank covers the percentile: ceil(p * n) - 1.
            let rank = (percentile * n as f64).ceil() as usize;
            let index = rank.saturating_sub(1).min(n - 1);
            Ok(values.swap_remove(index))
        }
    }

    fn mergeable(&self) -> bool {
        true
    }

    fn merge(&mut self, later: &mut dyn Accumulator) -> Result<(), ExecError> {
        let later = same::<Percentile>(later)?;
        self.values.append(&mut later.values);
        self.percentile = self.percentile.or(later.percentile);
        Ok(())
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Standard deviation by Welford's algorithm: sample (`stDev`, divides by n - 1) or population
/// (`stDevP`, by n). Fewer values than that needs give 0.0.
struct StDev {
    sample: bool,
    count: u64,
    mean: f64,
    m2: f64,
}

impl StDev {
    fn new(sample: bool) -> Self {
        StDev {
            sample,
            count: 0,
            mean: 0.0,
            m2: 0.0,
        }
    }
}

impl Accumulator for StDev {
    #[allow(clippy::cast_precision_loss)]
    fn update(&mut self, args: &[Value]) -> Result<(), ExecError> {
        let x = match first(args) {
            Value::Null => return Ok(()),
            value @ (Value::Int(_) | Value::Float(_)) => value.as_float().unwrap_or(f64::NAN),
            other => {
                return Err(ExecError::Type(format!(
                    "{}() expects numbers, found {}",
                    if self.sample { "stDev" } else { "stDevP" },
                    other.type_name()
                )));
            }
        };
        self.count += 1;
        let delta = x - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (x - self.mean);
        Ok(())
    }

    #[allow(clippy::cast_precision_loss)]
    fn finish(&mut self) -> Result<Value, ExecError> {
        let divisor = if self.sample {
            self.count.saturating_sub(1)
        } else {
            self.count
        };
        if divisor == 0 {
            return Ok(Value::Float(0.0));
        }
        Ok(Value::Float((self.m2 / divisor as f64).sqrt()))
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
