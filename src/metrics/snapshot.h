// Snapshot: the metric families of one poll, sorted by name, with no name twice. Immutable, so
// scrapes on any number of threads may render it at once while the next one is being built.
#pragma once

#include <utility>
#include <vector>

#include "common/result.h"
#include "metrics/family.h"

namespace slayer::metrics {

class Snapshot {
 public:
  // A snapshot without families; it renders as an empty exposition.
  Snapshot() = default;

  // Sorts `families` by name. Returns InvalidArgument when two families share a name.
  static Result<Snapshot> Create(std::vector<Family> families);

  // Sorted by name.
  const std::vector<Family>& families() const { return families_; }

 private:
  explicit Snapshot(std::vector<Family> families) : families_(std::move(families)) {}

  std::vector<Family> families_;
};

}  // namespace slayer::metrics
