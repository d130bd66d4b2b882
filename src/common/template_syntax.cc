#include "common/template_syntax.h"

#include <array>

#include "common/ascii.h"
#include "common/edit_distance.h"

namespace slayer {
namespace {

constexpr std::array<std::string_view, 16> kPlaceholders = {
    "kind",       "summary", "airflow_instance", "rule",         "severity",
    "dag_id",     "run_id",  "task_id",          "logical_date", "need_by",
    "event_time", "overdue", "overdue_seconds",  "lateness",     "lateness_seconds",
    "url",
};

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string ValidList() {
  std::string out;
  for (std::string_view p : kPlaceholders) out += std::string(p) + ", ";
  return out + std::string(kTemplateLabelPrefix) + "NAME";
}

// The placeholder closest to `name` when it is likely a typo ("dag" -> "dag_id"), else "".
std::string_view Suggest(std::string_view name) {
  size_t limit = name.size() <= 4 ? 1 : name.size() <= 8 ? 2 : 3;
  std::string_view best;
  size_t best_distance = limit + 1;
  for (std::string_view p : kPlaceholders) {
    size_t d = EditDistance(name, p);
    if (d < best_distance) {
      best = p;
      best_distance = d;
    }
  }
  if (!best.empty() || name.size() < 3) return best;
  for (std::string_view p : kPlaceholders) {  // a truncated name: "logical" -> "logical_date"
    if (p.starts_with(name)) return p;
  }
  if (name.starts_with("label") && !name.starts_with(kTemplateLabelPrefix)) {
    return kTemplateLabelPrefix;
  }
  return {};
}

Status Invalid(std::string message) {
  return InvalidArgumentError(std::move(message) + "; valid placeholders: " + ValidList());
}

Status CheckName(std::string_view name, std::string_view raw, size_t offset) {
  std::string where = "'" + std::string(raw) + "' at character " + std::to_string(offset + 1);
  if (name.empty()) return Invalid("empty placeholder " + where);
  if (name.starts_with(kTemplateLabelPrefix)) {
    std::string_view label = name.substr(kTemplateLabelPrefix.size());
    if (IsPrometheusLabelName(label)) return Status::Ok();
    return Invalid("placeholder " + where + ": '" + std::string(label) +
                   "' is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)");
  }
  for (std::string_view p : kPlaceholders) {
    if (p == name) return Status::Ok();
  }
  std::string message = "unknown placeholder " + where;
  std::string_view suggestion = Suggest(name);
  if (suggestion == kTemplateLabelPrefix) {
    message += " (did you mean '{{labels.NAME}}'?)";
  } else if (!suggestion.empty()) {
    message += " (did you mean '{{" + std::string(suggestion) + "}}'?)";
  }
  return Invalid(std::move(message));
}

}  // namespace

std::span<const std::string_view> TemplatePlaceholders() { return kPlaceholders; }

Result<std::vector<TemplatePart>> ParseTemplate(std::string_view text) {
  std::vector<TemplatePart> parts;
  std::string literal;
  size_t i = 0;
  while (i < text.size()) {
    // "{{{x}}}": the braces beyond the two that open a placeholder are literal.
    if (text.compare(i, 2, "{{") != 0 || text.compare(i, 3, "{{{") == 0) {
      literal += text[i++];
      continue;
    }
    size_t close = text.find("}}", i + 2);
    if (close == std::string_view::npos) {
      std::string_view rest = text.substr(i, 24);
      return Invalid("'{{' at character " + std::to_string(i + 1) + " ('" + std::string(rest) +
                     (text.size() - i > rest.size() ? "..." : "") + "') is never closed with '}}'");
    }
    std::string_view raw = text.substr(i, close + 2 - i);
    std::string_view name = TrimSpaces(text.substr(i + 2, close - i - 2));
    SLAYER_RETURN_IF_ERROR(CheckName(name, raw, i));
    if (!literal.empty()) {
      parts.push_back({TemplatePart::Kind::kLiteral, std::move(literal)});
      literal.clear();
    }
    parts.push_back({TemplatePart::Kind::kPlaceholder, std::string(name)});
    i = close + 2;
  }
  if (!literal.empty()) parts.push_back({TemplatePart::Kind::kLiteral, std::move(literal)});
  return parts;
}

Status CheckTemplateSyntax(std::string_view text) { return ParseTemplate(text).status(); }

}  // namespace slayer
