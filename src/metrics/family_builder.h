// FamilyBuilder: collects the samples of one metric family while a snapshot is built, then
// validates and sorts them into an immutable Family. Not thread-safe: one builder per family.
// The rules it enforces, and why, are in docs/metrics-format.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "metrics/family.h"
#include "metrics/metric_type.h"

namespace slayer::metrics {

class FamilyBuilder {
 public:
  // `bucket_bounds` is for histograms only: the buckets' upper bounds, strictly increasing, the
  // last one +Inf. A bad name, HELP, label name or bound list is reported by Build().
  FamilyBuilder(std::string name, std::string help, MetricType type,
                std::vector<std::string> label_names, std::vector<double> bucket_bounds = {});

  FamilyBuilder(const FamilyBuilder&) = delete;
  FamilyBuilder& operator=(const FamilyBuilder&) = delete;
  FamilyBuilder(FamilyBuilder&&) noexcept = default;
  FamilyBuilder& operator=(FamilyBuilder&&) noexcept = default;

  // Makes room for `samples` samples whose label values total `label_bytes` bytes. Optional.
  void Reserve(std::size_t samples, std::size_t label_bytes = 0);

  // Adds a gauge, counter or untyped sample: one label value per label name, in label_names()
  // order (the values are copied). A mistake (a wrong number of values, a value that is not
  // UTF-8, a negative or NaN counter, a histogram family) is kept for Build() to return, and the
  // builder ignores every later sample.
  void Add(std::initializer_list<std::string_view> label_values, double value);
  void Add(std::span<const std::string_view> label_values, double value);

  // Adds a histogram sample: `cumulative_counts` holds, for each bucket bound, how many
  // observations were less than or equal to it (non-decreasing; the last, for +Inf, is the
  // sample's _count), and `sum` is the sum of all observations. Mistakes as for Add().
  void AddHistogram(std::initializer_list<std::string_view> label_values,
                    std::span<const std::uint64_t> cumulative_counts, double sum);
  void AddHistogram(std::span<const std::string_view> label_values,
                    std::span<const std::uint64_t> cumulative_counts, double sum);

  // The first mistake so far, or OK.
  const Status& status() const { return status_; }

  // The family with its samples sorted by label values; or InvalidArgument naming the family
  // and, where one is to blame, the sample: the first mistake made while building, or two
  // samples with the same label values. Consumes the builder.
  Result<Family> Build() &&;
  // Build(), then appends the family to `out`; the error of Build() otherwise. Consumes the
  // builder.
  Status AppendTo(std::vector<Family>* out) &&;

 private:
  // Records the first mistake; later ones are consequences or noise.
  void Fail(std::string message);
  // Checks and appends one sample's label values; false (after Fail) when they are bad.
  bool AppendLabelValues(std::span<const std::string_view> label_values);
  // Reorders the samples as `order` lists them.
  void Permute(const std::vector<std::uint32_t>& order);
  // "{dag_id=\"a\",task_id=\"b\"}" for sample `sample`, for error messages.
  std::string DescribeSample(std::size_t sample) const;

  Status status_;
  Family family_;
};

}  // namespace slayer::metrics
