#pragma once
// The one interface every measurement source implements. A source discovers its channels once
// (open) and then fills one reading per channel on every tick (read). It knows nothing about
// sampling, storage or reporting; failures are values, never exceptions.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "powerfit/units.hpp"

namespace powerfit::sensors {

// Where platform files are read from; tests point these at fixture trees.
struct Roots {
  std::filesystem::path proc = "/proc";
  std::filesystem::path sys = "/sys";
  std::filesystem::path dev = "/dev";
};

struct HostInfo;

enum class ReadStatus : std::uint8_t {
  ok,
  missing,            // no value this tick (e.g. a CPU offline, first interval); not a failure
  gone,               // the device, file or process disappeared
  permission_denied,  // the kernel refused the read
  io_error,           // the read failed or the content could not be parsed
  unsupported,        // the hardware or driver does not provide this value
};

std::string_view describe(ReadStatus status);
constexpr bool is_failure(ReadStatus status) {
  return status != ReadStatus::ok && status != ReadStatus::missing;
}

struct Reading {
  double value = 0.0;
  ReadStatus status = ReadStatus::missing;
  // Monotonic time (ns) at which a value polled in the background was read from the device;
  // 0 for a value read at the tick. A failed poll keeps the time and value of the last good one.
  std::int64_t taken_ns = 0;
};

struct Availability {
  bool available = false;
  // Why not, with the fix where there is one; or, when available, a short note on what it reads.
  std::string detail;
};

class Source {
 public:
  virtual ~Source() = default;
  Source() = default;
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;

  // Stable name: "procfs.cpu", "rapl.powercap", "nvml".
  virtual std::string_view name() const = 0;
  // Discovers the channels and opens what reading them needs. Called once, before any read.
  virtual Availability open() = 0;
  // Fills out[i] for channels()[i]. Called on the sampling thread: no I/O beyond the source's
  // own files, and no allocation in the steady state.
  virtual void read(std::span<Reading> out) = 0;

  const std::vector<ChannelInfo>& channels() const { return channels_; }

  // Adds what this source knows of the machine (GPU models, driver) to its fingerprint.
  virtual void describe_host(HostInfo&) const {}

  // A source that is dear to read is sampled only when `--sources` names it.
  virtual bool opt_in() const { return false; }

  // Called when sampling starts, before the first reading: a source that reads in the background
  // starts doing so here, so one that was opened but not chosen costs nothing.
  virtual void before_first_read() {}

  // Called on the sampling thread just before the run's last reading: a source that reads some
  // values in the background refreshes them now, so the run ends on a fresh value.
  virtual void before_last_read() {}

  // Called on the marking thread when a marker is set (the edge of a phase or a region): a source
  // that reads some values in the background may read them afresh, so that the edge falls close
  // to a fresh value. Must be thread-safe and return at once.
  virtual void on_mark() {}

  // CPU seconds so far of the threads the source runs itself (a poller in the background), for
  // powerfit's own share of a process it shares with the measured program.
  virtual double threads_cpu_s() { return 0.0; }

 protected:
  std::size_t add_channel(ChannelInfo info) {
    info.source = std::string(name());
    channels_.push_back(std::move(info));
    return channels_.size() - 1;
  }

  std::vector<ChannelInfo> channels_;
};

}  // namespace powerfit::sensors
