// Test helper: T("2026-11-23T10:00:00Z") is the Timestamp of an RFC 3339 text; a text that does
// not parse fails the current test (and gives the epoch).
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "common/time.h"

namespace slayer::test {

inline Timestamp T(std::string_view text) {
  Result<Timestamp> t = ParseTimestamp(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t ? *t : Timestamp{};
}

}  // namespace slayer::test
