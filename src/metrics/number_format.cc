#include "metrics/number_format.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace slayer::metrics {
namespace {

// Below this magnitude every integral double is exact as an int64 and prints shorter (or as
// short) as an integer than in scientific notation up to 1e15, so the integer path is used.
constexpr double kIntegerLimit = 1e15;

char* Copy(const char* text, std::size_t size, char* out) {
  std::memcpy(out, text, size);
  return out + size;
}

}  // namespace

char* FormatSampleValue(double value, char* out) {
  if (std::isnan(value)) return Copy("NaN", 3, out);
  if (std::isinf(value)) return value > 0 ? Copy("+Inf", 4, out) : Copy("-Inf", 4, out);
  if (std::fabs(value) < kIntegerLimit) {
    const auto integer = static_cast<std::int64_t>(value);
    if (static_cast<double>(integer) == value) {
      return std::to_chars(out, out + kMaxNumberChars, integer).ptr;
    }
  }
  // Shortest round-trip form; std::to_chars never exceeds 24 characters for a double.
  return std::to_chars(out, out + kMaxNumberChars, value).ptr;
}

char* FormatCount(std::uint64_t count, char* out) {
  return std::to_chars(out, out + kMaxNumberChars, count).ptr;
}

std::string SampleValueToString(double value) {
  char buffer[kMaxNumberChars];
  return std::string(buffer, FormatSampleValue(value, buffer));
}

}  // namespace slayer::metrics
