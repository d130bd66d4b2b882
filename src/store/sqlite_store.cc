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
// "WHERE true" tells SQLite's parser that ON CONFLICT belongs to the INSERT, not to a join.
// ORDER BY rowid: when one call holds a key twice, the later item wins.
constexpr std::string_view kMergeStaging =
    "INSERT INTO items (instance, rule, dag_id, run_id, task_id, slot, severity, logical_date, "
    "need_by, state, done_at, missed_at, reference, reference_time, paused, expected, "
    "updated_at) "
    "SELECT instance, rule, dag_id, run_id, task_id, slot, severity, logical_date, need_by, "
    "state, done_at, missed_at, reference, reference_time, paused, expected, updated_at "
    "FROM temp.items_upsert WHERE true ORDER BY rowid "
    "ON CONFLICT (instance, rule, dag_id, run_id, task_id, slot) DO UPDATE SET "
    "severity = excluded.severity, logical_date = excluded.logical_date, "
    "need_by = excluded.need_by, state = excluded.state, done_at = excluded.done_at, "
    "missed_at = excluded.missed_at, reference = excluded.reference, "
    "reference_time = excluded.reference_time, paused = excluded.paused, "
    "expected = excluded.expected, "
    "updated_at = excluded.updated_at";

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

Result<rules::Item> DecodeItem(const db::Row& row) {
  rules::Item item;
  SLAYER_ASSIGN_OR_RETURN(item.key.instance, row.Require<std::string>(0));
  SLAYER_ASSIGN_OR_RETURN(item.key.rule, row.Require<std::string>(1));
  SLAYER_ASSIGN_OR_RETURN(item.key.dag_id, row.Require<std::string>(2));
  SLAYER_ASSIGN_OR_RETURN(item.key.run_id, row.Require<std::string>(3));
  SLAYER_ASSIGN_OR_RETURN(item.key.task_id, row.Require<std::string>(4));
  SLAYER_ASSIGN_OR_RETURN(item.key.slot, row.Require<std::string>(5));
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

Status SqliteStore::Upsert(std::span<const rules::Item> items) {
  for (const rules::Item& item : items) {
    if (!rules::ParseItemState(rules::ItemStateName(item.state))) {
      return InvalidArgumentError("store upsert: item " + item.key.ToString() +
                                  " has no valid state (" +
                                  std::to_string(static_cast<int>(item.state)) + ")");
    }
  }
  std::lock_guard lock(mu_);
  const db::Param now = Micros(clock_.Now());
  Status st = InTransaction(true, [&]() -> Status {
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
    SLAYER_RETURN_IF_ERROR(conn_->Execute(kMergeStaging).status());
    return conn_->Execute("DELETE FROM temp.items_upsert").status();
  });
  return st.WithContext("store upsert of " + std::to_string(items.size()) + " items");
}

Status SqliteStore::Remove(std::span<const rules::ItemKey> keys) {
  std::lock_guard lock(mu_);
  const std::string sql = "DELETE FROM items WHERE " + std::string(kKeyMatch);
  Status st = InTransaction(true, [&]() -> Status {
    std::vector<db::Param> params;
    params.reserve(6);
    for (const rules::ItemKey& key : keys) {
      params.clear();
      AppendKey(key, params);
      auto done = conn_->Execute(sql, params);
      if (!done) return done.error().WithContext("item " + key.ToString());
    }
    return Status::Ok();
  });
  return st.WithContext("store remove of " + std::to_string(keys.size()) + " items");
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
    return conn_->Execute(
        "DELETE FROM items WHERE " + std::string(kFinalPredicate) + " AND need_by < ?",
        {Micros(before)});
  });
  if (!deleted) {
    return deleted.error().WithContext("store delete final items before " + FormatRfc3339(before));
  }
  return deleted;
}

}  // namespace slayer::store
