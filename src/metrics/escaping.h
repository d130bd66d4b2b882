// Escaping in the text exposition (docs/metrics-format.md): label values escape backslash,
// double quote and line feed as \\, \" and \n; HELP text escapes backslash and line feed. Pure
// functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace slayer::metrics {

// How many characters of `value` need an escape, i.e. how much longer it gets when escaped.
std::size_t CountLabelValueEscapes(std::string_view value);

// Writes `value` escaped at `out` and returns the end. REQUIRES: room for
// value.size() + CountLabelValueEscapes(value) characters (2 * value.size() always suffices).
char* WriteEscapedLabelValue(std::string_view value, char* out);

// Writes `help` escaped at `out` and returns the end. REQUIRES: room for 2 * help.size().
char* WriteEscapedHelp(std::string_view help, char* out);

// Escaped copies, for error messages and tests.
std::string EscapeLabelValue(std::string_view value);
std::string EscapeHelp(std::string_view help);

}  // namespace slayer::metrics
