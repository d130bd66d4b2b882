#include "metrics/snapshot.h"

#include <algorithm>
#include <utility>

#include "common/status.h"

namespace slayer::metrics {

Result<Snapshot> Snapshot::Create(std::vector<Family> families) {
  std::sort(families.begin(), families.end(),
            [](const Family& a, const Family& b) { return a.name() < b.name(); });
  for (std::size_t i = 1; i < families.size(); ++i) {
    if (families[i - 1].name() == families[i].name()) {
      return InvalidArgumentError("metric family \"" + families[i].name() +
                                  "\" appears twice in the snapshot");
    }
  }
  return Snapshot(std::move(families));
}

}  // namespace slayer::metrics
