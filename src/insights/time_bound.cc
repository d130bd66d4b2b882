#include "insights/time_bound.h"

#include <string>

namespace slayer::insights {

Result<Timestamp> ParseTimeBound(std::string_view text, Timestamp now) {
  auto bad = [&text] {
    return InvalidArgumentError(
        "'" + std::string(text) +
        "' is neither a duration back from now (30d, 12h, 1h30m) nor an "
        "RFC 3339 instant (2026-11-01T00:00:00Z; a date alone is midnight UTC)");
  };
  if (text.empty()) return bad();
  // An instant starts with a four-digit year; a duration with a number and a unit.
  const bool looks_like_instant =
      text.size() >= 5 && text[4] == '-' && text.find_first_not_of("0123456789") == 4;
  if (looks_like_instant) {
    Result<Timestamp> t = ParseTimestamp(text);
    if (!t) return bad();
    return *t;
  }
  Result<Duration> d = ParseDuration(text);
  if (!d || *d < Duration::zero()) return bad();
  return now - *d;
}

}  // namespace slayer::insights
