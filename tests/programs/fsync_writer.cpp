// Writes a known number of bytes to storage: fsync_writer PATH MEBIBYTES.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fsync_writer PATH MEBIBYTES\n");
    return 2;
  }
  const int fd = ::open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return 1;
  std::vector<char> block(1 << 20, 'x');
  for (int i = 0; i < std::atoi(argv[2]); ++i) {
    block[0] = static_cast<char>(i);
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) return 1;
  }
  if (::fsync(fd) != 0) return 1;
  ::close(fd);
  return 0;
}
