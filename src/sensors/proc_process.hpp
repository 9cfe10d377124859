#pragma once
// CPU time, resident memory and storage I/O of the measured process tree.
//
// A process that exits and is waited for by its parent moves its CPU time into the parent's
// cutime/cstime and its I/O into the parent's /proc/PID/io, so summing utime+stime+cutime+cstime
// (and io) over the live tree counts every descendant once. A descendant re-parented outside the
// tree takes its share with it; the sums are held monotonic so such a loss never shows as
// negative work.
//
// Finding new descendants means listing all of /proc, the costliest step of a tick, so it runs at
// most once per `rescan_period` (and at once when a member disappears), and only when a pid was
// handed out since the last scan (ProcessTree::may_have_grown). A child born in between
// is found at the next scan; one that lives and dies in between still counts, through its
// parent's accounts, once waited for.

#include <sys/types.h>

#include <map>
#include <memory>

#include "sensors/proc_file.hpp"
#include "sensors/process_tree.hpp"
#include "sensors/source.hpp"

namespace powerfit::sensors {

struct ProcIo {
  std::uint64_t read_bytes = 0;   // bytes fetched from storage
  std::uint64_t write_bytes = 0;  // bytes sent (or to be sent) to storage
};
std::optional<ProcIo> parse_proc_io(std::string_view content);

class ProcProcessSource final : public Source {
 public:
  static constexpr std::int64_t kDefaultRescanPeriodNs = 100'000'000;
  // The tree is shared with sources that attribute per-process figures (GPU memory); this source
  // refreshes it, so it must be read before them.
  ProcProcessSource(Roots roots, std::shared_ptr<ProcessTree> tree,
                    std::int64_t rescan_period_ns = kDefaultRescanPeriodNs);
  std::string_view name() const override { return "procfs.process"; }
  Availability open() override;
  void read(std::span<Reading> out) override;

 private:
  struct Member {
    ProcFile stat;
    ProcFile io;
  };

  Roots roots_;
  std::shared_ptr<ProcessTree> tree_;
  std::map<pid_t, Member> open_members_;
  std::int64_t rescan_period_ns_;
  std::int64_t last_scan_ns_ = 0;
  bool member_lost_ = false;
  double ticks_per_second_;
  double page_bytes_;
  double cpu_time_max_ = 0.0;
  double read_bytes_max_ = 0.0;
  double write_bytes_max_ = 0.0;
  std::size_t cpu_time_ = 0, rss_ = 0, read_bytes_ = 0, write_bytes_ = 0;
};

}  // namespace powerfit::sensors
