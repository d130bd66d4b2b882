#include "common/glob.h"

#include <gtest/gtest.h>

namespace slayer {
namespace {

bool Match(std::string_view pattern, std::string_view text) {
  auto glob = Glob::Compile(pattern);
  EXPECT_TRUE(glob) << pattern << ": " << glob.status().ToString();
  return glob && glob->Matches(text);
}

std::string CompileError(std::string_view pattern) {
  auto glob = Glob::Compile(pattern);
  return glob ? "compiled" : glob.error().message();
}

TEST(GlobTest, LiteralsMatchExactly) {
  EXPECT_TRUE(Match("finance_etl", "finance_etl"));
  EXPECT_FALSE(Match("finance_etl", "finance_etl2"));
  EXPECT_FALSE(Match("finance_etl", "finance"));
  EXPECT_TRUE(Match("", ""));
  EXPECT_FALSE(Match("", "x"));
  EXPECT_TRUE(Glob::Compile("a.b-c")->is_literal());
  EXPECT_EQ(Glob::Compile("a\\*b")->literal(), "a*b");
  EXPECT_FALSE(Glob::Compile("a*")->is_literal());
}

TEST(GlobTest, StarMatchesAnyRunIncludingEmpty) {
  EXPECT_TRUE(Match("*", ""));
  EXPECT_TRUE(Match("*", "anything"));
  EXPECT_TRUE(Match("events_*", "events_"));
  EXPECT_TRUE(Match("events_*", "events_hourly"));
  EXPECT_FALSE(Match("events_*", "event_hourly"));
  EXPECT_TRUE(Match("*_daily", "sales_daily"));
  EXPECT_FALSE(Match("*_daily", "sales_daily2"));
  EXPECT_TRUE(Match("a*z", "az"));
  EXPECT_TRUE(Match("a*z", "abcz"));
  EXPECT_FALSE(Match("ab*ba", "aba"));  // prefix and suffix may not overlap
  EXPECT_TRUE(Match("a**b", "axxb"));
  EXPECT_TRUE(Match("*a*b*c*", "xxaxxbxxcxx"));
  EXPECT_FALSE(Match("*a*b*c*", "xxcxxbxxaxx"));
  EXPECT_TRUE(Match("*aab", "aaaab"));  // needs backtracking
  EXPECT_TRUE(Match("a*b*b", "abbbb"));
  EXPECT_FALSE(Match("a*b*b", "ab"));
}

TEST(GlobTest, QuestionMarkMatchesOneByte) {
  EXPECT_TRUE(Match("etl_?", "etl_1"));
  EXPECT_FALSE(Match("etl_?", "etl_"));
  EXPECT_FALSE(Match("etl_?", "etl_12"));
  EXPECT_TRUE(Match("?*", "x"));
  EXPECT_FALSE(Match("?*", ""));
}

TEST(GlobTest, ClassesRangesAndNegation) {
  EXPECT_TRUE(Match("etl_[abc]", "etl_b"));
  EXPECT_FALSE(Match("etl_[abc]", "etl_d"));
  EXPECT_TRUE(Match("v[0-9][0-9]", "v42"));
  EXPECT_FALSE(Match("v[0-9]", "vx"));
  EXPECT_TRUE(Match("[!x]y", "ay"));
  EXPECT_FALSE(Match("[!x]y", "xy"));
  EXPECT_TRUE(Match("[^x]y", "ay"));
  EXPECT_TRUE(Match("[]x]", "]"));  // ']' first is a member
  EXPECT_TRUE(Match("[!]]", "a"));
  EXPECT_FALSE(Match("[!]]", "]"));
  EXPECT_TRUE(Match("[a-]", "-"));  // '-' last is a member
  EXPECT_TRUE(Match("[a-cx-z]", "y"));
  EXPECT_FALSE(Match("[a-cx-z]", "m"));
  EXPECT_TRUE(Match("*_[0-9]*", "load_2024"));
}

TEST(GlobTest, BackslashEscapes) {
  EXPECT_TRUE(Match("a\\*", "a*"));
  EXPECT_FALSE(Match("a\\*", "ab"));
  EXPECT_TRUE(Match("\\?", "?"));
  EXPECT_TRUE(Match("\\[x\\]", "[x]"));
  EXPECT_TRUE(Match("[\\]]", "]"));
  EXPECT_TRUE(Match("\\\\", "\\"));
}

TEST(GlobTest, BadPatternsSayWhatAndWhere) {
  EXPECT_EQ(CompileError("etl_[ab"),
            "glob 'etl_[ab': unclosed '[' at column 5 (close it with ']' or escape it as '\\[')");
  EXPECT_EQ(CompileError("[]"),
            "glob '[]': unclosed '[' at column 1 (close it with ']' or "
            "escape it as '\\[')");
  EXPECT_EQ(CompileError("x\\"),
            "glob 'x\\': ends with an unfinished escape '\\' at column 2 (write '\\\\' for a "
            "backslash)");
  EXPECT_EQ(CompileError("[z-a]"),
            "glob '[z-a]': empty range 'z-a' at column 2 (write the lower bound first, e.g. "
            "[a-z])");
}

TEST(GlobTest, KeepsThePattern) { EXPECT_EQ(Glob::Compile("etl_*")->pattern(), "etl_*"); }

TEST(GlobTest, LongInputsStayFast) {
  // The star-backtracking matcher is O(n*m) at worst; a pathological pattern on a long id must
  // still answer quickly (this would take ages with naive recursion).
  std::string text(5000, 'a');
  auto glob = Glob::Compile("*a*a*a*a*a*a*a*b");
  ASSERT_TRUE(glob);
  EXPECT_FALSE(glob->Matches(text));
}

}  // namespace
}  // namespace slayer
