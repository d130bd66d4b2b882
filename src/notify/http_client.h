// HttpClient: POSTs notification requests with libcurl (HTTP/1.1, https with the system's or a
// given CA file, no redirects), and ClassifyHttpResult turns what came back into a
// DeliveryResult. Errors name a printable target ("slack channel 'ops'") and never a URL or a
// secret. Thread-compatible: one request at a time; keeps the connection open between requests.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "config/config.h"
#include "notify/channel.h"

namespace slayer::notify {

struct HttpRequest {
  std::string url;
  // Sent in this order after SLAyer's own User-Agent. Content-Length is added by the client.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  long status = 0;
  std::string body;  // the first kMaxResponseBodyBytes of the answer
};

// How much of an answer HttpResponse keeps; the rest is read and dropped.
inline constexpr size_t kMaxResponseBodyBytes = 64 * 1024;
// How much of an answer an error message shows.
inline constexpr size_t kMaxErrorExcerptChars = 200;

struct HttpClientOptions {
  // Names the receiver in errors: "slack channel 'ops'". Never the URL when it is a secret.
  std::string target;
  // For the whole request, connecting included.
  Duration timeout = std::chrono::seconds(10);
  // PEM file of the certificate authorities to trust for https; empty = the system's.
  std::string ca_file;
  // Texts that must never appear in an error (webhook URL, routing key, header values). An
  // error that would hold one shows "***" instead.
  std::vector<std::string> secrets;
};

// The options for a channel: target "<type> channel '<name>'", the channel's timeout and ca_file,
// and every secret it holds (webhook URL and its path, routing key, HMAC secret, header values,
// password).
HttpClientOptions HttpOptionsFor(const config::Channel& channel);

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request` as a POST. Returns the answer, whatever its status; an error only when no
  // answer came: kDeadlineExceeded (timeout), kUnavailable (refused, DNS, TLS, connection
  // reset), kInvalidArgument (a URL or option libcurl cannot use). Error messages begin with the
  // target and hold no secret.
  Result<HttpResponse> Post(const HttpRequest& request);

  // Post, then ClassifyHttpResult, with every secret removed from the error.
  DeliveryResult Deliver(const HttpRequest& request);

  const HttpClientOptions& options() const { return options_; }

 private:
  struct Handle;
  std::string Redact(std::string text) const;

  HttpClientOptions options_;
  std::unique_ptr<Handle> handle_;
};

// The delivery outcome of a POST: 2xx delivered; 408, 429, 5xx and errors (refused, timeout,
// DNS) retried, except kInvalidArgument (a URL libcurl cannot use), which is rejected like every
// other 4xx. The error reads "<target>: HTTP <status>: <at most kMaxErrorExcerptChars of the
// answer on one line>", or the transport error as Post gave it.
DeliveryResult ClassifyHttpResult(const Result<HttpResponse>& result, std::string_view target);

// Replaces every occurrence of each non-empty `secrets` entry in `text` with `mask`.
std::string RedactSecrets(std::string text, const std::vector<std::string>& secrets,
                          std::string_view mask = "***");

// Sets up libcurl's global state, once per process; every libcurl user here (HttpClient, the
// e-mail channel) calls it before its first handle. Never torn down: other threads may still be
// using their handles at exit. Thread-safe.
void InitCurlOnce();

}  // namespace slayer::notify
