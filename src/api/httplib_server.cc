#include "api/httplib_server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "api/basic_auth.h"
#include "api/gzip.h"
#include "api/listen_address.h"
#include "api/router.h"
#include "common/log.h"

namespace slayer::api {
namespace {

// The text of OpenSSL's queued errors, oldest first, and clears the queue.
std::string OpenSslErrors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? std::string("unknown OpenSSL error") : out;
}

int OpenSslVersion(TlsVersion v) {
  switch (v) {
    case TlsVersion::kTls10:
      return TLS1_VERSION;
    case TlsVersion::kTls11:
      return TLS1_1_VERSION;
    case TlsVersion::kTls12:
      return TLS1_2_VERSION;
    case TlsVersion::kTls13:
      return TLS1_3_VERSION;
  }
  return TLS1_2_VERSION;
}

std::string JoinColon(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ':';
    out += s;
  }
  return out;
}

// Accepts any client certificate: RequestClientCert and RequireAnyClientCert ask for one but do
// not verify it (Go's semantics).
int AcceptAnyCertificate(int /*preverify_ok*/, X509_STORE_CTX* /*ctx*/) { return 1; }

// Configures `ctx` from `tls`; on failure returns false with the reason in `error`.
bool SetUpTls(const TlsServerConfig& tls, SSL_CTX& ctx, std::string& error) {
  ERR_clear_error();
  uint64_t options = SSL_OP_NO_COMPRESSION | SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION;
  if (tls.prefer_server_cipher_suites) options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
  SSL_CTX_set_options(&ctx, options);
  if (SSL_CTX_set_min_proto_version(&ctx, OpenSslVersion(tls.min_version)) != 1 ||
      SSL_CTX_set_max_proto_version(&ctx, OpenSslVersion(tls.max_version)) != 1) {
    error = "cannot set the TLS versions: " + OpenSslErrors();
    return false;
  }
  if (SSL_CTX_use_certificate_chain_file(&ctx, tls.cert_file.c_str()) != 1) {
    error = "cannot load cert_file " + tls.cert_file + ": " + OpenSslErrors();
    return false;
  }
  if (SSL_CTX_use_PrivateKey_file(&ctx, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    error = "cannot load key_file " + tls.key_file + ": " + OpenSslErrors();
    return false;
  }
  if (SSL_CTX_check_private_key(&ctx) != 1) {
    error = "key_file " + tls.key_file + " does not match cert_file " + tls.cert_file;
    ERR_clear_error();
    return false;
  }
  if (!tls.cipher_suites.empty() &&
      SSL_CTX_set_cipher_list(&ctx, JoinColon(tls.cipher_suites).c_str()) != 1) {
    error = "cannot use cipher_suites: " + OpenSslErrors();
    return false;
  }
  if (!tls.curve_preferences.empty() &&
      SSL_CTX_set1_groups_list(&ctx, JoinColon(tls.curve_preferences).c_str()) != 1) {
    error = "cannot use curve_preferences: " + OpenSslErrors();
    return false;
  }
  if (!tls.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(&ctx, tls.client_ca_file.c_str(), nullptr) != 1) {
      error = "cannot load client_ca_file " + tls.client_ca_file + ": " + OpenSslErrors();
      return false;
    }
    // Tells clients which CAs we accept, so that they pick the right certificate.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str())) {
      SSL_CTX_set_client_CA_list(&ctx, names);
    }
  }
  switch (tls.client_auth_type) {
    case ClientAuthType::kNoClientCert:
      SSL_CTX_set_verify(&ctx, SSL_VERIFY_NONE, nullptr);
      break;
    case ClientAuthType::kRequestClientCert:
      SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, AcceptAnyCertificate);
      break;
    case ClientAuthType::kRequireAnyClientCert:
      SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         AcceptAnyCertificate);
      break;
    case ClientAuthType::kVerifyClientCertIfGiven:
      SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
      break;
    case ClientAuthType::kRequireAndVerifyClientCert:
      SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
  // Session resumption with client certificates needs a session id context.
  static constexpr unsigned char kSessionContext[] = "slayer";
  SSL_CTX_set_session_id_context(&ctx, kSessionContext, sizeof(kSessionContext) - 1);
  return true;
}

// httplib's default sets SO_REUSEPORT, which would let a second slayer bind the same port
// silently. SO_REUSEADDR alone allows a restart over TIME_WAIT connections; IPv6 sockets also
// take IPv4 connections, so that ":9469" means every interface of both families.
void SetSocketOptions(int sock) {
  int yes = 1;
  setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  int domain = 0;
  socklen_t len = sizeof(domain);
  if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 && domain == AF_INET6) {
    int no = 0;
    setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof(no));
  }
}

// "ip:port", "[ipv6]:port"; IPv4 clients of a dual-stack socket ("::ffff:10.0.0.5") as IPv4.
std::string FormatAddress(std::string_view ip, int port) {
  constexpr std::string_view kMapped = "::ffff:";
  if (ip.starts_with(kMapped) && ip.find('.') != std::string_view::npos) {
    ip.remove_prefix(kMapped.size());
  }
  if (ip.find(':') != std::string_view::npos) {
    return "[" + std::string(ip) + "]:" + std::to_string(port);
  }
  return std::string(ip) + ":" + std::to_string(port);
}

// Pseudo-headers httplib adds to each request for its own handlers.
bool IsPseudoHeader(const std::string& name) {
  return name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
         name == "LOCAL_PORT";
}

class HttplibServer final : public HttpServer {
 public:
  HttplibServer(HttpServerOptions options, ListenAddress address)
      : options_(std::move(options)), address_(std::move(address)), port_(address_.port) {
    if (!options_.web_config.basic_auth_users.empty()) {
      auth_ = std::make_unique<BasicAuthenticator>(
          options_.web_config.basic_auth_users,
          options_.clock != nullptr ? *options_.clock : system_clock_, options_.auth_cache_ttl);
    }
  }

  ~HttplibServer() override { Stop(); }

  HttplibServer(const HttplibServer&) = delete;
  HttplibServer& operator=(const HttplibServer&) = delete;

  // Builds the httplib server; with TLS, loads the certificates.
  Status Init();

  // HttpServer
  void Handle(std::string method, std::string path, HttpHandler handler) override {
    router_.Handle(std::move(method), std::move(path), std::move(handler));
  }
  Status Start() override;
  void Stop() override;
  int port() const override { return port_.load(); }

 private:
  void Serve(const httplib::Request& req, httplib::Response& res);
  void Write(const httplib::Request& req, HttpResponse response, httplib::Response& res) const;
  Status Bind();

  const HttpServerOptions options_;
  const ListenAddress address_;
  SystemClock system_clock_;
  Router router_;
  std::unique_ptr<BasicAuthenticator> auth_;
  std::unique_ptr<httplib::Server> server_;
  std::atomic<int> port_;

  std::mutex mu_;         // serialises Start and Stop
  bool started_ = false;  // GUARDED_BY(mu_)
  bool stopped_ = false;  // GUARDED_BY(mu_)
  std::thread listener_;  // GUARDED_BY(mu_)
  std::atomic<bool> listen_returned_{false};
  // The socket httplib last created for listening: the bound one once Bind() succeeds.
  std::atomic<int> listen_socket_{-1};
};

Status HttplibServer::Init() {
  if (options_.web_config.tls) {
    std::string error;
    const TlsServerConfig& tls = *options_.web_config.tls;
    auto server = std::make_unique<httplib::SSLServer>(
        [&](SSL_CTX& ctx) { return SetUpTls(tls, ctx, error); });
    if (!server->is_valid()) {
      return InvalidArgumentError(
          "tls_server_config: " +
          (error.empty() ? "cannot create the TLS context: " + OpenSslErrors() : error));
    }
    server_ = std::move(server);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  httplib::Server& s = *server_;
  const size_t threads = static_cast<size_t>(std::max(1, options_.threads));
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.set_socket_options([this](int sock) {
    SetSocketOptions(sock);
    listen_socket_ = sock;
  });
  s.set_tcp_nodelay(true);
  s.set_keep_alive_timeout(options_.keep_alive_timeout.count());
  s.set_read_timeout(options_.read_timeout.count(), 0);
  s.set_write_timeout(options_.write_timeout.count(), 0);
  s.set_payload_max_length(options_.max_request_body_bytes);

  auto serve = [this](const httplib::Request& req, httplib::Response& res) { Serve(req, res); };
  // One catch-all route per method: routing, 404 and 405 are the Router's.
  s.Get(".*", serve);
  s.Post(".*", serve);
  s.Put(".*", serve);
  s.Patch(".*", serve);
  s.Delete(".*", serve);
  s.Options(".*", serve);

  // Also on the responses httplib makes itself (400, 413, ...).
  s.set_post_routing_handler([this](const httplib::Request&, httplib::Response& res) {
    for (const auto& [name, value] : options_.web_config.headers) res.set_header(name, value);
  });
  s.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
        LogError("http request failed", {{"method", req.method}, {"path", req.path}});
        res.status = 500;
        res.set_content("500 internal server error\n", "text/plain; charset=utf-8");
      });
  return Status::Ok();
}

void HttplibServer::Serve(const httplib::Request& req, httplib::Response& res) {
  const auto start = std::chrono::steady_clock::now();
  HttpRequest request;
  request.method = req.method;
  request.path = req.path;
  for (const auto& [name, value] : req.params) request.query.emplace(name, value);
  request.headers.reserve(req.headers.size());
  for (const auto& [name, value] : req.headers) {
    if (!IsPseudoHeader(name)) request.headers.emplace_back(name, value);
  }
  request.body = req.body;
  request.remote_address = FormatAddress(req.remote_addr, req.remote_port);

  HttpResponse response;
  if (auth_ && !auth_->Check(request.FindHeader("Authorization").value_or(""))) {
    response = HttpResponse::Text(401, "401 Unauthorized\n");
    response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"slayer\"");
  } else {
    response = router_.Dispatch(request);
  }
  const int status = response.status;
  Write(req, std::move(response), res);
  if (LogEnabled(LogLevel::kDebug)) {
    LogDebug("http request", {{"method", request.method},
                              {"path", request.path},
                              {"status", status},
                              {"response_bytes", res.body.size()},
                              {"duration_seconds", std::chrono::steady_clock::now() - start},
                              {"remote_address", request.remote_address}});
  }
}

void HttplibServer::Write(const httplib::Request& req, HttpResponse response,
                          httplib::Response& res) const {
  // httplib would compress text bodies itself (gzip or brotli, whatever their size) and slice
  // them for Range requests. We decide on compression below and serve whole bodies (RFC 9110
  // lets a server ignore Range), so those request fields are cleared: httplib hands the request
  // to handlers as const, but it is its own non-const local, and it reads the fields again only
  // to write this response.
  auto& mutable_req = const_cast<httplib::Request&>(req);
  const std::string accept_encoding = req.get_header_value("Accept-Encoding");
  mutable_req.headers.erase("Accept-Encoding");
  mutable_req.ranges.clear();

  res.status = response.status;
  bool has_encoding = false;
  for (const auto& [name, value] : response.headers) {
    if (EqualsIgnoreCase(name, "Content-Encoding")) has_encoding = true;
    res.set_header(name, value);
  }
  if (response.body.size() >= options_.gzip_min_bytes && !has_encoding) {
    res.set_header("Vary", "Accept-Encoding");
    if (AcceptsGzip(accept_encoding)) {
      if (Result<std::string> gzipped = GzipCompress(response.body)) {
        response.body = std::move(*gzipped);
        res.set_header("Content-Encoding", "gzip");
      } else {
        LogWarn("cannot gzip a response", {{"path", req.path}, {"err", gzipped.error().message()}});
      }
    }
  }
  if (!response.body.empty() || response.status != 204) {
    res.set_header("Content-Type", response.content_type);
  }
  res.body = std::move(response.body);
}

Status HttplibServer::Bind() {
  // ":port" listens on every interface: IPv6 with IPv4 mapped, or IPv4 alone when the host has no
  // IPv6.
  std::vector<std::string> hosts;
  if (address_.host.empty()) {
    hosts = {"::", "0.0.0.0"};
  } else {
    hosts = {address_.host};
  }
  int err = 0;
  for (const std::string& host : hosts) {
    errno = 0;
    int port = address_.port;
    bool ok;
    if (port == 0) {
      port = server_->bind_to_any_port(host);
      ok = port > 0;
    } else {
      ok = server_->bind_to_port(host, port);
    }
    if (ok) {
      port_ = port;
      // httplib listens with a backlog of 5: a burst of connections beyond that (several
      // dashboards at once) would see SYNs dropped and retried a second later. Linux lets a
      // second listen() raise it.
      ::listen(listen_socket_.load(), SOMAXCONN);
      return Status::Ok();
    }
    err = errno;
    // Only the wildcard falls back, and only when IPv6 itself is missing.
    if (err != EAFNOSUPPORT && err != EADDRNOTAVAIL) break;
  }
  std::string why = err != 0 ? std::strerror(err) : "cannot resolve or bind the host";
  return UnavailableError("cannot listen on " + address_.ToString() + ": " + why);
}

Status HttplibServer::Start() {
  std::lock_guard lock(mu_);
  if (started_ || stopped_) return FailedPreconditionError("http server already started");
  SLAYER_RETURN_IF_ERROR(Bind());
  started_ = true;
  listener_ = std::thread([this] {
    server_->listen_after_bind();
    listen_returned_ = true;
  });
  // Stop() works only once httplib runs its accept loop; wait for it, briefly.
  while (!server_->is_running() && !listen_returned_) std::this_thread::yield();
  const std::string bound = ListenAddress{address_.host, port_.load()}.ToString();
  LogInfo("listening", {{"address", bound},
                        {"tls", options_.web_config.tls.has_value()},
                        {"basic_auth", auth_ != nullptr}});
  return Status::Ok();
}

void HttplibServer::Stop() {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  stopped_ = true;
  if (!started_) return;
  server_->stop();
  if (listener_.joinable()) listener_.join();
  LogInfo("http server stopped", {{"port", port_.load()}});
}

}  // namespace

Result<std::unique_ptr<HttpServer>> NewHttplibServer(HttpServerOptions options) {
  Result<ListenAddress> address = ParseListenAddress(options.listen_address);
  if (!address) return address.error();
  auto server = std::make_unique<HttplibServer>(std::move(options), std::move(*address));
  SLAYER_RETURN_IF_ERROR(server->Init());
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace slayer::api
