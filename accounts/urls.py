from django.urls import path

from accounts import api, views

app_name = "accounts"

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", views.profile_edit, name="profile-edit"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password-change"),
    path(
        "accounts/password/done/",
        views.message_page("Password changed", "Your password is changed."),
        name="password-change-done",
    ),
    path("accounts/password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "accounts/password/reset/sent/",
        views.message_page(
            "Check your inbox", "If an account uses that address, we sent it a link to choose a new password."
        ),
        name="password-reset-done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        views.message_page("Password set", "Your new password is set: you can log in with it."),
        name="password-reset-complete",
    ),
    path("accounts/verify/resend/", views.verify_email_resend, name="verify-email-resend"),
    path("accounts/verify/<str:token>/", views.verify_email, name="verify-email"),
    path("u/<str:username>/", views.profile, name="profile"),
]

api_urlpatterns = [
    path("auth/register", api.RegisterView.as_view(), name="auth-register"),
    path("auth/login", api.LoginView.as_view(), name="auth-login"),
    path("auth/refresh", api.RefreshView.as_view(), name="auth-refresh"),
    path("auth/logout", api.LogoutView.as_view(), name="auth-logout"),
    path("auth/password", api.PasswordChangeView.as_view(), name="auth-password"),
    path("auth/me", api.MeView.as_view(), name="auth-me"),
    path("users/", api.UserListView.as_view(), name="user-list"),
    path("users/me", api.UserMeView.as_view(), name="user-me"),
    path("users/me/avatar", api.UserAvatarView.as_view(), name="user-me-avatar"),
    path("users/<int:pk>/", api.UserDetailView.as_view(), name="user-detail"),
]
