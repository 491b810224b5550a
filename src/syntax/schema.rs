//! Schema commands: `CREATE`/`DROP` of indexes and constraints, and `SHOW INDEXES`,
//! `SHOW CONSTRAINTS` and the rest of `SHOW`. Each function is a rule of `grammar/cordial.ebnf`.

use super::ast::{ConstraintKind, Ident, SchemaCommand, ShowKind};
use super::clause::after_keyword;
use super::error::SyntaxErrorKind;
use super::lexer::{
    Input, PError, PResult, cut_err, expect, fail, failure, kw, name_token, offset, opt_kw,
    opt_sym, peek_kw, sym, symbolic_name, variable, ws,
};
use super::pattern::labels;

/// `CREATE INDEX ...`, `DROP INDEX ...`, `CREATE CONSTRAINT ...`, `DROP CONSTRAINT ...`, `SHOW ...`.
pub(crate) fn schema_command(i: Input<'_>) -> PResult<'_, SchemaCommand> {
    if let (rest, Some(_)) = opt_kw(i, "CREATE")? {
        if peek_kw(rest, "INDEX") {
            return create_index(rest);
        }
        if peek_kw(rest, "CONSTRAINT") {
            return create_constraint(rest);
        }
        return fail(&i, "INDEX");
    }
    if let (rest, Some(_)) = opt_kw(i, "DROP")? {
        return drop_command(rest);
    }
    if let (rest, Some(_)) = opt_kw(i, "SHOW")? {
        return show_command(rest);
    }
    fail(&i, "CREATE")
}

/// An optional schema object name, which cannot be `IF` or `FOR` (those start what follows).
fn opt_schema_name(i: Input<'_>) -> PResult<'_, Option<String>> {
    if peek_kw(i, "IF") || peek_kw(i, "FOR") || peek_kw(i, "ON") {
        return Ok((i, None));
    }
    match symbolic_name(i) {
        Ok((rest, name)) => Ok((rest, Some(name))),
        Err(nom::Err::Error(_)) => Ok((i, None)),
        Err(e) => Err(e),
    }
}

fn if_not_exists(i: Input<'_>) -> PResult<'_, bool> {
    match opt_kw(i, "IF")? {
        (rest, Some(_)) => {
            let (rest, _) = kw("NOT")(rest).map_err(cut_err)?;
            let (rest, _) = kw("EXISTS")(rest).map_err(cut_err)?;
            Ok((rest, true))
        }
        (rest, None) => Ok((rest, false)),
    }
}

/// `FOR (var:Label)`.
fn for_label(i: Input<'_>) -> PResult<'_, (Ident, String)> {
    let (i, _) = kw("FOR")(i).map_err(cut_err)?;
    let (i, _) = sym("(")(i).map_err(cut_err)?;
    let (i, var) = after_keyword(i, "variable", variable)?;
    let (i, label) = labels(i)?;
    let [label] = <[String; 1]>::try_from(label).map_err(|_| {
        nom::Err::Failure(PError::custom(
            var.span,
            SyntaxErrorKind::UnexpectedSyntax,
            "expected exactly one label",
        ))
    })?;
    let (i, _) = sym(")")(i).map_err(cut_err)?;
    Ok((i, (var, label)))
}

/// `var.key`, checking that `var` is the variable declared in `FOR`.
fn property_of<'a>(i: Input<'a>, var: &Ident) -> PResult<'a, String> {
    let (i, (name, _, span)) = expect(i, "variable", name_token).map_err(cut_err)?;
    if name != var.name {
        return failure(
            span,
            SyntaxErrorKind::UnexpectedSyntax,
            &format!("expected the variable '{}'", var.name),
        );
    }
    let (i, _) = sym(".")(i).map_err(cut_err)?;
    after_keyword(i, "property key", symbolic_name)
}

/// `CREATE INDEX [name] [IF NOT EXISTS] FOR (var:Label) ON (var.key, ...)`.
pub(crate) fn create_index(i: Input<'_>) -> PResult<'_, SchemaCommand> {
    let (i, _) = kw("INDEX")(i)?;
    let (i, name) = opt_schema_name(i)?;
    let (i, if_not_exists) = if_not_exists(i)?;
    let (i, (var, label)) = for_label(i)?;
    let (i, _) = kw("ON")(i).map_err(cut_err)?;
    let (mut i, _) = sym("(")(i).map_err(cut_err)?;
    let mut properties = Vec::new();
    loop {
        let (rest, key) = property_of(i, &var)?;
        properties.push(key);
        match opt_sym(rest, ",")? {
            (rest, Some(_)) => i = rest,
            (rest, None) => {
                i = rest;
                break;
            }
        }
    }
    let (i, _) = sym(")")(i).map_err(cut_err)?;
    Ok((
        i,
        SchemaCommand::CreateIndex {
            name,
            if_not_exists,
            variable: var,
            label,
            properties,
        },
    ))
}

/// `CREATE CONSTRAINT [name] [IF NOT EXISTS] FOR (var:Label) REQUIRE var.key IS UNIQUE`
/// (or `REQUIRE (var.a, var.b) IS UNIQUE`, or `IS NOT NULL`).
pub(crate) fn create_constraint(i: Input<'_>) -> PResult<'_, SchemaCommand> {
    let (i, _) = kw("CONSTRAINT")(i)?;
    let (i, name) = opt_schema_name(i)?;
    let (i, if_not_exists) = if_not_exists(i)?;
    let (i, (var, label)) = for_label(i)?;
    let (i, _) = kw("REQUIRE")(i).map_err(cut_err)?;
    let (i, properties) = match opt_sym(i, "(")? {
        (mut i, Some(_)) => {
            let mut properties = Vec::new();
            loop {
                let (rest, key) = property_of(i, &var)?;
                properties.push(key);
                match opt_sym(rest, ",")? {
                    (rest, Some(_)) => i = rest,
                    (rest, None) => {
                        i = rest;
                        break;
                    }
                }
            }
            let (i, _) = sym(")")(i).map_err(cut_err)?;
            (i, properties)
        }
        (i, None) => {
            let (i, key) = property_of(i, &var)?;
            (i, vec![key])
        }
    };
    let (i, _) = kw("IS")(i).map_err(cut_err)?;
    let (i, kind) = match opt_kw(i, "UNIQUE")? {
        (rest, Some(_)) => (rest, ConstraintKind::Unique),
        (rest, None) => {
            let (rest, _) = kw("NOT")(rest).map_err(|e| {
                cut_err(e.map(|mut err| {
                    err.expected.insert(0, "UNIQUE");
                    err
                }))
            })?;
            let (rest, _) = kw("NULL")(rest).map_err(cut_err)?;
            (rest, ConstraintKind::NotNull)
        }
    };
    Ok((
        i,
        SchemaCommand::CreateConstraint {
            name,
            if_not_exists,
            variable: var,
            label,
            properties,
            kind,
        },
    ))
}

/// After `DROP`: `INDEX name [IF EXISTS]` or `CONSTRAINT name [IF EXISTS]`.
pub(crate) fn drop_command(i: Input<'_>) -> PResult<'_, SchemaCommand> {
    let (i, index) = opt_kw(i, "INDEX")?;
    let (i, is_index) = match index {
        Some(_) => (i, true),
        None => {
            let (i, _) = kw("CONSTRAINT")(i).map_err(|e| {
                cut_err(e.map(|mut err| {
                    err.expected.insert(0, "INDEX");
                    err
                }))
            })?;
            (i, false)
        }
    };
    let (i, name) = after_keyword(i, "name", symbolic_name)?;
    let (i, if_exists) = match opt_kw(i, "IF")? {
        (rest, Some(_)) => (kw("EXISTS")(rest).map_err(cut_err)?.0, true),
        (rest, None) => (rest, false),
    };
    let command = if is_index {
        SchemaCommand::DropIndex { name, if_exists }
    } else {
        SchemaCommand::DropConstraint { name, if_exists }
    };
    Ok((i, command))
}

/// After `SHOW`: `INDEXES`, `CONSTRAINTS`, `PROCEDURES` or `FUNCTIONS` (singular accepted).
pub(crate) fn show_command(i: Input<'_>) -> PResult<'_, SchemaCommand> {
    for (words, kind) in [
        (["INDEXES", "INDEX"], ShowKind::Indexes),
        (["CONSTRAINTS", "CONSTRAINT"], ShowKind::Constraints),
        (["PROCEDURES", "PROCEDURE"], ShowKind::Procedures),
        (["FUNCTIONS", "FUNCTION"], ShowKind::Functions),
    ] {
        for word in words {
            if let (rest, Some(_)) = opt_kw(i, word)? {
                return Ok((rest, SchemaCommand::Show(kind)));
            }
        }
    }
    let (at, ()) = ws(i)?;
    let mut err = PError::expected_at(offset(&at), "INDEXES");
    err.expected
        .extend(["CONSTRAINTS", "PROCEDURES", "FUNCTIONS"]);
    Err(nom::Err::Failure(err))
}
