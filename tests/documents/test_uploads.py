"""Versions as files: what is accepted (by content, not by name), zip bombs, downloads only for
those who may see the document (logged when classified), and comparing versions."""

import hashlib
import io
import os
import re
import struct
import zipfile
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from varna.core.models import AccessLogEntry
from varna.documents import services, uploads
from varna.documents.models import Document, DocumentVersion

TF_SUPPLEMENT = "Kompletterande riktlinje för fastighetssäkerhet – tekniska förvaltningen"
ALARM_STANDARD = "Standard för larm och passersystem"  # classified, owned by TF
SOF_SUPPLEMENT = "Kompletterande riktlinje om hot och våld – socialförvaltningen"

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/>'
    "</Types>"
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Säkerhetspolicy</w:t></w:r></w:p></w:body></w:document>"
)


def docx(main=DOCX_MAIN, document=WORD_XML, extra=()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(main=main))
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", document)
        for name, data in extra:
            archive.writestr(name, data)
    return buffer.getvalue()


def odt(mimetype="application/vnd.oasis.opendocument.text") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("readme.txt", "Not a document.")
        archive.writestr("word/document.xml", WORD_XML)  # but no [Content_Types].xml
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A DOCX-looking archive whose document unpacks to 300 MB of zeros (about 300 KB packed),
    written in pieces so the test never holds the 300 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(main=DOCX_MAIN))
        with archive.open("word/document.xml", "w") as entry:
            zeros = bytes(1 << 20)
            for _ in range(300):
                entry.write(zeros)
    return buffer.getvalue()


def lying_docx() -> bytes:
    """A DOCX whose directory understates the size of [Content_Types].xml: 5 MB unpacked, but
    declared as 1,000 bytes, so the ratio and size checks pass and only a capped read is safe."""
    padding = "<!--" + " " * (5 * 1024 * 1024) + "-->"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(main=DOCX_MAIN) + padding)
        archive.writestr("word/document.xml", WORD_XML)
    data = bytearray(buffer.getvalue())
    name = b"[Content_Types].xml"
    local = data.find(b"PK\x03\x04")  # the first entry is [Content_Types].xml
    struct.pack_into("<I", data, local + 22, 1000)  # local header: uncompressed size
    central = data.find(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, 1000)  # central directory: uncompressed size
    return bytes(data)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()]


def doc(title) -> Document:
    return Document.objects.get(title=title)


def upload(client, document, name, content, note="Ny version"):
    return client.post(
        reverse("documents:version-upload", args=[document.pk]),
        {"file": SimpleUploadedFile(name, content), "note": note},
    )


def download(client, version):
    response = client.get(reverse("documents:version-file", args=[version.pk]))
    # Reading the streamed body to its end closes the file (the test client's wrapper); calling
    # response.close() ourselves would fire request_finished and close the test's database
    # connection on PostgreSQL.
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, body


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Säkerhetspolicy.pdf", PDF, "application/pdf"),
        ("Riktlinje.docx", docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("Rutin.odt", odt(), "application/vnd.oasis.opendocument.text"),
    ],
)
def test_a_document_file_is_accepted_stored_under_a_random_name_and_downloaded(
    client_for, demo, media, name, content, content_type
):
    document = doc(TF_SUPPLEMENT)
    chef = client_for("chef")  # head of TF: may change TF's documents
    response = upload(chef, document, name, content, note="Inläst från Word")
    assert response.status_code == 302, response.content.decode()[:3000]
    version = document.versions.get(number=2)
    assert (version.file_name, version.file_type, version.file_size) == (name, content_type, len(content))
    assert version.note == "Inläst från Word" and version.text == ""
    assert re.fullmatch(r"documents/\d{4}/[0-9a-f]{32}\.(pdf|docx|odt)", version.file.name)
    assert version.file.name.rsplit(".", 1)[1] == name.rsplit(".", 1)[1]
    [stored] = stored_files(media)
    assert stored.read_bytes() == content
    assert version.sha256 == hashlib.sha256(content).hexdigest()

    response, body = download(chef, version)
    assert response.status_code == 200
    assert body == content
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment; ")
    assert "filename*=UTF-8''" + quote(name) in response["Content-Disposition"]


def test_a_non_ascii_name_is_sent_for_every_browser(client_for, demo, media):
    document = doc(TF_SUPPLEMENT)
    chef = client_for("chef")
    upload(chef, document, "Säkerhetspolicy.pdf", PDF)
    response, _ = download(chef, document.versions.get(number=2))
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Sakerhetspolicy.pdf\"; filename*=UTF-8''S%C3%A4kerhetspolicy.pdf"
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("policy.pdf", b"MZ\x90\x00\x03" + bytes(2000), "The file is a program, not a document."),
        ("policy.pdf", b"\x7fELF\x02\x01\x01" + bytes(2000), "The file is a program, not a document."),
        ("riktlinje.docx", plain_zip(), "The file is a ZIP archive but not a Word (DOCX) or OpenDocument (ODT)"),
        ("mall.dotx", docx(main=DOCX_MAIN.replace(".document.", ".template.")), "a ZIP archive but not a Word"),
        ("bok.odt", odt("application/epub+zip"), "The file is a ZIP archive but not a Word (DOCX)"),
        ("gammal.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000), "the old Word format (.doc)"),
        ("skräp.pdf", b"\x00\x01garbage" * 100, "The file is not a PDF, Word (DOCX) or OpenDocument (ODT)"),
        ("tom.pdf", b"", "file is empty."),  # Django's own message
        ("trasig.docx", b"PK\x03\x04" + b"\x00" * 200, "The file is damaged"),
        ("bomb.docx", zip_bomb(), "zip bomb"),
        ("ljuger.docx", lying_docx(), "The file"),
    ],
    ids=["exe", "elf", "zip", "dotx", "epub", "doc", "garbage", "empty", "broken-zip", "zip-bomb", "lying-sizes"],
)
def test_anything_but_a_document_is_refused_and_nothing_is_stored(client_for, demo, media, name, content, message):
    document = doc(TF_SUPPLEMENT)
    before = DocumentVersion.objects.count()
    response = upload(client_for("chef"), document, name, content)
    assert response.status_code == 200
    page = response.content.decode()
    errors = re.search(r'<div class="errors" id="id_file_error">(.*?)</div>', page, re.S)
    assert errors, page
    assert message in errors.group(1).replace("&quot;", '"').replace("&#x27;", "'")
    assert DocumentVersion.objects.count() == before
    assert stored_files(media) == []


def test_a_lying_archive_is_read_with_a_cap(demo):
    # The declared 1,000 bytes pass every bound; the read stops there and the checksum fails.
    with pytest.raises(ValidationError) as refused:
        uploads.validate(SimpleUploadedFile("x.docx", lying_docx()))
    assert refused.value.code == "damaged"


def test_archive_bounds_come_from_settings(settings):
    many = docx(extra=[(f"word/media/{i}.txt", f"{i}") for i in range(20)])
    settings.VARNA_UPLOAD_MAX_ENTRIES = 10
    with pytest.raises(ValidationError) as refused:
        uploads.validate(SimpleUploadedFile("many.docx", many))
    assert refused.value.code == "zip_bomb"
    settings.VARNA_UPLOAD_MAX_ENTRIES = 10_000

    # Incompressible content: no ratio to catch, but more than the total allowed.
    big = docx(extra=[("word/media/image1.bin", os.urandom(300_000))])
    settings.VARNA_UPLOAD_MAX_UNCOMPRESSED = 200_000
    with pytest.raises(ValidationError) as refused:
        uploads.validate(SimpleUploadedFile("big.docx", big))
    assert refused.value.code == "zip_bomb"
    settings.VARNA_UPLOAD_MAX_UNCOMPRESSED = 1_000_000
    assert uploads.validate(SimpleUploadedFile("big.docx", big)).content_type == uploads.DOCX

    # One highly compressible entry (a ratio above 100) is refused even when small.
    padded = docx(document=WORD_XML + " " * 50_000)
    with pytest.raises(ValidationError) as refused:
        uploads.validate(SimpleUploadedFile("padded.docx", padded))
    assert refused.value.code == "zip_bomb"


def test_an_oversized_file_gets_a_form_error(client_for, demo, media, settings):
    settings.VARNA_UPLOAD_MAX_SIZE = 1000
    document = doc(TF_SUPPLEMENT)
    response = upload(client_for("chef"), document, "stor.pdf", PDF + b"%" * 5000, note="Stor")
    assert response.status_code == 200
    page = response.content.decode()
    assert "The file is too large: at most 1000" in page
    assert 'value="Stor"' in page  # the rest of the form survives
    assert document.versions.count() == 1
    assert stored_files(media) == []


def test_an_oversized_file_over_the_temporary_file_threshold_is_dropped_while_arriving(
    client_for, demo, media, settings
):
    # Larger than FILE_UPLOAD_MAX_MEMORY_SIZE, so it would go to a temporary file.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10_000
    settings.FILE_UPLOAD_TEMP_DIR = str(media)
    settings.VARNA_UPLOAD_MAX_SIZE = 100_000
    response = upload(client_for("chef"), doc(TF_SUPPLEMENT), "stor.pdf", PDF + b"%" * 300_000)
    assert "The file is too large" in response.content.decode()
    assert stored_files(media) == []

    # Within the limit but above the memory threshold: accepted through the temporary file.
    response = upload(client_for("chef"), doc(TF_SUPPLEMENT), "mellan.pdf", PDF + b"%" * 50_000)
    assert response.status_code == 302
    assert len(stored_files(media)) == 1


def test_a_request_without_a_file_gets_a_form_error(client_for, demo, media):
    document = doc(TF_SUPPLEMENT)
    response = client_for("chef").post(reverse("documents:version-upload", args=[document.pk]), {"note": "x"})
    assert response.status_code == 200
    assert "Choose the file to upload." in response.content.decode()
    assert document.versions.count() == 1


def test_the_upload_form_is_shown_and_csrf_is_still_checked(client_for, user_for, demo, media):
    document = doc(TF_SUPPLEMENT)
    page = client_for("chef").get(reverse("documents:version-upload", args=[document.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "at most 20.0" in page
    strict = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    strict.force_login(user_for("chef"))
    response = strict.post(
        reverse("documents:version-upload", args=[document.pk]), {"file": SimpleUploadedFile("a.pdf", PDF)}
    )
    assert response.status_code == 403
    assert document.versions.count() == 1


@pytest.mark.parametrize("login", ["lasare", "medarbetare"])
def test_users_outside_the_unit_get_404_for_upload_and_download(client_for, demo, media, login):
    document = doc(TF_SUPPLEMENT)
    upload(client_for("chef"), document, "a.pdf", PDF)
    version = document.versions.get(number=2)
    outsider = client_for(login)
    assert outsider.get(reverse("documents:version-upload", args=[document.pk])).status_code == 404
    assert upload(outsider, document, "b.pdf", PDF).status_code == 404
    assert download(outsider, version)[0].status_code == 404
    assert outsider.get(reverse("documents:compare", args=[document.pk])).status_code == 404
    assert document.versions.count() == 2
    assert len(stored_files(media)) == 1


def test_a_reader_may_download_but_not_upload(client_for, demo, media):
    document = doc(SOF_SUPPLEMENT)
    upload(client_for("samordnare"), document, "Hot och våld.pdf", PDF)
    reader = client_for("lasare")  # reader on SOF
    response, body = download(reader, document.versions.get(number=2))
    assert response.status_code == 200 and body == PDF
    assert upload(reader, document, "c.pdf", PDF).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, demo, media):
    document = doc(TF_SUPPLEMENT)
    version = document.versions.get()
    for url in (
        reverse("documents:version-upload", args=[document.pk]),
        reverse("documents:version-file", args=[version.pk]),
        reverse("documents:compare", args=[document.pk]),
    ):
        assert client.get(url).status_code == 302
    assert client.post(reverse("documents:version-upload", args=[document.pk]), {}).status_code == 302


def test_downloads_of_a_classified_document_are_logged_and_refused_without_the_right(client_for, demo, media):
    document = doc(ALARM_STANDARD)
    assert document.is_classified
    response = upload(client_for("samordnare"), document, "Larm och passer.pdf", PDF)
    assert response.status_code == 302
    version = document.versions.get(number=2)

    AccessLogEntry.objects.all()._raw_delete(AccessLogEntry.objects.db)
    response, body = download(client_for("forvaltningssamordnare"), version)
    assert response.status_code == 200 and body == PDF
    entry = AccessLogEntry.objects.get(action="download")
    assert entry.object_id == str(document.pk) and entry.user.username == "forvaltningssamordnare"
    assert entry.path == reverse("documents:version-file", args=[version.pk])

    # The head of TF changes TF's documents but may not see classified ones.
    assert download(client_for("chef"), version)[0].status_code == 404
    assert AccessLogEntry.objects.filter(action="download").count() == 1


def test_the_detail_page_links_files_through_the_download_view(client_for, demo, media):
    document = doc(TF_SUPPLEMENT)
    chef = client_for("chef")
    upload(chef, document, "Fastighetssäkerhet.pdf", PDF)
    version = document.versions.get(number=2)
    page = chef.get(document.get_absolute_url()).content.decode()
    assert f'href="{reverse("documents:version-file", args=[version.pk])}"' in page
    assert "/media/" not in page and version.file.name not in page
    assert reverse("documents:version-upload", args=[document.pk]) in page
    assert "Compare with the previous version" in page
    assert f"{reverse('documents:compare', args=[document.pk])}?fran=1&amp;till=2" in page


def test_media_is_not_served(client_for, demo, media):
    document = doc(TF_SUPPLEMENT)
    chef = client_for("chef")
    upload(chef, document, "a.pdf", PDF)
    version = document.versions.get(number=2)
    assert chef.get(f"/media/{version.file.name}").status_code == 404


def test_compare_shows_added_and_removed_lines(client_for, demo, user_for):
    document = doc(TF_SUPPLEMENT)
    old = document.versions.get().text
    new = old.replace("lås, larm och passersystem", "lås, larm, kameror och passersystem") + "Ny rad om nycklar.\n"
    services.add_version(document, user_for("chef"), text=new, note="Kameror")
    response = client_for("chef").get(reverse("documents:compare", args=[document.pk]), {"fran": 1, "till": 2})
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r"<del><span class=\"visually-hidden\">Removed: </span>.*lås, larm och passersystem", page)
    assert re.search(r"<ins><span class=\"visually-hidden\">Added: </span>.*kameror och passersystem", page)
    assert re.search(r"<ins>.*Ny rad om nycklar\.</ins>", page)
    assert "Lines added: 2. Lines removed: 1." in page
    assert "# Fastighetssäkerhet" in page  # unchanged context

    # Without parameters: the newest version against the one before it.
    assert "Lines added: 2" in client_for("chef").get(reverse("documents:compare", args=[document.pk])).content.decode()


def test_compare_with_bad_parameters_explains_instead_of_failing(client_for, demo):
    document = doc(TF_SUPPLEMENT)
    url = reverse("documents:compare", args=[document.pk])
    page = client_for("chef").get(url, {"fran": "abc", "till": "99"}).content.decode()
    assert "fewer than two versions" in page
    services.add_version(document, None, text="Annan text")
    page = client_for("chef").get(url, {"fran": "1", "till": "99"}).content.decode()
    assert "Choose two versions of this document to compare." in page


def test_compare_of_files_shows_their_details(client_for, demo, media):
    document = doc(TF_SUPPLEMENT)
    chef = client_for("chef")
    upload(chef, document, "a.pdf", PDF)
    upload(chef, document, "b.pdf", PDF)
    upload(chef, document, "c.pdf", PDF + b"% changed\n")
    url = reverse("documents:compare", args=[document.pk])
    same = chef.get(url, {"fran": 2, "till": 3}).content.decode()
    assert "The files are identical." in same and "a.pdf" in same and "b.pdf" in same
    different = chef.get(url, {"fran": 3, "till": 4}).content.decode()
    assert "The files are different." in different
    assert DocumentVersion.objects.get(document=document, number=4).sha256 in different
    mixed = chef.get(url, {"fran": 1, "till": 2}).content.decode()
    assert "One version is a file and the other is text" in mixed


def test_compare_of_a_classified_document_is_logged(client_for, demo):
    document = doc(ALARM_STANDARD)
    services.add_version(document, None, text="Ny text")
    AccessLogEntry.objects.all()._raw_delete(AccessLogEntry.objects.db)
    response = client_for("forvaltningssamordnare").get(reverse("documents:compare", args=[document.pk]))
    assert response.status_code == 200
    assert AccessLogEntry.objects.filter(action="compare", object_id=str(document.pk)).count() == 1
    assert client_for("chef").get(reverse("documents:compare", args=[document.pk])).status_code == 404


def test_text_diff_counts_and_skips_unchanged_lines():
    from varna.documents.file_views import text_diff

    old = "\n".join(f"rad {i}" for i in range(1, 21))
    new = old.replace("rad 10", "rad tio")
    diff = text_diff(old, new)
    assert (diff.added, diff.removed) == (1, 1)
    [hunk] = diff.hunks
    assert hunk.skipped == 6 and diff.trailing == 7
    assert [kind for kind, *_ in hunk.lines] == ["same"] * 3 + ["removed", "added"] + ["same"] * 3
    assert text_diff("a\nb", "a\nb").hunks == []


def test_file_names_are_cleaned():
    assert uploads.clean_name("../../etc/passwd") == "passwd"
    assert uploads.clean_name("C:\\Users\\x\\Policy.pdf") == "Policy.pdf"
    assert uploads.clean_name("evil\u202efdp.exe") == "evilfdp.exe"
    assert uploads.clean_name("") == "document"
    assert len(uploads.clean_name("a" * 300 + ".pdf")) == 255
    assert uploads.clean_name("a" * 300 + ".pdf").endswith(".pdf")
    assert uploads.download_name("rapport", uploads.PDF) == "rapport.pdf"


def test_a_crafted_body_django_cannot_parse_is_a_400_not_a_500(client_for, demo, media, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    document = doc(TF_SUPPLEMENT)
    response = upload(client_for("chef"), document, "a.pdf", PDF, note="x" * 5000)
    assert response.status_code == 400
    assert document.versions.count() == 1
    assert stored_files(media) == []
