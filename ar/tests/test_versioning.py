import pytest

from ar.exceptions import InvalidVersionError
from ar.versioning import Version


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("1.0.0", "2.0.0"),
        ("2.0.0", "2.1.0"),
        ("2.1.0", "2.1.1"),
        ("1.9.0", "1.10.0"),  # numeric, not lexical
        ("1.0.0-alpha", "1.0.0"),
        ("1.0.0-alpha", "1.0.0-alpha.1"),
        ("1.0.0-alpha.1", "1.0.0-alpha.beta"),
        ("1.0.0-alpha.beta", "1.0.0-beta"),
        ("1.0.0-beta", "1.0.0-beta.2"),
        ("1.0.0-beta.2", "1.0.0-beta.11"),
        ("1.0.0-beta.11", "1.0.0-rc.1"),
        ("1.0.0-rc.1", "1.0.0"),
    ],
)
def test_semver_precedence(lower, higher):
    assert Version.parse(lower) < Version.parse(higher)
    assert Version.parse(higher) > Version.parse(lower)
    assert Version.parse(lower) != Version.parse(higher)


def test_build_metadata_is_ignored_in_precedence():
    assert Version.parse("1.2.3+build.5") == Version.parse("1.2.3+other")
    assert str(Version.parse("1.2.3+build.5")) == "1.2.3+build.5"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1",
        "1.2",
        "1.2.3.4",
        "01.2.3",
        "1.02.3",
        "v1.2.3",
        "1.2.3-",
        "1.2.3-01",
        "1.2.3\n",
        "1.2.x",
        "١.2.3",
        "1.2.3-beta..1",
        "9" * 70,
    ],
)
def test_malformed_versions_are_refused(text):
    with pytest.raises(InvalidVersionError) as caught:
        Version.parse(text)
    assert caught.value.code == "invalid_version"
    assert caught.value.status == 400
