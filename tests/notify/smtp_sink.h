// SmtpSink: a real SMTP server for tests. Runs tests/notify/smtp_sink.py (Debian's aiosmtpd,
// under /usr/bin/python3) as a child process on a free port of 127.0.0.1 and reads back the
// messages it accepted. The child is killed and reaped by Stop or the destructor, and by the
// kernel if the test process dies first. Thread-compatible.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "store/temp_dir.h"

namespace slayer::testing {

struct SmtpSinkOptions {
  std::string tls_cert;  // PEM files: offer STARTTLS (or TLS from the start with smtps)
  std::string tls_key;
  bool smtps = false;
  std::string user;  // require AUTH as user/password; over STARTTLS when tls_cert is set
  std::string password;
  std::string reject_recipient;    // answer RCPT TO with 550
  bool temporary_failure = false;  // answer every MAIL FROM with 451
};

// One message the sink accepted.
struct ReceivedMail {
  std::string mail_from;             // the envelope sender
  std::vector<std::string> rcpt_to;  // the envelope recipients
  bool tls = false;                  // it came over TLS (STARTTLS or smtps)
  std::string login;                 // the user that authenticated; empty = none
  std::string data;                  // the message as received (CRLF line ends)
};

class SmtpSink {
 public:
  explicit SmtpSink(SmtpSinkOptions options = {});
  ~SmtpSink();
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  // Starts the server and waits (up to 20s) for it to listen. On failure returns false and
  // sets `error` (with the server's stderr).
  bool Start(std::string& error);
  // Kills and reaps the server; idempotent.
  void Stop();

  int port() const { return port_; }
  // "smtp://127.0.0.1:<port>" (smtps:// with options.smtps).
  std::string url() const;
  // The messages accepted so far, in order.
  std::vector<ReceivedMail> Messages() const;

 private:
  SmtpSinkOptions options_;
  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// Makes a self-signed certificate for 127.0.0.1 and localhost with `openssl req -x509` in `dir`:
// <dir>/cert.pem and <dir>/key.pem. Returns false and sets `error` when openssl fails.
bool MakeSelfSignedCertificate(const std::string& dir, std::string& error);

}  // namespace slayer::testing
