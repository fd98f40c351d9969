"""Plain data (searchlib.models): an article's fingerprint, which indexes store."""

from __future__ import annotations

import datetime as dt

from searchlib import Article


def test_the_fingerprint_is_the_digest_indexes_already_store() -> None:
    """Re-indexing tells unchanged articles by the fingerprint stored with them: a new way of
    computing it must give the same digest, or every article of every index reads as edited."""
    import hashlib
    from dataclasses import fields

    article = Article(id="a1", title="Pékin", lede="l'été\ud800", body="Corps.", date=dt.date(2020, 1, 2), source="AFP")
    digest = hashlib.blake2b(digest_size=12)
    for field in fields(article):  # as searchlib has always computed it, part by part
        digest.update(field.name.encode() + b"\x1f")
        digest.update(str(getattr(article, field.name) or "").encode("utf-8", "surrogatepass") + b"\x1e")
    assert article.fingerprint() == digest.hexdigest()
    assert Article(id="a1", title="Pekin").fingerprint() != Article(id="a1", title="Pékin").fingerprint()
