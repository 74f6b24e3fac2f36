from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from accounts import login_guard, services
from accounts.models import User
from core.audit import client_ip
from core.errors import Throttled
from core.forms import show_errors


class SignupForm(forms.Form):
    username = forms.CharField(max_length=50, help_text="3 to 50 characters: letters, digits and _ . -")
    email = forms.EmailField(max_length=255)
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="Password again", strip=False, widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The two passwords differ.")
        try:
            services.registration_validate(
                username=data.get("username", ""), email=data.get("email", ""), password=data.get("password1", "")
            )
        except ValidationError as exc:
            show_errors(self, exc, rename={"password": "password1"}, keep=True)
        return data


class GuardedLoginMixin:
    """Checks the credentials through ``services.user_authenticate``: the login rule of every way in
    (:mod:`accounts.login_guard`), with its per-account and per-IP limits.

    ``throttle_wait`` holds the seconds to wait when the attempt was refused for the limits (the view
    answers 429 with ``Retry-After``), else None.
    """

    throttle_wait: int | None = None

    @property
    def throttled(self) -> bool:
        return self.throttle_wait is not None

    def clean(self):
        identifier = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if identifier and password:
            try:
                self.user_cache = services.user_authenticate(
                    request=self.request, identifier=identifier, password=password, ip=client_ip(self.request)
                )
            except Throttled as exc:
                self.throttle_wait = exc.wait
                raise forms.ValidationError(str(exc), code="throttled") from exc
            except services.InvalidCredentials as exc:
                raise forms.ValidationError(services.InvalidCredentials.message, code="invalid_login") from exc
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class LoginForm(GuardedLoginMixin, AuthenticationForm):
    """The login page: username or email."""

    username = forms.CharField(label="Username or email", max_length=255)


class ConsoleLoginForm(GuardedLoginMixin, AdminAuthenticationForm):
    """The moderation console's login (``/admin/login/``): the same rule, then staff only."""

    username = forms.CharField(label="Username or email", max_length=255)


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """The password page: the current password is a secret guessed like a login's, so it obeys the same
    rule (:func:`accounts.login_guard.prove`); ``throttle_wait`` as on :class:`GuardedLoginMixin`."""

    throttle_wait: int | None = None

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    @property
    def throttled(self) -> bool:
        return self.throttle_wait is not None

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        ip = client_ip(self.request) if self.request is not None else None
        try:
            login_guard.prove(user=self.user, ip=ip, check=lambda: self.user.check_password(old_password))
        except Throttled as exc:
            self.throttle_wait = exc.wait
            raise forms.ValidationError(str(exc), code="throttled") from exc
        except login_guard.InvalidCredentials as exc:
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect") from exc
        return old_password


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, with links built on ``SITE_URL`` (never on the request's Host header) and at
    most ``ACCOUNT_MAILS_PER_ACCOUNT`` mails per account per ``ACCOUNT_MAIL_WINDOW`` (past it, nothing is
    sent and the page answers as always)."""

    def get_users(self, email):
        return [user for user in super().get_users(email) if services.mail_allowed(kind="password-reset", user=user)]

    def save(self, **kwargs):
        site = urlsplit(settings.SITE_URL)
        kwargs.update(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            extra_email_context={
                **(kwargs.get("extra_email_context") or {}),
                "site_url": settings.SITE_URL.rstrip("/"),
            },
        )
        return super().save(**kwargs)


class ProfileForm(forms.ModelForm):
    avatar_file = forms.ImageField(label="Avatar", required=False, help_text="JPEG, PNG, WebP or GIF, 5 MB at most.")
    remove_avatar = forms.BooleanField(label="Remove my avatar", required=False)

    class Meta:
        model = User
        fields = ("first_name", "last_name", "bio")
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}  # noqa: RUF012
