#include "notify/smtp_sink.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace slayer::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

SmtpSink::SmtpSink(SmtpSinkOptions options) : options_(std::move(options)) {}

SmtpSink::~SmtpSink() { Stop(); }

bool SmtpSink::Start(std::string& error) {
  if (dir_.path().empty()) {
    error = "mkdtemp failed";
    return false;
  }
  const fs::path messages = dir_.path() / "messages";
  fs::create_directory(messages);
  const std::string log = dir_.path() / "sink.log";
  std::vector<std::string> args = {"/usr/bin/python3",
                                   std::string(SLAYER_SOURCE_DIR) + "/tests/notify/smtp_sink.py",
                                   "--dir",
                                   messages.string(),
                                   "--port",
                                   "0"};
  if (!options_.tls_cert.empty()) {
    args.insert(args.end(), {"--tls-cert", options_.tls_cert, "--tls-key", options_.tls_key});
  }
  if (options_.smtps) args.push_back("--smtps");
  if (!options_.user.empty()) {
    args.insert(args.end(), {"--auth-user", options_.user, "--auth-password", options_.password});
  }
  if (!options_.reject_recipient.empty()) {
    args.insert(args.end(), {"--reject-rcpt", options_.reject_recipient});
  }
  if (options_.temporary_failure) args.push_back("--temporary-failure");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    error = "pipe failed";
    return false;
  }
  int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(out[1], STDOUT_FILENO);
    if (log_fd >= 0) ::dup2(log_fd, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  if (log_fd >= 0) ::close(log_fd);
  if (pid < 0) {
    ::close(out[0]);
    error = "fork failed";
    return false;
  }
  pid_ = pid;

  // Wait for "ready port=<n>".
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{.fd = out[0], .events = POLLIN, .revents = 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[256];
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  ::close(out[0]);
  const std::string kReady = "ready port=";
  if (line.rfind(kReady, 0) == 0) port_ = std::atoi(line.c_str() + kReady.size());
  if (port_ <= 0) {
    Stop();
    error = "smtp_sink.py did not start: " + ReadFile(log);
    return false;
  }
  return true;
}

void SmtpSink::Stop() {
  if (pid_ <= 0) return;
  // The sink holds no state worth a clean shutdown: every message is on disk before its 250.
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string SmtpSink::url() const {
  return std::string(options_.smtps ? "smtps" : "smtp") + "://127.0.0.1:" + std::to_string(port_);
}

std::vector<ReceivedMail> SmtpSink::Messages() const {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir_.path() / "messages")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<ReceivedMail> mails;
  for (const fs::path& file : files) {
    nlohmann::json j = nlohmann::json::parse(ReadFile(file));
    ReceivedMail m;
    m.mail_from = j.at("mail_from").get<std::string>();
    m.rcpt_to = j.at("rcpt_tos").get<std::vector<std::string>>();
    m.tls = j.at("tls").get<bool>();
    if (j.at("login").is_string()) m.login = j.at("login").get<std::string>();
    m.data = j.at("data").get<std::string>();
    mails.push_back(std::move(m));
  }
  return mails;
}

bool MakeSelfSignedCertificate(const std::string& dir, std::string& error) {
  const std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
      "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout '" +
      dir + "/key.pem' -out '" + dir + "/cert.pem' >'" + dir + "/openssl.log' 2>&1";
  if (std::system(command.c_str()) != 0) {
    error = "openssl req failed: " + ReadFile(dir + "/openssl.log");
    return false;
  }
  return true;
}

}  // namespace slayer::testing
