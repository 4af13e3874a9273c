"""Hypothesis strategies for fuzzing the readers, and the one property they all share.

Shared by the small CI profile (``tests/fuzz/``) and the long profile
(``benchmarks/fuzz_long.py``).  Besides raw bytes, each reader gets *near-valid* input built from
its own vocabulary (seed-text labels, AO3's preface markup, YAML front matter, EPUB members),
because random bytes alone rarely get past the first check of a parser.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from hypothesis import strategies as st

from fic2book.errors import Fic2BookError
from fic2book.model import Work
from fic2book.readers import reader_named

#: Every reader name and the suffix its input file gets.
READER_SUFFIXES: dict[str, str] = {
    "text": ".txt",
    "ao3-html": ".html",
    "ao3-page": ".html",
    "html": ".html",
    "markdown": ".md",
    "epub": ".epub",
}


def read_as(reader: str, data: bytes, folder: Path) -> Work | Fic2BookError:
    """Read ``data`` with ``reader`` from a file in ``folder``.

    Returns the work, or the :class:`Fic2BookError` it raised; any other exception propagates,
    which is what the fuzz properties catch: a crash that is not the tool's own error.
    """
    path = folder / f"work{READER_SUFFIXES[reader]}"
    path.write_bytes(data)
    try:
        return reader_named(reader).read(path)
    except Fic2BookError as err:
        return err


# ------------------------------------------------------------------------------------------
# Building blocks

#: Text with the characters parsers trip over: markup, quotes, entities, controls, NUL,
#: surrogates' neighbours, right-to-left marks and CJK.
_ALPHABET = st.characters(codec="utf-8", exclude_categories=["Cs"])
_TRICKY = st.sampled_from(
    [
        "<",
        ">",
        "&",
        "&amp;",
        "&#0;",
        "&#x110000;",
        '"',
        "'",
        "\x00",
        "\x0b",
        "\x1b",
        "\r",
        "\r\n",
        "\u2028",
        "\u202e",
        "\ufeff",
        "--",
        "***",
        ":",
        "Chapter 1",
        "Chapter 2: Two",
        "汉字",
        "../",
        "]]>",
        "<!--",
    ]
)
texts = st.lists(st.one_of(st.text(_ALPHABET, max_size=12), _TRICKY), max_size=8).map("".join)

#: Numbers Python will not convert: more than 4,300 digits (``int()`` refuses them), digits
#: ``str.isdigit()`` accepts and ``int()`` does not (superscripts), other scripts' digits.
_HUGE = "9" * 4301
numbers = st.one_of(
    st.sampled_from(
        [
            _HUGE,
            "1" + "0" * 5000,
            f"{_HUGE},{_HUGE}",
            "²",
            "¹⁰",
            "③",
            "٣٤",
            "१२",
            "-0",
            "+7",
            "1e309",
            "0x10",
            "00000000000000000000001",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
#: Image and link targets with escaped NULs and controls, which reach ``os`` calls as ``\0``.
hostile_urls = st.sampled_from(
    [
        "x%00.png",
        "%00",
        "a%00/../b.png",
        "x\x00y.png",
        "%01%02%0b.png",
        "images/%2e%2e/%00.jpg",
        "x.png%00.html",
        "file:///etc/passwd%00",
    ]
)
#: Dates that parse but do not exist, or lie outside ``datetime``'s range.
odd_dates = st.sampled_from(
    ["0000-01-01", "0001-01-01", "9999-12-31", "10000-01-01", "2024-02-30", "2024-13-45"]
)

#: Seed-format and AO3 labels, right and wrong.
LABELS = [
    "Title",
    "Author",
    "Authors",
    "Rating",
    "Archive Warning",
    "Archive Warnings",
    "Category",
    "Fandom",
    "Relationship",
    "Character",
    "Additional Tags",
    "Language",
    "Series",
    "Collections",
    "Published",
    "Updated",
    "Completed",
    "Words",
    "Chapters",
    "Status",
    "Work ID",
    "URL",
    "Summary",
    "Notes",
    "End Notes",
    "Chapter Summary",
    "Chapter Notes",
    "Chapter End Notes",
    "Kudos",
    "",
    "X",
]
_VALUES = st.one_of(
    texts,
    st.sampled_from(
        [
            "Part 2 of Name",
            "Part 0 of",
            "3/?",
            "0/0",
            "99999999999999999999/1",
            "2024-02-30",
            "1999-01-01",
            "English",
            "xx",
            "-1",
            "1,234",
            "http://127.0.0.1/x",
            "file:///etc/passwd",
        ]
    ),
    numbers,
    numbers.map(lambda n: f"{n}/{n}"),
    numbers.map(lambda n: f"Part {n} of Name"),
    numbers.map(lambda n: f"Name [{n}]"),
    odd_dates,
)

text_inputs = st.builds(
    lambda header, body: ("\n".join(header) + "\n\n" + "\n".join(body)).encode(
        "utf-8", "surrogatepass"
    ),
    st.lists(st.builds(lambda k, v: f"{k}: {v}", st.sampled_from(LABELS), _VALUES), max_size=10),
    st.lists(
        st.one_of(texts, _TRICKY, st.sampled_from(["", "Chapter 3", "* * *", "oOo"])), max_size=12
    ),
)

# ------------------------------------------------------------------------------------------
# HTML trees

_TAGS = [
    "p",
    "div",
    "span",
    "br",
    "hr",
    "em",
    "strong",
    "b",
    "i",
    "u",
    "a",
    "img",
    "h1",
    "h2",
    "h3",
    "blockquote",
    "ul",
    "ol",
    "li",
    "table",
    "tr",
    "td",
    "center",
    "font",
    "pre",
    "code",
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "form",
    "dl",
    "dt",
    "dd",
    "ruby",
    "rt",
    "template",
    "noscript",
    "title",
    "meta",
    "link",
    "base",
    "html",
    "body",
    "head",
]
_ATTRIBUTES = st.sampled_from(
    [
        ("class", "userstuff"),
        ("class", "preface group"),
        ("id", "chapters"),
        ("id", "preface"),
        ("id", "workskin"),
        ("class", "meta"),
        ("class", "tags"),
        ("class", "notes"),
        ("class", "summary"),
        ("class", "chapter"),
        ("class", "endnotes"),
        ("class", "byline"),
        ("class", "heading"),
        ("href", "javascript:alert(1)"),
        ("href", "http://127.0.0.1:9/x"),
        ("src", "file:///etc/passwd"),
        ("src", "../secret.png"),
        ("src", "data:image/png;base64,AAAA"),
        ("style", "background:url(http://127.0.0.1:9/x)"),
        ("onload", "alert(1)"),
        ("align", "center"),
        ("lang", "en"),
        ("dir", "rtl"),
        ("colspan", "99999999"),
        ("size", "+7"),
        ("rel", "attachment"),
    ]
)
#: Attributes whose values are numbers or file names, given the hostile shapes above.
_NUMBER_ATTRIBUTES = st.tuples(
    st.sampled_from(["colspan", "rowspan", "start", "width", "height", "size", "value"]), numbers
)
_NUMBER_STYLES = numbers.map(lambda n: ("style", f"font-weight: {n}; width: {n}px"))
_URL_ATTRIBUTES = st.tuples(st.sampled_from(["src", "href"]), hostile_urls)
_ANY_ATTRIBUTE = st.one_of(_ATTRIBUTES, _NUMBER_ATTRIBUTES, _NUMBER_STYLES, _URL_ATTRIBUTES)


@st.composite
def _element(draw: st.DrawFn, depth: int) -> str:
    tag = draw(st.sampled_from(_TAGS))
    attrs = draw(st.lists(_ANY_ATTRIBUTE, max_size=3))
    opening = "".join(f' {name}="{value}"' for name, value in attrs)
    children = []
    if depth > 0:
        children = draw(st.lists(st.one_of(texts, _element(depth - 1)), max_size=4))
    close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag}"]))
    return f"<{tag}{opening}>{''.join(children)}{close}"


html_fragments = st.lists(st.one_of(texts, _element(3)), max_size=6).map("".join)

#: AO3 download skeleton filled with random fragments, so the AO3 readers get past sniffing.
_AO3_LABELS = st.sampled_from(
    [
        "Rating:",
        "Archive Warning:",
        "Archive Warnings:",
        "Fandom:",
        "Relationship:",
        "Character:",
        "Additional Tags:",
        "Language:",
        "Series:",
        "Stats:",
        "Collections:",
        "Summary",
        "Notes",
        "Chapter Notes",
        "",
    ]
)


_SERIES_LINK = '<a href="https://archiveofourown.org/series/1">Name</a>'
#: What an AO3 ``dd`` may hold: markup, or stats and series parts with hostile numbers.
_AO3_VALUES = st.one_of(
    html_fragments,
    numbers.map(lambda n: f"Published: 2020-01-01 Words: {n} Chapters: {n}/{n} Kudos: {n}"),
    odd_dates.map(lambda d: f"Published: {d} Updated: {d}"),
    numbers.map(lambda n: f"Part {n} of {_SERIES_LINK}"),
)


@st.composite
def ao3_html_inputs(draw: st.DrawFn) -> bytes:
    """An AO3 "Download → HTML" shaped document with random contents."""
    tags = "".join(
        f"<dt>{draw(_AO3_LABELS)}</dt><dd>{draw(_AO3_VALUES)}</dd>"
        for _ in range(draw(st.integers(0, 5)))
    )
    chapters = "".join(
        f'<div class="meta group"><h2 class="heading">{draw(texts)}</h2>'
        f'<blockquote class="userstuff">{draw(html_fragments)}</blockquote></div>'
        f'<div class="userstuff">{draw(html_fragments)}</div>'
        for _ in range(draw(st.integers(0, 3)))
    )
    doc = (
        f"<html><head><title>{draw(texts)}</title></head><body>"
        f'<div id="preface"><p class="message">Posted originally on the Archive of Our Own</p>'
        f'<div class="meta"><dl class="tags">{tags}</dl><h1>{draw(texts)}</h1>'
        f'<div class="byline">by <a rel="author">{draw(texts)}</a></div>'
        f'<p>Summary</p><blockquote class="userstuff">{draw(html_fragments)}</blockquote>'
        f'</div></div><div id="chapters">{chapters}</div>'
        f'<div id="afterword">{draw(html_fragments)}</div></body></html>'
    )
    return doc.encode("utf-8", "surrogatepass")


@st.composite
def ao3_page_inputs(draw: st.DrawFn) -> bytes:
    """A saved AO3 work page shaped document with random contents."""
    meta = "".join(
        f'<dt class="{draw(st.sampled_from(["rating", "fandom", "freeform", "language", "stats"]))}'
        f' tags">{draw(texts)}</dt><dd>{draw(_AO3_VALUES)}</dd>'
        for _ in range(draw(st.integers(0, 5)))
    )
    series = draw(
        numbers.map(
            lambda n: (
                '<dt class="series">Series:</dt><dd class="series"><span class="position">'
                f'Part <a href="https://archiveofourown.org/series/1">{n}</a> of {_SERIES_LINK}'
                "</span></dd>"
            )
        )
        | st.just("")
    )
    chapters = "".join(
        f'<div class="chapter" id="chapter-{n}"><h3 class="title">{draw(texts)}</h3>'
        f'<div class="userstuff module">{draw(html_fragments)}</div></div>'
        for n in range(draw(st.integers(0, 3)))
    )
    doc = (
        f"<html><head><title>{draw(texts)} [Archive of Our Own]</title></head><body>"
        f'<dl class="work meta group">{meta}{series}</dl><div id="workskin">'
        f'<div class="preface group"><h2 class="title heading">{draw(texts)}</h2>'
        f'<h3 class="byline heading"><a rel="author">{draw(texts)}</a></h3></div>'
        f'<div id="chapters">{chapters}{draw(html_fragments)}</div></div></body></html>'
    )
    return doc.encode("utf-8", "surrogatepass")


html_inputs = st.builds(
    lambda head, body: f"<html><head>{head}</head><body>{body}</body></html>".encode(
        "utf-8", "surrogatepass"
    ),
    html_fragments,
    html_fragments,
)

_YAML_VALUES = st.one_of(
    texts.map(repr),
    st.sampled_from(
        [
            "[a, b]",
            "{name: S, part: 2}",
            "2024-01-01",
            "1/?",
            "&a [1]",
            "*a",
            "!!python/object:os.system x",
            "~",
            "[",
            "{",
            "12",
            "&r [a, *r]",
            "&s {k: *s}",
            "*undefined",
            "&x 1",
            "[*x, *x, *x]",
            "!!int x",
            "!!timestamp [1]",
            "[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]",
        ]
    ),
    numbers,
    odd_dates,
)

#: Front matter whose aliases expand nine-fold per level (the YAML "billion laughs").
alias_bombs = st.integers(min_value=1, max_value=9).map(
    lambda levels: "\n".join(
        ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        + [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, levels + 1)]
    )
)

markdown_inputs = st.builds(
    lambda front, body, fenced: (
        (("---\n" + "\n".join(front) + "\n---\n") if fenced else "") + "\n".join(body)
    ).encode("utf-8", "surrogatepass"),
    st.lists(
        st.one_of(
            st.builds(lambda k, v: f"{k.lower()}: {v}", st.sampled_from(LABELS), _YAML_VALUES),
            alias_bombs,
        ),
        max_size=8,
    ),
    st.lists(
        st.one_of(
            texts,
            html_fragments,
            st.sampled_from(["# Chapter 1", "## Two", "***", "---", "```", "> quote", "- item"]),
            hostile_urls.map(lambda url: f"![alt]({url})"),
        ),
        max_size=10,
    ),
    st.booleans(),
)

# ------------------------------------------------------------------------------------------
# EPUB archives

_CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" '
    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    '<rootfile full-path="{path}" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)


def _opf(title: str, metadata: str, items: list[str]) -> str:
    manifest = "".join(
        f'<item id="i{n}" href="{href}" media-type="application/xhtml+xml"/>'
        for n, href in enumerate(items)
    )
    spine = "".join(f'<itemref idref="i{n}"/>' for n in range(len(items)))
    return (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
        'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{title}</dc:title>{metadata}</metadata><manifest>{manifest}</manifest>"
        f"<spine>{spine}</spine></package>"
    )


_OPF_META = st.sampled_from(
    [
        "<dc:creator>An Author</dc:creator>",
        "<dc:language>en</dc:language>",
        "<dc:language>zz-invalid-</dc:language>",
        "<dc:subject>Fluff</dc:subject>",
        "<dc:subject>Explicit</dc:subject>",
        "<dc:description>&lt;p&gt;Summary&lt;/p&gt;</dc:description>",
        "<dc:publisher>Archive of Our Own</dc:publisher>",
        '<dc:identifier id="id">urn:uuid:0</dc:identifier>',
        '<meta name="calibre:series" content="S"/><meta name="calibre:series_index" content="x"/>',
        "<dc:date>2024-13-45</dc:date>",
        "<dc:source>https://archiveofourown.org/works/1</dc:source>",
    ]
)


@st.composite
def epub_inputs(draw: st.DrawFn) -> bytes:
    """A zip that is more or less an EPUB: random members, OPF fields and XHTML bodies."""
    buffer = io.BytesIO()
    opf_path = draw(st.sampled_from(["content.opf", "OEBPS/content.opf", "missing.opf", ""]))
    pages = [f"p{n}.xhtml" for n in range(draw(st.integers(0, 3)))]
    folder = opf_path.rpartition("/")[0]
    with zipfile.ZipFile(buffer, "w") as archive:
        if draw(st.booleans()):
            archive.writestr("mimetype", "application/epub+zip")
        if draw(st.integers(0, 9)):
            archive.writestr("META-INF/container.xml", _CONTAINER.format(path=opf_path))
        metadata = "".join(draw(st.lists(_OPF_META, max_size=6)))
        opf = _opf(
            draw(texts.map(lambda t: t.replace("<", "&lt;").replace("&", "&amp;"))), metadata, pages
        )
        if draw(st.integers(0, 9)) and opf_path:
            archive.writestr(
                opf_path, opf if draw(st.integers(0, 5)) else opf[: draw(st.integers(0, len(opf)))]
            )
        for page in pages:
            body = draw(html_fragments)
            xhtml = (
                '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
                f"<head><title>t</title></head><body>{body}</body></html>"
            )
            name = f"{folder}/{page}" if folder else page
            archive.writestr(name, xhtml.encode("utf-8", "surrogatepass"))
        for name, data in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["a.png", "x/y.css", "toc.ncx", "META-INF/encryption.xml"]),
                    st.binary(max_size=64),
                ),
                max_size=2,
            )
        ):
            archive.writestr(name, data)
    return buffer.getvalue()


#: The near-valid input strategy of each reader.
STRUCTURED: dict[str, st.SearchStrategy[bytes]] = {
    "text": text_inputs,
    "ao3-html": ao3_html_inputs(),
    "ao3-page": ao3_page_inputs(),
    "html": html_inputs,
    "markdown": markdown_inputs,
    "epub": epub_inputs(),
}

#: Raw bytes, with a bias towards each format's opening bytes so sniffing does not end it early.
_PREFIXES = st.sampled_from(
    [b"", b"\xef\xbb\xbf", b"Title: ", b"<html>", b"---\n", b"PK\x03\x04", b"\xff\xfe", b"\x00"]
)
any_bytes = st.builds(lambda prefix, rest: prefix + rest, _PREFIXES, st.binary(max_size=512))
