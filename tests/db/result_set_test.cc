#include "db/result_set.h"

#include <gtest/gtest.h>

namespace slayer::db {
namespace {

ResultSet OneRow(std::vector<std::optional<std::string>> cells) {
  std::vector<std::string> names;
  for (size_t i = 0; i < cells.size(); ++i) names.push_back("c" + std::to_string(i));
  ResultSet rs(names);
  for (auto& c : cells) rs.AppendCell(c ? std::optional<std::string_view>(*c) : std::nullopt);
  return rs;
}

TEST(ResultSetTest, NullsAreExplicit) {
  auto rs = OneRow({std::nullopt, std::string("")});
  Row r = rs.row(0);
  EXPECT_TRUE(r.IsNull(0));
  EXPECT_FALSE(r.IsNull(1));
  EXPECT_FALSE(r.Get<int64_t>(0)->has_value());
  EXPECT_EQ(*r.Get<std::string>(1).value(), "");
  auto req = r.Require<Timestamp>(0);
  ASSERT_FALSE(req);
  EXPECT_EQ(req.error().message(), "column 'c0' is NULL");
}

TEST(ResultSetTest, BooleansOfEveryBackend) {
  auto rs = OneRow({"t", "f", "1", "0", "true", "maybe"});
  Row r = rs.row(0);
  EXPECT_TRUE(*r.Require<bool>(0));
  EXPECT_FALSE(*r.Require<bool>(1));
  EXPECT_TRUE(*r.Require<bool>(2));
  EXPECT_FALSE(*r.Require<bool>(3));
  EXPECT_TRUE(*r.Require<bool>(4));
  EXPECT_FALSE(r.Get<bool>(5));
}

TEST(ResultSetTest, NumbersAndTimes) {
  auto rs = OneRow({"42", "3.0", "2.5", "x", "2024-01-02 03:04:05+00"});
  Row r = rs.row(0);
  EXPECT_EQ(*r.Require<int64_t>(0), 42);
  EXPECT_EQ(*r.Require<int64_t>(1), 3);
  EXPECT_FALSE(r.Get<int64_t>(2));
  EXPECT_DOUBLE_EQ(*r.Require<double>(2), 2.5);
  auto bad = r.Get<double>(3);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("column 'c3'"), std::string::npos);
  EXPECT_EQ(FormatRfc3339(*r.Require<Timestamp>(4)), "2024-01-02T03:04:05Z");
}

TEST(ResultSetTest, ColumnIndexIsCaseInsensitiveAndNamesMissingColumns) {
  ResultSet rs({"dag_id", "State"});
  EXPECT_EQ(*rs.ColumnIndex("STATE"), 1u);
  auto missing = rs.ColumnIndex("run_id");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(rs.num_rows(), 0u);
}

}  // namespace
}  // namespace slayer::db
