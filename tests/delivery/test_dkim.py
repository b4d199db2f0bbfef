"""DkimSigner: what it signs verifies against the public key in DNS, and tampering shows."""

from __future__ import annotations

import email.policy
from email.message import EmailMessage
from pathlib import Path

import dkim
import pytest

from delivery.dkim import DkimSigner, signer_from_settings
from settings import Settings
from tests.delivery.keys import DOMAIN, SELECTOR, dns_for


def campaign_email() -> bytes:
    message = EmailMessage()
    message["From"] = f"Trailhead <news@{DOMAIN}>"
    message["To"] = "ada@example.com"
    message["Subject"] = "Spring sale"
    message["Date"] = "Mon, 07 Dec 2026 10:00:00 +0000"
    message["Message-ID"] = f"<c12.k345@{DOMAIN}>"
    message["List-Unsubscribe"] = f"<https://{DOMAIN}/u/abc>, <mailto:unsubscribe@{DOMAIN}?subject=abc>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content("Twenty percent off, this week only.\n")
    return message.as_bytes(policy=email.policy.SMTP)


def test_a_signed_message_verifies(key_pair):
    key_file, record = key_pair
    signed = DkimSigner(SELECTOR, DOMAIN, key_file.read_bytes()).sign(campaign_email())

    assert signed.startswith(b"DKIM-Signature: ")
    assert signed.endswith(campaign_email())
    assert dkim.verify(signed, dnsfunc=dns_for(record))


def test_the_signature_covers_the_headers_asked_for_relaxed(key_pair):
    key_file, _ = key_pair
    signed = DkimSigner(SELECTOR, DOMAIN, key_file.read_bytes()).sign(campaign_email())
    name, value = dkim.DKIM(signed).headers[0]
    fields = dkim.util.parse_tag_value(value.replace(b"\r\n", b""))

    assert name == b"DKIM-Signature"
    assert (fields[b"d"], fields[b"s"], fields[b"c"]) == (
        DOMAIN.encode(),
        SELECTOR.encode(),
        b"relaxed/relaxed",
    )
    signed_headers = fields[b"h"].replace(b" ", b"").split(b":")
    assert signed_headers == [
        b"from",
        b"to",
        b"subject",
        b"date",
        b"message-id",
        b"list-unsubscribe",
        b"list-unsubscribe-post",
        b"mime-version",
        b"content-type",
    ]


def test_tampering_breaks_the_signature_refolding_does_not(key_pair):
    key_file, record = key_pair
    signed = DkimSigner(SELECTOR, DOMAIN, key_file.read_bytes()).sign(campaign_email())

    tampered = signed.replace(b"Subject: Spring sale", b"Subject: Spring SALE")
    unsubscribe_swapped = signed.replace(b"https://trailhead.example/u/abc", b"https://evil.example/u/abc")
    refolded = signed.replace(b"Subject: Spring sale", b"Subject:   Spring   sale  ")  # relaxed: same

    assert not dkim.verify(tampered, dnsfunc=dns_for(record))
    assert not dkim.verify(unsubscribe_swapped, dnsfunc=dns_for(record))
    assert dkim.verify(refolded, dnsfunc=dns_for(record))


def test_a_key_that_is_not_a_key_is_refused_at_once(tmp_path: Path):
    with pytest.raises(ValueError, match="not an RSA private key"):
        DkimSigner(SELECTOR, DOMAIN, b"-----BEGIN PRIVATE KEY-----\nbm9wZQ==\n-----END PRIVATE KEY-----\n")


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_signer_from_settings_signs_for_the_senders_domain(key_pair):
    key_file, record = key_pair
    signer = signer_from_settings(
        settings(mail_from=f"Trailhead <news@{DOMAIN}>", dkim_selector=SELECTOR, dkim_key_file=key_file)
    )

    assert signer is not None
    assert (signer.selector, signer.domain) == (SELECTOR.encode(), DOMAIN.encode())
    assert dkim.verify(signer.sign(campaign_email()), dnsfunc=dns_for(record))


@pytest.mark.parametrize("missing", ["dkim_selector", "dkim_key_file"])
def test_no_signer_unless_both_settings_are_set(key_pair, missing: str):
    key_file, _ = key_pair
    values: dict[str, object] = {"dkim_selector": SELECTOR, "dkim_key_file": key_file}
    values[missing] = None  # said outright, so no TAILOR_DKIM_ variable of the shell fills it in
    assert signer_from_settings(settings(mail_from=f"news@{DOMAIN}", **values)) is None
