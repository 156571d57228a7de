"""Readers: exact text, identity, metadata and clear errors for bad input."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from loaders.document import Document
from loaders.readers import READERS, DocumentError, Reader, read_document, read_text, register

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
PAPERS = sorted(CORPUS.glob("*.txt"))


def test_the_corpus_has_four_papers() -> None:
    assert [p.stem[:3] for p in PAPERS] == ["000", "002", "003", "004"]


@pytest.mark.parametrize("path", PAPERS, ids=lambda p: p.stem[:3])
def test_text_is_the_file_exactly(path: Path) -> None:
    raw = path.read_bytes()
    doc = read_document(path)
    assert doc.text == raw.decode("utf-8")
    assert doc.text.encode("utf-8") == raw
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()
    assert doc.id == path.stem
    assert doc.media_type == "text/plain"
    assert doc.sections and doc.sentences


def test_metadata_title_doi_and_citation() -> None:
    docs = {p.stem[:3]: read_document(p) for p in PAPERS}
    assert docs["000"].metadata["title"].startswith("Nivolumab plus platinum-doublet chemotherapy")
    assert docs["000"].metadata["doi"] == "10.1038/s41467-024-50969-8"  # not a DOI of its reference list
    assert docs["002"].metadata["title"].startswith("Efficacy of atezolizumab combined with platinum")
    assert "doi" not in docs["002"].metadata  # 002 prints DOIs only in its references
    assert docs["003"].metadata["doi"] == "10.1177/17588359231156870"  # printed across two lines
    assert docs["003"].metadata["citation"] == "Ther Adv Med Oncol 2023, Vol. 15: 1–26"
    assert docs["004"].metadata["title"].startswith("Characteristics and treatment outcome in a prospective")
    assert docs["004"].metadata["doi"] == "10.1038/s41416-025-03054-w"
    assert docs["004"].metadata["citation"] == "British Journal of Cancer (2025) 133:316–324"


def test_newlines_and_bom_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    raw = "\ufeffA title\r\n\r\nMedian OS was 13.9 months.\r\n".encode()
    path.write_bytes(raw)
    doc = read_document(path)
    assert doc.text == raw.decode("utf-8")
    assert "\r\n" in doc.text and doc.text.startswith("\ufeff")
    sentence = doc.sentences[-1]
    assert doc.quote(sentence.start, sentence.end) == "Median OS was 13.9 months."


def test_markdown_reader(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# A trial\n\n## Results\n\nMedian PFS was 5.7 months.\n", encoding="utf-8")
    doc = read_document(path)
    assert doc.media_type == "text/markdown"
    assert doc.metadata["title"] == "A trial"
    assert [s.kind for s in doc.sections] == ["title", "results"]


def test_readers_are_a_registry_of_protocol_objects() -> None:
    assert {".txt", ".md"} <= set(READERS)
    assert all(isinstance(reader, Reader) for reader in READERS.values())


def test_a_new_reader_can_join(tmp_path: Path) -> None:
    class Upper:
        media_type = "text/x-upper"

        def read(self, path: Path, raw: bytes) -> Document:
            return read_text(path.stem, raw.decode("utf-8").upper())

    register(".upper", Upper())
    try:
        path = tmp_path / "x.upper"
        path.write_bytes(b"median os was long.")
        assert read_document(path).text == "MEDIAN OS WAS LONG."
    finally:
        del READERS[".upper"]
    with pytest.raises(ValueError, match="dot"):
        register("upper", Upper())


def test_read_text_in_memory() -> None:
    doc = read_text("excerpt", "Results\n\nThe ORR was 56.8%. Median PFS was 5.7 months (95%CI: 5.1–9).")
    assert doc.id == "excerpt"
    assert [doc.quote(s.start, s.end) for s in doc.sentences][1:] == [
        "The ORR was 56.8%.",
        "Median PFS was 5.7 months (95%CI: 5.1–9).",
    ]


# --- bad input -----------------------------------------------------------------------------------


def _error(path: Path, **kwargs: int) -> str:
    with pytest.raises(DocumentError) as info:
        read_document(path, **kwargs)
    message = str(info.value)
    assert str(path) in message  # the message names the file
    assert isinstance(info.value, ValueError)
    return message


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert "empty" in _error(path)


def test_white_space_only_file(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_bytes(b"  \n\t\n")
    assert "empty" in _error(path)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(b"Median OS\x00\x00\x00\rIHDR")
    message = _error(path)
    assert "binary" in message and "offset 9" in message


@pytest.mark.parametrize(("magic", "what"), [(b"%PDF-1.7\n%\xe2\xe3", "PDF"), (b"\x89PNG\r\n", "PNG"),
                                             (b"PK\x03\x04\x14\x00", "ZIP")])
def test_known_binary_formats_are_named(tmp_path: Path, magic: bytes, what: str) -> None:
    path = tmp_path / "paper.txt"
    path.write_bytes(magic + b"rest")
    message = _error(path)
    assert "binary" in message and what in message


def test_latin1_file_names_the_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Title\n\nTreatment-naïve patients".encode("latin-1"))
    message = _error(path)
    assert "not UTF-8" in message and "byte offset 19" in message and "line 3" in message
    assert "0xef" in message


def test_too_large_file(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"Median OS was 13.9 months.\n" * 100)
    message = _error(path, max_bytes=1000)
    assert "too large" in message and "2700 bytes" in message and "1000" in message


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "paper.pdf"
    path.write_bytes(b"%PDF-1.7")
    message = _error(path)
    assert "unsupported" in message and "'.pdf'" in message


def test_missing_file(tmp_path: Path) -> None:
    assert "no such file" in _error(tmp_path / "nothing.txt")


def test_truncated_inside_a_utf8_character(tmp_path: Path) -> None:
    path = tmp_path / "cut.txt"
    path.write_bytes("Ki-67 ≥".encode()[:-1])
    message = _error(path)
    assert "truncated" in message and "byte offset 6" in message


def test_truncated_inside_a_table_row(tmp_path: Path) -> None:
    text = (CORPUS / "000_d94e49e236f24c41.txt").read_text(encoding="utf-8")
    cut = text.index("\tFemale\t12 (32.4)") + len("\tFemale\t12 (32.4)")
    path = tmp_path / "cut_table.txt"
    path.write_text(text[:cut], encoding="utf-8")
    message = _error(path)
    assert "truncated" in message and "table row" in message
    # a complete last line (with its newline) whose trailing tabs an editor removed is fine
    path.write_text(text[:cut] + "\n", encoding="utf-8")
    assert read_document(path).tables


def test_truncated_inside_markup(tmp_path: Path) -> None:
    path = tmp_path / "cut_markup.txt"
    path.write_text("A title\n\nMedian OS was 11.9 months.<sup>1,", encoding="utf-8")
    assert "unclosed markup" in _error(path)


def test_read_text_refuses_empty_text() -> None:
    with pytest.raises(DocumentError, match="excerpt: empty"):
        read_text("excerpt", "   ")
