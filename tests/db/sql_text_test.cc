#include "db/sql_text.h"

#include <gtest/gtest.h>

namespace slayer::db {
namespace {

using Pieces = std::vector<std::string_view>;

TEST(SplitAtPlaceholdersTest, SplitsOutsideLiteralsAndComments) {
  EXPECT_EQ(SplitAtPlaceholders("SELECT ? , ?", Backend::kPostgres),
            (Pieces{"SELECT ", " , ", ""}));
  EXPECT_EQ(SplitAtPlaceholders("SELECT '?', \"a?\" -- ?\n, ? /* ? */", Backend::kPostgres),
            (Pieces{"SELECT '?', \"a?\" -- ?\n, ", " /* ? */"}));
  EXPECT_EQ(SplitAtPlaceholders("SELECT 'it''s ?', ?", Backend::kPostgres),
            (Pieces{"SELECT 'it''s ?', ", ""}));
  EXPECT_EQ(SplitAtPlaceholders("SELECT E'\\'?', ?", Backend::kPostgres),
            (Pieces{"SELECT E'\\'?', ", ""}));
}

TEST(SplitAtPlaceholdersTest, FollowsMysqlQuoting) {
  EXPECT_EQ(SplitAtPlaceholders("SELECT '\\'?', `c?`, ? # ?", Backend::kMysql),
            (Pieces{"SELECT '\\'?', `c?`, ", " # ?"}));
  // In MySQL "--" starts a comment only when followed by white space.
  EXPECT_EQ(SplitAtPlaceholders("SELECT 1--?", Backend::kMysql), (Pieces{"SELECT 1--", ""}));
  EXPECT_EQ(SplitAtPlaceholders("SELECT 1 -- ?", Backend::kMysql), (Pieces{"SELECT 1 -- ?"}));
}

TEST(OneLineTest, CollapsesWhiteSpace) {
  EXPECT_EQ(OneLine("connection failed:\n\tIs the server running?\n"),
            "connection failed: Is the server running?");
}

TEST(RedactSecretTest, ReplacesLongSecretsOnly) {
  EXPECT_EQ(RedactSecret("user x password hunter2 hunter2", "hunter2"),
            "user x password *** ***");
  EXPECT_EQ(RedactSecret("abc", "ab"), "abc");
}

}  // namespace
}  // namespace slayer::db
