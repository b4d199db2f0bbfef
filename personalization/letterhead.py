"""Who an email is from and what its footer says: the workspace's settings, as the renderer needs them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:  # settings import this module: it stays light
    from segments.members import Recipient

#: The footer's address while TAILOR_POSTAL_ADDRESS is unset: a preview shows it and says so.
UNSET_POSTAL_ADDRESS = "[your postal address: set TAILOR_POSTAL_ADDRESS]"


class Letterhead(BaseModel):
    """Who an email is from and what its footer says: the workspace's settings."""

    model_config = ConfigDict(frozen=True)

    sender: str
    postal_address: str
    #: The base of links in emails (tracking, unsubscribe).
    public_url: str

    def unsubscribe_url(self, recipient: Recipient) -> str:
        """A preview's unsubscribe link: where the real one, signed for the recipient, will point."""
        return f"{self.public_url.rstrip('/')}/unsubscribe/preview"

    def domain(self) -> str:
        return self.sender.rpartition("@")[2].rstrip(">").strip() or "tailor.invalid"

    @property
    def has_postal_address(self) -> bool:
        return self.postal_address != UNSET_POSTAL_ADDRESS
