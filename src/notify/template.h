// The human text of an Event: the `{{placeholder}}` message templates of `title:` and `text:`
// (syntax and names in common/template_syntax.h; docs/notifications.md#templates), the default
// one-line summary and the default text. Templates render plain text; each channel escapes the
// result as its format needs. Value types and pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/template_syntax.h"
#include "config/config.h"
#include "notify/event.h"

namespace slayer::notify {

// The default `title:`.
inline constexpr std::string_view kDefaultTitleTemplate = "{{summary}}";

// OK, or kInvalidArgument naming an unknown placeholder or an unclosed `{{` and listing the valid
// placeholders.
Status CheckTemplate(std::string_view text);

// A parsed template.
class MessageTemplate {
 public:
  // kInvalidArgument as CheckTemplate.
  static Result<MessageTemplate> Parse(std::string_view text);

  // The text with each placeholder replaced by its value for `event` (PlaceholderValue).
  std::string Render(const Event& event) const;

 private:
  explicit MessageTemplate(std::vector<TemplatePart> parts) : parts_(std::move(parts)) {}
  std::vector<TemplatePart> parts_;
};

// The value of placeholder `name` (a name ParseTemplate accepts) for `event`: times in RFC 3339
// UTC, `overdue`/`lateness` human ("1h5m"), `*_seconds` as numbers ("725", "0.5"), a missing
// label or an unset logical date as "".
std::string PlaceholderValue(std::string_view name, const Event& event);

// What `event` is about: the DAG, then " task <task>" and " run <run>" when set, e.g.
// "orders_daily task load run scheduled__2026-01-01T00:00:00+00:00".
std::string ItemDescription(const Event& event);

// The default one-line summary, e.g. "orders_daily run scheduled__2026-01-01T00:00:00+00:00
// missed its deadline (rule orders-in-2h, 12m past 10:00:00 UTC)".
std::string EventSummary(const Event& event);

// The default text: one "Name: value" line each for the DAG, run, task (when set), rule, need-by,
// the delay (EventDelay, when there is one) and the link (when url is set).
std::string DefaultEventText(const Event& event);

// "1h5m" for 3900.4 seconds: whole seconds in the units of FormatDuration; "0s" for less than a
// second or a negative value.
std::string FormatSeconds(double seconds);

// How late the work is, for display: "Overdue" (missed; abandoned and at_risk when past the
// need-by) or "Late by" (recovered), and the FormatSeconds value.
struct EventDelay {
  std::string label;
  std::string value;
};
std::optional<EventDelay> DelayOf(const Event& event);

// A channel's title and text: its `title:` and `text:` templates, or the defaults (the summary,
// DefaultEventText).
class ChannelTemplates {
 public:
  // kInvalidArgument when `title` or `text` of `channel` does not parse; the message names the key
  // and the channel.
  static Result<ChannelTemplates> FromConfig(const config::Channel& channel);

  std::string Title(const Event& event) const;
  std::string Text(const Event& event) const;
  // True when the channel has its own `text:`.
  bool has_text() const { return text_.has_value(); }

 private:
  std::optional<MessageTemplate> title_;
  std::optional<MessageTemplate> text_;
};

}  // namespace slayer::notify
