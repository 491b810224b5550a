//! The end of a bulk load: adjacency (CSR) built from the collected relationships, id indexes,
//! every chunk written (on a second thread, while the CPU work goes on), and the manifest last.

use super::*;

impl BulkLoader {
    /// Builds adjacency and indexes, writes everything, then the manifest; the graph is
    /// visible when this returns. `progress(done, total)` is called as chunks are written.
    ///
    /// The chunks already built are written on a second thread while adjacency is built (one
    /// direction on a third thread), so disk writes overlap the CPU work; the manifest is
    /// written only after every chunk it names.
    pub fn finish(mut self, progress: &mut dyn FnMut(u64, u64)) -> Result<BulkStats, StorageError> {
        let relationships = self.edges.len() as u64;
        let written_before = self.written.len() as u64;
        let backend = Arc::clone(&self.store.inner.chunks.backend);
        let counters = WriteCounters::default();
        let mut edges = std::mem::take(&mut self.edges);
        let built = std::mem::take(&mut self.chunks);
        let node_slots: Vec<u32> = self.node_groups.iter().map(|g| g.slots).collect();
        let id_key = self.key("id");
        // From the first chunk written until the manifest names them (or they are removed
        // again), the store holds chunks its manifest does not name: it must not be closed as
        // clean meanwhile, even if this thread panics.
        let store = self.store.clone();
        let unreferenced = &store.inner.unreferenced_possible;
        unreferenced.store(true, Ordering::Release);

        let (outcome, written) = std::thread::scope(|scope| {
            // Bounded: builders wait for the writer rather than pile chunks up in memory.
            let (sender, receiver) = mpsc::sync_channel::<Vec<(Vec<u8>, Vec<u8>)>>(4);
            let writer = {
                let backend = Arc::clone(&backend);
                let counters = &counters;
                scope.spawn(move || write_chunks(backend.as_ref(), &receiver, counters))
            };
            counters.queue(&built);
            let _ = sender.send(built);

            // Adjacency and indexes are built on two more threads; this one reports progress.
            let this = &mut self;
            let (counters_ref, node_slots_ref) = (&counters, &node_slots);
            let builder = scope.spawn(move || {
                // One direction after the other over the same edges (each sort uses every
                // core): a copy for the second direction would double the largest buffer.
                let outgoing = build_csr(&mut edges, true, node_slots_ref, &sender, counters_ref);
                let incoming = build_csr(&mut edges, false, node_slots_ref, &sender, counters_ref);
                drop(edges);
                for (group, rel_type, dir) in outgoing?.into_iter().chain(incoming?) {
                    if let Some(record) = this.node_groups.get_mut(group as usize) {
                        record.csr.push((rel_type, dir));
                    }
                }
                for record in &mut this.node_groups {
                    record.csr.sort_unstable();
                }
                let (indexes, next_index_id) =
                    this.build_id_indexes(id_key, &sender, counters_ref)?;
                // Dropping the last sender lets the writer finish.
                drop(sender);
                Ok::<_, StorageError>(Manifest {
                    generation: 1,
                    log_applied: 0,
                    catalog: this.catalog.to_record(),
                    node_groups: std::mem::take(&mut this.node_groups),
                    rel_groups: std::mem::take(&mut this.rel_groups),
                    indexes,
                    constraints: Vec::new(),
                    next_index_id,
                })
            });
            while !(builder.is_finished() && writer.is_finished()) {
                progress(
                    counters.done.load(Ordering::Relaxed),
                    counters.queued.load(Ordering::Relaxed),
                );
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            let outcome = builder
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            let written = writer
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (outcome, written)
        });

        let mut written_keys = std::mem::take(&mut self.written);
        match &written {
            Ok(keys) | Err((_, keys)) => written_keys.extend(keys.iter().cloned()),
        }
        let result = outcome.and_then(|manifest| {
            written.map_err(|(e, _)| e)?;
            backend.apply(vec![(
                keys::MANIFEST.to_vec(),
                Some(codec::encode(&manifest)?),
            )])?;
            Ok(manifest)
        });
        let manifest = match result {
            Ok(manifest) => manifest,
            Err(e) => {
                // Leave the database as it was: remove what was written (best effort; anything
                // left is unreferenced and swept at the next open).
                if backend
                    .apply(written_keys.into_iter().map(|k| (k, None)).collect())
                    .is_ok()
                {
                    unreferenced.store(false, Ordering::Release);
                }
                return Err(e);
            }
        };
        let done = counters.done.load(Ordering::Relaxed);
        progress(done, done);
        let stats = BulkStats {
            nodes: self.nodes,
            relationships,
            chunks: done + written_before,
            bytes: counters.bytes.load(Ordering::Relaxed) + self.written_bytes,
        };
        self.store
            .inner
            .publish_bulk(State::from_manifest(Arc::new(manifest)));
        unreferenced.store(false, Ordering::Release);
        Ok(stats)
    }

    /// Sorted index pages of every label's `id`, queued for writing.
    fn build_id_indexes(
        &mut self,
        id_key: u32,
        sender: &mpsc::SyncSender<Vec<(Vec<u8>, Vec<u8>)>>,
        counters: &WriteCounters,
    ) -> Result<(Vec<IndexRecord>, u32), StorageError> {
        let mut indexes = Vec::new();
        let mut next_index_id = 0;
        #[allow(clippy::cast_possible_truncation)]
        for label in 0..self.catalog.names(NameKind::Label).len() as u32 {
            let arena = self.id_entries.remove(&label).unwrap_or_default();
            let order = arena.sorted()?;
            let mut next_page = 0;
            let mut pages = Vec::new();
            // A page's entries at a time, sent to the writer in parts of about 8 MB.
            let mut batch: Batch = Vec::new();
            let mut batch_bytes = 0;
            let mut page: Vec<(Vec<u8>, u64)> = Vec::with_capacity(INDEX_PAGE_ENTRIES);
            for part in order.chunks(INDEX_PAGE_ENTRIES) {
                page.clear();
                page.extend(
                    part.iter()
                        .map(|&i| (arena.key(i as usize).to_vec(), arena.number(i as usize))),
                );
                pages.extend(write_pages(
                    next_index_id,
                    &page,
                    &mut next_page,
                    1,
                    &mut batch,
                )?);
                batch_bytes += batch
                    .last()
                    .and_then(|(_, v)| v.as_ref())
                    .map_or(0, Vec::len);
                if batch_bytes > 8 << 20 {
                    send_chunks(std::mem::take(&mut batch), sender, counters);
                    batch_bytes = 0;
                }
            }
            drop(order);
            drop(arena);
            send_chunks(batch, sender, counters);
            let name = format!(
                "id_{}",
                self.catalog.name(NameKind::Label, label).unwrap_or("?")
            );
            indexes.push(IndexRecord {
                id: next_index_id,
                name,
                label,
                key: id_key,
                implicit: true,
                pages,
                next_page,
            });
            next_index_id += 1;
        }
        Ok((indexes, next_index_id))
    }
}

/// Queues the chunks of `batch` for the writer.
fn send_chunks(
    batch: Batch,
    sender: &mpsc::SyncSender<Vec<(Vec<u8>, Vec<u8>)>>,
    counters: &WriteCounters,
) {
    let chunks: Vec<_> = batch
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
    counters.queue(&chunks);
    let _ = sender.send(chunks);
}

/// Chunks queued for and done by the writer thread, for progress and the final figures.
#[derive(Default)]
struct WriteCounters {
    queued: AtomicU64,
    done: AtomicU64,
    bytes: AtomicU64,
}

impl WriteCounters {
    fn queue(&self, chunks: &[(Vec<u8>, Vec<u8>)]) {
        self.queued
            .fetch_add(chunks.len() as u64, Ordering::Relaxed);
    }
}

/// Writes what arrives in batches of about 32 MB until every sender is gone. Returns the keys
/// written, also with the error when one write fails (so the caller can remove them).
fn write_chunks(
    backend: &dyn Backend,
    receiver: &mpsc::Receiver<Vec<(Vec<u8>, Vec<u8>)>>,
    counters: &WriteCounters,
) -> Result<Vec<Vec<u8>>, (StorageError, Vec<Vec<u8>>)> {
    let mut written = Vec::new();
    let mut batch: Batch = Vec::new();
    let mut batch_bytes = 0usize;
    let apply = |batch: &mut Batch, written: &mut Vec<Vec<u8>>| {
        let count = batch.len() as u64;
        written.extend(batch.iter().map(|(k, _)| k.clone()));
        backend.apply(std::mem::take(batch))?;
        counters.done.fetch_add(count, Ordering::Relaxed);
        Ok::<_, StorageError>(())
    };
    for chunks in receiver {
        for (key, value) in chunks {
            batch_bytes += value.len();
            counters
                .bytes
                .fetch_add(value.len() as u64, Ordering::Relaxed);
            batch.push((key, Some(value)));
            if batch_bytes > 32 << 20 {
                apply(&mut batch, &mut written).map_err(|e| (e, written.clone()))?;
                batch_bytes = 0;
            }
        }
    }
    apply(&mut batch, &mut written).map_err(|e| (e, written.clone()))?;
    Ok(written)
}

/// Builds the CSR chunks of one direction and queues them for writing; returns the (group,
/// type, direction) of every chunk for the group records.
///
/// Edges are `(source, type, target, relationship)`. Sorting by (group of the node, type, node,
/// relationship) makes each chunk one contiguous run, and keeps each node's relationships in
/// input order (relationship ids ascend with input order within a type).
fn build_csr(
    edges: &mut [Edge],
    outgoing: bool,
    node_slots: &[u32],
    sender: &mpsc::SyncSender<Vec<(Vec<u8>, Vec<u8>)>>,
    counters: &WriteCounters,
) -> Result<Vec<(u32, u32, u8)>, StorageError> {
    let node_of = |e: &Edge| if outgoing { e.0 } else { e.1 };
    // One u128 holds (group, type, slot, relationship) in that order of significance: groups
    // and types are u32, slots take GROUP_SHIFT bits and relationship ids (a u32 group and a
    // slot) fit in 44 bits, so comparing keys is two integer comparisons.
    edges.par_sort_unstable_by_key(|e| {
        let (group, slot) = super::super::read::split(node_of(e));
        (u128::from(group) << 96)
            | (u128::from(edge_type(e)) << 64)
            | (u128::from(slot) << 44)
            | u128::from(e.2 & REL_MASK)
    });
    let dir = u8::from(!outgoing);
    let mut made = Vec::new();
    let mut pending: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let mut pending_bytes = 0usize;
    let mut start = 0;
    while start < edges.len() {
        let (group, _) = super::super::read::split(node_of(&edges[start]));
        let rel_type = edge_type(&edges[start]);
        let mut end = start;
        while end < edges.len()
            && edge_type(&edges[end]) == rel_type
            && super::super::read::split(node_of(&edges[end])).0 == group
        {
            end += 1;
        }
        let run = &edges[start..end];
        let slots = *node_slots
            .get(group as usize)
            .ok_or(StorageError::NodeNotFound(join(group, 0)))?;
        let mut offsets = vec![0u32; slots as usize + 1];
        for edge in run {
            let (_, slot) = super::super::read::split(node_of(edge));
            if slot >= slots {
                return Err(StorageError::NodeNotFound(node_of(edge)));
            }
            offsets[slot as usize + 1] += 1;
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let chunk = CsrChunk {
            offsets,
            targets: run
                .iter()
                .map(|e| if outgoing { e.1 } else { e.0 })
                .collect(),
            rels: run.iter().map(|e| e.2 & REL_MASK).collect(),
        };
        let bytes = codec::encode(&chunk)?;
        pending_bytes += bytes.len();
        pending.push((
            keys::node_chunk_key(group, 1, NodeChunkKind::Csr, rel_type, dir.into()),
            bytes,
        ));
        made.push((group, rel_type, dir));
        if pending_bytes > 8 << 20 {
            counters.queue(&pending);
            let _ = sender.send(std::mem::take(&mut pending));
            pending_bytes = 0;
        }
        start = end;
    }
    counters.queue(&pending);
    let _ = sender.send(pending);
    Ok(made)
}
