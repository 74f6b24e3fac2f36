import pytest

from tests.accounts.factories import PASSWORD, UserFactory


@pytest.fixture
def user(db):
    return UserFactory(username="melody", email="melody@example.org")


@pytest.fixture
def login(api):
    def do(identifier="melody", password=PASSWORD, **extra):
        return api.post("/api/v1/auth/login", {"username": identifier, "password": password}, format="json", **extra)

    return do


@pytest.fixture
def png_bytes():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 60)).save(buffer, format="PNG")
    return buffer.getvalue()
