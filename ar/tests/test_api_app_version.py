import pytest
from django.core.exceptions import ValidationError

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
    }


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


def test_a_platform_without_a_configured_release_is_a_404(api_client, ios_release):
    response = api_client.get(URL, {"platform": "android", "version": "1.0.0"})

    assert response.status_code == 404
    assert response.json()["code"] == "platform_not_configured"


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
