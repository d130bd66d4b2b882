#include "api/gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "api/gzip_test_util.h"

namespace slayer::api {
namespace {

TEST(AcceptsGzipTest, FollowsAcceptEncoding) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("GZIP"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_TRUE(AcceptsGzip("gzip, deflate"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, gzip;q=0.8, *;q=0.1"));  // Prometheus' header
  EXPECT_TRUE(AcceptsGzip("identity, *"));
  EXPECT_TRUE(AcceptsGzip(" deflate ,  gzip ; q=0.5 "));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("br"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0.000"));
  EXPECT_FALSE(AcceptsGzip("*;q=1, gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=bad"));
  EXPECT_FALSE(AcceptsGzip("gzipped"));
}

TEST(GzipCompressTest, RoundTrips) {
  std::string text;
  for (int i = 0; i < 20000; ++i) {
    text += "slayer_deadline_open{airflow_instance=\"prod\",rule=\"r" + std::to_string(i % 50) +
            "\"} " + std::to_string(i) + "\n";
  }
  Result<std::string> gz = GzipCompress(text);
  ASSERT_TRUE(gz) << gz.error().message();
  EXPECT_LT(gz->size(), text.size() / 5);
  ASSERT_GE(gz->size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>((*gz)[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>((*gz)[1]), 0x8b);
  EXPECT_EQ(testing_util::Gunzip(*gz), text);
}

TEST(GzipCompressTest, HandlesEmptyAndIncompressibleInput) {
  Result<std::string> empty = GzipCompress("");
  ASSERT_TRUE(empty);
  EXPECT_EQ(testing_util::Gunzip(*empty), "");

  std::string noise(100000, '\0');
  uint32_t x = 12345;
  for (char& c : noise) {
    x = x * 1103515245 + 12345;
    c = static_cast<char>(x >> 24);
  }
  Result<std::string> gz = GzipCompress(noise);
  ASSERT_TRUE(gz);
  EXPECT_EQ(testing_util::Gunzip(*gz), noise);
}

}  // namespace
}  // namespace slayer::api
