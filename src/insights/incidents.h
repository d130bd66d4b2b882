// IncidentList: the misses of a time window, newest first, for /api/v1/incidents: items that
// are missed now, were missed and then finished (met_late), or were missed and then abandoned.
// Pure computation over store items; value types. The JSON is in docs/report.md.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "common/time.h"
#include "rules/item.h"

namespace slayer::insights {

struct IncidentOptions {
  Timestamp since;  // items with need_by >= since ...
  Timestamp until;  // ... and need_by < until
  Timestamp now;    // overdue_seconds of open misses is measured at this instant
  // Which incident states to list: any of kMissed, kMetLate, kAbandoned; empty = all three.
  std::vector<rules::ItemState> states;
  size_t limit = 1000;  // at most this many, the newest by need_by
};

struct IncidentList {
  Timestamp since;
  Timestamp until;
  Timestamp now;
  std::vector<rules::Item> incidents;  // newest need_by first, then by key
  bool truncated = false;              // more incidents matched than `limit`
};

// True for an item that is or was a miss: missed, met_late, or abandoned after its miss was
// declared (missed_at set). An item abandoned before its need-by, or before SLAyer declared the
// miss, is not an incident.
bool IsIncident(const rules::Item& item);

// The incidents among `items` (any order) whose need_by is in [since, until) and whose state is
// one of options.states.
IncidentList BuildIncidents(std::span<const rules::Item> items, const IncidentOptions& options);

}  // namespace slayer::insights
