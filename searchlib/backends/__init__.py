"""The storage-and-matching engines searchlib runs on. ``whoosh`` is the embedded one."""
