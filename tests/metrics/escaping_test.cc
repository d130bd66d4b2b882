#include "metrics/escaping.h"

#include <gtest/gtest.h>

namespace slayer::metrics {
namespace {

TEST(EscapingTest, LabelValuesEscapeBackslashQuoteAndLineFeed) {
  EXPECT_EQ(EscapeLabelValue("plain"), "plain");
  EXPECT_EQ(EscapeLabelValue(""), "");
  EXPECT_EQ(EscapeLabelValue(R"(C:\dir)"), R"(C:\\dir)");
  EXPECT_EQ(EscapeLabelValue(R"(say "hi")"), R"(say \"hi\")");
  EXPECT_EQ(EscapeLabelValue("a\nb"), R"(a\nb)");
  EXPECT_EQ(EscapeLabelValue("tab\tand\rcr"), "tab\tand\rcr");
  EXPECT_EQ(EscapeLabelValue("\\\"\n"), R"(\\\"\n)");
  EXPECT_EQ(CountLabelValueEscapes("\\\"\nx"), 3u);
}

TEST(EscapingTest, HelpEscapesBackslashAndLineFeedOnly) {
  EXPECT_EQ(EscapeHelp(R"(a "quoted" \ word)"), R"(a "quoted" \\ word)");
  EXPECT_EQ(EscapeHelp("two\nlines"), R"(two\nlines)");
}

}  // namespace
}  // namespace slayer::metrics
