"""What APScheduler's stored jobs call: `fire`, by its text reference "delivery.jobs:fire", with a
campaign id. A stored job thus pickles a function's name and an int, nothing of the process that
wrote it, and any later scheduler of the store can run it with the handler it installed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

Handler = Callable[[int], None]

#: "delivery.jobs:fire", as APScheduler resolves it.
REFERENCE = f"{__name__}:fire"

_lock = threading.Lock()
_handler: Handler | None = None


def install(handler: Handler) -> None:
    """Make `handler` what `fire` calls: the running scheduler's, one per process."""
    global _handler
    with _lock:
        _handler = handler


def uninstall(handler: Handler) -> None:
    """Remove `handler` if it is still the installed one (another may have replaced it)."""
    global _handler
    with _lock:
        if _handler is handler:
            _handler = None


def fire(campaign_id: int) -> None:
    """Run campaign `campaign_id`'s send, through the installed handler. Without one (this
    process's scheduler has just stopped) it does nothing: the campaign is still due in the
    campaigns table, and the next holder of the lease fires it."""
    with _lock:
        handler = _handler
    if handler is None:
        log.warning(
            "campaign %s is due, but no scheduler runs in this process: left for the next", campaign_id
        )
        return
    handler(campaign_id)
