#include "store/sqlite_store.h"

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "db/connect.h"
#include "db/connection.h"
#include "db/result_set.h"
#include "store/sqlite_migrations.h"

namespace slayer::store {
namespace {

constexpr int kBusyTimeoutMs = 5000;

// Column order of every item SELECT; DecodeItem reads by these positions.
constexpr std::string_view kItemColumns =
    "instance, rule, dag_id, run_id, task_id, slot, severity, logical_date, need_by, state, "
    "done_at, missed_at, reference, reference_time, paused, expected";
constexpr std::string_view kKeyOrder = "instance, rule, dag_id, run_id, task_id, slot";
constexpr std::string_view kKeyOrderDesc =
    "instance DESC, rule DESC, dag_id DESC, run_id DESC, task_id DESC, slot DESC";
constexpr std::string_view kKeyMatch =
    "instance = ? AND rule = ? AND dag_id = ? AND run_id = ? AND task_id = ? AND slot = ?";
// Word for word the WHERE of the items_open index (sqlite_migrations.cc), so SQLite uses it.
// The states are those rules::IsFinal says are open (tested).
constexpr std::string_view kOpenPredicate =
    "(state = 'pending' OR state = 'at_risk' OR state = 'missed')";
constexpr std::string_view kFinalPredicate =
    "(state = 'met' OR state = 'met_late' OR state = 'abandoned')";

// Upsert writes through a temporary table: rows go in with one prepared statement
// (Connection::InsertRows), then one INSERT ... SELECT merges them all. Preparing an upsert per
// row cost about ten times as much, nearly all of it in SQLite's parser.
constexpr std::string_view kCreateStaging =
    "CREATE TEMP TABLE IF NOT EXISTS items_upsert (instance TEXT, rule TEXT, dag_id TEXT, "
    "run_id TEXT, task_id TEXT, slot TEXT, severity TEXT, logical_date INTEGER, "
    "need_by INTEGER, state TEXT, done_at INTEGER, missed_at INTEGER, reference TEXT, "
    "reference_time INTEGER, paused INTEGER, expected INTEGER, updated_at INTEGER)";
constexpr std::string_view kStagingTable = "temp.items_upsert";
// Rows inserted per InsertRows call: bounds the memory of the bound values, not the transaction.
constexpr size_t kStagingChunk = 1000;
// The staged items into `items`; what a held key gets follows. "WHERE true" tells SQLite's
// parser that ON CONFLICT belongs to the INSERT, not to a join. ORDER BY rowid: when one call
// holds a key twice, the later item wins.
const std::string kMergeInto =
    "INSERT INTO items (instance, rule, dag_id, run_id, task_id, slot, severity, logical_date, "
    "need_by, state, done_at, missed_at, reference, reference_time, paused, expected, "
    "updated_at) "
    "SELECT instance, rule, dag_id, run_id, task_id, slot, severity, logical_date, need_by, "
    "state, done_at, missed_at, reference, reference_time, paused, expected, updated_at "
    "FROM temp.items_upsert WHERE true ORDER BY rowid "
    "ON CONFLICT (instance, rule, dag_id, run_id, task_id, slot) DO UPDATE SET ";
// Upsert: the staged item replaces the held one.
const std::string kMergeStaging =
    kMergeInto +
    "severity = excluded.severity, logical_date = excluded.logical_date, "
    "need_by = excluded.need_by, state = excluded.state, done_at = excluded.done_at, "
    "missed_at = excluded.missed_at, reference = excluded.reference, "
    "reference_time = excluded.reference_time, paused = excluded.paused, "
    "expected = excluded.expected, updated_at = excluded.updated_at";
// History (RecordHistory): a held open item is replaced only by a final one, and keeps the time
// its miss was declared; held final items stay.
const std::string kMergeHistory =
    kMergeInto +
    "state = excluded.state, done_at = excluded.done_at, "
    "missed_at = COALESCE(items.missed_at, excluded.missed_at), "
    "updated_at = excluded.updated_at "
    "WHERE items.state IN ('pending', 'at_risk', 'missed') "
    "AND excluded.state IN ('met', 'met_late', 'abandoned')";

std::vector<std::string> StagingColumns() {
  return {"instance",  "rule",           "dag_id",  "run_id",    "task_id", "slot",
          "severity",  "logical_date",   "need_by", "state",     "done_at", "missed_at",
          "reference", "reference_time", "paused",  "expected", "updated_at"};
}

db::Param Micros(Timestamp t) {
  return db::Param(static_cast<int64_t>(t.time_since_epoch().count()));
}
db::Param Micros(const std::optional<Timestamp>& t) { return t ? Micros(*t) : db::Param(); }

void AppendKey(const rules::ItemKey& key, std::vector<db::Param>& params) {
  params.emplace_back(key.instance);
  params.emplace_back(key.rule);
  params.emplace_back(key.dag_id);
  params.emplace_back(key.run_id);
  params.emplace_back(key.task_id);
  params.emplace_back(key.slot);
}

Result<std::optional<Timestamp>> GetTime(const db::Row& row, size_t col) {
  SLAYER_ASSIGN_OR_RETURN(std::optional<int64_t> micros, row.Get<int64_t>(col));
  if (!micros) return std::optional<Timestamp>();
  return std::optional<Timestamp>(Timestamp(Duration(*micros)));
}

Result<Timestamp> RequireTime(const db::Row& row, size_t col) {
  SLAYER_ASSIGN_OR_RETURN(int64_t micros, row.Require<int64_t>(col));
  return Timestamp(Duration(micros));
}

// The six key columns starting at `first` (kKeyOrder's order).
Result<rules::ItemKey> DecodeKey(const db::Row& row, size_t first) {
  rules::ItemKey key;
  SLAYER_ASSIGN_OR_RETURN(key.instance, row.Require<std::string>(first));
  SLAYER_ASSIGN_OR_RETURN(key.rule, row.Require<std::string>(first + 1));
  SLAYER_ASSIGN_OR_RETURN(key.dag_id, row.Require<std::string>(first + 2));
  SLAYER_ASSIGN_OR_RETURN(key.run_id, row.Require<std::string>(first + 3));
  SLAYER_ASSIGN_OR_RETURN(key.task_id, row.Require<std::string>(first + 4));
  SLAYER_ASSIGN_OR_RETURN(key.slot, row.Require<std::string>(first + 5));
  return key;
}

Result<rules::Item> DecodeItem(const db::Row& row) {
  rules::Item item;
  SLAYER_ASSIGN_OR_RETURN(item.key, DecodeKey(row, 0));
  SLAYER_ASSIGN_OR_RETURN(item.severity, row.Require<std::string>(6));
  SLAYER_ASSIGN_OR_RETURN(item.logical_date, GetTime(row, 7));
  SLAYER_ASSIGN_OR_RETURN(item.need_by, RequireTime(row, 8));
  SLAYER_ASSIGN_OR_RETURN(std::string state, row.Require<std::string>(9));
  std::optional<rules::ItemState> parsed = rules::ParseItemState(state);
  if (!parsed) {
    return DataLossError("item " + item.key.ToString() + " has unknown state '" + state + "'");
  }
  item.state = *parsed;
  SLAYER_ASSIGN_OR_RETURN(item.done_at, GetTime(row, 10));
  SLAYER_ASSIGN_OR_RETURN(item.missed_at, GetTime(row, 11));
  SLAYER_ASSIGN_OR_RETURN(item.reference, row.Require<std::string>(12));
  SLAYER_ASSIGN_OR_RETURN(item.reference_time, GetTime(row, 13));
  SLAYER_ASSIGN_OR_RETURN(item.paused, row.Require<bool>(14));
  SLAYER_ASSIGN_OR_RETURN(item.expected, row.Require<bool>(15));
  return item;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const db::Dsn& dsn, const Clock* clock) {
  if (dsn.backend != db::Backend::kSqlite) {
    return InvalidArgumentError("store " + dsn.ToString() + " is not a sqlite:// URL");
  }
  db::ConnectOptions options;
  options.read_only = false;
  options.connect_timeout = std::chrono::milliseconds(kBusyTimeoutMs);
  // No statement timeout: every statement of the store is bounded, and cutting a write short
  // would only turn a slow disk into lost history.
  options.statement_timeout = std::chrono::milliseconds(0);
  auto conn = db::Connect(dsn, options);
  if (!conn) return conn.error().WithContext("cannot open store");
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(*conn), dsn.ToString(), clock));
  SLAYER_RETURN_IF_ERROR(store->Configure());
  SLAYER_RETURN_IF_ERROR(store->Migrate());
  return store;
}

SqliteStore::SqliteStore(std::unique_ptr<db::Connection> conn, std::string where,
                         const Clock* clock)
    : clock_(clock ? *clock : system_clock_), where_(std::move(where)), conn_(std::move(conn)) {}

SqliteStore::~SqliteStore() = default;

Status SqliteStore::Configure() {
  // synchronous=NORMAL is durable across a process crash in WAL mode; a power cut may lose the
  // last transactions, which the next poll rewrites.
  Status st = conn_->ExecuteScript("PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = " +
                                   std::to_string(kBusyTimeoutMs) + "; PRAGMA foreign_keys = ON");
  if (!st.ok()) return st.WithContext("cannot configure store " + where_);
  st = conn_->ExecuteScript("PRAGMA temp_store = MEMORY; " + std::string(kCreateStaging));
  if (!st.ok()) return st.WithContext("cannot configure store " + where_);
  auto mode = conn_->Query("PRAGMA journal_mode = WAL");
  if (!mode) return mode.error().WithContext("cannot configure store " + where_);
  std::string journal = mode->num_rows() == 1 ? std::string(mode->row(0).Raw(0).value_or("")) : "";
  if (journal != "wal") {
    return FailedPreconditionError("store " + where_ +
                                   " cannot use the WAL journal (SQLite chose '" + journal +
                                   "'); put the file on a local file system");
  }
  return Status::Ok();
}

Status SqliteStore::Migrate() {
  const int latest = LatestSqliteSchemaVersion();
  Status st = InTransaction(true, [&]() -> Status {
    SLAYER_ASSIGN_OR_RETURN(
        db::ResultSet tables,
        conn_->Query("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                     "name = 'schema_migrations'"));
    SLAYER_ASSIGN_OR_RETURN(int64_t has_versions, tables.row(0).Require<int64_t>(0));
    if (has_versions == 0) {
      // A database with tables but no version table is someone else's (Airflow's, say):
      // writing our tables into it would mix two programs' data.
      SLAYER_ASSIGN_OR_RETURN(
          db::ResultSet others,
          conn_->Query("SELECT count(*) FROM sqlite_master WHERE type = 'table'"));
      SLAYER_ASSIGN_OR_RETURN(int64_t other_tables, others.row(0).Require<int64_t>(0));
      if (other_tables > 0) {
        return FailedPreconditionError(
            "store " + where_ +
            " is not a SLAyer store (it has tables but no schema_migrations); "
            "point storage at a new file");
      }
      SLAYER_RETURN_IF_ERROR(
          conn_->ExecuteScript("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                               "applied_at TEXT NOT NULL)"));
    }
    SLAYER_ASSIGN_OR_RETURN(db::ResultSet max,
                            conn_->Query("SELECT max(version) FROM schema_migrations"));
    SLAYER_ASSIGN_OR_RETURN(std::optional<int64_t> current, max.row(0).Get<int64_t>(0));
    const int64_t version = current.value_or(0);
    if (version > latest) {
      return FailedPreconditionError("store " + where_ + " has schema version " +
                                     std::to_string(version) + ", this slayer knows up to " +
                                     std::to_string(latest) + "; upgrade slayer");
    }
    for (const Migration& m : SqliteMigrations()) {
      if (m.version <= version) continue;
      Status applied = conn_->ExecuteScript(m.sql);
      if (!applied.ok()) {
        return applied.WithContext("migration " + std::to_string(m.version) + " (" +
                                   std::string(m.description) + ")");
      }
      SLAYER_RETURN_IF_ERROR(
          conn_
              ->Execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                        {m.version, FormatRfc3339(clock_.Now())})
              .status());
    }
    return Status::Ok();
  });
  if (!st.ok() && st.code() != StatusCode::kFailedPrecondition) {
    return st.WithContext("cannot migrate store " + where_);
  }
  return st;
}

template <typename Body>
auto SqliteStore::InTransaction(bool write, Body&& body) -> decltype(body()) {
  SLAYER_RETURN_IF_ERROR(conn_->ExecuteScript(write ? "BEGIN IMMEDIATE" : "BEGIN"));
  auto outcome = body();
  if constexpr (std::is_same_v<decltype(outcome), Status>) {
    return Finish(std::move(outcome));
  } else {
    if (!outcome) return Finish(outcome.error());
    SLAYER_RETURN_IF_ERROR(Finish(Status::Ok()));
    return outcome;
  }
}

Status SqliteStore::Finish(Status outcome) {
  if (outcome.ok()) {
    outcome = conn_->ExecuteScript("COMMIT");
    if (outcome.ok()) return outcome;
  }
  // Fails harmlessly when SQLite has already rolled the transaction back itself.
  (void)conn_->ExecuteScript("ROLLBACK");
  return outcome;
}

Status SqliteStore::CheckStates(std::span<const rules::Item> items) {
  for (const rules::Item& item : items) {
    if (!rules::ParseItemState(rules::ItemStateName(item.state))) {
      return InvalidArgumentError("store upsert: item " + item.key.ToString() +
                                  " has no valid state (" +
                                  std::to_string(static_cast<int>(item.state)) + ")");
    }
  }
  return Status::Ok();
}

Status SqliteStore::UpsertRows(std::span<const rules::Item> items, const db::Param& now) {
  return MergeRows(items, now, kMergeStaging).status();
}

Result<int64_t> SqliteStore::MergeRows(std::span<const rules::Item> items, const db::Param& now,
                                       std::string_view merge) {
  if (items.empty()) return int64_t{0};
  std::vector<std::vector<db::Param>> rows;
  for (size_t begin = 0; begin < items.size(); begin += kStagingChunk) {
    const size_t end = std::min(items.size(), begin + kStagingChunk);
    rows.clear();
    rows.reserve(end - begin);
    for (const rules::Item& item : items.subspan(begin, end - begin)) {
      std::vector<db::Param>& row = rows.emplace_back();
      row.reserve(17);
      AppendKey(item.key, row);
      row.emplace_back(item.severity);
      row.push_back(Micros(item.logical_date));
      row.push_back(Micros(item.need_by));
      row.emplace_back(rules::ItemStateName(item.state));
      row.push_back(Micros(item.done_at));
      row.push_back(Micros(item.missed_at));
      row.emplace_back(item.reference);
      row.push_back(Micros(item.reference_time));
      row.emplace_back(item.paused);
      row.emplace_back(item.expected);
      row.push_back(now);
    }
    SLAYER_RETURN_IF_ERROR(conn_->InsertRows(kStagingTable, StagingColumns(), rows));
  }
  SLAYER_ASSIGN_OR_RETURN(int64_t changed, conn_->Execute(merge));
  SLAYER_RETURN_IF_ERROR(conn_->Execute("DELETE FROM temp.items_upsert").status());
  return changed;
}

Status SqliteStore::RemoveKeys(std::span<const rules::ItemKey> keys) {
  const std::string sql = "DELETE FROM items WHERE " + std::string(kKeyMatch);
  std::vector<db::Param> params;
  params.reserve(6);
  for (const rules::ItemKey& key : keys) {
    params.clear();
    AppendKey(key, params);
    auto done = conn_->Execute(sql, params);
    if (!done) return done.error().WithContext("item " + key.ToString());
  }
  return Status::Ok();
}

Status SqliteStore::Upsert(std::span<const rules::Item> items) {
  SLAYER_RETURN_IF_ERROR(CheckStates(items));
  std::lock_guard lock(mu_);
  const db::Param now = Micros(clock_.Now());
  Status st = InTransaction(true, [&]() -> Status { return UpsertRows(items, now); });
  return st.WithContext("store upsert of " + std::to_string(items.size()) + " items");
}

Status SqliteStore::Remove(std::span<const rules::ItemKey> keys) {
  std::lock_guard lock(mu_);
  Status st = InTransaction(true, [&]() -> Status { return RemoveKeys(keys); });
  return st.WithContext("store remove of " + std::to_string(keys.size()) + " items");
}

Status SqliteStore::Record(const Changes& changes) {
  SLAYER_RETURN_IF_ERROR(CheckStates(changes.upsert));
  std::lock_guard lock(mu_);
  const db::Param now = Micros(clock_.Now());
  Status st = InTransaction(true, [&]() -> Status {
    SLAYER_RETURN_IF_ERROR(RemoveKeys(changes.remove));
    SLAYER_RETURN_IF_ERROR(UpsertRows(changes.upsert, now));
    const std::string rekey =
        "UPDATE outbox SET instance = ?, rule = ?, dag_id = ?, run_id = ?, task_id = ?, "
        "slot = ? WHERE " + std::string(kKeyMatch);
    for (const auto& [from, to] : changes.rekey) {
      std::vector<db::Param> params;
      AppendKey(to, params);
      AppendKey(from, params);
      SLAYER_RETURN_IF_ERROR(conn_->Execute(rekey, params).status());
    }
    // INSERT OR IGNORE: (channel, event_key) is unique, so an event decided twice is queued
    // once. The WHERE makes an only_after_kind event conditional on that earlier event.
    const std::string insert =
        "INSERT OR IGNORE INTO outbox (channel, event_key, kind, instance, rule, dag_id, "
        "run_id, task_id, slot, payload, status, attempts, created_at, next_attempt_at) "
        "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ? "
        "WHERE ? = '' OR EXISTS (SELECT 1 FROM outbox WHERE " + std::string(kKeyMatch) +
        " AND channel = ? AND kind = ?)";
    for (const OutboxEvent& e : changes.events) {
      std::vector<db::Param> params;
      params.reserve(22);
      params.emplace_back(e.channel);
      params.emplace_back(e.event_key);
      params.emplace_back(e.kind);
      AppendKey(e.item, params);
      params.emplace_back(e.payload);
      params.push_back(now);
      params.push_back(now);
      params.emplace_back(e.only_after_kind);
      AppendKey(e.item, params);
      params.emplace_back(e.channel);
      params.emplace_back(e.only_after_kind);
      auto done = conn_->Execute(insert, params);
      if (!done) return done.error().WithContext("outbox event " + e.event_key);
    }
    return Status::Ok();
  });
  return st.WithContext("store record of " + std::to_string(changes.upsert.size()) +
                        " items and " + std::to_string(changes.events.size()) + " events");
}

Result<int64_t> SqliteStore::RecordHistory(
    std::span<const rules::Item> items, std::string_view instance,
    std::span<const std::pair<std::string, Timestamp>> watermarks) {
  SLAYER_RETURN_IF_ERROR(CheckStates(items));
  std::lock_guard lock(mu_);
  const db::Param now = Micros(clock_.Now());
  auto written = InTransaction(true, [&]() -> Result<int64_t> {
    SLAYER_ASSIGN_OR_RETURN(int64_t n, MergeRows(items, now, kMergeHistory));
    for (const auto& [name, value] : watermarks) {
      SLAYER_RETURN_IF_ERROR(
          conn_
              ->Execute(
                  "INSERT INTO watermarks (instance, name, value, updated_at) "
                  "VALUES (?, ?, ?, ?) ON CONFLICT (instance, name) DO UPDATE SET "
                  "value = excluded.value, updated_at = excluded.updated_at",
                  {instance, name, Micros(value), now})
              .status());
    }
    return n;
  });
  if (!written) {
    return written.error().WithContext("store history of " + std::to_string(items.size()) +
                                       " items");
  }
  return *written;
}

Result<std::vector<OutboxEntry>> SqliteStore::PendingOutbox(std::string_view channel,
                                                            size_t limit) {
  std::lock_guard lock(mu_);
  auto entries = InTransaction(false, [&]() -> Result<std::vector<OutboxEntry>> {
    SLAYER_ASSIGN_OR_RETURN(
        db::ResultSet rows,
        conn_->Query("SELECT id, channel, event_key, kind, instance, rule, dag_id, run_id, "
                     "task_id, slot, payload, attempts, created_at, next_attempt_at, "
                     "last_error FROM outbox WHERE channel = ? AND status = 'pending' "
                     "ORDER BY id LIMIT ?",
                     {channel, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX))}));
    std::vector<OutboxEntry> out;
    out.reserve(rows.num_rows());
    for (size_t i = 0; i < rows.num_rows(); ++i) {
      const db::Row row = rows.row(i);
      OutboxEntry& e = out.emplace_back();
      SLAYER_ASSIGN_OR_RETURN(e.id, row.Require<int64_t>(0));
      SLAYER_ASSIGN_OR_RETURN(e.channel, row.Require<std::string>(1));
      SLAYER_ASSIGN_OR_RETURN(e.event_key, row.Require<std::string>(2));
      SLAYER_ASSIGN_OR_RETURN(e.kind, row.Require<std::string>(3));
      SLAYER_ASSIGN_OR_RETURN(e.item, DecodeKey(row, 4));
      SLAYER_ASSIGN_OR_RETURN(e.payload, row.Require<std::string>(10));
      SLAYER_ASSIGN_OR_RETURN(int64_t attempts, row.Require<int64_t>(11));
      e.attempts = static_cast<int>(attempts);
      SLAYER_ASSIGN_OR_RETURN(e.created_at, RequireTime(row, 12));
      SLAYER_ASSIGN_OR_RETURN(e.next_attempt_at, RequireTime(row, 13));
      SLAYER_ASSIGN_OR_RETURN(e.last_error, row.Require<std::string>(14));
    }
    return out;
  });
  if (!entries) {
    return entries.error().WithContext("store outbox of channel '" + std::string(channel) + "'");
  }
  return entries;
}

Status SqliteStore::OutboxRetry(int64_t id, int attempts, Timestamp next_attempt_at,
                                std::string_view error) {
  std::lock_guard lock(mu_);
  Status st = InTransaction(true, [&]() -> Status {
    return conn_
        ->Execute("UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? "
                  "WHERE id = ? AND status = 'pending'",
                  {static_cast<int64_t>(attempts), Micros(next_attempt_at), error, id})
        .status();
  });
  return st.WithContext("store outbox retry of entry " + std::to_string(id));
}

Status SqliteStore::OutboxFinish(int64_t id, OutboxOutcome outcome, Timestamp at,
                                 std::string_view error) {
  std::string_view status = outcome == OutboxOutcome::kDelivered  ? "delivered"
                            : outcome == OutboxOutcome::kRejected ? "rejected"
                                                                  : "dropped";
  std::lock_guard lock(mu_);
  Status st = InTransaction(true, [&]() -> Status {
    return conn_
        ->Execute("UPDATE outbox SET status = ?, finished_at = ?, last_error = ? "
                  "WHERE id = ? AND status = 'pending'",
                  {status, Micros(at), error, id})
        .status();
  });
  return st.WithContext("store outbox finish of entry " + std::to_string(id));
}

Result<int64_t> SqliteStore::DropOutboxExcept(std::span<const std::string> channels,
                                              Timestamp at) {
  std::lock_guard lock(mu_);
  std::string sql =
      "UPDATE outbox SET status = 'dropped', finished_at = ?, "
      "last_error = 'the channel is no longer configured' WHERE status = 'pending'";
  std::vector<db::Param> params{Micros(at)};
  if (!channels.empty()) {
    sql += " AND channel NOT IN (";
    for (size_t i = 0; i < channels.size(); ++i) {
      sql += i ? ", ?" : "?";
      params.emplace_back(channels[i]);
    }
    sql += ")";
  }
  auto dropped = InTransaction(true, [&]() -> Result<int64_t> {
    return conn_->Execute(sql, params);
  });
  if (!dropped) return dropped.error().WithContext("store outbox drop of removed channels");
  return dropped;
}

Result<std::map<std::string, int64_t>> SqliteStore::OutboxPendingCounts() {
  std::lock_guard lock(mu_);
  auto counts = InTransaction(false, [&]() -> Result<std::map<std::string, int64_t>> {
    SLAYER_ASSIGN_OR_RETURN(
        db::ResultSet rows,
        conn_->Query("SELECT channel, count(*) FROM outbox WHERE status = 'pending' "
                     "GROUP BY channel"));
    std::map<std::string, int64_t> out;
    for (size_t i = 0; i < rows.num_rows(); ++i) {
      SLAYER_ASSIGN_OR_RETURN(std::string channel, rows.row(i).Require<std::string>(0));
      SLAYER_ASSIGN_OR_RETURN(int64_t n, rows.row(i).Require<int64_t>(1));
      out[channel] = n;
    }
    return out;
  });
  if (!counts) return counts.error().WithContext("store outbox counts");
  return counts;
}

Result<std::vector<std::string>> SqliteStore::DeliveredPayloadsWhileState(
    std::string_view channel, std::string_view kind, rules::ItemState state) {
  std::lock_guard lock(mu_);
  auto payloads = InTransaction(false, [&]() -> Result<std::vector<std::string>> {
    SLAYER_ASSIGN_OR_RETURN(
        db::ResultSet rows,
        conn_->Query("SELECT o.payload FROM outbox o JOIN items i ON i.instance = o.instance "
                     "AND i.rule = o.rule AND i.dag_id = o.dag_id AND i.run_id = o.run_id AND "
                     "i.task_id = o.task_id AND i.slot = o.slot "
                     "WHERE o.channel = ? AND o.kind = ? AND o.status = 'delivered' AND "
                     "i.state = ? ORDER BY o.id",
                     {channel, kind, rules::ItemStateName(state)}));
    std::vector<std::string> out;
    out.reserve(rows.num_rows());
    for (size_t i = 0; i < rows.num_rows(); ++i) {
      SLAYER_ASSIGN_OR_RETURN(std::string p, rows.row(i).Require<std::string>(0));
      out.push_back(std::move(p));
    }
    return out;
  });
  if (!payloads) {
    return payloads.error().WithContext("store delivered events of channel '" +
                                        std::string(channel) + "'");
  }
  return payloads;
}

Result<std::vector<rules::Item>> SqliteStore::QueryItems(std::string_view sql,
                                                         const std::vector<db::Param>& params) {
  return InTransaction(false, [&]() -> Result<std::vector<rules::Item>> {
    SLAYER_ASSIGN_OR_RETURN(db::ResultSet rows, conn_->Query(sql, params));
    std::vector<rules::Item> items;
    items.reserve(rows.num_rows());
    for (size_t i = 0; i < rows.num_rows(); ++i) {
      SLAYER_ASSIGN_OR_RETURN(rules::Item item, DecodeItem(rows.row(i)));
      items.push_back(std::move(item));
    }
    return items;
  });
}

Result<std::vector<rules::Item>> SqliteStore::OpenItems(std::string_view instance) {
  std::lock_guard lock(mu_);
  const std::string sql = "SELECT " + std::string(kItemColumns) + " FROM items WHERE " +
                          std::string(kOpenPredicate) + " AND instance = ? ORDER BY " +
                          std::string(kKeyOrder);
  auto items = QueryItems(sql, {instance});
  if (!items)
    return items.error().WithContext("store open items of '" + std::string(instance) + "'");
  return items;
}

Result<std::vector<rules::Item>> SqliteStore::Items(const ItemFilter& filter) {
  std::lock_guard lock(mu_);
  std::string sql = "SELECT " + std::string(kItemColumns) + " FROM items WHERE 1 = 1";
  std::vector<db::Param> params;
  if (!filter.instance.empty()) {
    sql += " AND instance = ?";
    params.emplace_back(filter.instance);
  }
  if (filter.need_by_from) {
    sql += " AND need_by >= ?";
    params.push_back(Micros(*filter.need_by_from));
  }
  if (filter.need_by_to) {
    sql += " AND need_by < ?";
    params.push_back(Micros(*filter.need_by_to));
  }
  if (!filter.dag_id.empty()) {
    sql += " AND dag_id = ?";
    params.emplace_back(filter.dag_id);
  }
  if (!filter.rule.empty()) {
    sql += " AND rule = ?";
    params.emplace_back(filter.rule);
  }
  if (filter.open_only) sql += " AND " + std::string(kOpenPredicate);
  if (filter.limit > 0) {
    // The newest `limit`, then back to oldest first.
    sql += " ORDER BY need_by DESC, " + std::string(kKeyOrderDesc) + " LIMIT ?";
    params.emplace_back(static_cast<int64_t>(std::min<size_t>(filter.limit, INT64_MAX)));
  } else {
    sql += " ORDER BY need_by, " + std::string(kKeyOrder);
  }
  auto items = QueryItems(sql, params);
  if (!items) return items.error().WithContext("store items");
  if (filter.limit > 0) std::reverse(items->begin(), items->end());
  return items;
}

Result<std::optional<rules::Item>> SqliteStore::Find(const rules::ItemKey& key) {
  std::lock_guard lock(mu_);
  std::vector<db::Param> params;
  AppendKey(key, params);
  auto items = QueryItems(
      "SELECT " + std::string(kItemColumns) + " FROM items WHERE " + std::string(kKeyMatch),
      params);
  if (!items) return items.error().WithContext("store find " + key.ToString());
  if (items->empty()) return std::optional<rules::Item>();
  return std::optional<rules::Item>(std::move(items->front()));
}

Result<std::optional<Timestamp>> SqliteStore::Watermark(std::string_view instance,
                                                        std::string_view name) {
  std::lock_guard lock(mu_);
  auto value = InTransaction(false, [&]() -> Result<std::optional<Timestamp>> {
    SLAYER_ASSIGN_OR_RETURN(
        db::ResultSet rows,
        conn_->Query("SELECT value FROM watermarks WHERE instance = ? AND name = ?",
                     {instance, name}));
    if (rows.num_rows() == 0) return std::optional<Timestamp>();
    SLAYER_ASSIGN_OR_RETURN(Timestamp t, RequireTime(rows.row(0), 0));
    return std::optional<Timestamp>(t);
  });
  if (!value) {
    return value.error().WithContext("store watermark " + std::string(instance) + "/" +
                                     std::string(name));
  }
  return value;
}

Status SqliteStore::SetWatermark(std::string_view instance, std::string_view name,
                                 Timestamp value) {
  std::lock_guard lock(mu_);
  Status st = InTransaction(true, [&]() -> Status {
    return conn_
        ->Execute(
            "INSERT INTO watermarks (instance, name, value, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (instance, name) DO UPDATE SET value = excluded.value, "
            "updated_at = excluded.updated_at",
            {instance, name, Micros(value), Micros(clock_.Now())})
        .status();
  });
  return st.WithContext("store set watermark " + std::string(instance) + "/" + std::string(name));
}

Result<int64_t> SqliteStore::DeleteFinalBefore(Timestamp before) {
  std::lock_guard lock(mu_);
  auto deleted = InTransaction(true, [&]() -> Result<int64_t> {
    SLAYER_RETURN_IF_ERROR(conn_
                               ->Execute("DELETE FROM outbox WHERE status <> 'pending' AND "
                                         "created_at < ?",
                                         {Micros(before)})
                               .status());
    return conn_->Execute(
        "DELETE FROM items WHERE " + std::string(kFinalPredicate) + " AND need_by < ?",
        {Micros(before)});
  });
  if (!deleted) {
    return deleted.error().WithContext("store delete final items before " + FormatRfc3339(before));
  }
  return deleted;
}

Status SqliteStore::RecordHealthSample(std::string_view instance, std::optional<bool> up,
                                       Timestamp at, Duration max_gap) {
  std::lock_guard lock(mu_);
  Status st = InTransaction(true, [&]() -> Status {
    SLAYER_ASSIGN_OR_RETURN(
        db::ResultSet open,
        conn_->Query("SELECT id, state, end_at FROM health_intervals "
                     "WHERE instance = ? AND open = 1",
                     {instance}));
    std::optional<int64_t> open_id;
    bool open_up = false;
    Timestamp open_end{};
    if (open.num_rows() > 0) {
      SLAYER_ASSIGN_OR_RETURN(open_id, open.row(0).Require<int64_t>(0));
      SLAYER_ASSIGN_OR_RETURN(std::string state, open.row(0).Require<std::string>(1));
      open_up = state == "up";
      SLAYER_ASSIGN_OR_RETURN(open_end, RequireTime(open.row(0), 2));
      // The wall clock stepped back: the stretch already covers this time.
      if (up && at < open_end) return Status::Ok();
    }
    auto close = [&]() -> Status {
      if (!open_id) return Status::Ok();
      return conn_->Execute("UPDATE health_intervals SET open = 0 WHERE id = ?", {*open_id})
          .status();
    };
    if (!up) return close();
    const bool adjacent = open_id && at - open_end <= max_gap;
    if (adjacent && open_up == *up) {
      return conn_
          ->Execute("UPDATE health_intervals SET end_at = ? WHERE id = ?", {Micros(at), *open_id})
          .status();
    }
    SLAYER_RETURN_IF_ERROR(close());
    // A change between two samples happened somewhere in between: the new state's stretch
    // starts at the previous sample. After a gap, the time in between is unknown.
    const Timestamp start = adjacent ? open_end : at;
    return conn_
        ->Execute("INSERT INTO health_intervals (instance, state, start_at, end_at, open) "
                  "VALUES (?, ?, ?, ?, 1)",
                  {instance, *up ? "up" : "down", Micros(start), Micros(at)})
        .status();
  });
  return st.WithContext("store health sample of '" + std::string(instance) + "' at " +
                        FormatRfc3339(at));
}

Result<std::vector<HealthInterval>> SqliteStore::HealthIntervals(std::string_view instance,
                                                                 Timestamp from, Timestamp to) {
  std::lock_guard lock(mu_);
  std::string sql =
      "SELECT instance, state, start_at, end_at, open FROM health_intervals "
      "WHERE start_at < ? AND end_at >= ?";
  std::vector<db::Param> params = {Micros(to), Micros(from)};
  if (!instance.empty()) {
    sql += " AND instance = ?";
    params.emplace_back(instance);
  }
  sql += " ORDER BY instance, start_at, id";
  auto intervals = InTransaction(false, [&]() -> Result<std::vector<HealthInterval>> {
    SLAYER_ASSIGN_OR_RETURN(db::ResultSet rows, conn_->Query(sql, params));
    std::vector<HealthInterval> out;
    out.reserve(rows.num_rows());
    for (size_t i = 0; i < rows.num_rows(); ++i) {
      const db::Row row = rows.row(i);
      HealthInterval& h = out.emplace_back();
      SLAYER_ASSIGN_OR_RETURN(h.instance, row.Require<std::string>(0));
      SLAYER_ASSIGN_OR_RETURN(std::string state, row.Require<std::string>(1));
      h.up = state == "up";
      SLAYER_ASSIGN_OR_RETURN(h.start, RequireTime(row, 2));
      SLAYER_ASSIGN_OR_RETURN(h.end, RequireTime(row, 3));
      SLAYER_ASSIGN_OR_RETURN(h.open, row.Require<bool>(4));
    }
    return out;
  });
  if (!intervals) {
    return intervals.error().WithContext("store health intervals from " + FormatRfc3339(from) +
                                         " to " + FormatRfc3339(to));
  }
  return intervals;
}

Result<int64_t> SqliteStore::DeleteHealthBefore(Timestamp before) {
  std::lock_guard lock(mu_);
  auto deleted = InTransaction(true, [&]() -> Result<int64_t> {
    return conn_->Execute("DELETE FROM health_intervals WHERE open = 0 AND end_at < ?",
                          {Micros(before)});
  });
  if (!deleted) {
    return deleted.error().WithContext("store delete health intervals before " +
                                       FormatRfc3339(before));
  }
  return deleted;
}

}  // namespace slayer::store
