//! The function library of openCypher (scalar functions; aggregates are in `exec::aggregate`):
//! a registry from names to [`FunctionDef`]s that the planner resolves once, checking arity at
//! compile time, so the executor calls a plain `fn` pointer per row without string lookups.
//!
//! Names are case-insensitive and include the namespace (`toUpper`, `date.truncate`,
//! `duration.between`). Functions receive evaluated arguments; nodes and relationships are
//! executor references (`exec::node_ref`), so labels, types and properties are read through
//! `FnContext::graph`. As openCypher says, most functions return null for a null argument; the
//! exceptions (`coalesce`, `range`, the length of `left` and `right`, the zero-argument clocks)
//! are noted on each. A function never panics: bad types are `TypeError`s, bad values
//! `ArgumentError`s, overflow `ArithmeticError`s, deleted entities `EntityNotFound`.
//!
//! The families live in `string.rs`, `math.rs`, `list.rs`, `convert.rs`, `graph.rs` and
//! `temporal.rs`. Tests: `src/db/tests/functions.rs`, with cases in `tests/data/functions/*.txt`.

mod convert;
mod graph;
pub(crate) mod list;
mod math;
mod string;
mod temporal;

use std::collections::HashMap;
use std::sync::OnceLock;

use super::{ExecError, FnContext};
use crate::value::Value;

/// The signature every function implementation has.
pub type FunctionImpl = fn(&[Value], &FnContext<'_>) -> Result<Value, ExecError>;

/// A function of the library: its name, arity, and implementation.
#[derive(Debug, Clone, Copy)]
pub struct FunctionDef {
    /// The canonical spelling (`toUpper`, `date.truncate`).
    pub name: &'static str,
    pub min_args: usize,
    /// `None`: any number of arguments from `min_args` on.
    pub max_args: Option<usize>,
    /// False for functions whose result may change between calls with the same arguments
    /// (`rand`, `randomUUID`, `timestamp`, the temporal clocks): a planner must not fold or
    /// cache them. The temporal constructors (`date`, `datetime`, ...) read the clock only when
    /// called without an argument or with a `{timezone}` map, so a planner may still fold a
    /// call of theirs on a literal string. Only the tests read it so far.
    #[cfg(test)]
    pub deterministic: bool,
    /// Called with between `min_args` and `max_args` arguments; the planner checks that.
    pub call: FunctionImpl,
}

impl FunctionDef {
    /// Whether `n` arguments are acceptable.
    #[cfg(test)]
    #[must_use]
    pub fn accepts(&self, n: usize) -> bool {
        n >= self.min_args && self.max_args.is_none_or(|max| n <= max)
    }

    /// Calls the function after checking the argument count (the planner normally has).
    #[cfg(test)]
    pub fn invoke(&self, args: &[Value], ctx: &FnContext<'_>) -> Result<Value, ExecError> {
        if !self.accepts(args.len()) {
            return Err(ExecError::Argument(format!(
                "{}() takes {}, given {}",
                self.name,
                self.arity_text(),
                args.len()
            )));
        }
        (self.call)(args, ctx)
    }

    /// `1 argument`, `2 to 3 arguments`, `at least 1 argument`.
    #[must_use]
    pub fn arity_text(&self) -> String {
        let noun = |n: usize| if n == 1 { "argument" } else { "arguments" };
        match self.max_args {
            Some(max) if max == self.min_args => format!("{max} {}", noun(max)),
            Some(max) => format!("{} to {max} {}", self.min_args, noun(max)),
            None => format!("at least {} {}", self.min_args, noun(self.min_args)),
        }
    }
}

/// Shorthand for the tables of the family modules.
const fn def(
    name: &'static str,
    min_args: usize,
    max_args: Option<usize>,
    call: FunctionImpl,
) -> FunctionDef {
    FunctionDef {
        name,
        min_args,
        max_args,
        #[cfg(test)]
        deterministic: true,
        call,
    }
}

/// The same, for functions that read a clock or a random source.
const fn volatile(
    name: &'static str,
    min_args: usize,
    max_args: Option<usize>,
    call: FunctionImpl,
) -> FunctionDef {
    FunctionDef {
        name,
        min_args,
        max_args,
        #[cfg(test)]
        deterministic: false,
        call,
    }
}

/// `linenumber()` and `file()`: the line and file of the row `LOAD CSV` is handling. The
/// executor answers them from its context (`eval.rs`); called anywhere else they are null.
/// Volatile, so that no planner folds them into a constant.
static LOAD_CSV_FUNCTIONS: &[FunctionDef] = &[
    volatile("linenumber", 0, Some(0), |_, _| Ok(Value::Null)),
    volatile("file", 0, Some(0), |_, _| Ok(Value::Null)),
];

fn registry() -> &'static HashMap<String, &'static FunctionDef> {
    static REGISTRY: OnceLock<HashMap<String, &'static FunctionDef>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        all()
            .map(|def| (def.name.to_ascii_lowercase(), def))
            .collect()
    })
}

/// Every function of the library.
pub fn all() -> impl Iterator<Item = &'static FunctionDef> {
    string::FUNCTIONS
        .iter()
        .chain(math::FUNCTIONS)
        .chain(list::FUNCTIONS)
        .chain(convert::FUNCTIONS)
        .chain(graph::FUNCTIONS)
        .chain(temporal::FUNCTIONS)
        .chain(LOAD_CSV_FUNCTIONS)
}

/// The function of that name (case-insensitive, with its namespace: `date.truncate`).
#[must_use]
pub fn lookup(name: &str) -> Option<&'static FunctionDef> {
    // Called for every row a function is evaluated on: a short name is lowered on the stack.
    let mut buffer = [0u8; 48];
    match buffer.get_mut(..name.len()) {
        Some(lowered) => {
            lowered.copy_from_slice(name.as_bytes());
            lowered.make_ascii_lowercase();
            let lowered = std::str::from_utf8(lowered).ok()?;
            registry().get(lowered).copied()
        }
        None => registry().get(&name.to_ascii_lowercase()).copied(),
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the families.

/// The argument at `i`, or null when absent (optional arguments).
fn arg(args: &[Value], i: usize) -> &Value {
    args.get(i).unwrap_or(&Value::Null)
}

/// A `TypeError` naming the function, the expected type and the value's type.
fn type_error(function: &str, expected: &str, found: &Value) -> ExecError {
    ExecError::Type(format!(
        "{function}() expects {expected}, found {}",
        found.type_name()
    ))
}

/// The argument as a string (`Ok(None)` for null).
fn opt_str<'a>(function: &str, value: &'a Value) -> Result<Option<&'a str>, ExecError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        other => Err(type_error(function, "a string", other)),
    }
}

/// The argument as an integer (`Ok(None)` for null).
fn opt_int(function: &str, value: &Value) -> Result<Option<i64>, ExecError> {
    match value {
        Value::Null => Ok(None),
        Value::Int(i) => Ok(Some(*i)),
        other => Err(type_error(function, "an integer", other)),
    }
}

/// The argument as a float, integers converted (`Ok(None)` for null).
fn opt_number(function: &str, value: &Value) -> Result<Option<f64>, ExecError> {
    match value {
        Value::Null => Ok(None),
        Value::Int(_) | Value::Float(_) => Ok(value.as_float()),
        other => Err(type_error(function, "a number", other)),
    }
}

/// A process-wide source of randomness for `rand()` and `randomUUID()`: splitmix64 over a
/// counter, seeded from the standard library's per-process random hash keys and the clock.
/// Not cryptographic; `randomUUID` needs uniqueness, not secrecy.
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0);
    static SEED: OnceLock<u64> = OnceLock::new();
    let seed = *SEED.get_or_init(|| {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        hasher.finish()
    });
    let n = STATE.fetch_add(1, Ordering::Relaxed);
    let mut z = seed.wrapping_add(n.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
