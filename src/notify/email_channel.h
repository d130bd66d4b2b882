// EmailChannel: delivers events as e-mail over SMTP (SPEC section 5; docs/notifications.md#e-mail)
// with libcurl. smtp:// upgrades to TLS with STARTTLS when the server offers it and stays plain
// otherwise; smtps:// is TLS from the start. The message is notify/email_message.h's.
// Thread-compatible: Deliver blocks up to the channel's timeout.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "notify/channel.h"
#include "notify/email_message.h"
#include "notify/event.h"
#include "notify/mailbox.h"

namespace slayer::notify {

class EmailChannel : public Channel {
 public:
  // REQUIRES: `from`, `to` and `templates` are `channel`'s, parsed; `to` is not empty. Use
  // MakeEmailChannel.
  EmailChannel(config::Channel channel, Mailbox from, std::vector<Mailbox> to,
               EmailTemplates templates);

  // Channel
  const std::string& name() const override { return channel_.name; }
  // Sends one message to every recipient, or to none: Delivered when the server accepted it;
  // Retry on connection errors, timeouts, TLS failures and SMTP 4xx; Rejected on SMTP 5xx
  // (unknown recipient, failed authentication). The error names the URL, the server's reply and
  // the recipient or step it concerns, never the password. A `recovered` event on a channel
  // with send_resolved false is Delivered without sending anything.
  DeliveryResult Deliver(const Event& event) override;

 private:
  config::Channel channel_;
  Mailbox from_;
  std::vector<Mailbox> to_;
  EmailTemplates templates_;
};

// Makes the channel of a `type: email` entry. kInvalidArgument (naming the channel, never the
// password) when the url is not smtp:// or smtps://host[:port] or holds credentials, `from` or
// a `to` entry is not an e-mail address, `to` is empty, `title` or `text` is not a valid
// template, or `ca_file` cannot be read.
Result<std::unique_ptr<Channel>> MakeEmailChannel(const config::Channel& channel);

}  // namespace slayer::notify
