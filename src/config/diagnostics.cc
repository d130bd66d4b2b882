#include "config/diagnostics.h"

#include <algorithm>
#include <cctype>

#include "common/edit_distance.h"

namespace slayer::config::detail {
namespace {

// True when `a` is `b` or contains it ("rules[3]" contains "rules[3].interval").
bool Contains(std::string_view a, std::string_view b) {
  if (a.empty()) return true;  // the root: a config that failed to load as a whole
  if (!b.starts_with(a)) return false;
  return b.size() == a.size() || b[a.size()] == '.' || b[a.size()] == '[';
}

bool Related(std::string_view a, std::string_view b) { return Contains(a, b) || Contains(b, a); }

std::string Normalize(std::string_view s) {
  std::string out;
  for (char c : s) {
    out.push_back(c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

}  // namespace

Position SourceMap::Find(std::string_view path) const {
  while (true) {
    auto it = positions_.find(path);
    if (it != positions_.end()) return it->second;
    if (path.empty()) return {};
    path = ParentPath(path);
  }
}

std::string_view ParentPath(std::string_view path) {
  if (path.empty()) return path;
  if (path.back() == ']') {
    size_t open = path.rfind('[');
    return open == std::string_view::npos ? std::string_view{} : path.substr(0, open);
  }
  size_t dot = path.rfind('.');
  size_t bracket = path.rfind(']');
  if (dot == std::string_view::npos) return {};
  if (bracket != std::string_view::npos && bracket > dot) return path.substr(0, bracket + 1);
  return path.substr(0, dot);
}

void Diagnostics::Add(Position pos, std::string path, std::string message,
                      const std::vector<std::string>& depends_on) {
  if (!loading_) {
    for (const Error& e : errors_) {
      if (!e.from_loading) continue;
      if (Related(e.path, path)) return;
      for (const std::string& d : depends_on) {
        if (Related(e.path, d)) return;
      }
    }
  }
  errors_.push_back({pos, std::move(path), std::move(message), loading_});
}

void Diagnostics::AddSecret(std::string_view secret) {
  // Very short values would blank out ordinary words; they are never printed on purpose anyway.
  if (secret.size() >= 3) secrets_.emplace(secret);
}

Status Diagnostics::ToStatus(std::string_view file) const {
  std::vector<const Error*> sorted;
  for (const Error& e : errors_) sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Error* a, const Error* b) {
    if (a->pos.line != b->pos.line) return a->pos.line < b->pos.line;
    return a->pos.column < b->pos.column;
  });
  std::string out;
  size_t shown = 0;
  for (const Error* e : sorted) {
    if (shown == kMaxShown) break;
    std::string line;
    if (e->pos.line > 0) {
      line = std::string(file) + ":" + std::to_string(e->pos.line) + ":" +
             std::to_string(e->pos.column) + ": " + e->message;
    } else if (!e->path.empty()) {
      line = e->path + ": " + e->message;
    } else {
      line = e->message;
    }
    // Longest first, so that a secret containing another is replaced whole.
    std::vector<const std::string*> secrets;
    for (const std::string& s : secrets_) secrets.push_back(&s);
    std::sort(secrets.begin(), secrets.end(),
              [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
    for (const std::string* secret : secrets) {
      for (size_t at = line.find(*secret); at != std::string::npos;
           at = line.find(*secret, at + 3)) {
        line.replace(at, secret->size(), "***");
      }
    }
    if (!out.empty()) out += '\n';
    out += line;
    ++shown;
  }
  if (sorted.size() > shown) {
    out += '\n';
    out +=
        std::string(file) + ": " + std::to_string(sorted.size() - shown) + " more errors not shown";
  }
  return InvalidArgumentError(std::move(out));
}

std::string_view Suggest(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string w = Normalize(word);
  size_t limit = w.size() <= 4 ? 1 : w.size() <= 8 ? 2 : 3;
  std::string_view best;
  size_t best_distance = limit + 1;
  for (std::string_view c : candidates) {
    size_t d = EditDistance(w, Normalize(c));
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  if (!best.empty() || w.size() < 4) return best;
  // A truncated word ("dagrun.logical"): the one candidate it begins.
  for (std::string_view c : candidates) {
    if (Normalize(c).starts_with(w)) {
      if (!best.empty()) return {};
      best = c;
    }
  }
  return best;
}

std::string JoinNames(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

std::string Quote(std::string_view text) { return "'" + std::string(text) + "'"; }

}  // namespace slayer::config::detail
