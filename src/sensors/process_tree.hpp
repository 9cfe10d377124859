#pragma once
// The measured process and every descendant it forks, found by scanning /proc once per tick
// (works on kernels built without /proc/PID/task/TID/children). Only processes seen for the
// first time are parsed; the rest of the scan is one getdents over a directory kept open.
//
// The scan costs a stat read per process of the whole host (about 150 µs a tick beside 200
// processes on the H200 machine, VALIDATION.md), so it is skipped while no pid has been handed out
// since the last one: the last pid of /proc/loadavg moves with every fork and thread made in this
// pid namespace, the descendants' included (their pids are allocated here too, whatever
// namespace they live in).
//
// The first scan would read every process's stat to find the root's descendants. Where the kernel
// lists each thread's children (/proc/PID/task/TID/children) it follows those from the root
// instead and takes every other process listed as a stranger unread, provided no pid was handed
// out meanwhile (a fork the lists may have missed); else it reads them all.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sensors/proc_file.hpp"

namespace powerfit::sensors {

// The fields of /proc/PID/stat that powerfit uses. The command name may hold spaces and ')',
// so parsing starts after the last ')'.
struct ProcStat {
  pid_t ppid = 0;
  std::uint64_t utime = 0;   // clock ticks
  std::uint64_t stime = 0;
  std::uint64_t cutime = 0;  // ticks of children this process has waited for
  std::uint64_t cstime = 0;
  std::uint64_t starttime = 0;
  std::uint64_t rss_pages = 0;
  char state = '?';
};
std::optional<ProcStat> parse_proc_stat(std::string_view content);

class ProcessTree {
 public:
  ProcessTree(std::filesystem::path proc_root, pid_t root);
  ~ProcessTree();
  ProcessTree(const ProcessTree&) = delete;
  ProcessTree& operator=(const ProcessTree&) = delete;

  // Opens the listing and takes the first members; again: nothing more.
  bool open();
  // Adds descendants born since the last refresh and drops processes that have gone.
  void refresh();
  // Refreshes where may_have_grown(): for a source that only asks who the members are.
  void update() {
    if (may_have_grown()) refresh();
  }
  // False only when /proc/loadavg shows no pid handed out since the last refresh, so that no
  // descendant can have been born: the refresh can be skipped. True where it cannot be read.
  bool may_have_grown();
  const std::vector<pid_t>& members() const { return members_; }
  pid_t root() const { return root_; }

 private:
  struct Known {
    pid_t ppid = 0;
    bool member = false;
    std::uint32_t generation = 0;
  };

  std::optional<ProcStat> read_stat(pid_t pid) const;
  std::optional<std::uint64_t> last_pid();
  // The first scan by the children lists; false (nothing taken) where it cannot be trusted.
  bool first_scan_by_children();
  // The root and its descendants from the children lists; false where one is missing.
  bool descendants_by_children(std::vector<pid_t>& found) const;
  // Calls each(pid) for every process /proc lists now (one getdents pass over the open directory).
  template <typename Each>
  void for_each_listed(Each&& each);
  void list_members();

  std::filesystem::path proc_root_;
  pid_t root_;
  int dir_fd_ = -1;
  ProcFile loadavg_;
  std::optional<std::uint64_t> last_pid_at_refresh_;
  std::uint32_t generation_ = 0;
  std::unordered_map<pid_t, Known> known_;
  std::vector<pid_t> members_;
  std::vector<pid_t> unresolved_;  // scratch: new pids whose parent was not classified yet
  std::vector<char> dirents_ = std::vector<char>(32 * 1024);
};

}  // namespace powerfit::sensors
