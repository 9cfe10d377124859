#pragma once
// The live line of `run`, `bench --live` and `serve`: while a session runs, once a second on
// stderr, its elapsed time, each source's power and the energy so far, measured and ESTIMATED
// apart. On a terminal it rewrites one line and clears it at the end; elsewhere it writes a line
// a second.

#include <atomic>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <thread>

#include "core/sleeper.hpp"
#include "powerfit/session.hpp"

namespace powerfit::harness {

struct LiveLineOptions {
  // Whether to show it: --live and --no-live, else on a terminal unless quiet (resolve_live).
  bool enabled = false;
  bool terminal = false;   // rewrite one line in place
  double delay_s = 0.0;    // nothing is shown before the session is this old
};

// The choice of --live / --no-live, else on where stderr is a terminal and the run is not quiet,
// from a few seconds on (a short run prints nothing more).
LiveLineOptions resolve_live(std::optional<bool> flag, bool quiet);

// "powerfit: 12 s | nvml 312.4 W | estimate.cpu 40.2 W ESTIMATED | 3.81 kJ measured, 0.48 kJ ESTIMATED"
std::string live_line(const Session::LiveReading& reading);

class LiveLine {
 public:
  using Reader = std::function<Session::LiveReading()>;
  // Shows what `read` gives (Session::live, Exporter::live) until destroyed; destroy it before
  // what it reads stops.
  LiveLine(Reader read, const LiveLineOptions& options, std::ostream& out);
  ~LiveLine();
  LiveLine(const LiveLine&) = delete;
  LiveLine& operator=(const LiveLine&) = delete;

 private:
  void run();
  Reader read_;
  LiveLineOptions options_;
  std::ostream& out_;
  Sleeper sleeper_;
  std::atomic<bool> stop_{false};
  bool drawn_ = false;
  std::thread thread_;
};

}  // namespace powerfit::harness
