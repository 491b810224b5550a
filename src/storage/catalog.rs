//! Names of labels, relationship types and property keys, interned as small integers.

use foldhash::HashMap;

use super::records::CatalogRecord;

/// An interned label.
pub type LabelId = u32;
/// An interned relationship type.
pub type TypeId = u32;
/// An interned property key.
pub type KeyId = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum NameKind {
    Label,
    Type,
    Key,
}

/// The three name tables. Ids are positions and are never reused or renumbered.
#[derive(Debug, Clone, Default)]
pub(crate) struct Catalog {
    names: [Vec<String>; 3],
    ids: [HashMap<String, u32>; 3],
}

impl Catalog {
    pub fn from_record(record: &CatalogRecord) -> Self {
        let mut catalog = Catalog::default();
        for (kind, names) in [
            (NameKind::Label, &record.labels),
            (NameKind::Type, &record.types),
            (NameKind::Key, &record.keys),
        ] {
            for name in names {
                catalog.push(kind, name.clone());
            }
        }
        catalog
    }

    pub fn to_record(&self) -> CatalogRecord {
        CatalogRecord {
            labels: self.names[0].clone(),
            types: self.names[1].clone(),
            keys: self.names[2].clone(),
        }
    }

    pub fn id(&self, kind: NameKind, name: &str) -> Option<u32> {
        self.ids[kind as usize].get(name).copied()
    }

    pub fn name(&self, kind: NameKind, id: u32) -> Option<&str> {
        self.names[kind as usize]
            .get(id as usize)
            .map(String::as_str)
    }

    pub fn names(&self, kind: NameKind) -> &[String] {
        &self.names[kind as usize]
    }

    /// Adds a name and returns its new id; the caller has checked it is absent.
    pub fn push(&mut self, kind: NameKind, name: String) -> u32 {
        let table = &mut self.names[kind as usize];
        #[allow(clippy::cast_possible_truncation)]
        let id = table.len() as u32;
        self.ids[kind as usize].insert(name.clone(), id);
        table.push(name);
        id
    }

    /// The id the next `push` of this kind will return.
    pub fn next_id(&self, kind: NameKind) -> usize {
        self.names[kind as usize].len()
    }
}
