"""`python app.py report ...`: the JSON shape of the issue, the chart file, a comparison, failures."""

from __future__ import annotations

import json
from datetime import UTC, date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from reports.chart_files import chart_name
from reports.cli import selection
from reports.models import MEASURES, RATES
from reports.service import ReportService
from segments.service import SegmentService
from store.db import create_store_engine
from tests.conftest import Database
from tests.reports.test_charts import assert_png
from tests.segments.dataset import DATA_AS_OF
from tests.store.helpers import load

AS_OF = DATA_AS_OF.isoformat()
METRIC_KEYS = {
    "recipients", "bounces", "bounce_rate", "delivered", "opens", "clicks", "unsubscribes", "complaints",
    "open_rate", "click_rate", "unsubscribe_rate", "complaint_rate", "click_to_open_rate", "conversions",
    "conversion_rate", "revenue", "revenue_per_recipient",
}  # fmt: skip


@pytest.fixture
def store(database: Database, report_files: dict[str, Path]) -> Engine:
    engine = create_store_engine(database.base_url, search_path=database.schema)
    load(engine, **report_files)
    yield engine
    engine.dispose()


def test_json_has_every_key_and_the_services_numbers(
    store: Engine, database: Database, run_app, tmp_path
) -> None:
    chart = tmp_path / "golfers.png"
    args = ["report", "golfers", "--campaign", "newsletter", "--since", "2026-01-01", "--until", "2026-06-30"]
    result = run_app(*args, "--as-of", AS_OF, "--db", database.url, "--json", "--chart", chart)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["segment"]) == {"text", "explanation", "count"}
    assert data["segment"]["text"] == "golfers" and data["segment"]["explanation"].startswith("Contacts")
    assert data["campaigns"] and all(set(c) == {"id", "name"} for c in data["campaigns"])
    assert all("Newsletter" in c["name"] for c in data["campaigns"])
    assert set(data["metrics"]) == METRIC_KEYS | {f"{m}_ci" for m in MEASURES}
    assert all(len(data["metrics"][f"{m}_ci"]) == 2 for m in RATES if data["metrics"][m] is not None)
    chosen = selection("newsletter", date(2026, 1, 1), date(2026, 6, 30), UTC)
    expected = ReportService(SegmentService(store)).report("golfers", chosen, DATA_AS_OF)
    assert [c["id"] for c in data["campaigns"]] == [c.id for c in expected.campaigns]
    assert all(c.id >= "cmp-014" for c in expected.campaigns)  # the newsletters of 2026 only
    assert data["metrics"] == expected.metrics.model_dump(mode="json")
    assert_png(chart.read_bytes())


def test_compare_and_trend(store: Engine, database: Database, run_app) -> None:
    result = run_app("report", "golfers", "--compare", "runners", "--by", "month", "--as-of", AS_OF,
                     "--db", database.url, "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["compared"][0]["segment"]["text"] == "runners"
    assert {d["measure"] for d in data["differences"]} == set(MEASURES)
    assert all(d["baseline"] == "golfers" and d["segment"] == "runners" for d in data["differences"])
    months = data["trend"]
    assert (
        len(months) >= 12 and sum(p["metrics"]["recipients"] for p in months) == data["metrics"]["recipients"]
    )


def test_each_compared_segment_is_named_above_its_verdicts(
    store: Engine, database: Database, run_app
) -> None:
    result = run_app("report", "golfers", "--compare", "runners", "--compare", "VIP", "--as-of", AS_OF,
                     "--db", database.url)  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    heads = [i for i, line in enumerate(lines) if line.endswith(" compared with golfers:")]
    assert [lines[i].strip() for i in heads] == [
        "runners compared with golfers:",
        "VIP compared with golfers:",
    ]
    verdicts = lines[heads[0] + 1 : heads[1]]
    assert len(verdicts) == len(MEASURES) and all("VIP" not in line for line in verdicts)


def test_text_and_failures(store: Engine, database: Database, run_app) -> None:
    shown = run_app("report", "golfers", "--as-of", AS_OF, "--db", database.url)
    assert shown.returncode == 0, shown.stderr
    assert "open_rate" in shown.stdout and "recipients" in shown.stdout
    unknown = run_app(
        "report", "golfers", "--campaign", "Blak Friday", "--as-of", AS_OF, "--db", database.url
    )
    assert unknown.returncode == 1
    listed, offered = unknown.stdout.splitlines()[1:]
    assert listed.startswith(
        "  No campaign matches: none is named like “Blak Friday”. The store's campaigns, "
    )
    assert offered == "  did you mean: --campaign 'Black Friday 2025'"
    unread = run_app("report", "contacts in Berl", "--as-of", AS_OF, "--db", database.url, "--json")
    assert unread.returncode == 1 and json.loads(unread.stdout)["suggestions"]


@pytest.mark.parametrize(
    ("option", "said"),
    [
        (["--until", "9999-12-31"], "9999-12-31: say a date from 1900 to 2200"),
        (["--since", "0001-01-01"], "0001-01-01: say a date from 1900 to 2200"),
        (["--as-of", "9999-12-31T00:00:00"], "say a date from 1900 to 2200"),
        (["--chart", "/nonexistent/x.png"], "no folder '/nonexistent' to write the chart in"),
    ],
)
def test_extreme_options_are_refused_in_words(database: Database, run_app, option, said) -> None:
    refused = run_app("report", "golfers", *option, "--db", database.url)
    assert refused.returncode == 2
    assert said in refused.stderr and "Traceback" not in refused.stderr


def test_a_chart_that_cannot_be_written_is_said_so(
    store: Engine, database: Database, run_app, tmp_path
) -> None:
    # a format Tailor does not write: refused in one line before the report is computed
    refused = run_app("report", "golfers", "--chart", tmp_path / "golfers.gif", "--db", database.url)
    assert refused.returncode == 2 and refused.stderr.splitlines()[-1] == (
        "app.py report: error: argument --chart: Tailor does not write .gif charts: name a file ending "
        "in .png, .jpg, .jpeg, .svg, .pdf"
    )
    # /proc takes no new files, even from root: the write itself fails
    failed = run_app("report", "golfers", "--as-of", AS_OF, "--chart", "/proc/x.png", "--db", database.url)
    assert failed.returncode == 1
    assert "could not write the chart to /proc/x.png" in failed.stderr and "Traceback" not in failed.stderr


def test_a_chart_is_written_in_the_format_its_extension_names(
    store: Engine, database: Database, run_app, tmp_path
) -> None:
    jpeg = tmp_path / "golfers.jpg"
    drawn = run_app("report", "golfers", "--as-of", AS_OF, "--db", database.url, "--chart", jpeg)
    assert drawn.returncode == 0 and drawn.stdout.splitlines()[-1] == f"  chart: {jpeg}"
    assert jpeg.read_bytes()[:3] == b"\xff\xd8\xff"  # JPEG, not PNG bytes under a .jpg name


def test_a_chart_in_a_folder_is_named_after_the_report(
    store: Engine, database: Database, run_app, tmp_path
) -> None:
    """Two different reports never write the same file; the same report writes its own again."""
    folder = tmp_path / "charts"
    folder.mkdir()

    def drawn(*asked: str) -> Path:
        result = run_app("report", *asked, "--as-of", AS_OF, "--db", database.url, "--chart", folder)
        assert result.returncode == 0, result.stderr
        return Path(result.stdout.splitlines()[-1].removeprefix("  chart: "))

    first = drawn("golfers")
    assert first == folder / chart_name(["golfers"]) and drawn("golfers") == first
    others = [
        drawn("golfers", "--campaign", "newsletter"),
        drawn("golfers", "--compare", "runners"),
        drawn("golfers", "--since", "2026-01-01"),
        drawn("golfers", "--by", "month"),
    ]
    assert len({first, *others}) == 5
    assert sorted(folder.iterdir()) == sorted({first, *others})
    assert all(assert_png(path.read_bytes()) for path in others)


def test_reversed_dates_are_refused(database: Database, run_app) -> None:
    refused = run_app(
        "report", "golfers", "--since", "2026-07-01", "--until", "2025-01-01", "--db", database.url
    )
    assert refused.returncode == 2 and "--since 2026-07-01 is after --until 2025-01-01" in refused.stderr


def test_matplotlib_is_imported_only_for_a_chart(
    store: Engine, database: Database, run_app, tmp_path
) -> None:
    """A report without --chart skips a second or two of imports; with one, the chart is drawn."""
    imports = {"PYTHONPROFILEIMPORTTIME": "1"}  # python -X importtime: each import on stderr
    plain = run_app("report", "golfers", "--as-of", AS_OF, "--db", database.url, env=imports)
    assert plain.returncode == 0 and "recipients" in plain.stdout
    assert "| matplotlib" not in plain.stderr
    drawn = run_app("report", "golfers", "--as-of", AS_OF, "--db", database.url,
                    "--chart", tmp_path / "golfers.png", env=imports)  # fmt: skip
    assert drawn.returncode == 0 and "| matplotlib" in drawn.stderr
    assert_png((tmp_path / "golfers.png").read_bytes())


def test_a_report_on_an_empty_store_says_how_to_fill_it(run_app, tmp_path) -> None:
    refused = run_app("report", "lapsed customers", "--db", f"sqlite:///{tmp_path / 'new.db'}")
    assert refused.returncode == 1
    assert "nothing to measure yet" in refused.stdout and "python app.py import" in refused.stdout
    assert "holds no contacts yet" in refused.stdout


def test_a_report_on_contacts_without_campaigns_says_the_campaigns_are_missing(run_app, tmp_path) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("email,city\nana@shop.example,Berlin\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'own.db'}"
    assert run_app("import", "--contacts", contacts, "--db", url).returncode == 0
    refused = run_app("report", "contacts in Berlin", "--db", url)
    assert refused.returncode == 1
    assert "The store holds contacts but no campaigns: import your sends" in refused.stdout
    assert "no contacts yet" not in refused.stdout
