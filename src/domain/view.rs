//! Name-based reading helpers and option parsing shared by the `crm.*` procedures: labels,
//! types and keys by name (absent names read as empty), the procedure's reference day, and
//! typed options from a map argument. Knows nothing of any one procedure.

use chrono::{NaiveDate, NaiveDateTime};

use crate::procedure::{ProcedureContext, ProcedureError, map_argument};
use crate::storage::{Direction, Edge, GraphRead, KeyId, TypeId};
use crate::value::ExactSum;
use crate::value::{Date, DateTime, Map, NodeId, Value};

/// The graph read by names. Names the graph has never seen read as nothing (no nodes, no
/// relationships, null properties), as a query naming them would.
pub struct View<'g> {
    pub graph: &'g dyn GraphRead,
    /// Resolved names: (kind, name, id). A procedure uses a dozen names, each millions of
    /// times, so a short scan by pointer beats hashing the name every time.
    names: std::cell::RefCell<Vec<(NameKind, &'static str, Option<u32>)>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameKind {
    Label,
    Type,
    Key,
}

impl<'g> View<'g> {
    #[must_use]
    pub fn new(graph: &'g dyn GraphRead) -> Self {
        View {
            graph,
            names: std::cell::RefCell::new(Vec::new()),
        }
    }

    fn resolve(&self, kind: NameKind, name: &'static str) -> Option<u32> {
        let mut names = self.names.borrow_mut();
        if let Some(found) = names
            .iter()
            .find(|(k, n, _)| *k == kind && (std::ptr::eq(*n, name) || *n == name))
        {
            return found.2;
        }
        let id = match kind {
            NameKind::Label => self.graph.label_id(name),
            NameKind::Type => self.graph.type_id(name),
            NameKind::Key => self.graph.key_id(name),
        };
        names.push((kind, name, id));
        id
    }

    /// The nodes carrying `label`, ascending by id.
    pub fn nodes(&self, label: &'static str) -> Result<Vec<NodeId>, ProcedureError> {
        match self.resolve(NameKind::Label, label) {
            Some(l) => Ok(self.graph.nodes_with_label(l)?),
            None => Ok(Vec::new()),
        }
    }

    /// Whether `node` carries `label`.
    pub fn has_label(&self, node: NodeId, label: &'static str) -> Result<bool, ProcedureError> {
        match self.resolve(NameKind::Label, label) {
            Some(l) => Ok(self.graph.node_has_label(node, l)?),
            None => Ok(false),
        }
    }

    fn key(&self, name: &'static str) -> Option<KeyId> {
        self.resolve(NameKind::Key, name)
    }

    /// A node property, `Null` when absent.
    pub fn prop(&self, node: NodeId, name: &'static str) -> Result<Value, ProcedureError> {
        match self.key(name) {
            Some(k) => Ok(self.graph.node_property(node, k)?),
            None => Ok(Value::Null),
        }
    }

    /// A relationship property, `Null` when absent.
    pub fn rel_prop(&self, edge: &Edge, name: &'static str) -> Result<Value, ProcedureError> {
        match self.key(name) {
            Some(k) => Ok(self.graph.rel_property(edge.rel, k)?),
            None => Ok(Value::Null),
        }
    }

    pub fn str_prop(
        &self,
        node: NodeId,
        name: &'static str,
    ) -> Result<Option<String>, ProcedureError> {
        Ok(match self.prop(node, name)? {
            Value::String(s) => Some(s.to_string()),
            _ => None,
        })
    }

    /// A numeric property as a float (integers widen); `None` when absent or not a number.
    pub fn num_prop(
        &self,
        node: NodeId,
        name: &'static str,
    ) -> Result<Option<f64>, ProcedureError> {
        Ok(number(&self.prop(node, name)?))
    }

    pub fn date_prop(
        &self,
        node: NodeId,
        name: &'static str,
    ) -> Result<Option<NaiveDate>, ProcedureError> {
        Ok(match self.prop(node, name)? {
            Value::Date(d) => Some(d.0),
            _ => None,
        })
    }

    /// A DATETIME property as its UTC instant.
    pub fn instant_prop(
        &self,
        node: NodeId,
        name: &'static str,
    ) -> Result<Option<NaiveDateTime>, ProcedureError> {
        Ok(match self.prop(node, name)? {
            Value::DateTime(d) => Some(d.utc()),
            _ => None,
        })
    }

    /// Whether a property equals a string.
    pub fn is(
        &self,
        node: NodeId,
        name: &'static str,
        expected: &str,
    ) -> Result<bool, ProcedureError> {
        Ok(matches!(self.prop(node, name)?, Value::String(s) if s == expected.into()))
    }

    /// The relationships of `node` of type `rel_type` in `direction`.
    pub fn edges(
        &self,
        node: NodeId,
        rel_type: &'static str,
        direction: Direction,
    ) -> Result<Vec<Edge>, ProcedureError> {
        let Some(t) = self.resolve(NameKind::Type, rel_type) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        self.graph.expand(node, direction, &[t], &mut out)?;
        Ok(out)
    }

    /// The nodes at the other end of `node`'s `rel_type` relationships, one per relationship.
    pub fn out(&self, node: NodeId, rel_type: &'static str) -> Result<Vec<NodeId>, ProcedureError> {
        Ok(self
            .edges(node, rel_type, Direction::Outgoing)?
            .into_iter()
            .map(|e| e.other)
            .collect())
    }

    pub fn inc(&self, node: NodeId, rel_type: &'static str) -> Result<Vec<NodeId>, ProcedureError> {
        Ok(self
            .edges(node, rel_type, Direction::Incoming)?
            .into_iter()
            .map(|e| e.other)
            .collect())
    }

    /// The fulfilled orders a customer placed, ordered on or after `since` (all when `None`),
    /// as (order, orderedOn, amountBase).
    pub fn fulfilled_orders(
        &self,
        customer: NodeId,
        since: Option<NaiveDate>,
    ) -> Result<Vec<(NodeId, Option<NaiveDate>, Option<f64>)>, ProcedureError> {
        let mut out = Vec::new();
        for o in self.out(customer, "PLACED")? {
            if !self.has_label(o, "Order")? || !self.is(o, "status", "fulfilled")? {
                continue;
            }
            let on = self.date_prop(o, "orderedOn")?;
            if let Some(since) = since
                && on.is_none_or(|d| d < since)
            {
                continue;
            }
            out.push((o, on, self.num_prop(o, "amountBase")?));
        }
        Ok(out)
    }

    /// `sum(o.amountBase)` over the fulfilled orders since `since`.
    pub fn revenue(
        &self,
        customer: NodeId,
        since: Option<NaiveDate>,
    ) -> Result<f64, ProcedureError> {
        Ok(self
            .fulfilled_orders(customer, since)?
            .iter()
            .filter_map(|o| o.2)
            .sum::<ExactSum>()
            .total())
    }

    /// The customer's open opportunities: how many, and their `amountBase` summed.
    pub fn open_pipeline(&self, customer: NodeId) -> Result<(i64, f64), ProcedureError> {
        let (mut n, mut sum) = (0, ExactSum::default());
        for o in self.out(customer, "HAS_OPPORTUNITY")? {
            if self.has_label(o, "Opportunity")? && self.is(o, "status", "open")? {
                n += 1;
                sum += self.num_prop(o, "amountBase")?.unwrap_or(0.0);
            }
        }
        Ok((n, sum.total()))
    }

    /// The customers with `status = 'active'`.
    pub fn active_customers(&self) -> Result<Vec<NodeId>, ProcedureError> {
        let mut out = Vec::new();
        for c in self.nodes("Customer")? {
            if self.is(c, "status", "active")? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// The id of a relationship type, for callers expanding many types at once.
    #[must_use]
    pub fn type_id(&self, name: &'static str) -> Option<TypeId> {
        self.resolve(NameKind::Type, name)
    }
}

/// A number as a float; `None` for anything else.
#[must_use]
pub fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// A string list value from names.
#[must_use]
pub fn strings(items: impl IntoIterator<Item = String>) -> Value {
    Value::List(items.into_iter().map(Value::from).collect())
}

/// A float value, or null.
#[must_use]
pub fn float_or_null(v: Option<f64>) -> Value {
    v.map_or(Value::Null, Value::Float)
}

/// `round(x)` as the engine computes it (Java's rounding: halves go up).
#[must_use]
pub fn round_half_up(x: f64) -> f64 {
    let rounded = if x - x.floor() == 0.5 {
        x.ceil()
    } else {
        x.round()
    };
    rounded + 0.0
}

/// `round(1000.0 * part / whole) / 10`: a percentage with one decimal, null when `whole` is 0.
#[must_use]
pub fn pct1(part: f64, whole: f64) -> Value {
    if whole == 0.0 {
        Value::Null
    } else {
        Value::Float(round_half_up(1000.0 * part / whole) / 10.0)
    }
}

/// The options map of a procedure: the last argument when it is a map (or null), checked
/// against the option names the procedure knows.
pub struct Options {
    procedure: &'static str,
    map: Map,
}

impl Options {
    /// Reads the options at `args[index]` (absent or null: no options). Unknown names are an
    /// error naming the procedure and the names it accepts.
    pub fn parse(
        procedure: &'static str,
        args: &[Value],
        index: usize,
        known: &[&str],
    ) -> Result<Self, ProcedureError> {
        let mut accepted: Vec<&str> = known.to_vec();
        accepted.push("asOf");
        let map = map_argument(procedure, args, index, &accepted, "options")?;
        Ok(Options { procedure, map })
    }

    /// A non-negative integer option (a whole float is accepted), or `default`.
    pub fn int(&self, name: &str, default: i64) -> Result<i64, ProcedureError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Int(i)) if *i >= 0 => Ok(*i),
            Some(Value::Float(f)) if *f >= 0.0 && f.fract() == 0.0 && *f < 1e15 => Ok(*f as i64),
            Some(other) => Err(ProcedureError::Argument(format!(
                "{}() option '{name}' must be a non-negative integer, found {}",
                self.procedure,
                other.to_cypher_string()
            ))),
        }
    }

    /// A string option, or `default`.
    pub fn string(&self, name: &str, default: &str) -> Result<String, ProcedureError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(default.to_owned()),
            Some(Value::String(s)) => Ok(s.to_string()),
            Some(other) => Err(ProcedureError::Type(format!(
                "{}() option '{name}' must be a string, found {}",
                self.procedure,
                other.type_name()
            ))),
        }
    }

    /// A DATE option (a DATETIME gives its date), or `None`.
    pub fn date(&self, name: &str) -> Result<Option<NaiveDate>, ProcedureError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Date(d)) => Ok(Some(d.0)),
            Some(Value::DateTime(d)) => Ok(Some(d.local.date())),
            Some(other) => Err(ProcedureError::Type(format!(
                "{}() option '{name}' must be a date, found {}",
                self.procedure,
                other.type_name()
            ))),
        }
    }

    /// The reference instant: option `asOf` (a DATETIME, or a DATE meaning its midnight UTC)
    /// or the statement clock.
    pub fn clock(&self, ctx: &dyn ProcedureContext) -> Result<Clock, ProcedureError> {
        match self.map.get("asOf") {
            None | Some(Value::Null) => Clock::at(ctx.now()),
            Some(Value::DateTime(d)) => Clock::at(d),
            Some(Value::Date(d)) => Ok(Clock {
                today: d.0,
                now: d.0.and_hms_opt(0, 0, 0).unwrap_or_default(),
            }),
            Some(other) => Err(ProcedureError::Type(format!(
                "{}() option 'asOf' must be a date or datetime, found {}",
                self.procedure,
                other.type_name()
            ))),
        }
    }
}

/// "Now" for a procedure: `date()` and `datetime()` (as a UTC instant) of the statement, or of
/// the `asOf` option.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub today: NaiveDate,
    pub now: NaiveDateTime,
}

impl Clock {
    fn at(now: &DateTime) -> Result<Self, ProcedureError> {
        Ok(Clock {
            today: Date::current(now, None)?.0,
            now: now.utc(),
        })
    }

    /// `date() - duration({days: n})`; the earliest date there is when `n` reaches past it.
    #[must_use]
    pub fn days_ago(&self, days: i64) -> NaiveDate {
        before(self.today, days)
    }

    /// `datetime() - duration({days: n})`, as a UTC instant; saturates like `days_ago`.
    #[must_use]
    pub fn instant_days_ago(&self, days: i64) -> NaiveDateTime {
        chrono::TimeDelta::try_days(days)
            .and_then(|d| self.now.checked_sub_signed(d))
            .unwrap_or(NaiveDateTime::MIN)
    }
}

/// `day - duration({days: n})`, saturating at the earliest date (options are user input, and
/// a window reaching before any date simply covers everything).
#[must_use]
pub fn before(day: NaiveDate, days: i64) -> NaiveDate {
    chrono::TimeDelta::try_days(days)
        .and_then(|d| day.checked_sub_signed(d))
        .unwrap_or(NaiveDate::MIN)
}

/// A node value for a result row.
#[must_use]
pub fn node(id: NodeId) -> Value {
    crate::value::node_ref(id)
}

/// A DATE value.
#[must_use]
pub fn date_value(d: NaiveDate) -> Value {
    Value::Date(Date(d))
}
