//! The TCK's value notation, as result tables and parameter tables write it: `null`, booleans,
//! integers, floats (`1.0`, `-1e-9`, `NaN`, `Inf`, `-Inf`), strings in single quotes, lists,
//! maps, nodes `(:A:B {k: 1})`, relationships `[:T {k: 1}]` and paths `<(:A)-[:T]->(:B)>`.
//! Temporal values are written as strings.

use std::collections::BTreeMap;

/// An expected value. Nodes and relationships carry no ids: the TCK compares them by labels,
/// type and properties.
#[derive(Debug, Clone, PartialEq)]
pub enum TckValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<TckValue>),
    Map(BTreeMap<String, TckValue>),
    Node {
        labels: Vec<String>,
        properties: BTreeMap<String, TckValue>,
    },
    Relationship {
        rel_type: String,
        properties: BTreeMap<String, TckValue>,
    },
    /// A start node, then (relationship, forward?, node) steps.
    Path {
        start: Box<TckValue>,
        steps: Vec<(TckValue, bool, TckValue)>,
    },
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

type Parsed<T> = Result<T, String>;

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn skip_ws(&mut self) {
        while self.rest().starts_with(char::is_whitespace) {
            self.pos += self.rest().chars().next().map_or(1, char::len_utf8);
        }
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

    fn expect(&mut self, token: &str) -> Parsed<()> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(format!(
                "expected `{token}` at {} in `{}`",
                self.pos, self.text
            ))
        }
    }

    fn name(&mut self) -> Parsed<String> {
        self.skip_ws();
        if self.eat("`") {
            let end = self.rest().find('`').ok_or("unterminated backtick name")?;
            let name = self.rest()[..end].to_owned();
            self.pos += end + 1;
            return Ok(name);
        }
        let len = self
            .rest()
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(self.rest().len());
        if len == 0 {
            return Err(format!(
                "expected a name at {} in `{}`",
                self.pos, self.text
            ));
        }
        let name = self.rest()[..len].to_owned();
        self.pos += len;
        Ok(name)
    }

    fn string(&mut self) -> Parsed<String> {
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\'' => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, other)) => out.push(other),
                    None => break,
                },
                c => out.push(c),
            }
        }
        Err(format!("unterminated string in `{}`", self.text))
    }

    fn properties(&mut self) -> Parsed<BTreeMap<String, TckValue>> {
        let mut map = BTreeMap::new();
        if !self.eat("{") {
            return Ok(map);
        }
        if self.eat("}") {
            return Ok(map);
        }
        loop {
            let key = self.name()?;
            self.expect(":")?;
            let value = self.value()?;
            map.insert(key, value);
            if self.eat("}") {
                return Ok(map);
            }
            self.expect(",")?;
        }
    }

    fn node(&mut self) -> Parsed<TckValue> {
        self.expect("(")?;
        let mut labels = Vec::new();
        while self.eat(":") {
            labels.push(self.name()?);
        }
        let properties = self.properties()?;
        self.expect(")")?;
        Ok(TckValue::Node { labels, properties })
    }

    fn relationship(&mut self) -> Parsed<TckValue> {
        self.expect("[")?;
        self.expect(":")?;
        let rel_type = self.name()?;
        let properties = self.properties()?;
        self.expect("]")?;
        Ok(TckValue::Relationship {
            rel_type,
            properties,
        })
    }

    fn value(&mut self) -> Parsed<TckValue> {
        self.skip_ws();
        let rest = self.rest();
        if rest.starts_with('\'') {
            self.pos += 1;
            return self.string().map(TckValue::String);
        }
        if rest.starts_with('(') {
            return self.node();
        }
        if rest.starts_with("[:") {
            return self.relationship();
        }
        if self.eat("[") {
            let mut items = Vec::new();
            if self.eat("]") {
                return Ok(TckValue::List(items));
            }
            loop {
                items.push(self.value()?);
                if self.eat("]") {
                    return Ok(TckValue::List(items));
                }
                self.expect(",")?;
            }
        }
        if rest.starts_with('{') {
            return self.properties().map(TckValue::Map);
        }
        if self.eat("<") {
            let start = self.node()?;
            let mut steps = Vec::new();
            while !self.eat(">") {
                let forward = if self.eat("<-") {
                    false
                } else {
                    self.expect("-")?;
                    true
                };
                let rel = self.relationship()?;
                if forward {
                    self.expect("->")?;
                } else {
                    self.expect("-")?;
                }
                steps.push((rel, forward, self.node()?));
            }
            return Ok(TckValue::Path {
                start: Box::new(start),
                steps,
            });
        }
        for (word, value) in [
            ("null", TckValue::Null),
            ("true", TckValue::Bool(true)),
            ("false", TckValue::Bool(false)),
            ("NaN", TckValue::Float(f64::NAN)),
            ("-Inf", TckValue::Float(f64::NEG_INFINITY)),
            ("Inf", TckValue::Float(f64::INFINITY)),
        ] {
            if rest.starts_with(word)
                && !rest[word.len()..].starts_with(|c: char| c.is_alphanumeric())
            {
                self.pos += word.len();
                return Ok(value);
            }
        }
        let len = rest
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')))
            .unwrap_or(rest.len());
        let number = &rest[..len];
        self.pos += len;
        if number.contains(['.', 'e', 'E']) {
            number
                .parse()
                .map(TckValue::Float)
                .map_err(|_| format!("bad float `{number}` in `{}`", self.text))
        } else {
            number
                .parse()
                .map(TckValue::Int)
                .map_err(|_| format!("bad value `{}`", self.text))
        }
    }
}

/// Parses one table cell.
pub fn parse(text: &str) -> Result<TckValue, String> {
    let mut parser = Parser { text, pos: 0 };
    let value = parser.value()?;
    parser.skip_ws();
    if parser.pos != text.len() {
        return Err(format!("trailing text after value in `{text}`"));
    }
    Ok(value)
}

/// Equality as the TCK compares results: floats by value (NaN equal to NaN), lists in order
/// unless `unordered_lists`, maps and properties by key.
pub fn equal(expected: &TckValue, actual: &TckValue, unordered_lists: bool) -> bool {
    use TckValue as T;
    match (expected, actual) {
        (T::Float(a), T::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
        (T::List(a), T::List(b)) if unordered_lists => {
            if a.len() != b.len() {
                return false;
            }
            let mut used = vec![false; b.len()];
            a.iter().all(|x| {
                let found = b
                    .iter()
                    .enumerate()
                    .position(|(i, y)| !used[i] && equal(x, y, true));
                found.map(|i| used[i] = true).is_some()
            })
        }
        (T::List(a), T::List(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| equal(x, y, false))
        }
        (T::Map(a), T::Map(b)) => maps_equal(a, b, unordered_lists),
        (
            T::Node {
                labels: la,
                properties: pa,
            },
            T::Node {
                labels: lb,
                properties: pb,
            },
        ) => {
            let mut la = la.clone();
            let mut lb = lb.clone();
            la.sort();
            lb.sort();
            la == lb && maps_equal(pa, pb, unordered_lists)
        }
        (
            T::Relationship {
                rel_type: ta,
                properties: pa,
            },
            T::Relationship {
                rel_type: tb,
                properties: pb,
            },
        ) => ta == tb && maps_equal(pa, pb, unordered_lists),
        (
            T::Path {
                start: sa,
                steps: a,
            },
            T::Path {
                start: sb,
                steps: b,
            },
        ) => {
            equal(sa, sb, unordered_lists)
                && a.len() == b.len()
                && a.iter().zip(b).all(|((ra, fa, na), (rb, fb, nb))| {
                    fa == fb && equal(ra, rb, unordered_lists) && equal(na, nb, unordered_lists)
                })
        }
        (a, b) => a == b,
    }
}

fn maps_equal(
    a: &BTreeMap<String, TckValue>,
    b: &BTreeMap<String, TckValue>,
    unordered_lists: bool,
) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|(k, v)| b.get(k).is_some_and(|w| equal(v, w, unordered_lists)))
}
