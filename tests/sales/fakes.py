"""A notifier that records what it sends, and can fail or remember like a provider."""
from __future__ import annotations

from domain.outbox import PermanentFailure


class FakeNotifier:
    channel = "telegram"

    def __init__(self, *, can_lookup: bool = False):
        self.sent: list[tuple[str, str, dict | None]] = []
        self.fail_with: Exception | None = None
        self.can_lookup = can_lookup
        self.by_cause: dict[str, str] = {}  # what the "provider" has, for lookup()

    async def send(self, recipient, body, payload):
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append((recipient, body, payload))
        return f"m{len(self.sent)}"

    async def lookup(self, row):
        if not self.can_lookup:
            return None
        return self.by_cause.get(row.cause)


__all__ = ["FakeNotifier", "PermanentFailure"]
