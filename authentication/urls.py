from django.urls import path

from authentication.apis import profile, security, sellers, sessions

urlpatterns = [
    # Sign-up and sessions (E01–E06)
    path("register/", sessions.RegisterView.as_view(), name="auth-register"),
    path("verify-email/", sessions.VerifyEmailView.as_view(), name="auth-verify-email"),
    path("verify-email/resend/", sessions.ResendVerificationView.as_view(), name="auth-verify-email-resend"),
    path("login/", sessions.LoginView.as_view(), name="auth-login"),
    path("login/verify-2fa/", sessions.LoginTwoFactorView.as_view(), name="auth-login-2fa"),
    path("google/login/", sessions.GoogleLoginView.as_view(), name="auth-google-login"),
    path("token/refresh/", sessions.TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("logout/", sessions.LogoutView.as_view(), name="auth-logout"),
    # Passwords, re-authentication, two-factor (E08–E14)
    path("password/reset/", security.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "password/reset/verify/",
        security.PasswordResetVerifyView.as_view(),
        name="auth-password-reset-verify",
    ),
    path("password/change/", security.PasswordChangeView.as_view(), name="auth-password-change"),
    path("verify-password/", security.VerifyPasswordView.as_view(), name="auth-verify-password"),
    path("account/status/", security.AccountStatusView.as_view(), name="auth-account-status"),
    path("2fa/send-code/", security.TwoFactorSendCodeView.as_view(), name="auth-2fa-send-code"),
    path("2fa/enable/", security.TwoFactorEnableView.as_view(), name="auth-2fa-enable"),
    path("2fa/disable/", security.TwoFactorDisableView.as_view(), name="auth-2fa-disable"),
    # Profile and account (E07, E15–E19)
    path("profile/", profile.ProfileView.as_view(), name="auth-profile"),
    path("profile/picture/upload/", profile.AvatarUploadView.as_view(), name="auth-avatar-upload"),
    path("profile/picture/delete/", profile.AvatarDeleteView.as_view(), name="auth-avatar-delete"),
    path("profile/export/", profile.ExportView.as_view(), name="auth-profile-export"),
    path("profile/delete/", profile.AccountDeleteView.as_view(), name="auth-account-delete"),
    # Seller applications (E20, E21) and their review by staff
    path(
        "seller/application/status/",
        sellers.SellerApplicationStatusView.as_view(),
        name="seller-application-status",
    ),
    path("seller/apply/", sellers.SellerApplyView.as_view(), name="seller-apply"),
    path(
        "admin/seller/applications/",
        sellers.AdminSellerApplicationListView.as_view(),
        name="admin-seller-applications",
    ),
    path(
        "admin/seller/applications/<int:application_id>/",
        sellers.AdminSellerApplicationDecisionView.as_view(),
        name="admin-seller-application-decision",
    ),
]
