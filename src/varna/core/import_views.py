"""An import page as every register's import has it: upload → (what the columns hold) → dry run
→ (what the file's words mean) → import, all or nothing; the refused rows as a workbook.

An import declares what differs (`FileImport`): its kind, who may import, how a file is read
and checked into a plan and how it is written, its template (extending
templates/core/file_import.html with its words and its tables of rows) and where the user goes
after it;
the steps, the file waiting between them (core/pending_uploads.py), the mapping of columns and
words (core/column_mapping.py) and the refused rows (core/refused_rows.py) are here. An area
with more on its page (the analysis of a risk import, the background import of incidents)
uses those modules directly in the same shape.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from . import refused_rows
from .column_mapping import MappingStep
from .import_forms import ImportForm
from .import_plan import Plan
from .models import StaleEditError
from .pending_uploads import PendingUploads
from .tabular import Column, Required, Table

DISPLAY_LIMIT = 500
"""Rows shown per table on the dry-run page; the counts always cover the whole file."""


@dataclass
class FileImport:
    kind: str  # its name for the file waiting and the saved choices
    url_name: str  # the page
    template: str  # extends the page with the dry run's tables; includes the core partials
    may_import: Callable  # request → group, or raises PermissionDenied
    parse: Callable[..., Table]  # (data, filename, group, header_only=False)
    build: Callable[[Table, object, object, dict], Plan]  # (table, group, user, options)
    write: Callable[[bytes, str, object, object, dict], Plan]  # (data, filename, group, user, options): all or nothing
    done: Callable[[object, Plan], tuple[str, str]]  # (request, plan) → (message, URL to go to)
    columns: Callable[[object], Sequence[Column]]
    required: Required
    value_choices: Callable | None = None
    form_class: type[ImportForm] = ImportForm
    context: Callable[[object, object], dict] = field(default=lambda request, group: {})
    changed_message: str = ""
    record_label: str = ""  # what a row is, heading the refused rows (templates/core/file_import.html)

    def __post_init__(self):
        self.pending = PendingUploads(self.kind, f"varna_import_{self.kind}")
        self.mapping = MappingStep(
            self.kind,
            self.pending,
            lambda data, filename, group: self.parse(data, filename, group, header_only=True),
            self.columns,
            self.required,
            self.value_choices,
        )

    @property
    def view(self):
        return login_required(self._view)

    def _view(self, request):
        group = self.may_import(request)
        action = request.POST.get("action", "preview") if request.method == "POST" else ""
        back = reverse(self.url_name)
        if action == "apply":
            return self._apply(request, group)
        if action == "cancel":
            self.pending.discard(request)
            messages.info(request, _("The import was cancelled. Nothing was changed."))
            return redirect(back)
        waiting = self.pending.options

        def form_of_waiting():
            return self.form_class(initial=waiting(request))

        response = refused_rows.handle(
            request,
            self.pending,
            group,
            lambda data, filename: self._read(request, group, data, filename, waiting(request)),
            back,
        )
        if response is None:
            response = self.mapping.handle(
                request,
                group,
                check=lambda data, filename: self._check(
                    request, group, form_of_waiting(), data, filename, waiting(request)
                ),
                render=lambda mapping: self.render(request, group, form_of_waiting(), **mapping),
                back=back,
                read=lambda data, filename: self._read(request, group, data, filename, waiting(request)),
            )
        if response is not None:
            return response
        form = self.form_class(request.POST, request.FILES) if request.method == "POST" else self.form_class()
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read(form.max_bytes + 1)
            return self._check(request, group, form, data, (upload.name or "")[:200], form.options())
        return self.render(request, group, form)

    def render(self, request, group, form, plan=None, token=None, alert=None, mapping=None, mapping_token=None):
        context = {
            "form": form,
            "plan": plan,
            "token": token,
            "alert": alert,
            "mapping": mapping,
            "mapping_token": mapping_token,
            "values_form": None,
            "columns": self.columns(group),
            "required": self.required if not callable(self.required) else (),
            "limit": DISPLAY_LIMIT,
            "record_label": self.record_label,
            **self.context(request, group),
        }
        if plan is not None:
            context.update(
                counts=plan.counts(),
                refused=plan.refused[:DISPLAY_LIMIT],
                added=plan.added[:DISPLAY_LIMIT],
                changed=plan.changed[:DISPLAY_LIMIT],
                unchanged=plan.unchanged[:DISPLAY_LIMIT],
            )
            if mapping_token:
                context["values_form"] = self.mapping.values_form(group, request.user, plan)
        return render(request, self.template, context)

    def _read(self, request, group, data: bytes, filename: str, options: dict):
        table = self.parse(data, filename, group)
        return table, self.build(table, group, request.user, options)

    def _check(self, request, group, form, data: bytes, filename: str, options: dict):
        """The dry run of a file; or, when its columns are not the ones known, the mapping step."""
        table, plan = self._read(request, group, data, filename, options)
        if table.needs_mapping:
            mapping = self.mapping.start(request, group, data, filename, table, options)
            return self.render(request, group, form, **mapping)
        if plan.file_errors:
            self.pending.discard(request)
            if form.is_bound:
                for message in plan.file_errors:
                    form.add_error("file", message)
                return self.render(request, group, form)
            return self.render(request, group, form, alert=" ".join(plan.file_errors))
        token = self.pending.store(request, data, plan.filename, group, options)  # also to choose again
        return self.render(request, group, form, plan, token if plan.can_apply else None, mapping_token=token)

    def _apply(self, request, group):
        loaded = self.pending.load(request, request.POST.get("token", ""), group)
        if loaded is None:
            messages.error(request, _("The checked file is no longer available. Upload it again."))
            return redirect(self.url_name)
        data, filename = loaded
        options = self.pending.options(request)
        try:
            plan = self.write(data, filename, group, request.user, options)
        except (DatabaseError, StaleEditError):
            # Someone changed the same records at the same moment; the transaction was rolled back.
            self.pending.discard(request)
            alert = _("Nothing was imported: the register changed while importing. Check the file again.")
            return self.render(request, group, self.form_class(), alert=alert)
        self.pending.discard(request)
        if not plan.applied:
            if plan.file_errors:
                alert = " ".join([_("Nothing was imported:"), *plan.file_errors])
            elif plan.refused:
                alert = self.changed_message or _(
                    "Nothing was imported: when checked again, the file no longer passes (someone may have "
                    "changed the register meanwhile). Correct the rows below and upload the file again."
                )
            else:
                alert = _("Nothing was imported: there is nothing to add or change.")
            return self.render(request, group, self.form_class(), plan, alert=alert)
        message, url = self.done(request, plan)
        messages.success(request, message + plan.skipped_note())
        return redirect(url)
