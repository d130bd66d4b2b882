#include "app/health_state.h"

#include <algorithm>

namespace slayer::app {

HealthHistogram HealthState::schedule_delay() const {
  HealthHistogram all;
  for (const HealthHistogram& h : schedule_delay_by_class) {
    all.cumulative.resize(std::max(all.cumulative.size(), h.cumulative.size()), 0);
    for (size_t i = 0; i < h.cumulative.size(); ++i) all.cumulative[i] += h.cumulative[i];
    all.sum += h.sum;
    all.count += h.count;
  }
  return all;
}

}  // namespace slayer::app
