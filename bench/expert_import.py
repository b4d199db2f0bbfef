"""The limit for import: the fastest path an expert takes to the same indexed tables.

PostgreSQL: `COPY` of the raw files into bare typed tables, then `CREATE INDEX` of the indexes
that Tailor's schema has. SQLite: one `executemany` of the parsed rows into bare tables in one
transaction, then the same indexes. Run as a process of its own by `import_bench.py`:

    python bench/expert_import.py sqlite|postgresql DATA_DIR URL
"""

from __future__ import annotations

import csv
import sqlite3
import sys
from pathlib import Path

CONTACTS = """id text, email text, first_name text, last_name text, gender text, birth_date date, city text,
    country text, timezone text, language text, industry text, company text, company_size integer,
    job_title text, signup_source text, signed_up_at timestamptz, device text, loyalty_tier text,
    interests text, email_consent text"""
EVENTS = """contact_id text, type text, occurred_at timestamptz, campaign_id text, amount numeric,
    currency text, category text, product text, topic text"""
CAMPAIGNS = "id text, name text, subject text, sent_at timestamptz"
INDEXES = [
    "CREATE UNIQUE INDEX x_contacts_id ON x_contacts (id)",
    "CREATE INDEX x_contacts_email ON x_contacts (email)",
    "CREATE UNIQUE INDEX x_campaigns_id ON x_campaigns (id)",
    "CREATE INDEX x_events_contact ON x_events (contact_id, type, occurred_at)",
    "CREATE INDEX x_events_type ON x_events (type, occurred_at, contact_id)",
]
TABLES = {"x_contacts": ("contacts.csv", CONTACTS), "x_events": ("events.csv", EVENTS),
          "x_campaigns": ("campaigns.csv", CAMPAIGNS)}  # fmt: skip


def postgresql(data: Path, url: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn, conn.cursor() as cur:
        for setting, value in [("maintenance_work_mem", "1GB"), ("work_mem", "256MB")]:
            cur.execute("SELECT set_config(%s, %s, true)", (setting, value))
        for table, (name, columns) in TABLES.items():
            cur.execute(f"CREATE TABLE {table} ({columns})")
            statement = f"COPY {table} FROM STDIN (FORMAT csv, HEADER)"
            with (data / name).open("rb") as f, cur.copy(statement) as copy:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
        for statement in INDEXES:
            cur.execute(statement)


def sqlite(data: Path, path: str) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "cache_size = -131072"):
        db.execute(f"PRAGMA {pragma}")
    db.execute("BEGIN")
    for table, (name, columns) in TABLES.items():
        db.execute(f"CREATE TABLE {table} ({columns.replace('timestamptz', 'text')})")
        with (data / name).open(encoding="utf-8", newline="") as f:
            rows = csv.reader(f)
            width = len(next(rows))
            db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * width)})", rows)
    for statement in INDEXES:
        db.execute(statement)
    db.execute("COMMIT")
    db.close()


if __name__ == "__main__":
    kind, data, target = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    (postgresql if kind == "postgresql" else sqlite)(data, target)
