#include "common/time.h"

#include <charconv>
#include <cstdint>

namespace slayer {
namespace {

// Reads exactly `n` digits at `pos`; advances `pos`.
bool ReadDigits(std::string_view s, size_t& pos, int n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  pos += n;
  return true;
}

Status BadTimestamp(std::string_view text) {
  return InvalidArgumentError("cannot parse timestamp '" + std::string(text) + "'");
}

}  // namespace

Result<Timestamp> ParseTimestamp(std::string_view text) {
  using namespace std::chrono;
  std::string_view s = text;
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(s, pos, 4, year) || pos >= s.size() || s[pos++] != '-' ||
      !ReadDigits(s, pos, 2, month) || pos >= s.size() || s[pos++] != '-' ||
      !ReadDigits(s, pos, 2, day)) {
    return BadTimestamp(text);
  }
  if (pos < s.size() && (s[pos] == ' ' || s[pos] == 'T' || s[pos] == 't')) {
    ++pos;
    if (!ReadDigits(s, pos, 2, hour) || pos >= s.size() || s[pos++] != ':' ||
        !ReadDigits(s, pos, 2, minute)) {
      return BadTimestamp(text);
    }
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!ReadDigits(s, pos, 2, second)) return BadTimestamp(text);
    }
  }
  int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0 || digits > 9) return BadTimestamp(text);
    for (int i = digits; i < 6; ++i) micros *= 10;
  }
  int offset_seconds = 0;
  if (pos < s.size()) {
    char c = s[pos];
    if (c == 'Z' || c == 'z') {
      ++pos;
    } else if (c == '+' || c == '-') {
      ++pos;
      int oh = 0, om = 0;
      if (!ReadDigits(s, pos, 2, oh)) return BadTimestamp(text);
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (pos < s.size()) {
        if (!ReadDigits(s, pos, 2, om)) return BadTimestamp(text);
      }
      offset_seconds = (oh * 3600 + om * 60) * (c == '-' ? -1 : 1);
    } else {
      return BadTimestamp(text);
    }
  }
  if (pos != s.size()) return BadTimestamp(text);
  year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                     std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return BadTimestamp(text);
  Timestamp t = sys_days(ymd) + hours(hour) + minutes(minute) + seconds(second) +
                microseconds(micros) - seconds(offset_seconds);
  return t;
}

namespace {

std::string FormatParts(Timestamp t, char sep, bool always_fraction) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd(day);
  hh_mm_ss<Duration> tod(t - day);
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u%c%02d:%02d:%02d", int(ymd.year()),
                        unsigned(ymd.month()), unsigned(ymd.day()), sep,
                        int(tod.hours().count()), int(tod.minutes().count()),
                        int(tod.seconds().count()));
  std::string out(buf, n);
  auto frac = tod.subseconds().count();
  if (always_fraction || frac != 0) {
    n = std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
    out.append(buf, n);
  }
  return out;
}

}  // namespace

std::string FormatSqlTimestamp(Timestamp t) { return FormatParts(t, ' ', true); }

std::string FormatRfc3339(Timestamp t) { return FormatParts(t, 'T', false) + "Z"; }

Result<Duration> ParseDuration(std::string_view text) {
  using namespace std::chrono;
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError("invalid duration '" + std::string(text) + "': " +
                                std::string(why) + " (examples: 90s, 45m, 2h, 7d, 1h30m)");
  };
  if (text.empty()) return bad("empty");
  Duration total{0};
  size_t pos = 0;
  bool negative = false;
  if (text[0] == '-') {
    negative = true;
    pos = 1;
  }
  if (pos == text.size()) return bad("no number");
  while (pos < text.size()) {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data() + pos) return bad("expected a number");
    pos = end - text.data();
    size_t unit_start = pos;
    while (pos < text.size() && text[pos] >= 'a' && text[pos] <= 'z') ++pos;
    std::string_view unit = text.substr(unit_start, pos - unit_start);
    Duration d;
    if (unit == "ms") d = milliseconds(value);
    else if (unit == "s") d = seconds(value);
    else if (unit == "m") d = minutes(value);
    else if (unit == "h") d = hours(value);
    else if (unit == "d") d = days(value);
    else if (unit == "w") d = weeks(value);
    else if (unit.empty()) return bad("missing unit (ms, s, m, h, d, w)");
    else return bad("unknown unit '" + std::string(unit) + "'");
    total += d;
  }
  return negative ? -total : total;
}

std::string FormatDuration(Duration d) {
  using namespace std::chrono;
  if (d == Duration::zero()) return "0s";
  std::string out;
  if (d < Duration::zero()) {
    out = "-";
    d = -d;
  }
  auto emit = [&](auto unit, const char* suffix) {
    auto n = duration_cast<decltype(unit)>(d);
    if (n.count() > 0) {
      out += std::to_string(n.count()) + suffix;
      d -= duration_cast<Duration>(n);
    }
  };
  emit(days(1), "d");
  emit(hours(1), "h");
  emit(minutes(1), "m");
  emit(seconds(1), "s");
  emit(milliseconds(1), "ms");
  if (d.count() > 0) out += std::to_string(d.count()) + "us";
  return out;
}

}  // namespace slayer
