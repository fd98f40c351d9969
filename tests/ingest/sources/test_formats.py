"""Reading the other formats archives come in: JSON, CSV, HTML, feeds, WARC, compressed, bundled.

Every fixture is written here (or in tests/fixtures/) for these tests: invented articles only.
"""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import io
import json
import lzma
import tarfile
import zipfile
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from searchlib import Archive, Article, Failure
from searchlib.ingest.sources import discover, read_file
from tests.conftest import FIXTURES

ARTICLE_PAGE = (FIXTURES / "article.html").read_bytes()
PAGE_URL = "https://quotidien.example/2023/07/canicule"


def read(path: Path) -> tuple[list[Article], list[Failure]]:
    records = list(read_file(path))
    return [r for r in records if isinstance(r, Article)], [r for r in records if isinstance(r, Failure)]


def read_one(path: Path) -> Article:
    articles, failures = read(path)
    assert len(articles) == 1 and failures == [], (articles, failures)
    return articles[0]


def page(title: str, text: str, *, date: str | None = None, url: str | None = None) -> bytes:
    """A small news page around ``text``, with a menu, share buttons and comments to leave out."""
    meta = f'<meta property="article:published_time" content="{date}">' if date else ""
    meta += f'<meta property="og:url" content="{url}">' if url else ""
    sentences = "".join(f"<p>{sentence}</p>" for sentence in text.split("\n"))
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{meta}</head><body>"
        "<nav><a href='/'>Accueil</a> <a href='/sport'>Sport</a></nav>"
        f"<article><h1>{title}</h1>{sentences}<div class='share'>Partager sur Facebook</div></article>"
        "<section class='comments'><p>Commentaires</p><p>Un lecteur : bravo !</p></section>"
        "</body></html>"
    ).encode()


# -- HTML --------------------------------------------------------------------------------------


def test_html_article_text_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "canicule.html"
    path.write_bytes(ARTICLE_PAGE)
    article = read_one(path)
    assert (article.id, article.url, article.title) == (PAGE_URL, PAGE_URL, "Canicule : la Bretagne suffoque")
    assert (article.date, article.author, article.source) == (dt.date(2023, 7, 13), "Anne Le Goff", "Le Quotidien Breton")
    assert article.body.split("\n\n")[0].startswith("Les températures ont dépassé quarante degrés à Quimper")
    assert article.body.endswith("un printemps particulièrement sec.")
    for furniture in ("Accueil", "Politique", "Publicité", "ventilateurs", "Partager", "Commentaires",
                      "Jean-Pierre", "scandale", "Mentions légales", "Par Anne"):  # fmt: skip
        assert furniture not in article.body, furniture
    assert article.path == str(path)


def test_html_metadata_from_json_ld(tmp_path: Path) -> None:
    ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": "Marée noire au large de Brest",
        "datePublished": "2022-03-04T10:00:00+01:00", "author": {"@type": "Person", "name": "Yann Kerhervé"},
        "publisher": {"@type": "Organization", "name": "Ouest Info"},
    }  # fmt: skip
    html = page("Marée noire | Ouest Info", "Une nappe de fioul de plusieurs kilomètres a été repérée mardi au "
                "large de la pointe bretonne.\nLa préfecture maritime a mobilisé trois navires spécialisés.")
    html = html.replace(b"</head>", f'<script type="application/ld+json">{json.dumps(ld)}</script></head>'.encode())
    path = tmp_path / "maree.htm"
    path.write_bytes(html)
    article = read_one(path)
    assert (article.date, article.author, article.source) == (dt.date(2022, 3, 4), "Yann Kerhervé", "Ouest Info")
    assert article.id.startswith("maree-") and article.url is None


def test_html_in_a_declared_legacy_charset(tmp_path: Path) -> None:
    text = "La sécurité des élèves préoccupe l’État, dit le rectorat de Rennes après la rentrée.\nSuite à venir."
    html = page("Rentrée à Rennes", text).replace(b"charset='utf-8'", b"charset='iso-8859-15'")
    path = tmp_path / "rentree.html"
    path.write_bytes(html.decode().replace("’", "'").encode("iso-8859-15"))
    assert "La sécurité des élèves préoccupe l'État" in read_one(path).body


@pytest.mark.parametrize(
    "html",
    [
        b"<!DOCTYPE html><html><head><title>Le Quotidien</title></head><body><nav><ul><li><a href='/'>"
        b"Accueil</a></li><li><a href='/p'>Politique</a></li></ul></nav><div class='share'>Partager sur "
        b"Facebook</div><section class='comments'><p>Commentaires</p></section></body></html>",
        b"<html><body></body></html>",
        b"",
    ],
    ids=["only-furniture", "empty-body", "empty-file"],
)
def test_html_page_without_article_text_is_a_failure(tmp_path: Path, html: bytes) -> None:
    path = tmp_path / "rubrique.html"
    path.write_bytes(html)
    articles, [failure] = read(path)
    assert articles == [] and (failure.path, failure.reason, failure.warning) == (str(path), "no article text", False)


@pytest.mark.parametrize("kind", ["html", "rss", "atom", "warc", "warc.gz", "html.gz"])
def test_files_without_extension_are_sniffed(tmp_path: Path, kind: str) -> None:
    data = {
        "html": ARTICLE_PAGE,  # <!DOCTYPE html>
        "rss": RSS.encode(),  # <?xml …?><rss
        "atom": ATOM.encode(),  # <?xml …?><feed
        "warc": warc([(PAGE_URL, ARTICLE_PAGE)], compress=False),  # WARC/1.0
        "warc.gz": warc([(PAGE_URL, ARTICLE_PAGE)]),
        "html.gz": gzip.compress(ARTICLE_PAGE),  # a page, gzipped
    }[kind]
    folder = tmp_path / "crawl"
    folder.mkdir()
    (folder / "page").write_bytes(data)
    (folder / "notes").write_text("Rien à voir ici.", encoding="utf-8")
    [found] = list(discover([folder]))
    assert found == folder / "page"
    articles, failures = read(found)
    assert articles and not [f for f in failures if not f.warning]


# -- JSON --------------------------------------------------------------------------------------


def test_json_array_uses_the_jsonl_field_names(tmp_path: Path) -> None:
    path = tmp_path / "articles.json"
    records = [
        {"_id": "x1", "titre": "Tempête en mer d'Iroise", "chapo": "Des rafales à 150 km/h.", "content": "Le texte.",
         "date": "2023-11-02", "link": "https://e.org/1", "auteur": "Loïc Le Bras", "rubrique": "météo"},
        {"title": "Sans identifiant", "text": "Un texte."},
    ]  # fmt: skip
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")
    first, second = read(path)[0]
    assert first == Article(
        id="x1", title="Tempête en mer d'Iroise", lede="Des rafales à 150 km/h.", body="Le texte.",
        date=dt.date(2023, 11, 2), author="Loïc Le Bras", url="https://e.org/1", section="météo", path=str(path),
    )  # fmt: skip
    assert second.id.startswith("articles-") and second.id.endswith("-2")


def test_json_single_object(tmp_path: Path) -> None:
    path = tmp_path / "un.json"
    path.write_text('{"id": "u", "title": "Un seul article", "text": "Son texte."}', encoding="utf-8")
    assert read_one(path).id == "u"


def test_bad_json_element_is_reported_with_its_offset(tmp_path: Path) -> None:
    path = tmp_path / "articles.json"
    data = '[{"id": "a", "title": "Été à Brest"},\n {"id": "bad", "date": "2023-07-13"},\n 42,\n {"id": "b", "title": "Fin"}]'
    path.write_text(data, encoding="utf-8")
    articles, failures = read(path)
    assert [a.id for a in articles] == ["a", "b"]
    bad = data.encode().index(b'{"id": "bad"')
    assert [(f.offset, f.line) for f in failures] == [(bad, None), (data.encode().index(b"42"), None)]
    no_text = "element 2: no title or text: no field that could be a title or text (it has id, date)"
    assert failures[0].reason == no_text
    assert failures[1].reason == "element 3: expected a JSON object, got int"
    assert str(failures[0]) == f"{path}@{bad}: {no_text}"


def test_truncated_json_array_keeps_the_elements_before(tmp_path: Path) -> None:
    path = tmp_path / "coupe.json"
    path.write_text('[{"id": "a", "title": "Un"}, {"id": "b", "title": "De', encoding="utf-8")
    articles, [failure] = read(path)
    assert [a.id for a in articles] == ["a"]
    assert "element 2: invalid JSON" in failure.reason and "rest of the array was not read" in failure.reason


# -- CSV / TSV ---------------------------------------------------------------------------------


def test_csv_with_header_row(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        'id,Title,date,text,url\n'
        'c1,Marée haute à Saint-Malo,2023-09-30,"Premier paragraphe.\nSecond paragraphe.",https://e.org/c1\n'
        'c2,Sans date,,Un texte court.,\n',
        encoding="utf-8",
    )  # fmt: skip
    first, second = read(path)[0]
    assert (first.id, first.title, first.date, first.url) == ("c1", "Marée haute à Saint-Malo", dt.date(2023, 9, 30), "https://e.org/c1")
    assert first.body == "Premier paragraphe.\n\nSecond paragraphe."
    assert (second.id, second.date, second.url) == ("c2", None, None)


def test_french_excel_csv_semicolons_and_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes('Titre;Date;Texte\nL\'été à Quimper;13/07/2023;"Chaleur; canicule et orages."\n'.encode("cp1252"))
    article = read_one(path)
    assert (article.title, article.date, article.body) == ("L'été à Quimper", dt.date(2023, 7, 13), "Chaleur; canicule et orages.")


def test_tsv(tmp_path: Path) -> None:
    path = tmp_path / "export.tsv"
    path.write_text("id\ttitle\tbody\nt1\tPêche à Douarnenez\tLes thoniers rentrent.\n", encoding="utf-8")
    assert read_one(path).title == "Pêche à Douarnenez"


def test_bad_csv_rows_are_reported_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        'id,title,text\n'
        'a,Un,"Texte sur\ndeux lignes."\n'  # lines 2-3
        'bad1,,\n'                           # line 4: no title or text
        'bad2,Deux,Texte,en trop\n'          # line 5: one field too many
        '\n'
        'b,Trois,Texte.\n',                  # line 7
        encoding="utf-8",
    )  # fmt: skip
    articles, failures = read(path)
    assert [a.id for a in articles] == ["a", "b"]
    assert [(f.line, f.reason) for f in failures] == [
        (4, "no title or text"),
        (5, "4 fields but the header names 3"),
    ]
    assert str(failures[0]) == f"{path}:4: no title or text"


# -- RSS and Atom ------------------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Le Quotidien Breton</title><link>https://quotidien.example/</link><description>Actualités</description>
<item>
  <title>Le pont de Térénez fermé</title>
  <link>https://quotidien.example/terenez</link>
  <guid isPermaLink="false">qb-1001</guid>
  <pubDate>Fri, 14 Jul 2023 00:30:00 +0200</pubDate>
  <dc:creator>Anne Le Goff</dc:creator>
  <category>Finistère</category>
  <description>Le pont sera fermé tout l'été.</description>
  <content:encoded><![CDATA[<p>Le pont de Térénez sera fermé <b>tout l'été</b> pour travaux.</p><p>Une déviation par Châteaulin est mise en place.</p><p>Lire aussi</p><script>alert(1)</script>]]></content:encoded>
</item>
<item>
  <title>Fête des brodeuses</title>
  <link>https://quotidien.example/brodeuses</link>
  <description>&lt;p&gt;Pont-l'Abbé accueille la fête des brodeuses ce week-end.&lt;/p&gt;</description>
</item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Ouest Info</title><id>urn:ouest-info</id><updated>2023-07-14T10:00:00Z</updated>
  <entry>
    <title>Les phoques de l'île de Sein</title>
    <id>urn:ouest-info:42</id>
    <link rel="alternate" href="https://ouest.example/phoques"/>
    <published>2023-07-12T09:00:00+02:00</published>
    <updated>2023-07-14T10:00:00Z</updated>
    <author><name>Yann Kerhervé</name></author>
    <summary>Une colonie observée.</summary>
    <content type="html">&lt;p&gt;Une colonie de phoques gris a été observée au large de l'île de Sein.&lt;/p&gt;&lt;p&gt;Les scientifiques comptent une trentaine d'individus.&lt;/p&gt;</content>
  </entry>
</feed>
"""


def test_rss_items_with_full_content_or_summary(tmp_path: Path) -> None:
    path = tmp_path / "une.rss"
    path.write_text(RSS, encoding="utf-8")
    (full, summary_only), failures = read(path)
    assert failures == []
    assert full == Article(
        id="qb-1001", title="Le pont de Térénez fermé", lede="Le pont sera fermé tout l'été.",
        body="Le pont de Térénez sera fermé tout l'été pour travaux.\n\nUne déviation par Châteaulin est mise en place.",
        date=dt.date(2023, 7, 14), source="Le Quotidien Breton", author="Anne Le Goff",
        url="https://quotidien.example/terenez", section="Finistère", path=str(path),
    )  # fmt: skip
    assert (summary_only.id, summary_only.lede) == ("https://quotidien.example/brodeuses", "")
    assert summary_only.body == "Pont-l'Abbé accueille la fête des brodeuses ce week-end."


def test_atom_entries(tmp_path: Path) -> None:
    path = tmp_path / "flux.atom"
    path.write_text(ATOM, encoding="utf-8")
    article = read_one(path)
    assert (article.id, article.url, article.date) == ("urn:ouest-info:42", "https://ouest.example/phoques", dt.date(2023, 7, 12))
    assert (article.source, article.author, article.lede) == ("Ouest Info", "Yann Kerhervé", "Une colonie observée.")
    assert article.body.split("\n\n") == [
        "Une colonie de phoques gris a été observée au large de l'île de Sein.",
        "Les scientifiques comptent une trentaine d'individus.",
    ]


def test_xml_files_are_read_when_they_are_feeds(tmp_path: Path) -> None:
    feed, sitemap = tmp_path / "feed.xml", tmp_path / "sitemap.xml"
    feed.write_text(ATOM, encoding="utf-8")
    sitemap.write_text('<?xml version="1.0"?><urlset><url><loc>https://e.org/</loc></url></urlset>', encoding="utf-8")
    assert read_one(feed).id == "urn:ouest-info:42"
    articles, [failure] = read(sitemap)
    assert articles == [] and "not an RSS or Atom feed" in failure.reason


def test_feed_item_without_text_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "vide.rss"
    path.write_text(RSS.replace("<title>Fête des brodeuses</title>", "").replace(
        "<description>&lt;p&gt;Pont-l'Abbé accueille la fête des brodeuses ce week-end.&lt;/p&gt;</description>", ""),
        encoding="utf-8")  # fmt: skip
    articles, [failure] = read(path)
    assert len(articles) == 1 and failure.reason == "item 2: no title or text"


# -- WARC and ARC ------------------------------------------------------------------------------


def warc(pages: list[tuple[str, bytes]], *, compress: bool = True, extra: bool = False) -> bytes:
    """A WARC file: a warcinfo record, then a request and a response per page (and an image)."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=compress)
    writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "searchlib tests"}))
    records = [(url, body, "text/html; charset=utf-8", "200 OK") for url, body in pages]
    if extra:
        records += [("https://e.org/logo.png", b"\x89PNG\r\n", "image/png", "200 OK"),
                    ("https://e.org/old", b"<html>moved</html>", "text/html", "301 Moved Permanently")]  # fmt: skip
    for url, body, content_type, status in records:
        http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "e.org")], is_http_request=True)
        writer.write_record(writer.create_warc_record(url, "request", http_headers=http))
        http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=http,
                warc_headers_dict={"WARC-Date": "2024-01-15T12:00:00Z"},
            )  # fmt: skip
        )
    return buffer.getvalue()


BREST_PAGE = page(
    "Le port de Brest s'agrandit",
    "Le conseil régional a voté jeudi l'agrandissement du port de commerce de Brest.\n"
    "Les travaux doivent durer quatre ans et créer deux cents emplois.",
)


@pytest.mark.parametrize("name", ["crawl.warc.gz", "crawl.warc"])
def test_warc_html_responses_become_articles(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(warc([(PAGE_URL, ARTICLE_PAGE), ("https://e.org/brest", BREST_PAGE)],
                          compress=name.endswith(".gz"), extra=True))  # fmt: skip
    (dated, undated), [skipped] = read(path)
    assert (dated.url, dated.id, dated.date, dated.source) == (PAGE_URL, PAGE_URL, dt.date(2023, 7, 13), "Le Quotidien Breton")
    assert "Partager" not in dated.body and "Jean-Pierre" not in dated.body
    # The page has no date of its own: the crawl's.
    assert (undated.url, undated.title, undated.date) == ("https://e.org/brest", "Le port de Brest s'agrandit", dt.date(2024, 1, 15))
    assert "Accueil" not in undated.body and "Commentaires" not in undated.body
    assert skipped.warning and skipped.reason.startswith("skipped 7 non-HTML records")
    assert "4 request" in skipped.reason and "1 image/png" in skipped.reason and "1 HTTP 301" in skipped.reason


def test_a_crawled_dispatch_is_dated_from_its_text_not_the_crawl(tmp_path: Path) -> None:
    dispatch = page(
        "Plan de relance",
        "PARIS (AFP) - Le gouvernement a présenté jeudi 13 juillet 2023 son plan de relance pour l'industrie.\n"
        "Le texte sera débattu à l'Assemblée nationale à la rentrée, selon le ministère de l'Économie.",
    )
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(warc([("https://e.org/plan", dispatch)]))
    [article], _ = read(path)
    assert (article.date, article.agency, article.place) == (dt.date(2023, 7, 13), "AFP", "Paris")  # crawled 2024-01-15


def test_broken_warc_record_is_reported_with_its_offset(tmp_path: Path) -> None:
    data = warc([("https://e.org/brest", BREST_PAGE), (PAGE_URL, ARTICLE_PAGE)], compress=False)
    second = data.rindex(b"WARC/1.0", 0, data.index(f"WARC-Target-URI: {PAGE_URL}".encode()))
    broken = data[:second] + b"GARBAGE!" + data[second + 8 :]
    path = tmp_path / "broken.warc"
    path.write_bytes(broken)
    articles, [failure] = read(path)
    assert [a.url for a in articles] == ["https://e.org/brest"]
    assert failure.offset == second and not failure.warning
    assert "broken record" in failure.reason and str(failure).startswith(f"{path}@{second}: ")


def test_warc_page_without_text_is_reported_with_its_offset(tmp_path: Path) -> None:
    data = warc([("https://e.org/vide", b"<html><body><nav>Accueil</nav></body></html>")], compress=False)
    path = tmp_path / "vide.warc"
    path.write_bytes(data)
    articles, failures = read(path)
    [failure] = [f for f in failures if not f.warning]
    assert articles == [] and failure.reason == "https://e.org/vide: no article text"
    record = data[failure.offset : failure.offset + 200]
    assert record.startswith(b"WARC/1.0\r\n") and b"WARC-Type: response" in record


def test_truncated_warc_gz_is_reported(tmp_path: Path) -> None:
    data = warc([("https://e.org/brest", BREST_PAGE), (PAGE_URL, ARTICLE_PAGE)])
    path = tmp_path / "coupe.warc.gz"
    path.write_bytes(data[: len(data) - 300])
    articles, failures = read(path)
    assert [a.url for a in articles] == ["https://e.org/brest"]
    assert [f for f in failures if not f.warning and f.offset is not None and "cut short" in f.reason]


def test_arc_file(tmp_path: Path) -> None:
    http = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + BREST_PAGE
    header = b"1 0 Searchlib\nURL IP-address Archive-date Content-type Archive-length\n"
    filedesc = b"filedesc://crawl.arc 0.0.0.0 20240115120000 text/plain %d\n" % len(header) + header + b"\n"
    record = b"https://e.org/brest 127.0.0.1 20240115120000 text/html %d\n" % len(http) + http + b"\n"
    path = tmp_path / "crawl.arc"
    path.write_bytes(filedesc + record)
    articles, failures = read(path)
    assert [(a.url, a.date) for a in articles] == [("https://e.org/brest", dt.date(2024, 1, 15))]
    assert all(f.warning for f in failures)


# -- compressed and bundled --------------------------------------------------------------------


def jsonl(*records: dict[str, str]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)


@pytest.mark.parametrize(
    ("name", "compress"),
    [("a.jsonl.gz", gzip.compress), ("a.jsonl.bz2", bz2.compress), ("a.jsonl.xz", lzma.compress)],
)
def test_compressed_files_are_read_by_their_inner_extension(tmp_path: Path, name: str, compress: object) -> None:
    path = tmp_path / name
    path.write_bytes(compress(jsonl({"id": "1", "title": "Un"}, {"title": "Deux"})))  # type: ignore[operator]
    (first, second), failures = read(path)
    assert failures == [] and first.id == "1" and first.path == str(path)
    assert second.id.startswith("a-") and second.id.endswith("-2")


def test_compressed_html_and_text(tmp_path: Path) -> None:
    (tmp_path / "page.html.xz").write_bytes(lzma.compress(ARTICLE_PAGE))
    (tmp_path / "note.txt.gz").write_bytes(gzip.compress("Titre: Une note\n\nLe texte de la note.".encode()))
    assert read_one(tmp_path / "page.html.xz").url == PAGE_URL
    note = read_one(tmp_path / "note.txt.gz")
    assert (note.title, note.path) == ("Une note", str(tmp_path / "note.txt.gz"))
    assert note.id.startswith("note-")


def test_truncated_gzip_keeps_the_records_before_and_says_so(tmp_path: Path) -> None:
    data = gzip.compress(jsonl(*({"id": str(n), "title": f"Article {n}", "text": "x" * 500} for n in range(200))))
    path = tmp_path / "coupe.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    articles, [failure] = read(path)
    assert 10 < len(articles) < 200 and [a.id for a in articles] == [str(n) for n in range(len(articles))]
    assert failure.path == str(path) and failure.reason.startswith("truncated gzip data")


def test_zip_members_are_dispatched_and_named_after_the_zip(tmp_path: Path) -> None:
    path = tmp_path / "lot.zip"
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("2023/a.jsonl", jsonl({"id": "z1", "title": "Un"}, {"id": "z2", "title": ""}))
        bundle.writestr("2023/page.html", ARTICLE_PAGE)
        bundle.writestr("../../evade.jsonl", jsonl({"id": "z3", "title": "Évadé"}))
        bundle.writestr("__MACOSX/2023/._a.jsonl", b"\x00\x05\x16\x07")
        bundle.writestr("lisez-moi.md", "Rien")
    before = sorted(p.name for p in tmp_path.parent.iterdir())
    articles, [failure] = read(path)
    assert [a.id for a in articles] == ["z1", PAGE_URL, "z3"]
    assert [a.path for a in articles] == [f"{path}!2023/a.jsonl", f"{path}!2023/page.html", f"{path}!../../evade.jsonl"]
    assert (failure.path, failure.line, failure.reason) == (f"{path}!2023/a.jsonl", 2, "no title or text")
    assert sorted(p.name for p in tmp_path.parent.iterdir()) == before  # nothing written anywhere


def test_tar_gz_members_and_a_zip_inside(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as bundle:
        bundle.writestr("dedans.txt", "Titre: Dans le zip\n\nTexte.")
    path = tmp_path / "lot.tar.gz"
    with tarfile.open(path, "w:gz") as bundle:
        for name, data in [("a.txt", b"Titre: Dans le tar\n\nTexte."), ("b/inner.zip", inner.getvalue()),
                           ("c.rss", RSS.encode())]:  # fmt: skip
            info = tarfile.TarInfo(name)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    articles, failures = read(path)
    assert failures == []
    assert [(a.title, a.path) for a in articles][:2] == [
        ("Dans le tar", f"{path}!a.txt"),
        ("Dans le zip", f"{path}!b/inner.zip!dedans.txt"),
    ]
    assert len(articles) == 4


def test_truncated_tar_gz_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "lot.tgz"
    with tarfile.open(path, "w:gz") as bundle:
        for n in range(30):
            data = jsonl({"id": str(n), "title": f"Article {n}", "text": f"{n} " * 2000})
            info = tarfile.TarInfo(f"{n:02}.jsonl")
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    articles, [failure] = read(path)
    assert 0 < len(articles) < 30
    assert failure.path.startswith(f"{path}!") and "tar" in failure.reason


def test_discover_lists_the_new_formats(tmp_path: Path) -> None:
    names = ["a.json", "b.csv", "c.html", "d.rss", "e.atom", "f.warc.gz", "g.zip", "h.tar.gz", "i.jsonl.gz",
             "j.txt.bz2", "k.xz", "l.tsv", "notes.md", "photo.jpg"]  # fmt: skip
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    found = [p.name for p in discover([tmp_path]) if isinstance(p, Path)]
    assert found == names[:-2]


def test_failure_shows_line_or_offset() -> None:
    assert str(Failure("a.warc", "broken", offset=120)) == "a.warc@120: broken"
    assert str(Failure("a.csv", "bad", line=3)) == "a.csv:3: bad"


# -- round trip --------------------------------------------------------------------------------


def test_an_archive_in_mixed_formats_is_indexed_whole(tmp_path: Path) -> None:
    """Each article carries one animal's name, found in that article only."""
    folder = tmp_path / "archive"
    (folder / "sub").mkdir(parents=True)

    def text(animal: str) -> str:
        return f"Un {animal} a été aperçu jeudi près de Morlaix par des promeneurs étonnés."

    def html(animal: str, url: str) -> bytes:
        return page(f"Le {animal} de Morlaix", text(animal) + "\nLes services vétérinaires ont été prévenus.", url=url)

    (folder / "a.txt").write_text(f"Titre: Le baobab\n\n{text('baobab')}", encoding="utf-8")
    (folder / "b.jsonl").write_bytes(jsonl({"id": "b1", "title": "T", "text": text("cormoran")},
                                            {"id": "b2", "title": "T", "text": text("dromadaire")}))  # fmt: skip
    (folder / "c.json").write_text(json.dumps([{"id": "c1", "title": "T", "text": text("escargot")},
                                               {"id": "c2", "title": "T", "text": text("flamant")}]))  # fmt: skip
    (folder / "sub" / "d.csv").write_text(f"id,title,text\nd1,T,{text('gorille')}\nd2,T,{text('hibou')}\n", encoding="utf-8")
    (folder / "e.html").write_bytes(html("iguane", "https://e.org/iguane"))
    (folder / "f.rss").write_text(RSS.replace("Térénez", "jaguar").replace("brodeuses", "koalas"), encoding="utf-8")
    (folder / "g.atom").write_text(ATOM.replace("phoques", "lamas"), encoding="utf-8")
    (folder / "h.warc.gz").write_bytes(warc([("https://e.org/marmotte", html("marmotte", "https://e.org/marmotte")),
                                             ("https://e.org/narval", html("narval", "https://e.org/narval"))]))  # fmt: skip
    with zipfile.ZipFile(folder / "i.zip", "w") as bundle:
        bundle.writestr("x/ocelot.jsonl", jsonl({"id": "i1", "title": "T", "text": text("ocelot")}))
        bundle.writestr("x/pingouin.html", html("pingouin", "https://e.org/pingouin"))
    with tarfile.open(folder / "j.tar.gz", "w:gz") as bundle:
        for name, data in [("quetzal.txt", text("quetzal").encode()),
                           ("renard.csv", f"id,title,text\nj1,T,{text('renard')}\n".encode())]:  # fmt: skip
            info = tarfile.TarInfo(name)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    (folder / "k.jsonl.gz").write_bytes(gzip.compress(jsonl({"id": "k1", "title": "T", "text": text("salamandre")})))

    animals = ["baobab", "cormoran", "dromadaire", "escargot", "flamant", "gorille", "hibou", "iguane", "jaguar",
               "koalas", "lamas", "marmotte", "narval", "ocelot", "pingouin", "quetzal", "renard", "salamandre"]  # fmt: skip
    archive = Archive.in_memory()
    report = archive.index_paths([folder])
    assert report.failed == []
    assert report.added == len(archive) == len(animals)
    for animal in animals:
        assert archive.search(animal).total == 1, animal
    assert [w for w in report.warnings if "non-HTML records" not in w.reason] == []


def test_warc_gzipped_whole_rather_than_per_record(tmp_path: Path) -> None:
    path = tmp_path / "gzip-du-tout.warc.gz"
    path.write_bytes(gzip.compress(warc([("https://e.org/brest", BREST_PAGE)], compress=False)))
    articles, failures = read(path)
    assert [a.url for a in articles] == ["https://e.org/brest"] and all(f.warning for f in failures)
