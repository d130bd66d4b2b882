#include "common/log.h"

#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <mutex>

#include "common/clock.h"

namespace slayer {
namespace {

struct LoggerState {
  std::atomic<LogLevel> level{LogLevel::kInfo};
  std::atomic<LogFormat> format{LogFormat::kLogfmt};
  std::atomic<const Clock*> clock{nullptr};
  std::mutex mu;
  LogSink sink;  // GUARDED_BY(mu)
};

// Never destroyed, so that logging from other static destructors stays safe.
LoggerState& State() {
  static LoggerState* state = new LoggerState();
  return *state;
}

constexpr char kHex[] = "0123456789abcdef";

// The length of the valid UTF-8 sequence starting at s[i], or 0 when the bytes there are not
// valid UTF-8 (overlong forms, surrogates and code points past U+10FFFF included).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80;
  unsigned char hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
  }
  return len;
}

// Appends `s` between double quotes with JSON escapes; invalid UTF-8 becomes U+FFFD. Both
// formats use it: logfmt's quoted values follow the same rules (as in go-logfmt).
void AppendQuoted(std::string& out, std::string_view s) {
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t len = Utf8SequenceLength(s, i);
      if (len == 0) {
        out.append("\\ufffd");
        ++i;
      } else {
        out.append(s.substr(i, len));
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

// logfmt leaves a value bare unless it is empty or holds a space, '=', '"', a control character
// or bytes that are not UTF-8.
bool NeedsQuotes(std::string_view s) {
  if (s.empty()) return true;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c <= ' ' || c == '=' || c == '"' || c == 0x7f) return true;
    if (c >= 0x80) {
      size_t len = Utf8SequenceLength(s, i);
      if (len == 0) return true;
      i += len;
    } else {
      ++i;
    }
  }
  return false;
}

void AppendLogfmtKey(std::string& out, std::string_view key) {
  if (key.empty()) {
    out.push_back('_');
    return;
  }
  for (char ch : key) {
    unsigned char c = static_cast<unsigned char>(ch);
    out.push_back(c <= ' ' || c == '=' || c == '"' || c == 0x7f ? '_' : ch);
  }
}

template <typename T>
void AppendNumber(std::string& out, T v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  if (ec == std::errc()) out.append(buf, end);
}

// Non-finite doubles in the Prometheus spelling; JSON has no literal for them, so they are quoted
// there.
std::string_view NonFiniteName(double d) {
  if (std::isnan(d)) return "NaN";
  return d > 0 ? "+Inf" : "-Inf";
}

void AppendValue(std::string& out, LogFormat format, const LogValue& v) {
  switch (v.kind()) {
    case LogValue::Kind::kString:
      if (format == LogFormat::kJson || NeedsQuotes(v.str())) {
        AppendQuoted(out, v.str());
      } else {
        out.append(v.str());
      }
      return;
    case LogValue::Kind::kInt:
      AppendNumber(out, v.int_value());
      return;
    case LogValue::Kind::kUint:
      AppendNumber(out, v.uint_value());
      return;
    case LogValue::Kind::kDouble:
      if (std::isfinite(v.double_value())) {
        AppendNumber(out, v.double_value());
      } else if (format == LogFormat::kJson) {
        AppendQuoted(out, NonFiniteName(v.double_value()));
      } else {
        out.append(NonFiniteName(v.double_value()));
      }
      return;
    case LogValue::Kind::kBool:
      out.append(v.bool_value() ? "true" : "false");
      return;
  }
}

void AppendLine(std::string& out, LogFormat format, std::string_view ts, LogLevel level,
                std::string_view msg, LogFields fields) {
  if (format == LogFormat::kJson) {
    out.append("{\"ts\":");
    AppendQuoted(out, ts);
    out.append(",\"level\":\"");
    out.append(LogLevelName(level));
    out.append("\",\"msg\":");
    AppendQuoted(out, msg);
    for (const LogField& f : fields) {
      out.push_back(',');
      AppendQuoted(out, f.key);
      out.push_back(':');
      AppendValue(out, format, f.value);
    }
    out.push_back('}');
    return;
  }
  out.append("ts=");
  out.append(ts);
  out.append(" level=");
  out.append(LogLevelName(level));
  out.append(" msg=");
  AppendValue(out, format, LogValue(msg));
  for (const LogField& f : fields) {
    out.push_back(' ');
    AppendLogfmtKey(out, f.key);
    out.push_back('=');
    AppendValue(out, format, f.value);
  }
}

// "2026-11-23T10:00:00.123Z": UTC, milliseconds, fixed width.
void AppendTimestamp(std::string& out, Timestamp t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss<milliseconds> hms(floor<milliseconds>(t - day));
  char buf[32];
  int n = std::snprintf(
      buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
      static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
      static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
  if (n > 0) out.append(buf, static_cast<size_t>(n));
}

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "unknown";
}

std::string_view LogFormatName(LogFormat format) {
  return format == LogFormat::kJson ? "json" : "logfmt";
}

Result<LogLevel> ParseLogLevel(std::string_view text) {
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (text == LogLevelName(l)) return l;
  }
  return InvalidArgumentError("unknown log level \"" + std::string(text) +
                              "\" (accepted: debug, info, warn, error)");
}

Result<LogFormat> ParseLogFormat(std::string_view text) {
  for (LogFormat f : {LogFormat::kLogfmt, LogFormat::kJson}) {
    if (text == LogFormatName(f)) return f;
  }
  return InvalidArgumentError("unknown log format \"" + std::string(text) +
                              "\" (accepted: logfmt, json)");
}

void SetLogLevel(LogLevel level) { State().level.store(level, std::memory_order_relaxed); }
LogLevel GetLogLevel() { return State().level.load(std::memory_order_relaxed); }
void SetLogFormat(LogFormat format) { State().format.store(format, std::memory_order_relaxed); }
LogFormat GetLogFormat() { return State().format.load(std::memory_order_relaxed); }

void SetLogSink(LogSink sink) {
  LoggerState& state = State();
  std::lock_guard lock(state.mu);
  state.sink = std::move(sink);
}

void SetLogClock(const Clock* clock) { State().clock.store(clock, std::memory_order_release); }

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= static_cast<int>(GetLogLevel());
}

std::string FormatLogLine(LogFormat format, std::string_view ts, LogLevel level,
                          std::string_view msg, LogFields fields) {
  std::string out;
  AppendLine(out, format, ts, level, msg, fields);
  return out;
}

void Log(LogLevel level, std::string_view msg, LogFields fields) {
  if (!LogEnabled(level)) return;
  LoggerState& state = State();
  const Clock* clock = state.clock.load(std::memory_order_acquire);
  Timestamp now = clock != nullptr ? clock->Now() : SystemClock().Now();

  // Formatting happens outside the lock, into a per-thread buffer that keeps its capacity.
  thread_local std::string line;
  line.clear();
  std::string ts;
  AppendTimestamp(ts, now);
  AppendLine(line, state.format.load(std::memory_order_relaxed), ts, level, msg, fields);

  std::lock_guard lock(state.mu);
  if (state.sink) {
    state.sink(line);
    return;
  }
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace slayer
