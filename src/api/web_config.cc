#include "api/web_config.h"

#include <openssl/ssl.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "common/edit_distance.h"

// One pass over the YAML tree, in the spirit of config/load.cc: every problem is collected with
// its position, and the whole list is returned as one Status. yaml-cpp throws; every call into it
// stays inside the try block in ParseWebConfig.

namespace slayer::api {
namespace {

struct Position {
  int line = 0;  // 1-based; 0 when unknown
  int column = 0;
};

Position PositionOf(const YAML::Node& node, Position fallback = {}) {
  YAML::Mark mark = node.Mark();
  if (mark.line < 0 || mark.column < 0) return fallback;
  return {mark.line + 1, mark.column + 1};
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string Join(const std::vector<std::string_view>& items) {
  std::string out;
  for (std::string_view s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

std::string_view KindOf(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "text";
    default:
      return "nothing";
  }
}

// The closest candidate when it is a likely typo of `word`, else "".
std::string_view Suggest(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string_view best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (std::string_view c : candidates) {
    size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

class Errors {
 public:
  void Add(Position pos, std::string message) { errors_.push_back({pos, std::move(message)}); }
  bool empty() const { return errors_.empty(); }

  Status ToStatus(std::string_view file) const {
    std::vector<Error> sorted = errors_;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Error& a, const Error& b) {
      return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
    });
    std::string text;
    for (const Error& e : sorted) {
      if (!text.empty()) text += '\n';
      text += std::string(file);
      if (e.pos.line > 0)
        text += ":" + std::to_string(e.pos.line) + ":" + std::to_string(e.pos.column);
      text += ": " + e.message;
    }
    return InvalidArgumentError(std::move(text));
  }

 private:
  struct Error {
    Position pos;
    std::string message;
  };
  std::vector<Error> errors_;
};

// One entry of a YAML map, with its positions.
struct Entry {
  std::string key;
  Position key_pos;
  YAML::Node value;
  Position value_pos;  // of the key when the value is empty
};

// The entries of the map at `node` (described by `where` in messages), checking duplicate keys
// and, unless `accepted` is empty, unknown ones: keys neither accepted nor `unsupported` (toolkit
// keys that slayer recognises in order to reject them with a reason). A null node is an empty map.
std::vector<Entry> Entries(const YAML::Node& node, Position pos, std::string_view where,
                           const std::vector<std::string_view>& accepted, Errors& errors,
                           const std::vector<std::string_view>& unsupported = {}) {
  std::vector<Entry> out;
  if (node.IsNull()) return out;
  if (!node.IsMap()) {
    errors.Add(PositionOf(node, pos),
               std::string(where) + " must be a map, got " + std::string(KindOf(node)));
    return out;
  }
  std::set<std::string, std::less<>> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    Position key_pos = PositionOf(it->first, pos);
    if (!it->first.IsScalar()) {
      errors.Add(key_pos, "keys in " + std::string(where) + " must be text");
      continue;
    }
    std::string key = it->first.Scalar();
    if (!seen.insert(key).second) {
      errors.Add(key_pos, "duplicate key " + Quote(key) + " in " + std::string(where));
      continue;
    }
    if (!accepted.empty() && std::find(accepted.begin(), accepted.end(), key) == accepted.end() &&
        std::find(unsupported.begin(), unsupported.end(), key) == unsupported.end()) {
      std::string message = "unknown key " + Quote(key) + " in " + std::string(where);
      std::string_view suggestion = Suggest(key, accepted);
      if (!suggestion.empty()) {
        message += " (did you mean " + Quote(suggestion) + "?)";
      } else {
        message += " (accepted: " + Join(accepted) + ")";
      }
      errors.Add(key_pos, std::move(message));
      continue;
    }
    YAML::Node value = it->second;
    Position value_pos = value.IsNull() ? key_pos : PositionOf(value, key_pos);
    out.push_back({std::move(key), key_pos, value, value_pos});
  }
  return out;
}

// The text of a scalar value; nullopt (and an error) for a map or a list. Null reads as "".
std::optional<std::string> Text(const Entry& e, std::string_view where, Errors& errors) {
  if (e.value.IsNull()) return std::string();
  if (!e.value.IsScalar()) {
    errors.Add(e.value_pos, Quote(e.key) + " in " + std::string(where) + " must be text, got " +
                                std::string(KindOf(e.value)));
    return std::nullopt;
  }
  return e.value.Scalar();
}

std::optional<bool> Bool(const Entry& e, std::string_view where, Errors& errors) {
  bool b = false;
  if (!e.value.IsScalar() || !YAML::convert<bool>::decode(e.value, b)) {
    errors.Add(e.value_pos,
               Quote(e.key) + " in " + std::string(where) + " must be true or false, got " +
                   (e.value.IsScalar() ? Quote(e.value.Scalar()) : std::string(KindOf(e.value))));
    return std::nullopt;
  }
  return b;
}

// The texts of a list value, each with its position.
std::vector<std::pair<std::string, Position>> TextList(const Entry& e, std::string_view where,
                                                       Errors& errors) {
  std::vector<std::pair<std::string, Position>> out;
  if (e.value.IsNull()) return out;
  if (!e.value.IsSequence()) {
    errors.Add(e.value_pos, Quote(e.key) + " in " + std::string(where) + " must be a list, got " +
                                std::string(KindOf(e.value)));
    return out;
  }
  for (const YAML::Node& item : e.value) {
    Position pos = PositionOf(item, e.value_pos);
    if (!item.IsScalar()) {
      errors.Add(pos, "items of " + Quote(e.key) + " in " + std::string(where) +
                          " must be text, got " + std::string(KindOf(item)));
      continue;
    }
    out.emplace_back(item.Scalar(), pos);
  }
  return out;
}

std::string Resolve(std::string_view base_dir, const std::string& path) {
  if (path.empty() || base_dir.empty() || path.front() == '/') return path;
  return (std::filesystem::path(base_dir) / path).string();
}

constexpr std::string_view kTls = "tls_server_config";
constexpr std::string_view kHttp = "http_server_config";

std::optional<ClientAuthType> ParseClientAuth(std::string_view s) {
  if (s.empty() || s == "NoClientCert") return ClientAuthType::kNoClientCert;
  if (s == "RequestClientCert") return ClientAuthType::kRequestClientCert;
  // "RequireClientCert" is the toolkit's older spelling, still accepted there.
  if (s == "RequireAnyClientCert" || s == "RequireClientCert") {
    return ClientAuthType::kRequireAnyClientCert;
  }
  if (s == "VerifyClientCertIfGiven") return ClientAuthType::kVerifyClientCertIfGiven;
  if (s == "RequireAndVerifyClientCert") return ClientAuthType::kRequireAndVerifyClientCert;
  return std::nullopt;
}

std::optional<TlsVersion> ParseTlsVersion(std::string_view s) {
  if (s == "TLS10") return TlsVersion::kTls10;
  if (s == "TLS11") return TlsVersion::kTls11;
  if (s == "TLS12") return TlsVersion::kTls12;
  if (s == "TLS13") return TlsVersion::kTls13;
  return std::nullopt;
}

std::string_view TlsVersionName(TlsVersion v) {
  switch (v) {
    case TlsVersion::kTls10:
      return "TLS10";
    case TlsVersion::kTls11:
      return "TLS11";
    case TlsVersion::kTls12:
      return "TLS12";
    case TlsVersion::kTls13:
      return "TLS13";
  }
  return "?";
}

bool IsTls13Suite(std::string_view name) {
  return name == "TLS_AES_128_GCM_SHA256" || name == "TLS_AES_256_GCM_SHA384" ||
         name == "TLS_CHACHA20_POLY1305_SHA256";
}

void ParseTls(const Entry& section, std::string_view base_dir, WebConfig& config, Errors& errors) {
  static const std::vector<std::string_view> kKeys = {
      "cert_file",        "key_file",          "client_ca_file",
      "client_auth_type", "min_version",       "max_version",
      "cipher_suites",    "curve_preferences", "prefer_server_cipher_suites"};
  static const std::vector<std::string_view> kUnsupported = {"cert", "key", "client_ca",
                                                             "client_allowed_sans"};
  const std::string where(kTls);
  TlsServerConfig tls;
  bool enabled = false;
  Position min_pos;
  for (const Entry& e :
       Entries(section.value, section.value_pos, where, kKeys, errors, kUnsupported)) {
    if (e.key == "cert" || e.key == "key" || e.key == "client_ca") {
      errors.Add(e.key_pos, Quote(e.key) + " (inline PEM) in " + where +
                                " is not supported by slayer; use " + Quote(e.key + "_file"));
    } else if (e.key == "client_allowed_sans") {
      errors.Add(e.key_pos, Quote(e.key) + " in " + where +
                                " is not supported by slayer; verify client certificates with "
                                "'client_ca_file' and 'client_auth_type'");
    } else if (e.key == "cert_file" || e.key == "key_file" || e.key == "client_ca_file") {
      std::optional<std::string> text = Text(e, where, errors);
      if (!text) continue;
      std::string path = Resolve(base_dir, *text);
      if (!path.empty()) enabled = true;
      if (e.key == "cert_file") tls.cert_file = path;
      if (e.key == "key_file") tls.key_file = path;
      if (e.key == "client_ca_file") tls.client_ca_file = path;
    } else if (e.key == "client_auth_type") {
      std::optional<std::string> text = Text(e, where, errors);
      if (!text) continue;
      std::optional<ClientAuthType> type = ParseClientAuth(*text);
      if (!type) {
        errors.Add(e.value_pos, "'client_auth_type' in " + where + ": unknown value " +
                                    Quote(*text) +
                                    " (accepted: NoClientCert, RequestClientCert, "
                                    "RequireAnyClientCert, VerifyClientCertIfGiven, "
                                    "RequireAndVerifyClientCert)");
        continue;
      }
      if (!text->empty()) enabled = true;
      tls.client_auth_type = *type;
    } else if (e.key == "min_version" || e.key == "max_version") {
      std::optional<std::string> text = Text(e, where, errors);
      if (!text) continue;
      std::optional<TlsVersion> version = ParseTlsVersion(*text);
      if (!version) {
        errors.Add(e.value_pos, Quote(e.key) + " in " + where + ": unknown TLS version " +
                                    Quote(*text) + " (accepted: TLS10, TLS11, TLS12, TLS13)");
        continue;
      }
      if (e.key == "min_version") {
        tls.min_version = *version;
        min_pos = e.value_pos;
      } else {
        tls.max_version = *version;
      }
    } else if (e.key == "cipher_suites") {
      for (const auto& [name, pos] : TextList(e, where, errors)) {
        if (IsTls13Suite(name)) continue;
        std::string_view openssl_name = OPENSSL_cipher_name(name.c_str());
        if (openssl_name.empty() || openssl_name == "(NONE)") {
          errors.Add(pos, "'cipher_suites' in " + where + ": unknown cipher suite " + Quote(name) +
                              " (use IANA names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)");
          continue;
        }
        tls.cipher_suites.emplace_back(openssl_name);
      }
    } else if (e.key == "curve_preferences") {
      for (const auto& [name, pos] : TextList(e, where, errors)) {
        static const std::vector<std::pair<std::string_view, std::string_view>> kCurves = {
            {"CurveP256", "P-256"},
            {"CurveP384", "P-384"},
            {"CurveP521", "P-521"},
            {"X25519", "X25519"}};
        auto it = std::find_if(kCurves.begin(), kCurves.end(),
                               [&](const auto& c) { return c.first == name; });
        if (it == kCurves.end()) {
          errors.Add(pos, "'curve_preferences' in " + where + ": unknown curve " + Quote(name) +
                              " (accepted: CurveP256, CurveP384, CurveP521, X25519)");
          continue;
        }
        tls.curve_preferences.emplace_back(it->second);
      }
    } else if (e.key == "prefer_server_cipher_suites") {
      if (std::optional<bool> b = Bool(e, where, errors)) tls.prefer_server_cipher_suites = *b;
    }
  }
  if (tls.min_version > tls.max_version) {
    errors.Add(min_pos.line > 0 ? min_pos : section.key_pos,
               "'min_version' " + std::string(TlsVersionName(tls.min_version)) + " in " + where +
                   " is above 'max_version' " + std::string(TlsVersionName(tls.max_version)));
  }
  // As in the toolkit, TLS is on once a certificate, key, CA or client auth type is given.
  if (!enabled) return;
  if (tls.cert_file.empty()) errors.Add(section.key_pos, where + " needs 'cert_file'");
  if (tls.key_file.empty()) errors.Add(section.key_pos, where + " needs 'key_file'");
  const bool verifies = tls.client_auth_type == ClientAuthType::kVerifyClientCertIfGiven ||
                        tls.client_auth_type == ClientAuthType::kRequireAndVerifyClientCert;
  if (verifies && tls.client_ca_file.empty()) {
    errors.Add(section.key_pos,
               where + ": client_auth_type " +
                   (tls.client_auth_type == ClientAuthType::kVerifyClientCertIfGiven
                        ? "VerifyClientCertIfGiven"
                        : "RequireAndVerifyClientCert") +
                   " needs 'client_ca_file'");
  }
  if (!tls.client_ca_file.empty() && tls.client_auth_type == ClientAuthType::kNoClientCert) {
    errors.Add(section.key_pos, where +
                                    ": 'client_ca_file' is set but client_auth_type is "
                                    "NoClientCert (choose one that asks for a certificate)");
  }
  config.tls = std::move(tls);
}

// The headers the toolkit lets a web config set, with their allowed values (none: any value).
const std::vector<std::pair<std::string_view, std::vector<std::string_view>>>& AllowedHeaders() {
  static const auto* headers =
      new std::vector<std::pair<std::string_view, std::vector<std::string_view>>>{
          {"Content-Security-Policy", {}},
          {"Strict-Transport-Security", {}},
          {"X-Content-Type-Options", {"nosniff"}},
          {"X-Frame-Options", {"deny", "sameorigin"}},
          {"X-XSS-Protection", {}},
      };
  return *headers;
}

void ParseHttp(const Entry& section, WebConfig& config, Errors& errors) {
  const std::string where(kHttp);
  for (const Entry& e :
       Entries(section.value, section.value_pos, where, {"headers", "http2"}, errors)) {
    if (e.key == "http2") {
      std::optional<bool> b = Bool(e, where, errors);
      if (b && *b) {
        errors.Add(e.value_pos, "'http2: true' in " + where +
                                    " is not supported by slayer (it serves HTTP/1.1 only); "
                                    "remove the key or set it to false");
      }
      continue;
    }
    const std::string headers_where = where + ".headers";
    for (const Entry& h : Entries(e.value, e.value_pos, headers_where, {}, errors)) {
      const auto& allowed = AllowedHeaders();
      auto it = std::find_if(allowed.begin(), allowed.end(),
                             [&](const auto& a) { return a.first == h.key; });
      if (it == allowed.end()) {
        std::vector<std::string_view> names;
        for (const auto& a : allowed) names.push_back(a.first);
        errors.Add(h.key_pos, "header " + Quote(h.key) + " in " + headers_where +
                                  " can not be configured (accepted: " + Join(names) + ")");
        continue;
      }
      std::optional<std::string> value = Text(h, headers_where, errors);
      if (!value) continue;
      const std::vector<std::string_view>& values = it->second;
      if (!values.empty() && std::find(values.begin(), values.end(), *value) == values.end()) {
        errors.Add(h.value_pos, "header " + Quote(h.key) + " in " + headers_where +
                                    ": invalid value " + Quote(*value) +
                                    " (accepted: " + Join(values) + ")");
        continue;
      }
      if (value->find_first_of("\r\n") != std::string::npos) {
        errors.Add(h.value_pos, "header " + Quote(h.key) + " in " + headers_where +
                                    ": the value must be one line");
        continue;
      }
      config.headers.emplace_back(h.key, *value);
    }
  }
}

// "$2b$10$" + 53 characters of bcrypt's base64 alphabet; cost 04 to 31.
bool IsBcryptHash(std::string_view h) {
  if (h.size() != 60 || h[0] != '$' || h[1] != '2' || h[3] != '$' || h[6] != '$') return false;
  if (h[2] != 'a' && h[2] != 'b' && h[2] != 'y') return false;
  if (h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9') return false;
  int cost = (h[4] - '0') * 10 + (h[5] - '0');
  if (cost < 4 || cost > 31) return false;
  for (char c : h.substr(7)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '/';
    if (!ok) return false;
  }
  return true;
}

void ParseUsers(const Entry& section, WebConfig& config, Errors& errors) {
  const std::string where = "basic_auth_users";
  for (const Entry& e : Entries(section.value, section.value_pos, where, {}, errors)) {
    if (!e.value.IsScalar() && !e.value.IsNull()) {
      errors.Add(e.value_pos, "the password hash of user " + Quote(e.key) + " in " + where +
                                  " must be text, got " + std::string(KindOf(e.value)));
      continue;
    }
    std::string hash = e.value.IsNull() ? std::string() : e.value.Scalar();
    // The hash itself stays out of the message: it is a secret too.
    if (!IsBcryptHash(hash)) {
      errors.Add(e.value_pos, "the password hash of user " + Quote(e.key) + " in " + where +
                                  " is not a bcrypt hash ($2a$, $2b$ or $2y$, cost 04 to 31; "
                                  "make one with: htpasswd -nBC 10 \"\" | tr -d ':\\n')");
      continue;
    }
    config.basic_auth_users.emplace(e.key, std::move(hash));
  }
}

}  // namespace

Result<WebConfig> ParseWebConfig(std::string_view text, std::string_view file_name,
                                 std::string_view base_dir) {
  WebConfig config;
  Errors errors;
  try {
    YAML::Node root = YAML::Load(std::string(text));
    static const std::vector<std::string_view> kKeys = {kTls, kHttp, "basic_auth_users"};
    for (const Entry& e : Entries(root, {1, 1}, "the web config", kKeys, errors, {"rate_limit"})) {
      if (e.key == kTls) {
        ParseTls(e, base_dir, config, errors);
      } else if (e.key == kHttp) {
        ParseHttp(e, config, errors);
      } else if (e.key == "basic_auth_users") {
        ParseUsers(e, config, errors);
      } else if (e.key == "rate_limit") {
        errors.Add(e.key_pos, "'rate_limit' is not supported by slayer");
      }
    }
  } catch (const YAML::Exception& e) {
    Position pos = e.mark.line >= 0 ? Position{e.mark.line + 1, e.mark.column + 1} : Position{};
    errors.Add(pos, "invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    errors.Add({}, std::string("cannot read the web config: ") + e.what());
  }
  if (!errors.empty()) return errors.ToStatus(file_name);
  return config;
}

Result<WebConfig> LoadWebConfig(const std::string& path) {
  if (path.empty()) return WebConfig{};
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    return NotFoundError("cannot read web config " + path + ": " + std::strerror(err));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return UnavailableError("cannot read web config " + path + ": read error");
  std::string base_dir = std::filesystem::path(path).parent_path().string();
  return ParseWebConfig(buffer.str(), path, base_dir);
}

}  // namespace slayer::api
