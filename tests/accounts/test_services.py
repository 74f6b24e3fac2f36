"""The rules of accounts, held by the services themselves: sign-up, passwords, moderation, profile, emails."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import services, tokens
from accounts.models import AuditLog, RefreshToken, Role, User
from tests.accounts.factories import PASSWORD, AdminFactory, SuperAdminFactory, UserFactory

pytestmark = pytest.mark.django_db

STRONG = "a long and unusual passphrase"


def live_tokens(user) -> int:
    return RefreshToken.objects.filter(user=user, revoked_at__isnull=True).count()


# --- sign-up --------------------------------------------------------------------------------------


def test_a_sign_up_reports_every_field_error_at_once_and_writes_nothing(user):
    users = User.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.user_register(username="MELODY", email="not an address", password="123")
    assert set(refused.value.message_dict) == {"username", "email", "password"}
    assert User.objects.count() == users


def test_an_address_taken_in_another_case_is_refused(user):
    with pytest.raises(ValidationError) as refused:
        services.registration_validate(username="someone", email="Melody@Example.org", password=STRONG)
    assert set(refused.value.message_dict) == {"email"}


def test_a_new_account_is_an_unverified_user_and_gets_its_link_after_commit(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = services.user_register(username="  newcomer ", email="newcomer@example.org", password=STRONG)
        assert mailoutbox == []  # not before the commit
    stored = User.objects.get(pk=user.pk)
    assert (stored.username, stored.role, stored.is_verified) == ("newcomer", Role.USER, False)
    assert stored.check_password(STRONG) and STRONG not in stored.password
    assert [mail.to for mail in mailoutbox] == [["newcomer@example.org"]]


def test_sign_up_attempts_past_the_limit_per_address_are_throttled(settings):
    settings.REGISTRATIONS_PER_IP = 2
    services.registration_attempt(ip="203.0.113.5")
    services.registration_attempt(ip="203.0.113.5")
    with pytest.raises(services.RegistrationThrottled) as refused:
        services.registration_attempt(ip="203.0.113.5")
    assert refused.value.wait > 0
    services.registration_attempt(ip="203.0.113.6")  # another address has its own count


# --- login and passwords --------------------------------------------------------------------------


def test_a_wrong_password_is_refused_and_records_no_login(user):
    with pytest.raises(services.InvalidCredentials):
        services.user_authenticate(request=None, identifier="melody", password="wrong", ip="203.0.113.9")
    user.refresh_from_db()
    assert user.last_login is None


def test_a_deactivated_account_does_not_log_in_even_with_its_password(user):
    user.is_active = False
    user.save(update_fields=["is_active"])
    with pytest.raises(services.InvalidCredentials):
        services.user_login_tokens(request=None, identifier="melody", password=PASSWORD, ip="203.0.113.9")
    assert not RefreshToken.objects.filter(user=user).exists()


def test_a_login_records_when_and_issues_a_stored_refresh_token(user):
    logged_in, pair = services.user_login_tokens(request=None, identifier="melody", password=PASSWORD, ip=None)
    assert logged_in.pk == user.pk
    user.refresh_from_db()
    assert user.last_login is not None
    assert RefreshToken.objects.get(user=user).token == tokens.token_hash(pair.refresh)


def test_a_wrong_current_password_changes_nothing(user):
    tokens.token_pair_issue(user=user)
    with pytest.raises(ValidationError) as refused:
        services.user_change_password(user=user, current_password="wrong", new_password=STRONG)
    assert set(refused.value.message_dict) == {"current_password"}
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert live_tokens(user) == 1


def test_a_weak_new_password_is_a_field_error_and_changes_nothing(user):
    with pytest.raises(ValidationError) as refused:
        services.user_change_password(user=user, current_password=PASSWORD, new_password="melody")
    assert set(refused.value.message_dict) == {"new_password"}
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_guesses_of_the_current_password_are_throttled(user, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 2
    for _ in range(2):
        with pytest.raises(ValidationError):
            services.user_change_password(user=user, current_password="guess", new_password=STRONG)
    with pytest.raises(services.LoginThrottled):
        services.user_change_password(user=user, current_password=PASSWORD, new_password=STRONG)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_password_change_revokes_every_refresh_token(user):
    for _ in range(2):
        tokens.token_pair_issue(user=user)
    services.user_change_password(user=user, current_password=PASSWORD, new_password=STRONG)
    user.refresh_from_db()
    assert user.check_password(STRONG)
    assert live_tokens(user) == 0


# --- moderation of accounts -----------------------------------------------------------------------


def test_a_plain_user_cannot_deactivate_or_verify_anyone(user):
    other = UserFactory()
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=user, user=other, active=False)
    with pytest.raises(PermissionDenied):
        services.user_mark_verified(actor=user, user=other)
    other.refresh_from_db()
    assert (other.is_active, other.is_verified) == (True, False)


def test_an_admin_cannot_deactivate_a_super_admin():
    boss = SuperAdminFactory()
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=AdminFactory(), user=boss, active=False)
    boss.refresh_from_db()
    assert boss.is_active is True


def test_deactivating_an_account_revokes_its_tokens_and_leaves_an_audit_row(user):
    tokens.token_pair_issue(user=user)
    AuditLog.objects.all().delete()
    services.user_set_active(actor=AdminFactory(), user=user, active=False)
    user.refresh_from_db()
    assert user.is_active is False
    assert live_tokens(user) == 0
    audit = AuditLog.objects.get(table_name="users", record_id=user.pk)
    assert (audit.action, audit.old_values["is_active"], audit.new_values["is_active"]) == ("UPDATE", True, False)


def test_a_moderator_marks_an_account_verified(user):
    services.user_mark_verified(actor=AdminFactory(), user=user)
    user.refresh_from_db()
    assert user.is_verified is True


def test_an_admin_cannot_change_a_role_through_a_moderators_edit(user):
    user.role = Role.ADMIN
    with pytest.raises(PermissionDenied):
        services.user_moderate(actor=AdminFactory(), user=user, changed=[])  # even when no form says so
    assert User.objects.get(pk=user.pk).role == Role.USER


def test_a_super_admin_changes_a_role(user):
    user.role = Role.ADMIN
    services.user_moderate(actor=SuperAdminFactory(), user=user, changed=["role"])
    assert User.objects.get(pk=user.pk).role == Role.ADMIN


def test_deactivation_through_a_moderators_edit_revokes_tokens(user):
    tokens.token_pair_issue(user=user)
    user.is_active = False
    services.user_moderate(actor=AdminFactory(), user=user, changed=["is_active"])
    assert User.objects.get(pk=user.pk).is_active is False
    assert live_tokens(user) == 0


def test_only_a_super_admin_deletes_an_account(user):
    with pytest.raises(PermissionDenied):
        services.user_delete(actor=AdminFactory(), user=user)
    assert User.objects.filter(pk=user.pk).exists()
    services.user_delete(actor=SuperAdminFactory(), user=user)
    assert not User.objects.filter(pk=user.pk).exists()


# --- profile and avatar ---------------------------------------------------------------------------


def test_a_user_cannot_change_their_own_role_through_the_profile(user):
    with pytest.raises(ValidationError) as refused:
        services.user_update_profile(user=user, role=Role.SUPER_ADMIN, bio="promoted")
    assert set(refused.value.message_dict) == {"role"}
    stored = User.objects.get(pk=user.pk)
    assert (stored.role, stored.bio) == (Role.USER, None)


def test_profile_fields_are_trimmed_and_blanks_stored_as_nothing(user):
    services.user_update_profile(user=user, first_name="  Mel ", bio="   ")
    stored = User.objects.get(pk=user.pk)
    assert (stored.first_name, stored.bio) == ("Mel", None)


def test_an_avatar_that_is_not_an_image_is_refused_and_the_old_one_kept(user, png_bytes, settings):
    services.user_set_avatar(user=user, upload=SimpleUploadedFile("me.png", png_bytes))
    before = User.objects.get(pk=user.pk).avatar
    with pytest.raises(ValidationError) as refused:
        services.user_set_avatar(user=user, upload=SimpleUploadedFile("me.png", b"<svg onload=alert(1)>"))
    assert "avatar" in refused.value.message_dict
    assert User.objects.get(pk=user.pk).avatar == before


def test_an_avatar_over_its_limit_is_refused(user, png_bytes, settings):
    settings.AVATAR_MAX_BYTES = len(png_bytes) - 1
    with pytest.raises(ValidationError):
        services.user_set_avatar(user=user, upload=SimpleUploadedFile("me.png", png_bytes))
    assert not User.objects.get(pk=user.pk).avatar


def test_a_new_avatar_replaces_the_old_image_after_commit(user, png_bytes, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    services.user_set_avatar(user=user, upload=SimpleUploadedFile("one.png", png_bytes))
    first = user.avatar
    with django_capture_on_commit_callbacks(execute=True):
        services.user_set_avatar(user=user, upload=SimpleUploadedFile("two.png", png_bytes))
    assert User.objects.get(pk=user.pk).avatar == user.avatar != first
    assert default_storage.exists(user.avatar)
    assert not default_storage.exists(first)


# --- account emails -------------------------------------------------------------------------------


def test_verification_mails_past_the_limit_per_account_are_throttled(user, settings, mailoutbox):
    settings.ACCOUNT_MAILS_PER_ACCOUNT = 2
    for number in range(2):
        services.verification_email_resend(user=user, ip=f"203.0.113.{number}")
    with pytest.raises(services.MailThrottled):
        services.verification_email_resend(user=user, ip="203.0.113.99")
    assert len(mailoutbox) == 2


def test_mail_requests_past_the_limit_per_address_are_throttled(settings):
    settings.ACCOUNT_MAIL_REQUESTS_PER_IP = 1
    services.mail_request(kind="password-reset", ip="198.51.100.1")
    with pytest.raises(services.MailThrottled):
        services.mail_request(kind="password-reset", ip="198.51.100.1")
    services.mail_request(kind="verification", ip="198.51.100.1")  # each kind of email counts apart


def test_a_verification_link_verifies_the_account(user):
    services.user_verify_email(token=services.verification_token(user))
    assert User.objects.get(pk=user.pk).is_verified is True


def test_a_tampered_verification_link_is_refused(user):
    with pytest.raises(ValidationError):
        services.user_verify_email(token=services.verification_token(user) + "x")
    assert User.objects.get(pk=user.pk).is_verified is False


def test_a_link_sent_to_a_former_address_verifies_nothing(user):
    token = services.verification_token(user)
    user.email = "elsewhere@example.org"
    services.user_moderate(actor=SuperAdminFactory(), user=user, changed=["email"])
    with pytest.raises(ValidationError):
        services.user_verify_email(token=token)
    assert User.objects.get(pk=user.pk).is_verified is False
