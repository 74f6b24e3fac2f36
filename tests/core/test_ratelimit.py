"""core.ratelimit against the test Redis: one step counts an attempt or refuses it, atomically."""

import threading
import uuid

from django.core.cache import cache

from core import ratelimit


def scope() -> str:
    return f"test-{uuid.uuid4().hex}"


def test_attempts_within_the_limit_pass_then_the_next_is_told_how_long_to_wait():
    name = scope()
    assert [ratelimit.consume(name, "someone", limit=3, window=60) for _ in range(3)] == [None, None, None]
    wait = ratelimit.consume(name, "someone", limit=3, window=60)
    assert wait is not None and 1 <= wait <= 60
    assert ratelimit.consume(name, "someone else", limit=3, window=60) is None


def test_a_refused_attempt_is_not_counted():
    name = scope()
    for _ in range(5):
        ratelimit.consume(name, "someone", limit=2, window=60)
    assert cache.get(ratelimit._key(name, "someone")) == 2


def test_attempts_at_the_same_moment_never_pass_the_limit_together():
    name, limit, attempts = scope(), 5, 24
    start = threading.Barrier(attempts)
    results: list[int | None] = []
    lock = threading.Lock()

    def attempt() -> None:
        start.wait()
        wait = ratelimit.consume(name, "someone", limit=limit, window=60)
        with lock:
            results.append(wait)

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == attempts
    assert sum(wait is None for wait in results) == limit
    assert cache.get(ratelimit._key(name, "someone")) == limit


def test_reset_forgets_the_attempts():
    name = scope()
    for _ in range(2):
        ratelimit.consume(name, "someone", limit=2, window=60)
    ratelimit.reset(name, "someone")
    assert ratelimit.consume(name, "someone", limit=2, window=60) is None


def test_hits_count_up_within_one_window_and_a_counter_that_lost_its_expiry_gets_one_back():
    name = scope()
    assert [ratelimit.hit(name, "someone", window=60) for _ in range(3)] == [1, 2, 3]
    assert 1 <= cache.ttl(ratelimit._key(name, "someone")) <= 60
    assert ratelimit.retry_after(name, "someone", limit=3) is not None
    assert ratelimit.retry_after(name, "someone", limit=4) is None
    cache.set(ratelimit._key(name, "stale"), 7, timeout=None)  # an older counter, left without expiry
    assert ratelimit.hit(name, "stale", window=30) == 8
    assert 1 <= cache.ttl(ratelimit._key(name, "stale")) <= 30
