"""DKIM signatures (RFC 6376), so receivers can tell the mail comes from the domain it says:
unsigned bulk mail lands in spam at the large mailbox providers, or is refused."""

from __future__ import annotations

from email.utils import parseaddr
from typing import TYPE_CHECKING

import dkim
import dkim.crypto

if TYPE_CHECKING:
    from settings import Settings

#: The headers signed: what a reader sees and the unsubscribe links (RFC 8058 asks that
#: List-Unsubscribe and List-Unsubscribe-Post be signed). A header listed but missing from a
#: message is signed as absent, so nobody can add it on the way.
SIGNED_HEADERS = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
)


class DkimSigner:
    """Signs messages for `domain` with the key published at `selector._domainkey.domain`."""

    def __init__(self, selector: str, domain: str, private_key: bytes) -> None:
        try:  # a bad key stops the send before its first message, not at it
            dkim.crypto.parse_pem_private_key(private_key)
        except dkim.crypto.UnparsableKeyError as exc:
            raise ValueError(f"not an RSA private key in PEM: {exc}") from None
        self.selector = selector.encode("ascii")
        self.domain = domain.encode("idna")
        self.private_key = private_key

    def sign(self, message: bytes) -> bytes:
        """The message with its DKIM-Signature header on top; relaxed canonicalization both ways,
        which survives the re-folding of headers and trailing spaces some relays add."""
        linesep = b"\r\n" if b"\r\n" in message else b"\n"  # the header is folded as the message is
        header: bytes = dkim.sign(
            message,
            self.selector,
            self.domain,
            self.private_key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=[name.encode("ascii") for name in SIGNED_HEADERS],
            linesep=linesep,
        )
        return header + message


def signer_from_settings(settings: Settings) -> DkimSigner | None:
    """The signer TAILOR_DKIM_SELECTOR and TAILOR_DKIM_KEY_FILE describe, for the domain of
    TAILOR_MAIL_FROM; None unless both are set."""
    if not settings.dkim_selector or settings.dkim_key_file is None:
        return None
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2]
    return DkimSigner(settings.dkim_selector, domain, settings.dkim_key_file.read_bytes())
