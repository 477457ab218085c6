"""Notification texts and e-mails in the recipient's language: the Portuguese catalogue is complete
(every text the code marks is translated, with the same placeholders) and compiled, and a
Portuguese user is told in Portuguese."""

import gettext
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import TestCase
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from authentication.tests.factories import UserFactory
from conftest import STRIPE_TEST_CONNECT_WEBHOOK_SECRET
from designiaBackend.api import notifications as seam
from notifications.models import Notification
from payment_system.tests.connect_factories import StripeConnectAccountFactory
from payment_system.tests.fake_stripe import event, sign_webhook
from payment_system.tests.stripe_objects import stripe_payout

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale/pt/LC_MESSAGES/django.po"
ENTRY = re.compile(r'((?:#.*\n)*)msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)')
MARKED = re.compile(r'''(?:\b_\(|\{% translate )\s*"((?:[^"\\]|\\.)*)"''')


def _text(block):
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block)).replace('\\"', '"')


def catalogue():
    entries = {}
    for comments, msgid, msgstr in ENTRY.findall(CATALOGUE.read_text(encoding="utf-8")):
        if _text(msgid):
            entries[_text(msgid)] = (_text(msgstr), "fuzzy" in comments)
    return entries


def marked_texts():
    sources = [*ROOT.glob("*/**/*.py"), *ROOT.glob("templates/emails/*.*")]
    texts = set()
    for path in sources:
        if ".venv" in path.parts or "tests" in path.parts or "migrations" in path.parts:
            continue
        content = path.read_text(encoding="utf-8")
        if "gettext_lazy as _" in content or "{% load i18n %}" in content:
            texts |= {match.replace('\\"', '"') for match in MARKED.findall(content)}
    return texts


def test_the_portuguese_catalogue_is_complete_and_compiled():
    entries = catalogue()
    assert len(entries) > 40
    marked = marked_texts()
    assert len(marked) > 40  # the scan finds the marked texts
    missing = marked - set(entries)
    assert not missing, f"Run `make messages` and translate: {sorted(missing)}"
    for msgid, (msgstr, fuzzy) in entries.items():
        assert msgstr and not fuzzy, f"Untranslated: {msgid!r}"
        assert set(re.findall(r"\{\w*\}", msgid)) == set(re.findall(r"\{\w*\}", msgstr)), msgid
    with open(CATALOGUE.with_suffix(".mo"), "rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    stale = [msgid for msgid, (msgstr, _fuzzy) in entries.items() if translations.gettext(msgid) != msgstr]
    assert not stale, f"Run `make messages` (compilemessages): {stale}"


@pytest.mark.django_db
def test_a_portuguese_user_is_told_in_portuguese_and_an_english_one_in_english(mailoutbox):
    ana, bob = UserFactory(language="pt-BR"), UserFactory(language="en")
    for user in (ana, bob):
        with TestCase.captureOnCommitCallbacks(execute=True):
            seam.notify(
                recipient=user,
                kind="back_in_stock",
                event_key="restock:1",
                title=format_lazy(_("{product} is back in stock"), product="Oak Chair"),
                body=format_lazy(
                    _("{product} is available again ({count} left). Get it before it is gone."),
                    product="Oak Chair",
                    count=2,
                ),
            )
    assert Notification.objects.get(recipient=ana).title == "Oak Chair voltou a estar disponível"
    assert Notification.objects.get(recipient=bob).title == "Oak Chair is back in stock"
    [to_ana] = [m for m in mailoutbox if m.to == [ana.email]]
    assert to_ana.subject == "Oak Chair voltou a estar disponível"
    assert to_ana.body.startswith("Olá,") and "Deixar de receber estes e-mails:" in to_ana.body
    [to_bob] = [m for m in mailoutbox if m.to == [bob.email]]
    assert to_bob.body.startswith("Hello,")


@pytest.mark.django_db
def test_a_payout_webhook_tells_a_portuguese_seller_in_portuguese(fake_stripe, api_client):
    account = StripeConnectAccountFactory(stripe_account_id="acct_1Oak")
    account.seller.language = "pt"
    account.seller.save(update_fields=["language"])
    payload = json.dumps(event("payout.paid", stripe_payout(status="paid"), account="acct_1Oak"))
    answer = api_client.post(
        "/api/payments/stripe_connect_webhook/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_webhook(payload, STRIPE_TEST_CONNECT_WEBHOOK_SECRET),
    )
    assert answer.status_code == 200
    assert Notification.objects.get(recipient=account.seller).title == "Pagamento de 123.45 USD enviado"


@pytest.mark.django_db
def test_a_portuguese_buyers_shipping_email_is_in_portuguese(
    auth_client, api_client, fake_stripe, mailoutbox
):
    from authentication.tests.factories import SellerFactory
    from marketplace.tests.ordering_factories import OrderingProductFactory, paid_order

    seller, buyer = SellerFactory(), UserFactory(language="pt")
    order = paid_order(
        auth_client, api_client, buyer, fake_stripe, (OrderingProductFactory(seller=seller), 1)
    )
    shipping = {"shipping_carrier": "UPS", "tracking_number": "1Z999AA10123456784", "carrier_code": "ups"}
    shipment = order.shipments.get()
    answer = auth_client(seller).patch(f"/api/marketplace/shipments/{shipment.pk}/update_shipping/", shipping)
    assert answer.status_code == 200, answer.content

    short = str(order.pk)[:8].upper()
    [mail] = [m for m in mailoutbox if m.subject == f"A sua encomenda Designia {short} está a caminho"]
    assert mail.to == [buyer.email]
    assert "Boas notícias: a sua encomenda foi enviada." in mail.body
    assert "Acompanhe a encomenda: https://www.ups.com/track?tracknum=1Z999AA10123456784" in mail.body
    [notice] = Notification.objects.filter(recipient=buyer, kind="shipment_shipped")
    assert notice.title == f"A sua encomenda Designia {short} está a caminho"


RECEIPT = {
    "pt": (
        "A sua encomenda Designia {short} está confirmada",
        ["Olá {name},", "Obrigado pela sua encomenda.", "Encomenda {short}", "Ver a sua encomenda"],
    ),
    "en": (
        "Your Designia order {short} is confirmed",
        ["Hello {name},", "Thank you for your order.", "Order {short}", "See your order"],
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["pt", "en"])
def test_the_order_receipt_is_in_the_buyers_language(
    language, auth_client, api_client, fake_stripe, mailoutbox
):
    from marketplace.tests.ordering_factories import OrderingProductFactory, paid_order

    buyer = UserFactory(language=language)
    order = paid_order(auth_client, api_client, buyer, fake_stripe, (OrderingProductFactory(), 1))

    short = str(order.pk)[:8].upper()
    subject, lines = RECEIPT[language]
    [mail] = [m for m in mailoutbox if m.subject == subject.format(short=short)]
    assert mail.to == [buyer.email]
    html = mail.alternatives[0][0]
    for line in lines:
        line = line.format(short=short, name=buyer.first_name or buyer.username)
        assert line in mail.body
        assert line in html
    assert f'<html lang="{language}">' in html


ACCOUNT_EMAILS = {
    "pt": {
        "reset": ("Redefina a sua palavra-passe da Designia", "Alguém pediu para redefinir a palavra-passe"),
        "2fa": (
            "O seu código para ativar a autenticação de dois fatores",
            "O seu código para ativar a autenticação de dois fatores é:",
        ),
    },
    "en": {
        "reset": ("Reset your Designia password", "Someone asked to reset the password"),
        "2fa": (
            "Your code to enable two-factor authentication",
            "Your code to enable two-factor authentication is:",
        ),
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["pt", "en"])
def test_the_password_reset_and_two_factor_emails_are_in_the_users_language(
    language, api_client, auth_client, mailoutbox
):
    user = UserFactory(language=language)
    expected = ACCOUNT_EMAILS[language]
    greeting = ("Olá" if language == "pt" else "Hello") + f" {user.first_name or user.username},"

    # The request's own language (Accept-Language) does not matter: the recipient's does.
    other = "en" if language == "pt" else "pt"
    answer = api_client.post(
        "/api/auth/password/reset/", {"email": user.email}, format="json", HTTP_ACCEPT_LANGUAGE=other
    )
    assert answer.status_code == 200, answer.content
    answer = auth_client(user).post(
        "/api/auth/2fa/send-code/", {"purpose": "enable_2fa"}, format="json", HTTP_ACCEPT_LANGUAGE=other
    )
    assert answer.status_code == 200, answer.content

    for kind in ("reset", "2fa"):
        subject, text = expected[kind]
        [mail] = [m for m in mailoutbox if m.subject == subject]
        assert mail.to == [user.email]
        html = mail.alternatives[0][0]
        assert mail.body.startswith(greeting) and greeting in html
        assert text in mail.body and text in html
