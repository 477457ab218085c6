"""Refusals of the authentication app, each with a stable machine-readable code."""

from designiaBackend.errors import ApplicationError


class InvalidCredentialsError(ApplicationError):
    code = "invalid_credentials"
    status = 401
    default_message = "Invalid email or password."


class EmailNotVerifiedError(ApplicationError):
    code = "email_not_verified"
    status = 403
    default_message = "Please verify your email address before logging in. Check your inbox for the link."


class InvalidCodeError(ApplicationError):
    code = "invalid_code"
    default_message = "The code is invalid or has expired. Request a new one."


class CodeCooldownError(ApplicationError):
    code = "code_cooldown"
    status = 429
    default_message = "A code was sent a moment ago. Please wait before asking for another one."


class InvalidTokenError(ApplicationError):
    code = "invalid_token"
    default_message = "This verification link is invalid or has expired."


class WrongPasswordError(ApplicationError):
    code = "wrong_password"
    default_message = "The password is incorrect."


class TwoFactorStateError(ApplicationError):
    code = "two_factor_state"


class GoogleSignInError(ApplicationError):
    code = "invalid_google_token"
    default_message = "The Google sign-in could not be verified."


class SellerApplicationError(ApplicationError):
    code = "seller_application_refused"


class TwoFactorRequiredError(SellerApplicationError):
    code = "two_factor_required"
    default_message = "Two-factor authentication must be enabled before applying to become a seller."


class InvalidRefreshTokenError(ApplicationError):
    code = "token_not_valid"
    status = 401
    default_message = "The refresh token is invalid or expired."


class TokenFamilyRevokedError(ApplicationError):
    code = "token_revoked"
    status = 401
    default_message = "This session was signed out. Please log in again."


class RefreshTokenReusedError(ApplicationError):
    code = "token_reused"
    status = 401
    default_message = "This refresh token was already used: every session of this login is signed out."


class ExportLimitError(ApplicationError):
    code = "export_limited"
    status = 429
    default_message = "A data export was requested recently. Please try again later."
    headers: dict[str, str] | None = None  # Retry-After, set by the service
