"""The `board` command and the composition root that wires `db`, `graph` and `tracing` together."""
