// Internal to config/: the error list that loading and validation fill, the map from config
// paths ("rules[2].notify[0]") to file positions, and the did-you-mean helper. Not thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace slayer::config::detail {

// A place in the config file; 1-based. line == 0: unknown (a Config built in code).
struct Position {
  int line = 0;
  int column = 0;
};

// Where each loaded value sits in the file, by path: "airflow[0].database", "rules[3].match",
// "channels.slack.url", "silences[0].cron". Filled by the loader, read by the validator.
class SourceMap {
 public:
  void Set(const std::string& path, Position pos) { positions_.emplace(path, pos); }
  // The position of `path`, else of its closest recorded parent; {0, 0} when none.
  Position Find(std::string_view path) const;

 private:
  std::map<std::string, Position, std::less<>> positions_;
};

// The parent of a path: "rules[3].notify[1]" -> "rules[3].notify" -> "rules[3]" -> "rules" -> "".
std::string_view ParentPath(std::string_view path);

// Collects errors, then renders them as one Status: one "file:line:col: message" line each,
// ordered by position, at most kMaxShown of them.
class Diagnostics {
 public:
  static constexpr size_t kMaxShown = 20;

  // An error about the value at `path`. `depends_on` lists other values the error follows from
  // (see EndLoading).
  void Add(Position pos, std::string path, std::string message,
           const std::vector<std::string>& depends_on = {});

  // Ends the loading phase. Errors added afterwards (by validation) are dropped when they concern
  // a path related to one that already failed to load (the same value, a part of it, or a value
  // containing it): a rule whose `interval` did not parse is not also reported as having no kind.
  void EndLoading() { loading_ = false; }

  // Keeps `secret` out of every message (replaced by "***"), whatever produced the message.
  void AddSecret(std::string_view secret);

  bool empty() const { return errors_.empty(); }
  size_t size() const { return errors_.size(); }

  // REQUIRES: !empty(). kInvalidArgument; `file` names the file ("slayer.yml"). Errors without a
  // position read "path: message".
  Status ToStatus(std::string_view file) const;

 private:
  struct Error {
    Position pos;
    std::string path;
    std::string message;
    bool from_loading;
  };
  std::vector<Error> errors_;
  std::set<std::string> secrets_;
  bool loading_ = true;
};

// The candidate closest to `word` by edit distance when it is close enough to be a likely typo,
// else "". Used for "(did you mean 'reference'?)".
std::string_view Suggest(std::string_view word, const std::vector<std::string_view>& candidates);

// "a, b, c".
std::string JoinNames(const std::vector<std::string_view>& names);

// "'x'" with x quoted as given.
std::string Quote(std::string_view text);

}  // namespace slayer::config::detail
