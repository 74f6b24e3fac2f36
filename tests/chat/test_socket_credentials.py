"""Live sockets end with their credentials: revoked, expired or ended, a socket closes with 4401 within 5 s."""

import asyncio
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts import credentials, services, tokens
from accounts.models import User
from realtime.transport import close_revoked_sockets
from tests.accounts.factories import PASSWORD, AdminFactory, UserFactory
from tests.sockets import ORIGIN, asgi_app

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

NEW_PASSWORD = "a brand new passphrase 42"
WITHIN = 5.0  # seconds: the guarantee


async def open_socket(*, token: str | None = None, client: Client | None = None) -> WebsocketCommunicator:
    path, headers = "/ws/", list(ORIGIN)
    if token is not None:
        path = f"/ws/?token={token}"
    if client is not None:
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        headers.append((b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(asgi_app(), path, headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def access_token(user: User, lifetime: timedelta | None = None) -> str:
    def make():
        token = AccessToken.for_user(user)
        if lifetime is not None:
            token.set_exp(lifetime=lifetime)
        return str(token)

    return await sync_to_async(make)()


async def logged_in(user: User) -> Client:
    client = Client()
    await sync_to_async(client.force_login)(user)
    return client


async def close_code(communicator, *, within: float = WITHIN) -> int | None:
    """The code of the close the server sends within ``within`` seconds (frames before it are skipped)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while (left := deadline - loop.time()) > 0:
        try:
            output = await communicator.receive_output(timeout=left)
        except TimeoutError:
            break
        if output["type"] == "websocket.close":
            return output.get("code")
    raise AssertionError(f"the socket was still open after {within} s")


async def is_live(communicator) -> bool:
    """The socket answers a ping (frames before the pong are skipped)."""
    await communicator.send_json_to({"type": "ping", "ref": "live?"})
    while True:
        output = await communicator.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            return False
        if '"pong"' in output.get("text", ""):
            return True


async def opens(**how) -> bool:
    """A new socket opened this way stays open (answers a ping) rather than closing with 4401."""
    communicator = await open_socket(**how)
    try:
        return await is_live(communicator)
    finally:
        await communicator.disconnect()


@pytest.fixture
def melody(transactional_db):
    return UserFactory(username="melody")


@pytest.fixture
def bystander(transactional_db):
    return UserFactory(username="bystander")


async def sockets_of(user: User) -> list[WebsocketCommunicator]:
    """A socket opened with an access token and one opened with a session cookie."""
    return [await open_socket(token=await access_token(user)), await open_socket(client=await logged_in(user))]


async def assert_all_closed_with_4401(sockets) -> None:
    for communicator in sockets:
        assert await close_code(communicator) == 4401
        await communicator.disconnect()


# --- revocations ---------------------------------------------------------------------------------


async def test_password_change_closes_every_socket_of_the_user_with_4401(melody, bystander):
    sockets, other = await sockets_of(melody), await open_socket(token=await access_token(bystander))
    await sync_to_async(services.user_set_password)(user=melody, password=NEW_PASSWORD)
    await assert_all_closed_with_4401(sockets)
    assert await is_live(other)  # somebody else's socket stays open
    await other.disconnect()


async def test_password_change_on_the_page_closes_the_users_sockets_and_only_that_session_reconnects(melody):
    page = await logged_in(melody)
    elsewhere = await logged_in(melody)  # another browser of the same person
    sockets = [await open_socket(client=page), await open_socket(client=elsewhere)]
    response = await sync_to_async(page.post)(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    await assert_all_closed_with_4401(sockets)
    assert await opens(client=page)  # the page that changed it keeps its session
    assert not await opens(client=elsewhere)  # the other session ended with the old password


async def test_password_reset_closes_the_users_sockets(melody):
    sockets = await sockets_of(melody)
    uid = urlsafe_base64_encode(force_bytes(melody.pk))
    reset_token = await sync_to_async(default_token_generator.make_token)(melody)
    browser = Client()
    response = await sync_to_async(browser.get)(
        reverse("accounts:password-reset-confirm", args=[uid, reset_token]), follow=True
    )
    form_url = response.redirect_chain[-1][0]
    response = await sync_to_async(browser.post)(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    await assert_all_closed_with_4401(sockets)


async def test_password_change_through_the_api_closes_sockets_and_the_new_token_opens_one(melody):
    sockets = await sockets_of(melody)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {await access_token(melody)}")
    response = await sync_to_async(api.post)(
        "/api/v1/auth/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.json()
    await assert_all_closed_with_4401(sockets)
    assert await opens(token=response.json()["access"])


async def test_deactivation_through_the_service_closes_the_users_sockets(melody):
    sockets = await sockets_of(melody)
    moderator = await sync_to_async(AdminFactory)()
    await sync_to_async(services.user_set_active)(actor=moderator, user=melody, active=False)
    await assert_all_closed_with_4401(sockets)
    assert not await opens(token=await access_token(melody))


async def test_deactivation_in_the_console_closes_the_users_sockets(melody):
    sockets = await sockets_of(melody)
    console = await logged_in(await sync_to_async(AdminFactory)())
    response = await sync_to_async(console.post)(
        reverse("admin:accounts_user_changelist"), {"action": "deactivate", "_selected_action": [melody.pk]}
    )
    assert response.status_code == 302
    await assert_all_closed_with_4401(sockets)


async def test_log_out_everywhere_closes_the_users_sockets_and_older_tokens_open_none(melody):
    old_token = await access_token(melody)
    sockets = await sockets_of(melody)
    await asyncio.sleep(1.0)  # the revocation falls in a later second than the token's issue
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {old_token}")
    response = await sync_to_async(api.post)("/api/v1/auth/logout", {"all": True}, format="json")
    assert response.status_code == 204
    await assert_all_closed_with_4401(sockets)
    assert not await opens(token=old_token)  # still unexpired, but issued before "log out everywhere"


async def test_reusing_a_rotated_refresh_token_closes_the_users_sockets(melody):
    pair = await sync_to_async(tokens.token_pair_issue)(user=melody)
    await sync_to_async(tokens.token_refresh)(raw=pair.refresh)
    sockets = await sockets_of(melody)
    with pytest.raises(tokens.TokenRejected):
        await sync_to_async(tokens.token_refresh)(raw=pair.refresh)  # a thief's (or the victim's) replay
    await assert_all_closed_with_4401(sockets)


async def test_account_deletion_closes_the_users_sockets(melody):
    sockets = await sockets_of(melody)
    superadmin = await sync_to_async(UserFactory)(role="super_admin")
    await sync_to_async(services.user_delete)(actor=superadmin, user=melody)
    await assert_all_closed_with_4401(sockets)


# --- the periodic re-check: nothing depends on the announcement alone ------------------------------


async def test_a_missed_announcement_still_closes_the_sockets_within_5_seconds(melody):
    sockets = await sockets_of(melody)
    credentials.credentials_revoked.disconnect(dispatch_uid="chat-close-revoked-sockets")
    try:
        await sync_to_async(services.user_set_password)(user=melody, password=NEW_PASSWORD)
        await assert_all_closed_with_4401(sockets)
    finally:
        credentials.credentials_revoked.connect(close_revoked_sockets, dispatch_uid="chat-close-revoked-sockets")


async def test_deactivation_written_straight_to_the_database_closes_the_sockets_within_5_seconds(melody):
    sockets = await sockets_of(melody)
    await sync_to_async(User.objects.filter(pk=melody.pk).update)(is_active=False)  # no service, no announcement
    await assert_all_closed_with_4401(sockets)


async def test_logging_out_of_a_session_closes_its_socket_within_5_seconds(melody):
    leaving, staying = await logged_in(melody), await logged_in(melody)
    closing, other = await open_socket(client=leaving), await open_socket(client=staying)
    await sync_to_async(leaving.post)(reverse("accounts:logout"))
    assert await close_code(closing) == 4401
    await closing.disconnect()
    assert await is_live(other)  # the person's other session is still valid
    await other.disconnect()


# --- access tokens: expiry, and renewal in-band --------------------------------------------------


async def test_token_socket_closes_with_4401_when_its_access_token_expires(melody):
    communicator = await open_socket(token=await access_token(melody, timedelta(seconds=2)))
    assert await close_code(communicator, within=2 + WITHIN) == 4401
    await communicator.disconnect()


async def test_auth_frame_keeps_a_token_socket_open_past_its_first_tokens_expiry(melody):
    communicator = await open_socket(token=await access_token(melody, timedelta(seconds=2)))
    await communicator.send_json_to({"type": "auth", "token": await access_token(melody), "ref": "a1"})
    answer = await communicator.receive_json_from(timeout=3)
    assert answer["type"] == "authenticated" and answer["ref"] == "a1" and answer["expires_at"]
    assert await communicator.receive_nothing(timeout=4.5)  # past the first token's expiry and two checks
    assert await is_live(communicator)
    await communicator.disconnect()


@pytest.mark.parametrize("which", ["another user's", "expired", "garbage", "refresh"])
async def test_auth_frame_refuses_a_token_that_is_not_a_valid_access_token_of_the_same_user(melody, bystander, which):
    communicator = await open_socket(token=await access_token(melody, timedelta(seconds=3)))
    given = {
        "another user's": await access_token(bystander),
        "expired": await access_token(melody, timedelta(seconds=-1)),
        "garbage": "not.a.jwt",
        "refresh": (await sync_to_async(tokens.token_pair_issue)(user=melody)).refresh,
    }[which]
    await communicator.send_json_to({"type": "auth", "token": given})
    error = await communicator.receive_json_from(timeout=3)
    assert (error["type"], error["code"]) == ("error", "invalid_token")
    assert await is_live(communicator)  # still open, until its own token expires
    assert await close_code(communicator, within=3 + WITHIN) == 4401
    await communicator.disconnect()


async def test_auth_frame_does_not_outlive_a_revocation(melody):
    communicator = await open_socket(token=await access_token(melody))
    await communicator.send_json_to({"type": "auth", "token": await access_token(melody)})
    assert (await communicator.receive_json_from(timeout=3))["type"] == "authenticated"
    await sync_to_async(tokens.tokens_revoke_all)(user=melody)
    assert await close_code(communicator) == 4401
    await communicator.disconnect()


async def test_auth_frame_on_a_session_socket_is_refused(melody):
    communicator = await open_socket(client=await logged_in(melody))
    await communicator.send_json_to({"type": "auth", "token": await access_token(melody)})
    assert (await communicator.receive_json_from(timeout=3))["code"] == "invalid"
    assert await is_live(communicator)
    await communicator.disconnect()
