import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from ar.models import MobileAppRelease
from ar.tests.factories import MobileAppReleaseFactory

URL = "/api/system/app-version-check/"


@pytest.fixture
def ios_release(db):
    return MobileAppReleaseFactory(platform="ios", latest_version="2.3.0", minimum_version="2.0.0")


@pytest.mark.parametrize(
    ("version", "available", "required"),
    [
        ("2.3.0", False, False),
        ("2.4.0-beta.1", False, False),
        ("2.3.0-rc.1", True, False),
        ("2.1.9", True, False),
        ("2.0.0", True, False),
        ("2.0.0-rc.2", True, True),
        ("1.12.0", True, True),
    ],
)
def test_the_app_learns_whether_an_update_is_available_or_required(
    api_client, ios_release, version, available, required
):
    response = api_client.get(URL, {"platform": "ios", "version": version})

    assert response.status_code == 200
    assert response.json() == {
        "platform": "ios",
        "current_version": version,
        "latest_version": "2.3.0",
        "minimum_version": "2.0.0",
        "update_available": available,
        "update_required": required,
        "store_url": "https://apps.apple.com/app/designia/id123456789",
        "release_notes": "AR previews of every chair.",
        "message": (
            "An update is required."
            if required
            else "An update is available." if available else "No update required."
        ),
    }


def test_the_upstream_current_version_parameter_is_accepted_too(api_client, ios_release):
    response = api_client.get(URL, {"platform": "ios", "current_version": "1.12.0"})

    assert response.status_code == 200
    assert response.json()["current_version"] == "1.12.0"
    assert response.json()["update_required"] is True

    both = api_client.get(URL, {"platform": "ios", "version": "2.3.0", "current_version": "1.0.0"})
    assert both.json()["current_version"] == "2.3.0"
    assert both.json()["update_required"] is False

    malformed = api_client.get(URL, {"platform": "ios", "current_version": "v2"})
    assert malformed.status_code == 400
    assert "version" in malformed.json()


def test_a_stale_token_is_ignored_by_the_public_version_check(api_client, ios_release):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert api_client.get(URL, {"platform": "ios", "version": "2.3.0"}).status_code == 200


@pytest.mark.parametrize("version", ["2.3", "v2.3.0", "2.3.0.1", "02.3.0", "latest", ""])
def test_a_malformed_version_is_a_400(api_client, ios_release, version):
    response = api_client.get(URL, {"platform": "ios", "version": version})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()) == ["version", "code"]


def test_an_unknown_platform_or_missing_parameters_are_400(api_client, ios_release):
    response = api_client.get(URL, {"platform": "windows", "version": "1.0.0"})
    assert response.status_code == 400
    assert "platform" in response.json()

    response = api_client.get(URL)
    assert response.status_code == 400
    assert set(response.json()) == {"platform", "version", "code"}


def test_a_platform_without_a_configured_release_needs_no_update(api_client, ios_release):
    response = api_client.get(URL, {"platform": "android", "version": "1.0.0"})

    assert response.status_code == 200
    assert response.json() == {
        "platform": "android",
        "current_version": "1.0.0",
        "latest_version": None,
        "minimum_version": None,
        "update_available": False,
        "update_required": False,
        "store_url": None,
        "release_notes": "",
        "message": "No update required.",
    }


@pytest.mark.django_db
def test_the_admin_model_refuses_malformed_or_inverted_versions():
    release = MobileAppRelease(
        platform="android",
        latest_version="2.0",
        minimum_version="1.0.0",
        store_url="https://play.google.com/x",
    )
    with pytest.raises(ValidationError) as caught:
        release.full_clean()
    assert set(caught.value.message_dict) == {"latest_version"}

    release.latest_version, release.minimum_version = "1.0.0", "1.1.0"
    with pytest.raises(ValidationError) as caught:
        release.full_clean()
    assert caught.value.message_dict == {
        "minimum_version": ["The minimum version cannot be above the latest."]
    }


def test_seed_demo_seeds_a_release_per_platform_and_keeps_the_admins(api_client, ios_release, settings):
    settings.DEBUG = True  # as under `make run`
    out = io.StringIO()
    call_command("seed_demo", products=3, stdout=out)
    call_command("seed_demo", products=3, stdout=io.StringIO())  # idempotent

    assert "Mobile app releases: 1 created." in out.getvalue()
    assert MobileAppRelease.objects.count() == 2
    android = api_client.get(URL, {"platform": "android", "version": "0.9.0"}).json()
    assert (android["latest_version"], android["update_required"]) == ("1.2.0", True)
    assert android["store_url"].startswith("https://play.google.com/")
    ios = api_client.get(URL, {"platform": "ios", "version": "2.3.0"}).json()
    assert ios["latest_version"] == "2.3.0"  # the release set in the admin is not replaced
