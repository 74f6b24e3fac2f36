from tests.media.conftest import api, moderator, owner, samples, stranger, untagged_wav  # noqa: F401
