// The JSON of an IncidentList: the document of /api/v1/incidents (docs/report.md). Pure.
#pragma once

#include <string>

#include "insights/incidents.h"

namespace slayer::insights {

// {"since","until","incidents":[{"airflow_instance","rule","severity","dag_id","run_id",
//  "task_id","slot","state","need_by","missed_at","done_at","lateness_seconds",
//  "overdue_seconds"}],"truncated"}: keys in this order, no whitespace, no trailing newline.
// lateness_seconds is set for met_late, overdue_seconds (at list.now) for missed; else null.
// missed_at and done_at are null when unknown.
std::string IncidentsJson(const IncidentList& list);

}  // namespace slayer::insights
