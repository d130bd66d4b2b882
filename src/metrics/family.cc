#include "metrics/family.h"

namespace slayer::metrics {

std::string_view Family::label_value(std::size_t sample, std::size_t label) const {
  const std::size_t k = sample * label_names_.size() + label;
  const std::size_t begin = k == 0 ? 0 : label_ends_[k - 1];
  return std::string_view(label_data_).substr(begin, label_ends_[k] - begin);
}

std::span<const std::uint64_t> Family::bucket_counts(std::size_t sample) const {
  const std::size_t n = bucket_bounds_.size();
  return std::span<const std::uint64_t>(bucket_counts_).subspan(sample * n, n);
}

}  // namespace slayer::metrics
