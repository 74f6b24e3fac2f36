import pytest
from django.core.exceptions import ImproperlyConfigured

from realtime import auth, presence
from realtime.hooks import Hooks


def test_a_hook_never_provided_is_a_configuration_error_naming_where_to_register():
    hooks = Hooks("widget description", "realtime.widgets.register")
    with pytest.raises(
        ImproperlyConfigured, match=r"No widget description is registered \(realtime.widgets.register\)"
    ):
        hooks["describe"]


def test_a_provided_hook_is_the_function_given_and_a_later_provide_replaces_it():
    hooks = Hooks("widget description", "realtime.widgets.register")
    hooks.provide(describe=str.upper)
    assert hooks["describe"]("a") == "A"
    hooks.provide(describe=str.lower)
    assert hooks["describe"]("A") == "a"


def test_the_installed_apps_provided_socket_authentication_and_room_presence():
    from accounts.credentials import socket_credential
    from rooms import frames as room_frames

    assert auth._checks["authenticate"] is socket_credential
    assert presence._describers["online"] is room_frames.online
