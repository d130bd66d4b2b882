#include "config/expand.h"

#include <gtest/gtest.h>

#include <map>

namespace slayer::config {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ExpandEnvTest, ReplacesVariables) {
  auto env = Env({{"HOST", "db"}, {"PORT", "5432"}});
  EXPECT_EQ(*ExpandEnv("postgresql://${HOST}:${PORT}/x", env), "postgresql://db:5432/x");
  EXPECT_EQ(*ExpandEnv("${HOST}", env), "db");
  EXPECT_EQ(*ExpandEnv("no variables", env), "no variables");
}

TEST(ExpandEnvTest, DefaultsApplyWhenUnsetOrEmpty) {
  auto env = Env({{"EMPTY", ""}, {"SET", "v"}});
  EXPECT_EQ(*ExpandEnv("${MISSING:-10s}", env), "10s");
  EXPECT_EQ(*ExpandEnv("${EMPTY:-fallback}", env), "fallback");
  EXPECT_EQ(*ExpandEnv("${SET:-fallback}", env), "v");
  EXPECT_EQ(*ExpandEnv("${MISSING:-}", env), "");
  EXPECT_EQ(*ExpandEnv("${EMPTY}", env), "");  // set but empty is not an error
}

TEST(ExpandEnvTest, DollarEscapesAndLoneDollars) {
  auto env = Env({{"A", "x"}});
  EXPECT_EQ(*ExpandEnv("$${A}", env), "${A}");
  EXPECT_EQ(*ExpandEnv("pa$word", env), "pa$word");
  EXPECT_EQ(*ExpandEnv("cost: 5$", env), "cost: 5$");
  EXPECT_EQ(*ExpandEnv("$A", env), "$A");  // only the braced form expands
}

TEST(ExpandEnvTest, ValuesAreNotExpandedAgain) {
  auto env = Env({{"A", "${B}"}, {"B", "b"}});
  EXPECT_EQ(*ExpandEnv("${A}", env), "${B}");
}

TEST(ExpandEnvTest, ReportsTheVariablesUsed) {
  auto env = Env({{"A", "1"}});
  std::vector<std::string> used;
  ASSERT_TRUE(ExpandEnv("${A}-${B:-2}", env, &used));
  EXPECT_EQ(used, (std::vector<std::string>{"A", "B"}));
}

TEST(ExpandEnvTest, ErrorsNameTheVariableButNotTheText) {
  auto env = Env({});
  auto unset = ExpandEnv("postgresql://u:hunter2@${DB_HOST}/x", env);
  ASSERT_FALSE(unset);
  EXPECT_EQ(unset.error().message(),
            "environment variable DB_HOST is not set (set it, or write ${DB_HOST:-default} to give "
            "a default)");
  auto unclosed = ExpandEnv("hunter2${A", env);
  ASSERT_FALSE(unclosed);
  EXPECT_EQ(unclosed.error().message(),
            "unclosed '${' (write ${NAME} for a variable, $$ for a literal '$')");
  auto bad = ExpandEnv("${1A}", env);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(),
            "bad variable reference '${1A...': expected ${NAME} or ${NAME:-default}, NAME made of "
            "letters, digits and '_'");
  auto bad_default = ExpandEnv("${A:hunter2}", env);
  ASSERT_FALSE(bad_default);
  EXPECT_EQ(bad_default.error().message().find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace slayer::config
