from tests.media.conftest import moderator, owner, samples, stranger, untagged_wav  # noqa: F401
