// docs/notifications.md shows every request body of tests/notify/testdata (indented by two
// spaces, in a ```json block), so the documented examples are the ones the tests check.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "notify/golden.h"

namespace slayer::notify {
namespace {

namespace fs = std::filesystem;

TEST(NotificationsDocTest, ShowsEveryTestedBody) {
  std::string doc =
      testing::ReadTestFile(std::string(SLAYER_SOURCE_DIR) + "/docs/notifications.md");
  ASSERT_FALSE(doc.empty());
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(testing::TestdataPath(""))) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 8u);
  for (const fs::path& file : files) {
    auto json = nlohmann::ordered_json::parse(testing::ReadTestFile(file.string()), nullptr,
                                              /*allow_exceptions=*/false);
    ASSERT_FALSE(json.is_discarded()) << file << " is not JSON";
    std::string block = "```json\n" + json.dump(2) + "\n```";
    EXPECT_NE(doc.find(block), std::string::npos)
        << "docs/notifications.md lacks the body of " << file.filename() << ":\n"
        << block;
  }
}

}  // namespace
}  // namespace slayer::notify
