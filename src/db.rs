//! The public API: `Database`, transactions, query results.

pub struct Database;
pub struct ReadTxn;
pub struct WriteTxn;
