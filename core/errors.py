"""Domain errors shared by the services of every app; the API and pages translate them."""


class Throttled(Exception):
    """Too many attempts: ``wait`` seconds before the next one is accepted."""

    what = "attempts"

    def __init__(self, wait: int):
        super().__init__(f"Too many {self.what}. Try again in {wait} seconds.")
        self.wait = wait


class TooLarge(Exception):
    """An upload over its size limit (HTTP 413)."""

    def __init__(self, limit: int, what: str = "file"):
        super().__init__(f"The {what} is larger than the limit of {limit // 1_000_000} MB.")
        self.limit = limit
