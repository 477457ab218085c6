"""Demo data stays demo (issue 22): with DEBUG=False ``seed_demo`` refuses without
``--allow-production``, and with it creates no staff account with the published password."""

import io

import pytest
from django.core.management import CommandError, call_command

from authentication.models import User
from marketplace.catalog.models import Category, Product
from marketplace.management.commands.seed_demo import ADMIN

pytestmark = pytest.mark.django_db


def log_in(client, email, password):
    return client.post("/api/auth/login/", {"email": email, "password": password}, format="json")


def test_with_debug_off_it_refuses_and_writes_nothing(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="Refusing to load demo data with DEBUG=False"):
        call_command("seed_demo", products=5, stdout=io.StringIO())

    assert not User.objects.exists()
    assert not Product.objects.exists()
    assert not Category.objects.exists()


def test_with_the_flag_it_loads_demo_data_but_no_staff_account(settings, api_client):
    settings.DEBUG = False
    out = io.StringIO()

    call_command("seed_demo", products=5, allow_production=True, stdout=out)

    assert "no demo staff account created" in out.getvalue()
    assert Product.objects.exists()
    assert not User.objects.filter(is_staff=True).exists()
    assert not User.objects.filter(is_superuser=True).exists()
    assert not User.objects.filter(email=ADMIN[0]).exists()
    assert log_in(api_client, *ADMIN).status_code == 401
    assert log_in(api_client, "demo-buyer1@designia.local", "DemoBuyer-2024!").status_code == 200


def test_categories_only_needs_no_flag(settings):
    settings.DEBUG = False

    call_command("seed_demo", categories_only=True, stdout=io.StringIO())

    assert Category.objects.exists()
    assert not User.objects.exists()


def test_with_debug_on_the_documented_staff_account_is_made(settings, api_client):
    settings.DEBUG = True  # `make run`

    call_command("seed_demo", products=5, stdout=io.StringIO())

    admin = User.objects.get(email=ADMIN[0])
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    assert log_in(api_client, *ADMIN).status_code == 200
