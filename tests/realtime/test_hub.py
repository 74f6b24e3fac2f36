"""The hub's watch on the live feed."""

from realtime.hub import BEAT_LIMIT, BEAT_TIMEOUT, Hub


def test_a_late_beat_counts_as_lost_only_when_the_feed_went_quiet_or_after_the_limit():
    """A beat behind a backlog of events is late, not lost: the hub closes its sockets only when nothing
    arrived for BEAT_TIMEOUT since the beat left, or the beat has been out for BEAT_LIMIT."""
    hub = Hub()
    hub.in_flight.append((1, 100.0))
    hub.heard = 100.0
    assert not hub._silent(100.0 + BEAT_TIMEOUT - 1)
    assert hub._silent(100.0 + BEAT_TIMEOUT + 1)  # nothing at all arrived since the beat left
    hub.heard = 100.0 + BEAT_TIMEOUT  # events keep arriving: the beat is behind them
    assert not hub._silent(100.0 + BEAT_TIMEOUT + 1)
    hub.heard = 100.0 + BEAT_LIMIT
    assert hub._silent(100.0 + BEAT_LIMIT + 1)  # out for too long, whatever else arrives
