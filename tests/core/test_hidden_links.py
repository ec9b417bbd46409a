"""Links to records a user may not see: never named (not even to a screen reader), never lost
when the user saves a form, and no id in a multi-select can make a form fail (issue 10,
findings 5, 7 and 10)."""

from html.parser import HTMLParser

import pytest
from django import forms
from django.urls import reverse

from varna.core.links import HIDDEN_RECORD, KeepHiddenLinksMixin, LinkedRecordsField
from varna.documents.models import Document
from varna.organisation.models import OrgUnit
from varna.risks.models import Analysis, Dependency, Measure, Risk, VitalFunction


class _FormReader(HTMLParser):
    """What a browser submits for the page's main form: every enabled control with its shown
    value; a select sends only options that are rendered and selected."""

    def __init__(self):
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self.in_form = False
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post" and not a.get("action"):
            self.in_form = True
        if not self.in_form or "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.data.append((self.select, a.get("value", "")))
        elif tag == "textarea":
            self.textarea = [a.get("name"), ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.data.append((self.textarea[0], self.textarea[1].lstrip("\n")))
            self.textarea = None


def submitted(page, **changes) -> dict:
    reader = _FormReader()
    reader.feed(page.content.decode())
    data: dict[str, list[str]] = {}
    for name, value in reader.data:
        data.setdefault(name, []).append(value)
    data.update({k: v if isinstance(v, list) else [v] for k, v in changes.items()})
    return data


# --- 5: the screen-reader text of a delete button -------------------------------------------


def test_the_remove_button_does_not_name_a_hidden_vital_function(group, client_for):
    roads = VitalFunction.objects.get(group=group, name="Snöröjning och framkomlighet")  # TF, chef's
    crisis = VitalFunction.objects.get(group=group, name="Krisledning och kriskommunikation")  # KLF
    Dependency.objects.create(function=roads, kind=Dependency.Kind.FUNCTION, depends_on=crisis)

    page = client_for("chef").get(reverse("risks:function", args=[roads.pk])).content.decode()
    assert "A vital function you may not see" in page
    assert crisis.name not in page
    # Someone who may read it sees it named, the remove button included.
    page = client_for("samordnare").get(reverse("risks:function", args=[roads.pk])).content.decode()
    assert f'<span class="visually-hidden"> {crisis.name}</span>' in page


# --- 7: an edit keeps the links its user cannot see ------------------------------------------


def _measure_with_hidden_links(group):
    """A TF measure (chef's) implementing a group-level document and treating a TF risk and a
    risk of the social services' (neither of which chef may read)."""
    measure = Measure.objects.get(group=group, title__startswith="Reservkraft i kommunhuset")
    hidden_risk = Risk.objects.get(group=group, title="Brand i särskilt boende nattetid")
    measure.risks.add(hidden_risk)
    return measure, hidden_risk


def test_chef_editing_a_measure_keeps_its_hidden_risks_and_document(group, client_for):
    measure, hidden_risk = _measure_with_hidden_links(group)
    document = measure.document
    visible_risk = Risk.objects.get(group=group, title="Långvarigt elavbrott i hela kommunen")
    assert {r.pk for r in measure.risks.all()} == {visible_risk.pk, hidden_risk.pk}
    chef = client_for("chef")

    page = chef.get(reverse("risks:measure-edit", args=[measure.pk]))
    text = page.content.decode()
    assert "1 link is not shown (outside what you may see); it is kept." in text
    assert hidden_risk.title not in text
    assert document.title not in text  # the document field is masked, not named
    assert str(HIDDEN_RECORD) in text

    response = chef.post(
        reverse("risks:measure-edit", args=[measure.pk]), submitted(page, description="Ny beskrivning")
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.description == "Ny beskrivning"
    assert measure.document_id == document.pk
    assert {r.pk for r in measure.risks.all()} == {visible_risk.pk, hidden_risk.pk}


def test_a_visible_link_can_still_be_removed_while_the_hidden_ones_stay(group, client_for):
    measure, hidden_risk = _measure_with_hidden_links(group)
    chef = client_for("chef")
    page = chef.get(reverse("risks:measure-edit", args=[measure.pk]))
    response = chef.post(reverse("risks:measure-edit", args=[measure.pk]), submitted(page, risks=[]))
    assert response.status_code == 302
    assert [r.pk for r in measure.risks.all()] == [hidden_risk.pk]


def test_a_hidden_document_cannot_be_swapped_through_the_disabled_field(group, client_for):
    measure, _ = _measure_with_hidden_links(group)
    document = measure.document
    other = Document.objects.get(group=group, title="Instruktion för kameraövervakning")  # TF, chef's
    chef = client_for("chef")
    page = chef.get(reverse("risks:measure-edit", args=[measure.pk]))
    chef.post(reverse("risks:measure-edit", args=[measure.pk]), submitted(page, document=str(other.pk)))
    measure.refresh_from_db()
    assert measure.document_id == document.pk


def test_chef_editing_a_risk_keeps_its_analysis_functions_and_affected_units(group, client_for, unit):
    risk = Risk.objects.get(group=group, title="Långvarigt elavbrott i hela kommunen")  # TF
    rsa = risk.analysis  # the group's RSA: above chef
    functions = {f.pk for f in risk.vital_functions.all()}  # none of them in TF
    risk.affected_units.add(unit("SOF"), unit("TF-GP"))
    chef = client_for("chef")

    page = chef.get(reverse("risks:edit", args=[risk.pk]))
    text = page.content.decode()
    assert rsa.title not in text
    assert "1 link is not shown (outside what you may see); it is kept." in text  # SOF
    assert f"{len(functions)} links are not shown (outside what you may see); they are kept." in text
    for function in VitalFunction.objects.filter(pk__in=functions):
        assert function.name not in text

    response = chef.post(reverse("risks:edit", args=[risk.pk]), submitted(page, description="Ny beskrivning"))
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.description == "Ny beskrivning"
    assert risk.analysis_id == rsa.pk
    assert {f.pk for f in risk.vital_functions.all()} == functions
    assert {u.code for u in risk.affected_units.all()} == {"SOF", "TF-GP"}


def test_an_analysis_of_another_administration_is_kept_masked(group, client_for):
    risk = Risk.objects.get(group=group, title="Skogsbrand nära tätort")  # TF
    night_patrol = Analysis.objects.get(group=group, title="Riskanalys hemtjänstens nattpatrull")  # SOF-AO, internal
    risk.analysis = night_patrol
    risk.save()
    chef = client_for("chef")
    page = chef.get(reverse("risks:edit", args=[risk.pk]))
    assert night_patrol.title not in page.content.decode()
    chef.post(reverse("risks:edit", args=[risk.pk]), submitted(page, title="Skogsbrand vid Sveg"))
    risk.refresh_from_db()
    assert (risk.title, risk.analysis_id) == ("Skogsbrand vid Sveg", night_patrol.pk)


def test_a_current_link_the_user_may_see_but_not_choose_stays_offered(group, client_for):
    """A document's parent that is replaced is no longer offered for new links, but keeping it
    is no change: it stays selected instead of being dropped."""
    child = Document.objects.get(group=group, title__startswith="Kompletterande riktlinje för fastighetssäkerhet")
    parent = child.parent
    Document.objects.filter(pk=parent.pk).update(status="replaced")
    coordinator = client_for("samordnare")
    page = coordinator.get(reverse("documents:edit", args=[child.pk]))
    response = coordinator.post(reverse("documents:edit", args=[child.pk]), submitted(page))
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.parent_id == parent.pk


def test_every_model_form_with_a_many_to_many_keeps_hidden_links():
    """A new form linking records many-to-many has to use the mixin (and with it the checked
    multi-select): a form without it would drop what its user cannot see."""
    import varna.documents.forms
    import varna.incidents.forms
    import varna.insurance.forms
    import varna.organisation.forms
    import varna.risks.forms  # noqa: F401

    def all_subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from all_subclasses(sub)

    checked = 0
    for form in all_subclasses(forms.ModelForm):
        if not form.__module__.startswith("varna.") or not getattr(form._meta, "model", None):
            continue
        m2m = [name for name, field in form.base_fields.items() if isinstance(field, forms.ModelMultipleChoiceField)]
        if m2m:
            checked += 1
            assert issubclass(form, KeepHiddenLinksMixin), form
            for name in m2m:
                assert isinstance(form.base_fields[name], LinkedRecordsField), (form, name)
    assert checked >= 4


# --- 10: ids in multi-selects ----------------------------------------------------------------

BAD_IDS = ["99999999999999999999", "9223372036854775808", "-1", "abc", "1e5", "1.5", "", " 7 ", "0x10"]


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("risks:create", "affected_units"),
        ("risks:create", "vital_functions"),
        ("risks:measure-create", "risks"),
        ("insurance:create", "insured_units"),
    ],
)
def test_a_bad_id_in_a_multi_select_is_a_field_error(client_for, group, unit, url, field, bad):
    response = client_for("samordnare").post(
        reverse(url), {"title": "Prov", "name": "Prov", "unit": unit("TF").pk, field: [bad]}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_bad_id_in_a_contract_is_a_field_error(client_for, group, unit, bad):
    from varna.organisation.models import ExternalParty

    party = ExternalParty.objects.filter(group=group, unit__path__startswith=unit("TF").path).first()
    response = client_for("samordnare").post(
        reverse("organisation:contract-create", args=[party.pk]),
        {"title": "Avtal", "valid_from": "2026-01-01", "units": [bad]},
    )
    assert response.status_code == 200
    assert "units" in response.context["form"].errors


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_bad_id_when_asking_people_to_acknowledge_is_refused(client_for, group, bad):
    document = Document.objects.get(group=group, title="Instruktion för kameraövervakning")
    response = client_for("samordnare").post(
        reverse("documents:acknowledgements", args=[document.pk]), {"action": "people", "people": [bad]}
    )
    assert response.status_code in (200, 302)


def test_the_checked_field_keeps_good_ids_working(group):
    field = LinkedRecordsField(queryset=OrgUnit.objects.filter(group=group))
    tf = OrgUnit.objects.get(group=group, code="TF")
    assert list(field.clean([str(tf.pk)])) == [tf]
    with pytest.raises(forms.ValidationError) as error:
        field.clean(["99999999999999999999"])
    assert error.value.code == "invalid_choice"
