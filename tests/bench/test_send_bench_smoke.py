"""The send benchmark still runs end to end: a small store, one and two connections, every message
counted by the sink, and the table printed."""

from __future__ import annotations

import pytest

from bench import send_bench


def test_the_send_benchmark_sends_every_recipient_and_prints_its_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = send_bench.main(["--contacts", "300", "--recipients", "200", "--connections", "1,2"])

    out = capsys.readouterr().out
    assert code == 0, out
    assert "send benchmark: 200 recipients of 300 contacts" in out
    rows = [line.split() for line in out.splitlines() if line.split()[-2:-1] == ["2x"]]
    assert [row[0] for row in rows] == ["1", "2"]
    assert all(row[-1] in ("yes", "NO") for row in rows)
    assert "lines: ledger (answer + claim, a txn)" in out
    assert "MISMATCH" not in out
