// Family: one metric family of a snapshot (name, HELP, type, label names) and its samples,
// validated and sorted by label values. Built by FamilyBuilder and immutable afterwards, so any
// number of threads may read (and render) it at once. Text exposition: docs/metrics-format.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/metric_type.h"

namespace slayer::metrics {

class Family {
 public:
  Family(const Family&) = default;
  Family& operator=(const Family&) = default;
  Family(Family&&) noexcept = default;
  Family& operator=(Family&&) noexcept = default;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // The number of samples: label sets, each one series (a histogram's label set renders as its
  // bucket, _sum and _count series). Samples are indexed in rendering order: ascending by their
  // label values, compared as byte strings, first label first.
  std::size_t size() const { return values_.size(); }
  bool empty() const { return values_.empty(); }

  // The unescaped value of label `label` (an index into label_names()) of sample `sample`.
  // REQUIRES: sample < size(), label < label_names().size().
  std::string_view label_value(std::size_t sample, std::size_t label) const;

  // The sample's value. REQUIRES: type() != kHistogram, sample < size().
  double value(std::size_t sample) const { return values_[sample]; }

  // Histograms: the bucket upper bounds, strictly increasing, the last one +Inf. Empty for other
  // types.
  const std::vector<double>& bucket_bounds() const { return bucket_bounds_; }
  // Histograms: the cumulative count of each bucket of `sample`, in bucket_bounds() order.
  // REQUIRES: type() == kHistogram, sample < size().
  std::span<const std::uint64_t> bucket_counts(std::size_t sample) const;
  // Histograms: the sum of the observations, and their count (that of the +Inf bucket).
  // REQUIRES: type() == kHistogram, sample < size().
  double sum(std::size_t sample) const { return values_[sample]; }
  std::uint64_t count(std::size_t sample) const { return bucket_counts(sample).back(); }

 private:
  friend class FamilyBuilder;
  friend class TextRenderer;

  Family() = default;

  // Where sample i's values start in label_data_.
  std::size_t LabelsBegin(std::size_t sample) const {
    const std::size_t k = sample * label_names_.size();
    return k == 0 ? 0 : label_ends_[k - 1];
  }

  std::string name_;
  std::string help_;
  MetricType type_ = MetricType::kUntyped;
  std::vector<std::string> label_names_;
  std::vector<double> bucket_bounds_;

  // All label values of all samples, concatenated in sample order; label_ends_[i * L + j] is
  // where value j of sample i ends (L labels per sample). One buffer instead of a string per value
  // keeps building cheap and rendering a sequential read.
  std::string label_data_;
  std::vector<std::uint32_t> label_ends_;
  // Per sample: the value (gauge, counter, untyped) or the sum (histogram).
  std::vector<double> values_;
  // Histograms: bucket_bounds_.size() cumulative counts per sample.
  std::vector<std::uint64_t> bucket_counts_;
  // Per sample: 1 when a label value holds a character the text format escapes.
  std::vector<std::uint8_t> needs_escaping_;
  // The size of label_data_ once escaped, so a renderer can size its output up front.
  std::size_t escaped_label_bytes_ = 0;
};

}  // namespace slayer::metrics
