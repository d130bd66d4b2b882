#include "sim/digest.h"

#include <gtest/gtest.h>

#include <string>

#include "sim/random.h"
#include "sim/uuid.h"

namespace slayer::sim {
namespace {

std::string Hex(const std::array<uint8_t, 20>& d) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) {
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 15]);
  }
  return out;
}

TEST(DigestTest, Md5MatchesKnownVectors) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Md5Hex(std::string(1000, 'a')), "cabe45dcc9ae5b66ba86600cca6b8ba8");
}

TEST(DigestTest, Sha1MatchesKnownVectors) {
  EXPECT_EQ(Hex(Sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Hex(Sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

TEST(DigestTest, FilelocHashFitsInSevenBytes) {
  int64_t h = FilelocHash("/opt/airflow/dags/example_dags.py");
  EXPECT_GT(h, 0);
  EXPECT_LT(h, int64_t{1} << 56);
}

TEST(UuidTest, Version7InBothSpellings) {
  Rng rng(42);
  Timestamp t = *ParseTimestamp("2025-01-01T00:00:00Z");
  Uuid u = MakeUuid7(t, rng);
  std::string dashed = UuidWithDashes(u);
  ASSERT_EQ(dashed.size(), 36u);
  EXPECT_EQ(dashed[14], '7');
  EXPECT_EQ(UuidHex(u).size(), 32u);
  EXPECT_EQ(dashed.substr(0, 8), "01941f29");  // 1735689600000 ms
  EXPECT_EQ(ParseUuid(dashed), u);
  EXPECT_EQ(ParseUuid(UuidHex(u)), u);
  EXPECT_FALSE(ParseUuid("xyz"));
}

TEST(RngTest, SameKeySameStream) {
  Rng a(7), b(7), c(8);
  for (int i = 0; i < 10; ++i) {
    uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    EXPECT_NE(x, c.Next());
  }
  for (int i = 0; i < 1000; ++i) {
    double u = a.Uniform();
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
}

}  // namespace
}  // namespace slayer::sim
