// Sends a known number of bytes over loopback TCP to itself: loopback_sender MEBIBYTES.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: loopback_sender MEBIBYTES\n");
    return 2;
  }
  const long total = std::atol(argv[1]) << 20;
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener, 1) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return 1;
  }
  long received = 0;
  std::thread receiver([&] {
    const int connection = ::accept(listener, nullptr, nullptr);
    std::vector<char> buffer(1 << 16);
    for (ssize_t n; (n = ::read(connection, buffer.data(), buffer.size())) > 0;) received += n;
    ::close(connection);
  });
  const int sender = ::socket(AF_INET, SOCK_STREAM, 0);
  if (::connect(sender, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return 1;
  std::vector<char> block(1 << 16, 'y');
  for (long sent = 0; sent < total;) {
    const ssize_t n = ::write(sender, block.data(), block.size());
    if (n <= 0) return 1;
    sent += n;
  }
  ::close(sender);
  receiver.join();
  ::close(listener);
  return received == total ? 0 : 1;
}
