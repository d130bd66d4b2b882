#include "db/mysql_connection.h"

#include <mysql.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "db/sql_text.h"

namespace slayer::db {
namespace {

// InsertRows sends one multi-row INSERT per this many rows or bytes, whichever comes first:
// large enough to be fast, well below max_allowed_packet (16 MB by default on MariaDB).
constexpr size_t kBatchRows = 1000;
constexpr size_t kBatchBytes = 4 << 20;
// The client-side read/write timeout exceeds the server-side statement timeout by this much, so
// the server's own (clearer) timeout error normally wins, and a dead peer still cannot hang us.
constexpr int kSocketTimeoutMarginSeconds = 5;

struct MysqlResultDeleter {
  void operator()(MYSQL_RES* r) const { mysql_free_result(r); }
};
using MysqlResult = std::unique_ptr<MYSQL_RES, MysqlResultDeleter>;

// Client library state, once per process (mysql_init would do it too, but not thread-safely).
Status InitLibrary() {
  static std::once_flag once;
  static int rc = 0;
  std::call_once(once, [] { rc = mysql_library_init(0, nullptr, nullptr); });
  return rc == 0 ? Status::Ok() : InternalError("mysql_library_init failed");
}

class MysqlConnection final : public Connection {
 public:
  MysqlConnection(MYSQL* mysql, std::string where, std::string password,
                  std::chrono::milliseconds statement_timeout)
      : mysql_(mysql),
        where_(std::move(where)),
        password_(std::move(password)),
        statement_timeout_(statement_timeout) {}
  ~MysqlConnection() override { mysql_close(mysql_); }

  Backend backend() const override { return Backend::kMysql; }

  Result<ResultSet> Query(std::string_view sql, const std::vector<Param>& params) override {
    SLAYER_ASSIGN_OR_RETURN(std::string text, Interpolate(sql, params));
    if (mysql_real_query(mysql_, text.data(), text.size()) != 0) return Error("query");
    MysqlResult res(mysql_store_result(mysql_));
    if (!res) {
      if (mysql_field_count(mysql_) != 0) return Error("query");
      return ResultSet();  // a statement without a result set
    }
    const unsigned cols = mysql_num_fields(res.get());
    const MYSQL_FIELD* fields = mysql_fetch_fields(res.get());
    std::vector<std::string> columns;
    columns.reserve(cols);
    for (unsigned c = 0; c < cols; ++c) columns.emplace_back(fields[c].name, fields[c].name_length);
    ResultSet rs(std::move(columns));
    rs.Reserve(mysql_num_rows(res.get()), 0);
    while (MYSQL_ROW row = mysql_fetch_row(res.get())) {
      const unsigned long* lengths = mysql_fetch_lengths(res.get());
      for (unsigned c = 0; c < cols; ++c) {
        if (row[c] == nullptr) {
          rs.AppendCell(std::nullopt);
        } else {
          rs.AppendCell(std::string_view(row[c], lengths[c]));
        }
      }
    }
    // mysql_fetch_row returns NULL at the end and on a read error; tell them apart.
    if (mysql_errno(mysql_) != 0) return Error("query");
    return rs;
  }

  Result<int64_t> Execute(std::string_view sql, const std::vector<Param>& params) override {
    SLAYER_ASSIGN_OR_RETURN(std::string text, Interpolate(sql, params));
    if (mysql_real_query(mysql_, text.data(), text.size()) != 0) return Error("statement");
    MysqlResult res(mysql_store_result(mysql_));
    if (!res && mysql_field_count(mysql_) != 0) return Error("statement");
    if (res) return static_cast<int64_t>(mysql_num_rows(res.get()));
    return static_cast<int64_t>(mysql_affected_rows(mysql_));
  }

  Status InsertRows(std::string_view table, const std::vector<std::string>& columns,
                    const std::vector<std::vector<Param>>& rows) override {
    if (rows.empty()) return Status::Ok();
    const std::string what = "INSERT into " + std::string(table);
    std::string head = "INSERT INTO " + std::string(table) + " (";
    for (size_t i = 0; i < columns.size(); ++i) head += (i ? ", " : "") + columns[i];
    head += ") VALUES ";
    for (size_t r = 0; r < rows.size(); ++r) {
      if (rows[r].size() != columns.size()) {
        return InvalidArgumentError(where_ + ": " + what + ": row " + std::to_string(r) + " has " +
                                    std::to_string(rows[r].size()) + " values for " +
                                    std::to_string(columns.size()) + " columns");
      }
    }
    // All or nothing, like COPY on PostgreSQL; inside the caller's transaction if one is open.
    const bool own_tx = !InTransaction();
    if (own_tx) SLAYER_RETURN_IF_ERROR(ExecuteScript("START TRANSACTION"));
    Status st = InsertBatches(head, rows, what);
    if (own_tx) {
      Status end = ExecuteScript(st.ok() ? "COMMIT" : "ROLLBACK");
      if (st.ok()) st = end;
    }
    return st;
  }

  // Multi-statement mode is switched on only for scripts: a stray ';' in Query/Execute SQL is
  // then a syntax error rather than a second statement.
  Status ExecuteScript(std::string_view sql) override {
    if (mysql_set_server_option(mysql_, MYSQL_OPTION_MULTI_STATEMENTS_ON) != 0) {
      return Error("script");
    }
    Status status;
    if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
      status = Error("script");
    } else {
      // Every result must be read before the connection takes the next command.
      for (;;) {
        MysqlResult res(mysql_store_result(mysql_));
        if (!res && mysql_field_count(mysql_) != 0) {
          status = Error("script");
          break;
        }
        int next = mysql_next_result(mysql_);
        if (next == -1) break;
        if (next > 0) {
          status = Error("script");
          break;
        }
      }
    }
    if (mysql_set_server_option(mysql_, MYSQL_OPTION_MULTI_STATEMENTS_OFF) != 0 && status.ok()) {
      status = Error("script");
    }
    return status;
  }

 private:
  bool InTransaction() {
    unsigned int server_status = 0;
    if (mariadb_get_infov(mysql_, MARIADB_CONNECTION_SERVER_STATUS, &server_status) != 0) {
      return false;
    }
    return (server_status & SERVER_STATUS_IN_TRANS) != 0;
  }

  Status InsertBatches(const std::string& head, const std::vector<std::vector<Param>>& rows,
                       std::string_view what) {
    std::string sql;
    sql.reserve(kBatchBytes + (64 << 10));
    size_t in_batch = 0;
    auto flush = [&]() -> Status {
      if (in_batch == 0) return Status::Ok();
      if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return Error(what);
      in_batch = 0;
      return Status::Ok();
    };
    for (const auto& row : rows) {
      if (in_batch == 0) {
        sql = head;
      } else {
        sql += ",";
      }
      sql += "(";
      for (size_t c = 0; c < row.size(); ++c) {
        if (c) sql += ",";
        SLAYER_RETURN_IF_ERROR(AppendLiteral(sql, row[c]));
      }
      sql += ")";
      if (++in_batch >= kBatchRows || sql.size() >= kBatchBytes) SLAYER_RETURN_IF_ERROR(flush());
    }
    return flush();
  }

  // Client-side binding: the text protocol with escaped literals is one round trip per
  // statement, where server-side prepared statements would take three.
  Result<std::string> Interpolate(std::string_view sql, const std::vector<Param>& params) {
    std::vector<std::string_view> pieces = SplitAtPlaceholders(sql, Backend::kMysql);
    size_t placeholders = pieces.size() - 1;
    if (placeholders != params.size()) {
      return InvalidArgumentError(where_ + ": query has " + std::to_string(placeholders) +
                                  " placeholders but " + std::to_string(params.size()) +
                                  " parameters were given");
    }
    if (params.empty()) return std::string(sql);
    std::string out;
    out.reserve(sql.size() + params.size() * 16);
    out.append(pieces[0]);
    for (size_t i = 0; i < params.size(); ++i) {
      SLAYER_RETURN_IF_ERROR(AppendLiteral(out, params[i]));
      out.append(pieces[i + 1]);
    }
    return out;
  }

  Status AppendLiteral(std::string& out, const Param& p) {
    switch (p.kind()) {
      case Param::Kind::kNull:
        out += "NULL";
        break;
      case Param::Kind::kInt:
      case Param::Kind::kBool: {
        char buf[24];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, p.int_value());
        out.append(buf, end);
        break;
      }
      case Param::Kind::kDouble:
        if (!std::isfinite(p.double_value())) {
          return InvalidArgumentError(where_ + ": MySQL cannot store " + p.ToText());
        }
        out += p.ToText();
        break;
      case Param::Kind::kText:
        AppendQuoted(out, p.bytes());
        break;
      case Param::Kind::kTime:
        AppendQuoted(out, p.ToText());
        break;
      case Param::Kind::kBlob: {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "X'";
        for (unsigned char b : p.bytes()) {
          out.push_back(kHex[b >> 4]);
          out.push_back(kHex[b & 15]);
        }
        out += "'";
        break;
      }
    }
    return Status::Ok();
  }

  void AppendQuoted(std::string& out, std::string_view text) {
    out.push_back('\'');
    size_t start = out.size();
    out.resize(start + text.size() * 2 + 1);
    unsigned long n =
        mysql_real_escape_string(mysql_, out.data() + start, text.data(), text.size());
    out.resize(start + n);
    out.push_back('\'');
  }

  // Classifies the connection's last error by its number.
  Status Error(std::string_view what) {
    const unsigned code = mysql_errno(mysql_);
    const std::string detail = RedactSecret(OneLine(mysql_error(mysql_)), password_);
    auto message = [&](std::string_view hint) {
      std::string m = where_ + ": " + std::string(what) + " failed: " + detail + " (error " +
                      std::to_string(code);
      if (!hint.empty()) m += "; " + std::string(hint);
      return m + ")";
    };
    switch (code) {
      case 1969:  // MariaDB max_statement_time
      case 3024:  // MySQL max_execution_time
        return DeadlineExceededError(
            where_ + ": statement timed out after " + std::to_string(statement_timeout_.count()) +
            " ms (stopped by the server; raise the statement timeout or make the query cheaper)");
      case 1146:
      case 1054:
        return NotFoundError(
            message("check the table and column names against the Airflow schema"));
      case 1049:
        return NotFoundError(message("check the database name in the URL"));
      case 1045:
      case 1044:
      case 1142:
      case 1143:
        return PermissionDeniedError(
            message("check the user and password in the database URL, and the user's grants"));
      case 1792:
        return PermissionDeniedError(
            message("the session is read-only: SLAyer never writes to Airflow"));
      case 2002:
      case 2003:
      case 2005:
      case 2006:
      case 2013:
      case 2026:
      case 2055:
        return UnavailableError(
            message("check the host and port, and that the server is up and accepts TCP "
                    "connections; SLAyer reconnects on the next poll"));
      default:
        return InvalidArgumentError(message(""));
    }
  }

  MYSQL* mysql_;
  std::string where_;
  std::string password_;
  std::chrono::milliseconds statement_timeout_;
};

// Applies the URL's query parameters. Unknown ones are an error: silently ignoring, say, an
// ssl-mode typo would connect without TLS.
Status ApplyDsnParams(MYSQL* mysql, const Dsn& dsn, const std::string& where,
                      std::string& unix_socket) {
  auto truthy = [](const std::string& v) {
    return v == "1" || v == "true" || v == "TRUE" || v == "yes" || v == "on";
  };
  for (const auto& [key, value] : dsn.params) {
    std::string k = key;
    std::replace(k.begin(), k.end(), '_', '-');
    my_bool yes = 1;
    if (k == "socket" || k == "unix-socket") {
      unix_socket = value;
    } else if (k == "charset") {
      mysql_optionsv(mysql, MYSQL_SET_CHARSET_NAME, value.c_str());
    } else if (k == "ssl") {
      if (truthy(value)) mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &yes);
    } else if (k == "ssl-mode") {
      std::string mode = value;
      for (char& ch : mode) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (mode == "REQUIRED") {
        mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &yes);
      } else if (mode == "VERIFY-CA" || mode == "VERIFY_CA" || mode == "VERIFY-IDENTITY" ||
                 mode == "VERIFY_IDENTITY") {
        mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &yes);
        mysql_optionsv(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &yes);
      } else if (mode != "DISABLED" && mode != "PREFERRED") {
        return InvalidArgumentError(
            where + ": unknown ssl-mode '" + value +
            "' (DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY)");
      }
    } else if (k == "ssl-ca") {
      mysql_optionsv(mysql, MYSQL_OPT_SSL_CA, value.c_str());
    } else if (k == "ssl-cert") {
      mysql_optionsv(mysql, MYSQL_OPT_SSL_CERT, value.c_str());
    } else if (k == "ssl-key") {
      mysql_optionsv(mysql, MYSQL_OPT_SSL_KEY, value.c_str());
    } else {
      return InvalidArgumentError(where + ": unsupported parameter '" + key +
                                  "' (supported: socket, charset, ssl, ssl_mode, ssl_ca, ssl_cert, "
                                  "ssl_key)");
    }
  }
  return Status::Ok();
}

Status ConnectError(const std::string& where, MYSQL* mysql, const std::string& password,
                    int timeout_s) {
  const unsigned code = mysql_errno(mysql);
  const std::string m = "cannot connect to " + where + ": " +
                        RedactSecret(OneLine(mysql_error(mysql)), password) + " (error " +
                        std::to_string(code) + "; ";
  switch (code) {
    case 1045:
    case 1044:
    case 1698:
      return PermissionDeniedError(
          m + "check the user and password in the database URL, and the user's grants)");
    case 1049:
      return NotFoundError(m + "check the database name in the URL)");
    case 2013:
      return UnavailableError(m + "the server did not answer within " + std::to_string(timeout_s) +
                              " s: check the host and port, and firewalls between us)");
    case 2026:
      return UnavailableError(m + "check the ssl parameters in the URL)");
    default:
      return UnavailableError(m +
                              "check the host and port, and that MySQL/MariaDB accepts TCP "
                              "connections)");
  }
}

}  // namespace

Result<std::unique_ptr<Connection>> OpenMysql(const Dsn& dsn, const ConnectOptions& options) {
  const std::string where = dsn.ToString();
  SLAYER_RETURN_IF_ERROR(InitLibrary());
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) return InternalError("cannot connect to " + where + ": out of memory");
  // Owns `mysql` until the connection object does.
  std::unique_ptr<MYSQL, void (*)(MYSQL*)> guard(mysql, [](MYSQL* m) { mysql_close(m); });

  const unsigned connect_s =
      std::max<unsigned>(1, static_cast<unsigned>((options.connect_timeout.count() + 999) / 1000));
  mysql_optionsv(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connect_s);
  if (options.statement_timeout.count() > 0) {
    const unsigned io_s = static_cast<unsigned>((options.statement_timeout.count() + 999) / 1000) +
                          kSocketTimeoutMarginSeconds;
    mysql_optionsv(mysql, MYSQL_OPT_READ_TIMEOUT, &io_s);
    mysql_optionsv(mysql, MYSQL_OPT_WRITE_TIMEOUT, &io_s);
  }
  mysql_optionsv(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  const unsigned no = 0;
  mysql_optionsv(mysql, MYSQL_OPT_LOCAL_INFILE, &no);  // the server cannot ask for our files
  std::string unix_socket;
  SLAYER_RETURN_IF_ERROR(ApplyDsnParams(mysql, dsn, where, unix_socket));

  // CLIENT_FOUND_ROWS: UPDATE reports matched rows, as PostgreSQL and SQLite do.
  if (mysql_real_connect(mysql, dsn.host.empty() ? nullptr : dsn.host.c_str(),
                         dsn.user.empty() ? nullptr : dsn.user.c_str(), dsn.password.c_str(),
                         dsn.database.c_str(), static_cast<unsigned>(dsn.port),
                         unix_socket.empty() ? nullptr : unix_socket.c_str(),
                         CLIENT_FOUND_ROWS) == nullptr) {
    return ConnectError(where, mysql, dsn.password, static_cast<int>(connect_s));
  }
  const bool mariadb =
      std::string_view(mysql_get_server_info(mysql)).find("MariaDB") != std::string_view::npos;
  auto conn = std::make_unique<MysqlConnection>(guard.release(), where, dsn.password,
                                                options.statement_timeout);
  // Airflow writes TIMESTAMP(6) columns under time_zone '+00:00'; any other session time zone
  // would shift every value we read (docs: airflow-schema README section 2).
  std::string setup = "SET time_zone = '+00:00'";
  const int64_t ms = options.statement_timeout.count();
  if (mariadb) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%lld.%03lld", static_cast<long long>(ms / 1000),
                  static_cast<long long>(ms % 1000));
    setup += std::string(", SESSION max_statement_time = ") + seconds;
  } else {
    setup += ", SESSION max_execution_time = " + std::to_string(ms);
  }
  if (options.read_only) setup += "; SET SESSION TRANSACTION READ ONLY";
  Status st = conn->ExecuteScript(setup);
  if (!st.ok()) return st.WithContext("cannot set up the session");
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace slayer::db
