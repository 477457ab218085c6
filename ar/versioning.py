"""Semantic versions (semver.org 2.0.0): parsing and precedence.

``MAJOR.MINOR.PATCH`` with an optional ``-pre.release`` and ``+build`` metadata. Precedence:
numbers compare numerically; a pre-release sorts before its release; pre-release identifiers
compare one by one, numeric ones numerically and below alphanumeric ones, and a shorter list
sorts first when all shared identifiers are equal. Build metadata is ignored.
"""

import re
from dataclasses import dataclass
from functools import total_ordering

from ar.exceptions import InvalidVersionError

_NUMBER = r"0|[1-9]\d*"
_IDENTIFIER = r"0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*"
SEMVER = re.compile(
    rf"^(?P<major>{_NUMBER})\.(?P<minor>{_NUMBER})\.(?P<patch>{_NUMBER})"
    rf"(?:-(?P<pre>(?:{_IDENTIFIER})(?:\.(?:{_IDENTIFIER}))*))?"
    r"(?:\+(?P<build>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$",
    re.ASCII,
)
MAX_LENGTH = 64


@total_ordering
@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    prerelease: tuple = ()
    text: str = ""

    @classmethod
    def parse(cls, value):
        """A ``Version`` from text; raises ``InvalidVersionError`` (400) on malformed input."""
        if not isinstance(value, str) or len(value) > MAX_LENGTH:
            raise InvalidVersionError()
        match = SEMVER.fullmatch(value)
        if not match:
            raise InvalidVersionError(f"'{value}' is not a semantic version such as 1.4.2 or 2.0.0-beta.1.")
        pre = tuple(match["pre"].split(".")) if match["pre"] else ()
        return cls(int(match["major"]), int(match["minor"]), int(match["patch"]), pre, value)

    def _key(self):
        # A release (no pre-release) sorts after every pre-release of the same numbers.
        pre = tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in self.prerelease)
        return (self.major, self.minor, self.patch, not self.prerelease, pre)

    def __eq__(self, other):
        return isinstance(other, Version) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __lt__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self):
        return self.text or f"{self.major}.{self.minor}.{self.patch}"


def is_valid_version(value):
    try:
        Version.parse(value)
    except InvalidVersionError:
        return False
    return True
