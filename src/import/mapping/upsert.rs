//! The import itself: files read whole, then every record upserted, then every reference
//! and picklist linked, then every join-table row (see `mod.rs` for the mapping file).

use super::*;

// ---- the import --------------------------------------------------------------------------------

/// The upserting writer: the transaction, a cache of (label, id) → node, and the counts.
struct Writer<'t> {
    txn: &'t mut WriteTxn,
    ids: HashMap<(String, String), NodeId>,
    summary: MappingSummary,
}

impl Writer<'_> {
    fn find(&mut self, label: &str, id: &str) -> Result<Option<NodeId>, StorageError> {
        if let Some(node) = self.ids.get(&(label.to_owned(), id.to_owned())) {
            return Ok(Some(*node));
        }
        let (Some(l), Some(k)) = (self.txn.label_id(label), self.txn.key_id("id")) else {
            return Ok(None);
        };
        let found = self
            .txn
            .nodes_by_property(l, k, &Value::String(id.into()))?
            .into_iter()
            .next();
        if let Some(node) = found {
            self.ids.insert((label.to_owned(), id.to_owned()), node);
        }
        Ok(found)
    }

    /// Creates or updates the node `label`/`id` with `props` (a null removes the property);
    /// `keep` properties are set only when the node is created.
    fn upsert(
        &mut self,
        labels: &[String],
        id: &str,
        props: &[(String, Value)],
        keep: &[(String, Value)],
    ) -> Result<NodeId, StorageError> {
        let label = &labels[0];
        if let Some(node) = self.find(label, id)? {
            let mut changed = false;
            for extra in &labels[1..] {
                let l = self.txn.intern_label(extra)?;
                changed |= self.txn.add_label(node, l)?;
            }
            for (key, value) in props {
                let k = self.txn.intern_key(key)?;
                let current = self.txn.node_property(node, k)?;
                if current != *value {
                    self.txn.set_node_property(node, k, value.clone())?;
                    changed = true;
                }
            }
            let counts = self.summary.nodes.entry(label.clone()).or_default();
            if changed {
                counts.updated += 1;
            } else {
                counts.unchanged += 1;
            }
            return Ok(node);
        }
        let label_ids = labels
            .iter()
            .map(|l| self.txn.intern_label(l))
            .collect::<Result<Vec<_>, _>>()?;
        let mut all = vec![(self.txn.intern_key("id")?, Value::String(id.into()))];
        for (key, value) in props.iter().chain(keep) {
            if !value.is_null() {
                all.push((self.txn.intern_key(key)?, value.clone()));
            }
        }
        let node = self.txn.create_node(&label_ids, all)?;
        self.ids.insert((label.clone(), id.to_owned()), node);
        self.summary.nodes.entry(label.clone()).or_default().created += 1;
        Ok(node)
    }

    /// Makes sure `(from)-[:rel_type]->(to)` exists with `props` (a null removes one).
    fn link(
        &mut self,
        from: NodeId,
        rel_type: &str,
        to: NodeId,
        props: &[(String, Value)],
    ) -> Result<(), StorageError> {
        let t = self.txn.intern_type(rel_type)?;
        let mut edges = Vec::new();
        self.txn
            .expand(from, Direction::Outgoing, &[t], &mut edges)?;
        if let Some(edge) = edges.iter().find(|e| e.other == to) {
            let mut changed = false;
            for (key, value) in props {
                let k = self.txn.intern_key(key)?;
                if self.txn.rel_property(edge.rel, k)? != *value {
                    self.txn.set_rel_property(edge.rel, k, value.clone())?;
                    changed = true;
                }
            }
            let counts = self
                .summary
                .relationships
                .entry(rel_type.to_owned())
                .or_default();
            if changed {
                counts.updated += 1;
            } else {
                counts.unchanged += 1;
            }
            return Ok(());
        }
        let mut stored = Vec::with_capacity(props.len());
        for (key, value) in props {
            if !value.is_null() {
                stored.push((self.txn.intern_key(key)?, value.clone()));
            }
        }
        self.txn.create_relationship(t, from, to, stored)?;
        self.summary
            .relationships
            .entry(rel_type.to_owned())
            .or_default()
            .created += 1;
        Ok(())
    }
}

/// Ids as the mapping writes them: prefixed, Salesforce ids widened.
fn external_id(mapping: &Mapping, raw: &str) -> String {
    let raw = raw.trim();
    let id = match mapping.id_format {
        Some(IdFormat::Salesforce) => salesforce_18(raw),
        None => raw.to_owned(),
    };
    format!("{}{id}", mapping.id_prefix)
}

/// The mapped properties of one record, or the row's errors.
fn record_properties(
    mapping: &Mapping,
    file: &FileMapping,
    table: &Table,
    record: &Record,
) -> Result<Vec<(String, Value)>, Vec<RowError>> {
    let mut props = Vec::new();
    let mut errors = Vec::new();
    let field = |i: usize| record.fields.get(i).map_or("", |f| f.trim());
    parse_columns(
        mapping,
        &file.columns,
        table,
        record,
        &mut props,
        &mut errors,
    );
    for (property, columns) in &file.join {
        let parts: Vec<&str> = columns
            .iter()
            .filter_map(|c| table.header.get(c.as_str()))
            .map(|&i| field(i))
            .filter(|s| !s.is_empty())
            .collect();
        let value = if parts.is_empty() {
            Value::Null
        } else {
            Value::String(parts.join(" ").into())
        };
        props.push((property.clone(), value));
    }
    for (property, value) in &file.constants {
        props.push((property.clone(), toml_to_value(value)));
    }
    if let Some(source) = &mapping.source {
        props.push(("source".to_owned(), Value::String(source.clone().into())));
    }
    if errors.is_empty() {
        Ok(props)
    } else {
        Err(errors)
    }
}

/// Parses the mapped columns of a record into `props`, or their errors into `errors`.
fn parse_columns(
    mapping: &Mapping,
    columns: &BTreeMap<String, ColumnSpec>,
    table: &Table,
    record: &Record,
    props: &mut Vec<(String, Value)>,
    errors: &mut Vec<RowError>,
) {
    for (column, spec) in columns {
        // Checked before any row is read.
        let Some(&i) = table.header.get(column.as_str()) else {
            continue;
        };
        let raw = record.fields.get(i).map_or("", |f| f.trim());
        for table_spec in spec.tables() {
            let text = match table_spec.values.get(raw) {
                Some(mapped) => mapped.as_str(),
                None if raw.is_empty() => raw,
                None => table_spec.otherwise.as_deref().unwrap_or(raw),
            };
            if text.is_empty() {
                props.push((table_spec.property.clone(), Value::Null));
                continue;
            }
            let order = table_spec.date_order.unwrap_or(mapping.date_order);
            match lenient::parse(text, table_spec.kind, order) {
                Ok(v) => props.push((table_spec.property.clone(), v)),
                Err(message) => errors.push(RowError {
                    file: table.path.clone(),
                    line: record.line,
                    column: column.clone(),
                    message,
                }),
            }
        }
    }
}

/// Imports the CSV files of `dir` as `mapping` says, upserting into `db`. Progress is reported
/// as `Reading` (files read, of all) and then `Writing` (records handled, of twice the total:
/// nodes, then links).
pub fn import_mapped(
    db: &Database,
    mapping: &Mapping,
    dir: &Path,
    options: MappingOptions,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<MappingSummary, MappingError> {
    let started = std::time::Instant::now();
    let delimiter = mapping
        .delimiter
        .map_or(b',', |c| u8::try_from(c).unwrap_or(b','));
    let mut tables = Vec::with_capacity(mapping.files.len());
    let files = mapping.files.len() as u64;
    for (i, file) in mapping.files.iter().enumerate() {
        progress(ImportProgress {
            phase: ImportPhase::Reading,
            done: i as u64,
            total: files,
        });
        let table = read_table(&dir.join(&file.path), delimiter)?;
        table.column(&file.id)?;
        for column in file.columns.keys() {
            table.column(column)?;
        }
        for column in file.join.values().flatten() {
            table.column(column)?;
        }
        for r in &file.references {
            table.column(&r.column)?;
        }
        for p in &file.picklists {
            table.column(&p.column)?;
        }
        tables.push(table);
    }
    let mut link_tables = Vec::with_capacity(mapping.links.len());
    for (i, link) in mapping.links.iter().enumerate() {
        progress(ImportProgress {
            phase: ImportPhase::Reading,
            done: files + i as u64,
            total: files + mapping.links.len() as u64,
        });
        let table = read_table(&dir.join(&link.path), delimiter)?;
        table.column(&link.from.column)?;
        table.column(&link.to.column)?;
        for column in link.columns.keys() {
            table.column(column)?;
        }
        link_tables.push(table);
    }
    let total: u64 = tables.iter().map(|t| t.records.len() as u64).sum::<u64>() * 2
        + link_tables
            .iter()
            .map(|t| t.records.len() as u64)
            .sum::<u64>();
    let mut txn = db.store().begin_write()?;
    let mut writer = Writer {
        txn: &mut txn,
        ids: HashMap::new(),
        summary: MappingSummary::default(),
    };
    let mut done = 0u64;
    let mut tick = |done: u64| {
        if done.is_multiple_of(1024) || done == total {
            progress(ImportProgress {
                phase: ImportPhase::Writing,
                done,
                total,
            });
        }
    };
    // Pass 1: the record nodes. `skipped[f][r]` marks rows not written.
    let mut skipped: Vec<Vec<bool>> = Vec::with_capacity(tables.len());
    let mut row_nodes: Vec<Vec<Option<NodeId>>> = Vec::with_capacity(tables.len());
    for (file, table) in mapping.files.iter().zip(&tables) {
        let id_col = table.column(&file.id)?;
        let labels: Vec<String> = std::iter::once(file.label.clone())
            .chain(file.extra_labels.iter().cloned())
            .collect();
        let mut skips = vec![false; table.records.len()];
        let mut nodes = vec![None; table.records.len()];
        for (r, record) in table.records.iter().enumerate() {
            done += 1;
            tick(done);
            writer.summary.rows += 1;
            let raw = record.fields.get(id_col).map_or("", |f| f.trim());
            if raw.is_empty() {
                writer.summary.errors.push(RowError {
                    file: table.path.clone(),
                    line: record.line,
                    column: file.id.clone(),
                    message: "the external id is empty".into(),
                });
                skips[r] = true;
                continue;
            }
            match record_properties(mapping, file, table, record) {
                Ok(props) => {
                    let id = external_id(mapping, raw);
                    nodes[r] = Some(writer.upsert(&labels, &id, &props, &[])?);
                }
                Err(errors) => {
                    writer.summary.errors.extend(errors);
                    skips[r] = true;
                }
            }
        }
        skipped.push(skips);
        row_nodes.push(nodes);
    }
    // Pass 2: references and picklists.
    for (f, (file, table)) in mapping.files.iter().zip(&tables).enumerate() {
        let reference_columns: Vec<usize> = file
            .references
            .iter()
            .map(|r| table.column(&r.column))
            .collect::<Result<_, _>>()?;
        let picklist_columns: Vec<usize> = file
            .picklists
            .iter()
            .map(|p| table.column(&p.column))
            .collect::<Result<_, _>>()?;
        for (r, record) in table.records.iter().enumerate() {
            done += 1;
            tick(done);
            let (false, Some(node)) = (skipped[f][r], row_nodes[f][r]) else {
                continue;
            };
            for (reference, &col) in file.references.iter().zip(&reference_columns) {
                let field = record.fields.get(col).map_or("", |s| s.trim());
                for raw in split(field, reference.split.as_deref()) {
                    link_reference(mapping, &mut writer, reference, table, record, node, raw)?;
                }
            }
            for (picklist, &col) in file.picklists.iter().zip(&picklist_columns) {
                let field = record.fields.get(col).map_or("", |s| s.trim());
                for raw in split(field, picklist.split.as_deref()) {
                    let mut id = normalise(raw);
                    if let Some(alias) = picklist.aliases.get(&id) {
                        id = normalise(alias);
                    }
                    if id.is_empty() {
                        continue;
                    }
                    let target = writer.upsert(
                        std::slice::from_ref(&picklist.label),
                        &id,
                        &[],
                        &[("name".to_owned(), Value::String(raw.into()))],
                    )?;
                    let (from, to) = match picklist.direction {
                        Way::Out => (node, target),
                        Way::In => (target, node),
                    };
                    writer.link(from, &picklist.rel_type, to, &[])?;
                }
            }
        }
    }
    // Pass 3: join tables.
    for (link, table) in mapping.links.iter().zip(&link_tables) {
        let ends = [
            (&link.from, table.column(&link.from.column)?),
            (&link.to, table.column(&link.to.column)?),
        ];
        for record in &table.records {
            done += 1;
            tick(done);
            writer.summary.rows += 1;
            let mut nodes = [None, None];
            let mut errors = Vec::new();
            for (slot, (end, col)) in nodes.iter_mut().zip(&ends) {
                let raw = record.fields.get(*col).map_or("", |f| f.trim());
                let id = external_id(mapping, raw);
                *slot = if raw.is_empty() {
                    None
                } else {
                    writer.find(&end.label, &id)?
                };
                if slot.is_none() {
                    errors.push(RowError {
                        file: table.path.clone(),
                        line: record.line,
                        column: end.column.clone(),
                        message: if raw.is_empty() {
                            "the id is empty".into()
                        } else {
                            format!("no {} with id `{id}`", end.label)
                        },
                    });
                }
            }
            let mut props = Vec::new();
            parse_columns(
                mapping,
                &link.columns,
                table,
                record,
                &mut props,
                &mut errors,
            );
            match nodes {
                [Some(from), Some(to)] if errors.is_empty() => {
                    writer.link(from, &link.rel_type, to, &props)?;
                }
                _ => writer.summary.errors.extend(errors),
            }
        }
    }
    let mut summary = std::mem::take(&mut writer.summary);
    drop(writer);
    if options.strict && !summary.errors.is_empty() {
        // Dropping the transaction unapplied writes nothing.
        return Err(MappingError::Strict {
            errors: summary.errors,
        });
    }
    txn.commit()?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// The non-empty, trimmed parts of a field.
fn split<'a>(field: &'a str, by: Option<&str>) -> Vec<&'a str> {
    match by {
        Some(sep) if !sep.is_empty() => field
            .split(sep)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect(),
        _ if field.is_empty() => Vec::new(),
        _ => vec![field],
    }
}

/// Resolves one referenced id and links it, or records why not.
fn link_reference(
    mapping: &Mapping,
    writer: &mut Writer<'_>,
    reference: &Reference,
    table: &Table,
    record: &Record,
    node: NodeId,
    raw: &str,
) -> Result<(), MappingError> {
    let id = external_id(mapping, raw);
    let single;
    let targets: &[Target] = if let Some(label) = &reference.target {
        single = [Target {
            label: label.clone(),
            prefix: None,
            rel_type: None,
            direction: None,
        }];
        &single
    } else {
        &reference.targets
    };
    // By prefix first; when no prefix matches, every target without one is looked up in order.
    let by_prefix: Vec<&Target> = targets
        .iter()
        .filter(|t| t.prefix.as_deref().is_some_and(|p| raw.starts_with(p)))
        .collect();
    let candidates: Vec<&Target> = if by_prefix.is_empty() {
        targets.iter().filter(|t| t.prefix.is_none()).collect()
    } else {
        by_prefix
    };
    let mut found = None;
    for t in &candidates {
        if let Some(other) = writer.find(&t.label, &id)? {
            found = Some((*t, other));
            break;
        }
    }
    let Some((target, other)) = found else {
        let labels: Vec<&str> = candidates.iter().map(|t| t.label.as_str()).collect();
        writer.summary.errors.push(RowError {
            file: table.path.clone(),
            line: record.line,
            column: reference.column.clone(),
            message: if labels.is_empty() {
                format!("`{raw}` matches no target's id prefix")
            } else {
                format!("no {} with id `{id}`", labels.join(" or "))
            },
        });
        return Ok(());
    };
    let rel_type = target
        .rel_type
        .as_deref()
        .or(reference.rel_type.as_deref())
        .unwrap_or_default();
    let way = target.direction.unwrap_or(reference.direction);
    let props: Vec<(String, Value)> = reference
        .properties
        .iter()
        .map(|(k, v)| (k.clone(), toml_to_value(v)))
        .collect();
    let (from, to) = match way {
        Way::Out => (node, other),
        Way::In => (other, node),
    };
    writer.link(from, rel_type, to, &props)?;
    Ok(())
}
