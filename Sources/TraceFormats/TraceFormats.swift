// Readers and writers for trace files; filled in by the foundation work.
