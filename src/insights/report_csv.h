// The CSV of a Report (`slayer report --format csv`): a header line, then one line per group,
// for spreadsheets. Pure; the columns are in docs/report.md.
#pragma once

#include <string>
#include <string_view>

#include "insights/report.h"

namespace slayer::insights {

// Columns: the key (dag_id | rule | dag_id,task_id), evaluated, met, met_late, missed,
// abandoned, compliance (a fraction, empty when null), lateness_{mean,p50,p95,max}_seconds
// (empty when no met_late), misses_hour_00 ... misses_hour_23 (the by_hour counts). Fields are
// quoted as RFC 4180 says (when they hold a comma, quote, CR or LF; quotes doubled); each line
// ends with "\n".
std::string ReportCsv(const Report& report);

// One CSV field, quoted when it must be.
std::string CsvField(std::string_view text);

}  // namespace slayer::insights
