// Time values in UTC with microsecond precision (Airflow's resolution), and their text forms:
// the timestamp text of each database backend and RFC 3339 for the API. Pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace slayer {

using Duration = std::chrono::microseconds;
using Timestamp = std::chrono::sys_time<Duration>;

// Parses the timestamp text that the three backends return:
//   PostgreSQL timestamptz (session time zone UTC): "2024-01-02 03:04:05.123456+00"
//   PostgreSQL/SQLite/MySQL naive:                   "2024-01-02 03:04:05[.ffffff]"
//   RFC 3339:                                        "2024-01-02T03:04:05.1Z", "...+05:30"
// A value without an offset is UTC (Airflow stores UTC everywhere). Fractions of up to 9 digits
// are accepted and truncated to microseconds.
Result<Timestamp> ParseTimestamp(std::string_view text);

// "2024-01-02 03:04:05.123456": the form SQLite stores and all three backends accept as a
// parameter for a UTC timestamp (the session time zone is UTC on PostgreSQL and MySQL).
std::string FormatSqlTimestamp(Timestamp t);

// "2024-01-02T03:04:05Z", or with ".123456" when the value has a fraction of a second.
std::string FormatRfc3339(Timestamp t);

// Parses "90s", "45m", "2h", "7d", "1h30m", "500ms". Errors name the offending text.
Result<Duration> ParseDuration(std::string_view text);

// Formats a duration the way ParseDuration reads it ("1h30m", "0s").
std::string FormatDuration(Duration d);

}  // namespace slayer
