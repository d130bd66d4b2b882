#include "metrics/family_builder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <utility>

#include "metrics/escaping.h"
#include "metrics/metric_names.h"
#include "metrics/number_format.h"
#include "metrics/utf8.h"

namespace slayer::metrics {
namespace {

// Series names a histogram renders; another family with such a name could collide with them.
constexpr std::string_view kHistogramSuffixes[] = {"_bucket", "_count", "_sum"};

// Labels the text format gives a meaning to: `le` for histogram buckets, `quantile` for
// summaries. promtool flags them on other types, and on a histogram `le` is ours to write.
constexpr std::string_view kReservedLabelNames[] = {"le", "quantile"};

// Returns a reason why a family with this name, HELP, type and labels cannot be exported, or
// an empty string when it can.
std::string CheckSchema(const std::string& name, const std::string& help, MetricType type,
                        const std::vector<std::string>& label_names,
                        const std::vector<double>& bounds) {
  if (!IsValidMetricName(name)) {
    return "invalid metric name: it must match [a-zA-Z_][a-zA-Z0-9_]* (exporters may not use "
           "colons)";
  }
  if (help.empty()) return "HELP text must not be empty";
  if (!IsValidUtf8(help)) return "HELP text is not valid UTF-8";
  const bool is_total = name.ends_with("_total");
  if (type == MetricType::kCounter && !is_total) return "a counter's name must end in _total";
  if ((type == MetricType::kGauge || type == MetricType::kHistogram) && is_total) {
    return "only counters may have a name ending in _total";
  }
  if (type != MetricType::kHistogram) {
    for (std::string_view suffix : kHistogramSuffixes) {
      if (name.ends_with(suffix)) {
        return "a name ending in " + std::string(suffix) + " is reserved for histogram series";
      }
    }
  }
  for (std::size_t i = 0; i < label_names.size(); ++i) {
    const std::string& label = label_names[i];
    if (!IsValidLabelName(label)) {
      return "invalid label name \"" + EscapeLabelValue(label) +
             "\": it must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __";
    }
    for (std::string_view reserved : kReservedLabelNames) {
      if (label == reserved) return "label name \"" + label + "\" is reserved";
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (label_names[j] == label) return "label name \"" + label + "\" appears twice";
    }
  }
  if (type != MetricType::kHistogram) {
    if (!bounds.empty()) return "only histograms have bucket bounds";
    return "";
  }
  if (bounds.empty() || bounds.back() != std::numeric_limits<double>::infinity()) {
    return "a histogram's last bucket bound must be +Inf";
  }
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (std::isnan(bounds[i])) return "a bucket bound is NaN";
    if (i > 0 && !(bounds[i - 1] < bounds[i])) {
      return "bucket bounds must be strictly increasing, got " +
             SampleValueToString(bounds[i - 1]) + " before " + SampleValueToString(bounds[i]);
    }
  }
  return "";
}

}  // namespace

FamilyBuilder::FamilyBuilder(std::string name, std::string help, MetricType type,
                             std::vector<std::string> label_names,
                             std::vector<double> bucket_bounds) {
  family_.name_ = std::move(name);
  family_.help_ = std::move(help);
  family_.type_ = type;
  family_.label_names_ = std::move(label_names);
  family_.bucket_bounds_ = std::move(bucket_bounds);
  std::string problem =
      CheckSchema(family_.name_, family_.help_, type, family_.label_names_, family_.bucket_bounds_);
  if (!problem.empty()) Fail(std::move(problem));
}

void FamilyBuilder::Reserve(std::size_t samples, std::size_t label_bytes) {
  family_.label_data_.reserve(label_bytes);
  family_.label_ends_.reserve(samples * family_.label_names_.size());
  family_.values_.reserve(samples);
  family_.bucket_counts_.reserve(samples * family_.bucket_bounds_.size());
  family_.needs_escaping_.reserve(samples);
}

void FamilyBuilder::Add(std::initializer_list<std::string_view> label_values, double value) {
  Add(std::span<const std::string_view>(label_values.begin(), label_values.size()), value);
}

void FamilyBuilder::Add(std::span<const std::string_view> label_values, double value) {
  if (!status_.ok()) return;
  if (family_.type_ == MetricType::kHistogram) {
    Fail("a histogram's samples are added with AddHistogram");
    return;
  }
  if (!AppendLabelValues(label_values)) return;
  family_.values_.push_back(value);
  if (family_.type_ == MetricType::kCounter && !(value >= 0)) {
    Fail("sample " + DescribeSample(family_.size() - 1) + ": a counter must be >= 0, got " +
         SampleValueToString(value));
  }
}

void FamilyBuilder::AddHistogram(std::initializer_list<std::string_view> label_values,
                                 std::span<const std::uint64_t> cumulative_counts, double sum) {
  AddHistogram(std::span<const std::string_view>(label_values.begin(), label_values.size()),
               cumulative_counts, sum);
}

void FamilyBuilder::AddHistogram(std::span<const std::string_view> label_values,
                                 std::span<const std::uint64_t> cumulative_counts, double sum) {
  if (!status_.ok()) return;
  if (family_.type_ != MetricType::kHistogram) {
    Fail("only histograms take AddHistogram; a " + std::string(MetricTypeName(family_.type_)) +
         "'s samples are added with Add");
    return;
  }
  if (!AppendLabelValues(label_values)) return;
  family_.values_.push_back(sum);
  const std::size_t sample = family_.size() - 1;
  if (cumulative_counts.size() != family_.bucket_bounds_.size()) {
    Fail("sample " + DescribeSample(sample) + ": " + std::to_string(cumulative_counts.size()) +
         " bucket counts for " + std::to_string(family_.bucket_bounds_.size()) + " buckets");
    return;
  }
  if (!std::is_sorted(cumulative_counts.begin(), cumulative_counts.end())) {
    Fail("sample " + DescribeSample(sample) +
         ": bucket counts must be cumulative (non-decreasing)");
    return;
  }
  family_.bucket_counts_.insert(family_.bucket_counts_.end(), cumulative_counts.begin(),
                                cumulative_counts.end());
}

bool FamilyBuilder::AppendLabelValues(std::span<const std::string_view> label_values) {
  const std::vector<std::string>& names = family_.label_names_;
  if (label_values.size() != names.size()) {
    Fail("sample #" + std::to_string(family_.size()) + " has " +
         std::to_string(label_values.size()) + " label values for " + std::to_string(names.size()) +
         " label names");
    return false;
  }
  std::size_t escapes = 0;
  for (std::size_t j = 0; j < label_values.size(); ++j) {
    const std::string_view value = label_values[j];
    if (!IsValidUtf8(value)) {
      Fail("sample #" + std::to_string(family_.size()) + ": the value of label \"" + names[j] +
           "\" is not valid UTF-8");
      return false;
    }
    if (value.size() > std::numeric_limits<std::uint32_t>::max() - family_.label_data_.size()) {
      Fail("the label values of a family may total at most 4 GiB");
      return false;
    }
    escapes += CountLabelValueEscapes(value);
    family_.label_data_.append(value);
    family_.label_ends_.push_back(static_cast<std::uint32_t>(family_.label_data_.size()));
  }
  family_.needs_escaping_.push_back(escapes > 0 ? 1 : 0);
  family_.escaped_label_bytes_ += escapes;
  return true;
}

Result<Family> FamilyBuilder::Build() && {
  if (!status_.ok()) return status_;
  const std::size_t n = family_.size();
  if (n > std::numeric_limits<std::uint32_t>::max()) {
    return InvalidArgumentError("metric family \"" + family_.name_ + "\": too many samples");
  }
  // AppendLabelValues counted the escapes; add the bytes they escape.
  family_.escaped_label_bytes_ += family_.label_data_.size();

  const std::size_t label_count = family_.label_names_.size();
  const char* const data = family_.label_data_.data();
  const std::uint32_t* const ends = family_.label_ends_.data();
  // Compares two samples' label values as byte strings, first label first.
  auto compare = [&](std::uint32_t a, std::uint32_t b) {
    const std::size_t ka = a * label_count;
    const std::size_t kb = b * label_count;
    std::size_t pa = ka == 0 ? 0 : ends[ka - 1];
    std::size_t pb = kb == 0 ? 0 : ends[kb - 1];
    for (std::size_t j = 0; j < label_count; ++j) {
      const std::size_t ea = ends[ka + j];
      const std::size_t eb = ends[kb + j];
      const int c = std::memcmp(data + pa, data + pb, std::min(ea - pa, eb - pb));
      if (c != 0) return c;
      if (ea - pa != eb - pb) return ea - pa < eb - pb ? -1 : 1;
      pa = ea;
      pb = eb;
    }
    return 0;
  };
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  auto less = [&](std::uint32_t a, std::uint32_t b) { return compare(a, b) < 0; };
  // Collectors often add samples in order already; checking that is much cheaper than sorting.
  const bool sorted = std::is_sorted(order.begin(), order.end(), less);
  if (!sorted) std::sort(order.begin(), order.end(), less);
  for (std::size_t i = 1; i < n; ++i) {
    if (compare(order[i - 1], order[i]) == 0) {
      return InvalidArgumentError("metric family \"" + family_.name_ +
                                  "\": two samples with label values " + DescribeSample(order[i]));
    }
  }
  if (!sorted) Permute(order);
  return std::move(family_);
}

void FamilyBuilder::Permute(const std::vector<std::uint32_t>& order) {
  const std::size_t label_count = family_.label_names_.size();
  const std::size_t bucket_count = family_.bucket_bounds_.size();
  std::string label_data;
  label_data.reserve(family_.label_data_.size());
  std::vector<std::uint32_t> label_ends;
  label_ends.reserve(family_.label_ends_.size());
  std::vector<double> values;
  values.reserve(order.size());
  std::vector<std::uint64_t> bucket_counts;
  bucket_counts.reserve(family_.bucket_counts_.size());
  std::vector<std::uint8_t> needs_escaping;
  needs_escaping.reserve(order.size());
  for (std::uint32_t i : order) {
    const std::size_t begin = family_.LabelsBegin(i);
    for (std::size_t j = 0; j < label_count; ++j) {
      const std::size_t end = family_.label_ends_[i * label_count + j];
      label_ends.push_back(static_cast<std::uint32_t>(label_data.size() + (end - begin)));
    }
    const std::size_t end =
        label_count == 0 ? begin : family_.label_ends_[(i + 1) * label_count - 1];
    label_data.append(family_.label_data_, begin, end - begin);
    values.push_back(family_.values_[i]);
    const auto counts = family_.bucket_counts_.begin() + i * bucket_count;
    bucket_counts.insert(bucket_counts.end(), counts, counts + bucket_count);
    needs_escaping.push_back(family_.needs_escaping_[i]);
  }
  family_.label_data_ = std::move(label_data);
  family_.label_ends_ = std::move(label_ends);
  family_.values_ = std::move(values);
  family_.bucket_counts_ = std::move(bucket_counts);
  family_.needs_escaping_ = std::move(needs_escaping);
}

void FamilyBuilder::Fail(std::string message) {
  if (status_.ok()) {
    status_ = InvalidArgumentError("metric family \"" + family_.name_ + "\": " + message);
  }
}

std::string FamilyBuilder::DescribeSample(std::size_t sample) const {
  std::string text = "{";
  for (std::size_t j = 0; j < family_.label_names_.size(); ++j) {
    if (j > 0) text += ',';
    text += family_.label_names_[j];
    text += "=\"";
    text += EscapeLabelValue(family_.label_value(sample, j));
    text += '"';
  }
  text += '}';
  return text;
}

Status FamilyBuilder::AppendTo(std::vector<Family>* out) && {
  auto family = std::move(*this).Build();
  if (!family) return family.error();
  out->push_back(std::move(*family));
  return Status::Ok();
}

}  // namespace slayer::metrics
