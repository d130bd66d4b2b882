#include "db/dsn.h"

#include <cctype>
#include <charconv>

#include "common/ascii.h"

namespace slayer::db {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      int hi = i + 1 < s.size() ? HexValue(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) return InvalidArgumentError("bad percent-escape");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Length of the authority (user:password@host:port) at the start of `rest`. It ends at the
// first '/' or '?' after the last '@', so that a password holding '/' or '?' unescaped (not
// valid in a URL, but common) is still read and redacted as a password.
size_t AuthorityLength(std::string_view rest) {
  size_t query = rest.find('?');
  size_t at = rest.substr(0, query == std::string_view::npos ? rest.size() : query).rfind('@');
  if (at == std::string_view::npos) at = rest.rfind('@');
  size_t from = at == std::string_view::npos ? 0 : at;
  size_t end = rest.find_first_of("/?", from);
  return end == std::string_view::npos ? rest.size() : end;
}

// Redacts the password of a DSN that failed to parse, as well as we can: everything between the
// first ':' after "//" and the last '@' before the path.
std::string RedactRaw(std::string_view text) {
  size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return std::string(text);
  size_t auth_start = scheme_end + 3;
  std::string_view authority = text.substr(auth_start, AuthorityLength(text.substr(auth_start)));
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(text);
  size_t colon = authority.find(':');
  if (colon == std::string_view::npos || colon > at) return std::string(text);
  std::string out(text.substr(0, auth_start + colon + 1));
  out += "***";
  out += text.substr(auth_start + at);
  return out;
}

}  // namespace

std::string_view BackendName(Backend backend) {
  switch (backend) {
    case Backend::kPostgres: return "postgresql";
    case Backend::kMysql: return "mysql";
    case Backend::kSqlite: return "sqlite";
  }
  return "unknown";
}

Result<Dsn> Dsn::Parse(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError("invalid database URL '" + RedactRaw(text) + "': " +
                                std::string(why));
  };
  size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    return bad("expected scheme://..., e.g. postgresql://user:pass@host:5432/airflow, "
               "mysql://user:pass@host:3306/airflow or sqlite:////abs/path/airflow.db");
  }
  std::string_view scheme = text.substr(0, scheme_end);
  // SQLAlchemy driver suffixes (postgresql+psycopg2, mysql+mysqldb) name the Python driver only.
  if (size_t plus = scheme.find('+'); plus != std::string_view::npos) scheme = scheme.substr(0, plus);
  Dsn dsn;
  if (scheme == "postgresql" || scheme == "postgres") {
    dsn.backend = Backend::kPostgres;
  } else if (scheme == "mysql" || scheme == "mariadb") {
    dsn.backend = Backend::kMysql;
  } else if (scheme == "sqlite") {
    dsn.backend = Backend::kSqlite;
  } else {
    return bad("unknown scheme '" + std::string(scheme) +
               "' (supported: postgresql, mysql, mariadb, sqlite)");
  }
  std::string_view rest = text.substr(scheme_end + 3);

  if (dsn.backend == Backend::kSqlite) {
    // sqlite:///abs (SQLAlchemy: 3 slashes + relative, 4 slashes = absolute). We accept both
    // sqlite:////abs and sqlite:///abs as the absolute path /abs; relative paths are refused
    // because a server's working directory is not something to depend on.
    if (rest.empty() || rest[0] != '/') {
      return bad("SQLite needs an absolute path: sqlite:////abs/path/airflow.db");
    }
    rest.remove_prefix(1);  // the empty host
    size_t q = rest.find('?');
    std::string_view path = rest.substr(0, q);
    if (path.empty()) return bad("missing file path");
    if (path[0] != '/') {
      std::string p = "/";
      p += path;
      dsn.database = std::move(p);
    } else {
      dsn.database = std::string(path);
    }
    while (dsn.database.size() > 1 && dsn.database[1] == '/') dsn.database.erase(0, 1);
    if (q != std::string_view::npos) rest = rest.substr(q);
    else rest = {};
  } else {
    size_t path_start = AuthorityLength(rest);
    std::string_view authority = rest.substr(0, path_start);
    rest = rest.substr(path_start);
    size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
      std::string_view userinfo = authority.substr(0, at);
      authority = authority.substr(at + 1);
      size_t colon = userinfo.find(':');
      auto user = PercentDecode(userinfo.substr(0, colon));
      if (!user) return bad("user: " + user.error().message());
      dsn.user = *user;
      if (colon != std::string_view::npos) {
        auto pass = PercentDecode(userinfo.substr(colon + 1));
        if (!pass) return bad("password: " + pass.error().message());
        dsn.password = *pass;
      }
    }
    std::string_view host = authority;
    if (!host.empty() && host[0] == '[') {  // [::1]:5432
      size_t close = host.find(']');
      if (close == std::string_view::npos) return bad("unclosed '[' in host");
      dsn.host = std::string(host.substr(1, close - 1));
      host = host.substr(close + 1);
      if (!host.empty() && host[0] != ':') return bad("unexpected text after ']'");
    } else {
      size_t colon = host.rfind(':');
      dsn.host = std::string(host.substr(0, colon));
      host = colon == std::string_view::npos ? std::string_view{} : host.substr(colon);
    }
    if (!host.empty()) {  // ":port"
      std::string_view port = host.substr(1);
      int value = 0;
      auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
      if (ec != std::errc() || end != port.data() + port.size() || value <= 0 || value > 65535) {
        return bad("port '" + std::string(port) + "' is not a number from 1 to 65535");
      }
      dsn.port = value;
    }
    if (!rest.empty() && rest[0] == '/') {
      size_t q = rest.find('?');
      auto db = PercentDecode(rest.substr(1, q == std::string_view::npos ? q : q - 1));
      if (!db) return bad("database: " + db.error().message());
      dsn.database = *db;
      rest = q == std::string_view::npos ? std::string_view{} : rest.substr(q);
    }
    if (dsn.database.empty()) return bad("missing database name after the host (.../airflow)");
  }

  if (!rest.empty()) {
    if (rest[0] != '?') return bad("unexpected text '" + std::string(rest) + "'");
    rest.remove_prefix(1);
    while (!rest.empty()) {
      size_t amp = rest.find('&');
      std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
      if (pair.empty()) continue;
      size_t eq = pair.find('=');
      auto key = PercentDecode(pair.substr(0, eq));
      auto value = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
      if (!key || !value || key->empty()) return bad("bad query parameter '" + std::string(pair) + "'");
      dsn.params[*key] = *value;
    }
  }
  return dsn;
}

std::string Dsn::ToString() const {
  std::string out(BackendName(backend));
  out += "://";
  if (backend == Backend::kSqlite) {
    out += "/" + database;
  } else {
    if (!user.empty() || !password.empty()) {
      out += PercentEncode(user);
      if (!password.empty()) out += ":***";
      out += "@";
    }
    out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != 0) out += ":" + std::to_string(port);
    out += "/" + PercentEncode(database);
  }
  char sep = '?';
  for (const auto& [k, v] : params) {
    out += sep;
    out += PercentEncode(k) + "=" + (k == "password" ? std::string("***") : PercentEncode(v));
    sep = '&';
  }
  return out;
}

}  // namespace slayer::db
