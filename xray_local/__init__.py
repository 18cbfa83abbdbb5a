"""``board xray``: a local X-Ray daemon, its API subset and a web console (CONTRACT §7)."""
