#include "config/config.h"

namespace slayer::config {
namespace {

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view ReferenceName(Reference reference) {
  switch (reference) {
    case Reference::kLogicalDate:
      return "dagrun.logical_date";
    case Reference::kDataIntervalStart:
      return "dagrun.data_interval_start";
    case Reference::kDataIntervalEnd:
      return "dagrun.data_interval_end";
    case Reference::kRunAfter:
      return "dagrun.run_after";
    case Reference::kQueuedAt:
      return "dagrun.queued_at";
    case Reference::kStartDate:
      return "dagrun.start_date";
    case Reference::kTaskQueuedAt:
      return "task.queued_at";
    case Reference::kTaskStartDate:
      return "task.start_date";
    case Reference::kFixed:
      return "fixed";
  }
  return "unknown";
}

bool IsTaskReference(Reference reference) {
  return reference == Reference::kTaskQueuedAt || reference == Reference::kTaskStartDate;
}

bool IsScheduleReference(Reference reference) {
  return reference == Reference::kLogicalDate || reference == Reference::kDataIntervalStart ||
         reference == Reference::kDataIntervalEnd;
}

std::string_view RuleKindName(RuleKind kind) {
  switch (kind) {
    case RuleKind::kDeadline:
      return "deadline";
    case RuleKind::kWallClock:
      return "wall clock";
    case RuleKind::kFreshness:
      return "freshness";
  }
  return "unknown";
}

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kCritical:
      return "critical";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "info";
  }
  return "unknown";
}

std::string_view OnFailureName(OnFailure on_failure) {
  switch (on_failure) {
    case OnFailure::kAlert:
      return "alert";
    case OnFailure::kIgnore:
      return "ignore";
  }
  return "unknown";
}

std::string_view ChannelTypeName(ChannelType type) {
  switch (type) {
    case ChannelType::kAlertmanager:
      return "alertmanager";
    case ChannelType::kSlack:
      return "slack";
    case ChannelType::kPagerduty:
      return "pagerduty";
    case ChannelType::kWebhook:
      return "webhook";
    case ChannelType::kEmail:
      return "email";
  }
  return "unknown";
}

bool Selector::Matches(std::string_view id, const std::vector<std::string>& dag_tags,
                       std::string_view owners) const {
  if (!dag_id.empty()) {
    bool any = false;
    for (const Glob& g : dag_id) {
      if (g.Matches(id)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  if (!tags.empty()) {
    bool any = false;
    for (const std::string& t : tags) {
      for (const std::string& d : dag_tags) any = any || t == d;
    }
    if (!any) return false;
  }
  if (!owner.empty()) {
    bool any = false;
    while (!owners.empty() && !any) {
      size_t comma = owners.find(',');
      any = TrimSpaces(owners.substr(0, comma)) == owner;
      owners = comma == std::string_view::npos ? std::string_view{} : owners.substr(comma + 1);
    }
    if (!any) return false;
  }
  return true;
}

RuleKind Rule::kind() const {
  if (at) return RuleKind::kWallClock;
  if (freshness) return RuleKind::kFreshness;
  return RuleKind::kDeadline;
}

const Channel* ValidatedConfig::FindChannel(std::string_view name) const {
  for (const Channel& c : config_.channels) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace slayer::config
