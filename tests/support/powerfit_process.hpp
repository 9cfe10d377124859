#pragma once
// Runs the powerfit binary as a user would, capturing its output and exit status.

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/temp_tree.hpp"

namespace powerfit::testing {

struct Outcome {
  int status = -1;  // shell convention: exit code, or 128 + signal
  std::string out;
  std::string err;
  double cpu_s = 0.0;  // powerfit's CPU time, with that of the commands it waited for
};

class PowerfitProcess {
 public:
  PowerfitProcess(std::vector<std::string> args, const std::filesystem::path& scratch)
      : out_(scratch / "stdout.txt"), err_(scratch / "stderr.txt") {
#ifdef POWERFIT_SANITIZE_BUILD
    // LeakSanitizer's exit-time scan intermittently crashes (signal 11 in its tracer) in a process
    // that holds LibTorch's and OpenCV's thread pools, which bench and demo load. Those processes
    // run without the leak check; every other powerfit process, and this test binary, keep it.
    const bool loads_engines = !args.empty() && (args.front() == "bench" || args.front() == "demo");
#else
    const bool loads_engines = false;
#endif
    args.insert(args.begin(), POWERFIT_BINARY);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);  // its own group, so a test can kill powerfit and its command together
      const int out = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(out, STDOUT_FILENO);
      ::dup2(err, STDERR_FILENO);
      std::vector<char*> argv;
      for (auto& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      if (loads_engines) ::setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
      ::execv(argv[0], argv.data());
      ::_exit(99);
    }
  }
  pid_t pid() const { return pid_; }
  void signal(int number) const { ::kill(pid_, number); }
  void signal_group(int number) const { ::kill(-pid_, number); }

  Outcome wait() {
    int status = 0;
    rusage usage{};
    ::wait4(pid_, &status, 0, &usage);
    Outcome outcome;
    outcome.cpu_s = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                    static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
    outcome.status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    outcome.out = read_file(out_);
    outcome.err = read_file(err_);
    return outcome;
  }

 private:
  std::filesystem::path out_;
  std::filesystem::path err_;
  pid_t pid_ = -1;
};

inline Outcome run_powerfit(std::vector<std::string> args, const std::filesystem::path& scratch) {
  return PowerfitProcess(std::move(args), scratch).wait();
}

}  // namespace powerfit::testing
