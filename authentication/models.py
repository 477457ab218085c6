import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email).lower()
        extra_fields.setdefault("username", email.split("@")[0][:150])
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        Profile.objects.get_or_create(user=user)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN, is_email_verified=True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """An account. The primary key is a UUID, serialised as a string everywhere (contract §4.2).

    ``role``, ``is_email_verified`` and the staff flags are set only by services (verification,
    seller approval) and staff, never by the user's own input.
    """

    class Role(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        SELLER = "seller", "Seller"
        ADMIN = "admin", "Admin"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    # Unique display handle; registration derives it from the e-mail and de-duplicates it (C16).
    username = models.CharField(max_length=150, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CUSTOMER, db_index=True)
    is_email_verified = models.BooleanField(default=False)
    two_factor_enabled = models.BooleanField(default=False)
    language = models.CharField(max_length=10, default="en")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Set when the account is deleted (GDPR): personal data is anonymised, records are kept.
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Google's stable account id ("sub"), set on the first Google sign-in.
    google_sub = models.CharField(max_length=255, unique=True, null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    class Meta:
        ordering = ["-date_joined"]

    def __str__(self):
        return self.email

    @property
    def is_seller(self):
        return self.role in (self.Role.SELLER, self.Role.ADMIN)

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()


class Profile(models.Model):
    class Gender(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        UNSPECIFIED = "prefer_not_to_say", "Prefer not to say"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile", primary_key=True)
    bio = models.TextField(blank=True, max_length=2000)
    location = models.CharField(max_length=120, blank=True)
    phone_number = models.CharField(max_length=32, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=20, choices=Gender.choices, blank=True)
    website = models.URLField(blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    company = models.CharField(max_length=120, blank=True)
    avatar = models.ImageField(upload_to="avatars/%Y/%m/", blank=True, null=True)
    # Storefront (public seller page). The shop name and logo come from the approved application.
    shop_name = models.CharField(max_length=200, blank=True)
    shop_logo = models.ImageField(upload_to="shop_logos/%Y/%m/", blank=True, null=True)
    is_public = models.BooleanField(default=True, help_text="Show bio and location on the storefront.")
    marketing_emails = models.BooleanField(default=False)
    # ISO 4217 code the catalogue shows prices in (display only; blank: each product's own).
    preferred_currency = models.CharField(max_length=3, blank=True, default="")
    # ISO 3166 code where the seller trades from: EU sellers price VAT-inclusive (marketplace.tax).
    country = models.CharField(max_length=2, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Profile of {self.user_id}"


class SellerApplication(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        UNDER_REVIEW = "under_review", "Under review"
        REVISION_REQUESTED = "revision_requested", "Revision requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    class SellerType(models.TextChoices):
        INDIVIDUAL = "individual", "Individual"
        BUSINESS = "business", "Business"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="seller_applications")
    business_name = models.CharField(max_length=200)
    seller_type = models.CharField(max_length=20, choices=SellerType.choices, default=SellerType.INDIVIDUAL)
    motivation = models.TextField()
    portfolio_url = models.URLField(blank=True)
    shop_logo = models.ImageField(upload_to="seller_applications/logos/%Y/%m/", blank=True, null=True)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.PENDING, db_index=True)
    rejection_reason = models.TextField(blank=True)
    admin_notes = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviewed_seller_applications"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self):
        return f"{self.business_name} ({self.status})"


class SellerApplicationImage(models.Model):
    application = models.ForeignKey(SellerApplication, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="seller_applications/images/%Y/%m/")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return f"Image {self.order} of application {self.application_id}"


class VerificationCode(models.Model):
    """A 6-digit code sent by e-mail (2FA login/enable/disable, password reset).

    Only an HMAC of the code is stored. A code works once, expires, and dies after too many
    wrong attempts; issuing a new code for the same purpose kills the previous ones.
    """

    class Purpose(models.TextChoices):
        LOGIN = "login_2fa", "Two-factor login"
        ENABLE_2FA = "enable_2fa", "Enable two-factor authentication"
        DISABLE_2FA = "disable_2fa", "Disable two-factor authentication"
        PASSWORD_RESET = "password_reset", "Password reset"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verification_codes")
    purpose = models.CharField(max_length=24, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "purpose", "created_at"], name="auth_code_lookup")]

    def __str__(self):
        return f"{self.purpose} code for {self.user_id}"


class EmailVerificationToken(models.Model):
    """The single-use token of an e-mail verification link; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_verification_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"E-mail verification token for {self.user_id}"


class TokenFamily(models.Model):
    """One login: every refresh token rotated from the pair that login issued, and their access tokens.

    Revoked at logout, or when a refresh token is used again after its grace window (reuse of a
    stolen token): from then on no token of the family is accepted.
    """

    class RevokeReason(models.TextChoices):
        LOGOUT = "logout", "Logout"
        REUSE = "reuse", "Refresh token reused"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="token_families")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=16, choices=RevokeReason.choices, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "token families"

    def __str__(self):
        return f"Token family {self.id} of {self.user_id}"


class IssuedRefreshToken(models.Model):
    """A refresh token that was handed out (by its ``jti``; the token itself is not stored).

    ``successor`` is the token its rotation issued; ``rotated_at`` starts the grace window in
    which the same successor is handed out again to parallel refreshes.
    """

    jti = models.CharField(max_length=64, primary_key=True)
    family = models.ForeignKey(TokenFamily, on_delete=models.CASCADE, related_name="refresh_tokens")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    successor = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="predecessor"
    )

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self):
        return f"Refresh token {self.jti} of family {self.family_id}"


class DataExport(models.Model):
    """A GDPR data export the user asked for (at most one per ``GDPR_EXPORT_INTERVAL_HOURS``);
    ``archive_name`` (private storage) is set when the task has written it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="data_exports")
    requested_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    archive_name = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["user", "requested_at"], name="auth_export_by_user")]

    def __str__(self):
        return f"Data export of {self.user_id} at {self.requested_at:%Y-%m-%d %H:%M}"
