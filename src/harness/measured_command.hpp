#pragma once
// `powerfit run`'s measurement of one command, through the public C++ API: the command is held
// before exec while a Session starts (and measures the idle baseline), then released, followed
// to its exit, and scored on the counts it wrote to POWERFIT_REPORT_FILE.

#include <optional>
#include <string>
#include <string>
#include <vector>

#include "harness/live_line.hpp"
#include "powerfit/session.hpp"

namespace powerfit::harness {

struct MeasuredCommand {
  Summary summary;
  std::optional<std::string> exec_error;     // the command could not be started
  std::optional<std::string> report_problem; // it wrote counts that cannot be used; the run stays unscored
};

// `options.command` and `options.follow_process` are set here. Throws powerfit::Error when the
// session cannot start (the command then never runs).
// `live`: the live line while the command runs.
MeasuredCommand measure_command(const std::vector<std::string>& command, SessionOptions options, const LiveLineOptions& live = {});

}  // namespace powerfit::harness
