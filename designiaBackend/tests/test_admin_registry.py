"""Staff run the marketplace from the Django admin: every model of every project app is there,
and every change list renders (with its search) for a superuser."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from authentication.tests.factories import StaffFactory

PROJECT_APPS = ("authentication", "marketplace", "payment_system", "chat", "ar")


def project_models():
    models = []
    for label in PROJECT_APPS:
        models.extend(
            model
            for model in apps.get_app_config(label).get_models()
            if not model._meta.auto_created and not model._meta.proxy
        )
    return models


def test_the_check_sees_the_models_of_every_project_app():
    labels = {model._meta.label for model in project_models()}
    assert {"authentication.User", "marketplace.Product", "marketplace.Order"} <= labels
    assert {model._meta.app_label for model in project_models()} == set(PROJECT_APPS)


def _inline_parents():
    """model -> the registered admins that show it only as an inline."""
    shown = {}
    for parent, model_admin in admin.site._registry.items():
        for inline in model_admin.inlines:
            shown.setdefault(inline.model, []).append(parent._meta.label)
    return shown


def test_every_model_of_every_project_app_is_registered_in_the_admin():
    inline_parents = _inline_parents()
    missing = []
    for model in project_models():
        if admin.site.is_registered(model):
            continue
        parents = inline_parents.get(model)
        missing.append(model._meta.label + (f" (inline of {', '.join(parents)} only)" if parents else ""))
    assert sorted(missing) == [], "Not registered in the admin: " + "; ".join(sorted(missing))


@pytest.mark.django_db
def test_every_registered_change_list_renders_and_searches(client):
    staff = StaffFactory(is_superuser=True)
    client.force_login(staff)
    broken = []
    for model in project_models():
        if not admin.site.is_registered(model):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        model_admin = admin.site.get_model_admin(model)
        query = "?q=designia" if model_admin.search_fields else ""
        response = client.get(url + query)
        if response.status_code != 200:
            broken.append(f"{model._meta.label} ({response.status_code})")
        add = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"))
        if add.status_code not in (200, 403):
            broken.append(f"{model._meta.label} add form ({add.status_code})")
    assert broken == [], "Admin pages failing: " + ", ".join(broken)
