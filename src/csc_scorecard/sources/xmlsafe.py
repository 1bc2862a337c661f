"""Streaming XML with entities and DTDs refused: returns are untrusted input.

A DOCTYPE is rejected outright (no legitimate return carries one, and it is where entity-expansion bombs
live); lxml additionally runs with entity resolution, DTD loading and network access off. Elements are
cleared as soon as the reader has used them, so memory stays flat however large the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from lxml import etree

from .problems import Problems

_PROLOG_LIMIT = 64 * 1024
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_ENCODING_FAULT = re.compile(
    r"invalid bytes in character encoding|not proper UTF-8|encoding error", re.IGNORECASE
)


def local_name(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def as_utf8(head: bytes) -> bytes:
    """The first bytes of a file as UTF-8: a UTF-16 file (with its byte-order mark) re-encoded, so that what
    looks for markup in the bytes finds it in either."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        even = head[: len(head) - len(head) % 2]
        return even.decode("utf-16", errors="ignore").encode("utf-8")
    return head


def check_prolog(path: Path, problems: Problems) -> None:
    """Refuse a DOCTYPE or ENTITY declaration before any parsing starts (in UTF-8 or UTF-16 text)."""
    with path.open("rb") as handle:
        head = as_utf8(handle.read(_PROLOG_LIMIT))
    match = _DOCTYPE.search(head)
    if match:
        line = head[: match.start()].count(b"\n") + 1
        raise problems.fatal(
            f"line {line}", "DOCTYPE", None, "DTDs and entity declarations are not allowed in a return"
        )


def iterparse(
    path: Path, problems: Problems, tags: Sequence[str] | None = None
) -> Iterator[tuple[str, etree._Element]]:
    """(event, element) for 'start' and 'end' events; a syntax error becomes a Problem naming the line.

    With `tags` (local names, in any namespace), only those elements' events come, after the root's start as
    ever: the same stream for a reader that acts on nothing else, without a step in Python for every element.
    """
    check_prolog(path, problems)
    parser = etree.iterparse(
        str(path),
        events=("start", "end"),
        tag=[f"{{*}}{tag}" for tag in tags] if tags else None,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    started = False
    try:
        for event, element in parser:
            if not started:
                started = True
                if element.getparent() is not None:  # the root is not one of the tags
                    yield "start", element.getroottree().getroot()
            yield event, element
        if not started and parser.root is not None:
            yield "start", parser.root
    except etree.XMLSyntaxError as error:
        if tags and not started:  # read again, unfiltered: the root's start may come before the error
            yield from iterparse(path, problems)
            return
        line = error.lineno or 0
        if _ENCODING_FAULT.search(
            error.msg or ""
        ):  # bytes of another encoding (rows pasted from two systems)
            rule = (
                f"not text in the file's encoding (UTF-8 unless its declaration says otherwise): {error.msg}"
            )
            raise problems.fatal(f"line {line}", "file", None, rule) from None
        raise problems.fatal(f"line {line}", "XML", None, f"not well-formed XML: {error.msg}") from None


def release(element: etree._Element) -> None:
    """Free an element and the siblings already read before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def child_text(element: etree._Element, name: str) -> str | None:
    """Text of the first direct child called `name` (namespace ignored)."""
    for child in element:
        if local_name(child.tag) == name:
            return child.text
    return None
