// Every procfs and sysfs text format the readers parse: the first byte picks the file, the rest
// is its content. The pure line parsers take it directly; the sources read it from a file tree
// laid out as the kernel lays it out, through their real open() and read().
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "sensors/hwmon.hpp"
#include "sensors/proc_cpu.hpp"
#include "sensors/proc_disk.hpp"
#include "sensors/proc_memory.hpp"
#include "sensors/proc_net.hpp"
#include "sensors/proc_process.hpp"
#include "sensors/process_tree.hpp"

namespace {

namespace fs = std::filesystem;
using namespace powerfit::sensors;

// The file tree the sources read: $POWERFIT_FUZZ_TREE (scripts/fuzz.sh keeps it in build-fuzz),
// else a fresh directory under /tmp.
const fs::path& tree() {
  static const fs::path root = [] {
    fs::path made;
    if (const char* given = std::getenv("POWERFIT_FUZZ_TREE")) {
      made = given;
    } else {
      char pattern[] = "/tmp/powerfit-fuzz-XXXXXX";
      made = ::mkdtemp(pattern);
    }
    fs::create_directories(made / "proc/net");
    fs::create_directories(made / "sys/class/hwmon/hwmon0");
    fs::create_directories(made / "sys/block");
    return made;
  }();
  return root;
}

void write(const fs::path& file, const std::string& content) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
}

// open(), then two reads: the second turns counters into increases.
void exercise(Source& source) {
  if (!source.open().available) return;
  std::vector<Reading> readings(source.channels().size());
  source.read(readings);
  source.read(readings);
}

// `content` as the file a source reads, then that source through open() and two reads.
template <typename SourceType, typename... Arguments>
void exercise(const fs::path& file, const std::string& content, const Arguments&... arguments) {
  write(file, content);
  SourceType source(arguments...);
  exercise(source);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string content(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Roots roots{.proc = tree() / "proc", .sys = tree() / "sys"};
  switch (data[0] % 8) {
    case 0: (void)parse_cpu_jiffies(content); break;
    case 1: (void)parse_proc_io(content); break;
    case 2: (void)parse_proc_stat(content); break;
    case 3: exercise<ProcCpuSource>(roots.proc / "stat", content, roots); break;
    case 4: exercise<ProcMemorySource>(roots.proc / "meminfo", content, roots); break;
    case 5: exercise<ProcDiskSource>(roots.proc / "diskstats", content, roots); break;
    case 6: exercise<ProcNetSource>(roots.proc / "net/dev", content, roots, false); break;
    case 7: {
      // hwmon: the chip's name on the first line, a sensor label on the second, its value after.
      const auto first = content.find('\n');
      const auto second = first == std::string::npos ? std::string::npos : content.find('\n', first + 1);
      const auto hwmon = roots.sys / "class/hwmon/hwmon0";
      write(hwmon / "name", content.substr(0, first));
      write(hwmon / "power1_label", first == std::string::npos ? "" : content.substr(first + 1, second - first - 1));
      write(hwmon / "power1_input", second == std::string::npos ? "" : content.substr(second + 1));
      HwmonSource source(roots);
      exercise(source);
      break;
    }
  }
  return 0;
}
