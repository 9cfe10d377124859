#include "sensors/host_info.hpp"

#include <cstdlib>

#include <sys/utsname.h>
#include <unistd.h>

#include "core/text.hpp"
#include "sensors/proc_file.hpp"

namespace powerfit::sensors {

HostInfo read_host_info(const Roots& roots) {
  HostInfo host;
  for (const char* variable : kSchedulerVariables) {
    if (const char* value = std::getenv(variable); value != nullptr) host.scheduler.emplace_back(variable, value);
  }
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) == 0) host.hostname = name;
  utsname uts{};
  if (::uname(&uts) == 0) host.kernel = std::string(uts.sysname) + " " + uts.release;
  host.cpu_cores = static_cast<unsigned>(::sysconf(_SC_NPROCESSORS_ONLN));
  if (const auto cpuinfo = read_text_file(roots.proc / "cpuinfo")) {
    std::string_view content = *cpuinfo;
    while (!content.empty() && host.cpu_model.empty()) {
      const auto line = text::next_line(content);
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      const auto key = text::trim(line.substr(0, colon));
      // x86 names it "model name"; many Arm kernels only give "Hardware" or "Model".
      if (key == "model name" || key == "Hardware" || key == "Model") {
        host.cpu_model = std::string(text::trim(line.substr(colon + 1)));
      }
    }
  }
  if (const auto meminfo = read_text_file(roots.proc / "meminfo")) {
    std::string_view content = *meminfo;
    std::string_view rest = text::next_line(content);
    if (text::next_token(rest) == "MemTotal:") {
      if (const auto kib = text::to_u64(text::next_token(rest))) host.memory_bytes = *kib * 1024;
    }
  }
  return host;
}

}  // namespace powerfit::sensors
