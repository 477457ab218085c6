"""Profile edits and the avatar."""

from functools import partial

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from authentication.lock_objects import user_and_profile_for_update
from designiaBackend.api.after_commit import best_effort
from infrastructure.images import image_content_file, validate_image

USER_FIELDS = ("first_name", "last_name", "language")
# The profile fields its owner edits, in two groups: the profile shows its shop between them.
PROFILE_ABOUT_FIELDS = (
    "bio",
    "location",
    "phone_number",
    "birth_date",
    "gender",
    "website",
    "job_title",
    "company",
)
PROFILE_SETTING_FIELDS = ("is_public", "marketing_emails", "preferred_currency", "country")
PROFILE_FIELDS = PROFILE_ABOUT_FIELDS + PROFILE_SETTING_FIELDS


def files_delete_after_commit(names, storage=None):
    """Remove stored files once the rows no longer pointing at them are committed."""
    storage = storage or default_storage
    for name in filter(None, names):
        best_effort(partial(storage.delete, name), what="file_delete")


def _locked(user):
    return user_and_profile_for_update(user.pk)


@transaction.atomic
def profile_update(*, user, data):
    """Apply a flat mix of user and profile fields; only whitelisted fields are ever written."""
    locked, profile = _locked(user)
    user_changes = [field for field in USER_FIELDS if field in data]
    profile_changes = [field for field in PROFILE_FIELDS if field in data]
    for field in user_changes:
        setattr(locked, field, data[field])
    for field in profile_changes:
        value = data[field]
        setattr(profile, field, "" if value is None and field != "birth_date" else value)
    if user_changes:
        locked.save(update_fields=user_changes)
    if profile_changes:
        profile.save(update_fields=[*profile_changes, "updated_at"])
    return locked


@transaction.atomic
def avatar_set(*, user, file):
    info = validate_image(file, max_bytes=settings.AVATAR_MAX_BYTES)
    file.seek(0)
    data = file.read()
    _locked_user, profile = _locked(user)
    previous = profile.avatar.name if profile.avatar else None
    content = image_content_file(data, info, stem="avatar")
    profile.avatar.save(content.name, content, save=False)
    profile.save(update_fields=["avatar", "updated_at"])
    files_delete_after_commit([previous])
    return profile


@transaction.atomic
def avatar_delete(*, user):
    _locked_user, profile = _locked(user)
    previous = profile.avatar.name if profile.avatar else None
    profile.avatar = None
    profile.save(update_fields=["avatar", "updated_at"])
    files_delete_after_commit([previous])
    return profile
