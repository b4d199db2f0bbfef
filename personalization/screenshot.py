"""A picture of a rendered email, made by headless Chromium where it is installed.

The page may name remote images (a logo, a tracking pixel): Chromium is started with every host
name unresolvable, so a preview fetches nothing and tells no server that it was looked at.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageChops  # Pillow: matplotlib's own dependency

#: Where Debian, Ubuntu and Chrome's own packages put the browser.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: An inbox's reading pane, about 600 pixels of email and its margins, and tall enough for a long
#: email: the picture is then cut below the email's last line.
WINDOW = (700, 6000)
MARGIN = 24
TIMEOUT_SECONDS = 60


def browser() -> str | None:
    """The path of an installed Chromium, or None."""
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def screenshot(html: Path, png: Path, chromium: str) -> bool:
    """`html`'s page as `png`, cut below the email; False when the email was longer than the
    window. OSError with Chromium's own words when it makes none."""
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
    return trimmed(png)


def trimmed(png: Path) -> bool:
    """Cuts the page's empty background below the email; False when the email ran past the window
    (the picture is then cut), True when it is whole."""
    with Image.open(png) as picture:
        image = picture.convert("RGB")
    background = image.getpixel((0, image.height - 1))
    content = ImageChops.difference(image, Image.new("RGB", image.size, background)).getbbox()
    bottom = content[3] if content else 0
    if bottom >= image.height:
        return False
    image.crop((0, 0, image.width, min(image.height, bottom + MARGIN))).save(png)
    return True
