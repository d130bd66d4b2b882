#include "config/expand.h"

#include <cstdlib>

namespace slayer::config {
namespace {

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

std::optional<std::string> LookupProcessEnv(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

Result<std::string> ExpandEnv(std::string_view text, const EnvLookup& lookup,
                              std::vector<std::string>* used) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '$' || i + 1 == text.size()) {
      out.push_back(c);
      continue;
    }
    char next = text[i + 1];
    if (next == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    if (next != '{') {
      out.push_back(c);
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return InvalidArgumentError(
          "unclosed '${' (write ${NAME} for a variable, $$ for a literal '$')");
    }
    std::string_view inner = text.substr(i + 2, close - i - 2);
    size_t name_end = 0;
    while (name_end < inner.size() && IsNameChar(inner[name_end])) ++name_end;
    std::string_view name = inner.substr(0, name_end);
    std::string_view rest = inner.substr(name_end);
    bool has_default = rest.starts_with(":-");
    if (name.empty() || !IsNameStart(name[0]) || (!rest.empty() && !has_default)) {
      // Only the name part is quoted: a default may be a credential.
      std::string shown(name_end < inner.size() ? inner.substr(0, name_end + 1) : inner);
      return InvalidArgumentError("bad variable reference '${" + shown +
                                  "...': expected ${NAME} or ${NAME:-default}, NAME made of "
                                  "letters, digits and '_'");
    }
    std::optional<std::string> value = lookup ? lookup(name) : LookupProcessEnv(name);
    if (used != nullptr) used->emplace_back(name);
    if (has_default && (!value || value->empty())) {
      out += rest.substr(2);
    } else if (!value) {
      return InvalidArgumentError("environment variable " + std::string(name) +
                                  " is not set (set it, or write ${" + std::string(name) +
                                  ":-default} to give a default)");
    } else {
      out += *value;
    }
    i = close;
  }
  return out;
}

}  // namespace slayer::config
