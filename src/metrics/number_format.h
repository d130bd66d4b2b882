// How sample values, bucket bounds and counts are spelled in the text exposition
// (docs/metrics-format.md). Pure functions that write into a caller's buffer; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace slayer::metrics {

// The most characters FormatSampleValue or FormatCount writes.
inline constexpr std::size_t kMaxNumberChars = 32;

// Writes `value` at `out` and returns the end of what it wrote. Integral values below 1e15 in
// magnitude print as integers ("42", "-7", "0"); other finite values print in the shortest form
// that reads back exactly ("0.25", "1.5e-07", "1e+20"); infinities and NaN print as "+Inf",
// "-Inf" and "NaN". REQUIRES: `out` has room for kMaxNumberChars characters.
char* FormatSampleValue(double value, char* out);

// Writes `count` in decimal at `out` and returns the end. REQUIRES: room for kMaxNumberChars.
char* FormatCount(std::uint64_t count, char* out);

// FormatSampleValue into a new string, for tests, labels and error messages.
std::string SampleValueToString(double value);

}  // namespace slayer::metrics
