// Test helpers shared by the `slayer report` tests: run the built binary, and start the API of a
// server on the same config and store and fetch a path from it. Header-only; for tests/cli.
#pragma once

#include <curl/curl.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "api/httplib_server.h"
#include "api/routes.h"
#include "app/service.h"
#include "common/clock.h"
#include "config/load.h"

namespace slayer::test {

// What one run of `slayer report` printed and returned.
struct Outcome {
  int rc = -1;
  std::string out;
  std::string err;
};

// `arg` quoted for /bin/sh.
inline std::string Quote(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `<slayer> report --config.file <config> <args...>`; stderr goes through `scratch_dir`.
inline Outcome RunReport(const std::string& slayer, const std::filesystem::path& config,
                         const std::vector<std::string>& args,
                         const std::filesystem::path& scratch_dir) {
  std::string cmd = Quote(slayer) + " report --config.file " + Quote(config.string());
  for (const std::string& a : args) cmd += " " + Quote(a);
  const std::filesystem::path err = scratch_dir / "stderr";
  cmd += " 2>" + Quote(err.string());
  Outcome run;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return run;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) run.out.append(buf, n);
  const int status = ::pclose(p);
  run.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = Slurp(err);
  return run;
}

// GET http://127.0.0.1:<port><path>; `*status` is the HTTP status, 0 when the request failed.
inline std::string HttpGet(int port, const std::string& path, long* status) {
  CURL* curl = curl_easy_init();
  std::string body;
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* p, size_t s, size_t n, void* out) {
        static_cast<std::string*>(out)->append(p, s * n);
        return s * n;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  *status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
  curl_easy_cleanup(curl);
  return body;
}

// The API of a server on the same config and store, as `slayer serve` wires it: the routes of a
// (never started) Service on `config_file`, with `history` and `tasks` as the history and task
// endpoints' access, on 127.0.0.1 at a free port. Stops the server when destroyed.
class ServeApi {
 public:
  // Errors: the server could not be made or started.
  static Result<std::unique_ptr<ServeApi>> Start(const std::filesystem::path& config_file,
                                                 api::HistoryAccess history,
                                                 api::TaskAccess tasks = {}) {
    auto serve = std::unique_ptr<ServeApi>(new ServeApi(config_file.string()));
    api::HttpServerOptions http;
    http.listen_address = "127.0.0.1:0";
    auto server = api::NewHttplibServer(http);
    if (!server) return server.error();
    serve->server_ = std::move(*server);
    api::RegisterRoutes(*serve->server_, serve->service_, serve->clock_,
                        {.telemetry_path = "/metrics",
                         .version = "test",
                         .history = std::move(history),
                         .tasks = std::move(tasks)});
    if (Status st = serve->server_->Start(); !st.ok()) return st;
    return serve;
  }
  ~ServeApi() {
    if (server_) server_->Stop();
  }
  ServeApi(const ServeApi&) = delete;
  ServeApi& operator=(const ServeApi&) = delete;

  int port() const { return server_->port(); }

 private:
  explicit ServeApi(std::string config_file)
      : service_([config_file] { return config::LoadConfigFile(config_file); }, clock_,
                 app::SqlSourceFactory(), "test") {}

  SystemClock clock_;
  app::Service service_;
  std::unique_ptr<api::HttpServer> server_;
};

}  // namespace slayer::test
