#include "workload/child_process.hpp"

#include "core/interruption.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <string_view>
#include <system_error>

extern char** environ;

namespace powerfit::workload {
namespace {

std::atomic<pid_t> g_forward_to{0};
constexpr std::array<int, 3> kForwarded{SIGINT, SIGTERM, SIGHUP};
struct sigaction g_previous[3];

void forward_signal(int signal, siginfo_t* info, void*) {
  const int saved_errno = errno;
  int expected = 0;
  interruption().compare_exchange_strong(expected, signal);
  const pid_t child = g_forward_to.load();
  // A signal the terminal sent to the whole group already reached the child.
  if (child > 0 && !(info != nullptr && info->si_code == SI_KERNEL)) ::kill(child, signal);
  errno = saved_errno;
}

bool is_executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

}  // namespace

std::optional<std::string> resolve_command(const std::string& command) {
  if (command.empty()) return std::nullopt;
  if (command.find('/') != std::string::npos) {
    if (is_executable(command)) return command;
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string_view directories = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    const auto colon = directories.find(':');
    std::string directory(directories.substr(0, colon));
    if (directory.empty()) directory = ".";
    const std::string candidate = directory + "/" + command;
    if (is_executable(candidate)) return candidate;
    if (colon == std::string_view::npos) break;
    directories.remove_prefix(colon + 1);
  }
  return std::nullopt;
}

namespace {

// The child's environment, built before fork: after fork a multithreaded parent's child may only
// make async-signal-safe calls, which setenv is not.
std::vector<std::string> child_environment(const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> entries;
  for (char** variable = environ; variable != nullptr && *variable != nullptr; ++variable) {
    const std::string_view entry(*variable);
    const auto name = entry.substr(0, entry.find('='));
    const bool replaced = std::any_of(extra.begin(), extra.end(), [&](const auto& pair) { return pair.first == name; });
    if (!replaced) entries.emplace_back(entry);
  }
  for (const auto& [name, value] : extra) entries.push_back(name + "=" + value);
  return entries;
}

void close_pair(int (&fds)[2]) {
  for (int& fd : fds) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::vector<std::pair<std::string, std::string>>& environment) {
  int go[2] = {-1, -1};
  int error[2] = {-1, -1};
  if (::pipe2(go, O_CLOEXEC) != 0 || ::pipe2(error, O_CLOEXEC) != 0) {
    const int saved = errno;
    close_pair(go);
    close_pair(error);
    throw std::system_error(saved, std::generic_category(), "pipe");
  }
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  auto entries = child_environment(environment);
  std::vector<char*> envp;
  for (auto& entry : entries) envp.push_back(entry.data());
  envp.push_back(nullptr);
  // Resolved now, through PATH, so the child only calls execve.
  const std::string program = argv.empty() ? std::string() : resolve_command(argv.front()).value_or(argv.front());

  pid_ = ::fork();
  if (pid_ < 0) {
    const int saved = errno;
    close_pair(go);
    close_pair(error);
    throw std::system_error(saved, std::generic_category(), "fork");
  }
  if (pid_ == 0) {
    ::close(go[1]);
    ::close(error[0]);
    char byte = 0;
    ssize_t n;
    do {
      n = ::read(go[0], &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) ::_exit(127);  // powerfit went away before releasing us
    ::execve(program.c_str(), args.data(), envp.data());
    const int exec_errno = errno;
    [[maybe_unused]] const auto written = ::write(error[1], &exec_errno, sizeof exec_errno);
    ::_exit(exec_errno == ENOENT ? 127 : 126);
  }
  ::close(go[0]);
  ::close(error[1]);
  go_fd_ = go[1];
  error_fd_ = error[0];
}

ChildProcess::~ChildProcess() {
  if (go_fd_ >= 0) ::close(go_fd_);
  if (error_fd_ >= 0) ::close(error_fd_);
  if (pid_ > 0 && !reaped_) {
    if (go_fd_ >= 0) ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

int ChildProcess::release() {
  const char go = 1;
  [[maybe_unused]] const auto written = ::write(go_fd_, &go, 1);
  ::close(go_fd_);
  go_fd_ = -1;
  int exec_errno = 0;
  ssize_t n;
  do {
    n = ::read(error_fd_, &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  ::close(error_fd_);
  error_fd_ = -1;
  return n == static_cast<ssize_t>(sizeof exec_errno) ? exec_errno : 0;
}

void ChildProcess::wait_for_exit() {
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
  }
}

ExitInfo ChildProcess::reap() {
  int status = 0;
  rusage usage{};
  while (::wait4(pid_, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  ExitInfo info;
  info.cpu_s = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
               static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
  if (WIFSIGNALED(status)) {
    info.signal = WTERMSIG(status);
    info.status = 128 + WTERMSIG(status);
  } else {
    info.status = WEXITSTATUS(status);
  }
  return info;
}

void SignalForwarder::forward_to(pid_t child) { g_forward_to.store(child); }

SignalForwarder::SignalForwarder(pid_t child) {
  g_forward_to.store(child);
  struct sigaction action{};
  action.sa_sigaction = forward_signal;
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&action.sa_mask);
  for (std::size_t i = 0; i < kForwarded.size(); ++i) ::sigaction(kForwarded[i], &action, &g_previous[i]);
}

SignalForwarder::~SignalForwarder() {
  for (std::size_t i = 0; i < kForwarded.size(); ++i) ::sigaction(kForwarded[i], &g_previous[i], nullptr);
  g_forward_to.store(0);
}

}  // namespace powerfit::workload
