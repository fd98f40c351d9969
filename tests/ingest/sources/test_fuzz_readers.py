"""Hostile files: whatever bytes a reader is given, it yields Articles or Failures, never raises,
never hangs, and never writes outside the place it reads from.

Each Hypothesis example gets a fresh temporary directory of its own: function-scoped fixtures
such as ``tmp_path`` are shared by all the examples of a test.
"""

from __future__ import annotations

import bz2
import contextlib
import csv
import functools
import gzip
import io
import json
import lzma
import os
import signal
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from searchlib import Archive, Article, Failure
from searchlib.ingest.sources import READERS, read_file

FUZZ = settings(max_examples=int(os.environ.get("SEARCHLIB_FUZZ_EXAMPLES", "20")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Seconds one file may take to read: longer is a hang.
TIME_LIMIT = 20


class Hung(BaseException):
    """Raised by the timer; a BaseException so that no reader's ``except Exception`` swallows it."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise Hung(f"reading took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def read_all(path: Path) -> list[Article | Failure]:
    """Everything read_file yields for ``path``, checked to be only Articles and Failures."""
    with time_limit(TIME_LIMIT):
        records = list(read_file(path))
    strays = [r for r in records if not isinstance(r, (Article, Failure))]
    assert not strays, f"{path.name}: read_file yielded {strays[:3]}"
    for record in records:
        if isinstance(record, Article):
            assert isinstance(record.id, str) and record.id, record
    return records


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="searchlib-fuzz-") as folder:
        yield Path(folder)


def read_bytes_as(data: bytes, extension: str) -> list[Article | Failure]:
    with scratch() as folder:
        path = folder / f"fuzz{extension}"
        path.write_bytes(data)
        return read_all(path)


# -- valid content for every extension, to cut and damage --------------------------------------

RECORDS = [
    {"id": f"fuzz-{n}", "title": f"Inondations à Nîmes, jour {n}", "date": f"2023-10-0{n}",
     "text": f"La préfecture du Gard a déclenché l'alerte rouge.\nDes écoles fermées, jour {n}."}
    for n in range(1, 4)
]  # fmt: skip


def jsonl_bytes(records: list[dict] = RECORDS) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)


def html_bytes(record: dict) -> bytes:
    paragraphs = "".join(f"<p>{line}</p>" for line in record["text"].split("\n"))
    return (
        f"<!DOCTYPE html><html lang=fr><head><meta charset=utf-8><title>{record['title']}</title>"
        f'<meta property="article:published_time" content="{record["date"]}"></head>'
        f"<body><nav>Accueil</nav><article><h1>{record['title']}</h1>{paragraphs}</article></body></html>"
    ).encode()


def rss_bytes() -> bytes:
    items = "".join(
        f"<item><title>{r['title']}</title><link>https://e.org/{r['id']}</link>"
        f"<pubDate>Mon, 02 Oct 2023 08:00:00 +0200</pubDate><description>{r['text']}</description></item>"
        for r in RECORDS
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Midi</title>{items}</channel></rss>'.encode()


def atom_bytes() -> bytes:
    entries = "".join(
        f"<entry><title>{r['title']}</title><id>urn:{r['id']}</id><updated>2023-10-02T08:00:00Z</updated>"
        f"<content type='text'>{r['text']}</content></entry>"
        for r in RECORDS
    )
    return f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Midi</title>{entries}</feed>'.encode()


def csv_bytes(delimiter: str) -> bytes:
    out = io.StringIO(newline="")
    rows = csv.writer(out, delimiter=delimiter)
    rows.writerow(["id", "title", "date", "text"])
    rows.writerows([r["id"], r["title"], r["date"], r["text"]] for r in RECORDS)
    return out.getvalue().encode()


def warc_bytes(compress: bool) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=compress)
    for record in RECORDS:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            f"https://e.org/{record['id']}", "response", payload=io.BytesIO(html_bytes(record)), http_headers=http,
            warc_headers_dict={"WARC-Date": "2023-10-02T08:00:00Z"},
        ))  # fmt: skip
    return buffer.getvalue()


def arc_bytes() -> bytes:
    header = b"1 0 Searchlib\nURL IP-address Archive-date Content-type Archive-length\n"
    out = b"filedesc://fuzz.arc 0.0.0.0 20231002080000 text/plain %d\n" % len(header) + header + b"\n"
    for record in RECORDS:
        http = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + html_bytes(record)
        out += f"https://e.org/{record['id']} 127.0.0.1 20231002080000 text/html {len(http)}\n".encode() + http + b"\n"
    return out


def tar_bytes(mode: str, members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:  # type: ignore[call-overload]
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data)
    return buffer.getvalue()


BUNDLED = {"articles.jsonl": jsonl_bytes(), "page.html": html_bytes(RECORDS[0])}
VALID: dict[str, Callable[[], bytes]] = {
    ".txt": lambda: ("Inondations à Nîmes\n\n" + RECORDS[0]["text"]).encode(),
    ".jsonl": jsonl_bytes,
    ".ndjson": jsonl_bytes,
    ".json": lambda: json.dumps(RECORDS, ensure_ascii=False).encode(),
    ".csv": lambda: csv_bytes(","),
    ".tsv": lambda: csv_bytes("\t"),
    ".html": lambda: html_bytes(RECORDS[0]),
    ".htm": lambda: html_bytes(RECORDS[1]),
    ".xhtml": lambda: html_bytes(RECORDS[2]),
    ".rss": rss_bytes,
    ".atom": atom_bytes,
    ".xml": rss_bytes,
    ".warc": lambda: warc_bytes(False),
    ".warc.gz": lambda: warc_bytes(True),
    ".arc": arc_bytes,
    ".arc.gz": lambda: gzip.compress(arc_bytes()),
    # A compressed file is read by the name it has without the suffix: "fuzz.gz" has none to go by.
    ".gz": lambda: gzip.compress(jsonl_bytes()),
    ".gzip": lambda: gzip.compress(jsonl_bytes()),
    ".bz2": lambda: bz2.compress(jsonl_bytes()),
    ".xz": lambda: lzma.compress(jsonl_bytes()),
    ".zip": lambda: zip_bytes(BUNDLED),
    ".tar": lambda: tar_bytes("w", BUNDLED),
    ".tar.gz": lambda: tar_bytes("w:gz", BUNDLED),
    ".tgz": lambda: tar_bytes("w:gz", BUNDLED),
    ".tar.bz2": lambda: tar_bytes("w:bz2", BUNDLED),
    ".tbz2": lambda: tar_bytes("w:bz2", BUNDLED),
    ".tar.xz": lambda: tar_bytes("w:xz", BUNDLED),
    ".txz": lambda: tar_bytes("w:xz", BUNDLED),
}


@functools.cache
def valid(extension: str) -> bytes:
    """Made once: WARC records get random ids, and Hypothesis needs the same bytes every time."""
    return VALID.get(extension, jsonl_bytes)()


#: Also read with no extension at all, so that the content sniffing is fuzzed too.
EXTENSIONS = [*sorted(READERS), ""]


def test_every_reader_has_valid_content_to_damage() -> None:
    assert set(VALID) == set(READERS)
    # "fuzz.gz" has no inner name to pick a reader by (it is reported); "fuzz.jsonl.gz" has one.
    assert any(isinstance(r, Article) for r in read_bytes_as(gzip.compress(jsonl_bytes()), ".jsonl.gz"))
    for extension, make in VALID.items():
        if extension not in {".gz", ".gzip", ".bz2", ".xz"}:
            records = read_bytes_as(make(), extension)
            assert any(isinstance(r, Article) for r in records), (extension, records)


# -- random and damaged bytes ------------------------------------------------------------------


@pytest.mark.parametrize("extension", EXTENSIONS)
@FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes_never_raise(extension: str, data: bytes) -> None:
    read_bytes_as(data, extension)


@pytest.mark.parametrize("extension", EXTENSIONS)
@FUZZ
@given(data=st.data())
def test_damaged_valid_content_never_raises(extension: str, data: st.DataObject) -> None:
    """Valid content of each format (of the format the extension says, else JSON Lines), cut
    short at a random point and with random bytes overwritten."""
    content = bytearray(valid(extension))
    cut = data.draw(st.integers(0, len(content)), label="cut")
    content = content[:cut]
    for _ in range(data.draw(st.integers(0, 4), label="overwrites")):
        if content:
            position = data.draw(st.integers(0, len(content) - 1))
            content[position] = data.draw(st.integers(0, 255))
    read_bytes_as(bytes(content), extension)


@pytest.mark.parametrize("extension", [".jsonl.gz", ".json.gz", ".jsonl.bz2", ".jsonl.xz"])
@FUZZ
@given(data=st.data())
def test_truncated_compressed_jsonl_keeps_what_came_before_and_reports_the_cut(
    extension: str, data: st.DataObject
) -> None:
    many = [dict(RECORDS[0], id=f"fuzz-{n}", text=f"{RECORDS[0]['text']} Numéro {n} ; {n * 'pluie '}") for n in range(60)]
    raw = json.dumps(many).encode() if ".json." in extension else jsonl_bytes(many)
    compress = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[extension.rsplit(".", 1)[1]]
    whole = compress(raw)
    # From 1: an empty file is read as an empty JSON Lines file, which yields nothing (no Failure).
    cut = data.draw(st.integers(1, len(whole) - 1), label="cut")
    records = read_bytes_as(whole[:cut], extension)
    ids = [r.id for r in records if isinstance(r, Article)]
    assert ids == [r["id"] for r in many[: len(ids)]], "articles must be those before the cut, in order"
    assert any(isinstance(r, Failure) and not r.warning for r in records), f"a cut at {cut} of {len(whole)} went unreported"


@pytest.mark.parametrize(
    "extension",
    [".zip", ".tar", ".tar.gz", ".tar.xz"],
)
@FUZZ
@given(data=st.data())
def test_bundle_cut_short_never_raises_and_reports_the_cut(extension: str, data: st.DataObject) -> None:
    whole = valid(extension)
    cut = data.draw(st.integers(0, len(whole) - 1), label="cut")
    with scratch() as folder:  # the same path for both: an HTML page's id is derived from it
        path = folder / f"fuzz{extension}"
        path.write_bytes(whole)
        complete = {r.id for r in read_all(path) if isinstance(r, Article)}
        path.write_bytes(whole[:cut])
        records = read_all(path)
    found = {r.id for r in records if isinstance(r, Article)}
    assert found <= complete
    # A tar cut inside its end-of-archive padding is complete: nothing is missing then.
    if found != complete:
        assert any(isinstance(r, Failure) for r in records), f"a cut at {cut} of {len(whole)} went unreported"


def two_member_tar() -> bytes:
    return tar_bytes("w", {"a.jsonl": jsonl_bytes(RECORDS[:1]), "b.jsonl": jsonl_bytes(RECORDS[1:2])})


def test_tar_cut_inside_a_member_is_reported() -> None:
    records = read_bytes_as(two_member_tar()[: 3 * 512 + 10], ".tar")  # into b.jsonl's data
    assert [r.id for r in records if isinstance(r, Article)] == ["fuzz-1"]
    assert any(isinstance(r, Failure) and "b.jsonl" in r.path for r in records), records


# tarfile itself takes a header cut short for the end of the archive; the reader must notice.
@pytest.mark.parametrize("cut", [2 * 512, 2 * 512 + 100], ids=["before-the-header", "inside-the-header"])
@pytest.mark.parametrize("compress", [False, True], ids=["tar", "tar.gz"])
def test_tar_cut_at_a_member_header_is_reported(cut: int, compress: bool) -> None:
    data = two_member_tar()[:cut]
    records = read_bytes_as(gzip.compress(data) if compress else data, ".tar.gz" if compress else ".tar")
    assert [r.id for r in records if isinstance(r, Article)] == ["fuzz-1"]
    assert any(isinstance(r, Failure) for r in records), "b.jsonl was lost without a word"


@pytest.mark.parametrize("extension", [".json", ".jsonl", ".jsonl.gz"])
@pytest.mark.parametrize(
    "nested",
    [
        "[" * 10_000 + "]" * 10_000,
        '{"a":' * 10_000 + "1" + "}" * 10_000,
        '{"id": "x", "text": ' + "[" * 10_000 + "]" * 10_000 + "}",
        "[" * 10_000,  # and never closed
    ],
    ids=["arrays", "objects", "inside-an-article", "unclosed"],
)
def test_json_nested_10000_deep_is_reported_and_the_other_records_read(extension: str, nested: str) -> None:
    good = json.dumps(RECORDS[0], ensure_ascii=False)
    if extension == ".json":
        content = f"[{good}, {nested}]" if nested.endswith(("]", "}")) else f"[{good}, {nested}"
    else:
        content = f"{good}\n{nested}\n{json.dumps(RECORDS[1], ensure_ascii=False)}\n"
    data = content.encode()
    records = read_bytes_as(gzip.compress(data) if extension.endswith(".gz") else data, extension)
    ids = [r.id for r in records if isinstance(r, Article)]
    assert ids[:1] == [RECORDS[0]["id"]], records
    if extension != ".json":  # one line per record: the line after the bad one is read too
        assert ids == [RECORDS[0]["id"], RECORDS[1]["id"]], records
    assert any(isinstance(r, Failure) and not r.warning for r in records), records


@pytest.mark.parametrize("extension", [".jsonl", ".txt", ".csv", ".html"])
def test_a_5_mb_single_line_is_read_or_reported_in_bounded_time(extension: str) -> None:
    words = ("Pluie " * 900_000)[: 5 * 2**20]  # 5 MiB, no line break
    if extension == ".jsonl":
        data = json.dumps({"id": "long", "title": "Pluie", "text": words}).encode()
    elif extension == ".csv":
        data = f'id,title,text\r\nlong,Pluie,"{words}"\r\n'.encode()
    elif extension == ".html":
        data = f"<html><head><title>Pluie</title></head><body><article><p>{words}</p></article></body></html>".encode()
    else:
        data = words.encode()
    assert len(data) >= 5 * 2**20
    records = read_bytes_as(data, extension)
    assert records, "a 5 MB line must be read as an article or reported"


CONTROL = st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp", "Co", "Mn"])
TEXTS = st.text(st.one_of(CONTROL, st.sampled_from("Pékin àéèçœ'’ «»\n\r\t")), max_size=200)


@pytest.mark.parametrize("extension", [".jsonl", ".json", ".txt", ".csv", ".tsv", ".html", ".rss"])
@FUZZ
@given(title=TEXTS, text=TEXTS)
def test_control_characters_in_text_never_raise(extension: str, title: str, text: str) -> None:
    record = {"id": "ctl", "title": title, "text": text}
    if extension in {".jsonl", ".json"}:
        data = json.dumps(record if extension == ".jsonl" else [record]).encode()
    elif extension in {".csv", ".tsv"}:
        sep = "," if extension == ".csv" else "\t"
        quoted = [f'"{value.replace(chr(34), chr(34) * 2)}"' for value in ("ctl", title, text)]
        data = f"id{sep}title{sep}text\r\n{sep.join(quoted)}\r\n".encode()
    elif extension == ".html":
        data = f"<html><head><title>{title}</title></head><body><article><p>{text}</p></article></body></html>".encode()
    elif extension == ".rss":
        data = f"<rss><channel><item><title>{title}</title><description>{text}</description></item></channel></rss>".encode()
    else:
        data = f"{title}\n\n{text}".encode()
    read_bytes_as(data, extension)


@FUZZ
@given(text=st.text(max_size=100), surrogate=st.integers(0xD800, 0xDFFF))
def test_lone_surrogates_escaped_in_json_never_raise(text: str, surrogate: int) -> None:
    escaped = json.dumps(text)[1:-1] + f"\\u{surrogate:04x}"
    data = f'{{"id": "s", "title": "Titre {escaped}", "text": "Texte {escaped}"}}\n'.encode()
    for records in (read_bytes_as(data, ".jsonl"), read_bytes_as(b"[" + data.strip() + b"]", ".json")):
        articles = [r for r in records if isinstance(r, Article)]
        # What is read must also go into an index and come out of a search.
        archive = Archive.in_memory()
        archive.add_many(articles)
        assert len(archive) == len(articles)
        if articles:
            archive.search("titre")


# -- paths inside bundles never escape ---------------------------------------------------------

ESCAPING = [
    "../../evil.jsonl",
    "../evil.jsonl",
    "a/../../../evil.jsonl",
    "/etc/passwd.jsonl",
    "/tmp/evil.jsonl",
    "./../evil.jsonl",
    "C:/evil.jsonl",
    # A Windows-style name is one POSIX name starting with a dot: passed over as a hidden file.
    "..\\..\\evil.jsonl",
]
BUNDLE_KINDS = [".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz"]


def everything_under(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*")}


@FUZZ
@given(
    name=st.sampled_from(ESCAPING),
    kind=st.sampled_from(BUNDLE_KINDS),
    content=st.one_of(st.just(jsonl_bytes(RECORDS[:1])), st.binary(min_size=1, max_size=200).filter(bytes.strip)),
)
def test_member_names_never_escape_the_bundle(name: str, kind: str, content: bytes) -> None:
    outside = [Path("/etc/passwd.jsonl"), Path("/tmp/evil.jsonl"), Path(tempfile.gettempdir()) / "evil.jsonl"]
    existed = {path for path in outside if path.exists()}
    with scratch() as base:
        work = base / "sandbox" / "work"  # ../../evil.jsonl from here would land in base
        work.mkdir(parents=True)
        bundle = work / f"fuzz{kind}"
        members = {name: content}
        bundle.write_bytes(zip_bytes(members) if kind == ".zip" else tar_bytes(_TAR_MODES[kind], members))
        before = everything_under(base)
        cwd = os.getcwd()
        os.chdir(work)  # so that a relative extraction would land here too
        try:
            records = read_all(bundle)
        finally:
            os.chdir(cwd)
        assert everything_under(base) == before, "reading a bundle created files"
        assert not [p for p in base.rglob("*evil*")]
    assert {path for path in outside if path.exists()} == existed, "a member was written outside"
    # The member was read (an article whose path names it) or reported (a failure naming it).
    if "\\" in name:  # one POSIX name starting with a dot: passed over like any hidden file
        assert records == [], records
        return
    shown = name.lstrip("/") if kind != ".zip" else name
    assert records, f"{name!r} in a {kind} was neither read nor reported"
    named = [r for r in records if name in (r.path or "") or shown in (r.path or "")]
    assert named, f"nothing read from {name!r} in a {kind} names it: {records}"
    if content == jsonl_bytes(RECORDS[:1]):
        assert [r.id for r in named if isinstance(r, Article)] == [RECORDS[0]["id"]], named


_TAR_MODES = {".tar": "w", ".tar.gz": "w:gz", ".tgz": "w:gz", ".tar.bz2": "w:bz2", ".tar.xz": "w:xz"}


def test_tar_links_are_not_followed() -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for kind, name in ((tarfile.SYMTYPE, "passwd.txt"), (tarfile.LNKTYPE, "hard.txt")):
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, "/etc/passwd"
            archive.addfile(info)
    records = read_bytes_as(buffer.getvalue(), ".tar")
    assert not [r for r in records if isinstance(r, Article)], records
