"""Evidence uploads: checked by size and by content, stored under random names."""

from __future__ import annotations

import hashlib
import math
import os
import secrets
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import filetype
from flask import Response, abort, current_app, send_file
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from conduct.models import EvidenceFile
from core import crypto

# extension -> MIME type the content must be detected as (None: plain text).
ALLOWED: dict[str, str | None] = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "heic": "image/heic",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
    "txt": None,
}
ALLOWED_DESCRIPTION = _l("PDF, Word, OpenDocument, RTF, plain text, JPG, PNG, GIF or HEIC")
_CHUNK = 64 * 1024


class UploadError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StoredUpload:
    storage_key: str
    original_name: str
    content_type: str
    size: int
    sha256: str


def storage_path(storage_key: str) -> Path:
    """Where a file lives: derived from its random key only, never from a name we were given."""
    if not storage_key.isalnum():
        raise ValueError("bad storage key")
    return Path(current_app.config["UPLOAD_FOLDER"]) / storage_key[:2] / storage_key


def size_text(limit: int) -> str:
    """A byte limit as people read it: "10 MB", "1.5 MB", "200 KB" (rounded down)."""
    if limit >= 1024 * 1024:
        return str(_l("%(n)s MB", n=_one_decimal(limit / (1024 * 1024))))
    return str(_l("%(n)s KB", n=_one_decimal(limit / 1024)))


def _one_decimal(value: float) -> str:
    return f"{math.floor(value * 10) / 10:.1f}".removesuffix(".0")


def _display_name(filename: str) -> str:
    name = os.path.basename(filename.replace("\\", "/")).strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"/|?*')
    name = name or "file"
    if len(name) > 255:
        # Shorten the name, not the extension the type check is based on.
        stem, dot, extension = name.rpartition(".")
        if stem and len(extension) <= 10:
            name = stem[: 254 - len(extension)] + dot + extension
        else:
            name = name[:255]
    return name


def _detected_type(extension: str, content: bytes) -> str:
    expected = ALLOWED[extension]
    if expected is None:
        if b"\x00" in content[:8192]:
            raise UploadError(str(_l("The selected file is not a plain text file")))
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            try:
                content.decode("cp1252")
            except UnicodeDecodeError:
                raise UploadError(str(_l("The selected file is not a plain text file"))) from None
        return "text/plain"
    kind = filetype.guess(content)
    # Word 97 files and RTF are not always recognised by magic numbers alone.
    if extension == "rtf" and content.startswith(b"{\\rtf"):
        return expected
    if extension == "doc" and content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return expected
    if kind is None or kind.mime != expected:
        raise UploadError(
            str(_l("The selected file's contents do not match its type (.%(ext)s)", ext=extension))
        )
    return expected


def store_upload(upload: FileStorage) -> StoredUpload:
    """Check and store one uploaded file, or raise UploadError saying why not.

    The content is checked in memory and written only sealed (core/crypto.py):
    no evidence is ever on disk in clear, not even while it is checked.
    """
    original = _display_name(upload.filename or "")
    extension = original.rsplit(".", 1)[-1].lower() if "." in original else ""
    if extension not in ALLOWED:
        raise UploadError(
            str(_l("The selected file must be a %(types)s", types=ALLOWED_DESCRIPTION))
        )
    limit = current_app.config["MAX_UPLOAD_FILE_BYTES"]
    content = bytearray()
    while chunk := upload.stream.read(_CHUNK):
        content += chunk
        if len(content) > limit:
            raise UploadError(
                str(_l("The selected file must be smaller than %(size)s", size=size_text(limit)))
            )
    if not content:
        raise UploadError(str(_l("The selected file is empty")))
    data = bytes(content)
    content_type = _detected_type(extension, data)
    key = secrets.token_hex(16)
    path = storage_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as out:
        out.write(crypto.seal_bytes(data))
    return StoredUpload(key, original, content_type, len(data), hashlib.sha256(data).hexdigest())


def read_stored(storage_key: str) -> bytes | None:
    """A stored file's content in clear, or None if it is gone."""
    path = storage_path(storage_key)
    if not path.exists():
        return None
    return crypto.open_bytes(path.read_bytes())


def attachment(evidence: EvidenceFile) -> Response:
    """A file for download only: never shown inline, never sniffed, in a sandbox. 404 if gone."""
    content = read_stored(evidence.storage_key)
    if content is None:
        abort(404)
    response = send_file(
        BytesIO(content),
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=evidence.original_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def evidence_from(stored: StoredUpload, council_id: int) -> EvidenceFile:
    return EvidenceFile(
        council_id=council_id,
        storage_key=stored.storage_key,
        original_name=stored.original_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
    )


def delete_stored(storage_key: str) -> None:
    storage_path(storage_key).unlink(missing_ok=True)
