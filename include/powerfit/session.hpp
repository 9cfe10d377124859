#pragma once
// powerfit's C++ API: measure a region of your own program (the inference loop, not the model
// loading), name its phases, attach your counts, and get the figures `powerfit run` prints.
//
//   powerfit::Session session({.output = "runs.db", .interval = "50ms"});
//   session.start();
//   { auto inference = session.region("inference"); run_model(); }
//   session.report({.inferences = n, .correct = k});
//   const powerfit::Summary summary = session.stop();
//
// Errors (a bad interval, stop before start, an unwritable database) are powerfit::Error with a
// one-line message; what was measured before an error is kept.

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace powerfit {

class Error : public std::runtime_error {
 public:
  enum class Kind { argument, state, storage };
  Error(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

struct SessionOptions {
  std::string output;              // database file to append the run to; empty: a temporary one
  std::string interval = "100ms";  // 1ms to 60s
  std::string label;
  bool estimate = true;  // an estimated CPU power where nothing measures it (always labelled)
};

struct Counts {
  std::int64_t inferences = 0;
  std::int64_t correct = 0;
  std::optional<std::int64_t> correct_top5;
  std::string model;
};

struct RegionFigures {
  std::string name;
  double seconds = 0.0;
  double thread_cpu_s = 0.0;  // CPU time of the thread that opened and closed the region
  std::optional<double> measured_energy_j, estimated_energy_j;
};

struct ChannelFigures {
  std::string name, unit;
  bool estimated = false;
  std::optional<double> total, mean, max, energy_j;
};

struct Summary {
  std::int64_t run_id = 0;
  std::string database;  // empty when the session kept no file
  double duration_s = 0.0;
  std::uint64_t samples = 0;
  double sampler_cpu_s = 0.0;
  double process_cpu_s = 0.0;
  std::optional<double> measured_energy_j, estimated_energy_j;
  std::vector<ChannelFigures> channels;
  std::vector<RegionFigures> regions;
  std::optional<Counts> counts;
  // With counts: on the energy of the region named "inference" where there is one, else the
  // whole session's; measured where anything measured, else ESTIMATED (energy_estimated).
  std::optional<double> accuracy_percent, energy_per_inference_j, composite_score;
  bool energy_estimated = false;
  std::string to_json() const;
};

class Session {
 public:
  explicit Session(SessionOptions options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();                        // Error when already started
  void mark(const std::string& name);  // a marker at this instant
  void report(const Counts& counts);
  Summary stop();  // Error when not running
  bool running() const;

  // A region: "NAME:start" now, "NAME:end" when it ends (or is destroyed).
  class Region {
   public:
    Region(Region&& other) noexcept;
    Region(const Region&) = delete;
    Region& operator=(const Region&) = delete;
    Region& operator=(Region&&) = delete;
    ~Region();
    void end();

   private:
    friend class Session;
    Region(Session* session, std::string name);
    Session* session_;
    std::string name_;
    std::int64_t start_ns_ = 0, start_cpu_ns_ = 0;
  };
  Region region(const std::string& name);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace powerfit
