#include "notify/http_client.h"

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <mutex>

#include "common/ascii.h"

namespace slayer::notify {
namespace {

// Writing to a connection the peer has closed raises SIGPIPE in the writing thread, and its
// default action ends the process. With CURLOPT_NOSIGNAL, which a multi-threaded program needs,
// libcurl leaves SIGPIPE to the application (OpenSSL writes with plain send()), so it is blocked
// in this thread for the duration of a request, and one raised meanwhile is consumed.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~ScopedSigpipeBlock() {
    if (sigismember(&old_, SIGPIPE)) return;  // blocked already by the caller: theirs to handle
    sigset_t pending;
    sigemptyset(&pending);
    if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
      timespec zero{0, 0};
      sigtimedwait(&pipe_, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
};

size_t CollectBody(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  size_t n = size * count;
  if (body->size() < kMaxResponseBodyBytes) {
    body->append(data, std::min(n, kMaxResponseBodyBytes - body->size()));
  }
  return n;  // keep reading (and dropping) the rest so that the connection can be reused
}

// At most `max` characters of `text` on one line: runs of spaces and control characters
// (newlines in a JSON error) become one space, and a UTF-8 sequence is never cut in half.
std::string Excerpt(std::string_view text, size_t max) {
  std::string out;
  size_t chars = 0;
  bool space = false;
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7F) {
      space = !out.empty();
      continue;
    }
    if ((c & 0xC0) != 0x80) {  // the first byte of a character
      size_t needed = space ? 2 : 1;
      if (chars + needed > max) return out + "...";
      if (space) out += ' ';
      chars += needed;
      space = false;
    }
    out += ch;
  }
  return out;
}

bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

Status TransportError(CURLcode code, const std::string& target, const char* detail,
                      std::chrono::milliseconds timeout) {
  std::string why = *detail ? detail : curl_easy_strerror(code);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return DeadlineExceededError(target + ": no answer within " + FormatDuration(timeout) + " (" +
                                   why + ")");
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return UnavailableError(target + ": cannot resolve the host name (" + why + ")");
    case CURLE_COULDNT_CONNECT:
      return UnavailableError(target + ": cannot connect (" + why + ")");
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
      return UnavailableError(target + ": TLS failed (" + why + ")");
    case CURLE_URL_MALFORMAT:
      return InvalidArgumentError(target + ": unusable URL (" + why + ")");
    default:
      return UnavailableError(target + ": request failed (" + why + ")");
  }
}

}  // namespace

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

HttpClientOptions HttpOptionsFor(const config::Channel& channel) {
  HttpClientOptions options;
  options.target =
      std::string(config::ChannelTypeName(channel.type)) + " channel '" + channel.name + "'";
  options.timeout = channel.timeout;
  options.ca_file = channel.ca_file;
  for (const config::Secret* secret :
       {&channel.webhook_url, &channel.routing_key, &channel.secret, &channel.password}) {
    if (!secret->empty()) options.secrets.push_back(secret->value);
  }
  // A Slack webhook URL is a credential because of its path; errors could show the path alone.
  const std::string& webhook = channel.webhook_url.value;
  size_t scheme = webhook.find("://");
  size_t path = webhook.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (path != std::string::npos && path + 1 < webhook.size()) {
    options.secrets.push_back(webhook.substr(path));
  }
  for (const auto& [name, value] : channel.headers) {
    if (!value.empty()) options.secrets.push_back(value);
  }
  return options;
}

struct HttpClient::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

HttpClient::HttpClient(HttpClientOptions options)
    : options_(std::move(options)), handle_(std::make_unique<Handle>()) {
  InitCurlOnce();
}

HttpClient::~HttpClient() = default;

std::string HttpClient::Redact(std::string text) const {
  return RedactSecrets(std::move(text), options_.secrets);
}

Result<HttpResponse> HttpClient::Post(const HttpRequest& request) {
  const std::string& target = options_.target;
  if (handle_->curl == nullptr) handle_->curl = curl_easy_init();
  CURL* curl = handle_->curl;
  if (curl == nullptr) return InternalError(target + ": cannot create a libcurl handle");
  // libcurl reports another scheme with the code it also uses for a garbled answer
  // (CURLE_UNSUPPORTED_PROTOCOL), which is worth a retry; a wrong scheme is not.
  if (!StartsWithIgnoringCase(request.url, "http://") &&
      !StartsWithIgnoringCase(request.url, "https://")) {
    return InvalidArgumentError(target + ": unusable URL (not http:// or https://)");
  }
  // Reset the options of the previous request; the connection cache stays.
  curl_easy_reset(curl);

  struct curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "User-Agent: slayer");
  // Without this, libcurl waits up to a second for "100 Continue" before sending a large body.
  headers = curl_slist_append(headers, "Expect:");
  for (const auto& [name, value] : request.headers) {
    std::string line = name + ": " + value;
    // A line break in a value (from an odd run_id) would start a header of its own.
    for (char& c : line) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    headers = curl_slist_append(headers, line.c_str());
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers,
                                                                          &curl_slist_free_all);
  auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(options_.timeout);
  if (timeout < std::chrono::milliseconds(1)) timeout = std::chrono::milliseconds(1);

  HttpResponse response;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &CollectBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());

  CURLcode code;
  {
    ScopedSigpipeBlock no_sigpipe;
    code = curl_easy_perform(curl);
  }
  // The buffer must not outlive this call.
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if (code != CURLE_OK) {
    Status error = TransportError(code, target, error_buffer, timeout);
    return Status(error.code(), Redact(error.message()));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

DeliveryResult HttpClient::Deliver(const HttpRequest& request) {
  DeliveryResult result = ClassifyHttpResult(Post(request), options_.target);
  result.error = Redact(std::move(result.error));
  return result;
}

DeliveryResult ClassifyHttpResult(const Result<HttpResponse>& result, std::string_view target) {
  if (!result) {
    if (result.error().code() == StatusCode::kInvalidArgument) {
      return DeliveryResult::Rejected(result.error().message());
    }
    return DeliveryResult::Retry(result.error().message());
  }
  long status = result->status;
  if (status >= 200 && status < 300) return DeliveryResult::Delivered();
  std::string error = std::string(target) + ": HTTP " + std::to_string(status);
  std::string excerpt = Excerpt(result->body, kMaxErrorExcerptChars);
  if (!excerpt.empty()) error += ": " + excerpt;
  if (status == 408 || status == 429 || status >= 500 || status < 200) {
    return DeliveryResult::Retry(std::move(error));
  }
  return DeliveryResult::Rejected(std::move(error));
}

std::string RedactSecrets(std::string text, const std::vector<std::string>& secrets,
                          std::string_view mask) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + mask.size())) {
      text.replace(at, secret.size(), mask);
    }
  }
  return text;
}

}  // namespace slayer::notify
