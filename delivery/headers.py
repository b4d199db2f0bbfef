"""The headers a sent email carries beyond what personalization writes: a Message-ID that is the
same for the same campaign and contact (a resend is recognizably the same message), and one-click
unsubscribe (RFC 8058: `List-Unsubscribe` with an https link and a mailto, and
`List-Unsubscribe-Post`, which is what lets Gmail and Yahoo show their own unsubscribe button)."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from urllib.parse import quote

from delivery.tokens import Tokens

ONE_CLICK = "List-Unsubscribe=One-Click"


class Headers:
    def __init__(self, tokens: Tokens, public_url: str, domain: str) -> None:
        self.tokens, self.public_url, self.domain = tokens, public_url.rstrip("/"), domain

    def unsubscribe_url(self, campaign_id: int, contact_id: int) -> str:
        return f"{self.public_url}/unsubscribe/{self.tokens.make(campaign_id, contact_id)}"

    def of(self, campaign_id: int, contact_id: int, contact: str, at: datetime) -> dict[str, str]:
        token = self.tokens.make(campaign_id, contact_id)
        mailto = f"mailto:unsubscribe@{self.domain}?subject={quote('unsubscribe ' + token)}"
        return {
            "Date": format_datetime(at),
            "Message-ID": message_id(campaign_id, contact, self.domain),
            "List-Unsubscribe": f"<{self.public_url}/unsubscribe/{token}>, <{mailto}>",
            "List-Unsubscribe-Post": ONE_CLICK,
        }


def message_id(campaign_id: int, contact: str, domain: str) -> str:
    """`contact` is the contact's own id (external), which stays the same across imports."""
    return f"<tailor.{campaign_id}.{quote(contact, safe='')}@{domain}>"
