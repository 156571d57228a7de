"""Readers: a file becomes a :class:`~loaders.document.Document` with its exact text and structure.

``read_document`` picks a reader by the file's suffix from :data:`READERS`; a PDF or JATS reader
joins later by registering an object with ``media_type`` and ``read(path, raw)``. The text is the
file's bytes decoded as strict UTF-8 (a byte-order mark is allowed and kept), without any newline
translation, so every offset points into the file as it is.

Bad input raises :class:`DocumentError`, whose message names the file and the problem:

- empty: no bytes, or nothing but white space;
- too large: more bytes than ``max_bytes`` (checked before reading);
- binary: the signature of a known binary format (PDF, ZIP, images ...) or NUL bytes (with the
  offset of the first one);
- not UTF-8: the byte offset of the first undecodable byte;
- truncated: the file ends in the middle of something, which can be known from the file alone
  only in a few cases: it ends inside a UTF-8 multi-byte character, or it ends without a newline
  in a table row with fewer cells than the rows above it (a table cut mid-row), or its last line opens
  markup that is never closed (``<sup>1``, ``^{1,``). A file that simply stops after a complete
  line is not detectable as truncated and is read;
- unsupported suffix: no reader registered for it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path
from typing import Protocol, runtime_checkable

from loaders import sections as sections_mod
from loaders import sentences as sentences_mod
from loaders import tables as tables_mod
from loaders.document import Document, Section, Table

DEFAULT_MAX_BYTES = 20_000_000


class DocumentError(ValueError):
    """A file that cannot be read as a document; the message names the file and the problem."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


@runtime_checkable
class Reader(Protocol):
    """Turns the raw bytes of one file into a Document."""

    media_type: str

    def read(self, path: Path, raw: bytes) -> Document: ...


_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (DOCX, XLSX, EPUB ...)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an OLE document (DOC, XLS)"),
)


def decode(path: str | Path, raw: bytes) -> str:
    """Decode ``raw`` as strict UTF-8 or raise a :class:`DocumentError` saying where it fails."""
    if not raw:
        raise DocumentError(path, "empty file (0 bytes)")
    for magic, what in _SIGNATURES:
        if raw.startswith(magic):
            raise DocumentError(path, f"binary file: {what}, not text")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise DocumentError(path, f"binary file: NUL byte at byte offset {nul}")
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data" and error.end >= len(raw):
            raise DocumentError(
                path, f"truncated: the file ends inside a UTF-8 character at byte offset {error.start}"
            ) from None
        line = raw.count(b"\n", 0, error.start) + 1
        raise DocumentError(
            path,
            f"not UTF-8: byte 0x{raw[error.start]:02x} at byte offset {error.start} (line {line}; "
            f"{error.reason}); save the file as UTF-8",
        ) from None
    if not text.strip(" \t\r\n\ufeff\u00a0\x0b\x0c"):
        raise DocumentError(path, f"empty file: {len(raw)} bytes of white space only")
    return text


def check_complete(path: str | Path, text: str) -> None:
    """Raise a "truncated" DocumentError when the text visibly stops mid-table-row or mid-markup."""
    stripped = text.rstrip("\r\n")
    last_line = stripped.rsplit("\n", 1)[-1]
    if "\t" in last_line and not text.endswith(("\n", "\r")):
        lines = stripped.split("\n")
        above = [line for line in lines[-6:-1] if "\t" in line]
        if above and last_line.count("\t") < min(line.count("\t") for line in above):
            raise DocumentError(
                path,
                f"truncated: the last line is a table row with {last_line.count(chr(9)) + 1} cells "
                f"where the rows above have {min(line.count(chr(9)) for line in above) + 1}",
            )
    if re.search(r"<sup>[^<]*$|\^\{[^}]*$|<(?:sub|i|b)>[^<]*$", last_line):
        raise DocumentError(path, "truncated: the text ends inside unclosed markup")


_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s<>\"'\])]+)")
_DOI_SPLIT = re.compile(r"\bDOI\s*:?\s*(10\.\d{4,9}/)\s*\n\s*([^\s<>\"']+)", re.IGNORECASE)
_CITATION = (
    re.compile(r"^\W*\*?(?P<journal>[A-Z][\w .&]+?)\*?\s*\((?P<year>\d{4})\)\s*(?P<vol>\d+)\s*:\s*"
               r"(?P<pages>\d+\s*[–-]\s*\d+)", re.MULTILINE),
    re.compile(r"^(?P<journal>[A-Z][A-Za-z .&]{2,60})\s*\n\s*\n\s*(?P<year>\d{4}),\s*Vol\.\s*(?P<vol>\d+)\s*:\s*"
               r"(?P<pages>\d+\s*[–-]\s*\d+)", re.MULTILINE),
)


def metadata(text: str, sections: tuple[Section, ...]) -> dict[str, str]:
    """Title, DOI and citation as printed (only what the text shows)."""
    meta: dict[str, str] = {}
    for section in sections:
        if section.kind == "title":
            meta["title"] = section.title
            break
    else:
        for line in text.splitlines():
            if line.strip(" \t\ufeff#"):
                meta["title"] = line.strip(" \t\ufeff#*")
                break
    outside = [(s.start, s.end) for s in sections if s.kind not in ("references",)]

    def in_body(offset: int) -> bool:
        return any(start <= offset < end for start, end in outside)

    candidates: list[tuple[int, str]] = []
    for m in _DOI_SPLIT.finditer(text):
        candidates.append((m.start(), m.group(1) + m.group(2)))
    for m in _DOI.finditer(text):
        candidates.append((m.start(), m.group(1)))
    for start, doi in sorted(candidates):
        doi = doi.rstrip(".,;:>*")
        if in_body(start) and not doi.endswith("/"):
            meta["doi"] = doi
            break
    for rx in _CITATION:
        found = rx.search(text)
        if found and in_body(found.start()):
            m = found
            meta["citation"] = re.sub(r"\s+", " ", m.group(0).strip(" *\n")).replace("*", "")
            break
    return meta


def build(name: str, path: str, text: str, sha256: str, media_type: str) -> Document:
    """Segment ``text`` into sections, sentences and tables and wrap it as a Document."""
    tables = tables_mod.find_tables(text)
    sections = sections_mod.segment(text, tables)
    placed: list[Table] = []
    for table in tables:
        index = next((n for n, s in enumerate(sections) if s.kind == "table" and s.start <= table.start < s.end
                      or s.kind == "table" and s.start == table.start), None)
        placed.append(dataclasses.replace(table, section=index))
    sentences = sentences_mod.segment(text, sections)
    return Document(
        id=name,
        path=path,
        text=text,
        sha256=sha256,
        media_type=media_type,
        sections=sections,
        sentences=sentences,
        tables=tuple(placed),
        metadata=metadata(text, sections),
    )


class TextReader:
    """Plain text (``.txt``): the converted papers of the corpus."""

    media_type = "text/plain"

    def read(self, path: Path, raw: bytes) -> Document:
        text = decode(path, raw)
        check_complete(path, text)
        return build(path.stem, str(path), text, hashlib.sha256(raw).hexdigest(), self.media_type)


class MarkdownReader(TextReader):
    """Markdown (``.md``): same structure rules; headings are ``#`` lines."""

    media_type = "text/markdown"


READERS: dict[str, Reader] = {".txt": TextReader(), ".md": MarkdownReader(), ".markdown": MarkdownReader()}


def register(suffix: str, reader: Reader) -> None:
    """Register ``reader`` for files ending in ``suffix`` (".pdf", ".xml"); a later one replaces it.

    A reader turns raw bytes into a Document; it can reuse :func:`decode` and :func:`build` (the
    segmentation of a text into sections, sentences and tables) once it has the text.
    """
    if not suffix.startswith("."):
        raise ValueError(f"a suffix starts with a dot: {suffix!r}")
    if not isinstance(reader, Reader):
        raise TypeError(f"{reader!r} has no media_type and read(path, raw)")
    READERS[suffix.lower()] = reader


def read_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read ``path`` with the reader registered for its suffix; raise DocumentError on bad input."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise DocumentError(path, f"unsupported file type {path.suffix or '(no suffix)'!r}; readers exist for {known}")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DocumentError(path, "no such file") from None
    except OSError as error:
        raise DocumentError(path, f"cannot read: {error.strerror or error}") from None
    if path.is_dir():
        raise DocumentError(path, "is a directory, not a file")
    if size > max_bytes:
        raise DocumentError(path, f"too large: {size} bytes, the limit is {max_bytes} bytes")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DocumentError(path, f"cannot read: {error.strerror or error}") from None
    if len(raw) > max_bytes:  # it grew while we looked
        raise DocumentError(path, f"too large: {len(raw)} bytes, the limit is {max_bytes} bytes")
    return reader.read(path, raw)


def read_text(name: str, text: str, *, media_type: str = "text/plain") -> Document:
    """A Document from text in memory (tests, excerpts); ``name`` is its id and path."""
    if not text.strip():
        raise DocumentError(name, "empty text")
    raw = text.encode("utf-8")
    return build(name, name, text, hashlib.sha256(raw).hexdigest(), media_type)
