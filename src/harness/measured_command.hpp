#pragma once
// `powerfit run`'s measurement of one command, through the public C++ API: the command is held
// before exec while a Session starts (and measures the idle baseline), then released, followed
// to its exit, and scored on the counts it wrote to POWERFIT_REPORT_FILE.

#include <optional>
#include <string>
#include <string>
#include <vector>

#include "powerfit/session.hpp"

namespace powerfit::harness {

struct MeasuredCommand {
  Summary summary;
  std::optional<std::string> exec_error;     // the command could not be started
  std::optional<std::string> report_problem; // it wrote counts that cannot be used; the run stays unscored
  // Set when this is not the node's first rank: what it measured, and who measured the rest.
  std::optional<std::string> rank_note;
};

// The rank of this process among those of its job on this node (SLURM_LOCALID, or Open MPI's
// OMPI_COMM_WORLD_LOCAL_RANK), where a launcher set one.
std::optional<int> node_local_rank();

// Several ranks on one node count host-wide channels once: local rank 0 samples everything
// (when no sources were chosen), the others their own process tree alone, without an estimate.
// Returns what to say about it, for ranks other than 0.
std::optional<std::string> keep_host_channels_to_rank_zero(SessionOptions& options);

// `options.command` and `options.follow_process` are set here. Throws powerfit::Error when the
// session cannot start (the command then never runs).
MeasuredCommand measure_command(const std::vector<std::string>& command, SessionOptions options);

}  // namespace powerfit::harness
