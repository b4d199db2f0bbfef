"""A picture of a rendered email, made by headless Chromium where it is installed.

The page may name remote images (a logo, a tracking pixel): Chromium is started with every host
name unresolvable, so a preview fetches nothing and tells no server that it was looked at.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

#: Where Debian, Ubuntu and Chrome's own packages put the browser.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: An inbox's reading pane: about 600 pixels of email and its margins.
WINDOW = (700, 1400)
TIMEOUT_SECONDS = 60


def browser() -> str | None:
    """The path of an installed Chromium, or None."""
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def screenshot(html: Path, png: Path, chromium: str) -> None:
    """`html`'s page as `png`; raises OSError with Chromium's own words when it makes none."""
    with tempfile.TemporaryDirectory(prefix="tailor-chromium-") as profile:
        command = [
            chromium,
            "--headless",
            "--no-sandbox",  # root in a container has no user namespace for the sandbox
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            f"--screenshot={png.resolve()}",
            html.resolve().as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    if not png.exists() or png.stat().st_size == 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise OSError(f"Chromium made no screenshot of {html.name}: {said[-1] if said else done.returncode}")
