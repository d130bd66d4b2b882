// The naming rules for metric and label names that the metrics module enforces before anything
// is rendered (docs/metrics-format.md). Pure functions; thread-safe.
#pragma once

#include <string_view>

namespace slayer::metrics {

// True when `name` is a metric name an exporter may use: [a-zA-Z_][a-zA-Z0-9_]*. This is the
// Prometheus metric name syntax without colons, which are reserved for recording rules.
bool IsValidMetricName(std::string_view name);

// True when `name` matches [a-zA-Z_][a-zA-Z0-9_]* and does not start with "__" (reserved for
// Prometheus' internal labels).
bool IsValidLabelName(std::string_view name);

}  // namespace slayer::metrics
