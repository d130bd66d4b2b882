#include "notify/slack_channel.h"

#include <nlohmann/json.hpp>

#include "common/markup_escape.h"
#include "notify/text_limit.h"

namespace slayer::notify {
namespace {

using Json = nlohmann::ordered_json;

// Slack's limits (api.slack.com/reference/block-kit/blocks), in characters.
constexpr size_t kMaxHeaderChars = 150;
constexpr size_t kMaxSectionChars = 3000;
constexpr size_t kMaxFieldValueChars = 1000;  // a field holds 2000 with its name
constexpr size_t kMaxButtonUrlChars = 3000;

// `text` escaped for mrkdwn and cut so that the escaped form has at most `max` characters (the
// cut is made before escaping, so that no entity is split).
std::string EscapedMrkdwnWithin(std::string_view text, size_t max) {
  size_t limit = max;
  for (;;) {
    std::string escaped = EscapeMrkdwn(TruncateText(text, limit));
    size_t chars = CountCharacters(escaped);
    if (chars <= max || limit <= 1) return escaped;
    limit = chars - max < limit ? limit - (chars - max) : 1;
  }
}

Json PlainText(std::string text) {
  return Json{{"type", "plain_text"}, {"text", std::move(text)}, {"emoji", true}};
}

Json Mrkdwn(std::string text) { return Json{{"type", "mrkdwn"}, {"text", std::move(text)}}; }

Json Field(std::string_view name, std::string_view value) {
  return Mrkdwn("*" + std::string(name) + "*\n" + EscapedMrkdwnWithin(value, kMaxFieldValueChars));
}

}  // namespace

SlackChannel::SlackChannel(const config::Channel& channel, ChannelTemplates templates)
    : name_(channel.name),
      webhook_url_(channel.webhook_url.value),
      templates_(std::move(templates)),
      client_(HttpOptionsFor(channel)) {}

DeliveryResult SlackChannel::Deliver(const Event& e) {
  std::string title = templates_.Title(e);

  Json fields = Json::array();
  fields.push_back(Field("DAG", e.dag_id));
  if (!e.run_id.empty()) fields.push_back(Field("Run", e.run_id));
  if (!e.task_id.empty()) fields.push_back(Field("Task", e.task_id));
  fields.push_back(Field("Rule", e.rule));
  fields.push_back(Field("Severity", e.severity));
  fields.push_back(Field("Need-by", FormatRfc3339(e.need_by)));
  if (auto delay = DelayOf(e)) fields.push_back(Field(delay->label, delay->value));

  Json blocks = Json::array();
  blocks.push_back({{"type", "header"}, {"text", PlainText(TruncateText(title, kMaxHeaderChars))}});
  blocks.push_back({{"type", "section"}, {"fields", std::move(fields)}});
  // The default text repeats the fields; only a configured `text:` adds to them.
  if (templates_.has_text()) {
    std::string text = templates_.Text(e);
    if (!text.empty()) {
      blocks.push_back(
          {{"type", "section"}, {"text", Mrkdwn(EscapedMrkdwnWithin(text, kMaxSectionChars))}});
    }
  }
  if (!e.url.empty() && e.url.size() <= kMaxButtonUrlChars) {
    Json button = {{"type", "button"}, {"text", PlainText("Open in Airflow")}, {"url", e.url}};
    blocks.push_back({{"type", "actions"}, {"elements", Json::array({std::move(button)})}});
  }
  std::string context = "SLAyer \u00b7 Airflow " + e.instance + " \u00b7 " +
                        std::string(EventKindName(e.kind)) + " at " + FormatRfc3339(e.event_time);
  blocks.push_back(
      {{"type", "context"}, {"elements", Json::array({Mrkdwn(EscapeMrkdwn(context))})}});

  Json message;
  // The notification text (phone banners, screen readers) when blocks are shown.
  message["text"] = EscapedMrkdwnWithin(title, kMaxSectionChars);
  message["blocks"] = std::move(blocks);

  HttpRequest request;
  request.url = webhook_url_;
  request.headers = {{"Content-Type", "application/json"}};
  request.body = message.dump(-1, ' ', false, Json::error_handler_t::replace);
  return client_.Deliver(request);
}

Result<std::unique_ptr<Channel>> MakeSlackChannel(const config::Channel& channel) {
  SLAYER_ASSIGN_OR_RETURN(ChannelTemplates templates, ChannelTemplates::FromConfig(channel));
  return std::unique_ptr<Channel>(std::make_unique<SlackChannel>(channel, std::move(templates)));
}

}  // namespace slayer::notify
