#include "metrics/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace slayer::metrics {
namespace {

TEST(Utf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("ascii only, longer than eight bytes"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9"));                         // U+00E9
  EXPECT_TRUE(IsValidUtf8("\xe2\x9c\x93 check"));                  // U+2713
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80 emoji after ascii"));  // U+1F600
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));                    // U+10FFFF
  EXPECT_TRUE(IsValidUtf8(std::string("nul\0inside", 10)));
}

TEST(Utf8Test, RejectsMalformedText) {
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("latin1 caf\xe9"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc3\x28"));          // bad continuation
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xf0\x9f\x98"));      // truncated
  EXPECT_FALSE(IsValidUtf8("12345678\x80tail"));  // stray continuation after a fast-path word
}

}  // namespace
}  // namespace slayer::metrics
