#include "metrics/metric_names.h"

namespace slayer::metrics {
namespace {

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

bool IsIdentifier(std::string_view name) {
  if (name.empty() || !IsNameStart(name.front())) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

}  // namespace

bool IsValidMetricName(std::string_view name) { return IsIdentifier(name); }

bool IsValidLabelName(std::string_view name) {
  return IsIdentifier(name) && !name.starts_with("__");
}

}  // namespace slayer::metrics
