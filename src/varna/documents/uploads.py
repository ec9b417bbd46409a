"""Uploaded files for document versions: PDF, DOCX and ODT, recognised by their content.

The name a user gives a file says nothing about what it is: an executable renamed to
"policy.pdf" is still an executable. So a file is accepted only if its bytes are a PDF, a Word
document (DOCX) or an OpenDocument text (ODT), and an archive (DOCX and ODT are ZIP files) is
inspected without trusting what it claims about itself: the number of entries, their total
uncompressed size and each entry's compression ratio are bounded before anything is unpacked,
and what is unpacked is read with a cap.

Nothing here knows about requests; the web layer is in file_views.py.
"""

import hashlib
import secrets
import struct
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Limits; each can be overridden in settings (VARNA_UPLOAD_MAX_SIZE and so on).
MAX_SIZE = 20 * 1024 * 1024  # the uploaded file itself
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # sum of an archive's declared uncompressed sizes
MAX_RATIO = 100  # uncompressed / compressed, per archive entry
MAX_ENTRIES = 10_000  # entries in an archive
# The central directory of an archive with MAX_ENTRIES entries and sensible names fits in this;
# checked before Python's zipfile reads the directory into memory.
MAX_DIRECTORY_BYTES_PER_ENTRY = 512
# What is read from inside an archive to recognise it.
MAX_MANIFEST_BYTES = 1024 * 1024

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", ODT: ".odt"}
LABELS = {PDF: "PDF", DOCX: "Word (DOCX)", ODT: "OpenDocument (ODT)"}

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"

CHUNK = 64 * 1024


def limit(name: str) -> int:
    defaults = {
        "SIZE": MAX_SIZE,
        "UNCOMPRESSED": MAX_UNCOMPRESSED,
        "RATIO": MAX_RATIO,
        "ENTRIES": MAX_ENTRIES,
    }
    return getattr(settings, f"VARNA_UPLOAD_MAX_{name}", defaults[name])


def size_error() -> ValidationError:
    return ValidationError(
        _("The file is too large: at most %(limit)s.") % {"limit": filesizeformat(limit("SIZE"))}, code="too_large"
    )


@dataclass
class CheckedFile:
    """What validation found out about an uploaded file."""

    content_type: str
    size: int
    sha256: str
    name: str  # the user's name for it, cleaned

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]

    def storage_name(self) -> str:
        """A random name to store the file under: the user's name never reaches the file system."""
        return f"{secrets.token_hex(16)}{self.extension}"


def validate(uploaded) -> CheckedFile:
    """Check an uploaded file (a Django UploadedFile) by its content; raise ValidationError with a
    message for the user if it is not a PDF, DOCX or ODT within the limits."""
    max_size = limit("SIZE")
    # The size the upload handler counted, checked before anything is read.
    if uploaded.size is not None and uploaded.size > max_size:
        raise size_error()
    digest = hashlib.sha256()
    head = b""
    size = 0
    uploaded.seek(0)
    for chunk in uploaded.chunks(CHUNK):
        size += len(chunk)
        if size > max_size:
            raise size_error()
        if len(head) < 8:
            head += chunk[: 8 - len(head)]
        digest.update(chunk)
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    content_type = _recognise(uploaded, head, size)
    return CheckedFile(content_type=content_type, size=size, sha256=digest.hexdigest(), name=clean_name(uploaded.name))


def _recognise(uploaded, head: bytes, size: int) -> str:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        uploaded.seek(0)
        return _recognise_archive(uploaded.file, size)
    if head.startswith((b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")):
        raise ValidationError(
            _("The file is a program, not a document. Upload a PDF, Word (DOCX) or OpenDocument (ODT) file."),
            code="executable",
        )
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise ValidationError(
            _(
                "The file is in the old Word format (.doc), which can carry macros. "
                "Save it as PDF or as a Word document (DOCX) and upload that."
            ),
            code="doc",
        )
    raise ValidationError(
        _("The file is not a PDF, Word (DOCX) or OpenDocument (ODT) document."),
        code="unknown_type",
    )


def _not_a_document() -> ValidationError:
    return ValidationError(
        _("The file is a ZIP archive but not a Word (DOCX) or OpenDocument (ODT) document."), code="not_a_document"
    )


def _damaged() -> ValidationError:
    return ValidationError(
        _("The file is damaged: it could not be read as a Word (DOCX) or OpenDocument (ODT) document."),
        code="damaged",
    )


def _bomb() -> ValidationError:
    return ValidationError(
        _(
            "The file unpacks to far more than a document does (it looks like a “zip bomb”) "
            "and was refused. Save the document again, or upload it as PDF."
        ),
        code="zip_bomb",
    )


def _directory_size(fp, size: int) -> tuple[int, int]:
    """(entries, bytes) of an archive's central directory, as its end record declares them.

    Finds the end record the way zipfile does (at the very end, or the last one within the
    largest possible comment) so the bound checked here is the one zipfile then reads."""
    tail_length = min(size, 22 + 0xFFFF)
    fp.seek(size - tail_length)
    tail = fp.read(tail_length)
    if tail[-22:-18] == b"PK\x05\x06" and tail[-2:] == b"\x00\x00":
        at = len(tail) - 22
    else:
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            raise _damaged()
    entries, directory = struct.unpack("<HI", tail[at + 10 : at + 16])
    locator = at - 20
    if locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
        # ZIP64: zipfile reads the directory's size from the record just before the locator.
        record = tail[locator - 56 : locator] if locator >= 56 else b""
        if record[:4] != b"PK\x06\x06":
            raise _damaged()
        entries, directory = struct.unpack("<QQ", record[32:48])
    return entries, directory


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """An entry's content, reading at most `cap` bytes whatever its header says."""
    if info.file_size > cap:
        raise _bomb()
    with archive.open(info) as entry:
        data = entry.read(cap + 1)
    if len(data) > cap:
        raise _bomb()
    return data


def _recognise_archive(fp, size: int) -> str:
    max_entries = limit("ENTRIES")
    try:
        entries, directory = _directory_size(fp, size)
        if entries > max_entries or directory > max_entries * MAX_DIRECTORY_BYTES_PER_ENTRY:
            raise _bomb()
        fp.seek(0)
        with zipfile.ZipFile(fp) as archive:
            infos = archive.infolist()
            _check_bounds(infos)
            names = {info.filename for info in infos}
            if infos and infos[0].filename == "mimetype" and infos[0].header_offset == 0:
                if _read_capped(archive, infos[0], 200) == ODT.encode("ascii") and "content.xml" in names:
                    return ODT
                raise _not_a_document()
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                manifest = _read_capped(archive, archive.getinfo("[Content_Types].xml"), MAX_MANIFEST_BYTES)
                if _declares_word_document(manifest):
                    return DOCX
            raise _not_a_document()
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError, ValueError, OSError):
        raise _damaged() from None
    except RuntimeError:  # an encrypted entry (checked above; zipfile says so this way)
        raise _damaged() from None


def _check_bounds(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > limit("ENTRIES"):
        raise _bomb()
    max_ratio = limit("RATIO")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ValidationError(
                _("The document is protected with a password. Remove the password and upload it again."),
                code="encrypted",
            )
        total += info.file_size
        if info.file_size > max_ratio * max(info.compress_size, 1):
            raise _bomb()
    if total > limit("UNCOMPRESSED"):
        raise _bomb()


def _declares_word_document(manifest: bytes) -> bool:
    """Whether [Content_Types].xml declares /word/document.xml as a Word document's main part
    (not a template, nor a macro-enabled document)."""
    # A document type declaration has no place in this file and is how entity expansion
    # attacks start; without one, ElementTree has nothing to expand.
    if b"<!DOCTYPE" in manifest or b"<!ENTITY" in manifest:
        return False
    try:
        root = ET.fromstring(manifest)  # noqa: S314 - no DTD allowed, see above
    except ET.ParseError:
        return False
    for override in root.iter(f"{CONTENT_TYPES_NS}Override"):
        if override.get("PartName", "").lower() == "/word/document.xml" and override.get("ContentType") == DOCX_MAIN:
            return True
    return False


def clean_name(name: str | None) -> str:
    """The user's file name, safe to show and to send back in a header: no path, no control
    characters, at most 255 characters (keeping the extension)."""
    name = PureWindowsPath(PurePosixPath(name or "").name).name
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C").strip(" .")
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: 254 - len(ext)]}.{ext}" if dot and len(ext) <= 10 else name[:255]
    return name or "document"


def download_name(file_name: str, content_type: str) -> str:
    """The name a download gets: the user's, with the extension of what the file really is."""
    extension = EXTENSIONS.get(content_type, "")
    name = file_name or "document"
    if extension and not name.lower().endswith(extension):
        name = f"{name}{extension}"
    return name


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops receiving a file as soon as it passes the size limit, before it is written to a
    temporary file, and remembers which field it was so the form can say why."""

    def __init__(self, request=None, max_size: int | None = None):
        super().__init__(request)
        self.max_size = max_size if max_size is not None else limit("SIZE")
        self.too_large: set[str] = set()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_size:
            self.too_large.add(self.field_name)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None
