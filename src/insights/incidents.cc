#include "insights/incidents.h"

#include <algorithm>

namespace slayer::insights {

bool IsIncident(const rules::Item& item) {
  switch (item.state) {
    case rules::ItemState::kMissed:
    case rules::ItemState::kMetLate:
      return true;
    case rules::ItemState::kAbandoned:
      return item.missed_at.has_value();
    case rules::ItemState::kPending:
    case rules::ItemState::kAtRisk:
    case rules::ItemState::kMet:
      return false;
  }
  return false;
}

IncidentList BuildIncidents(std::span<const rules::Item> items, const IncidentOptions& options) {
  IncidentList list;
  list.since = options.since;
  list.until = options.until;
  list.now = options.now;
  for (const rules::Item& item : items) {
    if (item.need_by < options.since || item.need_by >= options.until) continue;
    if (!IsIncident(item)) continue;
    if (!options.states.empty() && std::find(options.states.begin(), options.states.end(),
                                             item.state) == options.states.end()) {
      continue;
    }
    list.incidents.push_back(item);
  }
  std::sort(list.incidents.begin(), list.incidents.end(),
            [](const rules::Item& a, const rules::Item& b) {
              if (a.need_by != b.need_by) return a.need_by > b.need_by;
              return a.key < b.key;
            });
  if (list.incidents.size() > options.limit) {
    list.incidents.resize(options.limit);
    list.truncated = true;
  }
  return list;
}

}  // namespace slayer::insights
