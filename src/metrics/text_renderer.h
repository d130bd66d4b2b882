// Renders metric families as the Prometheus text exposition format 0.0.4, byte for byte as
// specified in docs/metrics-format.md. Stateless; concurrent calls on the same Family or
// Snapshot are safe (both are immutable).
#pragma once

#include <string>
#include <string_view>

#include "metrics/family.h"
#include "metrics/snapshot.h"

namespace slayer::metrics {

// The Content-Type of a /metrics reply holding RenderText's output.
inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// Appends `family` to *out: its # HELP and # TYPE lines (also when it has no samples), then its
// series in sample order. Never fails: whatever could not be rendered as valid text was
// rejected when the family was built.
void RenderText(const Family& family, std::string* out);

// Appends every family of `snapshot`, in name order. A scrape handler that keeps its string
// (clear() keeps the capacity) renders without allocating once it has grown.
void RenderText(const Snapshot& snapshot, std::string* out);

}  // namespace slayer::metrics
