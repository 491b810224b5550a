//! Tests of the executor's value-level machinery: the operators (`exec::ops`), the function
//! library (`exec::functions`) and the aggregates (`exec::aggregate`).
//!
//! Most cases are data, one per line, in `tests/data/functions/*.txt`:
//!
//! ```text
//! # scalar functions and operators: name | arguments | expected
//! toUpper | 'abc' | 'ABC'
//! +       | 1, 2  | 3
//! substring | 'abc', -1 | error ArgumentError
//! sin     | 1     | ~0.8414709848078965
//! # aggregates (aggregates.txt): name | one element per row | expected
//! sum     | [1, 2, 3] | 6
//! percentileDisc | [[10, 0.5], [20, 0.5]] | 10
//! ```
//!
//! Arguments and expectations are written as the TCK writes values (`null`, `1`, `1.0`, `NaN`,
//! `'text'`, `[1, 2]`, `{k: 1}`), plus calls of library functions, evaluated by the library
//! itself (`date('2020-01-01')`), and `$node(i)`, `$rel(i)`, `$path(n0, r0, n1, ...)` for the
//! entities of a small fixture graph. Results are compared strictly: same types all the way
//! down (`1` is not `1.0`), NaN equals NaN, and `~` before an expected value allows a relative
//! error of 1e-12 in floats. The clock of every call is fixed at 2024-03-15T10:30:45.123Z.
//! Operators are named by their symbol (`+`, `STARTS WITH`, `IN`); unary ones are `NOT`, `neg`
//! and `pos`; property access `x.key` is `. | x, 'key'`. Aggregates receive one element per
//! row (a list of arguments for two-argument aggregates); `count(*)` counts rows.
//!
//! Below the data runner are unit tests for what a table cannot say (randomness, slicing,
//! registry arity) and a proptest that feeds random values to every function, operator and
//! aggregate, asserting that none panics.
//!
//! A test file over 800 lines: the runner, the value notation and the fixture graph belong
//! together; the cases themselves are data.

use std::path::Path as FsPath;

use crate::Database;
use crate::exec::aggregate::{self, Accumulator};
use crate::exec::ops::{self, BinaryOp, UnaryOp};
use crate::exec::{ExecError, FnContext, functions, node_ref, rel_ref};
use crate::value::{DateTime, Map, Node, NodeId, Path, RelId, Relationship, Value};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// The fixture graph

/// The fixture: nodes `(:Person:Staff {name: 'Ann', age: 42})`, `(:Customer {name: 'Acme',
/// tags: ['a', 'b']})`, `()`, and relationships `(0)-[:SERVES {since: 2020}]->(1)`,
/// `(1)-[:REFERRED]->(2)`.
struct Fixture {
    db: Database,
    nodes: Vec<NodeId>,
    rels: Vec<(RelId, NodeId, NodeId)>,
}

impl Fixture {
    fn new() -> Fixture {
        let db = Database::in_memory().expect("in-memory database");
        let mut txn = db.begin_write().expect("write transaction");
        let ann = txn
            .add_node(
                &["Person", "Staff"],
                &[("name", Value::from("Ann")), ("age", Value::Int(42))],
            )
            .expect("node");
        let acme = txn
            .add_node(
                &["Customer"],
                &[
                    ("name", Value::from("Acme")),
                    ("tags", Value::from(vec!["a", "b"])),
                ],
            )
            .expect("node");
        let plain = txn.add_node(&[], &[]).expect("node");
        let serves = txn
            .add_relationship("SERVES", ann, acme, &[("since", Value::Int(2020))])
            .expect("relationship");
        let referred = txn
            .add_relationship("REFERRED", acme, plain, &[])
            .expect("relationship");
        txn.commit().expect("commit");
        Fixture {
            db,
            nodes: vec![ann, acme, plain],
            rels: vec![(serves, ann, acme), (referred, acme, plain)],
        }
    }
}

fn fixed_now() -> DateTime {
    DateTime::parse("2024-03-15T10:30:45.123Z").expect("fixed clock")
}

// ---------------------------------------------------------------------------------------------
// Reading values and calls

struct Reader<'a> {
    text: &'a str,
    pos: usize,
    fixture: &'a Fixture,
    ctx: &'a FnContext<'a>,
}

type Read<T> = Result<T, String>;

impl<'a> Reader<'a> {
    fn new(text: &'a str, fixture: &'a Fixture, ctx: &'a FnContext<'a>) -> Self {
        Reader {
            text,
            pos: 0,
            fixture,
            ctx,
        }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.text.len() - trimmed.len();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_ws();
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &str) -> Read<()> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(format!("expected {token:?} at {:?}", self.rest()))
        }
    }

    fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.rest().is_empty()
    }

    /// A comma-separated list of values up to the end of the text.
    fn values(&mut self) -> Read<Vec<Value>> {
        let mut values = Vec::new();
        if self.at_end() {
            return Ok(values);
        }
        loop {
            values.push(self.value()?);
            if !self.eat(",") {
                break;
            }
        }
        if !self.at_end() {
            return Err(format!("unexpected {:?}", self.rest()));
        }
        Ok(values)
    }

    fn identifier(&mut self) -> &'a str {
        self.skip_ws();
        let rest = self.rest();
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '$'))
            .unwrap_or(rest.len());
        self.pos += len;
        &rest[..len]
    }

    fn value(&mut self) -> Read<Value> {
        self.skip_ws();
        let rest = self.rest();
        let first = rest.chars().next().ok_or("unexpected end")?;
        match first {
            '\'' => self.string().map(Value::from),
            '[' => {
                self.pos += 1;
                let mut items = Vec::new();
                if !self.eat("]") {
                    loop {
                        items.push(self.value()?);
                        if self.eat("]") {
                            break;
                        }
                        self.expect(",")?;
                    }
                }
                Ok(Value::List(items.into()))
            }
            '{' => {
                self.pos += 1;
                let mut map = Map::new();
                if !self.eat("}") {
                    loop {
                        let key = if self.rest().starts_with('`') {
                            self.pos += 1;
                            let end = self.rest().find('`').ok_or("unclosed `")?;
                            let key = self.rest()[..end].to_owned();
                            self.pos += end + 1;
                            key
                        } else {
                            self.identifier().to_owned()
                        };
                        self.expect(":")?;
                        let value = self.value()?;
                        map.insert(key, value);
                        if self.eat("}") {
                            break;
                        }
                        self.expect(",")?;
                    }
                }
                Ok(Value::Map(map.into()))
            }
            c if c.is_ascii_digit() || c == '-' || c == '+' || c == '.' => self.number(),
            _ => {
                let name = self.identifier();
                match name {
                    "" => Err(format!("unexpected {rest:?}")),
                    "null" => Ok(Value::Null),
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    "NaN" => Ok(Value::Float(f64::NAN)),
                    "Infinity" => Ok(Value::Float(f64::INFINITY)),
                    _ => self.call(name),
                }
            }
        }
    }

    fn string(&mut self) -> Read<String> {
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\'' => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next().map(|(_, c)| c) {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some('u') => {
                        let hex: String = chars.by_ref().take(4).map(|(_, c)| c).collect();
                        let code = u32::from_str_radix(&hex, 16).map_err(|e| e.to_string())?;
                        out.push(char::from_u32(code).ok_or("bad \\u escape")?);
                    }
                    Some(other) => out.push(other),
                    None => return Err("dangling backslash".to_owned()),
                },
                c => out.push(c),
            }
        }
        Err("unclosed string".to_owned())
    }

    fn number(&mut self) -> Read<Value> {
        let rest = self.rest();
        if let Some(after) = rest.strip_prefix("-Infinity") {
            self.pos = self.text.len() - after.len();
            return Ok(Value::Float(f64::NEG_INFINITY));
        }
        let len = rest
            .char_indices()
            .find(|&(i, c)| {
                !(c.is_ascii_alphanumeric()
                    || c == '.'
                    || ((c == '-' || c == '+') && (i == 0 || rest[..i].ends_with(['e', 'E']))))
            })
            .map_or(rest.len(), |(i, _)| i);
        let literal = &rest[..len];
        self.pos += len;
        if let Ok(i) = literal.parse::<i64>() {
            return Ok(Value::Int(i));
        }
        literal
            .parse::<f64>()
            .map(Value::Float)
            .map_err(|_| format!("bad number {literal:?}"))
    }

    fn call(&mut self, name: &str) -> Read<Value> {
        self.expect("(")?;
        let mut args = Vec::new();
        if !self.eat(")") {
            loop {
                args.push(self.value()?);
                if self.eat(")") {
                    break;
                }
                self.expect(",")?;
            }
        }
        let index = |v: &Value| -> Read<usize> {
            v.as_int()
                .and_then(|i| usize::try_from(i).ok())
                .ok_or_else(|| format!("{name} takes fixture indexes"))
        };
        let fixture = self.fixture;
        match name {
            "$node" => {
                let id = *fixture.nodes.get(index(&args[0])?).ok_or("no such node")?;
                Ok(node_ref(id))
            }
            "$rel" => {
                let (id, start, end) = *fixture.rels.get(index(&args[0])?).ok_or("no such rel")?;
                Ok(rel_ref(id, start, end))
            }
            "$path" => {
                let mut path = Path {
                    nodes: Vec::new(),
                    relationships: Vec::new(),
                };
                for (i, arg) in args.iter().enumerate() {
                    let at = index(arg)?;
                    if i % 2 == 0 {
                        let id = *fixture.nodes.get(at).ok_or("no such node")?;
                        path.nodes.push(Node {
                            id,
                            labels: Vec::new(),
                            properties: Map::new(),
                        });
                    } else {
                        let (id, start, end) = *fixture.rels.get(at).ok_or("no such rel")?;
                        path.relationships.push(Relationship {
                            id,
                            rel_type: String::new(),
                            start,
                            end,
                            properties: Map::new(),
                        });
                    }
                }
                Ok(Value::Path(Box::new(path)))
            }
            _ => {
                let def = functions::lookup(name).ok_or_else(|| format!("unknown {name}"))?;
                def.invoke(&args, self.ctx)
                    .map_err(|e| format!("{name}(...) failed while reading: {e}"))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Comparing

fn same(expected: &Value, actual: &Value, approx: bool) -> bool {
    match (expected, actual) {
        (Value::Float(a), Value::Float(b)) => {
            (a.is_nan() && b.is_nan())
                || a == b
                || (approx && (a - b).abs() <= 1e-12 * a.abs().max(b.abs()))
        }
        (Value::List(a), Value::List(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y, approx))
        }
        (Value::Map(a), Value::Map(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb, approx))
        }
        (Value::DateTime(a), Value::DateTime(b)) => a == b,
        (Value::Time(a), Value::Time(b)) => a == b,
        _ => {
            std::mem::discriminant(expected) == std::mem::discriminant(actual) && expected == actual
        }
    }
}

enum Expected {
    Value { value: Value, approx: bool },
    Error(String),
}

fn expectation(text: &str, fixture: &Fixture, ctx: &FnContext<'_>) -> Read<Expected> {
    let text = text.trim();
    if let Some(kind) = text.strip_prefix("error ") {
        return Ok(Expected::Error(kind.trim().to_owned()));
    }
    let (approx, text) = match text.strip_prefix('~') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut values = Reader::new(text, fixture, ctx).values()?;
    if values.len() != 1 {
        return Err("expected exactly one value".to_owned());
    }
    Ok(Expected::Value {
        value: values.remove(0),
        approx,
    })
}

fn binary_op(name: &str) -> Option<BinaryOp> {
    Some(match name {
        "OR" => BinaryOp::Or,
        "XOR" => BinaryOp::Xor,
        "AND" => BinaryOp::And,
        "=" => BinaryOp::Eq,
        "<>" => BinaryOp::Ne,
        "<" => BinaryOp::Lt,
        ">" => BinaryOp::Gt,
        "<=" => BinaryOp::Le,
        ">=" => BinaryOp::Ge,
        "=~" => BinaryOp::RegexMatch,
        "STARTS WITH" => BinaryOp::StartsWith,
        "ENDS WITH" => BinaryOp::EndsWith,
        "CONTAINS" => BinaryOp::Contains,
        "IN" => BinaryOp::In,
        "+" => BinaryOp::Add,
        "-" => BinaryOp::Sub,
        "*" => BinaryOp::Mul,
        "/" => BinaryOp::Div,
        "%" => BinaryOp::Mod,
        "^" => BinaryOp::Pow,
        _ => return None,
    })
}

fn unary_op(name: &str) -> Option<UnaryOp> {
    Some(match name {
        "NOT" => UnaryOp::Not,
        "neg" => UnaryOp::Negate,
        "pos" => UnaryOp::Plus,
        _ => return None,
    })
}

/// Runs one scalar case: an operator or a function.
fn run_scalar(name: &str, args: &[Value], ctx: &FnContext<'_>) -> Read<Result<Value, ExecError>> {
    if let (Some(op), [left, right]) = (binary_op(name), args) {
        return Ok(ops::binary(op, left, right));
    }
    if let (Some(op), [value]) = (unary_op(name), args) {
        return Ok(ops::unary(op, value));
    }
    if let (".", [value, Value::String(key)]) = (name, args) {
        return Ok(ops::property(value, key, ctx));
    }
    let def = functions::lookup(name).ok_or_else(|| format!("unknown function {name}"))?;
    if !def.accepts(args.len()) {
        return Err(format!("{name} does not take {} arguments", args.len()));
    }
    Ok(def.invoke(args, ctx))
}

/// Runs one aggregate case: each element of `rows` is one row.
fn run_aggregate(name: &str, rows: &Value) -> Read<Result<Value, ExecError>> {
    let rows = rows.as_list().ok_or("the rows must be a list")?;
    let (mut acc, two_args): (Box<dyn Accumulator>, bool) = if name == "count(*)" {
        (aggregate::count_star(), false)
    } else {
        let def = aggregate::lookup(name).ok_or_else(|| format!("unknown aggregate {name}"))?;
        ((def.new)(), def.min_args == 2)
    };
    let mut run = || -> Result<Value, ExecError> {
        for row in rows {
            if two_args {
                acc.update(row.as_list().unwrap_or(&[]))?;
            } else {
                acc.update(std::slice::from_ref(row))?;
            }
        }
        acc.finish()
    };
    Ok(run())
}

/// Runs every case of one data file; returns the failures as `file:line: message`.
fn run_file(path: &FsPath, fixture: &Fixture, ctx: &FnContext<'_>) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(path).expect("read data file");
    let aggregates = path.file_stem().is_some_and(|s| s == "aggregates");
    let mut failures = Vec::new();
    let mut cases = 0;
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        cases += 1;
        let at = format!("{}:{}", path.display(), number + 1);
        let outcome = (|| -> Read<()> {
            let parts: Vec<&str> = line.splitn(3, " | ").collect();
            let [name, args, expected] = parts[..] else {
                return Err("expected `name | arguments | expected`".to_owned());
            };
            let expected = expectation(expected, fixture, ctx)?;
            let actual = if aggregates {
                let mut rows = Reader::new(args, fixture, ctx).values()?;
                if rows.len() != 1 {
                    return Err("an aggregate case takes one list of rows".to_owned());
                }
                run_aggregate(name.trim(), &rows.remove(0))?
            } else {
                let args = Reader::new(args, fixture, ctx).values()?;
                run_scalar(name.trim(), &args, ctx)?
            };
            match (&expected, &actual) {
                (Expected::Value { value, approx }, Ok(actual)) if same(value, actual, *approx) => {
                    Ok(())
                }
                (Expected::Error(kind), Err(e)) if format!("{:?}", e.kind()) == *kind => Ok(()),
                (Expected::Value { value, .. }, _) => Err(format!(
                    "expected {value} ({}), got {}",
                    value.type_name(),
                    describe(&actual)
                )),
                (Expected::Error(kind), _) => {
                    Err(format!("expected error {kind}, got {}", describe(&actual)))
                }
            }
        })();
        if let Err(message) = outcome {
            failures.push(format!("{at}: `{line}`: {message}"));
        }
    }
    (cases, failures)
}

fn describe(result: &Result<Value, ExecError>) -> String {
    match result {
        Ok(value) => format!("{value} ({})", value.type_name()),
        Err(e) => format!("error {:?}: {e}", e.kind()),
    }
}

#[test]
fn data_files() {
    let fixture = Fixture::new();
    let snapshot = fixture.db.begin_read();
    let now = fixed_now();
    let ctx = FnContext {
        graph: &snapshot,
        now: &now,
    };
    let dir = FsPath::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/functions");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/data/functions")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no data files in {}", dir.display());
    let mut total = 0;
    let mut failures = Vec::new();
    for file in &files {
        let (cases, mut failed) = run_file(file, &fixture, &ctx);
        assert!(cases > 0, "{} has no cases", file.display());
        total += cases;
        failures.append(&mut failed);
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Unit tests

fn with_ctx<T>(f: impl FnOnce(&FnContext<'_>) -> T) -> T {
    let fixture = Fixture::new();
    let snapshot = fixture.db.begin_read();
    let now = fixed_now();
    f(&FnContext {
        graph: &snapshot,
        now: &now,
    })
}

fn call(name: &str, args: &[Value], ctx: &FnContext<'_>) -> Result<Value, ExecError> {
    functions::lookup(name)
        .unwrap_or_else(|| panic!("no function {name}"))
        .invoke(args, ctx)
}

#[test]
fn lookup_is_case_insensitive_and_knows_arity() {
    let def = functions::lookup("TOUPPER").expect("toUpper");
    assert_eq!(def.name, "toUpper");
    assert!(def.accepts(1) && !def.accepts(0) && !def.accepts(2));
    let truncate = functions::lookup("Date.Truncate").expect("date.truncate");
    assert_eq!((truncate.min_args, truncate.max_args), (2, Some(3)));
    let coalesce = functions::lookup("coalesce").expect("coalesce");
    assert!(coalesce.accepts(7) && !coalesce.accepts(0));
    assert!(functions::lookup("noSuchFunction").is_none());
    assert!(
        functions::lookup("count").is_none(),
        "aggregates are separate"
    );
    assert!(aggregate::lookup("COUNT").is_some());
    assert!(!functions::lookup("rand").expect("rand").deterministic);
    assert!(functions::lookup("abs").expect("abs").deterministic);
    assert_eq!(def.arity_text(), "1 argument");
    assert_eq!(truncate.arity_text(), "2 to 3 arguments");
}

#[test]
fn every_name_is_unique() {
    let mut names: Vec<String> = functions::all()
        .map(|def| def.name.to_ascii_lowercase())
        .chain(aggregate::all().map(|def| def.name.to_ascii_lowercase()))
        .collect();
    let before = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), before, "a name is registered twice");
    for def in functions::all() {
        let found = functions::lookup(def.name).expect("registered");
        assert!(std::ptr::eq(found, def), "{} resolves elsewhere", def.name);
        assert!(
            def.max_args.is_none_or(|max| max >= def.min_args),
            "{}",
            def.name
        );
    }
    for def in aggregate::all() {
        assert!(std::ptr::eq(
            aggregate::lookup(def.name).expect("registered"),
            def
        ));
        assert!(def.max_args >= def.min_args, "{}", def.name);
    }
}

#[test]
fn invoke_checks_arity() {
    with_ctx(|ctx| {
        let err = call("toUpper", &[], ctx).expect_err("arity");
        assert_eq!(format!("{:?}", err.kind()), "ArgumentError");
    });
}

#[test]
fn rand_is_in_unit_interval_and_varies() {
    with_ctx(|ctx| {
        let draws: Vec<f64> = (0..1000)
            .map(|_| {
                call("rand", &[], ctx)
                    .expect("rand")
                    .as_float()
                    .expect("float")
            })
            .collect();
        assert!(draws.iter().all(|x| (0.0..1.0).contains(x)));
        let mean = draws.iter().sum::<f64>() / 1000.0;
        assert!((0.4..0.6).contains(&mean), "mean {mean}");
        let mut distinct = draws.clone();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        assert!(distinct.len() > 990);
    });
}

#[test]
fn random_uuid_is_version_4() {
    with_ctx(|ctx| {
        let a = call("randomUUID", &[], ctx).expect("uuid");
        let b = call("randomUUID", &[], ctx).expect("uuid");
        assert_ne!(a, b);
        let text = a.as_str().expect("string");
        let groups: Vec<&str> = text.split('-').collect();
        assert_eq!(
            groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(groups[2].starts_with('4'));
        assert!(groups[3].starts_with(['8', '9', 'a', 'b']));
        assert!(text.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
    });
}

#[test]
fn clocks_read_the_statement_instant() {
    with_ctx(|ctx| {
        let a = call("datetime", &[], ctx).expect("datetime");
        let b = call("datetime.realtime", &[], ctx).expect("datetime");
        assert_eq!(a, b);
        assert_eq!(
            call("timestamp", &[], ctx).expect("timestamp"),
            Value::Int(1_710_498_645_123)
        );
    });
}

#[test]
fn slices_and_subscripts() {
    let list = Value::from(vec![1, 2, 3]);
    let int = Value::Int;
    let slice = |from: Option<Value>, to: Option<Value>| {
        ops::slice(&list, from.as_ref(), to.as_ref()).expect("slice")
    };
    assert_eq!(slice(Some(int(1)), Some(int(3))), Value::from(vec![2, 3]));
    assert_eq!(slice(Some(int(1)), None), Value::from(vec![2, 3]));
    assert_eq!(slice(None, Some(int(2))), Value::from(vec![1, 2]));
    assert_eq!(
        slice(Some(int(0)), Some(int(0))),
        Value::List(vec![].into())
    );
    assert_eq!(slice(Some(int(-3)), Some(int(-1))), Value::from(vec![1, 2]));
    assert_eq!(
        slice(Some(int(3)), Some(int(1))),
        Value::List(vec![].into())
    );
    assert_eq!(slice(Some(int(-5)), Some(int(5))), list.clone());
    assert_eq!(slice(Some(Value::Null), Some(int(3))), Value::Null);
    assert_eq!(slice(Some(int(1)), Some(Value::Null)), Value::Null);
    assert_eq!(
        slice(Some(int(i64::MIN)), Some(int(i64::MAX))),
        list.clone()
    );
    assert!(ops::slice(&Value::Int(1), None, None).is_err());

    assert_eq!(ops::subscript(&list, &int(0)).expect("index"), int(1));
    assert_eq!(ops::subscript(&list, &int(-1)).expect("index"), int(3));
    assert_eq!(ops::subscript(&list, &int(3)).expect("index"), Value::Null);
    assert_eq!(
        ops::subscript(&list, &int(i64::MIN)).expect("index"),
        Value::Null
    );
    assert_eq!(
        ops::subscript(&list, &Value::Null).expect("index"),
        Value::Null
    );
    for bad in [Value::Bool(true), Value::Float(4.7), Value::from("1")] {
        assert!(ops::subscript(&list, &bad).is_err());
        assert!(ops::subscript(&bad, &int(0)).is_err());
    }
    let map = Value::Map(Map::from([("k".to_owned(), int(1))]).into());
    assert_eq!(
        ops::subscript(&map, &Value::from("k")).expect("key"),
        int(1)
    );
    assert_eq!(
        ops::subscript(&map, &Value::from("x")).expect("key"),
        Value::Null
    );
}

#[test]
fn regex_errors_are_argument_errors() {
    let err =
        ops::binary(BinaryOp::RegexMatch, &Value::from("a"), &Value::from("(")).expect_err("bad");
    assert_eq!(format!("{:?}", err.kind()), "ArgumentError");
}

#[test]
fn graph_functions_see_deleted_entities_as_missing() {
    let fixture = Fixture::new();
    let mut txn = fixture.db.begin_write().expect("write");
    use crate::storage::GraphWrite;
    txn.detach_delete_node(fixture.nodes[2]).expect("delete");
    let now = fixed_now();
    let ctx = FnContext {
        graph: &txn,
        now: &now,
    };
    let err = call("labels", &[node_ref(fixture.nodes[2])], &ctx).expect_err("deleted");
    assert_eq!(format!("{:?}", err.kind()), "EntityNotFound");
    let (rel, start, end) = fixture.rels[1];
    let err = call("type", &[rel_ref(rel, start, end)], &ctx).expect_err("deleted");
    assert_eq!(format!("{:?}", err.kind()), "EntityNotFound");
    for key in ["name", "neverUsed"] {
        let err = ops::property(&node_ref(fixture.nodes[2]), key, &ctx).expect_err("deleted");
        assert_eq!(format!("{:?}", err.kind()), "EntityNotFound", "{key}");
        let err = ops::property(&rel_ref(rel, start, end), key, &ctx).expect_err("deleted");
        assert_eq!(format!("{:?}", err.kind()), "EntityNotFound", "{key}");
    }
}

// ---------------------------------------------------------------------------------------------
// No panics on any input

fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0), Just(-1), -5i64..5]
            .prop_map(Value::Int),
        any::<f64>().prop_map(Value::Float),
        prop_oneof![
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(-0.0),
            Just(0.5),
            Just(1e308)
        ]
        .prop_map(Value::Float),
        ".{0,8}".prop_map(Value::from),
        prop_oneof![
            Just("2020-02-29"),
            Just("12:30"),
            Just("P1Y2M3DT4H"),
            Just("year"),
            Just("day"),
            Just("Europe/Stockholm"),
            Just("+01:00"),
            Just("HALF_EVEN"),
            Just("a.*"),
            Just("[("),
            Just("2015-07-21T21:40:32.142+0100"),
            Just(" 42 "),
            Just("1e400"),
        ]
        .prop_map(Value::from),
        (-400_000i64..400_000).prop_map(|days| {
            crate::value::Date::from_epoch_days(days).map_or(Value::Null, Value::Date)
        }),
        (
            any::<i32>(),
            any::<i32>(),
            any::<i64>(),
            0i32..1_000_000_000
        )
            .prop_map(|(months, days, seconds, nanos)| Value::Duration(
                crate::value::Duration {
                    months: i64::from(months),
                    days: i64::from(days),
                    seconds,
                    nanos,
                }
            )),
        (any::<i64>(), -18i32 * 3600..18 * 3600).prop_map(|(seconds, offset)| {
            DateTime::from_parts(seconds % 100_000_000_000, 0, offset, None)
                .map_or(Value::Null, Value::DateTime)
        }),
        (0u64..6).prop_map(|id| node_ref(NodeId(id))),
        (0u64..4, 0u64..4, 0u64..4).prop_map(|(id, a, b)| rel_ref(RelId(id), NodeId(a), NodeId(b))),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|items| Value::List(items.into())),
            prop::collection::btree_map(
                prop_oneof![
                    Just("timezone".to_owned()),
                    Just("year".to_owned()),
                    Just("days".to_owned()),
                    Just("hour".to_owned()),
                    "[a-z]{1,3}"
                ],
                inner,
                0..3
            )
            .prop_map(|map| Value::Map(map.into())),
        ]
    })
}

const BINARY_OPS: [BinaryOp; 20] = [
    BinaryOp::Or,
    BinaryOp::Xor,
    BinaryOp::And,
    BinaryOp::Eq,
    BinaryOp::Ne,
    BinaryOp::Lt,
    BinaryOp::Gt,
    BinaryOp::Le,
    BinaryOp::Ge,
    BinaryOp::RegexMatch,
    BinaryOp::StartsWith,
    BinaryOp::EndsWith,
    BinaryOp::Contains,
    BinaryOp::In,
    BinaryOp::Add,
    BinaryOp::Sub,
    BinaryOp::Mul,
    BinaryOp::Div,
    BinaryOp::Mod,
    BinaryOp::Pow,
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn nothing_panics(args in prop::collection::vec(any_value(), 0..4)) {
        let fixture = Fixture::new();
        let snapshot = fixture.db.begin_read();
        let now = fixed_now();
        let ctx = FnContext { graph: &snapshot, now: &now };
        for def in functions::all() {
            let max = def.max_args.unwrap_or(4).min(args.len());
            for n in def.min_args..=max {
                let _ = def.invoke(&args[..n], &ctx);
            }
        }
        if let [left, right, ..] = &args[..] {
            for op in BINARY_OPS {
                let _ = ops::binary(op, left, right);
                let _ = ops::binary(op, right, left);
            }
            let _ = ops::subscript(left, right);
            if let Value::String(key) = right {
                let _ = ops::property(left, key, &ctx);
            }
            let _ = ops::property(left, "name", &ctx);
            let _ = ops::property(left, "year", &ctx);
            let _ = ops::slice(left, Some(right), args.get(2));
        }
        if let Some(value) = args.first() {
            for op in [UnaryOp::Not, UnaryOp::Negate, UnaryOp::Plus] {
                let _ = ops::unary(op, value);
            }
        }
        for def in aggregate::all() {
            let mut acc = (def.new)();
            for value in &args {
                let row = [value.clone(), args.last().cloned().unwrap_or(Value::Null)];
                if acc.update(&row[..def.max_args]).is_err() {
                    break;
                }
            }
            let _ = acc.finish();
        }
    }
}

#[test]
fn ids_are_the_entity_ids() {
    with_ctx(|ctx| {
        let node = node_ref(NodeId(7));
        assert_eq!(
            call("id", std::slice::from_ref(&node), ctx).expect("id"),
            Value::Int(7)
        );
        assert_eq!(
            call("elementId", &[node], ctx).expect("elementId"),
            Value::from("7")
        );
        let rel = rel_ref(RelId(3), NodeId(1), NodeId(2));
        assert_eq!(
            call("id", std::slice::from_ref(&rel), ctx).expect("id"),
            Value::Int(3)
        );
        assert_eq!(
            call("elementId", &[rel], ctx).expect("elementId"),
            Value::from("3")
        );
    });
}

#[test]
fn the_operators_are_the_syntax_trees() {
    // One table: the executor evaluates the parser's operators, printed by their symbol.
    use crate::syntax::ast;
    let op: BinaryOp = ast::BinaryOp::StartsWith;
    assert_eq!(op.symbol(), "STARTS WITH");
    assert_eq!(BinaryOp::RegexMatch.symbol(), "=~");
    let neg: UnaryOp = ast::UnaryOp::Negate;
    assert_eq!(neg, UnaryOp::Negate);
}
