// A machine drawing a known power, as the kernel shows it: a powercap tree under ROOT/sys with
// one package zone whose energy_uj is rewritten in place (as the kernel's file is regenerated on
// each read) every millisecond at WATTS, as RAPL's counters move, until killed. (Every 20 ms, a
// loaded machine could leave it unmoved through the 20 ms in which powerfit checks that a counter
// advances.) rapl_simulator ROOT WATTS
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

double now_s() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: rapl_simulator ROOT WATTS\n");
    return 2;
  }
  const double watts = std::atof(argv[2]);
  const auto zone = std::filesystem::path(argv[1]) / "sys/class/powercap/intel-rapl:0";
  std::filesystem::create_directories(zone);
  std::ofstream(zone / "name") << "package-0\n";
  std::ofstream(zone / "max_energy_range_uj") << "262143328850\n";
  const double start_uj = 1.0e9;  // a counter that did not start at 0
  std::ofstream(zone / "energy_uj") << static_cast<unsigned long long>(start_uj) << '\n';
  const int fd = ::open((zone / "energy_uj").c_str(), O_WRONLY);
  if (fd < 0) return 1;
  const double start = now_s();
  while (true) {
    // Fixed width, so each rewrite covers the last one whole.
    char text[32];
    const int length = std::snprintf(text, sizeof text, "%020llu\n",
                                      static_cast<unsigned long long>(start_uj + watts * (now_s() - start) * 1e6));
    if (::pwrite(fd, text, static_cast<std::size_t>(length), 0) != length) return 1;
    ::usleep(1000);
  }
}
