//! Evaluating bound expressions against a row. Comprehension and reduce variables live in
//! scratch slots of the row, so evaluation takes the row mutably; subqueries run the matcher.

use crate::plan::logical::{BinaryOp, Quantifier};
use crate::plan::logical::{Expr, MapItem, Slot, Subquery, SubqueryKind};
use crate::value::{Map, Value};

use super::context::Context;
use super::run::run_subquery;
use super::{ExecError, FnContext, functions, ops};

/// One row in flight through the executor: its values by slot (`db::Row` is a result row, by
/// column name).
pub type Slots = Vec<Value>;

/// A row of `width` nulls, written without cloning a value per slot.
#[must_use]
pub fn null_row(width: usize) -> Slots {
    std::iter::repeat_with(|| Value::Null).take(width).collect()
}

/// The value of `key` on a node, relationship, map or temporal; null on null.
pub(crate) fn property(ctx: &Context<'_>, base: &Value, key: &str) -> Result<Value, ExecError> {
    let graph = ctx.read();
    match base {
        Value::Null => Ok(Value::Null),
        Value::Node(node) => match ctx.key_id(key) {
            Some(k) => Ok(graph.node_property(node.id, k)?),
            None => Ok(Value::Null),
        },
        Value::Relationship(rel) => match ctx.key_id(key) {
            Some(k) => Ok(graph.rel_property(rel.id, k)?),
            None => Ok(Value::Null),
        },
        Value::Map(map) => Ok(map.get(key).cloned().unwrap_or(Value::Null)),
        v if v.is_temporal() => crate::value::temporal::property(v, key).ok_or_else(|| {
            ExecError::Argument(format!("{} has no property `{key}`", v.type_name()))
        }),
        other => Err(ExecError::Type(format!(
            "cannot read property `{key}` of {}",
            other.type_name()
        ))),
    }
}

/// The value a bare slot expression names, borrowed from the row (null when out of range).
fn slot_value<'r>(expr: &Expr, row: &'r Slots) -> &'r Value {
    static NULL: Value = Value::Null;
    match expr {
        Expr::Slot(slot) => row.get(*slot).unwrap_or(&NULL),
        _ => &NULL,
    }
}

/// Whether `in_place_value` reads the expression's value without evaluating it.
fn in_place(expr: &Expr) -> bool {
    matches!(expr, Expr::Slot(_) | Expr::Literal(_))
}

/// The value of a slot or literal, borrowed from the row or the plan (null when neither).
fn in_place_value<'r>(expr: &'r Expr, row: &'r Slots) -> &'r Value {
    match expr {
        Expr::Literal(value) => value,
        _ => slot_value(expr, row),
    }
}

/// True when the value is truthy as a predicate: only `true` passes; null and false do not.
pub(crate) fn is_true(value: &Value) -> Result<bool, ExecError> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::Null => Ok(false),
        other => Err(ExecError::Type(format!(
            "expected a boolean predicate, found {}",
            other.type_name()
        ))),
    }
}

fn list_of(value: Value, what: &str) -> Result<Option<Vec<Value>>, ExecError> {
    match value {
        Value::Null => Ok(None),
        Value::List(items) => Ok(Some(items.into_vec())),
        other => Err(ExecError::Type(format!(
            "{what} needs a list, found {}",
            other.type_name()
        ))),
    }
}

/// Evaluates an expression.
#[allow(clippy::too_many_lines)]
pub fn eval(ctx: &mut Context<'_>, expr: &Expr, row: &mut Slots) -> Result<Value, ExecError> {
    Ok(match expr {
        Expr::Literal(v) => v.clone(),
        Expr::Parameter(name) => ctx.param(name)?,
        Expr::Slot(slot) => row.get(*slot).cloned().unwrap_or(Value::Null),
        Expr::Property(base, key) => {
            if let Expr::Slot(slot) = base.as_ref() {
                // Read through the row's value: a node or map is not copied to read one key.
                let base = row.get(*slot).unwrap_or(&Value::Null);
                return property(ctx, base, key);
            }
            let base = eval(ctx, base, row)?;
            property(ctx, &base, key)?
        }
        Expr::Index(base, index) if matches!(base.as_ref(), Expr::Slot(_)) => {
            // `rows[i]` reads the element from the row's list without copying the list.
            let index = eval(ctx, index, row)?;
            let base = slot_value(base, row);
            match (base, &index) {
                (Value::Node(_) | Value::Relationship(_), Value::String(key)) => {
                    property(ctx, base, key)?
                }
                (Value::Node(_) | Value::Relationship(_), Value::Null) => Value::Null,
                _ => ops::subscript(base, &index)?,
            }
        }
        Expr::Index(base, index) => {
            let base = eval(ctx, base, row)?;
            let index = eval(ctx, index, row)?;
            match (&base, &index) {
                (Value::Node(_) | Value::Relationship(_), Value::String(key)) => {
                    property(ctx, &base, key)?
                }
                (Value::Node(_) | Value::Relationship(_), Value::Null) => Value::Null,
                _ => ops::subscript(&base, &index)?,
            }
        }
        Expr::Slice(base, from, to) => {
            let base = eval(ctx, base, row)?;
            let from = from.as_ref().map(|e| eval(ctx, e, row)).transpose()?;
            let to = to.as_ref().map(|e| eval(ctx, e, row)).transpose()?;
            ops::slice(&base, from.as_ref(), to.as_ref())?
        }
        Expr::HasLabels(base, labels) => {
            let base = eval(ctx, base, row)?;
            let graph = ctx.read();
            match base {
                Value::Null => Value::Null,
                Value::Node(node) => {
                    let mut all = true;
                    for label in labels {
                        let has = match graph.label_id(label) {
                            Some(id) => graph.node_has_label(node.id, id)?,
                            None => false,
                        };
                        all &= has;
                    }
                    Value::Bool(all)
                }
                Value::Relationship(rel) => {
                    let info = graph.relationship(rel.id)?;
                    let name = info.and_then(|i| graph.type_name(i.rel_type));
                    Value::Bool(labels.iter().all(|l| Some(l.as_str()) == name))
                }
                other => {
                    return Err(ExecError::Type(format!(
                        "cannot test labels of {}",
                        other.type_name()
                    )));
                }
            }
        }
        Expr::Unary(op, inner) => {
            let v = eval(ctx, inner, row)?;
            ops::unary(*op, &v)?
        }
        Expr::Binary(BinaryOp::Eq, a, b)
            if let (Expr::Property(base, key), Expr::Literal(value))
            | (Expr::Literal(value), Expr::Property(base, key)) = (a.as_ref(), b.as_ref())
                && let Expr::Slot(slot) = base.as_ref()
                && let Some(entity @ (Value::Node(_) | Value::Relationship(_))) =
                    row.get(*slot) =>
        {
            // `n.key = literal` compares in the column, copying no value (a string read out
            // would bump the reference count every row shares).
            let equal = match (ctx.key_id(key), entity) {
                (Some(k), Value::Node(n)) => ctx.read().node_property_equals(n.id, k, value)?,
                (Some(k), Value::Relationship(r)) => {
                    ctx.read().rel_property_equals(r.id, k, value)?
                }
                _ => None,
            };
            equal.map_or(Value::Null, Value::Bool)
        }
        Expr::Binary(op, a, b)
            if !matches!(op, BinaryOp::And | BinaryOp::Or | BinaryOp::Xor)
                && (in_place(a) || in_place(b)) =>
        {
            // An operand the row or the plan holds is read in place: `x IN rows` does not copy
            // `rows`, nor `o.status IN ['won', 'lost']` its list.
            if in_place(b) {
                let left = eval(ctx, a, row)?;
                ops::binary(*op, &left, in_place_value(b, row))?
            } else {
                let right = eval(ctx, b, row)?;
                ops::binary(*op, in_place_value(a, row), &right)?
            }
        }
        Expr::Binary(op, a, b) => {
            let left = eval(ctx, a, row)?;
            // Short-circuit where the answer is already known; the right side is pure.
            match (op, &left) {
                (BinaryOp::And, Value::Bool(false)) => return Ok(Value::Bool(false)),
                (BinaryOp::Or, Value::Bool(true)) => return Ok(Value::Bool(true)),
                _ => {}
            }
            let right = eval(ctx, b, row)?;
            ops::binary(*op, &left, &right)?
        }
        Expr::IsNull { expr, negated } => {
            let v = eval(ctx, expr, row)?;
            Value::Bool(v.is_null() != *negated)
        }
        Expr::List(items) => {
            let mut list = Vec::with_capacity(items.len());
            for item in items {
                list.push(eval(ctx, item, row)?);
            }
            Value::List(list.into())
        }
        Expr::Map(entries) => {
            let mut map = Map::new();
            for (k, e) in entries {
                let v = eval(ctx, e, row)?;
                map.insert(k.clone(), v);
            }
            Value::Map(map.into())
        }
        Expr::MapProjection { base, items } => {
            let base = eval(ctx, base, row)?;
            if base.is_null() {
                return Ok(Value::Null);
            }
            let mut map = Map::new();
            for item in items {
                match item {
                    MapItem::Property(key) => {
                        let v = property(ctx, &base, key)?;
                        map.insert(key.clone(), v);
                    }
                    MapItem::AllProperties => {
                        for (k, v) in all_properties(ctx, &base)? {
                            map.insert(k, v);
                        }
                    }
                    MapItem::Entry(k, e) => {
                        let v = eval(ctx, e, row)?;
                        map.insert(k.clone(), v);
                    }
                }
            }
            Value::Map(map.into())
        }
        Expr::Function { name, args } => {
            if args.is_empty()
                && let Some((file, line)) = &ctx.csv_row
            {
                if name.eq_ignore_ascii_case("linenumber") {
                    return Ok(Value::Int(i64::try_from(*line).unwrap_or(i64::MAX)));
                }
                if name.eq_ignore_ascii_case("file") {
                    return Ok(Value::String(file.to_string().into()));
                }
            }
            let def = functions::lookup(name)
                .ok_or_else(|| ExecError::Argument(format!("unknown function {name}")))?;
            if let [arg @ Expr::Slot(_)] = args.as_slice() {
                // One argument the row holds: passed in place (`size(rows)` copies nothing).
                let fn_ctx = FnContext {
                    graph: ctx.read(),
                    now: &ctx.now,
                };
                return (def.call)(std::slice::from_ref(slot_value(arg, row)), &fn_ctx);
            }
            let mut values = Vec::with_capacity(args.len());
            for a in args {
                values.push(eval(ctx, a, row)?);
            }
            let fn_ctx = FnContext {
                graph: ctx.read(),
                now: &ctx.now,
            };
            (def.call)(&values, &fn_ctx)?
        }
        Expr::Case {
            operand,
            alternatives,
            default,
        } => {
            let subject = operand.as_ref().map(|o| eval(ctx, o, row)).transpose()?;
            for (when, then) in alternatives {
                let w = eval(ctx, when, row)?;
                let hit = match &subject {
                    Some(s) => s.eq_cypher(&w) == Some(true),
                    None => matches!(w, Value::Bool(true)),
                };
                if hit {
                    return eval(ctx, then, row);
                }
            }
            match default {
                Some(d) => eval(ctx, d, row)?,
                None => Value::Null,
            }
        }
        Expr::ListComprehension {
            slot,
            list,
            filter,
            map,
        } => {
            let Some(items) = list_of(eval(ctx, list, row)?, "a list comprehension")? else {
                return Ok(Value::Null);
            };
            let mut out = Vec::new();
            for item in items {
                set(row, *slot, item.clone());
                if let Some(f) = filter
                    && !is_true(&eval(ctx, f, row)?)?
                {
                    continue;
                }
                out.push(match map {
                    Some(m) => eval(ctx, m, row)?,
                    None => item,
                });
            }
            Value::List(out.into())
        }
        Expr::Quantified {
            quantifier,
            slot,
            list,
            filter,
        } => {
            let Some(items) = list_of(eval(ctx, list, row)?, "a quantifier")? else {
                return Ok(Value::Null);
            };
            let (mut trues, mut nulls) = (0usize, 0usize);
            let total = items.len();
            for item in items {
                set(row, *slot, item);
                let verdict = match filter {
                    Some(f) => eval(ctx, f, row)?,
                    None => Value::Bool(true),
                };
                match verdict {
                    Value::Bool(true) => trues += 1,
                    Value::Bool(false) => {}
                    Value::Null => nulls += 1,
                    other => {
                        return Err(ExecError::Type(format!(
                            "expected a boolean predicate, found {}",
                            other.type_name()
                        )));
                    }
                }
            }
            let falses = total - trues - nulls;
            match quantifier {
                Quantifier::All => {
                    if falses > 0 {
                        Value::Bool(false)
                    } else if nulls > 0 {
                        Value::Null
                    } else {
                        Value::Bool(true)
                    }
                }
                Quantifier::Any => {
                    if trues > 0 {
                        Value::Bool(true)
                    } else if nulls > 0 {
                        Value::Null
                    } else {
                        Value::Bool(false)
                    }
                }
                Quantifier::None => {
                    if trues > 0 {
                        Value::Bool(false)
                    } else if nulls > 0 {
                        Value::Null
                    } else {
                        Value::Bool(true)
                    }
                }
                Quantifier::Single => {
                    if trues > 1 {
                        Value::Bool(false)
                    } else if nulls > 0 {
                        Value::Null
                    } else {
                        Value::Bool(trues == 1)
                    }
                }
            }
        }
        Expr::Reduce {
            accumulator,
            init,
            slot,
            list,
            expr,
        } => {
            let mut acc = eval(ctx, init, row)?;
            let Some(items) = list_of(eval(ctx, list, row)?, "reduce")? else {
                return Ok(Value::Null);
            };
            for item in items {
                set(row, *accumulator, acc);
                set(row, *slot, item);
                acc = eval(ctx, expr, row)?;
            }
            acc
        }
        Expr::Subquery(sub) => subquery(ctx, sub, row)?,
    })
}

fn set(row: &mut Slots, slot: Slot, value: Value) {
    if row.len() <= slot {
        row.resize(slot + 1, Value::Null);
    }
    row[slot] = value;
}

fn subquery(ctx: &mut Context<'_>, sub: &Subquery, row: &mut Slots) -> Result<Value, ExecError> {
    let rows = run_subquery(ctx, &sub.pipeline, row, sub.kind == SubqueryKind::Exists)?;
    Ok(match sub.kind {
        SubqueryKind::Exists => Value::Bool(!rows.is_empty()),
        SubqueryKind::Count => Value::Int(i64::try_from(rows.len()).unwrap_or(i64::MAX)),
        SubqueryKind::Collect => {
            let mut out = Vec::with_capacity(rows.len());
            for mut inner in rows {
                if let Some(map) = &sub.map {
                    out.push(eval(ctx, map, &mut inner)?);
                }
            }
            Value::List(out.into())
        }
    })
}

/// Every property of a node, relationship or map, by name.
pub(crate) fn all_properties(
    ctx: &Context<'_>,
    value: &Value,
) -> Result<Vec<(String, Value)>, ExecError> {
    let graph = ctx.read();
    let named = |props: Vec<(u32, Value)>| -> Vec<(String, Value)> {
        props
            .into_iter()
            .map(|(k, v)| (graph.key_name(k).unwrap_or("?").to_owned(), v))
            .collect()
    };
    match value {
        Value::Node(n) => Ok(named(graph.node_properties(n.id)?)),
        Value::Relationship(r) => Ok(named(graph.rel_properties(r.id)?)),
        Value::Map(m) => Ok(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        Value::Null => Ok(Vec::new()),
        other => Err(ExecError::Type(format!(
            "{} has no properties",
            other.type_name()
        ))),
    }
}
