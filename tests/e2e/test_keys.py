"""A key handed out and its receipt confirmed on the holder's phone (issue 13): the key
administrator hands it out on a desktop, the holder finds the task on the phone, reads what they
sign for and confirms; both pages pass axe."""

import pytest

from varna.facilities.models import Key, KeyLoan

from .conftest import assert_accessible, login

pytestmark = pytest.mark.e2e


def test_a_key_is_handed_out_and_confirmed_on_the_holders_phone(page, phone, e2e_demo):
    key = Key.objects.get(system__site__group=e2e_demo, number="SK-032")
    login(page, "chef")
    page.goto(key.get_absolute_url())
    page.get_by_role("link", name="Lämna ut").click()
    page.get_by_label("Innehavare", exact=True).select_option(label="Oskar Wallin")
    page.get_by_role("button", name="Spara").click()
    page.get_by_text("Nyckeln lämnades ut. Innehavaren bekräftar kvittensen i Värna.").wait_for()
    assert_accessible(page, "the receipt as the administrator sees it")

    login(phone, "medarbetare")
    phone.goto("/uppgifter/")
    phone.get_by_role("link", name="Bekräfta att du har tagit emot nyckel SK-032").click()
    phone.get_by_role("heading", name="Bekräfta att du har tagit emot nyckeln").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 391
    assert_accessible(phone, "the receipt on the holder's phone")
    phone.get_by_role("button", name="Jag har tagit emot nyckeln").click()
    phone.get_by_text("Tack: din kvittens av nyckeln är bekräftad.").wait_for()
    loan = KeyLoan.objects.get(key=key)
    assert loan.confirmed_at is not None
    phone.goto("/anlaggningar/nycklar/mina/")
    assert "SK-032" in phone.content() and "Kvitterad" in phone.content()
    assert_accessible(phone, "my keys")
