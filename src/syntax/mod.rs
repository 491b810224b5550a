//! Query text to AST (nom). Knows nothing of plans, execution or storage.
