"""The REST API's JWT authentication: simplejwt's, with the caller's profile joined in.

The catalogue reads the profile's preferred currency on signed-in requests; joining it here keeps
that read free (still one query per request for the caller).
"""

from django.contrib.auth import get_user_model
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication


class _UsersWithProfile:
    """What simplejwt's ``get_user`` reads of ``user_model``, with ``select_related("profile")``."""

    def __init__(self, model):
        self.model = model
        self.DoesNotExist = model.DoesNotExist  # noqa: N815 (simplejwt's attribute name)

    @property
    def objects(self):
        return self.model.objects.select_related("profile")


class ProfileJWTAuthentication(JWTAuthentication):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_model = _UsersWithProfile(get_user_model())


class ProfileJWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme: the same ``jwtAuth`` bearer scheme as simplejwt's."""

    target_class = "authentication.jwt_authentication.ProfileJWTAuthentication"
