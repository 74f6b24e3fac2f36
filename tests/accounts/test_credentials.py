"""accounts.credentials.still_valid: many sockets' credentials checked at once, each rule applied."""

import time
from importlib import import_module

import pytest
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework_simplejwt.tokens import AccessToken

from accounts import credentials
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def token_of(user):
    found = credentials.token_credential(str(AccessToken.for_user(user)))
    assert found is not None
    return found[1]


def test_many_credentials_are_checked_in_one_query_each_by_its_own_rules(settings):
    fine, other, deactivated, new_password, revoked, gone = (UserFactory() for _ in range(6))
    tokens = {user.pk: token_of(user) for user in (fine, other, deactivated, new_password, revoked, gone)}
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY], session[HASH_SESSION_KEY] = str(other.pk), other.get_session_auth_hash()
    session.create()
    by_session = credentials.session_credential(other, session.session_key)
    assert by_session is not None

    deactivated.is_active = False
    deactivated.save()
    new_password.set_password("another password 123")
    new_password.save()
    with transaction.atomic():
        credentials.credentials_revoke(user_id=revoked.pk)
    gone_token = tokens[gone.pk]
    gone.delete()

    checked = [
        tokens[fine.pk],
        tokens[fine.pk],
        by_session,
        *(tokens[u.pk] for u in (deactivated, new_password, revoked)),
        gone_token,
    ]
    with CaptureQueriesContext(connection) as queries:
        valid = credentials.still_valid(checked)
    assert valid == [True, True, True, False, False, False, False]
    assert len(queries) == 1  # the accounts (sessions, revocations: one Redis read each)
    assert credentials.still_valid([tokens[fine.pk]], now=time.time() + 365 * 86400) == [False]  # expired
