#include "store/sqlite_migrations.h"

#include <array>

namespace slayer::store {
namespace {

// Timestamps are INTEGER microseconds since the Unix epoch (UTC): exact, compact, and they sort
// as numbers. The partial index's WHERE must stay word for word the predicate SqliteStore uses
// for open items, or SQLite does not use it. State tests are OR chains, not IN lists: SQLite
// evaluates a constant IN list of three or more values through a temporary b-tree, built for
// every row written, which made upserts several times slower. items_open holds the whole key so
// that OpenItems reads it in key order without a sort, and SQLite picks it without statistics.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE items (
  instance       TEXT    NOT NULL,
  rule           TEXT    NOT NULL,
  dag_id         TEXT    NOT NULL,
  run_id         TEXT    NOT NULL,
  task_id        TEXT    NOT NULL,
  slot           TEXT    NOT NULL,
  severity       TEXT    NOT NULL,
  logical_date   INTEGER,
  need_by        INTEGER NOT NULL,
  state          TEXT    NOT NULL CHECK (state = 'pending' OR state = 'at_risk' OR
                   state = 'missed' OR state = 'met' OR state = 'met_late' OR
                   state = 'abandoned'),
  done_at        INTEGER,
  missed_at      INTEGER,
  reference      TEXT    NOT NULL,
  reference_time INTEGER,
  paused         INTEGER NOT NULL CHECK (paused IN (0, 1)),
  expected       INTEGER NOT NULL DEFAULT 0 CHECK (expected IN (0, 1)),
  updated_at     INTEGER NOT NULL,
  PRIMARY KEY (instance, rule, dag_id, run_id, task_id, slot)
);
CREATE INDEX items_open ON items (instance, rule, dag_id, run_id, task_id, slot)
  WHERE (state = 'pending' OR state = 'at_risk' OR state = 'missed');
CREATE INDEX items_need_by ON items (need_by);
CREATE INDEX items_dag_need_by ON items (dag_id, need_by);
CREATE INDEX items_rule_need_by ON items (rule, need_by);

CREATE TABLE watermarks (
  instance   TEXT    NOT NULL,
  name       TEXT    NOT NULL,
  value      INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (instance, name)
);
)sql";

constexpr std::array<Migration, 1> kMigrations = {{
    {1, "create items and watermarks", kV1},
}};

}  // namespace

std::span<const Migration> SqliteMigrations() { return kMigrations; }

int LatestSqliteSchemaVersion() { return kMigrations.back().version; }

}  // namespace slayer::store
