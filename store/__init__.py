"""The data store: engine, models, migrations, CSV import and demo data.

It knows nothing of segments or Slack; everything above it reads the tables defined in
`store.models` through SQLAlchemy.
"""
