"""The console stub: welcome, help, import, the polite answer, and `python app.py` end to end."""

from __future__ import annotations

import io
import os
import shlex
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from bot.console import run_console
from settings import Settings
from store.db import create_store_engine
from store.models import Contact

ROOT = Path(__file__).resolve().parents[2]


class TerminalInput(io.StringIO):
    """Input that says it is a terminal, as a person typing."""

    def isatty(self) -> bool:
        return True


def settings_for(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'tailor.db'}", demo_data=False)


def console(settings: Settings, text: str, stdin_type: type[io.StringIO] = io.StringIO) -> tuple[int, str]:
    """Run the console on `text` as its input; its exit code and everything it printed."""
    stdout = io.StringIO()
    code = run_console(settings, stdin=stdin_type(text), stdout=stdout)
    return code, stdout.getvalue()


def test_welcome_and_help(tmp_path: Path):
    code, out = console(settings_for(tmp_path), "help\nquit\n")
    assert code == 0
    assert "Welcome to Tailor" in out
    assert "Slack, reports, previews and sends are coming." in out
    assert "lapsed customers in Germany who bought golf gear" in out
    assert "The store holds 0 contacts, 0 events and 0 campaigns." in out
    assert "Type `help` for the commands" in out
    assert "import --contacts FILE [--events FILE] [--campaigns FILE]" in out
    assert "quit, exit" in out
    assert "tailor> " not in out  # a pipe gets no prompt


def test_quit_ends_the_session_before_later_lines(tmp_path: Path):
    code, out = console(settings_for(tmp_path), "exit\nhelp\n")
    assert code == 0
    assert "Commands:" not in out


def test_import_loads_contacts_and_prints_the_summary(tmp_path: Path):
    contacts = tmp_path / "my contacts.csv"
    contacts.write_text(
        "id,email,first_name,city\n"
        "u1,chloe@example.com,Chloé,Paris\n"
        "u2,jurgen@example.com,Jürgen,München\n"
        "u3,,Nobody,Berlin\n",
        encoding="utf-8",
    )
    settings = settings_for(tmp_path)
    code, out = console(settings, f"import --contacts {shlex.quote(str(contacts))}\n")
    assert code == 0
    assert "my contacts.csv" in out
    assert "loaded 2 rows, rejected 1" in out
    assert f"rejected {contacts}:4:" in out
    assert "The store holds 2 contacts, 0 events and 0 campaigns." in out
    engine = create_store_engine(settings.database_url)
    with engine.connect() as conn:
        names = conn.execute(select(Contact.external_id, Contact.first_name).order_by(Contact.external_id))
        assert names.all() == [("u1", "Chloé"), ("u2", "Jürgen")]


def test_import_problems_are_answered_and_the_console_goes_on(tmp_path: Path):
    missing = tmp_path / "missing.csv"
    lines = [f"import --contacts {missing}", "import --contacts", "import", 'import --contacts "open', "help"]
    code, out = console(settings_for(tmp_path), "\n".join(lines) + "\n")
    assert code == 0
    assert f"import failed, nothing loaded: {missing}: cannot read" in out
    assert "import: argument --contacts: expected one argument" in out
    assert "import failed, nothing loaded: nothing to import" in out
    assert "import: no closing quotation" in out
    assert "Commands:" in out


def test_phrases_get_segment_answers_on_the_demo_data(tmp_path: Path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'tailor.db'}", demo_data=True)
    lines = "lapsed customers in Germany\ncontacts in Berlni\nsave berliners: contacts in Berlin\nsaved\n"
    code, out = console(settings, lines + "berliners who opened an email\n")
    assert code == 0  # end of input ends the console too
    assert "> lapsed customers in Germany" in out
    assert "Contacts who are lapsed customers" in out and "in Germany" in out
    assert "did you mean: contacts in Berlin" in out
    assert "Saved as 'berliners'." in out
    assert "in the saved segment 'berliners'" in out


def test_a_terminal_gets_a_prompt(tmp_path: Path):
    code, out = console(settings_for(tmp_path), "help\n", stdin_type=TerminalInput)
    assert code == 0
    assert out.count("tailor> ") == 2  # before `help`, and before the end of input
    assert out.endswith("tailor> \n")


def test_python_app_py_starts_the_console(tmp_path: Path):
    env = os.environ | {
        "TAILOR_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "TAILOR_DEMO_DATA": "true",
        "TAILOR_TIMEZONE": "UTC",
    }
    done = subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=env,
        input="help\nquit\n",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Loaded the demo data: 3,000 contacts" in done.stdout
    assert "Welcome to Tailor" in done.stdout
    assert "The store holds 3,000 contacts" in done.stdout
    assert "import --contacts FILE" in done.stdout
    assert (tmp_path / "app.db").exists()


def test_counts_read_naturally(tmp_path: Path):
    contacts = tmp_path / "one.csv"
    contacts.write_text("email\nsolo@example.com\n", encoding="utf-8")
    code, out = console(settings_for(tmp_path), f"IMPORT --contacts {contacts}\nQuit\n")
    assert code == 0
    assert "loaded 1 rows, rejected 0" in out
    assert "The store holds 1 contact, 0 events and 0 campaigns." in out
