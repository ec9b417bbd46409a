"""Versions as files: upload, download, and comparing two versions.

Uploaded files live in the default storage (MEDIA_ROOT) under random names and are never served
from there directly: every download goes through `version_file`, which checks that the user may
see the document, logs the read of a classified one and sends the file as an attachment.
"""

import difflib
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET

from varna.core.access_log import log_read

from . import services, uploads
from .models import Document, DocumentVersion, Status

# The states in which a document takes new versions (services.add_version has the rule).
TAKES_VERSIONS = (Status.DRAFT, Status.CONSULTATION, Status.UNDER_REVIEW, Status.IN_FORCE)


class VersionUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("file"),
        required=False,  # a missing file gets our own message, after the size check below
        widget=forms.FileInput(attrs={"accept": ",".join([*uploads.EXTENSIONS.values(), *uploads.EXTENSIONS])}),
    )
    note = forms.CharField(label=gettext_lazy("what changed"), max_length=300, required=False)

    def __init__(self, *args, too_large=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = set(too_large)
        self.fields["file"].help_text = _("PDF, Word (DOCX) or OpenDocument text (ODT), at most %(limit)s.") % {
            "limit": filesizeformat(uploads.limit("SIZE"))
        }

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if "file" in self.too_large:
            raise uploads.size_error()
        if not uploaded:
            raise ValidationError(_("Choose the file to upload."), code="required")
        self.checked = uploads.validate(uploaded)
        return uploaded


@csrf_exempt  # checked by csrf_protect below, once the size guard is in place (see Django's upload docs)
@login_required
def version_upload(request, pk):
    document = get_object_or_404(
        Document.objects.restrict(request.user, "change").select_related("group", "unit"), pk=pk
    )
    # Installed before the request body is read: a file over the limit is dropped as it
    # arrives instead of being written to a temporary file first.
    guard = uploads.SizeLimitUploadHandler(request)
    request.upload_handlers.insert(0, guard)
    return _version_upload(request, document=document, guard=guard)


@csrf_protect
def _version_upload(request, *, document, guard):
    if request.method != "POST":
        form = VersionUploadForm()
    else:
        # A body Django cannot parse (too many fields, a field over DATA_UPLOAD_MAX_MEMORY_SIZE,
        # broken multipart) never comes from this form; Django answers it with 400, already when
        # the CSRF check reads the token. A file over the limit is not such a case: the guard
        # drops it and the form says so.
        form = VersionUploadForm(request.POST, request.FILES, too_large=guard.too_large)
        if form.is_valid():
            version = _save(request, document, form)
            if version is not None:
                messages.success(request, _("Version %(n)s was saved.") % {"n": version.number})
                return redirect(document)
    return render(
        request,
        "documents/version_upload.html",
        {"form": form, "document": document, "takes_versions": document.status in TAKES_VERSIONS},
    )


def _save(request, document, form) -> DocumentVersion | None:
    """Store the checked file under a random name and add the version; on any refusal the stored
    file is removed again, so nothing is left in MEDIA_ROOT."""
    checked: uploads.CheckedFile = form.checked
    file_field = DocumentVersion._meta.get_field("file")
    storage = file_field.storage
    stored = storage.save(file_field.generate_filename(None, checked.storage_name()), form.cleaned_data["file"])
    try:
        with transaction.atomic():
            return services.add_version(
                document,
                request.user,
                note=form.cleaned_data["note"],
                file_fields={
                    "file": stored,
                    "file_name": checked.name,
                    "file_type": checked.content_type,
                    "file_size": checked.size,
                    "sha256": checked.sha256,
                },
            )
    except services.RuleError as exc:
        storage.delete(stored)
        form.add_error(None, str(exc))
    except IntegrityError:
        storage.delete(stored)
        form.add_error(None, _("Someone else added a version at the same moment. Send the file again."))
    except BaseException:
        storage.delete(stored)
        raise
    return None


def content_disposition(name: str) -> str:
    """`attachment` with the file name for every browser: an ASCII fallback in `filename` and
    the exact name in `filename*` (RFC 6266 and RFC 5987)."""
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(c if c.isprintable() and c not in '"\\;%' else "_" for c in fallback).strip() or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@login_required
@require_GET
def version_file(request, pk):
    version = get_object_or_404(
        DocumentVersion.objects.select_related("document").filter(
            document__in=Document.objects.restrict(request.user, "view")
        ),
        pk=pk,
    )
    if not version.file:
        raise Http404
    try:
        handle = version.file.open("rb")
    except OSError:
        raise Http404 from None
    document = version.document
    log_read(request, document, action="download")
    content_type = version.file_type if version.file_type in uploads.EXTENSIONS else "application/octet-stream"
    name = uploads.download_name(version.file_name, content_type)
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@dataclass
class Hunk:
    skipped: int = 0  # unchanged lines left out before this hunk
    lines: list = field(default_factory=list)  # (kind, old number, new number, text)


@dataclass
class TextDiff:
    hunks: list
    added: int
    removed: int
    trailing: int  # unchanged lines left out after the last hunk


def text_diff(old: str, new: str, context: int = 3) -> TextDiff:
    """The changed lines of two texts with `context` unchanged lines around each change."""
    a, b = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    hunks, added, removed, shown_to = [], 0, 0, 0
    for group in matcher.get_grouped_opcodes(context):
        hunk = Hunk(skipped=group[0][1] - shown_to)
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                hunk.lines += [("same", i + 1, j1 + k + 1, a[i]) for k, i in enumerate(range(i1, i2))]
                continue
            if tag in ("replace", "delete"):
                hunk.lines += [("removed", i + 1, None, a[i]) for i in range(i1, i2)]
                removed += i2 - i1
            if tag in ("replace", "insert"):
                hunk.lines += [("added", None, j + 1, b[j]) for j in range(j1, j2)]
                added += j2 - j1
        shown_to = group[-1][2]
        hunks.append(hunk)
    if added == 0 and removed == 0:
        hunks = []
        shown_to = 0
    return TextDiff(hunks=hunks, added=added, removed=removed, trailing=len(a) - shown_to if hunks else 0)


def _number(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


@login_required
@require_GET
def compare(request, pk):
    document = get_object_or_404(Document.objects.restrict(request.user, "view").select_related("group"), pk=pk)
    numbers = list(document.versions.order_by("number").values_list("number", flat=True))
    new_number = _number(request.GET.get("till"))
    old_number = _number(request.GET.get("fran"))
    if new_number is None and numbers:
        new_number = numbers[-1]
    if old_number is None and new_number is not None:
        old_number = max((n for n in numbers if n < new_number), default=None)
    found = {
        v.number: v
        for v in document.versions.filter(
            number__in=[n for n in (old_number, new_number) if n is not None]
        ).select_related("created_by")
    }
    old, new = found.get(old_number), found.get(new_number)
    context = {
        "document": document,
        "numbers": numbers,
        "old": old,
        "new": new,
        "old_number": old_number,
        "new_number": new_number,
    }
    if old is None or new is None:
        if len(numbers) < 2:
            context["problem"] = _("The document has fewer than two versions: there is nothing to compare yet.")
        else:
            context["problem"] = _("Choose two versions of this document to compare.")
        return render(request, "documents/compare.html", context)
    log_read(request, document, action="compare")
    context["pair"] = [old, new]
    if old.file or new.file:
        context["files"] = True
        context["identical"] = bool(old.file and new.file and old.sha256 and old.sha256 == new.sha256)
        context["both_files"] = bool(old.file and new.file)
    else:
        context["diff"] = text_diff(old.text, new.text)
    return render(request, "documents/compare.html", context)
