"""An article's way in: files read by format (``sources``), cleaned (``cleaning``, ``dates``), and the
record of which files an index was built from (``catalog``)."""
