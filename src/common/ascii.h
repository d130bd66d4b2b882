// Small ASCII text predicates shared by config validation, templates and the HTTP layer. Pure
// functions; thread-safe.
#pragma once

#include <string_view>

namespace slayer {

// a == b ignoring ASCII case (HTTP header names, content codings).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// A Prometheus label name: [a-zA-Z_][a-zA-Z0-9_]*.
bool IsPrometheusLabelName(std::string_view name);

}  // namespace slayer
