//! The base graph alone: what the chunks of the last checkpoint hold, without the overlay's
//! changes (`View::base_*`). The merged view in `mod.rs` reads through it where the overlay is
//! silent.

use super::*;

impl View<'_> {
    // ---- base graph -------------------------------------------------------------------------

    pub fn base_node_exists(&self, id: u64) -> Result<bool, StorageError> {
        let (group, slot) = split(id);
        let Some(record) = self.node_group(group) else {
            return Ok(false);
        };
        if slot >= record.slots {
            return Ok(false);
        }
        if record.live == record.slots {
            // Nothing deleted: every slot in use is a live node.
            return Ok(true);
        }
        self.chunks
            .with_node_meta(group, record, |m| bits::get(&m.exists, slot))
    }

    pub fn base_node_labels(&self, id: u64) -> Result<Vec<u32>, StorageError> {
        let (group, slot) = split(id);
        let Some(record) = self.node_group(group) else {
            return Ok(Vec::new());
        };
        let meta = self.chunks.node_meta(group, record)?;
        let mut labels: Vec<u32> = meta
            .labels
            .iter()
            .filter(|(_, set)| bits::get(set, slot))
            .map(|(label, _)| *label)
            .collect();
        // Ascending by id, as the overlay keeps them, whatever order the chunk lists them in.
        labels.sort_unstable();
        labels.dedup();
        Ok(labels)
    }

    pub fn base_node_property(&self, id: u64, key: u32) -> Result<Value, StorageError> {
        let (group, slot) = split(id);
        let Some(record) = self.node_group(group) else {
            return Ok(Value::Null);
        };
        if !record.columns.contains(&key) {
            return Ok(Value::Null);
        }
        self.chunks
            .with_node_column(group, record, key, |c| column_value(c, slot))?
    }

    pub fn base_node_stored_property(
        &self,
        id: u64,
        key: u32,
    ) -> Result<StoredValue, StorageError> {
        let (group, slot) = split(id);
        let Some(record) = self.node_group(group) else {
            return Ok(StoredValue::Null);
        };
        if !record.columns.contains(&key) {
            return Ok(StoredValue::Null);
        }
        column_stored(&*self.chunks.node_column(group, record, key)?, slot)
    }

    pub fn base_node_properties(&self, id: u64) -> Result<Vec<(u32, Value)>, StorageError> {
        let (group, slot) = split(id);
        let Some(record) = self.node_group(group) else {
            return Ok(Vec::new());
        };
        let mut props = Vec::new();
        for &key in &record.columns {
            let value = column_value(&*self.chunks.node_column(group, record, key)?, slot)?;
            if !value.is_null() {
                props.push((key, value));
            }
        }
        props.sort_by_key(|(k, _)| *k);
        Ok(props)
    }

    /// The full state of a base node, or `None` when the base has no such node.
    pub fn base_node_state(&self, id: u64) -> Result<Option<NodeState>, StorageError> {
        if !self.base_node_exists(id)? {
            return Ok(None);
        }
        Ok(Some(NodeState {
            labels: self.base_node_labels(id)?,
            props: self.base_node_properties(id)?,
        }))
    }

    /// Whether the base holds relationship `id`: one bit, without reading its endpoints.
    pub fn base_rel_exists(&self, id: u64) -> Result<bool, StorageError> {
        let (group, slot) = split(id);
        let Some(record) = self.rel_group(group) else {
            return Ok(false);
        };
        if slot >= record.slots {
            return Ok(false);
        }
        self.chunks
            .with_rel_meta(group, record, |m| bits::get(&m.exists, slot))
    }

    pub fn base_rel(&self, id: u64) -> Result<Option<RelInfo>, StorageError> {
        let (group, slot) = split(id);
        let Some(record) = self.rel_group(group) else {
            return Ok(None);
        };
        if slot >= record.slots {
            return Ok(None);
        }
        let meta = self.chunks.rel_meta(group, record)?;
        if !bits::get(&meta.exists, slot) {
            return Ok(None);
        }
        let bad = || StorageError::Corruption {
            what: format!("metadata chunk of relationship group {group}"),
            detail: format!("no endpoints for slot {slot}"),
        };
        let src = *meta.src.get(slot as usize).ok_or_else(bad)?;
        let dst = *meta.dst.get(slot as usize).ok_or_else(bad)?;
        Ok(Some(RelInfo {
            rel_type: record.rel_type,
            start: NodeId(src),
            end: NodeId(dst),
        }))
    }

    pub fn base_rel_properties(&self, id: u64) -> Result<Vec<(u32, Value)>, StorageError> {
        let (group, slot) = split(id);
        let Some(record) = self.rel_group(group) else {
            return Ok(Vec::new());
        };
        let mut props = Vec::new();
        for &key in &record.columns {
            let value = column_value(&*self.chunks.rel_column(group, record, key)?, slot)?;
            if !value.is_null() {
                props.push((key, value));
            }
        }
        props.sort_by_key(|(k, _)| *k);
        Ok(props)
    }

    pub fn base_rel_state(&self, id: u64) -> Result<Option<RelState>, StorageError> {
        let Some(info) = self.base_rel(id)? else {
            return Ok(None);
        };
        Ok(Some(RelState {
            rel_type: info.rel_type,
            src: info.start.0,
            dst: info.end.0,
            props: self.base_rel_properties(id)?,
        }))
    }

    /// Base adjacency of a node, without overlay changes; calls `f(type, outgoing, other, rel)`.
    pub fn base_adjacency(
        &self,
        id: u64,
        direction: Direction,
        types: &[u32],
        mut f: impl FnMut(u32, bool, u64, u64),
    ) -> Result<(), StorageError> {
        let (group, slot) = split(id);
        let Some(record) = self.node_group(group) else {
            return Ok(());
        };
        if slot >= record.slots {
            return Ok(());
        }
        for &(rel_type, dir) in &record.csr {
            if !types.is_empty() && !types.contains(&rel_type) {
                continue;
            }
            let outgoing = dir == 0;
            let wanted = match direction {
                Direction::Outgoing => outgoing,
                Direction::Incoming => !outgoing,
                Direction::Both => true,
            };
            if !wanted {
                continue;
            }
            let dir = if outgoing {
                Direction::Outgoing
            } else {
                Direction::Incoming
            };
            self.chunks.with_csr(group, record, rel_type, dir, |csr| {
                for (other, rel) in csr_slice(csr, slot)? {
                    f(rel_type, outgoing, other, rel);
                }
                Ok::<(), StorageError>(())
            })??;
        }
        Ok(())
    }

    // ---- merged view ------------------------------------------------------------------------
}
