#include "db/postgres_connection.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "db/sql_text.h"

namespace slayer::db {
namespace {

constexpr Oid kByteaOid = 17;
// COPY data is handed to libpq in chunks of about this size: large enough that the per-call
// overhead vanishes, small enough to keep memory flat for millions of rows.
constexpr size_t kCopyChunkBytes = 1 << 20;

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

void AppendHex(std::string& out, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t start = out.size();
  out.resize(start + bytes.size() * 2);
  char* p = out.data() + start;
  for (unsigned char b : bytes) {
    *p++ = kHex[b >> 4];
    *p++ = kHex[b & 15];
  }
}

// One value in COPY text format (https://www.postgresql.org/docs/15/sql-copy.html).
void AppendCopyValue(std::string& out, const Param& p) {
  switch (p.kind()) {
    case Param::Kind::kNull:
      out += "\\N";
      return;
    case Param::Kind::kBool:
      out.push_back(p.int_value() ? 't' : 'f');
      return;
    case Param::Kind::kInt: {
      char buf[24];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, p.int_value());
      out.append(buf, end);
      return;
    }
    case Param::Kind::kDouble:
    case Param::Kind::kTime:
      out += p.ToText();
      return;
    case Param::Kind::kBlob:
      // bytea hex input "\x0a1b", with its backslash escaped for COPY.
      out += "\\\\x";
      AppendHex(out, p.bytes());
      return;
    case Param::Kind::kText:
      for (char c : p.bytes()) {
        switch (c) {
          case '\\':
            out += "\\\\";
            break;
          case '\t':
            out += "\\t";
            break;
          case '\n':
            out += "\\n";
            break;
          case '\r':
            out += "\\r";
            break;
          default:
            out.push_back(c);
        }
      }
      return;
  }
}

void IgnoreNotice(void*, const char*) {}

class PostgresConnection final : public Connection {
 public:
  PostgresConnection(PGconn* conn, std::string where, std::string password,
                     std::chrono::milliseconds statement_timeout)
      : conn_(conn),
        where_(std::move(where)),
        password_(std::move(password)),
        statement_timeout_(statement_timeout) {
    // NOTICEs ("table does not exist, skipping") would go to stderr by default.
    PQsetNoticeProcessor(conn_, &IgnoreNotice, nullptr);
  }
  ~PostgresConnection() override { PQfinish(conn_); }

  Backend backend() const override { return Backend::kPostgres; }

  Result<ResultSet> Query(std::string_view sql, const std::vector<Param>& params) override {
    SLAYER_ASSIGN_OR_RETURN(PgResult res, Run(sql, params, "query"));
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) return ResultSet();
    const int rows = PQntuples(res.get());
    const int cols = PQnfields(res.get());
    std::vector<std::string> columns;
    columns.reserve(cols);
    std::vector<bool> bytea(cols);
    for (int c = 0; c < cols; ++c) {
      columns.emplace_back(PQfname(res.get(), c));
      bytea[c] = PQftype(res.get(), c) == kByteaOid;
    }
    ResultSet rs(std::move(columns));
    size_t bytes = 0;
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < cols; ++c) bytes += PQgetlength(res.get(), r, c);
    }
    rs.Reserve(rows, bytes);
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < cols; ++c) {
        if (PQgetisnull(res.get(), r, c)) {
          rs.AppendCell(std::nullopt);
          continue;
        }
        const char* value = PQgetvalue(res.get(), r, c);
        if (!bytea[c]) {
          rs.AppendCell(std::string_view(value, PQgetlength(res.get(), r, c)));
          continue;
        }
        size_t len = 0;
        unsigned char* decoded =
            PQunescapeBytea(reinterpret_cast<const unsigned char*>(value), &len);
        if (decoded == nullptr) {
          return InternalError(where_ + ": out of memory decoding a bytea value");
        }
        rs.AppendCell(std::string_view(reinterpret_cast<const char*>(decoded), len));
        PQfreemem(decoded);
      }
    }
    return rs;
  }

  Result<int64_t> Execute(std::string_view sql, const std::vector<Param>& params) override {
    SLAYER_ASSIGN_OR_RETURN(PgResult res, Run(sql, params, "statement"));
    const char* affected = PQcmdTuples(res.get());
    return static_cast<int64_t>(affected && *affected ? std::strtoll(affected, nullptr, 10) : 0);
  }

  Status InsertRows(std::string_view table, const std::vector<std::string>& columns,
                    const std::vector<std::vector<Param>>& rows) override {
    if (rows.empty()) return Status::Ok();
    const std::string what = "COPY into " + std::string(table);
    std::string sql = "COPY " + std::string(table) + " (";
    for (size_t i = 0; i < columns.size(); ++i) sql += (i ? ", " : "") + columns[i];
    sql += ") FROM STDIN";
    PgResult start(PQexec(conn_, sql.c_str()));
    if (PQresultStatus(start.get()) != PGRES_COPY_IN) return Error(what, start.get());

    std::string buf;
    buf.reserve(kCopyChunkBytes + 64 * 1024);
    for (size_t r = 0; r < rows.size(); ++r) {
      const auto& row = rows[r];
      if (row.size() != columns.size()) {
        AbortCopy("bad row");
        return InvalidArgumentError(where_ + ": " + what + ": row " + std::to_string(r) + " has " +
                                    std::to_string(row.size()) + " values for " +
                                    std::to_string(columns.size()) + " columns");
      }
      for (size_t c = 0; c < row.size(); ++c) {
        if (c) buf.push_back('\t');
        AppendCopyValue(buf, row[c]);
      }
      buf.push_back('\n');
      if (buf.size() >= kCopyChunkBytes) {
        SLAYER_RETURN_IF_ERROR(PutCopyData(buf, what));
        buf.clear();
      }
    }
    if (!buf.empty()) SLAYER_RETURN_IF_ERROR(PutCopyData(buf, what));
    if (PQputCopyEnd(conn_, nullptr) != 1) return ConnectionError(what);
    return DrainResults(what);
  }

  Status ExecuteScript(std::string_view sql) override {
    std::string text(sql);
    PgResult res(PQexec(conn_, text.c_str()));
    ExecStatusType st = PQresultStatus(res.get());
    if (res == nullptr ||
        (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)) {
      return Error("script", res.get());
    }
    return Status::Ok();
  }

 private:
  // Runs one statement with text parameters (blobs in binary); returns a successful result.
  Result<PgResult> Run(std::string_view sql, const std::vector<Param>& params,
                       std::string_view what) {
    std::vector<std::string_view> pieces = SplitAtPlaceholders(sql, Backend::kPostgres);
    size_t placeholders = pieces.size() - 1;
    std::string rewritten(pieces[0]);
    for (size_t i = 1; i < pieces.size(); ++i) {
      rewritten += '$' + std::to_string(i);
      rewritten += pieces[i];
    }
    if (placeholders != params.size()) {
      return InvalidArgumentError(where_ + ": query has " + std::to_string(placeholders) +
                                  " placeholders but " + std::to_string(params.size()) +
                                  " parameters were given");
    }
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size());
    std::vector<int> lengths(params.size());
    std::vector<int> formats(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      const Param& p = params[i];
      if (p.is_null()) {
        values[i] = nullptr;
      } else if (p.kind() == Param::Kind::kBlob) {
        values[i] = p.bytes().data();
        lengths[i] = static_cast<int>(p.bytes().size());
        formats[i] = 1;  // binary: the bytes as they are, no escaping
      } else {
        texts[i] = p.ToText();
        values[i] = texts[i].c_str();
      }
    }
    PgResult res(PQexecParams(conn_, rewritten.c_str(), static_cast<int>(params.size()), nullptr,
                              values.data(), lengths.data(), formats.data(), 0));
    ExecStatusType st = PQresultStatus(res.get());
    if (res == nullptr || (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)) {
      return Error(what, res.get());
    }
    return res;
  }

  Status PutCopyData(const std::string& buf, std::string_view what) {
    if (PQputCopyData(conn_, buf.data(), static_cast<int>(buf.size())) != 1) {
      return ConnectionError(what);
    }
    return Status::Ok();
  }

  void AbortCopy(const char* reason) {
    if (PQputCopyEnd(conn_, reason) == 1) {
      while (PGresult* r = PQgetResult(conn_)) PQclear(r);
    }
  }

  // Reads the results that end a COPY; the first error wins.
  Status DrainResults(std::string_view what) {
    Status status;
    while (PGresult* raw = PQgetResult(conn_)) {
      PgResult res(raw);
      if (status.ok() && PQresultStatus(raw) != PGRES_COMMAND_OK) status = Error(what, raw);
    }
    if (status.ok() && PQstatus(conn_) == CONNECTION_BAD) return ConnectionError(what);
    return status;
  }

  Status ConnectionError(std::string_view what) {
    return UnavailableError(where_ + ": " + std::string(what) + " failed, connection lost: " +
                            RedactSecret(OneLine(PQerrorMessage(conn_)), password_) +
                            " (check that the server is up; SLAyer reconnects on the next poll)");
  }

  // Classifies a failed result by its SQLSTATE. `res` may be null (out of memory, lost link).
  Status Error(std::string_view what, const PGresult* res) {
    if (PQstatus(conn_) == CONNECTION_BAD) return ConnectionError(what);
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const std::string sqlstate = state ? state : "";
    const std::string detail =
        RedactSecret(OneLine(primary ? primary : PQerrorMessage(conn_)), password_);
    // "<dsn>: query failed: <server message> (SQLSTATE 42P01; <what to do>)"
    auto message = [&](std::string_view hint) {
      std::string m = where_ + ": " + std::string(what) + " failed: " + detail;
      if (sqlstate.empty() && hint.empty()) return m;
      m += " (";
      if (!sqlstate.empty()) m += "SQLSTATE " + sqlstate + (hint.empty() ? "" : "; ");
      return m + std::string(hint) + ")";
    };
    if (sqlstate == "57014") {
      return DeadlineExceededError(
          where_ + ": statement timed out after " + std::to_string(statement_timeout_.count()) +
          " ms (cancelled by the server; raise the statement timeout or make the query cheaper)");
    }
    if (sqlstate == "42P01" || sqlstate == "42703") {
      return NotFoundError(message("check the table and column names against the Airflow schema"));
    }
    if (sqlstate == "3D000") return NotFoundError(message("check the database name in the URL"));
    if (sqlstate == "28P01" || sqlstate == "28000") {
      return PermissionDeniedError(message("check the user and password in the database URL"));
    }
    if (sqlstate == "25006") {
      return PermissionDeniedError(
          message("the session is read-only: SLAyer never writes to Airflow"));
    }
    if (sqlstate == "42501") {
      return PermissionDeniedError(message("grant the user SELECT on the Airflow tables"));
    }
    if (sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P", 0) == 0) {
      return UnavailableError(message("the server ended the session; SLAyer reconnects"));
    }
    return InvalidArgumentError(message(""));
  }

  PGconn* conn_;
  std::string where_;
  std::string password_;
  std::chrono::milliseconds statement_timeout_;
};

// Classifies a failed connection attempt from libpq's message: libpq gives no SQLSTATE before
// the session exists.
Status ConnectError(const std::string& where, const std::string& message, int timeout_s) {
  const std::string m = "cannot connect to " + where + ": " + message;
  if (Contains(message, "password authentication failed") ||
      Contains(message, "no password supplied") || Contains(message, "authentication failed") ||
      (Contains(message, "role \"") && Contains(message, "does not exist")) ||
      Contains(message, "pg_hba.conf")) {
    return PermissionDeniedError(
        m + " (check the user and password in the database URL, and the server's pg_hba.conf)");
  }
  if (Contains(message, "database \"") && Contains(message, "does not exist")) {
    return NotFoundError(m + " (check the database name in the URL)");
  }
  if (Contains(message, "timeout expired")) {
    // libpq waits at least 2 s, whatever connect_timeout says.
    return UnavailableError(m + " (no answer within " + std::to_string(std::max(timeout_s, 2)) +
                            " s: check the host and port, and firewalls between us)");
  }
  if (Contains(message, "could not translate host name")) {
    return UnavailableError(m + " (check the host name in the URL and DNS)");
  }
  if (Contains(message, "SSL") || Contains(message, "certificate")) {
    return UnavailableError(m + " (check sslmode and the certificates in the URL)");
  }
  return UnavailableError(
      m + " (check the host and port, and that PostgreSQL accepts TCP connections)");
}

}  // namespace

Result<std::unique_ptr<Connection>> OpenPostgres(const Dsn& dsn, const ConnectOptions& options) {
  const std::string where = dsn.ToString();
  const int timeout_s =
      std::max<int>(1, static_cast<int>((options.connect_timeout.count() + 999) / 1000));
  const std::string timeout_text = std::to_string(timeout_s);
  const std::string port_text = dsn.port ? std::to_string(dsn.port) : "";

  std::vector<const char*> keys;
  std::vector<const char*> values;
  auto add = [&](const char* key, const std::string& value) {
    if (value.empty()) return;
    keys.push_back(key);
    values.push_back(value.c_str());
  };
  add("host", dsn.host);
  add("port", port_text);
  add("user", dsn.user);
  add("password", dsn.password);
  add("dbname", dsn.database);
  add("connect_timeout", timeout_text);
  static const std::string kAppName = "slayer";
  static const std::string kUtf8 = "UTF8";
  static const std::string kOn = "1";
  // A peer that vanishes mid-query is noticed by TCP keepalives instead of hanging us forever.
  static const std::string kKeepaliveIdle = "30";
  static const std::string kKeepaliveInterval = "10";
  static const std::string kKeepaliveCount = "3";
  add("application_name", kAppName);
  add("client_encoding", kUtf8);
  add("keepalives", kOn);
  add("keepalives_idle", kKeepaliveIdle);
  add("keepalives_interval", kKeepaliveInterval);
  add("keepalives_count", kKeepaliveCount);
  // Later keywords win in libpq: the URL's own parameters (sslmode, ...) override ours.
  for (const auto& [key, value] : dsn.params) {
    keys.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);

  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), 0);
  if (conn == nullptr) return InternalError("cannot connect to " + where + ": out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = RedactSecret(OneLine(PQerrorMessage(conn)), dsn.password);
    PQfinish(conn);
    return ConnectError(where, message, timeout_s);
  }
  auto pg =
      std::make_unique<PostgresConnection>(conn, where, dsn.password, options.statement_timeout);
  // One round trip for the session settings. Timestamps come back as UTC text (common/time.h).
  std::string setup = "SET TIME ZONE 'UTC'; SET statement_timeout = " +
                      std::to_string(options.statement_timeout.count());
  if (options.read_only) {
    setup +=
        "; SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"
        "; SET default_transaction_read_only = on";
  }
  Status st = pg->ExecuteScript(setup);
  if (!st.ok()) return st.WithContext("cannot set up the session");
  return std::unique_ptr<Connection>(std::move(pg));
}

}  // namespace slayer::db
