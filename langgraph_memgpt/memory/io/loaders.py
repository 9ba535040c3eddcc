"""Reading a document file into sections of plain text, each with its page or heading.

A citation is only as good as what the loader knows: a PDF knows its pages (``pypdf``, pure
Python, one section per page), Markdown knows its headings (LangChain's
``MarkdownHeaderTextSplitter``), and HTML is turned into Markdown first (``markdownify`` over
BeautifulSoup, scripts and styles dropped) so its ``<h1>``-``<h3>`` become headings too. Any
other file is read as UTF-8 text. The parsers are the ``documents`` extra; a missing one is a
clear :class:`MemoryStoreError`, never an ImportError from deep inside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langgraph_memgpt.memory.types import MemoryStoreError

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
PDF_SUFFIXES = frozenset({".pdf"})
TEXT_SUFFIXES = frozenset({".txt", ".text", ".rst", ".log", ".csv", ".tsv", ".json", ".org"})
#: What a directory walk picks up (a named file is read whatever its suffix).
DOCUMENT_SUFFIXES = MARKDOWN_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES | TEXT_SUFFIXES
_HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3")]
_INSTALL = "pip install 'langgraph-memgpt[documents]'"


@dataclass
class Section:
    """A stretch of a document's text and where it sits (page or heading, when known)."""

    text: str
    page: int | None = None
    heading: str | None = None


def kind_of(path: Path) -> str:
    """``markdown``, ``html``, ``pdf`` or ``text``, by suffix."""
    suffix = path.suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in PDF_SUFFIXES:
        return "pdf"
    return "text"


def load_sections(path: Path, data: bytes) -> list[Section]:
    """The sections of the file at ``path`` whose bytes are ``data`` (read once by the
    caller, which hashes the same bytes)."""
    kind = kind_of(path)
    if kind == "pdf":
        return _pdf_sections(path, data)
    text = _decode(path, data)
    if kind == "html":
        text = html_to_markdown(text)
    if kind in ("html", "markdown"):
        return markdown_sections(text)
    return [Section(text)] if text.strip() else []


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise MemoryStoreError(
            f"{path} looks binary (NUL bytes); ingest text, Markdown, HTML or PDF files."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MemoryStoreError(
            f"{path} is not UTF-8 text (byte {exc.start}); convert it to UTF-8 first."
        ) from exc


def _require(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MemoryStoreError(
            f"reading documents needs the {module.split('.')[0]} package: {_INSTALL}"
        ) from exc


def markdown_sections(text: str) -> list[Section]:
    """Markdown split at its first three heading levels; each section names its heading path
    ("Intro > Scope")."""
    splitters = _require("langchain_text_splitters")
    splitter = splitters.MarkdownHeaderTextSplitter(_HEADERS, strip_headers=False)
    sections = []
    for doc in splitter.split_text(text):
        heading = " > ".join(doc.metadata[key] for _, key in _HEADERS if doc.metadata.get(key))
        if doc.page_content.strip():
            sections.append(Section(doc.page_content, heading=heading or None))
    return sections


def html_to_markdown(html: str) -> str:
    """The page's readable text as Markdown (headings kept as ``#``), without scripts."""
    bs4 = _require("bs4")
    markdownify = _require("markdownify")
    soup = bs4.BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    converter = markdownify.MarkdownConverter(heading_style="ATX")
    return str(converter.convert_soup(soup))


def _pdf_sections(path: Path, data: bytes) -> list[Section]:
    import io

    pypdf = _require("pypdf")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # pypdf raises many types for a damaged file
        raise MemoryStoreError(
            f"cannot read the PDF {path} ({type(exc).__name__}: {exc})."
        ) from exc
    return [
        Section(join_wrapped_lines(text), page=i)
        for i, text in enumerate(pages, start=1)
        if text.strip()
    ]


_LIST_ITEM = re.compile(r"^\s*(?:[-*\u2022\u25aa\u2013]|\d{1,3}[.)]|[a-z][.)])\s")
_SOFT_HYPHEN = re.compile(r"(?<=[a-z])-$")


def join_wrapped_lines(text: str) -> str:
    """A PDF page's text with the lines the layout wrapped joined back into paragraphs.

    PDF text comes out one printed line at a time, so a sentence quoted from it would stop
    at the line's end. A line break is kept where a paragraph ends: a blank line, a list item
    after it, a line that ends a sentence short of the page's right margin, or a short line
    that no lowercase word continues (a heading). A word hyphenated across lines is rejoined
    without its hyphen (typesetting's soft hyphen, by far the commonest case).
    """
    lines = [line.strip() for line in text.splitlines()]
    width = max((len(line) for line in lines), default=0)
    out: list[str] = []
    last = ""  # the previous printed line (``out[-1]`` may hold several joined)
    for line in lines:
        if out and line and last and not _LIST_ITEM.match(line):
            short = len(last) < 0.7 * width
            ends = len(last) < 0.85 * width and last.endswith((".", "!", "?", ":"))
            if (line[0].islower() or not short) and not ends:
                if _SOFT_HYPHEN.search(last) and line[0].islower():
                    out[-1] = out[-1][:-1] + line
                else:
                    out[-1] = f"{out[-1]} {line}"
                last = line
                continue
        out.append(line)
        last = line
    return "\n".join(out).strip()
