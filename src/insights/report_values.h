// How the report documents (history, uptime and task analytics; JSON, CSV and table) spell their
// values: seconds, round-trip numbers, percentages, rounded durations and the
// {"mean","p50","p95","max"} statistics. Shared by the writers so that the forms agree. Pure.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "common/time.h"
#include "insights/lateness_stats.h"

namespace slayer::insights {

// A duration in seconds, the unit of every duration in the JSON and CSV documents.
double Seconds(Duration d);

// The shortest text that reads back as the same double (the CSV's numbers).
std::string NumberText(double v);

// `fraction` as a percentage with `decimals` (1 or 2) digits after the point, rounded down, or
// up when `round_up` (so that 100% and 0% are exact); "-" when std::nullopt.
std::string PercentText(std::optional<double> fraction, int decimals, bool round_up = false);

// `d` rounded to the second, as FormatDuration spells it ("5m3s", "0s").
std::string RoundedDuration(Duration d);

// The value, or null.
nlohmann::ordered_json NullableJson(std::optional<double> v);

// {"mean","p50","p95","max"} in seconds; all null when `s` summarises nothing.
nlohmann::ordered_json StatsJson(const LatenessStats& s);

}  // namespace slayer::insights
