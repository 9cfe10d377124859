// Burns a known amount of CPU time: cpu_burner SECONDS_PER_THREAD THREADS.
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void burn(double seconds) {
  volatile unsigned long sink = 0;
  while (thread_cpu_seconds() < seconds) {
    for (int i = 0; i < 100000; ++i) sink = sink + static_cast<unsigned long>(i);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: cpu_burner SECONDS_PER_THREAD THREADS\n");
    return 2;
  }
  const double seconds = std::atof(argv[1]);
  const int threads = std::atoi(argv[2]);
  std::vector<std::thread> workers;
  for (int i = 0; i < threads; ++i) workers.emplace_back(burn, seconds);
  for (auto& worker : workers) worker.join();
  return 0;
}
