/* CPU of one read of each file named (2000 reads from the start with pread, the calling thread's
 * CPU clock), and its size: what each host source's tick costs in the kernel.
 * usage: proc_read_cost FILE... */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double thread_cpu_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char** argv) {
  static char buffer[1 << 20];
  for (int i = 1; i < argc; ++i) {
    const int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      perror(argv[i]);
      continue;
    }
    ssize_t bytes = 0;
    const int reads = 2000;
    const double start = thread_cpu_s();
    for (int k = 0; k < reads; ++k) bytes = pread(fd, buffer, sizeof buffer, 0);
    const double used = thread_cpu_s() - start;
    printf("%-32s %8zd bytes %8.1f us a read\n", argv[i], bytes, used * 1e6 / reads);
    close(fd);
  }
  return 0;
}
