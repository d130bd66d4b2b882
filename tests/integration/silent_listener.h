// Network fixtures for connection-failure tests: a TCP port on 127.0.0.1 where nothing listens,
// and a listener that completes the TCP handshake (in the kernel's backlog) but never accepts or
// answers, like a hung server or a black-holing proxy. Thread-compatible.
#pragma once

namespace slayer::testing {

// A port on 127.0.0.1 that was free a moment ago: connecting to it is refused.
int UnusedTcpPort();

class SilentListener {
 public:
  // Listens on 127.0.0.1 on a free port. port() is 0 when the socket could not be set up.
  SilentListener();
  ~SilentListener();
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;

  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace slayer::testing
