#include "config/load.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/diagnostics.h"
#include "config/validator.h"

// Loading is one pass over the YAML tree that turns it into a Config and reports what is wrong
// with the text: syntax, types, unknown or missing keys, values that do not parse. Everything
// that can be said about a Config built in code (names, references, ranges, time zones, cron) is
// left to the Validator, which places its errors through the SourceMap recorded here.
// yaml-cpp throws; every call into it stays in this file, inside one try block.

namespace slayer::config {
namespace {

using detail::Diagnostics;
using detail::JoinNames;
using detail::Position;
using detail::Quote;
using detail::SourceMap;
using detail::Suggest;

Position PositionOf(const YAML::Node& node, Position fallback) {
  YAML::Mark mark = node.Mark();
  if (mark.line < 0 || mark.column < 0) return fallback;
  return {mark.line + 1, mark.column + 1};
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

std::string Trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsSecretParam(std::string_view name) {
  std::string n = Lower(name);
  return n.find("pass") != std::string::npos || n.find("secret") != std::string::npos ||
         n.find("token") != std::string::npos || n.find("key") != std::string::npos;
}

// The DSN with its password (between the first ':' of the user info and the last '@') and the
// values of secret-looking query parameters replaced by "***". Works on text that does not parse,
// which is exactly when db::Dsn's own redaction may miss.
std::string MaskDsn(std::string_view text, std::vector<std::string>* secrets) {
  std::string out(text);
  size_t scheme = out.find("://");
  size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t at = out.rfind('@');
  if (at != std::string::npos && at >= start) {
    size_t colon = out.find(':', start);
    if (colon != std::string::npos && colon < at) {
      secrets->push_back(out.substr(colon + 1, at - colon - 1));
      out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  size_t q = out.find('?');
  while (q != std::string::npos && q + 1 < out.size()) {
    size_t key_start = q + 1;
    size_t amp = out.find('&', key_start);
    size_t end = amp == std::string::npos ? out.size() : amp;
    size_t eq = out.find('=', key_start);
    if (eq != std::string::npos && eq < end &&
        IsSecretParam(out.substr(key_start, eq - key_start))) {
      secrets->push_back(out.substr(eq + 1, end - eq - 1));
      out.replace(eq + 1, end - eq - 1, "***");
      end = eq + 4;
    }
    q = end < out.size() ? end : std::string::npos;
  }
  return out;
}

Result<std::string> ReadFileFromDisk(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    return NotFoundError("cannot read " + path + ": " + std::strerror(err));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return UnavailableError("cannot read " + path + ": read error");
  return buffer.str();
}

// A value in the YAML tree, with what an error message about it needs.
struct Field {
  YAML::Node node;
  Position pos;      // of the value; of its key when the value is empty
  std::string path;  // "rules[3].interval"
  std::string what;  // "'interval' in rule 'x'"
};

class Loader;

// The keys of one YAML map. Checks duplicates and, on CheckKeys, unknown keys; resolves YAML
// merge keys ("<<: *defaults"), which yaml-cpp 0.7 leaves to the application.
class MapReader {
 public:
  // `in` names the map for messages: "in rule 'x'"; empty at the top level.
  MapReader(Loader& loader, const Field& map, std::string in);

  // The value of `key`, or std::nullopt when absent.
  std::optional<Field> Get(std::string_view key);
  bool Has(std::string_view key) const { return Find(key) != nullptr; }
  // The position of `key`, or of the map when absent.
  Position KeyPosition(std::string_view key) const;

  // Reports each key not in `accepted`, with a did-you-mean or the list of accepted keys. `in`,
  // when given, names the map in these messages instead ("in slack channel 'x'").
  void CheckKeys(const std::vector<std::string_view>& accepted, std::string_view in = {});

  // The keys, in file order, merged ones last.
  std::vector<std::string> Keys() const;

  // Reports that `key` is missing, with `hint` (what to give) after it; unless CheckKeys already
  // suggested `key` for a misspelt one ("refrence"), which says it all.
  void Missing(std::string_view key, std::string_view hint);
  // True when CheckKeys suggested `key` for an unknown key.
  bool Suggested(std::string_view key) const {
    for (const auto& s : suggested_) {
      if (s == key) return true;
    }
    return false;
  }

  const Field& map() const { return map_; }
  const std::string& in() const { return in_; }

 private:
  struct Entry {
    std::string key;
    Position key_pos;
    YAML::Node value;
  };
  const Entry* Find(std::string_view key) const;
  void Merge(const YAML::Node& source, Position pos);

  Loader& loader_;
  Field map_;
  std::string in_;
  std::vector<Entry> entries_;
  std::vector<std::string> suggested_;
};

class Loader {
 public:
  Loader(std::string file, std::string base_dir, const LoadOptions& options)
      : file_(std::move(file)), base_dir_(std::move(base_dir)), options_(options) {}

  void LoadRoot(const YAML::Node& root);

  Config config;
  SourceMap sources;
  Diagnostics diagnostics;

  void Error(Position pos, const std::string& path, std::string message) {
    diagnostics.Add(pos, path, std::move(message));
  }
  void Error(const Field& f, std::string message) { Error(f.pos, f.path, std::move(message)); }

  Field Child(const Field& parent, std::string_view key, const YAML::Node& node, Position key_pos,
              std::string_view in) {
    Field f{node, PositionOf(node, key_pos),
            parent.path.empty() ? std::string(key) : parent.path + "." + std::string(key),
            Quote(key) + (in.empty() ? "" : " " + std::string(in))};
    if (node.IsNull()) f.pos = key_pos;
    sources.Set(f.path, f.pos);
    return f;
  }

 private:
  // Typed readers. Each reports its own error and returns std::nullopt / false on failure.
  bool Expect(const Field& f, YAML::NodeType::value type, std::string_view expected);
  std::optional<std::string> Text(const Field& f, std::string_view expected,
                                  std::vector<std::string>* env_used = nullptr);
  std::optional<Duration> DurationValue(const Field& f);
  std::optional<bool> Bool(const Field& f);
  std::optional<int> NonNegativeInt(const Field& f);
  // A scalar or a list of scalars; each item recorded as path[i].
  std::optional<std::vector<std::string>> TextList(const Field& f, std::string_view expected_item,
                                                   std::vector<Position>* positions = nullptr);
  std::optional<std::vector<Glob>> Globs(const Field& f, std::string_view matches_what);
  template <typename Enum>
  std::optional<Enum> EnumValue(const Field& f, std::string_view kind, const std::vector<Enum>& all,
                                std::string_view (*name)(Enum));
  // The content of the file named by `f` (relative to the config file's directory); `full_path`
  // receives the path read.
  std::optional<std::string> FileContent(const Field& f, std::string* full_path);
  // The trimmed content of the file named by `f`; `full_path` receives the path read.
  std::optional<std::string> ReadSecretFile(const Field& f, std::string* full_path = nullptr);
  // `key` or `key_file`: the credential, or std::nullopt when neither is given or it failed.
  std::optional<Secret> SecretValue(MapReader& m, std::string_view key);
  // `key` (a URL) or `key_file`, parsed as a DSN.
  std::optional<db::Dsn> DsnValue(MapReader& m, std::string_view key, std::string_view file_key);
  std::optional<db::Dsn> ParseDsn(const Field& f, const std::string& text);
  std::string UrlValue(MapReader& m, std::string_view key);

  std::optional<MapReader> Map(const Field& f, std::string in, std::string_view expected);
  // Items of a list, each as a Field with path[i].
  std::vector<Field> Items(const Field& f, std::string_view expected);

  void LoadInstance(const Field& f, size_t index);
  void LoadStorage(const Field& f);
  void LoadRule(const Field& f, size_t index);
  bool LoadSelector(const Field& f, const std::string& owner_in, Selector& out);
  void LoadDeadline(MapReader& m, Rule& rule);
  void LoadWallClock(MapReader& m, Rule& rule);
  void LoadChannel(const Field& f, const std::string& name);
  void LoadSilence(const Field& f, size_t index);
  void LoadNotifications(const Field& f);
  std::optional<Backoff> LoadBackoff(const Field& f, const std::string& in);

  // A name for messages, read before the other keys: "rule 'x'", else "rule #3".
  std::string ElementName(const YAML::Node& map, std::string_view kind, size_t index);

  std::string file_;
  std::string base_dir_;
  const LoadOptions& options_;

  friend class MapReader;
};

MapReader::MapReader(Loader& loader, const Field& map, std::string in)
    : loader_(loader), map_(map), in_(std::move(in)) {
  std::vector<std::pair<YAML::Node, Position>> merges;
  for (auto it = map.node.begin(); it != map.node.end(); ++it) {
    Position key_pos = PositionOf(it->first, map.pos);
    if (!it->first.IsScalar()) {
      loader_.Error(key_pos, map.path,
                    "keys must be text, got " + std::string(KindOf(it->first)) + " " +
                        (in_.empty() ? "at the top level" : in_));
      continue;
    }
    const std::string& key = it->first.Scalar();
    if (key == "<<") {
      merges.emplace_back(it->second, key_pos);
      continue;
    }
    if (const Entry* first = Find(key)) {
      loader_.Error(key_pos, map.path.empty() ? key : map.path + "." + key,
                    "duplicate key " + Quote(key) + " " + (in_.empty() ? "at the top level" : in_) +
                        " (first at line " + std::to_string(first->key_pos.line) + ")");
      continue;
    }
    entries_.push_back({key, key_pos, it->second});
  }
  for (const auto& [source, pos] : merges) Merge(source, pos);
}

// Explicit keys win over merged ones, and earlier merged maps over later ones (YAML 1.1).
void MapReader::Merge(const YAML::Node& source, Position pos) {
  bool maps = source.IsMap();
  if (source.IsSequence()) {
    maps = true;
    for (const auto& item : source) maps = maps && item.IsMap();
    if (maps) {
      for (const auto& item : source) Merge(item, pos);
      return;
    }
  }
  if (!maps) {
    loader_.Error(pos, map_.path,
                  "the merge key '<<' " + (in_.empty() ? "" : in_ + " ") +
                      "needs a map or a list of maps (an alias such as *defaults)");
    return;
  }
  for (auto it = source.begin(); it != source.end(); ++it) {
    if (!it->first.IsScalar() || Find(it->first.Scalar())) continue;
    entries_.push_back({it->first.Scalar(), PositionOf(it->first, pos), it->second});
  }
}

const MapReader::Entry* MapReader::Find(std::string_view key) const {
  for (const Entry& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

std::optional<Field> MapReader::Get(std::string_view key) {
  const Entry* e = Find(key);
  if (e == nullptr) return std::nullopt;
  return loader_.Child(map_, key, e->value, e->key_pos, in_);
}

Position MapReader::KeyPosition(std::string_view key) const {
  const Entry* e = Find(key);
  return e ? e->key_pos : map_.pos;
}

std::vector<std::string> MapReader::Keys() const {
  std::vector<std::string> keys;
  for (const Entry& e : entries_) keys.push_back(e.key);
  return keys;
}

void MapReader::CheckKeys(const std::vector<std::string_view>& accepted, std::string_view in) {
  std::string where(in.empty() ? std::string_view(in_) : in);
  if (where.empty()) where = "at the top level";
  for (const Entry& e : entries_) {
    bool known = false;
    for (std::string_view a : accepted) known = known || a == e.key;
    if (known) continue;
    std::string message = "unknown key " + Quote(e.key) + " " + where;
    std::string_view suggestion = Suggest(e.key, accepted);
    if (!suggestion.empty()) {
      message += " (did you mean " + Quote(suggestion) + "?)";
      suggested_.emplace_back(suggestion);
    } else {
      message += " (accepted: " + JoinNames(accepted) + ")";
    }
    loader_.Error(e.key_pos, map_.path.empty() ? e.key : map_.path + "." + e.key,
                  std::move(message));
  }
}

void MapReader::Missing(std::string_view key, std::string_view hint) {
  if (Suggested(key)) return;
  std::string where = in_.empty() ? "at the top level" : in_;
  loader_.Error(map_.pos, map_.path.empty() ? std::string(key) : map_.path + "." + std::string(key),
                "missing required key " + Quote(key) + " " + where +
                    (hint.empty() ? "" : " (" + std::string(hint) + ")"));
}

bool Loader::Expect(const Field& f, YAML::NodeType::value type, std::string_view expected) {
  if (f.node.Type() == type) return true;
  if (f.node.IsNull()) {
    Error(f, f.what + " has no value (expected " + std::string(expected) + ")");
  } else {
    Error(f, f.what + " must be " + std::string(expected) + ", got " + std::string(KindOf(f.node)));
  }
  return false;
}

std::optional<std::string> Loader::Text(const Field& f, std::string_view expected,
                                        std::vector<std::string>* env_used) {
  if (!Expect(f, YAML::NodeType::Scalar, expected)) return std::nullopt;
  auto expanded = ExpandEnv(f.node.Scalar(), options_.getenv, env_used);
  if (!expanded) {
    Error(f, f.what + ": " + expanded.error().message());
    return std::nullopt;
  }
  return std::move(*expanded);
}

std::optional<Duration> Loader::DurationValue(const Field& f) {
  auto text = Text(f, "a duration such as 90s, 45m, 2h, 7d or 1h30m");
  if (!text) return std::nullopt;
  auto d = ParseDuration(*text);
  if (!d) {
    Error(f, f.what + ": " + d.error().message());
    return std::nullopt;
  }
  return *d;
}

std::optional<bool> Loader::Bool(const Field& f) {
  auto text = Text(f, "true or false");
  if (!text) return std::nullopt;
  std::string v = Lower(*text);
  if (v == "true") return true;
  if (v == "false") return false;
  Error(f, f.what + " must be true or false, got " + Quote(*text));
  return std::nullopt;
}

std::optional<int> Loader::NonNegativeInt(const Field& f) {
  auto text = Text(f, "a whole number");
  if (!text) return std::nullopt;
  int value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < 0) {
    Error(f, f.what + " must be a whole number of 0 or more, got " + Quote(*text));
    return std::nullopt;
  }
  return value;
}

std::vector<Field> Loader::Items(const Field& f, std::string_view expected) {
  std::vector<Field> items;
  if (!Expect(f, YAML::NodeType::Sequence, expected)) return items;
  size_t i = 0;
  for (const auto& node : f.node) {
    Field item{node, PositionOf(node, f.pos), f.path + "[" + std::to_string(i) + "]", f.what};
    if (node.IsNull()) item.pos = f.pos;
    sources.Set(item.path, item.pos);
    items.push_back(std::move(item));
    ++i;
  }
  return items;
}

std::optional<std::vector<std::string>> Loader::TextList(const Field& f,
                                                         std::string_view expected_item,
                                                         std::vector<Position>* positions) {
  std::string expected = std::string(expected_item) + " or a list of them";
  std::vector<Field> items;
  if (f.node.IsScalar()) {
    Field item = f;
    item.path += "[0]";
    sources.Set(item.path, item.pos);
    items.push_back(std::move(item));
  } else {
    if (!Expect(f, YAML::NodeType::Sequence, expected)) return std::nullopt;
    items = Items(f, expected);
    if (items.empty()) {
      Error(f, f.what + " is an empty list");
      return std::nullopt;
    }
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const Field& item : items) {
    if (!item.node.IsScalar()) {
      Error(item, f.what + " must be " + expected + ", got a list holding " +
                      std::string(KindOf(item.node)));
      ok = false;
      continue;
    }
    auto text = Text(item, expected_item);
    if (!text) {
      ok = false;
      continue;
    }
    out.push_back(std::move(*text));
    if (positions) positions->push_back(item.pos);
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::vector<Glob>> Loader::Globs(const Field& f, std::string_view matches_what) {
  if (f.node.IsSequence() && f.node.size() == 0) {
    Error(f, f.what + " is an empty list, which matches no " + std::string(matches_what) +
                 " (leave the key out to match every " + std::string(matches_what) + ")");
    return std::nullopt;
  }
  std::vector<Position> positions;
  auto patterns = TextList(f, "a glob such as \"etl_*\"", &positions);
  if (!patterns) return std::nullopt;
  std::vector<Glob> globs;
  bool ok = true;
  for (size_t i = 0; i < patterns->size(); ++i) {
    const std::string& p = (*patterns)[i];
    std::string path = f.path + "[" + std::to_string(i) + "]";
    if (p.empty()) {
      Error(positions[i], path,
            f.what + ": an empty glob matches no " + std::string(matches_what) +
                " (use \"*\" for every " + std::string(matches_what) + ")");
      ok = false;
      continue;
    }
    auto glob = Glob::Compile(p);
    if (!glob) {
      Error(positions[i], path, f.what + ": " + glob.error().message());
      ok = false;
      continue;
    }
    globs.push_back(std::move(*glob));
  }
  if (!ok) return std::nullopt;
  return globs;
}

template <typename Enum>
std::optional<Enum> Loader::EnumValue(const Field& f, std::string_view kind,
                                      const std::vector<Enum>& all,
                                      std::string_view (*name)(Enum)) {
  std::vector<std::string_view> names;
  for (Enum e : all) names.push_back(name(e));
  auto text = Text(f, "one of " + JoinNames(names));
  if (!text) return std::nullopt;
  for (Enum e : all) {
    if (*text == name(e)) return e;
  }
  std::string message = f.what + ": unknown " + std::string(kind) + " " + Quote(*text);
  std::string_view suggestion = Suggest(*text, names);
  if (!suggestion.empty()) message += " (did you mean " + Quote(suggestion) + "?)";
  message += "; accepted: " + JoinNames(names);
  Error(f, std::move(message));
  return std::nullopt;
}

std::optional<std::string> Loader::FileContent(const Field& f, std::string* full_path) {
  auto path = Text(f, "a file path");
  if (!path) return std::nullopt;
  if (path->empty()) {
    Error(f, f.what + " is empty (expected a file path)");
    return std::nullopt;
  }
  std::string full = *path;
  if (full[0] != '/' && !base_dir_.empty()) full = base_dir_ + "/" + full;
  *full_path = full;
  auto content = options_.read_file ? options_.read_file(full) : ReadFileFromDisk(full);
  if (!content) {
    Error(f, f.what + ": " + content.error().message());
    return std::nullopt;
  }
  return std::move(*content);
}

std::optional<std::string> Loader::ReadSecretFile(const Field& f, std::string* full_path) {
  std::string full;
  auto content = FileContent(f, &full);
  if (!content) return std::nullopt;
  if (full_path) *full_path = full;
  std::string value = Trim(*content);
  diagnostics.AddSecret(value);
  if (value.empty()) {
    Error(f, f.what + ": file " + full + " is empty");
    return std::nullopt;
  }
  return value;
}

std::optional<Secret> Loader::SecretValue(MapReader& m, std::string_view key) {
  std::string file_key = std::string(key) + "_file";
  auto inline_field = m.Get(key);
  auto file_field = m.Get(file_key);
  if (inline_field && file_field) {
    Error(*file_field, Quote(key) + " and " + Quote(file_key) + " " + m.in() +
                           " are alternatives; give one of them");
    return std::nullopt;
  }
  if (inline_field) {
    std::vector<std::string> env_used;
    auto value = Text(*inline_field, "text", &env_used);
    if (!value) return std::nullopt;
    diagnostics.AddSecret(*value);
    std::string origin = env_used.empty() ? "inline" : "env";
    for (size_t i = 0; i < env_used.size(); ++i) origin += (i ? ", " : " ") + env_used[i];
    Secret secret{*value, origin};
    if (value->empty()) {
      Error(*inline_field,
            inline_field->what + " is empty" + (env_used.empty() ? "" : " (from the environment)"));
      return std::nullopt;
    }
    return secret;
  }
  if (file_field) {
    std::string path;
    auto value = ReadSecretFile(*file_field, &path);
    if (!value) return std::nullopt;
    return Secret{*value, "file " + path};
  }
  return std::nullopt;
}

std::optional<db::Dsn> Loader::ParseDsn(const Field& f, const std::string& text) {
  auto dsn = db::Dsn::Parse(text);
  if (dsn) {
    diagnostics.AddSecret(dsn->password);
    for (const auto& [k, v] : dsn->params) {
      if (IsSecretParam(k)) diagnostics.AddSecret(v);
    }
    return std::move(*dsn);
  }
  // Dsn's own redaction needs a DSN that parses; mask the text ourselves and explain the failure
  // with the masked text only.
  std::vector<std::string> secrets;
  std::string masked = MaskDsn(text, &secrets);
  for (const auto& s : secrets) diagnostics.AddSecret(s);
  auto masked_dsn = db::Dsn::Parse(masked);
  if (!masked_dsn) {
    Error(f, f.what + ": " + masked_dsn.error().message());
  } else {
    Error(f, f.what + ": invalid database URL '" + masked +
                 "': cannot read the user name and password; percent-encode special characters "
                 "in them ('/' as %2F, '@' as %40, ':' as %3A)");
  }
  return std::nullopt;
}

std::optional<db::Dsn> Loader::DsnValue(MapReader& m, std::string_view key,
                                        std::string_view file_key) {
  auto inline_field = m.Get(key);
  auto file_field = m.Get(file_key);
  if (inline_field && file_field) {
    Error(*file_field, Quote(key) + " and " + Quote(file_key) + " " + m.in() +
                           " are alternatives; give one of them");
    return std::nullopt;
  }
  if (inline_field) {
    auto text = Text(*inline_field, "a database URL such as postgresql://user:pass@host/airflow");
    if (!text) return std::nullopt;
    return ParseDsn(*inline_field, *text);
  }
  if (file_field) {
    auto text = ReadSecretFile(*file_field);
    if (!text) return std::nullopt;
    return ParseDsn(*file_field, *text);
  }
  return std::nullopt;
}

// A URL that is not itself a secret but may carry a password in its user info.
std::string Loader::UrlValue(MapReader& m, std::string_view key) {
  auto f = m.Get(key);
  if (!f) return {};
  auto text = Text(*f, "a URL");
  if (!text) return {};
  std::vector<std::string> secrets;
  MaskDsn(*text, &secrets);
  for (const auto& s : secrets) diagnostics.AddSecret(s);
  return *text;
}

std::optional<MapReader> Loader::Map(const Field& f, std::string in, std::string_view expected) {
  if (!Expect(f, YAML::NodeType::Map, expected)) return std::nullopt;
  return MapReader(*this, f, std::move(in));
}

std::string Loader::ElementName(const YAML::Node& map, std::string_view kind, size_t index) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar() || it->first.Scalar() != "name" || !it->second.IsScalar()) continue;
    auto text = ExpandEnv(it->second.Scalar(), options_.getenv);
    if (text && !text->empty()) return std::string(kind) + " " + Quote(*text);
    break;
  }
  return std::string(kind) + " #" + std::to_string(index + 1);
}

void Loader::LoadRoot(const YAML::Node& root) {
  Field top{root, PositionOf(root, {1, 1}), "", ""};
  sources.Set("", {1, 1});  // so that every error has a position
  if (root.IsNull()) {
    Error({1, 1}, "",
          "the config is empty; it needs at least 'airflow:' (the Airflow deployments "
          "to watch)");
    return;
  }
  if (!root.IsMap()) {
    Error(top, "the config must be a map of keys (airflow:, rules:, channels:, ...), got " +
                   std::string(KindOf(root)));
    return;
  }
  MapReader m(*this, top, "");
  m.CheckKeys(
      {"airflow", "storage", "display_timezone", "rules", "channels", "silences", "notifications"});
  if (auto f = m.Get("airflow")) {
    auto items = Items(*f, "a list of Airflow instances (- name: prod ...)");
    if (f->node.IsSequence() && items.empty()) {
      Error(*f, "'airflow' is an empty list; give at least one Airflow instance");
    }
    for (size_t i = 0; i < items.size(); ++i) LoadInstance(items[i], i);
  } else {
    m.Missing("airflow", "the Airflow deployments to watch: - {name: prod, database: ...}");
  }
  if (auto f = m.Get("storage")) LoadStorage(*f);
  if (auto f = m.Get("display_timezone")) {
    if (auto tz = Text(*f, "an IANA time zone such as UTC or Europe/Berlin")) {
      config.display_timezone = *tz;
    }
  }
  // Before channels: a channel's backoff defaults to these.
  if (auto f = m.Get("notifications")) LoadNotifications(*f);
  if (auto f = m.Get("rules")) {
    if (!f->node.IsNull()) {
      auto items = Items(*f, "a list of rules (- name: ...)");
      for (size_t i = 0; i < items.size(); ++i) LoadRule(items[i], i);
    }
  }
  if (auto f = m.Get("channels")) {
    if (!f->node.IsNull()) {
      if (auto channels = Map(*f, "in 'channels'", "a map of channel name to channel")) {
        for (const std::string& name : channels->Keys()) LoadChannel(*channels->Get(name), name);
      }
    }
  }
  if (auto f = m.Get("silences")) {
    if (!f->node.IsNull()) {
      auto items = Items(*f, "a list of silences (- {match: ..., cron: ..., duration: ...})");
      for (size_t i = 0; i < items.size(); ++i) LoadSilence(items[i], i);
    }
  }
}

void Loader::LoadInstance(const Field& f, size_t index) {
  AirflowInstance instance;
  Field item = f;
  item.what = "airflow instance #" + std::to_string(index + 1);
  if (!Expect(item, YAML::NodeType::Map, "a map (name: ..., database: ...)")) {
    config.airflow.push_back(std::move(instance));
    return;
  }
  std::string in = "in " + ElementName(f.node, "airflow instance", index);
  MapReader m(*this, f, in);
  m.CheckKeys({"name", "database", "database_file", "poll_interval", "horizon", "airflow_native",
               "airflow_url", "connect_timeout", "statement_timeout", "health"});
  if (auto name = m.Get("name")) {
    if (auto text = Text(*name, "a name such as prod")) instance.name = *text;
  } else {
    m.Missing("name", "it becomes the airflow_instance label, e.g. name: prod");
  }
  if (m.Has("database") || m.Has("database_file")) {
    if (auto dsn = DsnValue(m, "database", "database_file")) instance.database = std::move(*dsn);
  } else {
    m.Missing("database",
              "the metadata database URL, e.g. database: ${AIRFLOW_DB_URL}, or "
              "database_file: /path/to/file");
  }
  auto duration = [&](std::string_view key, Duration& out) {
    if (auto field = m.Get(key)) {
      if (auto d = DurationValue(*field)) out = *d;
    }
  };
  duration("poll_interval", instance.poll_interval);
  duration("horizon", instance.horizon);
  duration("connect_timeout", instance.connect_timeout);
  duration("statement_timeout", instance.statement_timeout);
  if (auto field = m.Get("airflow_native")) {
    if (auto b = Bool(*field)) instance.airflow_native = *b;
  }
  instance.airflow_url = UrlValue(m, "airflow_url");
  if (auto field = m.Get("health")) {
    if (auto health = Map(*field, "in 'health' " + in, "a map such as {heartbeat_timeout: 60s}")) {
      health->CheckKeys({"heartbeat_timeout"});
      if (auto t = health->Get("heartbeat_timeout")) {
        if (auto d = DurationValue(*t)) instance.health.heartbeat_timeout = *d;
      }
    }
  }
  config.airflow.push_back(std::move(instance));
}

void Loader::LoadStorage(const Field& f) {
  if (f.node.IsScalar()) {
    auto text = Text(f, "a URL such as sqlite:///var/lib/slayer/slayer.db");
    if (!text) return;
    if (auto dsn = ParseDsn(f, *text)) config.storage.url = std::move(*dsn);
    return;
  }
  auto m = Map(f, "in 'storage'",
               "a URL such as sqlite:///var/lib/slayer/slayer.db, or a map {url: ..., "
               "retention: 400d}");
  if (!m) return;
  m->CheckKeys({"url", "url_file", "retention"});
  if (m->Has("url") || m->Has("url_file")) {
    if (auto dsn = DsnValue(*m, "url", "url_file")) config.storage.url = std::move(*dsn);
  }
  if (auto r = m->Get("retention")) {
    if (auto d = DurationValue(*r)) config.storage.retention = *d;
  }
}

bool Loader::LoadSelector(const Field& f, const std::string& owner_in, Selector& out) {
  auto m = Map(f, "in 'match' " + owner_in,
               "a map such as {dag_id: \"etl_*\", tags: [critical], owner: data-eng} ({} for "
               "every DAG)");
  if (!m) return false;
  m->CheckKeys({"dag_id", "tags", "owner"});
  bool ok = true;
  if (auto dag_id = m->Get("dag_id")) {
    auto globs = Globs(*dag_id, "DAG id");
    if (globs) out.dag_id = std::move(*globs);
    ok = ok && globs.has_value();
  }
  if (auto tags = m->Get("tags")) {
    if (tags->node.IsSequence() && tags->node.size() == 0) {
      Error(*tags, tags->what +
                       " is an empty list, which matches no DAG (leave the key out to "
                       "match DAGs with any tags)");
      ok = false;
    } else if (auto list = TextList(*tags, "a tag")) {
      for (size_t i = 0; i < list->size(); ++i) {
        if ((*list)[i].empty()) {
          Error(sources.Find(tags->path + "[" + std::to_string(i) + "]"),
                tags->path + "[" + std::to_string(i) + "]",
                tags->what + ": an empty tag matches no DAG");
          ok = false;
        }
      }
      out.tags = std::move(*list);
    } else {
      ok = false;
    }
  }
  if (auto owner = m->Get("owner")) {
    if (auto text = Text(*owner, "an owner such as data-eng")) {
      if (text->empty()) {
        Error(*owner, owner->what + " is empty (leave the key out to match any owner)");
        ok = false;
      }
      out.owner = *text;
    } else {
      ok = false;
    }
  }
  return ok;
}

void Loader::LoadRule(const Field& f, size_t index) {
  Rule rule;
  Field item = f;
  item.what = "rule #" + std::to_string(index + 1);
  if (!Expect(item, YAML::NodeType::Map, "a map (name: ..., match: ..., ...)")) {
    config.rules.push_back(std::move(rule));
    return;
  }
  std::string element = ElementName(f.node, "rule", index);
  std::string in = "in " + element;
  MapReader m(*this, f, in);
  m.CheckKeys({"name", "match", "tasks", "reference", "interval", "expected_runs", "at",
               "window_start", "freshness", "severity", "notify", "labels", "on_failure",
               "alert_when_paused", "at_risk", "canary"});
  if (auto name = m.Get("name")) {
    if (auto text = Text(*name, "a name such as hourly-data-in-2h")) rule.name = *text;
  } else {
    m.Missing("name", "it becomes the rule label, e.g. name: hourly-data-in-2h");
  }
  if (auto match = m.Get("match")) {
    LoadSelector(*match, in, rule.match);
  } else {
    m.Missing("match",
              "the DAGs it covers, e.g. match: {dag_id: \"etl_*\"}; match: {} for every "
              "DAG");
  }
  if (auto tasks = m.Get("tasks")) {
    if (auto globs = Globs(*tasks, "task id")) rule.tasks = std::move(*globs);
  }

  // The kind: which of the three groups of keys is present.
  struct KindKey {
    const char* key;
    RuleKind kind;
  };
  std::vector<std::pair<std::string, RuleKind>> present;
  for (KindKey k : {KindKey{"reference", RuleKind::kDeadline},
                    {"interval", RuleKind::kDeadline},
                    {"at", RuleKind::kWallClock},
                    {"window_start", RuleKind::kWallClock},
                    {"freshness", RuleKind::kFreshness}}) {
    if (m.Has(k.key)) present.emplace_back(k.key, k.kind);
  }
  bool kind_misspelt = false;
  for (const char* key : {"reference", "interval", "at", "window_start", "freshness"}) {
    kind_misspelt = kind_misspelt || m.Suggested(key);
  }
  if (present.empty()) {
    if (!kind_misspelt) {
      Error(f.pos, f.path,
            element +
                " has no kind: give 'reference' and 'interval' (a deadline), 'at' (a "
                "wall clock time) or 'freshness'");
    }
  } else {
    const auto& first = present.front();
    for (const auto& other : present) {
      if (other.second == first.second) continue;
      Error(m.KeyPosition(other.first), f.path,
            element + " mixes rule kinds: " + Quote(first.first) + " (" +
                std::string(RuleKindName(first.second)) + ") and " + Quote(other.first) + " (" +
                std::string(RuleKindName(other.second)) +
                "); a rule has exactly one of reference + interval, at, freshness");
      break;
    }
    switch (first.second) {
      case RuleKind::kDeadline:
        LoadDeadline(m, rule);
        break;
      case RuleKind::kWallClock:
        LoadWallClock(m, rule);
        break;
      case RuleKind::kFreshness:
        if (auto d = DurationValue(*m.Get("freshness"))) rule.freshness = *d;
        break;
    }
  }
  if (auto expected = m.Get("expected_runs")) {
    auto value = Bool(*expected);
    if (value && !rule.deadline) {
      if (!present.empty() && present.front().second != RuleKind::kDeadline) {
        Error(*expected, expected->what + " applies only to deadline rules (reference + interval)");
      }
    } else if (value && rule.deadline) {
      if (*value && !IsScheduleReference(rule.deadline->reference)) {
        Error(*expected, expected->what +
                             " applies only to the schedule references dagrun.logical_date, "
                             "dagrun.data_interval_start and dagrun.data_interval_end, not " +
                             std::string(ReferenceName(rule.deadline->reference)));
      }
      rule.deadline->expected_runs = *value;
    }
  }

  if (auto severity = m.Get("severity")) {
    if (auto s = EnumValue<Severity>(*severity, "severity",
                                     {Severity::kCritical, Severity::kWarning, Severity::kInfo},
                                     &SeverityName)) {
      rule.severity = *s;
    }
  }
  if (auto notify = m.Get("notify")) {
    if (notify->node.IsSequence() && notify->node.size() == 0) {
      // An empty list is a clear "no notifications".
    } else if (auto names = TextList(*notify, "a channel name")) {
      rule.notify = std::move(*names);
    }
  }
  if (auto labels = m.Get("labels")) {
    if (auto lm = Map(*labels, "in 'labels' " + in, "a map of label name to value")) {
      for (const std::string& key : lm->Keys()) {
        if (auto text = Text(*lm->Get(key), "a label value")) rule.labels[key] = *text;
      }
    }
  }
  if (auto on_failure = m.Get("on_failure")) {
    if (auto v = EnumValue<OnFailure>(*on_failure, "on_failure value",
                                      {OnFailure::kAlert, OnFailure::kIgnore}, &OnFailureName)) {
      rule.on_failure = *v;
    }
  }
  if (auto field = m.Get("alert_when_paused")) {
    if (auto b = Bool(*field)) rule.alert_when_paused = *b;
  }
  if (auto field = m.Get("at_risk")) {
    if (auto b = Bool(*field)) rule.at_risk = *b;
  }
  if (auto field = m.Get("canary")) {
    if (auto b = Bool(*field)) rule.canary = *b;  // checked by the Validator
  }
  config.rules.push_back(std::move(rule));
}

void Loader::LoadDeadline(MapReader& m, Rule& rule) {
  Deadline deadline;
  auto reference = m.Get("reference");
  auto interval = m.Get("interval");
  std::string element = m.in().substr(3);  // "rule 'x'"
  bool ok = true;
  if (!reference) {
    if (m.Suggested("reference")) return;
    Error(m.KeyPosition("interval"), m.map().path,
          element +
              " has 'interval' but no 'reference' (the time the interval counts from, e.g. "
              "reference: dagrun.logical_date)");
    return;
  }
  std::vector<Reference> all = {Reference::kLogicalDate,     Reference::kDataIntervalStart,
                                Reference::kDataIntervalEnd, Reference::kRunAfter,
                                Reference::kQueuedAt,        Reference::kStartDate,
                                Reference::kTaskQueuedAt,    Reference::kTaskStartDate};
  if (reference->node.IsMap()) {
    MapReader fixed(*this, *reference, "in 'reference' " + m.in());
    fixed.CheckKeys({"fixed"});
    if (auto instant = fixed.Get("fixed")) {
      if (auto text = Text(*instant, "an RFC 3339 instant such as 2026-01-01T09:00:00Z")) {
        auto t = ParseTimestamp(*text);
        if (t) {
          deadline.reference = Reference::kFixed;
          deadline.fixed = *t;
        } else {
          Error(*instant, instant->what + ": " + Quote(*text) +
                              " is not an RFC 3339 instant such as 2026-01-01T09:00:00Z");
          ok = false;
        }
      } else {
        ok = false;
      }
    } else {
      fixed.Missing("fixed", "reference: {fixed: 2026-01-01T09:00:00Z}");
      ok = false;
    }
  } else if (reference->node.IsScalar()) {
    auto text = Text(*reference, "a reference");
    if (!text) return;
    std::vector<std::string_view> names;
    for (Reference r : all) names.push_back(ReferenceName(r));
    bool found = false;
    for (Reference r : all) {
      if (*text == ReferenceName(r)) {
        deadline.reference = r;
        found = true;
      }
    }
    if (*text == "dagrun.execution_date") {  // Airflow 2's name of the logical date
      deadline.reference = Reference::kLogicalDate;
      found = true;
    }
    if (!found) {
      std::string message = reference->what + ": unknown reference " + Quote(*text);
      if (*text == "fixed") {
        message += " (write reference: {fixed: 2026-01-01T09:00:00Z})";
      } else if (auto s = Suggest(*text, names); !s.empty()) {
        message += " (did you mean " + Quote(s) + "?)";
      }
      message += "; accepted: " + JoinNames(names) + ", {fixed: <RFC 3339 instant>}";
      Error(*reference, std::move(message));
      return;
    }
  } else {
    Expect(*reference, YAML::NodeType::Scalar,
           "a reference such as dagrun.logical_date, or {fixed: <RFC 3339 instant>}");
    return;
  }
  if (interval) {
    if (auto d = DurationValue(*interval)) {
      deadline.interval = *d;
    } else {
      ok = false;
    }
  } else if (deadline.reference != Reference::kFixed && ok && !m.Suggested("interval")) {
    Error(m.KeyPosition("reference"), m.map().path,
          element +
              " has 'reference' but no 'interval' (how long after the reference the work "
              "must be done, e.g. interval: 2h)");
    return;
  }
  if (ok) rule.deadline = deadline;
}

void Loader::LoadWallClock(MapReader& m, Rule& rule) {
  WallClock at;
  std::string element = m.in().substr(3);
  auto at_field = m.Get("at");
  if (!at_field) {
    if (m.Suggested("at")) return;
    Error(m.KeyPosition("window_start"), m.map().path,
          element +
              " has 'window_start' but no 'at' (the wall clock schedule, e.g. at: {cron: \"0 "
              "9 * * *\", timezone: Europe/Berlin})");
    return;
  }
  bool ok = true;
  if (at_field->node.IsScalar()) {  // at: "0 9 * * *"
    Field cron = *at_field;
    cron.path += ".cron";
    sources.Set(cron.path, cron.pos);
    auto text = Text(cron, "a cron expression");
    if (!text) return;
    at.cron = *text;
  } else {
    auto am = Map(*at_field, "in 'at' " + m.in(),
                  "a map such as {cron: \"0 9 * * MON-FRI\", timezone: Europe/Berlin}");
    if (!am) return;
    am->CheckKeys({"cron", "timezone", "skip_dates"});
    if (auto cron = am->Get("cron")) {
      if (auto text = Text(*cron, "a cron expression such as \"0 9 * * MON-FRI\"")) {
        at.cron = *text;
      } else {
        ok = false;
      }
    } else {
      am->Missing("cron", "e.g. cron: \"0 9 * * MON-FRI\"");
      ok = false;
    }
    if (auto tz = am->Get("timezone")) {
      if (auto text = Text(*tz, "an IANA time zone such as Europe/Berlin")) {
        at.timezone = *text;
      } else {
        ok = false;
      }
    }
    if (auto skip = am->Get("skip_dates")) {
      if (skip->node.IsSequence() && skip->node.size() == 0) {
        // nothing to skip
      } else if (auto dates = TextList(*skip, "a date YYYY-MM-DD")) {
        for (size_t i = 0; i < dates->size(); ++i) {
          const std::string& d = (*dates)[i];
          auto t = d.size() == 10 ? ParseTimestamp(d) : Result<Timestamp>(InvalidArgumentError(""));
          std::string path = skip->path + "[" + std::to_string(i) + "]";
          if (!t || d[4] != '-' || d[7] != '-') {
            Error(sources.Find(path), path,
                  skip->what + ": " + Quote(d) + " is not a date YYYY-MM-DD such as 2026-12-25");
            ok = false;
            continue;
          }
          at.skip_dates.emplace_back(std::chrono::floor<std::chrono::days>(*t));
        }
      } else {
        ok = false;
      }
    }
  }
  if (auto ws = m.Get("window_start")) {
    auto text = Text(*ws, "a local time of day \"HH:MM\"");
    if (!text) return;
    const std::string& s = *text;
    auto digit = [&](size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; };
    int hh = -1;
    int mm = -1;
    if (s.size() == 5 && digit(0) && digit(1) && s[2] == ':' && digit(3) && digit(4)) {
      hh = (s[0] - '0') * 10 + (s[1] - '0');
      mm = (s[3] - '0') * 10 + (s[4] - '0');
    }
    if (hh < 0 || hh > 23 || mm > 59) {
      Error(*ws, ws->what + ": " + Quote(s) +
                     " is not a local time of day \"HH:MM\" from 00:00 to 23:59");
      return;
    }
    at.window_start = std::chrono::minutes(hh * 60 + mm);
  }
  if (ok) rule.at = std::move(at);
}

std::optional<Backoff> Loader::LoadBackoff(const Field& f, const std::string& in) {
  auto m = Map(f, "in 'backoff' " + in, "a map such as {initial: 5s, max: 10m}");
  if (!m) return std::nullopt;
  m->CheckKeys({"initial", "max"});
  // A half left out comes from `notifications:`.
  Backoff backoff{config.notifications.retry_initial, config.notifications.retry_max};
  if (auto i = m->Get("initial")) {
    if (auto d = DurationValue(*i)) backoff.initial = *d;
  }
  if (auto x = m->Get("max")) {
    if (auto d = DurationValue(*x)) backoff.max = *d;
  }
  return backoff;
}

void Loader::LoadChannel(const Field& f, const std::string& name) {
  Channel channel;
  channel.name = name;
  std::string in = "in channel " + Quote(name);
  auto m = Map(f, in, "a map such as {type: slack, webhook_url: ${SLACK_WEBHOOK_URL}}");
  if (!m) {
    config.channels.push_back(std::move(channel));
    return;
  }
  const std::vector<ChannelType> types = {ChannelType::kAlertmanager, ChannelType::kSlack,
                                          ChannelType::kPagerduty, ChannelType::kWebhook,
                                          ChannelType::kEmail};
  auto type_field = m->Get("type");
  std::optional<ChannelType> type;
  if (!type_field) {
    m->Missing("type", "one of alertmanager, slack, pagerduty, webhook, email");
  } else {
    type = EnumValue<ChannelType>(*type_field, "channel type", types, &ChannelTypeName);
  }
  if (!type) {  // without a type, the other keys cannot be checked
    config.channels.push_back(std::move(channel));
    return;
  }
  channel.type = *type;
  std::vector<std::string_view> accepted = {"type"};
  switch (*type) {
    case ChannelType::kAlertmanager:
      accepted.insert(accepted.end(), {"url"});
      break;
    case ChannelType::kSlack:
      accepted.insert(accepted.end(), {"webhook_url", "webhook_url_file"});
      break;
    case ChannelType::kPagerduty:
      accepted.insert(accepted.end(), {"routing_key", "routing_key_file", "url"});
      break;
    case ChannelType::kWebhook:
      accepted.insert(accepted.end(), {"url", "secret", "secret_file", "headers"});
      break;
    case ChannelType::kEmail:
      accepted.insert(accepted.end(),
                      {"url", "from", "to", "username", "password", "password_file"});
      break;
  }
  // A webhook's body is fixed (SPEC section 5); every other channel renders a title and a text.
  if (*type != ChannelType::kWebhook) accepted.insert(accepted.end(), {"title", "text"});
  accepted.insert(accepted.end(),
                  {"ca_file", "send_resolved", "timeout", "max_retries", "backoff"});
  m->CheckKeys(accepted, "in " + std::string(ChannelTypeName(*type)) + " channel " + Quote(name));

  channel.url = UrlValue(*m, "url");
  if (*type == ChannelType::kPagerduty && channel.url.empty() && !m->Has("url")) {
    channel.url = "https://events.pagerduty.com/v2/enqueue";
  }
  if (auto s = SecretValue(*m, "webhook_url")) channel.webhook_url = std::move(*s);
  if (auto s = SecretValue(*m, "routing_key")) channel.routing_key = std::move(*s);
  if (auto s = SecretValue(*m, "secret")) channel.secret = std::move(*s);
  if (auto s = SecretValue(*m, "password")) channel.password = std::move(*s);
  if (auto headers = m->Get("headers")) {
    if (auto hm = Map(*headers, "in 'headers' " + in, "a map of header name to value")) {
      for (const std::string& key : hm->Keys()) {
        if (auto text = Text(*hm->Get(key), "a header value")) {
          diagnostics.AddSecret(*text);
          channel.headers[key] = *text;
        }
      }
    }
  }
  if (auto from = m->Get("from")) {
    if (auto text = Text(*from, "an email address")) channel.from = *text;
  }
  if (auto to = m->Get("to")) {
    if (auto list = TextList(*to, "an email address")) channel.to = std::move(*list);
  }
  if (auto user = m->Get("username")) {
    if (auto text = Text(*user, "a user name")) channel.username = *text;
  }
  for (auto [key, out] : {std::pair<const char*, std::string*>{"title", &channel.title},
                          {"text", &channel.text}}) {
    auto field = m->Get(key);
    if (!field) continue;
    auto text = Text(*field, "a message template such as \"{{dag_id}} is late\"");
    if (!text) continue;
    if (text->empty()) {
      Error(*field, field->what + " is empty (leave it out for the default)");
    } else {
      *out = std::move(*text);  // the Validator checks the placeholders
    }
  }
  if (auto field = m->Get("ca_file")) {
    std::string path;
    if (auto pem = FileContent(*field, &path)) {
      if (pem->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
        Error(*field, field->what + ": " + path +
                          " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
      } else {
        channel.ca_file = path;
      }
    }
  }
  if (auto field = m->Get("send_resolved")) {
    if (auto b = Bool(*field)) channel.send_resolved = *b;
  }
  if (auto field = m->Get("timeout")) {
    if (auto d = DurationValue(*field)) channel.timeout = *d;
  }
  if (auto field = m->Get("max_retries")) {
    if (auto n = NonNegativeInt(*field)) channel.max_retries = *n;
  }
  if (auto field = m->Get("backoff")) channel.backoff = LoadBackoff(*field, in);
  config.channels.push_back(std::move(channel));
}

void Loader::LoadSilence(const Field& f, size_t index) {
  Silence silence;
  std::string in = "in silence #" + std::to_string(index + 1);
  Field item = f;
  item.what = "silence #" + std::to_string(index + 1);
  auto m =
      Map(item, in, "a map such as {match: {dag_id: \"*\"}, cron: \"0 2 * * SUN\", duration: 2h}");
  if (!m) {
    config.silences.push_back(std::move(silence));
    return;
  }
  m->CheckKeys({"match", "cron", "duration", "timezone"});
  if (auto match = m->Get("match")) {
    LoadSelector(*match, in, silence.match);
  } else {
    m->Missing("match", "the DAGs it silences, e.g. match: {dag_id: \"*\"}");
  }
  if (auto cron = m->Get("cron")) {
    if (auto text = Text(*cron, "a cron expression such as \"0 2 * * SUN\"")) silence.cron = *text;
  } else {
    m->Missing("cron", "when each window starts, e.g. cron: \"0 2 * * SUN\"");
  }
  if (auto duration = m->Get("duration")) {
    if (auto d = DurationValue(*duration)) silence.duration = *d;
  } else {
    m->Missing("duration", "how long each window lasts, e.g. duration: 2h");
  }
  if (auto tz = m->Get("timezone")) {
    if (auto text = Text(*tz, "an IANA time zone such as UTC")) silence.timezone = *text;
  }
  config.silences.push_back(std::move(silence));
}

void Loader::LoadNotifications(const Field& f) {
  auto m = Map(f, "in 'notifications'",
               "a map such as {retry_initial: 5s, retry_max: 10m, give_up_after: 24h}");
  if (!m) return;
  m->CheckKeys({"retry_initial", "retry_max", "give_up_after"});
  Notifications& n = config.notifications;
  for (auto [key, out] : {std::pair<const char*, Duration*>{"retry_initial", &n.retry_initial},
                          {"retry_max", &n.retry_max},
                          {"give_up_after", &n.give_up_after}}) {
    if (auto field = m->Get(key)) {
      if (auto d = DurationValue(*field)) *out = *d;
    }
  }
}

std::string DirectoryOf(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return "";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

// The 1-based line `line` of `text`.
std::string_view LineAt(std::string_view text, int line) {
  for (int i = 1; i < line; ++i) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return {};
    text.remove_prefix(nl + 1);
  }
  return text.substr(0, text.find('\n'));
}

Result<ValidatedConfig> LoadParsed(std::string_view yaml, std::string_view file,
                                   const LoadOptions& options) {
  Loader loader(std::string(file), DirectoryOf(file), options);
  try {
    std::vector<YAML::Node> documents = YAML::LoadAll(std::string(yaml));
    if (documents.size() > 1) {
      loader.Error(PositionOf(documents[1], {1, 1}), "",
                   "the config must be one YAML document, found " +
                       std::to_string(documents.size()) + " (remove the extra '---')");
    } else {
      loader.LoadRoot(documents.empty() ? YAML::Node() : documents[0]);
    }
  } catch (const YAML::Exception& e) {
    Position pos{1, 1};
    if (e.mark.line >= 0) pos = {e.mark.line + 1, e.mark.column + 1};
    std::string message = "invalid YAML: " + e.msg;
    // `key: ${VAR}` is fine in block style, but in a flow map or list the braces end it early.
    if (e.msg.find("flow") != std::string::npos &&
        LineAt(yaml, pos.line).find("${") != std::string_view::npos) {
      message += " (inside {...} or [...], quote values that use variables: \"${VAR}\")";
    }
    loader.Error(pos, "", std::move(message));
    return loader.diagnostics.ToStatus(file);
  } catch (const std::exception& e) {  // not expected from yaml-cpp's accessors; never escape
    loader.Error({1, 1}, "", std::string("internal error while reading the config: ") + e.what());
    return loader.diagnostics.ToStatus(file);
  }
  loader.diagnostics.EndLoading();
  auto validated =
      detail::Validator::Run(std::move(loader.config), &loader.sources, loader.diagnostics);
  if (!validated) return loader.diagnostics.ToStatus(file);
  return std::move(*validated);
}

}  // namespace

Result<ValidatedConfig> LoadConfigString(std::string_view yaml,
                                         std::string_view file_name_for_errors,
                                         const LoadOptions& options) {
  return LoadParsed(yaml, file_name_for_errors, options);
}

Result<ValidatedConfig> LoadConfigFile(const std::string& path, const LoadOptions& options) {
  auto text = options.read_file ? options.read_file(path) : ReadFileFromDisk(path);
  if (!text) return text.error().WithContext("config file");
  return LoadParsed(*text, path, options);
}

}  // namespace slayer::config
