//! Hand-encoded keys of the sled tree: a tag byte, then fixed-width big-endian integers, so that
//! byte order equals the intended order and the chunks of one group sort together.
//!
//! All of Cordial lives in one sled tree so that a checkpoint (chunks, manifest and log trim) is
//! one atomic batch. Layout:
//!
//! | key                                             | value                        |
//! |-------------------------------------------------|------------------------------|
//! | `C`                                             | clean close: gen, last seq   |
//! | `M`                                             | the manifest                 |
//! | `V`                                             | format version (u32 BE)      |
//! | `L` seq:u64                                     | one committed transaction    |
//! | `N` group:u32 gen:u64 kind:u8 a:u32 b:u32       | a node-group chunk           |
//! | `R` group:u32 gen:u64 kind:u8 a:u32             | a relationship-group chunk   |
//! | `I` index:u32 page:u32 gen:u64                  | an index page                |

/// The clean-close marker: present only while the store is closed and holds no chunk its
/// manifest does not name. The value is the manifest generation and the last log sequence at
/// close (u64 BE each), so that a session of a build that does not know the marker (and so
/// neither clears nor writes it) is noticed by a mismatch.
pub const CLEAN: &[u8] = b"C";
/// The tag of the manifest key.
pub const MANIFEST: &[u8] = b"M";
/// The tag of the format-version key.
pub const VERSION: &[u8] = b"V";
pub const TAG_LOG: u8 = b'L';
pub const TAG_NODE_GROUP: u8 = b'N';
pub const TAG_REL_GROUP: u8 = b'R';
pub const TAG_INDEX: u8 = b'I';

/// What a node-group chunk holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum NodeChunkKind {
    /// Existence and label bitmaps of the group.
    Meta = 0,
    /// One property column (`a` = key id).
    Column = 1,
    /// CSR adjacency of one relationship type (`a` = type id, `b` = direction).
    Csr = 2,
}

/// What a relationship-group chunk holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum RelChunkKind {
    /// Existence and endpoints of the group's relationships.
    Meta = 0,
    /// One property column (`a` = key id).
    Column = 1,
}

#[must_use]
pub fn log_key(seq: u64) -> [u8; 9] {
    let mut key = [0u8; 9];
    key[0] = TAG_LOG;
    key[1..].copy_from_slice(&seq.to_be_bytes());
    key
}

/// The sequence number of a log key, or `None` when it is not one.
#[must_use]
pub fn log_seq(key: &[u8]) -> Option<u64> {
    if key.len() == 9 && key[0] == TAG_LOG {
        Some(u64::from_be_bytes(key[1..].try_into().ok()?))
    } else {
        None
    }
}

#[must_use]
pub fn node_chunk_key(group: u32, generation: u64, kind: NodeChunkKind, a: u32, b: u32) -> Vec<u8> {
    let mut key = Vec::with_capacity(22);
    key.push(TAG_NODE_GROUP);
    key.extend_from_slice(&group.to_be_bytes());
    key.extend_from_slice(&generation.to_be_bytes());
    key.push(kind as u8);
    key.extend_from_slice(&a.to_be_bytes());
    key.extend_from_slice(&b.to_be_bytes());
    key
}

#[must_use]
pub fn rel_chunk_key(group: u32, generation: u64, kind: RelChunkKind, a: u32) -> Vec<u8> {
    let mut key = Vec::with_capacity(18);
    key.push(TAG_REL_GROUP);
    key.extend_from_slice(&group.to_be_bytes());
    key.extend_from_slice(&generation.to_be_bytes());
    key.push(kind as u8);
    key.extend_from_slice(&a.to_be_bytes());
    key
}

#[must_use]
pub fn index_page_key(index: u32, page: u32, generation: u64) -> Vec<u8> {
    let mut key = Vec::with_capacity(17);
    key.push(TAG_INDEX);
    key.extend_from_slice(&index.to_be_bytes());
    key.extend_from_slice(&page.to_be_bytes());
    key.extend_from_slice(&generation.to_be_bytes());
    key
}

/// The prefix shared by every chunk of one node group at one generation.
#[cfg(test)]
#[must_use]
pub fn node_group_prefix(group: u32, generation: u64) -> Vec<u8> {
    let mut key = Vec::with_capacity(13);
    key.push(TAG_NODE_GROUP);
    key.extend_from_slice(&group.to_be_bytes());
    key.extend_from_slice(&generation.to_be_bytes());
    key
}

/// What a chunk key names, decoded; used by the sweep of unreferenced chunks after a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkOwner {
    NodeGroup {
        group: u32,
        generation: u64,
    },
    RelGroup {
        group: u32,
        generation: u64,
    },
    IndexPage {
        index: u32,
        page: u32,
        generation: u64,
    },
}

/// Decodes the owner of a chunk key; `None` for keys that are not chunks.
#[must_use]
pub fn chunk_owner(key: &[u8]) -> Option<ChunkOwner> {
    let u32_at = |i: usize| {
        key.get(i..i + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let u64_at = |i: usize| {
        key.get(i..i + 8)
            .map(|b| u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    };
    match *key.first()? {
        TAG_NODE_GROUP => Some(ChunkOwner::NodeGroup {
            group: u32_at(1)?,
            generation: u64_at(5)?,
        }),
        TAG_REL_GROUP => Some(ChunkOwner::RelGroup {
            group: u32_at(1)?,
            generation: u64_at(5)?,
        }),
        TAG_INDEX => Some(ChunkOwner::IndexPage {
            index: u32_at(1)?,
            page: u32_at(5)?,
            generation: u64_at(9)?,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_keys_sort_by_sequence() {
        let seqs = [0u64, 1, 255, 256, 65_535, 1 << 32, u64::MAX - 1, u64::MAX];
        for pair in seqs.windows(2) {
            assert!(log_key(pair[0]) < log_key(pair[1]));
            assert_eq!(log_seq(&log_key(pair[0])), Some(pair[0]));
        }
    }

    #[test]
    fn chunks_of_one_group_sort_together_and_in_order() {
        let mut keys = Vec::new();
        for group in [0u32, 1, 256, 70_000] {
            for generation in [1u64, 2, 300] {
                for kind in [
                    NodeChunkKind::Meta,
                    NodeChunkKind::Column,
                    NodeChunkKind::Csr,
                ] {
                    for a in [0u32, 7, 1000] {
                        keys.push((
                            (group, generation, kind, a),
                            node_chunk_key(group, generation, kind, a, 0),
                        ));
                    }
                }
            }
        }
        let mut by_tuple = keys.clone();
        by_tuple.sort_by_key(|x| x.0);
        keys.sort_by(|x, y| x.1.cmp(&y.1));
        assert_eq!(by_tuple, keys);
        for (tuple, key) in &keys {
            assert!(key.starts_with(&node_group_prefix(tuple.0, tuple.1)));
            assert_eq!(
                chunk_owner(key),
                Some(ChunkOwner::NodeGroup {
                    group: tuple.0,
                    generation: tuple.1
                })
            );
        }
    }

    #[test]
    fn index_pages_sort_by_index_then_page() {
        let a = index_page_key(1, 2, 9);
        let b = index_page_key(1, 3, 1);
        let c = index_page_key(2, 0, 0);
        assert!(a < b && b < c);
        assert_eq!(
            chunk_owner(&b),
            Some(ChunkOwner::IndexPage {
                index: 1,
                page: 3,
                generation: 1
            })
        );
        assert_eq!(chunk_owner(MANIFEST), None);
        assert_eq!(chunk_owner(&[TAG_NODE_GROUP, 1]), None);
    }
}
