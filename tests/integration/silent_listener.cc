#include "integration/silent_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace slayer::testing {
namespace {

// Binds a TCP socket to 127.0.0.1 on a kernel-chosen port; returns the fd and sets `port`.
int BindLoopback(int& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return -1;
  }
  port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

int UnusedTcpPort() {
  int port = 0;
  int fd = BindLoopback(port);
  if (fd >= 0) ::close(fd);
  return port;
}

SilentListener::SilentListener() {
  int port = 0;
  fd_ = BindLoopback(port);
  if (fd_ >= 0 && ::listen(fd_, 16) == 0) port_ = port;
}

SilentListener::~SilentListener() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace slayer::testing
