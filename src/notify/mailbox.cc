#include "notify/mailbox.h"

#include "notify/mail_encoding.h"

namespace slayer::notify {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsAddress(std::string_view a) {
  size_t at = a.find('@');
  if (at == 0 || at == a.npos || at + 1 == a.size() || a.find('@', at + 1) != a.npos) return false;
  for (unsigned char c : a) {
    if (c <= 0x20 || c >= 0x7f) return false;
    if (std::string_view("<>()[],;:\"\\").find(static_cast<char>(c)) != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

Status NotAMailbox(std::string_view text, std::string_view why) {
  return InvalidArgumentError("\"" + std::string(text) + "\" is not an e-mail address (" +
                              std::string(why) +
                              "; want name@example.com or \"Name <name@example.com>\")");
}

}  // namespace

std::string Mailbox::ToHeaderText() const {
  if (display_name.empty()) return address;
  return EncodeDisplayName(display_name) + " <" + address + ">";
}

Result<Mailbox> ParseMailbox(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      return InvalidArgumentError("an e-mail address contains a control character (line break?)");
    }
  }
  std::string_view t = Trim(text);
  Mailbox m;
  size_t open = t.find('<');
  if (open == t.npos) {
    if (!IsAddress(t)) return NotAMailbox(text, "no valid address");
    m.address = std::string(t);
    return m;
  }
  if (t.back() != '>') return NotAMailbox(text, "text after '>'");
  std::string_view address = t.substr(open + 1, t.size() - open - 2);
  if (!IsAddress(address)) return NotAMailbox(text, "no valid address between < and >");
  m.address = std::string(address);
  std::string_view name = Trim(t.substr(0, open));
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    name = name.substr(1, name.size() - 2);
    for (size_t i = 0; i < name.size(); ++i) {
      if (name[i] == '\\' && i + 1 < name.size()) ++i;
      m.display_name += name[i];
    }
  } else {
    if (name.find('"') != name.npos) return NotAMailbox(text, "unbalanced quotes in the name");
    m.display_name = std::string(name);
  }
  return m;
}

}  // namespace slayer::notify
