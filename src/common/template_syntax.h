// TemplateSyntax: the `{{placeholder}}` syntax of the channel message templates (`title:` and
// `text:`, docs/notifications.md#templates) and the one list of placeholder names. The config
// checks templates with it and notify/template.h renders them, so neither repeats the list.
// Pure functions; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace slayer {

// One piece of a parsed template: literal text, or the name of a placeholder ("dag_id",
// "labels.team") without braces or surrounding spaces.
struct TemplatePart {
  enum class Kind { kLiteral, kPlaceholder };
  Kind kind = Kind::kLiteral;
  std::string text;

  friend bool operator==(const TemplatePart&, const TemplatePart&) = default;
};

// The placeholder names a template may use besides labels.NAME, in documentation order.
std::span<const std::string_view> TemplatePlaceholders();

// "labels.": a placeholder of this prefix followed by a label name ([a-zA-Z_][a-zA-Z0-9_]*) is the
// value of that rule label ("" when the rule has no such label).
inline constexpr std::string_view kTemplateLabelPrefix = "labels.";

// Splits `text` into literal text and placeholders. `{{ name }}` may have spaces inside the
// braces; a single `{` or `}` and a `}}` without an opening `{{` are literal text. kInvalidArgument
// for a `{{` that is never closed, an empty placeholder, or an unknown name; the message names
// the offending placeholder (with a did-you-mean when one is close) and lists the valid ones.
Result<std::vector<TemplatePart>> ParseTemplate(std::string_view text);

// ParseTemplate's verdict alone.
Status CheckTemplateSyntax(std::string_view text);

}  // namespace slayer
