"""Key systems, locks, keys and their handovers: the key register with search, a system's page,
a key's page, the receipt (confirmed by the holder, or printed, signed and uploaded back), the
return, the lost key, and the keys due for return.

Everything is read through the querysets' `restrict` (a key system is classified when it or its
site is, and its keys and loans with it), except the one thing a holder may always do: read and
confirm the receipt of a key handed to them.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from varna.core.access_log import get_logged_or_404, log_read, log_reads
from varna.core.history import history_entries
from varna.core.links import HIDDEN_RECORD
from varna.core.permissions import get_access
from varna.core.views import VersionedUpdateView
from varna.core.views import scoped_group as _group

from . import key_services
from .key_forms import HandOutForm, KeyForm, KeySystemForm, LockForm, LostKeyForm, ReturnForm, SignedReceiptForm
from .models import Building, Key, KeyLoan, KeySystem, Lock, Site

PAGE_SIZE = 50


def _open_loans():
    return Prefetch(
        "loans",
        queryset=KeyLoan.objects.open().select_related("person__unit", "party__unit"),
        to_attr="open_loans",
    )


def holder_label(access, loan) -> str:
    """A holder as the reader may see them: people are read within a scope, parties too."""
    if loan.person_id:
        return str(loan.person) if access.can("view", loan.person.unit) else str(HIDDEN_RECORD)
    return loan.holder_name if access.may_read(loan.party) else str(HIDDEN_RECORD)


def _attach_holders(access, keys):
    for key in keys:
        loan = key.open_loans[0] if key.open_loans else None
        key.current_loan = loan
        key.holder = holder_label(access, loan) if loan else ""


def _locks(access, locks):
    """Locks with their building's name where the reader may read the building."""
    locks = list(locks.select_related("building__site__unit").order_by("code", "pk"))
    for lock in locks:
        lock.building_name = lock.building.name if lock.building and access.may_read(lock.building) else ""
    return locks


# The key register ----------------------------------------------------------------------------


def filter_keys(request, group):
    """The keys of the key systems the user may see (found first: a few hundred systems, where
    the keys are a few hundred thousand), narrowed by the list's search and status."""
    from varna.organisation.models import ExternalParty, Person

    systems = list(KeySystem.objects.restrict(request.user).filter(site__group=group).values_list("pk", flat=True))
    keys = Key.objects.filter(system_id__in=systems)
    filters = {"q": request.GET.get("q", "").strip()[:100], "status": request.GET.get("status", "")}
    for word in filters["q"].split()[:5]:
        # A holder is searched among the people and parties the reader may see (their names are
        # read within a scope), so that a search cannot tell who holds a key; the holders are
        # found first, then their loans by an index.
        people = Person.objects.restrict(request.user).filter(group=group)
        people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word)).values("pk")
        parties = ExternalParty.objects.restrict(request.user).filter(group=group, name__icontains=word).values("pk")
        holders = KeyLoan.objects.open().filter(Q(person__in=people) | Q(party__in=parties)).values("key_id")
        keys = keys.filter(Q(number__icontains=word) | Q(series__iexact=word) | Q(pk__in=holders))
    open_loans = KeyLoan.objects.open().filter(key__system_id__in=systems)
    if filters["status"] == "utlamnad":
        keys = keys.filter(pk__in=open_loans.values("key_id"))
    elif filters["status"] == "forlorad":
        keys = keys.filter(lost_on__isnull=False)
    elif filters["status"] == "utan-kvittens":
        keys = keys.filter(pk__in=open_loans.filter(confirmed_at__isnull=True, signed_receipt="").values("key_id"))
    elif filters["status"] == "i-forrad":
        keys = keys.filter(lost_on__isnull=True, retired_on__isnull=True).exclude(pk__in=open_loans.values("key_id"))
    return keys, filters


@login_required
def key_list(request):
    group = _group(request)
    access = get_access(request.user)
    keys, filters = filter_keys(request, group)
    page = Paginator(
        keys.select_related("system__site")
        .prefetch_related(_open_loans())
        # By number, on its own index: an order over the site's name would sort every key.
        .order_by("number", "pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("sida"))
    _attach_holders(access, page.object_list)
    log_reads(request, [k for k in page.object_list if k.is_classified], "view")
    return render(
        request,
        "facilities/keys/list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": [
                ("utlamnad", _("Handed out")),
                ("utan-kvittens", _("Handed out without a receipt")),
                ("i-forrad", _("Not handed out")),
                ("forlorad", _("Lost")),
            ],
        },
    )


@login_required
def keys_due(request):
    """Keys that should come back: the agreed date has passed, the holder's employment ends
    (within two weeks) or the external party's contracts have ended."""
    group = _group(request)
    access = get_access(request.user)
    loans = key_services.due_for_return(
        KeyLoan.objects.restrict(request.user).filter(key__system__site__group=group)
    ).select_related("key__system__site", "person__unit", "party__unit")
    page = Paginator(loans.order_by("key__system__site__name", "key__number", "pk"), PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
    for loan in page.object_list:
        loan.holder = holder_label(access, loan)
        loan.reason = _due_reason(loan)
    log_reads(request, [loan for loan in page.object_list if loan.is_classified], "view")
    return render(request, "facilities/keys/due.html", {"page": page})


def _due_reason(loan) -> str:
    today = timezone.localdate()
    if loan.due_back_on and loan.due_back_on < today:
        return _("To be returned by %(day)s") % {"day": loan.due_back_on.isoformat()}
    if loan.person_id and loan.person.employment_end:
        return _("Employment ends %(day)s") % {"day": loan.person.employment_end.isoformat()}
    return _("The external party's contracts have ended")


# Key systems ---------------------------------------------------------------------------------


def _site(request, pk, action):
    return get_logged_or_404(request, Site.objects.restrict(request.user, action).select_related("unit"), pk=pk)


def _system(request, pk, action="view"):
    return get_logged_or_404(
        request,
        KeySystem.objects.restrict(request.user, action).select_related("site__unit", "administrator__unit"),
        pk=pk,
    )


@login_required
def key_system_create(request, pk):
    site = _site(request, pk, "change")
    form = KeySystemForm(request.POST or None, user=request.user, site=site)
    if request.method == "POST" and form.is_valid():
        system = form.save()
        messages.success(request, _("The key system was registered."))
        return redirect(system)
    return render(
        request,
        "organisation/form.html",
        {"form": form, "title": _("New key system at %(site)s") % {"site": site.name}, "cancel": site},
    )


@login_required
def key_system_detail(request, pk):
    system = _system(request, pk)
    access = get_access(request.user)
    keys = Key.objects.filter(system=system).prefetch_related(_open_loans()).order_by("number", "pk")
    page = Paginator(keys, PAGE_SIZE).get_page(request.GET.get("sida"))
    _attach_holders(access, page.object_list)
    counts = (
        KeyLoan.objects.filter(key__system=system)
        .open()
        .aggregate(out=Count("pk"), unconfirmed=Count("pk", filter=Q(confirmed_at__isnull=True, signed_receipt="")))
    )
    administrator = system.administrator
    return render(
        request,
        "facilities/keys/system.html",
        {
            "system": system,
            "site": system.site,
            "administrator": (
                str(administrator)
                if administrator and access.can("view", administrator.unit)
                else (str(HIDDEN_RECORD) if administrator else "")
            ),
            "locks": _locks(access, Lock.objects.filter(system=system)),
            "page": page,
            "key_count": page.paginator.count,
            "counts": counts,
            "can_change": access.can("change", system.site.unit),
            "history": history_entries(system, request.user),
        },
    )


class KeySystemUpdateView(VersionedUpdateView):
    model = KeySystem
    form_class = KeySystemForm

    def get_queryset(self):
        return super().get_queryset().select_related("site__unit", "site__group")


@login_required
def key_system_delete(request, pk):
    system = _system(request, pk, "change")
    blocked = Key.objects.filter(system=system).exists()
    if request.method == "POST" and not blocked:
        site = system.site
        system.delete()
        messages.success(request, _("The key system was deleted."))
        return redirect(site)
    return render(
        request,
        "facilities/delete.html",
        {
            "record": system,
            "cancel": system,
            "title": _("Delete %(name)s") % {"name": system.name},
            "blocked": _("The key system has keys registered: delete them first.") if blocked else "",
        },
        status=409 if request.method == "POST" and blocked else 200,
    )


@login_required
def lock_create(request, pk):
    system = _system(request, pk, "change")
    buildings = Building.objects.restrict(request.user).filter(site=system.site).order_by("code")
    log_reads(request, list(buildings.select_related("site")), "view")  # their names are the choices
    form = LockForm(request.POST or None, user=request.user, system=system, buildings=buildings)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The lock was registered."))
        if "another" in request.POST:
            return redirect("facilities:lock-create", system.pk)
        return redirect(system)
    return render(
        request,
        "facilities/keys/lock_form.html",
        {"form": form, "title": _("New lock in %(system)s") % {"system": system.name}, "cancel": system},
    )


# Keys ------------------------------------------------------------------------------------------


def _key(request, pk, action="view"):
    return get_logged_or_404(
        request, Key.objects.restrict(request.user, action).select_related("system__site__unit"), pk=pk
    )


@login_required
def key_create(request, pk):
    system = _system(request, pk, "change")
    form = KeyForm(request.POST or None, user=request.user, system=system)
    if request.method == "POST" and form.is_valid():
        key = form.save()
        messages.success(request, _("The key was registered."))
        return redirect(key)
    return render(
        request,
        "organisation/form.html",
        {"form": form, "title": _("New key in %(system)s") % {"system": system.name}, "cancel": system},
    )


@login_required
def key_detail(request, pk):
    key = _key(request, pk)
    access = get_access(request.user)
    loans = list(key.loans.select_related("person__unit", "party__unit").order_by("-handed_out_on", "-pk"))
    for loan in loans:
        loan.holder = holder_label(access, loan)
    current = next((loan for loan in loans if loan.is_open), None)
    return render(
        request,
        "facilities/keys/key.html",
        {
            "key": key,
            "system": key.system,
            "site": key.system.site,
            "locks": _locks(access, key.opens.all()),
            "loans": loans,
            "current": current,
            "can_change": access.can("change", key.system.site.unit),
            "history": history_entries(key, request.user),
        },
    )


class KeyUpdateView(VersionedUpdateView):
    model = Key
    form_class = KeyForm

    def get_queryset(self):
        return super().get_queryset().select_related("system__site__unit", "system__site__group")


@login_required
def key_delete(request, pk):
    key = _key(request, pk, "change")
    blocked = key.loans.exists()
    if request.method == "POST" and not blocked:
        system = key.system
        key.delete()
        messages.success(request, _("The key was deleted."))
        return redirect(system)
    return render(
        request,
        "facilities/delete.html",
        {
            "record": key,
            "cancel": key,
            "title": _("Delete key %(number)s") % {"number": key.number},
            "blocked": _("The key has been handed out: its receipts are kept. Mark it as taken out of use instead.")
            if blocked
            else "",
        },
        status=409 if request.method == "POST" and blocked else 200,
    )


@login_required
def key_hand_out(request, pk):
    key = _key(request, pk, "change")
    form = HandOutForm(request.POST or None, user=request.user, key=key)
    if request.method == "POST" and form.is_valid():
        try:
            loan = key_services.hand_out(form.save(commit=False), user=request.user)
        except IntegrityError:  # handed out by someone else since the form was checked
            form.add_error(None, _("The key is already handed out: register its return first."))
            return render(
                request,
                "organisation/form.html",
                {"form": form, "title": _("Hand out key %(number)s") % {"number": key.number}, "cancel": key},
                status=409,
            )
        messages.success(
            request,
            _("The key was handed out. The holder confirms the receipt in Värna.")
            if loan.person_id and loan.person.user_id
            else _("The key was handed out. Print the receipt, have it signed and upload it."),
        )
        return redirect(loan)
    return render(
        request,
        "organisation/form.html",
        {"form": form, "title": _("Hand out key %(number)s") % {"number": key.number}, "cancel": key},
    )


@login_required
def key_lost(request, pk):
    """A loss is reported by the key administration or by the holder (who may not otherwise read
    the key system, and is told no more of it here than the receipt tells them)."""
    access = get_access(request.user)
    key = Key.objects.restrict(request.user, "change").select_related("system__site__unit").filter(pk=pk).first()
    administer = key is not None
    loan = None
    if key is None:
        loan = (
            KeyLoan.objects.open()
            .filter(key_id=pk, person__user=request.user)
            .select_related("key__system__site__unit", "key__system__site__group")
            .first()
        )
        if loan is None:
            raise Http404
        key = loan.key
    log_read(request, key, "view" if request.method == "GET" else "lost")
    back = key if administer else loan
    if key.lost_on:
        messages.info(request, _("The key is already reported lost."))
        return redirect(back)
    form = LostKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        incident = key_services.report_lost(
            key,
            on=form.cleaned_data["lost_on"],
            circumstances=form.cleaned_data["circumstances"],
            user=request.user,
            person=access.person,
        )
        messages.success(
            request,
            _("The loss is reported as incident %(number)s. The risk owners of the site are asked to re-assess.")
            % {"number": incident.pk},
        )
        return redirect(back)
    return render(
        request,
        "facilities/keys/lost.html",
        {"form": form, "key": key, "locks": _locks(access, key.opens.all()) if administer else [], "cancel": back},
    )


# Loans and receipts -------------------------------------------------------------------------


def _loan_for(request, pk):
    """The loan as the key administration reads it, or as its holder does (they may always read
    and confirm their own receipt); (loan, may administer)."""
    loans = KeyLoan.objects.select_related(
        "key__system__site__unit", "key__system__site__group", "person__unit", "party__unit"
    )
    administered = loans.restrict(request.user).filter(pk=pk).first()
    if administered is not None:
        log_read(request, administered, "view")
        return administered, get_access(request.user).can("change", administered.key.system.site.unit)
    own = loans.filter(pk=pk, person__user=request.user).first() if request.user.is_authenticated else None
    if own is None:
        raise Http404
    return own, False


def _render_loan(request, loan, may_administer, return_form=None, status=200):
    access = get_access(request.user)
    is_holder = loan.person_id is not None and loan.person.user_id == request.user.pk
    system = loan.key.system
    if return_form is None and may_administer and loan.is_open:
        return_form = ReturnForm(loan=loan)
    return render(
        request,
        "facilities/keys/loan.html",
        {
            "loan": loan,
            "key": loan.key,
            # The holder holds the key: they are told its system, but a classified system's name
            # only if they may read it.
            "system_name": system.name
            if access.may_read(system) or not system.is_classified
            else _("a classified key system"),
            "site_name": system.site.name if access.may_read(system.site) or not system.site.is_classified else "",
            "may_administer": may_administer,
            "is_holder": is_holder,
            "holder": loan.holder_name if is_holder else holder_label(access, loan),
            "return_form": return_form,
            "receipt_form": SignedReceiptForm() if may_administer else None,
            "history": history_entries(loan, request.user) if may_administer else [],
        },
        status=status,
    )


@login_required
def loan_detail(request, pk):
    loan, may_administer = _loan_for(request, pk)
    return _render_loan(request, loan, may_administer)


@login_required
@require_POST
def loan_confirm(request, pk):
    loan, _may = _loan_for(request, pk)
    if loan.person_id is None or loan.person.user_id != request.user.pk:
        raise PermissionDenied
    if not loan.is_open:
        messages.info(request, _("The key is no longer handed out to you."))
    elif loan.confirmed_at is None:
        key_services.confirm(loan, user=request.user)
        messages.success(request, _("Thank you: your receipt of the key is confirmed."))
    return redirect(loan)


@login_required
@require_POST
def loan_return(request, pk):
    loan, may_administer = _loan_for(request, pk)
    if not may_administer:
        raise PermissionDenied
    form = ReturnForm(request.POST, loan=loan)
    if not loan.is_open:
        messages.info(request, _("The key was already returned."))
        return redirect(loan)
    if form.is_valid():
        key_services.give_back(loan, on=form.cleaned_data["returned_on"])
        messages.success(request, _("The return was registered."))
        return redirect(loan.key)
    return _render_loan(request, loan, True, return_form=form, status=400)


@login_required
def loan_receipt_pdf(request, pk):
    """The receipt to print and sign: the key, what it opens, the holder, the rules."""
    from weasyprint import HTML

    loan, may_administer = _loan_for(request, pk)
    if not may_administer:
        raise PermissionDenied
    html = render_to_string(
        "facilities/keys/receipt_pdf.html",
        {
            "loan": loan,
            "key": loan.key,
            "system": loan.key.system,
            "site": loan.key.system.site,
            "locks": loan.key.opens.order_by("code"),
            "holder": holder_label(get_access(request.user), loan),
            "municipality": loan.key.system.site.group.municipality_name,
        },
        request=request,
    )
    response = HttpResponse(
        HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="nyckelkvittens-{loan.key.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    log_read(request, loan, "export")
    return response


@login_required
@require_POST
def loan_receipt_upload(request, pk):
    loan, may_administer = _loan_for(request, pk)
    if not may_administer:
        raise PermissionDenied
    form = SignedReceiptForm(request.POST, request.FILES)
    if form.is_valid():
        loan.signed_receipt.save(f"{secrets.token_hex(16)}{form.extension}", ContentFile(form.content), save=True)
        key_services.confirm_paper(loan)
        messages.success(request, _("The signed receipt was saved."))
    else:
        for error in form.errors.get("file", []):
            messages.error(request, error)
    return redirect(loan)


@login_required
def loan_receipt_file(request, pk):
    loan, may_administer = _loan_for(request, pk)
    if not may_administer or not loan.signed_receipt:
        raise Http404
    log_read(request, loan, "download")
    name = f"nyckelkvittens-{loan.key.number}{'.pdf' if loan.signed_receipt.name.endswith('.pdf') else '.jpg'}"
    return FileResponse(loan.signed_receipt.open("rb"), as_attachment=True, filename=name)


@login_required
def my_keys(request):
    """The keys handed to the reader, with the receipts they have still to confirm."""
    person = get_access(request.user).person
    loans = (
        KeyLoan.objects.open().filter(person=person).select_related("key__system__site").order_by("handed_out_on")
        if person
        else KeyLoan.objects.none()
    )
    access = get_access(request.user)
    for loan in loans:
        system = loan.key.system
        loan.system_name = system.name if access.may_read(system) or not system.is_classified else ""
    return render(request, "facilities/keys/mine.html", {"loans": loans})
