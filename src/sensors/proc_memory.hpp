#pragma once
// System memory in use and available, from /proc/meminfo.

#include "sensors/proc_file.hpp"
#include "sensors/source.hpp"

namespace powerfit::sensors {

class ProcMemorySource final : public Source {
 public:
  explicit ProcMemorySource(Roots roots) : roots_(std::move(roots)) {}
  std::string_view name() const override { return "procfs.memory"; }
  Availability open() override;
  void read(std::span<Reading> out) override;

 private:
  Roots roots_;
  ProcFile meminfo_;
  std::size_t used_ = 0;
  std::size_t available_ = 0;
};

}  // namespace powerfit::sensors
