// MetricType: the kinds of metric family SLAyer exports (Prometheus text format 0.0.4, without
// summaries). A plain enum; thread-safe.
#pragma once

#include <string_view>

namespace slayer::metrics {

enum class MetricType {
  kGauge,
  kCounter,
  kHistogram,
  kUntyped,
};

// The spelling of `type` on a `# TYPE` line: "gauge", "counter", "histogram", "untyped".
constexpr std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kCounter:
      return "counter";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kUntyped:
      return "untyped";
  }
  return "untyped";
}

}  // namespace slayer::metrics
