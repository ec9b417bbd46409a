"""The first-run page: on a database without a municipality, the person who installed Värna
sets it up in the browser (organisation/setup.py), with the key `varna serve` printed.

The key keeps a server that is reachable before it is set up from being claimed by whoever
finds it first: it lives in the data folder, is compared in constant time, and is deleted once
the municipality is set up. After that the page is gone (404)."""

import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, password_validation
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import MunicipalGroup
from .profiles import ProfileError, available_profiles, installed_profile_dir, load_profile, parse_profile
from .setup import Coordinator, set_up

MAX_PROFILE_BYTES = 1024 * 1024


def token_file():
    return settings.DATA_DIR / "setup-key"


def setup_key() -> str:
    """The key for the first-run page, made when first asked for (by `varna serve`)."""
    path = token_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


def _key_matches(given: str) -> bool:
    path = token_file()
    return bool(given) and path.exists() and secrets.compare_digest(given, path.read_text().strip())


class FirstRunForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    profile = forms.ChoiceField(
        label=gettext_lazy("Policy profile"),
        required=False,
        help_text=gettext_lazy("A profile shipped with Värna, or upload your own below."),
    )
    profile_file = forms.FileField(
        label=gettext_lazy("Your own profile (YAML)"),
        required=False,
        help_text=gettext_lazy("Written as docs/profiles.md describes; check it first with: varna profile check FILE"),
    )
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    login = forms.CharField(label=gettext_lazy("Login"), max_length=150)
    password1 = forms.CharField(
        label=gettext_lazy("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— choose —"))]
        for key in available_profiles():
            try:
                choices.append((key, load_profile(key).municipality["name"]))
            except ProfileError:
                continue  # a broken file in a profile folder is reported where it is used
        self.fields["profile"].choices = choices

    def clean_profile_file(self):
        upload = self.cleaned_data.get("profile_file")
        if upload is None:
            return None
        if upload.size > MAX_PROFILE_BYTES:
            raise ValidationError(_("The file is larger than 1 MB."))
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(_("The file is not UTF-8 text.")) from exc
        try:
            return parse_profile(text, upload.name), text
        except ProfileError as exc:
            raise ValidationError(exc.errors) from exc

    def clean(self):
        data = super().clean()
        if not data.get("profile") and not data.get("profile_file") and "profile_file" not in self.errors:
            self.add_error("profile", _("Choose a profile or upload your own."))
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        elif data.get("password1"):
            try:
                password_validation.validate_password(data["password1"])
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data

    def chosen_profile(self):
        if self.cleaned_data.get("profile_file"):
            return self.cleaned_data["profile_file"]
        return load_profile(self.cleaned_data["profile"]), None


def first_run(request):
    if MunicipalGroup.objects.exists():
        raise Http404
    given = request.POST.get("key") or request.GET.get("nyckel") or ""
    if not _key_matches(given):
        return render(request, "organisation/first_run_key.html", status=403)
    form = FirstRunForm(request.POST or None, request.FILES or None, initial={"key": given})
    if request.method == "POST" and form.is_valid():
        profile, text = form.chosen_profile()
        coordinator = Coordinator(
            **{name: form.cleaned_data[name].strip() for name in ("first_name", "last_name", "email", "login")},
            password=form.cleaned_data["password1"],
        )
        try:
            result = set_up(profile, coordinator)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if text is not None:
                folder = installed_profile_dir()
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{profile.key}.yaml").write_text(text, encoding="utf-8")
            token_file().unlink(missing_ok=True)
            login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("%(municipality)s is set up, and you are its security coordinator.")
                % {"municipality": result.group.municipality_name},
            )
            return redirect("home")
    return render(request, "organisation/first_run.html", {"form": form})
