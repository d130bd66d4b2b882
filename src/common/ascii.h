// Small ASCII text helpers shared by config validation, templates, DSNs, links and the HTTP
// layer. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace slayer {

// a == b ignoring ASCII case (HTTP header names, content codings).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// A Prometheus label name: [a-zA-Z_][a-zA-Z0-9_]*.
bool IsPrometheusLabelName(std::string_view name);

// RFC 3986 percent-encoding of everything but the unreserved characters (A-Z a-z 0-9 - _ . ~),
// for a URL path segment or query value ("scheduled__2026-01-01T00:00:00+00:00" ->
// "scheduled__2026-01-01T00%3A00%3A00%2B00%3A00").
std::string PercentEncode(std::string_view s);

}  // namespace slayer
