"""`docs/store.md`, generated from the table specs so it cannot drift: `python -m csc_scorecard.store.docs`."""

from __future__ import annotations

from ..sources.registry import kind_names
from ..sources.ssd.mapping import MAPPINGS, NOT_MAPPED
from ..sources.tables import TABLES
from .schema import LINEAGE_COLUMNS, MIGRATIONS, SCHEMA_VERSION

HEADER = f"""# The store

Generated from `src/csc_scorecard/sources/tables.py` by `python -m csc_scorecard.store.docs > docs/store.md`;
a test fails when this file is stale. Schema version {SCHEMA_VERSION}.

One DuckDB file. `loads` is the lineage: one row per return loaded (file names, sha256, format, LA, collection
year, how the year was decided, rows per table, when, status `current` or `replaced`, and which load it
replaced or was replaced by). For each table below there is a raw table `raw_<name>` holding every current
load's rows as read, and a canonical table `<name>` holding one row per identity, taken from the return with the
latest collection year (then the latest load; for `children`, a child in the CIN census and the SSDA903 of the same
year keeps the SSDA903's row, whatever order they were loaded in). Every row of both carries the lineage columns
{", ".join(f"`{c}`" for c, _ in LINEAGE_COLUMNS)} and `src_line` (the line of the file it came from).

Manual measures (README, "Manual measures") are kept in two tables of their own: `manual_measures`, every
declaration of every measure (the one in force has no `replaced_by`; a withdrawn measure's last row has no
declaration), and `manual_values`, every value ever recorded per LA, measure and month or quarter, with who
entered it, when, from which file and line (`load_id`, `src_line`) or form, and the value it replaced
(`replaces`, `replaced_by`). A file of values is a load like any return, except that it never replaces an
earlier one.

## Schema versions and migrations

The schema is built by numbered SQL files in `src/csc_scorecard/store/migrations/` ({MIGRATIONS[0].file_name}
to {MIGRATIONS[-1].file_name}). Every command that writes to the store first applies the files the store has not
had yet, in order, each in its own transaction, and records each one in `schema_version`; so a store made by an
older csc-scorecard is upgraded the first time a newer one writes to it, keeping all its data.
`csc-scorecard status` shows the version. A store made by a newer csc-scorecard than the one running is refused,
for reading too, with a message naming both versions.

The reference data (working-day calendar `ref_calendar`, population `ref_population`, published benchmarks
`published_values`, `areas`, `stat_neighbours`) is data, not schema: migrations only create those tables. After
migrating, every writable open compares a fingerprint of the shipped reference files (and of the code that
reads them) with the one in `reference_data` and refills any set that differs, so a release with corrected
published figures corrects an existing store.

**A released migration never changes**: councils' stores were made by it (a test holds every file's sha256).
To add a column, or a table, to a return's tables:

1. Change the `TableSpec` in `src/csc_scorecard/sources/tables.py` (and the reader that fills it).
2. Add the next migration, e.g. `{SCHEMA_VERSION + 1:04d}_children_religion.sql`: its first line is a `--` comment
   describing it (recorded in `schema_version`), then the DDL, for both tables:
   `ALTER TABLE raw_children ADD COLUMN religion VARCHAR; ALTER TABLE children ADD COLUMN religion VARCHAR;`.
   `ADD COLUMN` puts it after `src_line`; that is fine, as the code names columns and never relies on their
   order.
3. Add the file's sha256 to `RELEASED` in `tests/test_store_migrations.py` (its failure message prints it),
   and regenerate this file.

`tests/test_store_migrations.py` fails, saying "add a migration", when a `TableSpec` and the latest schema
disagree; it also upgrades a store made at migration 1 and checks it equals a store made fresh.

## Data quality

Structural faults (a date that does not parse, an unknown code, a missing id) refuse a load. Logical faults
that DfE's validators flag but councils submit anyway load, and are flagged: at each rebuild of an LA's
canonical tables the rules of `src/csc_scorecard/store/quality.py` write one row per record that breaks them to
`quality_flags` (LA, collection year, load, table, line, child, the record in words, the rule, the DfE
validator's rule number where there is one, and what is wrong), and `csc-scorecard quality` lists them. An
indicator whose figure a fault would distort leaves the flagged records out and counts them in its notes (the
catalogue's `leaves_out`). The rules also flag:

- an open CIN episode, child protection plan or 903 episode that the next loaded return of its kind does not
  carry (its id changed, or it was deleted as recorded in error): the canonical column `not_carried_from`
  holds the first day of that return's year, from which stock counts take the record as closed;
- a child whose date of birth, or sex, differs between the returns loaded (every conflict, with the value the
  store uses);
- a reader's warnings (a coded Annex A answer no indicator reads, kept as written), kept with their load.

`derived_data` holds a fingerprint of the code that derives the canonical tables and the flags: a store made by
an earlier csc-scorecard is rebuilt, every LA in one transaction, the first time a newer one writes to it.

## Saved results

`indicator_results` holds computed figures, unrounded, with the loads behind each and the type each number was
computed as. `indicators` keeps what it computes there; `judge` and `report` keep the whole-LA figures of the
period and its history, for every indicator, after printing or writing (in a moment's writable open, skipped
when another program holds the store). `results_basis` says, per LA and period, which indicators' figures were
kept and on what basis: a digest of the loads, the manual measures and values, the schema, the reference data,
the canonical tables' derivation, the catalogue's files and the engine's code and libraries
(`src/csc_scorecard/engine/results.py`). A scorecard built while the basis is unchanged and every period and
indicator it needs is kept reads them back instead of running the engine; any load, manual value, migration,
catalogue or code change gives another basis, and the next scorecard is computed afresh. The figures are
aggregates, kept only in the store beside the records they come from.

## Backup and restore

```sh
csc-scorecard backup --db scorecard.duckdb --out backups/scorecard-2017-01-20.zip
csc-scorecard restore backups/scorecard-2017-01-20.zip --db scorecard.duckdb
```

`backup` writes one file: a zip holding the store and `manifest.json` (the schema version, when and from where
it was taken, the database's sha256, and every table's row count and checksum). It can run at any time, from a
scheduled task too: it copies the store file without opening it, so the dashboard keeps serving and a load
or an edit is never refused. A load or an edit in progress is waited for (`--timeout`, 10 minutes by
default) and is then either wholly in the backup or not at all. The copy is opened and checksummed before the
backup is written, and the file only takes its name once it is complete. Keep backups somewhere other than
the store's own disk, and encrypted like the store (below).

`restore` checks the backup first: that it is a csc-scorecard backup, that its schema version is not newer
than the csc-scorecard running (upgrade first if it is), that the database's sha256 is the one recorded, that
DuckDB opens it, and that every table's rows and checksum are those recorded when it was taken. If anything
does not match, or another program is writing to the store, it says what and changes nothing. Otherwise it
replaces the store in one step and keeps the store it replaced beside it as
`<store>.before-restore-<date-time>` (delete that once you are sure). A restore into a new folder (`--db
new/scorecard.duckdb`) makes a working store there. The dashboard can keep running: it serves the restored
store from its next request. The dashboard's own state file (users, the access log; `<store>.web.sqlite`) is
SQLite: back it up with `sqlite3 scorecard.web.sqlite ".backup web-state.sqlite"`.

## Files at rest

The store holds child-level records, and so do its copies. Everything csc-scorecard creates is readable by its
owner only: the store (mode 0600, its folder 0700 when csc-scorecard makes it), DuckDB's write-ahead log
beside it, the dashboard's state file (`<store>.web.sqlite`, with its `-wal` and `-shm`), the dashboard's
snapshots of the store, backups, report packs, commentary exports and synthetic returns (the command line
runs with umask 077). A file that already exists keeps the mode its owner gave it. Run csc-scorecard, and the
dashboard, as a service account of its own, so that "owner only" means that account.

Permissions do not protect a lost laptop or a disk taken from a server, so keep the store, its backups and
the dashboard's snapshot folder (`snapshot_dir`) on an encrypted volume:

- **Windows**: turn on BitLocker for the drive that holds them (Settings, Privacy and security, Device
  encryption, or `manage-bde -on D:` as an administrator), and keep the recovery key where your IT service
  keeps the others.
- **Linux**: put them on a LUKS volume, e.g. a partition or a file container opened at boot:
  `cryptsetup luksFormat /dev/sdb1`, `cryptsetup open /dev/sdb1 csc`, `mkfs.ext4 /dev/mapper/csc`, then mount it
  at `/srv/csc-scorecard` (with an `/etc/crypttab` and `/etc/fstab` entry) and point `--db` there.
- **macOS**: FileVault (System Settings, Privacy and Security).
- **Cloud**: an encrypted disk (Azure managed disks and AWS EBS volumes can be encrypted with a key the council
  holds).

A store on an encrypted volume is as fast as anywhere else: DuckDB reads it through the operating system.
"""


SSD_HEADER = """
## The SSD: snapshots, and which wins for which dates

An SSD extract (Data to Insight's Standard Safeguarding Dataset: a folder of CSV files, or a live database read
with `load --from-db`) is loaded as a **snapshot**, not a year's return. `loads` records it with kind `ssd`, the
files or the database (its URL without a password, and schema) it came from, `snapshot_taken_at` (the SSD's run
date), `covers_from` and `covers_to` (the first and last days it holds in full: every record active on any day
between them) and `snapshot_decided_by` (the extract's `ssd_vw_current_time_windows`, or the latest date in the
data and the SSD's standard six-year timeframe). A newer snapshot replaces the LA's older one whatever its
year; an older one is refused. Its `collection_year` is the financial year of `covers_to`.

Snapshot and returns share the canonical tables by date. **For every day from the snapshot's `covers_from` on,
the snapshot is the record** of each table it holds: a record whose identity is dated from then on (its first
date: a referral, a plan's or episode's start) comes from the snapshot, or from a return for a year ending after
the snapshot was taken, never from an older return, so that a record the case-management system has since
corrected or removed is not counted twice. **Before `covers_from`, the returns are the record**: the snapshot's
timeframe does not reach back there, and where it holds one of those older records too, its newer view of it
wins. A figure is computed for a window when, for each return it reads, every financial year it needs is either
loaded as a return or held by the snapshot day by day (engine/coverage.py): so the snapshot gives monthly
figures, rolling 12 months and in-year quarters up to its last whole day, and a year only once it holds all of
it.

### Field by field

Each canonical table the SSD fills, the SSD tables it needs (the first one's presence means the extract holds
the table; the others must come with it) and where every column comes from. Codes are checked against the
returns' code lists or translated by the explicit tables of `sources/ssd/codes.py`; a value neither knows is a
problem naming the file, line, field and value, and nothing is loaded.
"""


def _ssd_mapping() -> list[str]:
    parts = [SSD_HEADER]
    for m in MAPPINGS:
        also = f"; read with it when present: {', '.join(m.optional)}" if m.optional else ""
        parts.append(f"\n#### `{m.table}` from {', '.join(f'`{t}`' for t in m.ssd_tables)}{also}\n\n")
        if m.note:
            parts.append(f"{m.note}\n\n")
        parts.append("| column | SSD field | rule |\n|---|---|---|\n")
        parts.extend(f"| `{f.column}` | {f.source} | {f.rule} |\n" for f in m.fields)
    parts.append("\nNot filled from the SSD:\n\n")
    parts.extend(f"- `{table}`: {why}.\n" for table, why in NOT_MAPPED.items())
    return parts


def render_markdown() -> str:
    parts, names = [HEADER], kind_names()
    for spec in TABLES:
        returns = " and ".join(names[r] for r in spec.returns)
        key = ", ".join(("la_code", *spec.key))
        parts.append(f"\n## `{spec.name}`\n\n{spec.description}\n\nFrom: {returns}. Identity: ({key}).\n")
        parts.append("\n| column | type |\n|---|---|\n")
        parts.extend(f"| `{name}` | {typ} |\n" for name, typ in spec.columns)
        parts.extend(f"| `{name}` | {typ} (canonical table only, derived) |\n" for name, typ in spec.derived)
    parts.extend(_ssd_mapping())
    return "".join(parts)


if __name__ == "__main__":
    print(render_markdown(), end="")
