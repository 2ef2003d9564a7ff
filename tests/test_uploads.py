"""Evidence uploads: checked by content and size, stored under random names only."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage

from conduct.uploads import (
    StoredUpload,
    UploadError,
    delete_stored,
    read_stored,
    size_text,
    storage_path,
    store_upload,
)

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64
RTF = b"{\\rtf1\\ansi Hello}"
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 512


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


@pytest.fixture
def request_ctx(app: Flask) -> Iterator[Flask]:
    with app.test_request_context():
        yield app


def upload(content: bytes, filename: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=filename)


def files_under(app: Flask) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def refused(content: bytes, filename: str) -> str:
    with pytest.raises(UploadError) as caught:
        store_upload(upload(content, filename))
    return caught.value.message


@pytest.mark.parametrize(
    ("filename", "content", "content_type"),
    [
        ("statement.pdf", PDF, "application/pdf"),
        ("photo.PNG", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("anim.gif", GIF, "image/gif"),
        ("letter.rtf", RTF, "application/rtf"),
        ("letter.doc", DOC, "application/msword"),
        (
            "letter.docx",
            _docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("notes.txt", "Caf\u00e9 notes, 3 March\n".encode(), "text/plain"),
        ("notes.txt", "Caf\u00e9 notes\n".encode("cp1252"), "text/plain"),
    ],
)
def test_allowed_types_are_stored_by_their_detected_content(
    request_ctx, filename, content, content_type
):
    stored = store_upload(upload(content, filename))
    assert isinstance(stored, StoredUpload)
    assert stored.content_type == content_type
    assert stored.original_name == filename
    assert stored.size == len(content)
    assert re.fullmatch(r"[0-9a-f]{64}", stored.sha256)
    path = storage_path(stored.storage_key)
    assert read_stored(stored.storage_key) == content
    # Sealed at rest: the file on disk is not the content.
    assert path.read_bytes() != content and content[:16] not in path.read_bytes()
    assert files_under(request_ctx) == [path]


def test_stored_name_is_random_and_never_the_given_name(request_ctx):
    first = store_upload(upload(PDF, "statement.pdf"))
    second = store_upload(upload(PDF, "statement.pdf"))
    assert first.storage_key != second.storage_key
    for stored in (first, second):
        assert re.fullmatch(r"[0-9a-f]{32}", stored.storage_key)
        path = storage_path(stored.storage_key)
        assert path.parent.parent == Path(request_ctx.config["UPLOAD_FOLDER"])
        assert "statement" not in str(path)


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("invoice.pdf", EXE),
        ("photo.png", PDF),
        ("photo.jpg", PNG),
        ("letter.docx", PDF),
        ("letter.doc", EXE),
        ("letter.rtf", PDF),
    ],
)
def test_extension_that_does_not_match_the_content_is_refused(request_ctx, filename, content):
    extension = filename.rsplit(".", 1)[1]
    assert refused(content, filename) == (
        f"The selected file's contents do not match its type (.{extension})"
    )
    assert files_under(request_ctx) == []


@pytest.mark.parametrize("filename", ["setup.exe", "page.html", "script.js", "README", "x.pdf.exe"])
def test_types_not_on_the_list_are_refused_before_anything_is_written(request_ctx, filename):
    message = refused(PDF, filename)
    assert message.startswith("The selected file must be a PDF, Word, OpenDocument")
    assert files_under(request_ctx) == []


def test_empty_file_is_refused_and_nothing_kept(request_ctx):
    assert refused(b"", "empty.pdf") == "The selected file is empty"
    assert files_under(request_ctx) == []


def test_oversized_file_is_refused_and_the_partial_file_removed(request_ctx):
    request_ctx.config["MAX_UPLOAD_FILE_BYTES"] = 200 * 1024
    big = b"%PDF-1.4\n" + b"0" * (512 * 1024)
    assert refused(big, "scan.pdf") == "The selected file must be smaller than 200 KB"
    assert files_under(request_ctx) == []


def test_oversized_message_names_the_limit_in_megabytes(request_ctx):
    request_ctx.config["MAX_UPLOAD_FILE_BYTES"] = 1024 * 1024
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024)
    assert refused(big, "scan.pdf") == "The selected file must be smaller than 1 MB"
    assert files_under(request_ctx) == []


@pytest.mark.parametrize(
    ("limit", "text"),
    [
        (10 * 1024 * 1024, "10 MB"),
        (1536 * 1024, "1.5 MB"),
        (200 * 1024, "200 KB"),
        (1000, "0.9 KB"),
    ],
)
def test_size_limit_is_described_in_words_people_read(request_ctx, limit, text):
    assert size_text(limit) == text


def test_file_exactly_at_the_limit_is_accepted(request_ctx):
    request_ctx.config["MAX_UPLOAD_FILE_BYTES"] = 64 * 1024
    content = b"%PDF-1.4\n" + b"0" * (64 * 1024 - 9)
    assert store_upload(upload(content, "scan.pdf")).size == 64 * 1024


@pytest.mark.parametrize(
    ("filename", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\evil.pdf", "evil.pdf"),
        ("/absolute/path/report.pdf", "report.pdf"),
        ('a<b>"c|d?.pdf', "abcd.pdf"),
        ("tab\tand\nnewline.pdf", "tabandnewline.pdf"),
    ],
)
def test_path_traversal_name_is_stored_under_a_random_key_and_shown_as_basename(
    request_ctx, tmp_path, filename, shown
):
    stored = store_upload(upload(PDF, filename))
    assert stored.original_name == shown
    folder = Path(request_ctx.config["UPLOAD_FOLDER"]).resolve()
    [path] = files_under(request_ctx)
    assert path.resolve().is_relative_to(folder)
    assert path.name == stored.storage_key
    assert not (tmp_path / "etc").exists()
    assert not (folder.parent / "etc").exists()


def test_very_long_names_are_shortened_keeping_the_extension(request_ctx):
    stored = store_upload(upload(PDF, "x" * 400 + ".pdf"))
    assert stored.original_name == "x" * 251 + ".pdf"


@pytest.mark.parametrize(
    "content",
    [b"plain words\x00then a NUL", b"\x00" * 10],
    ids=["nul-inside", "all-nul"],
)
def test_plain_text_with_nul_bytes_is_refused(request_ctx, content):
    assert refused(content, "notes.txt") == "The selected file is not a plain text file"
    assert files_under(request_ctx) == []


def test_executable_named_txt_is_refused(request_ctx):
    assert refused(EXE, "notes.txt") == "The selected file is not a plain text file"
    assert files_under(request_ctx) == []


def test_storage_path_refuses_keys_that_are_not_plain_tokens(request_ctx):
    for bad in ("../x", "a/b", "", "..", "ab.pdf"):
        with pytest.raises(ValueError):
            storage_path(bad)


def test_delete_stored_removes_the_file_and_tolerates_a_missing_one(request_ctx):
    stored = store_upload(upload(PDF, "statement.pdf"))
    delete_stored(stored.storage_key)
    assert files_under(request_ctx) == []
    delete_stored(stored.storage_key)  # already gone: no error
