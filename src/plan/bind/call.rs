//! CALL of a procedure: its arguments, YIELD and the WHERE after it.

use crate::syntax::ast;

use crate::plan::error::{PlanError, PlanErrorKind as K};
use crate::plan::logical::{Operator, Slot};

use super::scope::{Kind, Scope, already_bound};
use super::{AggMode, Binder, err};

impl Binder<'_> {
    pub(super) fn call(
        &mut self,
        call: &ast::Call,
        scope: &mut Scope,
        standalone: bool,
    ) -> Result<(Operator, Vec<(String, Slot)>), PlanError> {
        let name = call.procedure.full_name();
        let info = self.catalog.procedure(&name).ok_or_else(|| {
            err(
                K::UnknownProcedure,
                call.procedure.span,
                format!("there is no procedure `{name}`"),
            )
        })?;
        let args = match &call.args {
            Some(args) => args
                .iter()
                .map(|a| self.expr(a, scope, &mut AggMode::Forbidden))
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        if call.args.is_some() && (args.len() < info.min_args || args.len() > info.max_args) {
            return Err(err(
                K::InvalidNumberOfArguments,
                call.procedure.span,
                format!(
                    "`{name}` takes {} to {} arguments",
                    info.min_args, info.max_args
                ),
            ));
        }
        let mut yields = Vec::new();
        let mut columns = Vec::new();
        match &call.yield_ {
            Some(y) if !y.star => {
                for item in &y.items {
                    if !info.outputs.contains(&item.field) {
                        return Err(err(
                            K::UndefinedVariable,
                            item.span,
                            format!("`{name}` has no output `{}`", item.field),
                        ));
                    }
                    let var = item
                        .alias
                        .as_ref()
                        .map_or(item.field.as_str(), |a| a.name.as_str());
                    if scope.get(var).is_some() {
                        return Err(already_bound(var, item.span));
                    }
                    let slot = self.slot();
                    scope.add(var, slot, Kind::Value);
                    yields.push((item.field.clone(), slot));
                    columns.push((var.to_owned(), slot));
                }
            }
            Some(_) | None => {
                if call.yield_.is_none() && !standalone && !info.outputs.is_empty() {
                    return Err(err(
                        K::InvalidClauseComposition,
                        call.procedure.span,
                        "a CALL inside a query needs YIELD",
                    ));
                }
                for field in &info.outputs {
                    let slot = self.slot();
                    scope.add(field, slot, Kind::Value);
                    yields.push((field.clone(), slot));
                    columns.push((field.clone(), slot));
                }
            }
        }
        let filter = match call.yield_.as_ref().and_then(|y| y.where_.as_ref()) {
            Some(w) => Some(self.expr(w, scope, &mut AggMode::Forbidden)?),
            None => None,
        };
        Ok((
            Operator::Call {
                procedure: info.name,
                args,
                yields,
                filter,
            },
            columns,
        ))
    }

    // ---- expressions ------------------------------------------------------------------------
}
