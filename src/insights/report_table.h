// The text table of a Report (`slayer report`, the default format): aligned columns per group,
// a total line, and by-hour histograms as bar charts. Pure; for people, not for parsing (use
// JSON or CSV for that).
#pragma once

#include <string>

#include "insights/report.h"

namespace slayer::insights {

struct TableOptions {
  // The by-hour histogram of every group with misses. A report of one group always has it.
  bool hours = false;
};

// Example (docs/report.md has the whole):
//   DAG     EVALUATED  MET  MET_LATE  MISSED  ABANDONED  COMPLIANCE  LATE_MEAN  LATE_P95  LATE_MAX
//   etl            30   27         2       1          0       90.0%        12m       40m     1h2m
// Compliance is rounded down to 0.1% (so 100.0% means every item was met); "-" where a value
// is null; lateness rounded to the second.
std::string ReportTable(const Report& report, const TableOptions& options);

// The by-hour histogram of one group: a line per local hour, a bar of '#' scaled to the
// busiest hour (at most 40 wide) and the count.
std::string HourHistogram(const ReportGroup& group, const std::string& title);

}  // namespace slayer::insights
