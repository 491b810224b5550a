//! `impl_graph_read!`: `GraphRead` for every type that has a `View` (a reader's `Snapshot`,
//! a `WriteTxn`), each method handing on to the view.

/// Implements `GraphRead` for a type with a `fn view(&self) -> View<'_>`.
macro_rules! impl_graph_read {
    ($ty:ty $(, $sync:ident)?) => {
        impl $crate::storage::GraphRead for $ty {
            $(
            fn as_sync(&self) -> Option<&(dyn $crate::storage::GraphRead + Sync)> {
                let _ = stringify!($sync);
                Some(self)
            }
            )?
            fn label_id(&self, name: &str) -> Option<u32> {
                self.view()
                    .state
                    .catalog
                    .id($crate::storage::catalog::NameKind::Label, name)
            }
            fn type_id(&self, name: &str) -> Option<u32> {
                self.view()
                    .state
                    .catalog
                    .id($crate::storage::catalog::NameKind::Type, name)
            }
            fn key_id(&self, name: &str) -> Option<u32> {
                self.view()
                    .state
                    .catalog
                    .id($crate::storage::catalog::NameKind::Key, name)
            }
            fn label_name(&self, id: u32) -> Option<&str> {
                self.state_ref()
                    .catalog
                    .name($crate::storage::catalog::NameKind::Label, id)
            }
            fn type_name(&self, id: u32) -> Option<&str> {
                self.state_ref()
                    .catalog
                    .name($crate::storage::catalog::NameKind::Type, id)
            }
            fn key_name(&self, id: u32) -> Option<&str> {
                self.state_ref()
                    .catalog
                    .name($crate::storage::catalog::NameKind::Key, id)
            }
            fn label_names(&self) -> &[String] {
                self.state_ref()
                    .catalog
                    .names($crate::storage::catalog::NameKind::Label)
            }
            fn type_names(&self) -> &[String] {
                self.state_ref()
                    .catalog
                    .names($crate::storage::catalog::NameKind::Type)
            }
            fn key_names(&self) -> &[String] {
                self.state_ref()
                    .catalog
                    .names($crate::storage::catalog::NameKind::Key)
            }
            fn node_exists(
                &self,
                node: $crate::value::NodeId,
            ) -> Result<bool, $crate::storage::StorageError> {
                self.view().node_exists(node.0)
            }
            fn node_labels(
                &self,
                node: $crate::value::NodeId,
            ) -> Result<Vec<u32>, $crate::storage::StorageError> {
                self.view().node_labels(node.0)
            }
            fn node_has_label(
                &self,
                node: $crate::value::NodeId,
                label: u32,
            ) -> Result<bool, $crate::storage::StorageError> {
                self.view().node_has_label(node.0, label)
            }
            fn node_property(
                &self,
                node: $crate::value::NodeId,
                key: u32,
            ) -> Result<$crate::value::Value, $crate::storage::StorageError> {
                self.view().node_property(node.0, key)
            }
            fn node_property_equals(
                &self,
                node: $crate::value::NodeId,
                key: u32,
                value: &$crate::value::Value,
            ) -> Result<Option<bool>, $crate::storage::StorageError> {
                self.view().node_property_equals(node.0, key, value)
            }
            fn node_property_of_each(
                &self,
                nodes: &[$crate::value::NodeId],
                key: u32,
                out: &mut Vec<$crate::value::Value>,
            ) -> Result<(), $crate::storage::StorageError> {
                self.view().node_property_of_each(nodes, key, out)
            }
            fn node_properties(
                &self,
                node: $crate::value::NodeId,
            ) -> Result<Vec<(u32, $crate::value::Value)>, $crate::storage::StorageError> {
                self.view().node_properties(node.0)
            }
            fn all_nodes(
                &self,
            ) -> Result<Vec<$crate::value::NodeId>, $crate::storage::StorageError> {
                self.view().nodes_with_label(None)
            }
            fn nodes_with_label(
                &self,
                label: u32,
            ) -> Result<Vec<$crate::value::NodeId>, $crate::storage::StorageError> {
                self.view().nodes_with_label(Some(label))
            }
            fn nodes_by_property(
                &self,
                label: u32,
                key: u32,
                value: &$crate::value::Value,
            ) -> Result<Vec<$crate::value::NodeId>, $crate::storage::StorageError> {
                self.view().nodes_by_property(label, key, value)
            }
            fn has_index(&self, label: u32, key: u32) -> bool {
                self.state_ref()
                    .schema
                    .index_for(label, key)
                    .is_some_and(|i| i.built)
            }
            fn count_nodes(
                &self,
                label: Option<u32>,
            ) -> Result<u64, $crate::storage::StorageError> {
                self.view().count_nodes(label)
            }
            fn relationship(
                &self,
                rel: $crate::value::RelId,
            ) -> Result<Option<$crate::storage::RelInfo>, $crate::storage::StorageError> {
                self.view().relationship(rel.0)
            }
            fn rel_property(
                &self,
                rel: $crate::value::RelId,
                key: u32,
            ) -> Result<$crate::value::Value, $crate::storage::StorageError> {
                self.view().rel_property(rel.0, key)
            }
            fn rel_property_equals(
                &self,
                rel: $crate::value::RelId,
                key: u32,
                value: &$crate::value::Value,
            ) -> Result<Option<bool>, $crate::storage::StorageError> {
                self.view().rel_property_equals(rel.0, key, value)
            }
            fn rel_properties(
                &self,
                rel: $crate::value::RelId,
            ) -> Result<Vec<(u32, $crate::value::Value)>, $crate::storage::StorageError> {
                self.view().rel_properties(rel.0)
            }
            fn expand(
                &self,
                node: $crate::value::NodeId,
                direction: $crate::storage::Direction,
                types: &[u32],
                out: &mut Vec<$crate::storage::Edge>,
            ) -> Result<(), $crate::storage::StorageError> {
                self.view().expand(node.0, direction, types, out)
            }
            fn all_relationships(
                &self,
            ) -> Result<Vec<$crate::value::RelId>, $crate::storage::StorageError> {
                self.view().all_relationships()
            }
            fn count_relationships(
                &self,
                rel_type: Option<u32>,
            ) -> Result<u64, $crate::storage::StorageError> {
                self.view().count_relationships(rel_type)
            }
            fn indexes(&self) -> Vec<$crate::storage::IndexInfo> {
                self.view().indexes()
            }
            fn constraints(&self) -> Vec<$crate::storage::ConstraintInfo> {
                self.view().constraints()
            }
        }
    };
}
pub(crate) use impl_graph_read;
