#pragma once
// The measured command: started without a shell, held just before exec until the sampler runs,
// waited for without being reaped (so its /proc entries can be read one last time), then reaped
// with its resource usage.

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace powerfit::workload {

struct ExitInfo {
  int status = 0;        // shell convention: the exit code, or 128 + N when killed by signal N
  double cpu_s = 0.0;    // user + system time of the command and the descendants it waited for
  std::optional<int> signal;
};

// Looks CMD up as execvp would; nullopt when it cannot be found or executed.
std::optional<std::string> resolve_command(const std::string& command);

class ChildProcess {
 public:
  // Forks a child that waits for release() before it execs argv (searched in PATH).
  // Throws std::system_error when fork itself fails.
  ChildProcess(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& environment);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Lets the child exec. Returns 0, or the errno with which exec failed.
  int release();
  // Blocks until the child has exited, leaving it unreaped.
  void wait_for_exit();
  ExitInfo reap();

 private:
  pid_t pid_ = -1;
  int go_fd_ = -1;     // parent's end of the pipe the child waits on
  int error_fd_ = -1;  // parent's end of the close-on-exec pipe that reports exec failure
  bool reaped_ = false;
};

// While alive, SIGINT, SIGTERM and SIGHUP sent to powerfit are recorded (core/interruption.hpp)
// and passed on to the child, once there is one. A signal the terminal sent to the whole
// foreground group already reached the child and is not repeated.
class SignalForwarder {
 public:
  explicit SignalForwarder(pid_t child = 0);
  void forward_to(pid_t child);
  ~SignalForwarder();
  SignalForwarder(const SignalForwarder&) = delete;
  SignalForwarder& operator=(const SignalForwarder&) = delete;
};

}  // namespace powerfit::workload
