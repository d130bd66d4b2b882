// Test helpers shared by the `slayer report` tests: run the built binary and fetch an API path.
// Header-only; for tests/cli.
#pragma once

#include <curl/curl.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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

}  // namespace slayer::test
