"""GDPR: the data export and the deletion (anonymisation) of an account."""

import json
import uuid

from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from authentication import gdpr
from authentication.exceptions import ApplicationError
from authentication.lock_objects import user_and_profile_for_update
from authentication.models import EmailVerificationToken, Profile, SellerApplicationImage
from authentication.services.credentials import password_check
from authentication.services.exports import data_exports_delete
from authentication.services.profile import PROFILE_FIELDS, files_delete_after_commit
from infrastructure.storage import private_storage, public_url


def _export_account(user):
    fields = ("id", "email", "username", "first_name", "last_name", "role", "language")
    data = {field: getattr(user, field) for field in fields}
    data.update(
        two_factor_enabled=user.two_factor_enabled,
        is_email_verified=user.is_email_verified,
        date_joined=user.date_joined,
        last_login=user.last_login,
        google_sign_in=bool(user.google_sub),
    )
    return data


def _export_profile(profile):
    data = {field: getattr(profile, field) for field in (*PROFILE_FIELDS, "shop_name")}
    data.update(avatar_url=public_url(profile.avatar), shop_logo_url=public_url(profile.shop_logo))
    return data


def _export_applications(user):
    applications = user.seller_applications.prefetch_related("images").order_by("submitted_at")
    fields = ("id", "business_name", "seller_type", "motivation", "portfolio_url", "status")
    return [
        {
            **{field: getattr(application, field) for field in fields},
            "rejection_reason": application.rejection_reason,
            "submitted_at": application.submitted_at,
            "reviewed_at": application.reviewed_at,
            "shop_logo_url": public_url(application.shop_logo),
            "image_urls": [public_url(image.image) for image in application.images.all()],
        }
        for application in applications
    ]


def gdpr_export_build(*, user):
    """Write a JSON archive of everything the user owns to private storage; returns its name."""
    profile, _created = Profile.objects.get_or_create(user=user)
    archive = {
        "generated_at": timezone.now(),
        "account": _export_account(user),
        "profile": _export_profile(profile),
        "seller_applications": _export_applications(user),
        **gdpr.collect_sections(user),
    }
    content = json.dumps(archive, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    name = f"gdpr-exports/{user.pk}/designia-export-{stamp}-{uuid.uuid4().hex[:12]}.json"
    return private_storage.save(name, ContentFile(content))


def _profile_reset(profile):
    names = [
        profile.avatar.name if profile.avatar else None,
        profile.shop_logo.name if profile.shop_logo else None,
    ]
    blank = Profile(user_id=profile.user_id)
    for field in (*PROFILE_FIELDS, "shop_name"):
        setattr(profile, field, getattr(blank, field))
    profile.avatar = None
    profile.shop_logo = None
    profile.save()
    return names


def _applications_delete(user):
    names = []
    for application in user.seller_applications.all():
        names.append(application.shop_logo.name if application.shop_logo else None)
    images = SellerApplicationImage.objects.filter(application__user=user)
    names.extend(image.image.name for image in images)
    user.seller_applications.all().delete()
    return names


@transaction.atomic
def account_delete(*, user, password, confirmation):
    """Anonymise the account: personal data goes, records others rely on (orders) stay.

    The user row is kept (orders and payments point at it) but can never sign in again.
    """
    if confirmation != "DELETE":
        raise ApplicationError('Type "DELETE" to confirm the deletion.', code="confirmation_required")
    password_check(user=user, password=password)
    locked, profile = user_and_profile_for_update(user.pk)
    files = _profile_reset(profile) + _applications_delete(locked)
    private_files = data_exports_delete(user=locked)
    marker = uuid.uuid4().hex
    locked.email = f"deleted-{locked.pk}@deleted.invalid"
    locked.username = f"deleted-{marker[:20]}"
    locked.first_name = locked.last_name = ""
    locked.google_sub = None
    locked.two_factor_enabled = False
    locked.is_active = False
    locked.is_staff = locked.is_superuser = False
    locked.deleted_at = timezone.now()
    locked.set_unusable_password()
    locked.save()
    locked.verification_codes.all().delete()
    EmailVerificationToken.objects.filter(user=locked).delete()
    gdpr.run_erasers(locked)
    files_delete_after_commit(files)
    files_delete_after_commit(private_files, storage=private_storage)
    return locked
