// Golden files of tests/notify/testdata: the exact request bodies that docs/notifications.md
// shows. To rewrite them after an intended change, run with SLAYER_UPDATE_GOLDEN=1 and review the
// diff (and the docs). Test helpers.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace slayer::notify::testing {

inline std::string TestdataPath(const std::string& name) {
  return std::string(SLAYER_SOURCE_DIR) + "/tests/notify/testdata/" + name;
}

inline std::string ReadTestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// `actual` must equal testdata/<name> without its final newline.
inline void ExpectGolden(const std::string& actual, const std::string& name) {
  std::string path = TestdataPath(name);
  const char* update = std::getenv("SLAYER_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual << "\n";
    return;
  }
  EXPECT_EQ(actual + "\n", ReadTestFile(path)) << "golden file " << path;
}

}  // namespace slayer::notify::testing
