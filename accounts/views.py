"""Account pages: sign up, log in/out, profiles, password change and reset, email verification."""

import functools

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import LoginForm, PasswordChangeForm, PasswordResetForm, ProfileForm, SignupForm
from core import ratelimit
from core.audit import client_ip
from core.errors import Throttled
from core.forms import show_errors


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        try:
            services.registration_attempt(ip=client_ip(request))  # counted before validation: failures cost too
        except Throttled as exc:
            form = SignupForm(None, initial={k: request.POST.get(k, "") for k in ("username", "email")})
            return ratelimit.throttled_response(
                render(request, "accounts/signup.html", {"form": form, "throttled": str(exc)}), exc.wait
            )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            show_errors(form, exc, rename={"password": "password1"})
        else:
            login(request, user, backend="accounts.backends.UsernameOrEmailBackend")
            messages.success(request, f"Welcome to Veza, {user.username}! We sent a confirmation link to {user.email}.")
            return redirect("home")
    return render(request, "accounts/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled:
            ratelimit.throttled_response(response, form.throttle_wait)
        return response


def console_login(login):
    """Wrap the console's login view (``admin.site.login``, whose form is :class:`ConsoleLoginForm`) so that
    an attempt refused by the login rule answers 429 with ``Retry-After``, as every other login does."""

    @functools.wraps(login)
    def view(request: HttpRequest, extra_context=None) -> HttpResponse:
        response = login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if getattr(form, "throttled", False):
            ratelimit.throttled_response(response, form.throttle_wait)
        return response

    return view


class LogoutView(auth_views.LogoutView):
    http_method_names = ("post", "options")


def profile(request: HttpRequest, username: str) -> HttpResponse:
    user = selectors.user_get_public_by_username(username=username)
    if user is None:
        raise Http404("No such user.")
    return render(request, "accounts/profile.html", {"profile": user})


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, request.FILES or None, instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(
                user=user, **{f: form.cleaned_data[f] for f in ("first_name", "last_name", "bio")}
            )
            if form.cleaned_data.get("avatar_file"):
                services.user_set_avatar(user=user, upload=form.cleaned_data["avatar_file"])
            elif form.cleaned_data.get("remove_avatar"):
                services.user_set_avatar(user=user, upload=None)
        except ValidationError as exc:
            show_errors(form, exc, rename={"avatar": "avatar_file"})
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("accounts:profile", username=user.username)
    return render(request, "accounts/profile_edit.html", {"form": form})


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/form_page.html"
    success_url = reverse_lazy("accounts:password-change-done")
    extra_context = {"title": "Change my password", "submit": "Change password"}  # noqa: RUF012

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled:
            ratelimit.throttled_response(response, form.throttle_wait)
        return response

    def form_valid(self, form):
        # Through the service: every refresh token of the account is revoked too.
        services.user_set_password(user=form.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, "Your password is changed; other sessions and apps were logged out.")
        return redirect(self.success_url)


class PasswordResetView(auth_views.PasswordResetView):
    """Answers the same whether or not an account uses the address; requests are limited per client IP
    (429 with ``Retry-After``) and mails per account (silently: see :class:`accounts.forms.PasswordResetForm`)."""

    form_class = PasswordResetForm
    template_name = "accounts/form_page.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")
    extra_context = {"title": "Reset my password", "submit": "Send me a reset link"}  # noqa: RUF012

    def post(self, request, *args, **kwargs):
        try:
            services.mail_request(kind="password-reset", ip=client_ip(request))
        except Throttled as exc:
            form = self.get_form_class()(initial={"email": request.POST.get("email", "")})
            response = self.render_to_response(self.get_context_data(form=form, throttled=str(exc)))
            return ratelimit.throttled_response(response, exc.wait)
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/form_page.html"
    success_url = reverse_lazy("accounts:password-reset-complete")
    extra_context = {"title": "Choose a new password", "submit": "Set password"}  # noqa: RUF012

    def form_valid(self, form):
        services.user_set_password(user=form.user, password=form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return redirect(self.success_url)


def message_page(title: str, text: str):
    def view(request: HttpRequest) -> HttpResponse:
        return render(request, "accounts/message.html", {"title": title, "text": text})

    return view


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.user_verify_email(token=token)
    except ValidationError as exc:
        return render(
            request, "accounts/message.html", {"title": "Link not valid", "text": exc.messages[0]}, status=400
        )
    return render(
        request,
        "accounts/message.html",
        {"title": "Email confirmed", "text": f"Thank you, {user.username}: your address {user.email} is confirmed."},
    )


@login_required
@require_POST
def verify_email_resend(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified:
        messages.info(request, "Your email address is already confirmed.")
    else:
        try:
            services.verification_email_resend(user=request.user, ip=client_ip(request))
        except Throttled as exc:
            return ratelimit.throttled_response(
                render(request, "accounts/message.html", {"title": "Please wait", "text": str(exc)}), exc.wait
            )
        messages.success(request, f"We sent a new confirmation link to {request.user.email}.")
    return redirect("accounts:profile", username=request.user.username)
