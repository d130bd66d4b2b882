// Log: the process's structured logger. One line per event, logfmt or JSON, to stderr or an
// injected sink. Thread-safe: lines are formatted by the caller and written under one mutex.
// Configure once at start (SetLogLevel, SetLogFormat); STYLE.md section 7 for message style:
// lower-case message, stable snake_case keys, never secrets.
//
//   LogInfo("poll done", {{"instance", name}, {"duration_seconds", elapsed}});
//   -> ts=2026-11-23T10:00:00.123Z level=info msg="poll done" instance=prod duration_seconds=0.012
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"

namespace slayer {

class Clock;

enum class LogLevel { kDebug = 0, kInfo, kWarn, kError };
enum class LogFormat { kLogfmt, kJson };

// "debug", "info", "warn", "error" (the --log.level values); "logfmt", "json" (--log.format).
std::string_view LogLevelName(LogLevel level);
std::string_view LogFormatName(LogFormat format);
// kInvalidArgument naming the bad value and the accepted ones.
Result<LogLevel> ParseLogLevel(std::string_view text);
Result<LogFormat> ParseLogFormat(std::string_view text);

// The value of one field. Holds strings by reference: a LogValue lives only as long as the
// argument it was made from, which is what a call to Log needs. Strings are quoted and escaped as
// the format requires; numbers and booleans are written bare; a duration is written in seconds.
class LogValue {
 public:
  enum class Kind { kString, kInt, kUint, kDouble, kBool };

  LogValue(std::string_view s) : kind_(Kind::kString), str_(s), u_(0) {}      // NOLINT: implicit
  LogValue(const std::string& s) : kind_(Kind::kString), str_(s), u_(0) {}    // NOLINT
  LogValue(const char* s) : kind_(Kind::kString), str_(s ? s : ""), u_(0) {}  // NOLINT
  LogValue(bool b) : kind_(Kind::kBool), b_(b) {}                             // NOLINT
  template <std::signed_integral T>
  LogValue(T v) : kind_(Kind::kInt), i_(v) {}  // NOLINT
  // (bool takes the non-template constructor above.)
  template <std::unsigned_integral T>
  LogValue(T v) : kind_(Kind::kUint), u_(v) {}  // NOLINT
  template <std::floating_point T>
  LogValue(T v) : kind_(Kind::kDouble), d_(static_cast<double>(v)) {}  // NOLINT
  template <typename Rep, typename Period>
  LogValue(std::chrono::duration<Rep, Period> d)  // NOLINT
      : kind_(Kind::kDouble), d_(std::chrono::duration<double>(d).count()) {}

  Kind kind() const { return kind_; }
  std::string_view str() const { return str_; }
  int64_t int_value() const { return i_; }
  uint64_t uint_value() const { return u_; }
  double double_value() const { return d_; }
  bool bool_value() const { return b_; }

 private:
  Kind kind_;
  std::string_view str_;
  union {
    int64_t i_;
    uint64_t u_;
    double d_;
    bool b_;
  };
};

struct LogField {
  std::string_view key;  // snake_case; characters logfmt cannot carry become '_'
  LogValue value;
};

using LogFields = std::initializer_list<LogField>;

// Receives each formatted line, without the trailing newline. Called under the logger's mutex,
// one line at a time; it must not log.
using LogSink = std::function<void(std::string_view line)>;

// Global configuration. Thread-safe, meant to be set once at start (and by tests).
void SetLogLevel(LogLevel level);  // default kInfo
LogLevel GetLogLevel();
void SetLogFormat(LogFormat format);  // default kLogfmt
LogFormat GetLogFormat();
// nullptr (the default) writes to stderr.
void SetLogSink(LogSink sink);
// The clock for the `ts` field; nullptr (the default) is the system clock. `clock` must outlive
// every later log call.
void SetLogClock(const Clock* clock);

// True when a line at `level` would be written: guard fields that are costly to compute.
bool LogEnabled(LogLevel level);

// Writes one line when `level` is enabled. Keys ts, level and msg come first; `fields` follow in
// order.
void Log(LogLevel level, std::string_view msg, LogFields fields = {});
inline void LogDebug(std::string_view msg, LogFields fields = {}) {
  Log(LogLevel::kDebug, msg, fields);
}
inline void LogInfo(std::string_view msg, LogFields fields = {}) {
  Log(LogLevel::kInfo, msg, fields);
}
inline void LogWarn(std::string_view msg, LogFields fields = {}) {
  Log(LogLevel::kWarn, msg, fields);
}
inline void LogError(std::string_view msg, LogFields fields = {}) {
  Log(LogLevel::kError, msg, fields);
}

// The line Log would write, without the trailing newline; for tests and for callers that need the
// text itself. `ts` is written as given.
std::string FormatLogLine(LogFormat format, std::string_view ts, LogLevel level,
                          std::string_view msg, LogFields fields);

}  // namespace slayer
