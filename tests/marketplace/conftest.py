import pytest

from tests.accounts.factories import AdminFactory, UserFactory


@pytest.fixture
def seller(db):
    return UserFactory(username="seller")


@pytest.fixture
def other(db):
    return UserFactory(username="other")


@pytest.fixture
def moderator(db):
    return AdminFactory(username="moderator")
