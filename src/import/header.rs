//! The neo4j-admin header convention: each column is `name:type`, where the type is a property
//! type (`int`, `date`, `string[]`, ...) or a special role (`ID(Space)`, `START_ID(Space)`,
//! `END_ID(Space)`, `LABEL`, `TYPE`, `IGNORE`). A column without a type is a string property.
//! This module knows nothing of CSV reading or storage.

/// The type of a property column's values: the vocabulary the export writes too.
pub use crate::value::ScalarType;

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnKind {
    /// The node's id in an id space; stored as the property `name` when the column has one.
    Id {
        space: String,
        property: Option<String>,
    },
    StartId {
        space: String,
    },
    EndId {
        space: String,
    },
    /// Extra labels of the node, separated by the array delimiter.
    Label,
    /// The relationship's type (empty: the type named by the file).
    Type,
    /// Skipped.
    Ignore,
    Property {
        key: String,
        scalar: ScalarType,
        array: bool,
    },
}

/// One header column: its text as written (for messages) and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub text: String,
    pub kind: ColumnKind,
}

/// Why a header column was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderProblem {
    pub column: String,
    pub detail: String,
}

fn problem(column: &str, detail: impl Into<String>) -> HeaderProblem {
    HeaderProblem {
        column: column.to_owned(),
        detail: detail.into(),
    }
}

/// `ID(Space)` -> `Some("Space")`; `ID` -> `Some("")`; anything else `None`.
fn role_space<'a>(spec: &'a str, role: &str) -> Option<&'a str> {
    let head = spec.get(..role.len())?;
    if !head.eq_ignore_ascii_case(role) {
        return None;
    }
    let rest = &spec[role.len()..];
    if rest.is_empty() {
        return Some("");
    }
    rest.strip_prefix('(')?.strip_suffix(')').map(str::trim)
}

/// Parses one header column.
pub fn parse_column(text: &str) -> Result<Column, HeaderProblem> {
    let trimmed = text.trim().trim_start_matches('\u{feff}');
    let (name, spec) = match trimmed.rfind(':') {
        Some(at) => (trimmed[..at].trim(), Some(trimmed[at + 1..].trim())),
        None => (trimmed, None),
    };
    let kind = match spec {
        None => {
            if name.is_empty() {
                return Err(problem(text, "a column needs a name or a type"));
            }
            ColumnKind::Property {
                key: name.to_owned(),
                scalar: ScalarType::String,
                array: false,
            }
        }
        Some(spec) => {
            if let Some(space) = role_space(spec, "START_ID") {
                ColumnKind::StartId {
                    space: space.to_owned(),
                }
            } else if let Some(space) = role_space(spec, "END_ID") {
                ColumnKind::EndId {
                    space: space.to_owned(),
                }
            } else if let Some(space) = role_space(spec, "ID") {
                ColumnKind::Id {
                    space: space.to_owned(),
                    property: (!name.is_empty()).then(|| name.to_owned()),
                }
            } else if spec.eq_ignore_ascii_case("LABEL") {
                ColumnKind::Label
            } else if spec.eq_ignore_ascii_case("TYPE") {
                ColumnKind::Type
            } else if spec.eq_ignore_ascii_case("IGNORE") {
                ColumnKind::Ignore
            } else {
                let (base, array) = match spec.strip_suffix("[]") {
                    Some(base) => (base, true),
                    None => (spec, false),
                };
                let scalar = ScalarType::from_name(base)
                    .ok_or_else(|| problem(text, format!("unknown type `{spec}`")))?;
                if name.is_empty() {
                    return Err(problem(text, "a property column needs a name"));
                }
                ColumnKind::Property {
                    key: name.to_owned(),
                    scalar,
                    array,
                }
            }
        }
    };
    Ok(Column {
        text: text.to_owned(),
        kind,
    })
}

/// What kind of file a header belongs to, for the checks that depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Nodes,
    Relationships,
}

/// Parses a whole header and checks it fits the file kind: node files have at most one `ID`
/// column and no `START_ID`/`END_ID`/`TYPE`; relationship files have exactly one `START_ID` and
/// one `END_ID` and no `ID`/`LABEL`; property names are unique.
pub fn parse_header(fields: &[&str], kind: FileKind) -> Result<Vec<Column>, HeaderProblem> {
    let columns = fields
        .iter()
        .map(|f| parse_column(f))
        .collect::<Result<Vec<_>, _>>()?;
    let mut keys: Vec<&str> = Vec::new();
    let (mut ids, mut starts, mut ends, mut types, mut labels) = (0, 0, 0, 0, 0);
    for column in &columns {
        let key = match &column.kind {
            ColumnKind::Id { property, .. } => {
                ids += 1;
                property.as_deref()
            }
            ColumnKind::StartId { .. } => {
                starts += 1;
                None
            }
            ColumnKind::EndId { .. } => {
                ends += 1;
                None
            }
            ColumnKind::Type => {
                types += 1;
                None
            }
            ColumnKind::Label => {
                labels += 1;
                None
            }
            ColumnKind::Ignore => None,
            ColumnKind::Property { key, .. } => Some(key.as_str()),
        };
        let misplaced = match (kind, &column.kind) {
            (FileKind::Nodes, ColumnKind::StartId { .. } | ColumnKind::EndId { .. }) => {
                Some("a node file cannot have START_ID or END_ID columns")
            }
            (FileKind::Nodes, ColumnKind::Type) => Some("a node file cannot have a TYPE column"),
            (FileKind::Relationships, ColumnKind::Id { .. }) => {
                Some("a relationship file cannot have an ID column")
            }
            (FileKind::Relationships, ColumnKind::Label) => {
                Some("a relationship file cannot have a LABEL column")
            }
            _ => None,
        };
        if let Some(detail) = misplaced {
            return Err(problem(&column.text, detail));
        }
        if ids > 1 || types > 1 || labels > 1 || starts > 1 || ends > 1 {
            return Err(problem(
                &column.text,
                "this role appears twice in the header",
            ));
        }
        if let Some(key) = key {
            if keys.contains(&key) {
                return Err(problem(
                    &column.text,
                    format!("property `{key}` appears twice"),
                ));
            }
            keys.push(key);
        }
    }
    if kind == FileKind::Relationships && (starts == 0 || ends == 0) {
        let column = fields.first().copied().unwrap_or_default();
        return Err(problem(
            column,
            "a relationship file needs a START_ID and an END_ID column",
        ));
    }
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_parse_by_convention() {
        let c = parse_column("id:ID(Customer)").unwrap();
        assert_eq!(
            c.kind,
            ColumnKind::Id {
                space: "Customer".into(),
                property: Some("id".into())
            }
        );
        assert_eq!(
            parse_column("name:ID").unwrap().kind,
            ColumnKind::Id {
                space: String::new(),
                property: Some("name".into())
            }
        );
        assert_eq!(
            parse_column(":START_ID(Staff)").unwrap().kind,
            ColumnKind::StartId {
                space: "Staff".into()
            }
        );
        assert_eq!(
            parse_column("aliases:string[]").unwrap().kind,
            ColumnKind::Property {
                key: "aliases".into(),
                scalar: ScalarType::String,
                array: true
            }
        );
        assert_eq!(
            parse_column("since:Date").unwrap().kind,
            ColumnKind::Property {
                key: "since".into(),
                scalar: ScalarType::Date,
                array: false
            }
        );
        assert_eq!(parse_column(":LABEL").unwrap().kind, ColumnKind::Label);
        assert_eq!(parse_column("x:IGNORE").unwrap().kind, ColumnKind::Ignore);
        assert!(parse_column("x:point").is_err());
        assert!(parse_column("").is_err());
        assert!(parse_column(":int").is_err());
    }

    #[test]
    fn headers_are_checked_against_the_file_kind() {
        assert!(parse_header(&[":START_ID(A)", ":END_ID(B)"], FileKind::Relationships).is_ok());
        assert!(parse_header(&[":START_ID(A)", "x"], FileKind::Relationships).is_err());
        assert!(parse_header(&["id:ID(A)", ":START_ID(A)"], FileKind::Nodes).is_err());
        assert!(parse_header(&["id:ID(A)", "a", "a:int"], FileKind::Nodes).is_err());
        assert!(parse_header(&["id:ID(A)", "b:ID(B)"], FileKind::Nodes).is_err());
    }
}
