#include "db/sqlite_connection.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>

namespace slayer::db {
namespace {

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(sqlite3* db, std::string where, std::chrono::milliseconds statement_timeout)
      : db_(db), where_(std::move(where)), statement_timeout_(statement_timeout) {
    if (statement_timeout_.count() > 0) {
      // Checked every 1000 VM steps: aborts a statement that runs past its deadline.
      sqlite3_progress_handler(db_, 1000, &SqliteConnection::Progress, this);
    }
  }
  ~SqliteConnection() override { sqlite3_close_v2(db_); }

  Backend backend() const override { return Backend::kSqlite; }

  Result<ResultSet> Query(std::string_view sql, const std::vector<Param>& params) override {
    auto stmt = Prepare(sql, params);
    if (!stmt) return stmt.error();
    sqlite3_stmt* s = stmt->get();
    int n = sqlite3_column_count(s);
    std::vector<std::string> columns;
    columns.reserve(n);
    for (int i = 0; i < n; ++i) columns.emplace_back(sqlite3_column_name(s, i));
    ResultSet rs(std::move(columns));
    for (;;) {
      int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return StepError(rc);
      for (int i = 0; i < n; ++i) {
        int type = sqlite3_column_type(s, i);
        if (type == SQLITE_NULL) {
          rs.AppendCell(std::nullopt);
        } else if (type == SQLITE_BLOB) {
          const void* p = sqlite3_column_blob(s, i);
          int len = sqlite3_column_bytes(s, i);
          rs.AppendCell(std::string_view(static_cast<const char*>(p), len));
        } else {
          const unsigned char* p = sqlite3_column_text(s, i);
          int len = sqlite3_column_bytes(s, i);
          rs.AppendCell(std::string_view(reinterpret_cast<const char*>(p), len));
        }
      }
    }
    return rs;
  }

  Result<int64_t> Execute(std::string_view sql, const std::vector<Param>& params) override {
    auto stmt = Prepare(sql, params);
    if (!stmt) return stmt.error();
    for (;;) {
      int rc = sqlite3_step(stmt->get());
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return StepError(rc);
    }
    return static_cast<int64_t>(sqlite3_changes(db_));
  }

  Status InsertRows(std::string_view table, const std::vector<std::string>& columns,
                    const std::vector<std::vector<Param>>& rows) override {
    if (rows.empty()) return Status::Ok();
    std::string sql = "INSERT INTO " + std::string(table) + " (";
    std::string marks;
    for (size_t i = 0; i < columns.size(); ++i) {
      sql += (i ? ", " : "") + columns[i];
      marks += i ? ", ?" : "?";
    }
    sql += ") VALUES (" + marks + ")";
    bool own_tx = sqlite3_get_autocommit(db_) != 0;
    if (own_tx) SLAYER_RETURN_IF_ERROR(ExecuteScript("BEGIN"));
    Status st = InsertAll(sql, rows);
    if (own_tx) {
      Status end = ExecuteScript(st.ok() ? "COMMIT" : "ROLLBACK");
      if (st.ok()) st = end;
    }
    return st;
  }

  Status ExecuteScript(std::string_view sql) override {
    StartDeadline();
    char* err = nullptr;
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return Classify(rc, msg);
    }
    return Status::Ok();
  }

 private:
  struct StmtDeleter {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

  Status InsertAll(const std::string& sql, const std::vector<std::vector<Param>>& rows) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr);
    if (rc != SQLITE_OK) return Classify(rc, sqlite3_errmsg(db_));
    Stmt stmt(raw);
    for (const auto& row : rows) {
      sqlite3_reset(raw);
      sqlite3_clear_bindings(raw);
      SLAYER_RETURN_IF_ERROR(Bind(raw, row));
      StartDeadline();
      rc = sqlite3_step(raw);
      if (rc != SQLITE_DONE) return StepError(rc);
    }
    return Status::Ok();
  }

  Result<Stmt> Prepare(std::string_view sql, const std::vector<Param>& params) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
    if (rc != SQLITE_OK) return Classify(rc, sqlite3_errmsg(db_));
    Stmt stmt(raw);
    if (sqlite3_bind_parameter_count(raw) != static_cast<int>(params.size())) {
      return InvalidArgumentError("query has " + std::to_string(sqlite3_bind_parameter_count(raw)) +
                                  " placeholders but " + std::to_string(params.size()) +
                                  " parameters were given");
    }
    SLAYER_RETURN_IF_ERROR(Bind(raw, params));
    StartDeadline();
    return stmt;
  }

  Status Bind(sqlite3_stmt* s, const std::vector<Param>& params) {
    for (size_t i = 0; i < params.size(); ++i) {
      const Param& p = params[i];
      int idx = static_cast<int>(i + 1);
      int rc = SQLITE_OK;
      switch (p.kind()) {
        case Param::Kind::kNull: rc = sqlite3_bind_null(s, idx); break;
        case Param::Kind::kInt:
        case Param::Kind::kBool: rc = sqlite3_bind_int64(s, idx, p.int_value()); break;
        case Param::Kind::kDouble: rc = sqlite3_bind_double(s, idx, p.double_value()); break;
        case Param::Kind::kBlob:
          rc = sqlite3_bind_blob64(s, idx, p.bytes().data(), p.bytes().size(), SQLITE_TRANSIENT);
          break;
        case Param::Kind::kText:
        case Param::Kind::kTime: {
          std::string text = p.ToText();
          rc = sqlite3_bind_text64(s, idx, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
          break;
        }
      }
      if (rc != SQLITE_OK) return Classify(rc, sqlite3_errmsg(db_));
    }
    return Status::Ok();
  }

  void StartDeadline() {
    deadline_ = std::chrono::steady_clock::now() + statement_timeout_;
    timed_out_ = false;
  }

  static int Progress(void* self) {
    auto* c = static_cast<SqliteConnection*>(self);
    if (std::chrono::steady_clock::now() > c->deadline_) {
      c->timed_out_ = true;
      return 1;  // interrupts the statement with SQLITE_INTERRUPT
    }
    return 0;
  }

  Status StepError(int rc) { return Classify(rc, sqlite3_errmsg(db_)); }

  Status Classify(int rc, std::string_view msg) {
    std::string m = "sqlite " + where_ + ": " + std::string(msg);
    int primary = rc & 0xff;
    if (primary == SQLITE_INTERRUPT && timed_out_) {
      return DeadlineExceededError("sqlite " + where_ + ": statement timed out after " +
                                   std::to_string(statement_timeout_.count()) + " ms");
    }
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
      return UnavailableError(m + " (database is locked by a writer; will retry)");
    }
    if (msg.find("no such table") != std::string_view::npos ||
        msg.find("no such column") != std::string_view::npos) {
      return NotFoundError(m);
    }
    if (primary == SQLITE_READONLY) return PermissionDeniedError(m);
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) return DataLossError(m);
    if (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN) return UnavailableError(m);
    return InvalidArgumentError(m);
  }

  sqlite3* db_;
  std::string where_;
  std::chrono::milliseconds statement_timeout_;
  std::chrono::steady_clock::time_point deadline_{};
  bool timed_out_ = false;
};

}  // namespace

Result<std::unique_ptr<Connection>> OpenSqlite(const Dsn& dsn, const ConnectOptions& options) {
  const std::string where = dsn.ToString();
  std::error_code ec;
  if (options.read_only && !std::filesystem::exists(dsn.database, ec)) {
    return NotFoundError("cannot open " + where +
                         ": file does not exist (check the path in the database URL)");
  }
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  flags |= options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(dsn.database.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return UnavailableError("cannot open " + where + ": " + msg);
  }
  // Airflow's scheduler writes while we read: wait for its short write locks instead of failing.
  sqlite3_busy_timeout(db, static_cast<int>(options.connect_timeout.count()));
  auto conn = std::make_unique<SqliteConnection>(db, where, options.statement_timeout);
  if (options.read_only) {
    SLAYER_RETURN_IF_ERROR(conn->ExecuteScript("PRAGMA query_only = ON"));
  } else {
    // The simulator is the only writer; WAL lets SLAyer read while it writes.
    SLAYER_RETURN_IF_ERROR(conn->ExecuteScript("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON"));
  }
  // Fail now, with a clear line, when the file is not a database.
  auto probe = conn->Query("SELECT count(*) FROM sqlite_master", {});
  if (!probe) return probe.error().WithContext("cannot read " + where);
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace slayer::db
