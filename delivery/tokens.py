"""Signed tokens that name a campaign and a contact: the unsubscribe link (and, with tracking,
the open pixel and click links). Whoever holds one may act for that contact on that campaign, and
nobody can make one without `TAILOR_SECRET_KEY`; a tampered token reads as nothing."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer


@dataclass(frozen=True)
class Named:
    campaign_id: int
    contact_id: int


class Tokens:
    def __init__(self, secret: str, purpose: str = "unsubscribe") -> None:
        # the purpose salts the signature: an unsubscribe token is no click token
        self.serializer = URLSafeSerializer(secret, salt=f"tailor.{purpose}")

    def make(self, campaign_id: int, contact_id: int) -> str:
        return self.serializer.dumps([campaign_id, contact_id])

    def read(self, token: str) -> Named | None:
        try:
            found = self.serializer.loads(token)
        except BadSignature:
            return None
        if not (isinstance(found, list) and len(found) == 2 and all(type(v) is int for v in found)):
            return None
        return Named(*found)
