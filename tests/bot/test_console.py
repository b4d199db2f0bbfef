"""The console: welcome, help, import, segment answers drawn from the Block Kit payloads with their
buttons as numbered choices, and `python app.py` end to end, all through a pipe."""

from __future__ import annotations

import io
import os
import shlex
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from bot.console import run_console
from reports.chart_files import chart_name
from segments.service import SegmentService
from settings import Settings
from store.db import create_store_engine
from store.models import Contact

ROOT = Path(__file__).resolve().parents[2]


class TerminalInput(io.StringIO):
    """Input that says it is a terminal, as a person typing."""

    def isatty(self) -> bool:
        return True


def settings_for(database_url: str) -> Settings:
    """A console on the test's store (SQLite, and PostgreSQL when the tests have it)."""
    return Settings(database_url=database_url, demo_data=False)


def console(settings: Settings, text: str, stdin_type: type[io.StringIO] = io.StringIO) -> tuple[int, str]:
    """Run the console on `text` as its input; its exit code and everything it printed."""
    stdout = io.StringIO()
    code = run_console(settings, stdin=stdin_type(text), stdout=stdout)
    return code, stdout.getvalue()


def test_welcome_and_help(database_url: str):
    code, out = console(settings_for(database_url), "help\nquit\n")
    assert code == 0
    assert "Welcome to Tailor" in out
    assert (
        "Ask how a segment did on campaigns ('how did VIP do on the Spring sale')." in out
    )  # no campaign yet
    assert "custs in DE w/ 3+ orders" in out
    assert "Type a phrase at the prompt; in Slack, ask with /tailor <phrase>" in out
    assert "The store holds 0 contacts, 0 events and 0 campaigns." in out
    assert "Type `help` for the commands" in out
    assert "import --contacts FILE [--events FILE] [--campaigns FILE]" in out
    assert "quit, exit" in out
    assert "tailor> " not in out  # a pipe gets no prompt


def test_quit_ends_the_session_before_later_lines(database_url: str):
    code, out = console(settings_for(database_url), "exit\nhelp\n")
    assert code == 0
    assert "Commands:" not in out


def test_import_loads_contacts_and_prints_the_report(tmp_path: Path, database_url: str):
    contacts = tmp_path / "my contacts.csv"
    contacts.write_text(
        "id,email,first_name,city\n"
        "u1,chloe@example.com,Chloé,Paris\n"
        "u2,jurgen@example.com,Jürgen,München\n"
        "u3,,Nobody,Berlin\n",
        encoding="utf-8",
    )
    settings = settings_for(database_url)
    code, out = console(settings, f"import --contacts {shlex.quote(str(contacts))}\n")
    assert code == 0
    assert "my contacts.csv" in out
    assert "loaded 2 rows, rejected 1" in out
    assert f"rejected {contacts}:4:" in out
    assert "The store holds 2 contacts, 0 events and 0 campaigns." in out
    assert "holds the demo data" not in out
    engine = create_store_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            names = select(Contact.external_id, Contact.first_name).order_by(Contact.external_id)
            assert conn.execute(names).all() == [("u1", "Chloé"), ("u2", "Jürgen")]
    finally:
        engine.dispose()  # its pooled connection, else closed by the garbage collector in a later test


def test_import_problems_are_answered_and_the_console_goes_on(tmp_path: Path, database_url: str):
    missing = tmp_path / "missing.csv"
    lines = [f"import --contacts {missing}", "import --contacts", "import", 'import --contacts "open', "help"]
    code, out = console(settings_for(database_url), "\n".join(lines) + "\n")
    assert code == 0
    assert f"import failed, nothing loaded: {missing}: cannot read" in out
    assert "import: argument --contacts: expected one argument" in out
    assert "import failed, nothing loaded: nothing to import" in out
    assert "import: no closing quotation" in out
    assert "Commands:" in out


def test_phrases_get_segment_answers_on_the_demo_data(database_url: str):
    settings = Settings(database_url=database_url, demo_data=True)
    lines = "lapsed customers in Germany\ncontacts in Berl\nsave berliners: contacts in Berlin\nsaved\n"
    code, out = console(settings, lines + "berliners who opened an email\n")
    assert code == 0  # end of input ends the console too
    assert "('how did VIP do on Gear care tips')" in out  # the demo's latest campaign
    assert "  lapsed customers in Germany\n  Contacts who are lapsed customers" in out
    assert "in Germany" in out and "Members: " in out and "Reachable: " in out
    assert "[1] Sample members  [2] Save as...  [3] Refine" in out
    assert (
        "? I couldn't read contacts in Berl: I don't know 'Berl' as a city, a country or an industry" in out
    )
    assert "[1] contacts in Berlin" in out
    assert "✓ Saved as berliners: " in out
    assert "in the saved segment 'berliners'" in out


def test_a_taken_name_is_asked_about_before_it_is_replaced(database_url: str):
    """The console asks on the next line (typed, or of a pipe): no keeps the segment, yes replaces it."""
    lines = [
        "save berliners: contacts in Berlin",
        "save berliners: contacts in Munich",
        "n",
        "berliners",
        "save berliners: contacts in Munich",
        "y",
        "berliners",
    ]
    code, out = console(demo_settings(database_url), "\n".join(lines) + "\n")
    assert code == 0
    kept, replaced = out.split("Replace it? [y/N] ")[1:]
    assert "“berliners” is already saved as “contacts in Berlin”." in out
    assert kept.startswith("n\nKept “berliners” as it was; save under another name to keep both.")
    assert "Contacts in the saved segment 'berliners'" in kept
    assert replaced.startswith("y\n  ✓ Saved as berliners: ")
    engine = create_store_engine(database_url)
    info = SegmentService(engine).saved.info("berliners")
    engine.dispose()
    assert info is not None and info.text == "contacts in Munich"


def test_a_terminal_gets_a_prompt(database_url: str):
    code, out = console(settings_for(database_url), "help\n", stdin_type=TerminalInput)
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


def test_counts_read_naturally(tmp_path: Path, database_url: str):
    contacts = tmp_path / "one.csv"
    contacts.write_text("email\nsolo@example.com\n", encoding="utf-8")
    code, out = console(settings_for(database_url), f"IMPORT --contacts {contacts}\nQuit\n")
    assert code == 0
    assert "loaded 1 row, rejected 0" in out
    assert "The store holds 1 contact, 0 events and 0 campaigns." in out


def demo_settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, demo_data=True)


def test_numbers_pick_the_buttons_of_the_last_answer(database_url: str):
    lines = ["contacts in Berl", "1", "1", "2", "berliners 2", "3", "contacts in Munich", "saved", "9"]
    code, out = console(demo_settings(database_url), "\n".join(lines) + "\n")
    assert code == 0
    after_suggestion = out.split("[1] contacts in Berlin", 1)[1]
    assert "  contacts in Berlin\n  Contacts in Berlin\n" in after_suggestion  # 1: the suggestion, run
    sample = after_suggestion.split("members of contacts in Berlin (emails masked)")[1]
    people = [line for line in sample.splitlines() if line.startswith("  • ")][:5]
    assert len(people) == 5 and all(", Berlin, " in p and "***@" in p for p in people)  # 1: sample
    assert "Name for “contacts in Berlin”: berliners 2" in out  # 2: save as, the name read from the pipe
    assert "✓ Saved as berliners 2: " in out
    assert "The reading's conditions" in out and "• in Berlin" in out  # 3: refine
    assert "Phrase (Enter keeps “contacts in Berlin”): contacts in Munich" in out
    assert "  Contacts in Munich\n" in out
    assert "berliners 2" in out.split("Contacts in Munich", 1)[1]  # `saved` lists it
    assert "No choice 9 here" in out


def test_help_offers_examples_from_the_data_as_choices(database_url: str):
    code, out = console(demo_settings(database_url), "help\n1\n")
    assert code == 0
    assert "Try one on your own data:" in out
    assert "[1] contacts in New York" in out
    assert "  Contacts in New York\n  Members: " in out


def test_a_terminal_gets_styles_and_a_pipe_plain_text():
    from bot.terminal import Terminal

    message = {
        "text": "",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*bold* &lt;x&gt;"}}],
    }
    plain, styled = io.StringIO(), TerminalOutput()
    Terminal(plain).show(message)
    Terminal(styled).show(message)
    assert plain.getvalue() == "  bold <x>\n"
    assert "\x1b[1m" in styled.getvalue() and "bold" in styled.getvalue()


class TerminalOutput(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_report_and_the_performance_choice_write_their_charts(
    tmp_path: Path, monkeypatch, database_url: str
) -> None:
    """Each report its own file, named after what was asked; the same report asked again, the same."""
    monkeypatch.chdir(tmp_path)
    settings = Settings(database_url=database_url, demo_data=True)
    asked = [
        "how did lapsed customers do on sale",
        "lapsed customers",
        "4",
        "how did Lapsed customers do on SALE",
    ]
    code, out = console(settings, "\n".join([*asked, "quit"]) + "\n")
    assert code == 0
    assert "*lapsed customers* on 2 campaigns" not in out  # drawn for a terminal, not mrkdwn
    assert "lapsed customers on 2 campaigns" in out and "Open rate" in out
    charts = [line.split("chart: ", 1)[1] for line in out.splitlines() if "chart: " in line]
    on_sale = f"tailor-charts/{chart_name(['lapsed customers'], campaign='sale')}"
    everywhere = f"tailor-charts/{chart_name(['lapsed customers'])}"
    assert charts == [on_sale, everywhere, on_sale]
    assert on_sale.startswith("tailor-charts/tailor-lapsed-customers-sale-") and on_sale != everywhere
    assert sorted(p.name for p in (tmp_path / "tailor-charts").iterdir()) == sorted(
        Path(c).name for c in {on_sale, everywhere}
    )
    assert all((tmp_path / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for chart in charts)


def test_phrases_past_any_meaning_are_answered_and_the_console_goes_on(database_url: str):
    settings = Settings(database_url=database_url, demo_data=True)
    lines = (
        "contacts aged 999999\ncustomers who bought in the last 999999 days\n;\n"
        "how did golfers do since March 9999\ncontacts in Berlin\n"
    )
    code, out = console(settings, lines)
    assert code == 0
    assert "an age of more than 150 means nothing here" in out
    assert "999,999 days is longer than 200 years" in out
    assert "nothing here says whom" in out
    assert "9999 is not a year to report on" in out
    assert "Contacts in Berlin" in out and "Traceback" not in out


def test_the_demo_templates_list_and_preview_in_the_console(tmp_path: Path, monkeypatch, database_url: str):
    """The demo data comes with its templates; a preview writes its samples under tailor-previews/."""
    monkeypatch.chdir(tmp_path)
    asked = ["templates", "preview winback: lapsed custs in DE", "preview winbak: lapsed custs", "preview"]
    code, out = console(demo_settings(database_url), "\n".join([*asked, "quit"]) + "\n")
    assert code == 0
    assert all(f"  {name}" in out for name in ("newsletter", "recommendations", "welcome", "winback"))
    assert "> winback (version 1) for 'lapsed custs in DE'" in out and "sample 1: c" in out
    assert "preview: no template 'winbak' (did you mean 'winback'?)" in out
    assert "preview: write `preview TEMPLATE: PHRASE`" in out
    written = sorted(p.suffix for p in (tmp_path / "tailor-previews").iterdir())
    assert written.count(".eml") == written.count(".html") >= 1
