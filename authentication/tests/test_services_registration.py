"""Registration services: username allocation under races."""

import pytest

from authentication.services import registration
from authentication.tests.factories import UserFactory
from designiaBackend.errors import ConflictError

pytestmark = pytest.mark.django_db


def test_a_lost_username_race_retries_with_a_fresh_name(monkeypatch):
    UserFactory(username="anna", email="anna@elsewhere.com")
    names = iter(["anna", "anna-7"])  # the first answer is stale: another request just took it
    monkeypatch.setattr(registration, "username_unique", lambda base: next(names))
    user = registration.user_create(email="anna@example.com", password="Walnut-Table-42")
    assert user.username == "anna-7"
    assert user.profile is not None


def test_a_lost_email_race_is_a_conflict():
    UserFactory(email="anna@example.com")
    with pytest.raises(ConflictError):
        registration.user_create(email="anna@example.com", password="Walnut-Table-42")


@pytest.mark.parametrize(
    ("email", "expected"),
    [("Anna.Berg@example.com", "annaberg"), ("+++@example.com", "user"), ("Ærø@x.dk", "r")],
)
def test_username_base(email, expected):
    assert registration.username_base(email) == expected
