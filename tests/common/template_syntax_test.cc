#include "common/template_syntax.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace slayer {
namespace {

using Kind = TemplatePart::Kind;

std::string Error(std::string_view text) {
  auto parsed = ParseTemplate(text);
  if (parsed) return "parsed";
  EXPECT_EQ(parsed.error().code(), StatusCode::kInvalidArgument);
  return parsed.error().message();
}

TEST(TemplateSyntaxTest, SplitsLiteralsAndPlaceholders) {
  auto parts = ParseTemplate("DAG {{dag_id}} is {{ overdue }} late{{labels.team}}");
  ASSERT_TRUE(parts) << parts.error().message();
  std::vector<TemplatePart> expected = {
      {Kind::kLiteral, "DAG "},  {Kind::kPlaceholder, "dag_id"},
      {Kind::kLiteral, " is "},  {Kind::kPlaceholder, "overdue"},
      {Kind::kLiteral, " late"}, {Kind::kPlaceholder, "labels.team"}};
  EXPECT_EQ(*parts, expected);
}

TEST(TemplateSyntaxTest, SingleAndExtraBracesAreLiteral) {
  auto parts = ParseTemplate("{json} }} {{{dag_id}}}");
  ASSERT_TRUE(parts) << parts.error().message();
  std::vector<TemplatePart> expected = {
      {Kind::kLiteral, "{json} }} {"}, {Kind::kPlaceholder, "dag_id"}, {Kind::kLiteral, "}"}};
  EXPECT_EQ(*parts, expected);
  EXPECT_TRUE(ParseTemplate("")->empty());
}

TEST(TemplateSyntaxTest, EveryListedPlaceholderParses) {
  for (std::string_view name : TemplatePlaceholders()) {
    EXPECT_TRUE(CheckTemplateSyntax("{{" + std::string(name) + "}}").ok()) << name;
  }
  auto names = TemplatePlaceholders();
  EXPECT_NE(std::find(names.begin(), names.end(), "summary"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "lateness_seconds"), names.end());
}

TEST(TemplateSyntaxTest, UnknownPlaceholdersAreNamedWithTheValidOnes) {
  const std::string valid =
      "; valid placeholders: kind, summary, airflow_instance, rule, severity, dag_id, run_id, "
      "task_id, logical_date, need_by, event_time, overdue, overdue_seconds, lateness, "
      "lateness_seconds, url, labels.NAME";
  EXPECT_EQ(Error("late: {{dag}}"),
            "unknown placeholder '{{dag}}' at character 7 (did you mean '{{dag_id}}'?)" + valid);
  EXPECT_EQ(Error("{{ logical }}"),
            "unknown placeholder '{{ logical }}' at character 1 (did you mean "
            "'{{logical_date}}'?)" +
                valid);
  EXPECT_EQ(Error("{{label.team}}"),
            "unknown placeholder '{{label.team}}' at character 1 (did you mean "
            "'{{labels.NAME}}'?)" +
                valid);
  EXPECT_EQ(Error("{{owner}}"), "unknown placeholder '{{owner}}' at character 1" + valid);
  EXPECT_EQ(Error("x {{ }}"), "empty placeholder '{{ }}' at character 3" + valid);
  EXPECT_EQ(Error("{{labels.}}"),
            "placeholder '{{labels.}}' at character 1: '' is not a label name "
            "([a-zA-Z_][a-zA-Z0-9_]*)" +
                valid);
}

TEST(TemplateSyntaxTest, UnclosedBracesAreAnError) {
  EXPECT_EQ(Error("late by {{overdue"),
            "'{{' at character 9 ('{{overdue') is never closed with '}}'; valid placeholders: "
            "kind, summary, airflow_instance, rule, severity, dag_id, run_id, task_id, "
            "logical_date, need_by, event_time, overdue, overdue_seconds, lateness, "
            "lateness_seconds, url, labels.NAME");
  EXPECT_NE(Error("{{summary}} {{dag_id} and a long tail of text after it")
                .find("'{{' at character 13 ('{{dag_id} and a long tai...') is never closed"),
            std::string::npos);
}

}  // namespace
}  // namespace slayer
