"""Seller applications: submission by a customer, review (approve / reject) by staff."""

import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from authentication.exceptions import SellerApplicationError, TwoFactorRequiredError
from authentication.lock_objects import (
    seller_application_for_update,
    user_and_profile_for_update,
    user_for_update,
)
from authentication.models import SellerApplication, SellerApplicationImage, User
from designiaBackend.api.notifications import notify
from designiaBackend.errors import ConflictError, NotFoundError
from infrastructure.images import image_content_file, validate_image

logger = logging.getLogger(__name__)

Status = SellerApplication.Status
OPEN_STATUSES = (Status.PENDING, Status.UNDER_REVIEW, Status.REVISION_REQUESTED)
MAX_APPLICATION_IMAGES = 10


def _validated_image(file, stem):
    info = validate_image(file, max_bytes=settings.AVATAR_MAX_BYTES)
    file.seek(0)
    return image_content_file(file.read(), info, stem=stem)


@transaction.atomic
def seller_application_submit(
    *, user, business_name, motivation, seller_type, portfolio_url="", shop_logo=None, images=()
):
    """Create a pending application. Needs 2FA; refused while one is open or once a seller."""
    locked = user_for_update(user.pk)  # one submission at a time per user
    if not locked.two_factor_enabled:
        raise TwoFactorRequiredError()
    if locked.is_seller:
        raise SellerApplicationError("You are already a seller.")
    if locked.seller_applications.filter(status__in=OPEN_STATUSES).exists():
        raise SellerApplicationError("You already have an application under review.")
    if len(images) > MAX_APPLICATION_IMAGES:
        raise SellerApplicationError(f"Attach at most {MAX_APPLICATION_IMAGES} images.")
    logo = _validated_image(shop_logo, "logo") if shop_logo else None
    contents = [_validated_image(image, f"work-{index}") for index, image in enumerate(images)]
    application = SellerApplication(
        user=locked,
        business_name=business_name,
        motivation=motivation,
        seller_type=seller_type,
        portfolio_url=portfolio_url or "",
    )
    if logo is not None:
        application.shop_logo.save(logo.name, logo, save=False)
    application.save()
    for index, content in enumerate(contents):
        image = SellerApplicationImage(application=application, order=index)
        image.image.save(content.name, content, save=False)
        image.save()
    return application


def _lock_open_application(application_id):
    application = seller_application_for_update(application_id)
    if application is None:
        raise NotFoundError("Seller application not found.")
    if application.status not in OPEN_STATUSES:
        raise ConflictError(f"This application was already {application.status}.", code="already_decided")
    return application


def _decision_email(application):
    """The applicant's notification (inbox, socket and e-mail) of the decision."""
    approved = application.status == Status.APPROVED
    body = (
        format_lazy(_("Welcome aboard: {shop} can now sell on Designia."), shop=application.business_name)
        if approved
        else format_lazy(
            _("Your application for {shop} was not accepted: {reason}"),
            shop=application.business_name,
            reason=application.rejection_reason,
        )
    )
    notify(
        recipient=application.user_id,
        kind="seller_application_decided",
        event_key=f"seller_application_decided:{application.pk}",
        title=(
            _("Your Designia seller application was approved")
            if approved
            else _("Your Designia seller application was rejected")
        ),
        body=body,
        link_type="seller_application",
        link_id=str(application.pk),
        url=f"{settings.FRONTEND_URL}/seller/onboarding",
        email_template="seller_application_decision",
        email_context={
            "first_name": application.user.first_name or application.user.username,
            "business_name": application.business_name,
            "approved": approved,
            "rejection_reason": application.rejection_reason,
        },
    )


def _copy_logo_to_profile(application, profile):
    if not application.shop_logo:
        return
    with application.shop_logo.open("rb") as source:
        data = source.read()
    extension = application.shop_logo.name.rsplit(".", 1)[-1]
    profile.shop_logo.save(f"shop-logo-{uuid.uuid4().hex[:12]}.{extension}", ContentFile(data), save=False)


@transaction.atomic
def seller_application_approve(*, application_id, reviewer, admin_notes=""):
    """Approve: the application, the seller role and the storefront name/logo change together."""
    application = _lock_open_application(application_id)
    user, profile = user_and_profile_for_update(application.user_id)
    application.status = Status.APPROVED
    application.reviewed_by = reviewer
    application.reviewed_at = timezone.now()
    application.admin_notes = admin_notes or application.admin_notes
    application.save()
    if user.role == User.Role.CUSTOMER:
        user.role = User.Role.SELLER
        user.save(update_fields=["role"])
    profile.shop_name = application.business_name
    _copy_logo_to_profile(application, profile)
    profile.save()
    application.user = user
    _decision_email(application)
    logger.info("Seller application %s approved by %s", application.pk, reviewer.pk)
    return application


@transaction.atomic
def seller_application_reject(*, application_id, reviewer, reason, admin_notes=""):
    if not reason or not reason.strip():
        raise SellerApplicationError("A rejection needs a reason for the applicant.", code="reason_required")
    application = _lock_open_application(application_id)
    application.status = Status.REJECTED
    application.rejection_reason = reason.strip()
    application.admin_notes = admin_notes or application.admin_notes
    application.reviewed_by = reviewer
    application.reviewed_at = timezone.now()
    application.save()
    _decision_email(application)
    logger.info("Seller application %s rejected by %s", application.pk, reviewer.pk)
    return application
