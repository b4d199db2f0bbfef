"""DKIM keys for the tests: made by openssl, as dkimpy's own dknewkey makes them, and a DNS that
answers dkimpy's question for the selector's record."""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Callable
from pathlib import Path

SELECTOR, DOMAIN = "tailor2026", "trailhead.example"


def new_key(key_file: Path) -> tuple[Path, bytes]:
    """A 2048-bit RSA key written to `key_file`, and the TXT record publishing its public half."""
    subprocess.run(["openssl", "genrsa", "-out", str(key_file), "2048"], check=True, capture_output=True)
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(key_file), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    return key_file, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def dns_for(record: bytes) -> Callable[..., bytes | None]:
    """The DNS dkimpy asks for the selector's TXT record: ours, and nothing else."""

    def lookup(name: bytes, timeout: float = 5) -> bytes | None:
        return record if name == f"{SELECTOR}._domainkey.{DOMAIN}.".encode() else None

    return lookup
