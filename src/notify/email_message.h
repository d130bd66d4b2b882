// EmailMessage: the e-mail SLAyer sends for one event (docs/notifications.md#e-mail): RFC 5322
// headers (From, To, Subject, Date, Message-ID, X-Slayer-Key) and a multipart/alternative body
// with a text/plain and a text/html part, both UTF-8 quoted-printable. The same event always
// gives the same bytes, so a retried delivery is the same message. Pure; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "notify/event.h"
#include "notify/mailbox.h"
#include "notify/template.h"

namespace slayer::notify {

struct EmailMessage {
  std::string subject;     // the Subject as the reader sees it (before RFC 2047 encoding)
  std::string text;        // the text/plain part as the reader sees it (LF line ends)
  std::string message_id;  // "<32 hex digits@slayer>", see EmailMessageId
  std::string data;        // the whole message as it goes on the wire (CRLF line ends)
};

// An email channel's `title:` and `text:` (notify/template.h); unset = SLAyer's default subject
// or body.
struct EmailTemplates {
  std::optional<MessageTemplate> title;
  std::optional<MessageTemplate> text;
};

// The Message-ID of the event with this key: "<" the first 32 hex digits of SHA-256(key)
// "@slayer>". Stable across delivery attempts and restarts, so mail clients and archives see a
// retried delivery as the same message.
std::string EmailMessageId(std::string_view event_key);

// The message for `event`. The Date is the event's time (when it happened), not the attempt's:
// every attempt sends the same message. The subject is the rendered `title` (line breaks become
// spaces) or "[SLAyer] missed: orders_daily run scheduled__... (rule orders-in-2h)"; the body the
// rendered `text` or the event's summary (EventSummary) and a line per field, with the link to
// `event.url` when it is set. The HTML part shows the same text with every field HTML-escaped.
EmailMessage ComposeEmail(const Event& event, const Mailbox& from, std::span<const Mailbox> to,
                          const EmailTemplates& templates);

}  // namespace slayer::notify
