// The JSON of a Report: the document of /api/v1/report and `slayer report --format json`, one
// function so that both print the same bytes (docs/report.md). Pure.
#pragma once

#include <string>

#include "insights/report.h"

namespace slayer::insights {

// {"since","until","group_by","groups":[{"key":{...},"evaluated","met","met_late","missed",
//  "abandoned","compliance","lateness_seconds":{"mean","p50","p95","max"},"by_hour":[24],
//  "by_weekday_hour":[7][24]}]}: keys in this order, no whitespace, no trailing newline.
// compliance and the lateness values are null when there is nothing to compute them from.
std::string ReportJson(const Report& report);

}  // namespace slayer::insights
