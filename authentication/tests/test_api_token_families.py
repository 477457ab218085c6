"""Refresh-token rotation with reuse detection, the grace window and logout (issue 22).

Each login is a token family: a spent refresh token presented again within
``JWT_REFRESH_GRACE_SECONDS`` gets the same successor; later, the whole family is revoked.
"""

import threading
from datetime import timedelta

import pytest
import requests
import time_machine
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from authentication.models import IssuedRefreshToken, TokenFamily
from authentication.tasks import purge_expired_codes_task
from authentication.tests.factories import DEFAULT_PASSWORD, UserFactory

REFRESH = "/api/auth/token/refresh/"
LOGOUT = "/api/auth/logout/"
PROFILE = "/api/auth/profile/"


def login(client, email):
    body = client.post("/api/auth/login/", {"email": email, "password": DEFAULT_PASSWORD}).json()
    return body["access"], body["refresh"]


def profile_status(client, access):
    return client.get(PROFILE, HTTP_AUTHORIZATION=f"Bearer {access}").status_code


@pytest.mark.django_db
def test_refresh_rotates_and_the_grace_window_returns_the_same_successor(api_client):
    UserFactory(email="ada@example.com")
    _access, refresh = login(api_client, "ada@example.com")

    first = api_client.post(REFRESH, {"refresh": refresh})
    again = api_client.post(REFRESH, {"refresh": refresh})

    assert first.status_code == again.status_code == 200
    assert first.json()["refresh"] != refresh
    assert again.json()["refresh"] == first.json()["refresh"]
    assert profile_status(api_client, again.json()["access"]) == 200
    [family] = TokenFamily.objects.all()
    assert family.revoked_at is None
    assert IssuedRefreshToken.objects.filter(family=family).count() == 2
    # The successor rotates in its turn.
    third = api_client.post(REFRESH, {"refresh": first.json()["refresh"]})
    assert third.status_code == 200
    assert third.json()["refresh"] not in (refresh, first.json()["refresh"])


@pytest.mark.django_db
def test_replay_after_the_grace_window_revokes_the_whole_family(api_client, settings, caplog):
    UserFactory(email="ada@example.com")
    login_access, refresh = login(api_client, "ada@example.com")
    other_access, other_refresh = login(api_client, "ada@example.com")  # another device
    successor = api_client.post(REFRESH, {"refresh": refresh}).json()

    later = timezone.now() + timedelta(seconds=settings.JWT_REFRESH_GRACE_SECONDS + 1)
    with time_machine.travel(later):
        replay = api_client.post(REFRESH, {"refresh": refresh})
        assert replay.status_code == 401
        assert replay.json()["code"] == "token_reused"
        # Every token of that login is dead: the successor, its access token, the first access.
        after = api_client.post(REFRESH, {"refresh": successor["refresh"]})
        assert after.status_code == 401
        assert after.json()["code"] == "token_revoked"
        assert profile_status(api_client, successor["access"]) == 401
        assert profile_status(api_client, login_access) == 401
        # The other login of the same user is untouched.
        assert profile_status(api_client, other_access) == 200
        assert api_client.post(REFRESH, {"refresh": other_refresh}).status_code == 200

    revoked = TokenFamily.objects.get(revoked_at__isnull=False)
    assert revoked.revoke_reason == "reuse"
    [warning] = [r for r in caplog.records if r.name == "authentication.services.tokens"]
    assert warning.getMessage().endswith(f"login {revoked.pk} of user {revoked.user_id} revoked")
    assert TokenFamily.objects.filter(revoked_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_logout_revokes_the_family(api_client):
    UserFactory(email="ada@example.com")
    access, refresh = login(api_client, "ada@example.com")
    successor = api_client.post(REFRESH, {"refresh": refresh}).json()

    response = api_client.post(LOGOUT, {"refresh": successor["refresh"]})

    assert response.status_code == 200
    assert response.json() == {"message": "You are signed out."}
    assert TokenFamily.objects.get().revoke_reason == "logout"
    for token in (refresh, successor["refresh"]):
        assert api_client.post(REFRESH, {"refresh": token}).json()["code"] == "token_revoked"
    assert profile_status(api_client, access) == 401
    assert profile_status(api_client, successor["access"]) == 401
    # Logging out twice is harmless; a new login works.
    assert api_client.post(LOGOUT, {"refresh": refresh}).status_code == 200
    new_access, _new_refresh = login(api_client, "ada@example.com")
    assert profile_status(api_client, new_access) == 200


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{"refresh": "garbage"}, {}])
def test_logout_with_a_bad_token_changes_nothing(api_client, body):
    UserFactory(email="ada@example.com")
    access, _refresh = login(api_client, "ada@example.com")

    response = api_client.post(LOGOUT, body)

    assert response.status_code == (401 if body else 400)
    assert TokenFamily.objects.get().revoked_at is None
    assert profile_status(api_client, access) == 200


@pytest.mark.django_db
def test_a_token_from_before_families_rotates_once_and_its_replay_is_caught(api_client, settings):
    user = UserFactory()
    legacy = str(RefreshToken.for_user(user))

    first = api_client.post(REFRESH, {"refresh": legacy})
    assert first.status_code == 200
    assert api_client.post(REFRESH, {"refresh": legacy}).json()["refresh"] == first.json()["refresh"]

    with time_machine.travel(timezone.now() + timedelta(seconds=settings.JWT_REFRESH_GRACE_SECONDS + 1)):
        assert api_client.post(REFRESH, {"refresh": legacy}).json()["code"] == "token_reused"
        assert api_client.post(REFRESH, {"refresh": first.json()["refresh"]}).status_code == 401


@pytest.mark.django_db
def test_the_purge_task_drops_expired_records_of_a_login_that_goes_on(api_client, settings):
    UserFactory(email="ada@example.com")
    _access, first = login(api_client, "ada@example.com")
    start = timezone.now()
    with time_machine.travel(start + timedelta(days=6)):
        assert api_client.post(REFRESH, {"refresh": first}).status_code == 200
    with time_machine.travel(start + settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"] + timedelta(days=2)):
        assert purge_expired_codes_task.delay().get()["token_families"] == 0
        [kept] = IssuedRefreshToken.objects.all()  # the successor; the first token's record went
        assert kept.issued_at >= start + timedelta(days=6)
        assert api_client.post(REFRESH, {"refresh": first}).status_code == 401  # expired anyway


@pytest.mark.django_db
def test_the_purge_task_deletes_logins_whose_tokens_all_expired(api_client, settings):
    UserFactory(email="ada@example.com")
    login(api_client, "ada@example.com")
    [old] = TokenFamily.objects.all()
    lifetime = settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]
    with time_machine.travel(timezone.now() + lifetime + timedelta(days=2)):
        login(api_client, "ada@example.com")
        assert purge_expired_codes_task.delay().get() == {"codes": 0, "tokens": 0, "token_families": 1}
    assert not TokenFamily.objects.filter(pk=old.pk).exists()
    assert TokenFamily.objects.count() == 1
    assert IssuedRefreshToken.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_refreshes_get_the_same_successor(live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    UserFactory(email="ada@example.com")
    session = requests.Session()
    refresh = session.post(
        f"{live_server.url}/api/auth/login/",
        json={"email": "ada@example.com", "password": DEFAULT_PASSWORD},
        timeout=15,
    ).json()["refresh"]
    barrier = threading.Barrier(2)
    answers = [None, None]

    def refresh_once(index):
        barrier.wait()
        answers[index] = requests.post(f"{live_server.url}{REFRESH}", json={"refresh": refresh}, timeout=15)

    threads = [threading.Thread(target=refresh_once, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].json()["refresh"] == answers[1].json()["refresh"] != refresh
    [family] = TokenFamily.objects.all()
    assert family.revoked_at is None
    assert IssuedRefreshToken.objects.filter(family=family).count() == 2
    for answer in answers:
        profile = requests.get(
            f"{live_server.url}{PROFILE}",
            headers={"Authorization": f"Bearer {answer.json()['access']}"},
            timeout=15,
        )
        assert profile.status_code == 200
