"""Log in, log out and the TOTP second factor."""

import base64
import io
from functools import wraps

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from varna.organisation.models import MunicipalGroup

from .security_events import record_security_event


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        # On a new installation nobody can log in yet: say how to begin.
        return {**super().get_context_data(**kwargs), "not_set_up": not MunicipalGroup.objects.exists()}


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
def otp_verify(request):
    """Ask for the second factor; users without a confirmed device set one up first."""
    devices = list(TOTPDevice.objects.filter(user=request.user, confirmed=True))
    if not devices:
        # Only an account with no authenticator yet may enrol without one (see otp_setup).
        return redirect(f"{reverse('otp-setup')}?next={_next(request, '/')}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        for device in devices:
            if device.verify_token(token):
                device.set_last_used_timestamp()
                otp_login(request, device)
                return redirect(_next(request))
        form.add_error("token", _("The code is wrong or has expired. Try the newest code."))
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next(request, "")})


def second_factor_first(view):
    """A view that changes how the account signs in: an account that already has an
    authenticator must have confirmed a code from it in this session. Otherwise the password
    alone would let anyone enrol an authenticator of their own and pass the second factor."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_verified() and TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
            return redirect(f"{reverse('otp-verify')}?next={request.get_full_path()}")
        return view(request, *args, **kwargs)

    return wrapped


class DeviceNameForm(TokenForm):
    name = forms.CharField(
        label=gettext_lazy("Name of the device"),
        help_text=gettext_lazy("So that you can tell your authenticators apart, e.g. “Work phone”."),
        max_length=64,
        required=False,
    )

    field_order = ["name", "token"]


@second_factor_first
def otp_setup(request):
    """Add an authenticator: the first one after the password, any further one only after a
    code from one the account already has."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Värna", confirmed=False)
    form = DeviceNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            with transaction.atomic():
                device.confirmed = True
                device.name = form.cleaned_data["name"].strip() or _("Authenticator app")
                device.set_last_used_timestamp(commit=False)
                device.save(update_fields=["confirmed", "name", "last_used_at"])
                record_security_event(request, "otp_device_added", device.name)
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on for your account."))
            return redirect(_next(request, "otp-devices"))
        form.add_error("token", _("The code is wrong or has expired. Try the newest code."))
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/otp_setup.html",
        {"form": form, "qr": _qr_data_uri(device.config_url), "secret": secret, "next": _next(request, "")},
    )


@second_factor_first
def otp_devices(request):
    """The account's authenticators and the recent changes to them."""
    return render(
        request,
        "registration/otp_devices.html",
        {
            "devices": TOTPDevice.objects.filter(user=request.user, confirmed=True).order_by("created_at", "pk"),
            "events": request.user.security_events.all()[:20],
        },
    )


@require_POST
@second_factor_first
def otp_device_remove(request, pk):
    device = get_object_or_404(TOTPDevice, pk=pk, user=request.user, confirmed=True)
    with transaction.atomic():
        device.delete()
        record_security_event(request, "otp_device_removed", device.name)
    messages.success(request, _("The authenticator “%(name)s” was removed.") % {"name": device.name})
    return redirect("otp-devices")
