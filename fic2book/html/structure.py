"""Pass 2 of cleaning: rebuild a prepared fragment into valid blocks, whatever its nesting.

* Runs of ``<br>`` inside a paragraph split it (two = a paragraph break, three or more = a
  scene break); a block inside a paragraph or inside inline markup closes the paragraph and
  re-opens the inline markup after it; stray text between blocks is wrapped in ``<p>``; list
  items, table cells and definition terms stay where their parents allow them.
* Layout whitespace at the edges of blocks and lines is dropped: kept, a space before
  ``</p>`` is set at the end of the last line and strands a word alone on the line before.
* ``<hr>``, text dividers (``***``, ``oOo``, ``◇◇◇``) and runs of empty
  paragraphs longer than the fragment's usual spacing become one scene break; adjacent breaks
  merge and none opens or closes a fragment (:func:`fic2book.html.items.finalise`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from lxml import etree

from fic2book.html.allowlist import BLOCK_TAGS, HEADINGS, PHRASING_BLOCKS, VOID_INLINE
from fic2book.html.items import (
    BREAK,
    EMPTY,
    Item,
    Mark,
    copy_attrs,
    deep_copy,
    extend,
    finalise,
    has_block_child,
)
from fic2book.html.parse import XML_ILLEGAL, Element, text_of
from fic2book.readers.common import is_scene_break

#: Characters that are only space on the page (text made only of these is blank).
_WHITESPACE: Final = " \t\n\r\f\v\u00a0\u200b\u2028\u2029\ufeff"


class _Phrasing:
    """Rebuild phrasing content into one or more blocks shaped like a template element.

    ``split`` (paragraphs): two ``<br>`` in a row end the block, three or more add a scene
    break.  A block found inside (``<p><div>…</div></p>``, ``<em><p>…</p></em>``) ends the
    current block and is emitted after it, unless ``flatten``, where its content continues the
    block after a ``<br>`` (for elements their parent needs whole: ``dt``, ``li``…).  Inline
    elements open at a split are re-opened in the next block, so formatting survives.
    """

    def __init__(self, tag: str, attrib: dict[str, str], *, split: bool, flatten: bool) -> None:
        self.tag = tag
        self.attrib = attrib
        self.split_breaks = split
        self.flatten = flatten
        self.out: list[Item] = []
        # Open inline elements: [source element, its clone in the current block or None,
        # the clone's last child].
        self.stack: list[list[Element | None]] = []
        self.block: Element | None = None
        self.block_last: Element | None = None
        self.pending_br = 0
        self.has_content = False
        self.has_image = False
        # A <br> was just written: the next text starts a line.
        self.after_break = False

    # -- feeding

    def feed_children(self, source: Element) -> None:
        if source.text:
            self.text(source.text)
        for child in source:
            self.feed(child)
            if child.tail:
                self.text(child.tail)

    def feed(self, element: Element) -> None:
        tag = element.tag
        if tag == "br":
            self.pending_br += 1
        elif tag == "img":
            self._flush_breaks()
            image = etree.Element("img", copy_attrs(element))
            self._append(image)
            self.has_content = self.has_image = True
        elif tag in BLOCK_TAGS:
            if self.flatten:
                if tag == "hr":
                    self.pending_br += 1
                    return
                self.pending_br += 1
                self.feed_children(element)
                self.pending_br += 1
                return
            self.end_block()
            if self.split_breaks and self.pending_br >= 3:
                self.out.append(BREAK)
            self.pending_br = 0
            items = block_items(element)
            if self.stack:
                # <em><p>…</p></em>: the formatting around the block still applies inside it.
                for item in items:
                    if isinstance(item, Element) and item.tag in PHRASING_BLOCKS:
                        self._wrap_content(item)
            self.out.extend(items)
        else:
            if tag == "a" and any(
                entry[0] is not None and entry[0].tag == "a" for entry in self.stack
            ):
                # A link inside a link is invalid; the inner one becomes plain text.
                self.feed_children(element)
                return
            self.stack.append([element, None, None])
            self.feed_children(element)
            self.stack.pop()

    def _wrap_content(self, block: Element) -> None:
        """Move ``block``'s content into clones of the open inline elements."""
        outer: Element | None = None
        inner: Element | None = None
        for source, _clone, _last in self.stack:
            assert source is not None
            clone = etree.Element(str(source.tag), copy_attrs(source))
            if inner is None:
                outer = clone
            else:
                inner.append(clone)
            inner = clone
        if outer is None or inner is None:
            return
        inner.text = block.text
        block.text = None
        for child in list(block):
            inner.append(child)
        block.append(outer)

    def text(self, value: str) -> None:
        # A character reference such as "&#1;" puts a control character into the parsed tree
        # that lxml then refuses to store in a new one.
        value = XML_ILLEGAL.sub("", value)
        blank = not value.strip(_WHITESPACE)
        if self.pending_br:
            if blank:
                return
            self._flush_breaks()
        if not self.has_content or self.after_break:
            if blank:
                return
            # Layout whitespace before a block's (or a line's) first word.
            value = value.lstrip(_LAYOUT_SPACE)
            self.after_break = False
        target, last = self._materialise()
        if last is None:
            target.text = (target.text or "") + value
        else:
            last.tail = (last.tail or "") + value
        if not blank:
            self.has_content = True

    # -- building

    def _flush_breaks(self) -> None:
        count, self.pending_br = self.pending_br, 0
        if count == 0 or not self.has_content:
            return
        if self.block is not None:
            # A line ends at the break: a space before it would be set at the line's end.
            _trim_end(self.block)
        self.after_break = True
        if not self.split_breaks:
            for _ in range(min(count, 2)):
                self._append(etree.Element("br"))
        elif count == 1:
            self._append(etree.Element("br"))
        else:
            self.end_block()
            if count >= 3:
                self.out.append(BREAK)

    def _materialise(self) -> tuple[Element, Element | None]:
        """Create the current block and clones of the open inline elements; return the target."""
        if self.block is None:
            self.block = etree.Element(self.tag, self.attrib)
            self.block_last = None
        parent, last = self.block, self.block_last
        for index, entry in enumerate(self.stack):
            source, clone, clone_last = entry
            if clone is None:
                assert source is not None
                clone = etree.SubElement(parent, str(source.tag), copy_attrs(source))
                self._set_last(index - 1, clone)
                entry[1], entry[2] = clone, None
                clone_last = None
            parent, last = clone, clone_last
        return parent, last

    def _set_last(self, index: int, child: Element) -> None:
        if index < 0:
            self.block_last = child
        else:
            self.stack[index][2] = child

    def _append(self, child: Element) -> None:
        target, _ = self._materialise()
        target.append(child)
        self._set_last(len(self.stack) - 1, child)

    def end_block(self) -> None:
        """Close the current block and start a fresh one for whatever follows."""
        block = self.block
        if block is not None and self.has_content:
            _trim_end(block)
            if self.tag in ("p", "div") and not self.has_image and is_scene_break(text_of(block)):
                self.out.append(BREAK)
            else:
                self.out.append(block)
        self.block = None
        self.block_last = None
        self.has_content = self.has_image = self.after_break = False
        for entry in self.stack:
            entry[1] = entry[2] = None

    def finish(self) -> list[Item]:
        """Return the blocks built; a trailing run of three ``<br>`` still counts as a break."""
        trailing = self.pending_br if self.has_content else 0
        self.pending_br = 0
        self.end_block()
        if self.split_breaks and trailing >= 3:
            self.out.append(BREAK)
        return self.out


#: Source-layout whitespace (not the no-break or zero-width spaces an author typed).
_LAYOUT_SPACE: Final = " \t\n\r\f"


def _trim_end(element: Element) -> bool:
    """Remove layout whitespace at the end of ``element``, however deep its last text sits.

    AO3 writes a newline before ``</p>``; kept, it is a space set at the end of the last line,
    and the line breaker then breaks the line before it early, leaving one word alone there.
    Text is visited backwards (the last child's tail, inside that child, …, the element's own
    text) until something other than whitespace, or an image, is met; True when it was.
    """
    for child in reversed(element):
        if child.tail:
            child.tail = child.tail.rstrip(_LAYOUT_SPACE)
            if child.tail:
                return True
        if child.tag in VOID_INLINE or _trim_end(child):
            return True
    if element.text:
        element.text = element.text.rstrip(_LAYOUT_SPACE)
        if element.text:
            return True
    return False


def _phrasing_items(
    source: Element, tag: str, attrib: dict[str, str], *, split: bool, flatten: bool
) -> list[Item]:
    builder = _Phrasing(tag, attrib, split=split, flatten=flatten)
    builder.feed_children(source)
    return builder.finish()


def flow_items(source: Element) -> list[Item]:
    """Normalise the children of a flow container: stray phrasing becomes ``<p>`` blocks."""
    return _phrasing_items(source, "p", {}, split=True, flatten=False)


def block_items(element: Element) -> list[Item]:
    """Normalise one block element into zero or more valid blocks (or marks)."""
    tag = str(element.tag)
    attrib = copy_attrs(element)
    if tag == "hr":
        return [BREAK]
    if tag == "p":
        items = _phrasing_items(element, "p", attrib, split=True, flatten=False)
        return items or [EMPTY]
    if tag in HEADINGS:
        items = _phrasing_items(element, tag, attrib, split=False, flatten=True)
        if len(items) == 1 and isinstance(items[0], Element) and is_scene_break(text_of(items[0])):
            return [BREAK]
        return items
    if tag in ("dt", "caption", "figcaption"):
        # Only valid inside their parent; out of place they are paragraphs.
        return _phrasing_items(element, "p", attrib, split=True, flatten=False)
    if tag in ("div", "address", "figure", "blockquote"):
        return _container_items(element, tag, attrib)
    if tag in ("ul", "ol"):
        result = _list(element, tag, attrib)
        # A list with nothing in it is nothing (not one empty bullet).
        return [result] if text_of(result) or result.find(".//img") is not None else []
    if tag == "dl":
        return [_definition_list(element, attrib)]
    if tag == "table":
        return [_table(element, attrib)]
    if tag == "pre":
        copy = etree.Element("pre", attrib)
        copy.text = element.text
        for child in element:
            copy.append(deep_copy(child))
        nested = {str(e.tag) for e in copy.iter() if e is not copy and e.tag in BLOCK_TAGS}
        if nested:
            etree.strip_tags(copy, *nested)
        return [copy]
    if tag in ("li", "dd", "td", "th"):
        # Out of their parent: their content, as a container.
        return _container_items(element, "div", attrib)
    # tr, thead… outside a table: keep the text.
    return _container_items(element, "div", {})


def _container_items(element: Element, tag: str, attrib: dict[str, str]) -> list[Item]:
    """A ``div``/``blockquote``/``figure``: a paragraph when it holds only phrasing."""
    if tag == "div" and not has_block_child(element):
        # A div used as a paragraph (one per line, as some editors write): a <p>.
        items = _phrasing_items(element, "p", attrib, split=True, flatten=False)
        return items or [EMPTY]
    items = finalise(flow_items(element), edges=True)
    if tag == "div" and not attrib:
        # A bare wrapper adds nothing; its blocks join the parent's (and its breaks merge).
        return items or [EMPTY]
    if all(isinstance(item, Mark) for item in items):
        return items or ([EMPTY] if tag == "div" else [])
    container = etree.Element(tag, attrib)
    extend(container, items)
    return [container]


def _flow_or_phrasing(element: Element, tag: str) -> Element:
    """``li``, ``dd``, ``td``, ``th``: blocks when it has block children, else one line."""
    attrib = copy_attrs(element)
    if has_block_child(element):
        container = etree.Element(tag, attrib)
        extend(container, finalise(flow_items(element), edges=True))
        return container
    items = _phrasing_items(element, tag, attrib, split=False, flatten=True)
    for item in items:
        if isinstance(item, Element):
            return item
    return etree.Element(tag, attrib)


def _wrap_strays(
    element: Element, allowed: frozenset[str], wrapper: str
) -> Iterator[tuple[Element, bool]]:
    """Yield the children a structural parent allows, wrapping text and others in ``wrapper``.

    The second value is True for a synthetic wrapper.
    """
    stray = etree.Element(wrapper)
    stray_has_content = False
    stray_last: Element | None = None

    def add_text(value: str | None) -> None:
        nonlocal stray_has_content
        value = XML_ILLEGAL.sub("", value) if value else value
        if value and value.strip(_WHITESPACE):
            if stray_last is None:
                stray.text = (stray.text or "") + value
            else:
                stray_last.tail = (stray_last.tail or "") + value
            stray_has_content = True

    add_text(element.text)
    for child in element:
        tail = child.tail
        if child.tag in allowed:
            if stray_has_content:
                yield stray, True
                stray = etree.Element(wrapper)
                stray_has_content, stray_last = False, None
            yield child, False
        else:
            copy = deep_copy(child)
            copy.tail = None
            stray.append(copy)
            stray_last = copy
            stray_has_content = True
        add_text(tail)
    if stray_has_content:
        yield stray, True


def _list(element: Element, tag: str, attrib: dict[str, str]) -> Element:
    result = etree.Element(tag, attrib)
    for child, _synthetic in _wrap_strays(element, frozenset({"li"}), "li"):
        result.append(_flow_or_phrasing(child, "li"))
    if len(result) == 0:
        etree.SubElement(result, "li")
    return result


def _definition_list(element: Element, attrib: dict[str, str]) -> Element:
    result = etree.Element("dl", attrib)
    for child, _synthetic in _wrap_strays(element, frozenset({"dt", "dd"}), "dd"):
        if child.tag == "dt":
            items = _phrasing_items(child, "dt", copy_attrs(child), split=False, flatten=True)
            result.append(next((i for i in items if isinstance(i, Element)), etree.Element("dt")))
        else:
            result.append(_flow_or_phrasing(child, "dd"))
    # HTML allows only groups of terms followed by descriptions: ``<dl><dd>`` (the old
    # indentation trick) gets an empty term first, and a closing term an empty description.
    if len(result) and result[0].tag == "dd":
        result.insert(0, etree.Element("dt"))
    if len(result) and result[-1].tag == "dt":
        etree.SubElement(result, "dd")
    return result


def _table(element: Element, attrib: dict[str, str]) -> Element:
    result = etree.Element("table", attrib)
    sections = frozenset({"caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr"})
    caption_done = False
    for child, _synthetic in _wrap_strays(element, sections, "td"):
        tag = str(child.tag)
        if tag == "caption":
            if caption_done:
                continue
            caption_done = True
            items = _phrasing_items(child, "caption", copy_attrs(child), split=False, flatten=True)
            caption = next((i for i in items if isinstance(i, Element)), None)
            if caption is not None:
                result.insert(0, caption)
        elif tag in ("colgroup", "col"):
            result.append(deep_copy(child))
        elif tag in ("thead", "tbody", "tfoot"):
            section = etree.SubElement(result, tag, copy_attrs(child))
            for row, _ in _wrap_strays(child, frozenset({"tr"}), "td"):
                section.append(_row(row))
        else:
            result.append(_row(child))
    return result


def _row(element: Element) -> Element:
    if element.tag != "tr":
        row = etree.Element("tr")
        row.append(_flow_or_phrasing(element, "td"))
        return row
    row = etree.Element("tr", copy_attrs(element))
    for cell, _synthetic in _wrap_strays(element, frozenset({"td", "th"}), "td"):
        row.append(_flow_or_phrasing(cell, str(cell.tag)))
    if len(row) == 0:
        etree.SubElement(row, "td")
    return row
