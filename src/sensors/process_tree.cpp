#include "sensors/process_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "core/text.hpp"
#include "sensors/proc_file.hpp"

namespace powerfit::sensors {
namespace {

constexpr std::size_t kMaxListed = 1u << 22;  // above the kernel's largest pid_max

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view content) {
  const auto close = content.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = content.substr(close + 1);
  // Fields numbered as in proc(5): 3 state, 4 ppid, 14 utime, 15 stime, 16 cutime, 17 cstime,
  // 22 starttime, 24 rss.
  ProcStat stat;
  for (int field = 3; field <= 24; ++field) {
    const auto token = text::next_token(rest);
    if (token.empty()) return std::nullopt;
    const auto number = [&]() { return text::to_u64(token); };
    switch (field) {
      case 3: stat.state = token.front(); break;
      case 4: {
        const auto ppid = text::to_i64(token);
        if (!ppid) return std::nullopt;
        stat.ppid = static_cast<pid_t>(*ppid);
        break;
      }
      case 14: if (auto v = number()) stat.utime = *v; else return std::nullopt; break;
      case 15: if (auto v = number()) stat.stime = *v; else return std::nullopt; break;
      case 16: if (auto v = number()) stat.cutime = *v; else return std::nullopt; break;
      case 17: if (auto v = number()) stat.cstime = *v; else return std::nullopt; break;
      case 22: if (auto v = number()) stat.starttime = *v; else return std::nullopt; break;
      case 24: if (auto v = number()) stat.rss_pages = *v; else return std::nullopt; break;
      default: break;
    }
  }
  return stat;
}

ProcessTree::ProcessTree(std::filesystem::path proc_root, pid_t root)
    : proc_root_(std::move(proc_root)), root_(root) {}

ProcessTree::~ProcessTree() {
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

bool ProcessTree::open() {
  if (dir_fd_ >= 0) return true;
  dir_fd_ = ::open(proc_root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd_ < 0) return false;
  loadavg_.open(proc_root_ / "loadavg");  // absent: every refresh scans
  if (!first_scan_by_children()) refresh();
  return true;
}

template <typename Each>
void ProcessTree::for_each_listed(Each&& each) {
  ::lseek(dir_fd_, 0, SEEK_SET);
  for (;;) {
    const long n = ::syscall(SYS_getdents64, dir_fd_, dirents_.data(), dirents_.size());
    if (n <= 0) break;
    for (long offset = 0; offset < n;) {
      const auto* entry = reinterpret_cast<const struct dirent64*>(dirents_.data() + offset);
      offset += entry->d_reclen;
      if (const auto pid = text::to_i64(entry->d_name)) each(static_cast<pid_t>(*pid));
    }
  }
}

bool ProcessTree::descendants_by_children(std::vector<pid_t>& found) const {
  std::vector<pid_t> pending{root_};
  while (!pending.empty()) {
    const pid_t pid = pending.back();
    pending.pop_back();
    found.push_back(pid);
    std::error_code error;
    const auto tasks = proc_root_ / std::to_string(pid) / "task";
    for (std::filesystem::directory_iterator task(tasks, error), end; !error && task != end; task.increment(error)) {
      // Absent: a kernel without the lists, or a thread that ended since the listing.
      const auto children = read_text_file(task->path() / "children");
      if (!children) return false;
      std::string_view rest(*children);
      for (auto token = text::next_token(rest); !token.empty(); token = text::next_token(rest)) {
        const auto child = text::to_i64(token);
        if (!child) return false;
        pending.push_back(static_cast<pid_t>(*child));
        if (pending.size() + found.size() > kMaxListed) return false;  // lists that loop (a corrupt fixture)
      }
    }
    if (error) return false;  // the process ended since it was listed as a child
  }
  return true;
}

bool ProcessTree::first_scan_by_children() {
  const auto before = last_pid();
  if (!before) return false;  // no way to tell whether a fork slipped past the lists
  std::vector<pid_t> tree;
  if (!descendants_by_children(tree)) return false;
  std::sort(tree.begin(), tree.end());
  ++generation_;
  for_each_listed([&](pid_t pid) {
    auto& known = known_[pid];
    known.generation = generation_;
    known.member = std::binary_search(tree.begin(), tree.end(), pid);
  });
  if (last_pid() != before) {
    known_.clear();
    return false;
  }
  last_pid_at_refresh_ = before;
  list_members();
  return true;
}

std::optional<ProcStat> ProcessTree::read_stat(pid_t pid) const {
  char path[64];
  std::snprintf(path, sizeof path, "%d/stat", static_cast<int>(pid));
  const int fd = ::openat(dir_fd_, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buffer[1024];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  return parse_proc_stat(std::string_view(buffer, static_cast<std::size_t>(n)));
}

std::optional<std::uint64_t> ProcessTree::last_pid() {
  // "0.20 0.18 0.12 1/80 11206": the fifth field is the pid handed out last.
  std::string_view content;
  if (loadavg_.read(content) != ReadStatus::ok) return std::nullopt;
  std::string_view field;
  for (int i = 0; i < 5; ++i) field = text::next_token(content);
  return text::to_u64(field);
}

bool ProcessTree::may_have_grown() {
  const auto now = last_pid();
  return !now || !last_pid_at_refresh_ || *now != *last_pid_at_refresh_;
}

void ProcessTree::refresh() {
  if (dir_fd_ < 0) return;
  // Read before the listing: a fork during it moves the value, and the next check scans again.
  last_pid_at_refresh_ = last_pid();
  ++generation_;
  unresolved_.clear();
  for_each_listed([&](pid_t pid) {
    auto [it, inserted] = known_.try_emplace(pid);
    it->second.generation = generation_;
    if (!inserted) return;
    const auto stat = read_stat(pid);
    if (!stat) {
      known_.erase(it);  // exited between the listing and the read
      return;
    }
    it->second.ppid = stat->ppid;
    unresolved_.push_back(pid);
  });
  // A new process belongs to the tree when its parent does; parents listed after their children
  // (pid numbers wrap) are settled by repeating until nothing changes.
  for (bool changed = true; changed;) {
    changed = false;
    for (auto& pid : unresolved_) {
      if (pid == 0) continue;
      Known& entry = known_[pid];
      const auto parent = known_.find(entry.ppid);
      if (pid == root_ || (parent != known_.end() && parent->second.member)) {
        entry.member = true;
        pid = 0;
        changed = true;
      }
    }
  }
  std::erase_if(known_, [&](const auto& item) { return item.second.generation != generation_; });
  list_members();
}

void ProcessTree::list_members() {
  members_.clear();
  for (const auto& [pid, entry] : known_) {
    if (entry.member) members_.push_back(pid);
  }
  std::sort(members_.begin(), members_.end());
}

}  // namespace powerfit::sensors
