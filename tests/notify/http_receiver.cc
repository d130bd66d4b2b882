#include "notify/http_receiver.h"

#include <httplib.h>
#include <strings.h>

namespace slayer::testing {

std::string HttpReceiver::Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), key.size()) == 0) {
      return value;
    }
  }
  return "";
}

bool HttpReceiver::Request::HasHeader(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), key.size()) == 0) {
      return true;
    }
  }
  return false;
}

HttpReceiver::HttpReceiver() = default;

std::unique_ptr<httplib::Server> HttpReceiver::MakeServer() {
  std::unique_ptr<httplib::Server> server;
  if (cert_file_.empty()) {
    server = std::make_unique<httplib::Server>();
  } else {
    server = std::make_unique<httplib::SSLServer>(cert_file_.c_str(), key_file_.c_str());
  }
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    Request request;
    request.method = req.method;
    request.path = req.path;
    size_t q = req.target.find('?');
    if (q != std::string::npos) request.query = req.target.substr(q + 1);
    for (const auto& [key, value] : req.headers) {
      // httplib adds these itself; they were not sent.
      if (key == "REMOTE_ADDR" || key == "REMOTE_PORT" || key == "LOCAL_ADDR" ||
          key == "LOCAL_PORT") {
        continue;
      }
      request.headers.emplace_back(key, value);
    }
    request.body = req.body;
    Response response = Receive(std::move(request));
    Delay(response.delay);
    res.status = response.status;
    res.set_content(response.body, response.content_type.c_str());
  };
  // One request per connection: an idle kept-alive connection would hold Stop() up to httplib's
  // keep-alive timeout.
  server->set_keep_alive_max_count(1);
  const std::string any = ".*";
  server->Get(any, handler);
  server->Post(any, handler);
  server->Put(any, handler);
  server->Patch(any, handler);
  server->Delete(any, handler);
  server->Options(any, handler);
  return server;
}

HttpReceiver::~HttpReceiver() { Stop(); }

bool HttpReceiver::Start(int port) {
  if (thread_.joinable()) return false;
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  server_ = MakeServer();
  // The socket listens from here on: a client may connect before the thread below accepts.
  if (!server_->is_valid()) return false;  // an SSLServer whose certificate did not load
  if (port == 0) {
    port = server_->bind_to_any_port("127.0.0.1");
    if (port <= 0) return false;
  } else if (!server_->bind_to_port("127.0.0.1", port)) {
    return false;
  }
  port_ = port;
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // httplib's stop() does nothing before the thread has started listening; wait for it, so that
  // a Stop() right after Start() cannot leave the thread listening for ever.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_->is_running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      server_->stop();
      thread_.join();
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

void HttpReceiver::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

void HttpReceiver::UseTls(std::string cert_file, std::string key_file) {
  cert_file_ = std::move(cert_file);
  key_file_ = std::move(key_file);
}

std::string HttpReceiver::url() const {
  return (cert_file_.empty() ? "http://127.0.0.1:" : "https://127.0.0.1:") + std::to_string(port_);
}

void HttpReceiver::SetDefaultResponse(Response response) {
  std::lock_guard lock(mu_);
  default_response_ = std::move(response);
}

void HttpReceiver::QueueResponse(Response response) {
  std::lock_guard lock(mu_);
  queued_.push_back(std::move(response));
}

std::vector<HttpReceiver::Request> HttpReceiver::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

size_t HttpReceiver::request_count() const {
  std::lock_guard lock(mu_);
  return requests_.size();
}

bool HttpReceiver::WaitForRequests(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

void HttpReceiver::ClearRequests() {
  std::lock_guard lock(mu_);
  requests_.clear();
}

HttpReceiver::Response HttpReceiver::Receive(Request request) {
  Response response;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(std::move(request));
    if (queued_.empty()) {
      response = default_response_;
    } else {
      response = std::move(queued_.front());
      queued_.pop_front();
    }
  }
  cv_.notify_all();
  return response;
}

void HttpReceiver::Delay(std::chrono::milliseconds delay) {
  if (delay <= std::chrono::milliseconds::zero()) return;
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, delay, [&] { return stopping_; });
}

}  // namespace slayer::testing
