"""The demo's templates: welcome, win-back, recommendations and a newsletter with a block per
lifecycle stage, written for the demo shop's data, imported beside it so a preview works at once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from personalization.filters import filters
from personalization.library import Imported, import_directory
from personalization.templates import Sandbox, TemplateError
from store.demo import holds_demo
from store.models import EmailTemplate

DEMO_TEMPLATES = Path(__file__).parent / "demo_templates"


def install_demo_templates(engine: Engine, currency: str) -> list[Imported | TemplateError]:
    """The demo templates, into a store that holds the demo data and no template yet: a store
    with templates of its own keeps them as they are."""
    if not holds_demo(engine):
        return []
    with engine.connect() as conn:
        if conn.execute(select(EmailTemplate.id).limit(1)).first() is not None:
            return []
    return import_directory(engine, DEMO_TEMPLATES, Sandbox(filters=filters(currency)))
