// HttpReceiver: a local HTTP server (127.0.0.1, a free port) that stands in for Alertmanager,
// Slack, PagerDuty or a webhook receiver in tests. It records every request (method, path,
// headers, body) and answers with programmable responses: a default one, or a queue consumed one
// per request, each with an optional delay (for timeouts). Each connection carries one request.
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace httplib {
class Server;
}  // namespace httplib

namespace slayer::testing {

class HttpReceiver {
 public:
  struct Request {
    std::string method;
    std::string path;                                          // without the query string
    std::string query;                                         // after '?', "" when none
    std::vector<std::pair<std::string, std::string>> headers;  // as received
    std::string body;

    // The value of header `name` (any case); "" when absent.
    std::string Header(std::string_view name) const;
    bool HasHeader(std::string_view name) const;
  };

  struct Response {
    int status = 200;
    std::string body = "ok";
    std::string content_type = "text/plain";
    // How long to wait before answering (the request is recorded first). Stop() cuts it short.
    std::chrono::milliseconds delay{0};
  };

  HttpReceiver();
  // Stops the server.
  ~HttpReceiver();
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  // Listens on 127.0.0.1 at `port`, or at a free port when 0. False when the socket cannot be
  // set up or the receiver is running. A stopped receiver may start again, e.g. on its old
  // port() to play a receiver that comes back.
  bool Start(int port = 0);
  // Stops listening, cuts delays short and waits for the server thread. A stopped receiver keeps
  // its recorded requests and port(); connecting to the port is refused. Idempotent.
  void Stop();

  // Serves https with this PEM certificate and key from the next Start() on.
  void UseTls(std::string cert_file, std::string key_file);

  int port() const { return port_; }
  // "http://127.0.0.1:<port>", or https:// with UseTls.
  std::string url() const;

  // The answer to every request that finds the queue empty. Default: 200 "ok".
  void SetDefaultResponse(Response response);
  // Answers to the next requests, one each, in order.
  void QueueResponse(Response response);

  std::vector<Request> requests() const;
  size_t request_count() const;
  // Waits until at least `n` requests have arrived or `timeout` has passed; true in the first
  // case.
  bool WaitForRequests(size_t n, std::chrono::milliseconds timeout) const;
  void ClearRequests();

 private:
  // Records `request` and picks its answer.
  Response Receive(Request request);
  // Sleeps for `delay` unless Stop() comes first.
  void Delay(std::chrono::milliseconds delay);
  // A server whose every route records and answers through Receive.
  std::unique_ptr<httplib::Server> MakeServer();

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::string cert_file_;  // empty: plain HTTP
  std::string key_file_;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool stopping_ = false;          // guarded by mu_
  std::vector<Request> requests_;  // guarded by mu_
  std::deque<Response> queued_;    // guarded by mu_
  Response default_response_;      // guarded by mu_
};

}  // namespace slayer::testing
