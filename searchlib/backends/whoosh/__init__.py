"""The embedded engine: a Whoosh index in a directory (or in memory), with searchlib's own codec,
bulk writer, array search and manifest."""
