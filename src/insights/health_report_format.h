// The forms of a HealthReport: JSON (the document of GET /api/v1/health and `slayer report
// --health --format json`, one function so that both print the same bytes), CSV and the text
// table. Pure; documented in docs/health.md#uptime.
#pragma once

#include <string>

#include "insights/health_report.h"

namespace slayer::insights {

// {"windows":[{"window","since","until"}],"instances":[{"airflow_instance","windows":[{"window",
//  "uptime","up_seconds","down_seconds","unknown_seconds","outages","longest_outage_seconds"}]}]}
// keys in this order, no whitespace, no trailing newline; uptime is null when nothing is known.
std::string HealthReportJson(const HealthReport& report);

// A header line, then one line per instance and window: airflow_instance, window, since, until,
// uptime (a fraction; empty when null), up_seconds, down_seconds, unknown_seconds, outages,
// longest_outage_seconds. RFC 4180 quoting; "\n" line ends.
std::string HealthReportCsv(const HealthReport& report);

// Aligned columns per instance and window:
//   INSTANCE  WINDOW  UPTIME   UP      DOWN  UNKNOWN  OUTAGES  LONGEST_OUTAGE
//   prod      7d      99.95%   6d23h   5m    0s             1  5m
// Uptime is rounded down to 0.01% (100.00% only without down time), "-" when nothing is known;
// durations rounded to the second.
std::string HealthReportTable(const HealthReport& report);

}  // namespace slayer::insights
