#include "harness/measured_command.hpp"

#include <cstdlib>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "core/interruption.hpp"
#include "workload/child_process.hpp"
#include "workload/counts_file.hpp"

namespace powerfit::harness {
namespace {

// The file the command may write its counts to, removed afterwards.
class CountsFile {
 public:
  CountsFile() : path_((std::filesystem::temp_directory_path() / "powerfit-counts-XXXXXX").string()) {
    const int fd = ::mkstemp(path_.data());
    if (fd >= 0) ::close(fd);
  }
  ~CountsFile() { std::remove(path_.c_str()); }
  CountsFile(const CountsFile&) = delete;
  CountsFile& operator=(const CountsFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Passes the command's counts on to the session; returns what was wrong with them, if anything.
std::optional<std::string> pass_on_report(Session& session, const std::string& path) {
  const auto report = workload::read_counts_file(path);
  if (!report) return std::nullopt;
  std::string problem;
  if (const auto* counts = std::get_if<WorkloadCounts>(&*report)) {
    try {
      session.report(*counts);
      return std::nullopt;
    } catch (const Error& error) {
      problem = error.what();
    }
  } else {
    problem = std::get<workload::CountsError>(*report).message;
  }
  problem = "the command's report (" + std::string(kCountsFileVariable) + ") is unusable: " + problem + "; the run is kept unscored";
  session.report_unusable(problem);
  return problem;
}

}  // namespace

MeasuredCommand measure_command(const std::vector<std::string>& command, SessionOptions options, const LiveLineOptions& live) {
  const CountsFile counts_file;
  workload::ChildProcess child(command, {{kCountsFileVariable, counts_file.path()}});
  options.command = command;
  options.follow_process = child.pid();
  // Sampling (and the idle baseline) start before the command is released, so its first
  // instant is measured; the command stays held, and never runs, if the session cannot start.
  // Signals are caught from the start: one during the idle baseline ends the run there, closed.
  workload::SignalForwarder forwarder;
  Session session(options);
  session.start();
  MeasuredCommand result;
  if (const int signal = interruption(); signal != 0) {
    session.mark("interrupted");  // the command never ran; the held child is killed with `child`
    result.summary = session.stop({.status = 128 + signal});
    return result;
  }
  workload::ExitInfo exit;
  {
    const LiveLine line([&] { return session.live(); }, live, std::cerr);
    forwarder.forward_to(child.pid());
    if (const int exec_errno = child.release(); exec_errno != 0) {
      result.exec_error = command.front() + ": " + std::strerror(exec_errno);
    }
    child.wait_for_exit();
    result.report_problem = pass_on_report(session, counts_file.path());
    session.end_sampling();  // the last sample still sees the exited command's /proc entries
    exit = child.reap();
    forwarder.forward_to(0);
  }
  if (interruption() != 0) session.mark("interrupted");
  result.summary = session.stop({.status = exit.status, .cpu_s = exit.cpu_s});
  return result;
}

}  // namespace powerfit::harness
