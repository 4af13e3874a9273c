"""Reader for an AO3 work page saved from the browser ("Entire Work").

The page is not a download and uses the site's own markup::

    dl.work.meta.group     dt/dd pairs: dd.<type>.tags > ul.commas > li > a.tag for the types
                           rating warning category fandom relationship character freeform;
                           dd.language, dd.series (span.position "Part N of <a>"),
                           dd.collections, dd.stats > dl.stats (published status words
                           chapters comments kudos bookmarks hits)
    #workskin              an inline <style> (the work skin: kept, see fic2book/skin.py), then
      div.preface.group    h2.title, h3.byline, div.summary.module, div.notes.module
                           (with ul.associations: translations, "inspired by")
      #chapters            div.chapter#chapter-N: div.chapter.preface.group (h3.title
                           "Chapter N: Title", h4.byline "Chapter by …", #summary, #notes),
                           div.userstuff.module (starting with a hidden h3.landmark "Chapter
                           Text", dropped), div.end.notes.module; a one-shot has a single
                           div.userstuff whose landmark reads "Work Text:"
      div.afterword        #work_endnotes, #children ("Works inspired by this one")

Everything else on the page (navigation, kudos, comments, the footer) is ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lxml import etree
from markupsafe import Markup

from fic2book.errors import InputError
from fic2book.html.clean import clean_fragment
from fic2book.html.images import AssetCollector, LocalImages
from fic2book.html.parse import Element, class_list, parse_html, text_of
from fic2book.model import Asset, Chapter, SeriesEntry, Work
from fic2book.numbers import parse_whole
from fic2book.readers.ao3_html import chapter_title, walk
from fic2book.readers.ao3_preface import (
    TAG_LABELS,
    Preface,
    parse_byline,
    parse_series,
    parse_stats,
)
from fic2book.readers.common import ao3_absolute_url, read_text, split_list
from fic2book.skin import keeping_classes, page_skin, with_skin

#: dd classes of the tag list and the label they stand for.
_DD_TYPES: dict[str, str] = {
    "rating": "rating",
    "warning": "archive warning",
    "category": "category",
    "fandom": "fandom",
    "relationship": "relationship",
    "character": "character",
    "freeform": "additional tags",
}


def _has_classes(element: Element, *names: str) -> bool:
    classes = class_list(element)
    return all(name in classes for name in names)


def _find(root: Element, tag: str | None, *classes: str) -> Element | None:
    for element in root.iter(tag) if tag else root.iter():
        if isinstance(element.tag, str) and _has_classes(element, *classes):
            return element
    return None


def _quote_in(module: Element | None) -> Element | None:
    return None if module is None else module.find(".//blockquote")


def is_saved_page(root: Element) -> bool:
    """Whether a parsed document is a saved AO3 work page."""
    return _find(root, "dl", "work", "meta") is not None or any(
        e.get("id") == "workskin" for e in root.iter("div")
    )


def work_from_ao3_page(
    html: str | bytes, *, source_name: str, load_asset: Callable[[str], Asset | None]
) -> Work:
    """Parse a saved AO3 work page into a :class:`Work`; raises :class:`InputError` otherwise."""
    root = parse_html(html)
    if not is_saved_page(root):
        raise InputError(f"{source_name}: not a saved AO3 work page (no work meta or #workskin)")
    images = AssetCollector(load_asset)
    preface = Preface()
    meta = _find(root, "dl", "work", "meta")
    if meta is not None:
        _read_meta(meta, preface)
    skin = next((e for e in root.iter("div") if e.get("id") == "workskin"), None)
    if skin is None:
        raise InputError(f"{source_name}: the saved page has no work text (#workskin)")
    work_skin = page_skin(root, f"{source_name}: work skin")
    # The cleaning keeps the classes the skin styles, so that it still applies in the book.
    with keeping_classes(work_skin.classes if work_skin else ()):
        _read_work_preface(skin, preface, source_name, images)
        chapters, chaptered = _read_chapters(skin, preface.authors, source_name, images)
        _read_afterword(skin, preface, source_name, images)
    if not chapters:
        raise InputError(f"{source_name}: the saved page has no chapter text")
    if preface.url is None:
        _url_from_page(root, preface)
    work = preface.build(
        chapters, chaptered=chaptered, assets=images.assets, source_name=source_name
    )
    # AO3 writes the skin in a <style> in the head (a hand-saved page: inside #workskin).
    return with_skin(work, work_skin)


def _read_meta(meta: Element, preface: Preface) -> None:
    for dd in meta.findall("dd"):
        classes = class_list(dd)
        kind = next((_DD_TYPES[c] for c in classes if c in _DD_TYPES), None)
        if kind is not None and "tags" in classes:
            tags = [text_of(a) for a in dd.iter("a") if "tag" in class_list(a)]
            preface.add_tags(TAG_LABELS[kind], tags or split_list(text_of(dd)))
        elif "language" in classes:
            preface.language_name = text_of(dd) or None
        elif "series" in classes:
            positions = [s for s in dd.iter("span") if "position" in class_list(s)]
            for holder in positions or [dd]:
                for entry in _series(holder):
                    if entry not in preface.series:
                        preface.series.append(entry)
        elif "collections" in classes:
            preface.collections.extend(
                c for c in ([text_of(a) for a in dd.iter("a")] or split_list(text_of(dd))) if c
            )
        elif "stats" in classes:
            preface.stats, extras = parse_stats(text_of(dd))
            preface.extras.extend(extras)
        else:
            label = text_of(dd.getprevious()) if dd.getprevious() is not None else ""
            if label.rstrip(":").strip():
                preface.add_field(label.rstrip(":").strip(), dd)


def _series(holder: Element) -> list[SeriesEntry]:
    """One ``span.position``: ``Part 2 of <a>Name</a>``; the part may itself be a link."""
    links = [a for a in holder.iter("a") if "/series/" in (a.get("href") or "")]
    part = parse_whole(text_of(links[0])) if len(links) >= 2 else None
    if part is not None:
        # "Part <a>2</a> of the <a>Name</a>": the first link is the position.
        return [SeriesEntry(text_of(links[-1]), part, ao3_absolute_url(links[-1].get("href")))]
    return parse_series(holder)


def _read_work_preface(
    skin: Element, preface: Preface, source_name: str, images: AssetCollector
) -> None:
    group = next(
        (
            e
            for e in skin.iter("div")
            if _has_classes(e, "preface", "group")
            and "chapter" not in class_list(e)
            and "afterword" not in class_list(e)
        ),
        None,
    )
    if group is None:
        return
    title = _find(group, "h2", "title")
    if title is not None:
        preface.title = text_of(title) or None
    byline = _find(group, None, "byline")
    if byline is not None:
        preface.authors = parse_byline(text_of(byline))
    preface.summary = clean_fragment(
        _quote_in(_find(group, "div", "summary")),
        context=f"{source_name}: summary",
        load_asset=images,
    )
    notes_module = _find(group, "div", "notes")
    notes = clean_fragment(
        _quote_in(notes_module), context=f"{source_name}: notes", load_asset=images
    )
    if notes is not None:
        preface.notes.append(notes)
    associations = _find(group, "ul", "associations")
    if associations is not None:
        holder = etree.Element("div")
        associations.tail = None
        holder.append(associations)
        related = clean_fragment(holder, context=f"{source_name}: related works", load_asset=images)
        if related is not None:
            preface.notes.append(related)


def _read_chapters(
    skin: Element, work_authors: tuple[str, ...], source_name: str, images: AssetCollector
) -> tuple[tuple[Chapter, ...], bool]:
    container = next((e for e in skin.iter("div") if e.get("id") == "chapters"), None)
    if container is None:
        return (), False
    chapter_divs = [
        child
        for child in container
        if child.tag == "div"
        and "chapter" in class_list(child)
        and (child.get("id") or "").startswith("chapter-")
    ]
    if not chapter_divs:
        body = next((c for c in container if c.tag == "div" and "userstuff" in class_list(c)), None)
        text = _body(body if body is not None else container, f"{source_name}: chapter 1", images)
        if text is None:
            return (), False
        return (Chapter(number=1, title=None, body=text),), False
    chapters = []
    for number, div in enumerate(chapter_divs, start=1):
        context = f"{source_name}: chapter {number}"
        heading = _find(div, "h3", "title")
        byline = next((e for e in walk(div) if "byline" in class_list(e) and e.tag != "div"), None)
        authors = parse_byline(text_of(byline)) if byline is not None else ()
        summary = _quote_in(next((e for e in div.iter("div") if e.get("id") == "summary"), None))
        notes = _quote_in(next((e for e in div.iter("div") if e.get("id") == "notes"), None))
        end = _quote_in(_find(div, "div", "end", "notes"))
        body_div = next((c for c in div if c.tag == "div" and "userstuff" in class_list(c)), None)
        chapters.append(
            Chapter(
                number=number,
                title=chapter_title(text_of(heading), number) if heading is not None else None,
                body=_body(body_div, context, images) or Markup(""),
                summary=clean_fragment(summary, context=f"{context} summary", load_asset=images),
                notes=clean_fragment(notes, context=f"{context} notes", load_asset=images),
                end_notes=clean_fragment(end, context=f"{context} end notes", load_asset=images),
                authors=authors if set(authors) != set(work_authors) else (),
            )
        )
    return tuple(chapters), True


def _body(body: Element | None, context: str, images: AssetCollector) -> Markup | None:
    """A chapter body without AO3's hidden "Chapter Text"/"Work Text:" landmark."""
    if body is None:
        return None
    for landmark in [e for e in body.iter("h3") if "landmark" in class_list(e)]:
        parent = landmark.getparent()
        if parent is not None:
            tail = landmark.tail
            landmark.tail = None
            parent.remove(landmark)
            if tail and tail.strip():
                parent.text = (parent.text or "") + tail
    return clean_fragment(body, context=context, load_asset=images)


def _read_afterword(
    skin: Element, preface: Preface, source_name: str, images: AssetCollector
) -> None:
    work_end = next((e for e in skin.iter("div") if e.get("id") == "work_endnotes"), None)
    end = clean_fragment(
        _quote_in(work_end), context=f"{source_name}: end notes", load_asset=images
    )
    if end is not None:
        preface.end_notes.append(end)
    children = next((e for e in skin.iter("div") if e.get("id") == "children"), None)
    listing = children.find(".//ul") if children is not None else None
    if listing is not None and text_of(listing):  # an empty list is nothing, not a heading
        holder = etree.Element("div")
        etree.SubElement(holder, "p").text = "Works inspired by this one:"
        listing.tail = None
        holder.append(listing)
        inspired = clean_fragment(
            holder, context=f"{source_name}: works inspired by this one", load_asset=images
        )
        if inspired is not None:
            preface.end_notes.append(inspired)


def _url_from_page(root: Element, preface: Preface) -> None:
    """The work URL from the page's canonical link or its chapter links."""
    for link in root.iter("link", "a"):
        href = link.get("href") or ""
        if "/works/" in href and (link.tag == "a" or link.get("rel") == "canonical"):
            preface.set_url(href.split("?")[0].split("#")[0].split("/chapters/")[0])
            if preface.url:
                return


class Ao3PageReader:
    """An AO3 work page saved from the browser (``?view_full_work=true``)."""

    def sniff(self, head: bytes) -> int:
        """95 with the work meta list or #workskin, 60 with AO3's page title alone."""
        text = head.lower()
        if b"work meta group" in text or b'id="workskin"' in text:
            return 95
        saved_from_ao3 = b"saved from url=" in text and b"archiveofourown" in text
        if b"[archive of our own]" in text or saved_from_ao3:
            return 60
        return 0

    def read(self, path: Path) -> Work:
        """Parse the page; local images beside it (the browser's ``_files`` folder) are embedded."""
        return work_from_ao3_page(
            read_text(path, markup=True), source_name=path.name, load_asset=LocalImages(path.parent)
        )
