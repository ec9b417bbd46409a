"""Acknowledgements of a governing document: who has read and confirmed which version, requests
to people and to external parties, registering a party's confirmation, and a person's own open
requests with their "Read and confirm" (AL-9)."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from varna.core.access_log import log_read
from varna.core.links import LinkedRecordsField
from varna.core.permissions import get_access
from varna.organisation.models import ExternalParty, OrgUnit, Person

from . import acknowledgements as acks
from .models import Acknowledgement, Document
from .rendering import render_markdown
from .services import RuleError

STATUSES = {
    "open": gettext_lazy("Not yet acknowledged"),
    "acknowledged": gettext_lazy("Acknowledged the version in force"),
    "earlier": gettext_lazy("Acknowledged an earlier version"),
}
WHO = {"people": gettext_lazy("People"), "parties": gettext_lazy("External parties")}
PAGE_SIZE = 100
SEARCH_LIMIT = 50


class UnitRequestForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("unit"), queryset=OrgUnit.objects.none())
    people = forms.BooleanField(
        label=gettext_lazy("Everyone employed in the unit and the units under it"), required=False, initial=True
    )
    parties = forms.BooleanField(
        label=gettext_lazy("Every external party with a contract in force serving the unit or a unit under it"),
        required=False,
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("people") and not cleaned.get("parties"):
            raise forms.ValidationError(_("Choose the unit's people, its external parties or both."))
        return cleaned


class PersonChoiceField(LinkedRecordsField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.unit})"


class PartyChoiceField(LinkedRecordsField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.get_kind_display().lower()})"


class PeopleRequestForm(forms.Form):
    people = PersonChoiceField(
        label=gettext_lazy("people"), queryset=Person.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people


class PartyRequestForm(forms.Form):
    parties = PartyChoiceField(
        label=gettext_lazy("external parties"),
        queryset=ExternalParty.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = parties


class RegisterPartyForm(forms.Form):
    party = forms.ModelChoiceField(label=gettext_lazy("external party"), queryset=ExternalParty.objects.none())

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties


def _choices(request, document):
    """What the user may choose from: units, people and parties they can see in the group."""
    group = document.group
    return (
        OrgUnit.objects.restrict(request.user).filter(group=group).active().order_by("path"),
        Person.objects.restrict(request.user).filter(group=group),
        ExternalParty.objects.restrict(request.user).filter(group=group).order_by("name", "pk"),
    )


def _form_error(request, form) -> None:
    errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    messages.error(request, " ".join(errors) or _("Check what you chose and try again."))


def _report(request, result: acks.Requested, version_number: int) -> None:
    if result.total:
        text = _("Asked %(people)s people and %(parties)s external parties to acknowledge version %(n)s.") % {
            "people": result.people,
            "parties": result.parties,
            "n": version_number,
        }
        if result.already:
            text += " " + ngettext(
                "%(k)s was already asked and was not asked again.",
                "%(k)s were already asked and were not asked again.",
                result.already,
            ) % {"k": result.already}
        messages.success(request, text)
    elif result.already:
        messages.info(
            request,
            _("Everyone chosen was already asked to acknowledge version %(n)s; nobody was asked twice.")
            % {"n": version_number},
        )
    else:
        messages.info(request, _("Nobody was found to ask."))


def _handle_post(request, document) -> None:
    units, people, parties = _choices(request, document)
    action = request.POST.get("action", "")
    try:
        if action == "unit":
            form = UnitRequestForm(request.POST, units=units)
            if not form.is_valid():
                return _form_error(request, form)
            unit = form.cleaned_data["unit"]
            chosen_people = (
                list(acks.people_in_subtree(unit).values_list("pk", flat=True)) if form.cleaned_data["people"] else []
            )
            chosen_parties = (
                list(
                    acks.parties_serving_subtree(unit).filter(pk__in=parties.values("pk")).values_list("pk", flat=True)
                )
                if form.cleaned_data["parties"]
                else []
            )
            if not chosen_people and not chosen_parties:
                messages.info(request, _("Nobody was found to ask in %(unit)s.") % {"unit": unit})
                return None
            version = acks.version_to_acknowledge(document)
            result = acks.request_acknowledgement(
                document, people=chosen_people, parties=chosen_parties, user=request.user
            )
            return _report(request, result, version.number)
        if action == "people":
            form = PeopleRequestForm(request.POST, people=people)
            if not form.is_valid():
                return _form_error(request, form)
            version = acks.version_to_acknowledge(document)
            result = acks.request_acknowledgement(document, people=form.cleaned_data["people"], user=request.user)
            return _report(request, result, version.number)
        if action == "parties":
            form = PartyRequestForm(request.POST, parties=parties)
            if not form.is_valid():
                return _form_error(request, form)
            version = acks.version_to_acknowledge(document)
            result = acks.request_acknowledgement(document, parties=form.cleaned_data["parties"], user=request.user)
            return _report(request, result, version.number)
        if action == "register":
            form = RegisterPartyForm(request.POST, parties=parties)
            if not form.is_valid():
                return _form_error(request, form)
            party = form.cleaned_data["party"]
            acknowledgement = acks.register_party_acknowledgement(party, document, request.user)
            messages.success(
                request,
                _("%(party)s's acknowledgement of version %(n)s was registered.")
                % {"party": party, "n": acknowledgement.version.number},
            )
            return None
        messages.error(
            request, _("Choose what to do: ask people, ask external parties or register an acknowledgement.")
        )
    except RuleError as exc:
        messages.error(request, str(exc))
    return None


def _rows(document, version, status: str, who: str):
    rows = Acknowledgement.objects.filter(document=document)
    if who == "people":
        rows = rows.filter(person__isnull=False)
    elif who == "parties":
        rows = rows.filter(party__isnull=False)
    if status == "open":
        rows = rows.filter(acknowledged_at__isnull=True)
    elif status == "acknowledged":
        rows = rows.filter(acknowledged_at__isnull=False, version=version) if version else rows.none()
    elif status == "earlier":
        rows = rows.filter(acknowledged_at__isnull=False)
        if version:
            rows = rows.exclude(version=version)
    return (
        rows.select_related("person__unit", "party", "version", "requested_by", "registered_by")
        .annotate(
            is_open=Case(
                When(acknowledged_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
            sort_name=Coalesce("person__last_name", "party__name"),
        )
        .order_by("is_open", "-version__number", "sort_name", "person__first_name", "pk")
    )


def _counts(document, version) -> dict:
    if version is None:
        return {"people": 0, "people_done": 0, "parties": 0, "parties_done": 0}
    done = Q(acknowledged_at__isnull=False)
    return Acknowledgement.objects.filter(document=document, version=version).aggregate(
        people=Count("pk", filter=Q(person__isnull=False)),
        people_done=Count("pk", filter=Q(person__isnull=False) & done),
        parties=Count("pk", filter=Q(party__isnull=False)),
        parties_done=Count("pk", filter=Q(party__isnull=False) & done),
    )


@login_required
def acknowledgements(request, pk):
    """Who has and has not acknowledged which version of the document; requests and
    registrations for those who may change the document."""
    document = get_object_or_404(Document.objects.restrict(request.user).select_related("group", "unit"), pk=pk)
    access = get_access(request.user)
    can_change = access.can("change", document.unit)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        _handle_post(request, document)
        return redirect("documents:acknowledgements", pk=document.pk)
    log_read(request, document)
    version = document.decided_version
    status = request.GET.get("status", "")
    status = status if status in STATUSES else ""
    who = request.GET.get("vem", "")
    who = who if who in WHO else ""
    page = Paginator(_rows(document, version, status, who), PAGE_SIZE).get_page(request.GET.get("sida"))
    party_ids = {row.party_id for row in page if row.party_id}
    visible_parties = (
        set(ExternalParty.objects.restrict(request.user).filter(pk__in=party_ids).values_list("pk", flat=True))
        if party_ids
        else set()
    )
    for row in page:
        if row.acknowledged_at is None:
            row.status_key, row.status_label = "open", STATUSES["open"]
        elif version is not None and row.version_id == version.pk:
            row.status_key, row.status_label = "acknowledged", STATUSES["acknowledged"]
        else:
            row.status_key, row.status_label = "earlier", STATUSES["earlier"]
        row.party_visible = row.party_id in visible_parties
    context = {
        "document": document,
        "version": version,
        "page": page,
        "counts": _counts(document, version),
        "status": status,
        "who": who,
        "statuses": list(STATUSES.items()),
        "whos": list(WHO.items()),
        "querystring_base": (urlencode({k: v for k, v in (("status", status), ("vem", who)) if v}) + "&")
        if status or who
        else "",
        "can_change": can_change,
        "my_acknowledgement": acks.open_request(access.person, document),
    }
    if can_change and version is not None and document.status in acks.ACKNOWLEDGEABLE:
        units, people, parties = _choices(request, document)
        search = request.GET.get("sok", "").strip()[:100]
        found = people
        for word in search.split():
            found = found.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(employee_number__iexact=word)
            )
        found_ids = (
            list(found.order_by("last_name", "first_name", "pk").values_list("pk", flat=True)[:SEARCH_LIMIT])
            if search
            else []
        )
        context.update(
            unit_form=UnitRequestForm(units=units),
            search=search,
            people_form=PeopleRequestForm(people=people.filter(pk__in=found_ids).select_related("unit"))
            if search
            else None,
            party_form=PartyRequestForm(parties=parties),
            register_form=RegisterPartyForm(parties=parties),
        )
    return render(request, "documents/ack_document.html", context)


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_POST
def acknowledge(request, pk):
    """The logged-in person confirms that they have read the version they were asked to read."""
    person = get_access(request.user).person
    if person is None:
        raise PermissionDenied
    # Only a person asked to read the document finds it here: anyone else gets the same 404 as
    # for a document that does not exist, so neither its title nor its existence is revealed.
    asked = Acknowledgement.objects.filter(person=person, document=OuterRef("pk"))
    document = get_object_or_404(
        Document.objects.select_related("group").filter(Exists(asked)), pk=pk, group_id=person.group_id
    )
    try:
        acknowledgement = acks.acknowledge(person, document, request.user)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Thank you: you have confirmed that you have read %(title)s (version %(n)s).")
            % {"title": document.title, "n": acknowledgement.version.number},
        )
    return redirect(_safe_next(request, reverse("documents:my-acknowledgements")))


@login_required
def my_acknowledgements(request):
    """The logged-in person's open requests, each with the text to read and "Read and confirm";
    then what they have confirmed."""
    access = get_access(request.user)
    person = access.person
    open_requests, done = [], []
    if person is not None:
        open_requests = list(
            Acknowledgement.objects.filter(
                person=person, acknowledged_at__isnull=True, document__status__in=acks.ACKNOWLEDGEABLE
            )
            .select_related("document__unit", "version", "requested_by")
            .order_by("requested_at", "pk")
        )
        done = list(
            Acknowledgement.objects.filter(person=person, acknowledged_at__isnull=False)
            .select_related("document", "version")
            .order_by("-acknowledged_at")[:50]
        )
        viewable = set(
            Document.objects.restrict(request.user)
            .filter(pk__in=[a.document_id for a in open_requests + done])
            .values_list("pk", flat=True)
        )
        for request_ in open_requests:
            # Being asked to read a document is what lets the person read it here.
            log_read(request, request_.document)
            request_.text_html = render_markdown(request_.version.text) if request_.version.text else ""
            request_.can_view = request_.document_id in viewable
        for row in done:
            row.can_view = row.document_id in viewable
    return render(
        request,
        "documents/ack_mine.html",
        {"person": person, "open_requests": open_requests, "done": done},
    )
