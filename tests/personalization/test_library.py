"""Template versions in the store, and the `templates` command, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from personalization.library import (
    Imported,
    LibraryError,
    TemplateNotFound,
    import_directory,
    list_templates,
    load,
)
from personalization.templates import Sandbox, TemplateError

WINBACK = "---\nsubject: \"{{ first_name | default('there') }}, we miss you\"\n---\n<p>Come back</p>\n"
WELCOME = '---\nsubject: "Welcome, {{ first_name }}"\n---\n<p>Hello</p>\n'
BROKEN = '---\nsubject: "Sale"\n---\n<p>\n{% if lifecycle == "lapsed" %}\nCome back\n'


def write(directory: Path, **files: str | bytes) -> Path:
    directory.mkdir(exist_ok=True)
    for name, content in files.items():
        path = directory / f"{name}.html"
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    return directory


def test_importing_the_same_content_twice_changes_nothing(engine, tmp_path):
    folder = write(tmp_path / "t", winback=WINBACK, welcome=WELCOME)

    first = import_directory(engine, folder, Sandbox())
    again = import_directory(engine, folder, Sandbox())

    def seen(results):
        return [(i.template, i.version, i.changed) for i in results]

    assert seen(first) == [("welcome", 1, True), ("winback", 1, True)]
    assert seen(again) == [("welcome", 1, False), ("winback", 1, False)]


def test_changed_content_is_the_next_version_and_the_old_one_stays(engine, tmp_path):
    folder = write(tmp_path / "t", winback=WINBACK)
    import_directory(engine, folder, Sandbox())
    write(folder, winback=WINBACK.replace("Come back", "Your trail runners miss you"))

    changed = import_directory(engine, folder, Sandbox())

    assert changed == [Imported(template="winback", version=2, changed=True)]
    with engine.connect() as conn:
        assert "Come back" in load(conn, "winback", 1).content
        assert "trail runners" in load(conn, "winback").content
        assert load(conn, "winback").version == 2


def test_a_broken_file_is_refused_and_the_others_still_import(engine, tmp_path):
    folder = write(tmp_path / "t", winback=WINBACK, broken=BROKEN, welcome=WELCOME)

    results = import_directory(engine, folder, Sandbox())

    assert [type(r).__name__ for r in results] == ["TemplateError", "Imported", "Imported"]
    error = results[0]
    assert isinstance(error, TemplateError)
    assert (error.template, error.line) == ("broken", 5)  # the if left open
    with engine.connect() as conn:
        assert [info.name for info in list_templates(conn)] == ["welcome", "winback"]


def test_a_template_using_a_variable_the_store_does_not_have_is_refused(engine, tmp_path):
    folder = write(tmp_path / "t", winback=WINBACK.replace("first_name", "frist_name"))

    [error] = import_directory(engine, folder, Sandbox())

    assert isinstance(error, TemplateError)
    assert error.message == "unknown variable 'frist_name' (did you mean 'first_name'?)"


def test_a_file_that_is_not_utf8_is_refused_with_its_name(engine, tmp_path):
    folder = write(tmp_path / "t", promo='---\nsubject: "Caf\xe9"\n---\n'.encode("latin-1"), welcome=WELCOME)

    results = import_directory(engine, folder, Sandbox())

    assert isinstance(results[0], TemplateError)
    assert str(results[0]) == "promo, line 2: promo.html is not UTF-8 text"
    assert isinstance(results[1], Imported)


def test_a_missing_or_empty_folder_is_said_so(engine, tmp_path):
    with pytest.raises(LibraryError, match="does not exist"):
        import_directory(engine, tmp_path / "nowhere", Sandbox())
    (tmp_path / "empty").mkdir()
    with pytest.raises(LibraryError, match="has no templates"):
        import_directory(engine, tmp_path / "empty", Sandbox())


def test_list_gives_each_templates_latest_version_and_subject(engine, tmp_path):
    folder = write(tmp_path / "t", winback=WINBACK, welcome=WELCOME)
    import_directory(engine, folder, Sandbox())
    write(folder, winback=WINBACK + "<p>P.S.</p>\n")
    import_directory(engine, folder, Sandbox())

    with engine.connect() as conn:
        infos = list_templates(conn)

    assert [(i.name, i.version, i.versions, i.subject) for i in infos] == [
        ("welcome", 1, 1, "Welcome, {{ first_name }}"),
        ("winback", 2, 2, "{{ first_name | default('there') }}, we miss you"),
    ]
    assert all(i.imported_at.tzinfo is not None for i in infos)


def test_loading_a_misspelt_name_or_a_missing_version_says_what_there_is(engine, tmp_path):
    folder = write(tmp_path / "t", winback=WINBACK)
    import_directory(engine, folder, Sandbox())
    write(folder, winback=WINBACK + "<p>2</p>")
    import_directory(engine, folder, Sandbox())

    with engine.connect() as conn, pytest.raises(TemplateNotFound) as misspelt:
        load(conn, "winbak")
    with engine.connect() as conn, pytest.raises(LookupError) as missing:
        load(conn, "winback", 7)

    assert str(misspelt.value) == "no template 'winbak' (did you mean 'winback'?)"
    assert str(missing.value) == "template 'winback' has no version 7 (it has 1-2)"


def test_import_json_gives_a_line_per_template_and_exits_1_if_one_is_refused(run_app, database_url, tmp_path):
    folder = write(tmp_path / "t", winback=WINBACK, broken=BROKEN)

    done = run_app("templates", "import", folder, "--json", "--db", database_url)

    assert done.returncode == 1, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines[1] == {"template": "winback", "version": 1}
    assert {k: lines[0][k] for k in ("template", "line")} == {"template": "broken", "line": 5}
    assert "unexpected end of template" in lines[0]["error"]


def test_import_and_list_for_people(run_app, database_url, tmp_path):
    folder = write(tmp_path / "t", winback=WINBACK, welcome=WELCOME)
    run_app("templates", "import", folder, "--db", database_url)
    write(folder, winback=WINBACK + "<p>P.S.</p>\n")

    done = run_app("templates", "import", folder, "--db", database_url)
    listed = run_app("templates", "list", "--db", database_url)
    as_json = run_app("templates", "list", "--json", "--db", database_url)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["welcome: version 1 (unchanged)", "winback: version 2 (new)"]
    table = listed.stdout.splitlines()
    assert table[0].split() == ["template", "version", "versions", "imported", "subject"]
    assert table[2].split()[:3] == ["winback", "2", "2"]
    assert [json.loads(line)["template"] for line in as_json.stdout.splitlines()] == ["welcome", "winback"]


def test_import_of_a_missing_folder_exits_2_with_a_message(run_app, database_url, tmp_path):
    done = run_app("templates", "import", tmp_path / "nowhere", "--db", database_url)

    assert done.returncode == 2
    assert "does not exist" in done.stderr and "Traceback" not in done.stderr
