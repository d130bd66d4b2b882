#include "notify/email_message.h"

#include <openssl/evp.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "common/time.h"
#include "notify/mail_encoding.h"
#include "common/markup_escape.h"

namespace slayer::notify {
namespace {

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

// Only web links become <a href>: event.url comes from configuration, but a "javascript:" URL
// in a mail client is never what anyone meant.
bool IsWebLink(std::string_view url) {
  return url.starts_with("https://") || url.starts_with("http://");
}

std::string DefaultSubject(const Event& e) {
  std::string kind = e.kind == EventKind::kAtRisk ? "at risk" : std::string(EventKindName(e.kind));
  return "[SLAyer] " + kind + ": " + ItemDescription(e) + " (rule " + e.rule + ")";
}

// The rows of the default body, (label, value), in the order they appear.
std::vector<std::pair<std::string, std::string>> Rows(const Event& e) {
  std::vector<std::pair<std::string, std::string>> rows;
  rows.emplace_back("DAG", e.dag_id);
  if (!e.run_id.empty()) rows.emplace_back("Run", e.run_id);
  if (!e.task_id.empty()) rows.emplace_back("Task", e.task_id);
  if (e.logical_date) rows.emplace_back("Logical date", FormatRfc3339(*e.logical_date));
  rows.emplace_back("Rule", e.rule);
  rows.emplace_back("Severity", e.severity);
  rows.emplace_back("Need-by", FormatRfc3339(e.need_by));
  if (std::optional<EventDelay> delay = DelayOf(e)) rows.emplace_back(delay->label, delay->value);
  rows.emplace_back("Instance", e.instance);
  if (!e.labels.empty()) {
    std::string labels;
    for (const auto& [k, v] : e.labels) labels += (labels.empty() ? "" : ", ") + k + "=" + v;
    rows.emplace_back("Labels", labels);
  }
  if (!e.url.empty()) rows.emplace_back("Link", e.url);
  return rows;
}

std::string Footer(const Event& e) { return "Sent by SLAyer. Event key: " + e.key; }

std::string DefaultText(const Event& e) {
  std::string text = EventSummary(e) + ".\n\n";
  for (const auto& [label, value] : Rows(e)) {
    std::string name = label + ":";
    name.resize(std::max<size_t>(name.size() + 1, 14), ' ');
    text += name + value + "\n";
  }
  return text + "\n" + Footer(e) + "\n";
}

std::string HtmlLink(std::string_view url, std::string_view label) {
  if (!IsWebLink(url)) return EscapeHtml(url);
  return "<a href=\"" + EscapeHtml(url) + "\">" + EscapeHtml(label) + "</a>";
}

std::string HtmlPage(std::string_view subject, std::string_view content) {
  return "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>" + EscapeHtml(subject) +
         "</title></head>\n<body>\n" + std::string(content) + "</body>\n</html>\n";
}

std::string DefaultHtml(const Event& e, std::string_view subject) {
  std::string content = "<p>" + EscapeHtml(EventSummary(e)) + ".</p>\n<table>\n";
  for (const auto& [label, value] : Rows(e)) {
    std::string cell = label == "Link" ? HtmlLink(value, value) : EscapeHtml(value);
    content += "<tr><th align=\"left\">" + EscapeHtml(label) + "</th><td>" + cell + "</td></tr>\n";
  }
  content += "</table>\n<p><small>" + EscapeHtml(Footer(e)) + "</small></p>\n";
  return HtmlPage(subject, content);
}

// A templated body is plain text; the HTML part shows it as such, plus the link.
std::string TemplatedHtml(const Event& e, std::string_view subject, std::string_view text) {
  std::string content = "<div style=\"white-space: pre-wrap\">" + EscapeHtml(text) + "</div>\n";
  if (IsWebLink(e.url)) content += "<p>" + HtmlLink(e.url, "Open in Airflow") + "</p>\n";
  return HtmlPage(subject, content);
}

std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  }
  return s;
}

std::string AddressList(std::span<const Mailbox> mailboxes) {
  std::string out;
  for (const Mailbox& m : mailboxes) {
    if (!out.empty()) out += ",\r\n ";
    out += m.ToHeaderText();
  }
  return out;
}

}  // namespace

std::string EmailMessageId(std::string_view event_key) {
  return "<" + Sha256Hex(event_key).substr(0, 32) + "@slayer>";
}

EmailMessage ComposeEmail(const Event& event, const Mailbox& from, std::span<const Mailbox> to,
                          const EmailTemplates& templates) {
  EmailMessage m;
  m.subject = templates.title ? OneLine(templates.title->Render(event)) : DefaultSubject(event);
  std::string html;
  if (templates.text) {
    m.text = templates.text->Render(event);
    html = TemplatedHtml(event, m.subject, m.text);
  } else {
    m.text = DefaultText(event);
    html = DefaultHtml(event, m.subject);
  }
  m.message_id = EmailMessageId(event.key);
  // '=' is always encoded in quoted-printable, so "=_" never occurs inside a part.
  const std::string boundary = "=_slayer_" + Sha256Hex(event.key).substr(32, 16);

  std::string& d = m.data;
  d += "From: " + from.ToHeaderText() + "\r\n";
  d += "To: " + AddressList(to) + "\r\n";
  d += HeaderField("Subject", m.subject);
  d += "Date: " + FormatRfc5322Date(event.event_time) + "\r\n";
  d += "Message-ID: " + m.message_id + "\r\n";
  d += HeaderField("X-Slayer-Key", event.key);
  // RFC 3834: vacation responders and the like do not answer automatic mail.
  d += "Auto-Submitted: auto-generated\r\n";
  d += "MIME-Version: 1.0\r\n";
  d += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n";
  d += "\r\n";
  d += "--" + boundary + "\r\n";
  d += "Content-Type: text/plain; charset=UTF-8\r\n";
  d += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  d += EncodeQuotedPrintable(m.text) + "\r\n";
  d += "--" + boundary + "\r\n";
  d += "Content-Type: text/html; charset=UTF-8\r\n";
  d += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  d += EncodeQuotedPrintable(html) + "\r\n";
  d += "--" + boundary + "--\r\n";
  return m;
}

}  // namespace slayer::notify
