// Mailbox: one e-mail address of the email channel's `from` or `to`, in either of the two forms
// people write: "ops@example.com" or "Data Team <ops@example.com>". Value type; thread-compatible.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace slayer::notify {

struct Mailbox {
  std::string display_name;  // "Data Team"; empty when the text had none
  std::string address;       // "ops@example.com": what SMTP's MAIL FROM and RCPT TO carry

  // The form for a From or To header field: the address, or the encoded display name and
  // "<address>" (notify/mail_encoding.h).
  std::string ToHeaderText() const;
};

// kInvalidArgument, quoting `text`, when it is neither form: the address needs one '@' with
// text on both sides and only printable ASCII without spaces or the characters <>()[],;:"\ ;
// the display name may be quoted and may be UTF-8, but holds no control characters.
Result<Mailbox> ParseMailbox(std::string_view text);

}  // namespace slayer::notify
