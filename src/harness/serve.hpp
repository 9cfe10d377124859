#pragma once
// `powerfit serve`: the machine sampled without end and its channels served on /metrics in
// Prometheus' text format (prometheus-cpp's exposer; the names are report/prometheus.hpp's), with
// a SQLite record of the same samples where a database is given. Scrapes may come at any time
// and from several scrapers at once: each reads a copy of the sampler's newest values.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/duration.hpp"
#include "powerfit/session.hpp"
#include "report/prometheus.hpp"
#include "sensors/source.hpp"

namespace powerfit::harness {

struct ServeOptions {
  std::string listen = "127.0.0.1:9101";  // address:port; port 0 takes a free one
  Nanoseconds interval = std::chrono::seconds(1);
  sensors::Roots roots;
  std::vector<std::string> sources;  // empty: every available one
  bool estimate = true;
  std::optional<double> cpu_tdp_w;
  std::filesystem::path database;  // empty: nothing recorded
  std::string machine;  // --machine: a label on every series and the record's machine name
};

class Exporter {
 public:
  // Opens the sources and the database; throws powerfit::Error naming the fix (a source that
  // cannot be had, a database that cannot be written, an address that cannot be bound).
  explicit Exporter(const ServeOptions& options);
  ~Exporter();
  Exporter(const Exporter&) = delete;
  Exporter& operator=(const Exporter&) = delete;

  // The ports it listens on (the one given, or the one taken for port 0).
  std::vector<int> ports() const;
  // What a scrape returns now.
  std::string scrape() const;
  // Power now and energy so far, for the live line. Thread-safe; empty after stop().
  Session::LiveReading live();
  // Hands recorded ticks on (to the database, or away when there is none); call regularly.
  void drain();
  // Stops sampling and serving; with a database, closes the run. Returns its id (0: none).
  std::int64_t stop();
  // After stop(): why the record could not be written to the end (a full disk, say), if so.
  std::optional<std::string> storage_error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace powerfit::harness
