#include "notify/email_channel.h"

#include <curl/curl.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>
#include <string_view>
#include <utility>

#include "common/ascii.h"
#include "notify/email_message.h"
#include "notify/http_client.h"
#include "notify/template.h"

namespace slayer::notify {
namespace {

// What the server said and to which command, for errors. Only the server's replies and the
// verbs of our commands are kept: the lines SLAyer sends during AUTH carry the credentials.
struct Transcript {
  std::string command;          // our last command: "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", ...
  std::string recipient;        // the address of the last RCPT TO, "<x@example.com>"
  std::string reply;            // the server's last reply line, "550 5.1.1 <x@y>: unknown user"
  std::string reply_command;    // the command `reply` answered
  std::string reply_recipient;  // the recipient when that command was RCPT
};

std::string_view TrimLineEnd(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

int OnDebug(CURL*, curl_infotype type, char* data, size_t size, void* userp) {
  auto& t = *static_cast<Transcript*>(userp);
  std::string_view text(data, size);
  if (type == CURLINFO_HEADER_IN) {
    // A multi-line reply arrives line by line; its last line is the one that counts.
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      std::string_view line =
          TrimLineEnd(text.substr(start, end == text.npos ? text.npos : end - start));
      // After a failure libcurl says QUIT; its "221 Bye" would hide the reason. The reply
      // decides the outcome, so only what the server answered to the transaction counts.
      if (!line.empty() && t.command != "QUIT") {
        t.reply = std::string(line.substr(0, 300));
        t.reply_command = t.command;
        t.reply_recipient = t.recipient;
      }
      if (end == text.npos) break;
      start = end + 1;
    }
  } else if (type == CURLINFO_HEADER_OUT) {
    static constexpr std::string_view kVerbs[] = {"EHLO", "HELO", "STARTTLS", "AUTH", "MAIL",
                                                  "RCPT", "DATA", "QUIT",     "RSET"};
    for (std::string_view verb : kVerbs) {
      if (text.size() >= verb.size() && EqualsIgnoreCase(text.substr(0, verb.size()), verb)) {
        t.command = std::string(verb);
        if (verb == "RCPT") {
          size_t open = text.find('<');
          size_t close = text.find('>', open);
          if (open != text.npos && close != text.npos) {
            t.recipient = std::string(text.substr(open, close - open + 1));
          }
        }
        break;
      }
    }
    // Anything else is a continuation of AUTH (a base64 user name or password): not kept.
  }
  return 0;
}

struct Upload {
  std::string_view data;
  size_t offset = 0;
};

size_t OnRead(char* buffer, size_t size, size_t count, void* userp) {
  auto& u = *static_cast<Upload*>(userp);
  size_t n = std::min(size * count, u.data.size() - u.offset);
  std::memcpy(buffer, u.data.data() + u.offset, n);
  u.offset += n;
  return n;
}

// Errors show the password, should a server echo it, as "<redacted>".
std::string Redact(std::string text, const std::string& password) {
  return RedactSecrets(std::move(text), {password}, "<redacted>");
}

// The code of an SMTP reply line ("550 5.1.1 ..." -> 550); 0 when there is none.
int ReplyCode(std::string_view line) {
  if (line.size() < 3) return 0;
  int code = 0;
  for (char c : line.substr(0, 3)) {
    if (c < '0' || c > '9') return 0;
    code = code * 10 + (c - '0');
  }
  return code;
}

// Failures that retrying cannot fix without a change of configuration.
bool IsPermanent(CURLcode code) {
  return code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_URL_MALFORMAT ||
         code == CURLE_NOT_BUILT_IN || code == CURLE_LOGIN_DENIED;
}

std::string DescribeReply(const Transcript& t, const Mailbox& from, const std::string& username) {
  const std::string& what = t.reply;
  if (t.reply_command == "RCPT") return what + " for " + t.reply_recipient;
  if (t.reply_command == "MAIL") return what + " for sender <" + from.address + ">";
  if (t.reply_command == "AUTH") return what + " (login as " + username + ")";
  if (t.reply_command == "DATA") return what + " (message refused)";
  if (t.reply_command == "STARTTLS") return what + " (STARTTLS)";
  return what;
}

Status CheckUrl(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), &curl_url_cleanup);
  if (!u) return InternalError("out of memory");
  if (curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return InvalidArgumentError("url \"" + url + "\" is not a URL; want smtp://host:port");
  }
  auto part = [&](CURLUPart which) {
    char* value = nullptr;
    if (curl_url_get(u.get(), which, &value, 0) != CURLUE_OK || value == nullptr) {
      return std::string();
    }
    std::string s(value);
    curl_free(value);
    return s;
  };
  // The whole URL is not repeated here: it holds a password.
  if (!part(CURLUPART_USER).empty() || !part(CURLUPART_PASSWORD).empty()) {
    return InvalidArgumentError(
        "url holds a user name or password; use username and password_file instead");
  }
  std::string scheme = part(CURLUPART_SCHEME);
  if (scheme != "smtp" && scheme != "smtps") {
    return InvalidArgumentError("url \"" + url + "\" is not smtp:// or smtps://");
  }
  if (part(CURLUPART_HOST).empty()) {
    return InvalidArgumentError("url \"" + url + "\" has no host");
  }
  return Status::Ok();
}

Result<std::unique_ptr<Channel>> Make(const config::Channel& channel) {
  SLAYER_RETURN_IF_ERROR(CheckUrl(channel.url));
  auto from = ParseMailbox(channel.from);
  if (!from) return from.error().WithContext("from");
  if (channel.to.empty()) return InvalidArgumentError("to: no recipients");
  std::vector<Mailbox> to;
  for (const std::string& text : channel.to) {
    auto m = ParseMailbox(text);
    if (!m) return m.error().WithContext("to");
    to.push_back(std::move(*m));
  }
  EmailTemplates templates;
  auto parse = [](const std::string& text, const char* key,
                  std::optional<MessageTemplate>& out) -> Status {
    if (text.empty()) return Status::Ok();
    auto parsed = MessageTemplate::Parse(text);
    if (!parsed) return parsed.error().WithContext(key);
    out = std::move(*parsed);
    return Status::Ok();
  };
  SLAYER_RETURN_IF_ERROR(parse(channel.title, "title", templates.title));
  SLAYER_RETURN_IF_ERROR(parse(channel.text, "text", templates.text));
  if (!channel.ca_file.empty() && !std::ifstream(channel.ca_file).good()) {
    return InvalidArgumentError("ca_file " + channel.ca_file + " cannot be read");
  }
  InitCurlOnce();
  return std::unique_ptr<Channel>(std::make_unique<EmailChannel>(
      channel, std::move(*from), std::move(to), std::move(templates)));
}

}  // namespace

EmailChannel::EmailChannel(config::Channel channel, Mailbox from, std::vector<Mailbox> to,
                           EmailTemplates templates)
    : channel_(std::move(channel)),
      from_(std::move(from)),
      to_(std::move(to)),
      templates_(std::move(templates)) {}

DeliveryResult EmailChannel::Deliver(const Event& event) {
  if (event.kind == EventKind::kRecovered && !channel_.send_resolved) {
    return DeliveryResult::Delivered();
  }
  EmailMessage message = ComposeEmail(event, from_, to_, templates_);

  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return DeliveryResult::Retry(channel_.url + ": cannot start a libcurl session");
  CURL* h = curl.get();
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients(nullptr,
                                                                         &curl_slist_free_all);
  for (const Mailbox& m : to_) {
    curl_slist* list = curl_slist_append(recipients.get(), ("<" + m.address + ">").c_str());
    if (list == nullptr) return DeliveryResult::Retry(channel_.url + ": out of memory");
    recipients.release();
    recipients.reset(list);
  }
  const std::string mail_from = "<" + from_.address + ">";
  const auto timeout_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(channel_.timeout).count();
  Transcript transcript;
  Upload upload{.data = message.data};
  char error_buffer[CURL_ERROR_SIZE] = {};

  curl_easy_setopt(h, CURLOPT_URL, channel_.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  // smtp://: STARTTLS when the server offers it, plain otherwise. smtps:// is TLS regardless.
  curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  if (!channel_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, channel_.ca_file.c_str());
  if (!channel_.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, channel_.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, channel_.password.value.c_str());
  }
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, &OnRead);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.data.size()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  // The debug callback sees the dialogue (for errors); with it set, libcurl prints nothing.
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, &OnDebug);
  curl_easy_setopt(h, CURLOPT_DEBUGDATA, &transcript);
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);

  CURLcode code = curl_easy_perform(h);
  if (code == CURLE_OK) return DeliveryResult::Delivered();

  const std::string& password = channel_.password.value;
  const int reply = ReplyCode(transcript.reply);
  if (reply >= 400 && reply < 600) {
    std::string error =
        Redact(channel_.url + ": " + DescribeReply(transcript, from_, channel_.username), password);
    if (reply >= 500) return DeliveryResult::Rejected(std::move(error));
    return DeliveryResult::Retry(std::move(error));
  }
  // libcurl's own message is the more specific one ("Failed to connect to ... : Connection
  // refused", "SSL certificate problem: self-signed certificate").
  std::string error =
      channel_.url + ": " + (error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code));
  error = Redact(std::move(error), password);
  if (IsPermanent(code)) return DeliveryResult::Rejected(std::move(error));
  return DeliveryResult::Retry(std::move(error));
}

Result<std::unique_ptr<Channel>> MakeEmailChannel(const config::Channel& channel) {
  auto made = Make(channel);
  if (!made) return made.error().WithContext("email channel \"" + channel.name + "\"");
  return made;
}

}  // namespace slayer::notify
