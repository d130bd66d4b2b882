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

// The outbox (docs/notifications.md#delivery-and-retries): one row per event and channel,
// queued in the transaction of the item change that caused it. (channel, event_key) is unique,
// so an event is queued once however often it is decided. outbox_pending serves the
// dispatcher's queue read; outbox_item the "only after a miss was sent" check and the
// re-keying of an item's entries.
constexpr std::string_view kV2 = R"sql(
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  channel         TEXT    NOT NULL,
  event_key       TEXT    NOT NULL,
  kind            TEXT    NOT NULL,
  instance        TEXT    NOT NULL,
  rule            TEXT    NOT NULL,
  dag_id          TEXT    NOT NULL,
  run_id          TEXT    NOT NULL,
  task_id         TEXT    NOT NULL,
  slot            TEXT    NOT NULL,
  payload         TEXT    NOT NULL,
  status          TEXT    NOT NULL CHECK (status = 'pending' OR status = 'delivered' OR
                    status = 'rejected' OR status = 'dropped'),
  attempts        INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  finished_at     INTEGER,
  last_error      TEXT    NOT NULL DEFAULT '',
  UNIQUE (channel, event_key)
);
CREATE INDEX outbox_pending ON outbox (channel, id) WHERE status = 'pending';
CREATE INDEX outbox_item ON outbox (instance, rule, dag_id, run_id, task_id, slot, channel, kind);
CREATE INDEX outbox_created ON outbox (created_at);
)sql";

// Airflow health over time (docs/health.md#uptime): one row per stretch of polls that saw the
// same airflow_up, so a year of 10 s polls of a healthy instance is one row. `open` marks each
// instance's latest stretch, the one the next sample may extend (at most one per instance);
// time between stretches is unknown (SLAyer stopped, or the Airflow database unreachable).
constexpr std::string_view kV3 = R"sql(
CREATE TABLE health_intervals (
  id        INTEGER PRIMARY KEY,
  instance  TEXT    NOT NULL,
  state     TEXT    NOT NULL CHECK (state = 'up' OR state = 'down'),
  start_at  INTEGER NOT NULL,
  end_at    INTEGER NOT NULL CHECK (end_at >= start_at),
  open      INTEGER NOT NULL CHECK (open IN (0, 1))
);
CREATE INDEX health_intervals_instance ON health_intervals (instance, start_at);
CREATE UNIQUE INDEX health_intervals_open ON health_intervals (instance) WHERE open = 1;
)sql";

constexpr std::array<Migration, 3> kMigrations = {{
    {1, "create items and watermarks", kV1},
    {2, "create the notification outbox", kV2},
    {3, "create the airflow health intervals", kV3},
}};

}  // namespace

std::span<const Migration> SqliteMigrations() { return kMigrations; }

int LatestSqliteSchemaVersion() { return kMigrations.back().version; }

}  // namespace slayer::store
