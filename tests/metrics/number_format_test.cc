#include "metrics/number_format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace slayer::metrics {
namespace {

TEST(NumberFormatTest, IntegralValuesPrintAsIntegers) {
  EXPECT_EQ(SampleValueToString(0), "0");
  EXPECT_EQ(SampleValueToString(-0.0), "0");
  EXPECT_EQ(SampleValueToString(1), "1");
  EXPECT_EQ(SampleValueToString(42), "42");
  EXPECT_EQ(SampleValueToString(-7), "-7");
  EXPECT_EQ(SampleValueToString(1e6), "1000000");
  EXPECT_EQ(SampleValueToString(1768467600), "1768467600");
  EXPECT_EQ(SampleValueToString(999999999999999), "999999999999999");
}

TEST(NumberFormatTest, OtherFiniteValuesUseTheShortestExactForm) {
  EXPECT_EQ(SampleValueToString(0.25), "0.25");
  EXPECT_EQ(SampleValueToString(0.1), "0.1");
  EXPECT_EQ(SampleValueToString(-1234.5), "-1234.5");
  EXPECT_EQ(SampleValueToString(1768467600.125), "1768467600.125");
  EXPECT_EQ(SampleValueToString(1.5e-7), "1.5e-07");
  EXPECT_EQ(SampleValueToString(1e15), "1e+15");
  EXPECT_EQ(SampleValueToString(1e20), "1e+20");
  EXPECT_EQ(SampleValueToString(1.0 / 3), "0.3333333333333333");
}

TEST(NumberFormatTest, SpecialValuesArePrometheusSpellings) {
  EXPECT_EQ(SampleValueToString(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(SampleValueToString(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(SampleValueToString(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(SampleValueToString(-std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(NumberFormatTest, ExtremesFitTheBuffer) {
  for (double v : {std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
                   std::numeric_limits<double>::denorm_min(), -2.2250738585072014e-308,
                   -1.7976931348623157e+308}) {
    char buffer[kMaxNumberChars];
    EXPECT_LE(FormatSampleValue(v, buffer) - buffer, static_cast<long>(kMaxNumberChars)) << v;
  }
  EXPECT_EQ(SampleValueToString(-2.2250738585072014e-308), "-2.2250738585072014e-308");
}

TEST(NumberFormatTest, CountsPrintInDecimal) {
  char buffer[kMaxNumberChars];
  EXPECT_EQ(std::string(buffer, FormatCount(0, buffer)), "0");
  EXPECT_EQ(std::string(buffer, FormatCount(std::numeric_limits<std::uint64_t>::max(), buffer)),
            "18446744073709551615");
}

}  // namespace
}  // namespace slayer::metrics
