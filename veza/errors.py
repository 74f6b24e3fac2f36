"""Domain errors shared by the services of every app; the API and pages translate them."""


class Throttled(Exception):
    """Too many attempts: ``wait`` seconds before the next one is accepted."""

    what = "attempts"

    def __init__(self, wait: int):
        super().__init__(f"Too many {self.what}. Try again in {wait} seconds.")
        self.wait = wait
