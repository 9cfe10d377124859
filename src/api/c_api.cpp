#include "powerfit/powerfit.h"

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "powerfit/session.hpp"
#include "powerfit/version.hpp"
#include "workload/counts_file.hpp"

struct powerfit_session {
  powerfit::Session session;
  std::mutex regions_mutex;
  std::list<std::pair<std::string, powerfit::Session::Region>> open_regions;  // in the order opened
  std::map<std::string, std::string> region_results;  // the last of each name, as JSON
  std::string summary_json;
  bool stopped = false;
  explicit powerfit_session(powerfit::SessionOptions options) : session(std::move(options)) {}
};

namespace {

thread_local std::string last_error;

// Handles are tokens, never addresses: each session gets a number never given out again, and a
// handle is looked up, not dereferenced. A destroyed, stale or foreign handle is recognised (a
// new session never reuses an old one's handle), and a call in flight holds its session alive
// while another thread destroys the handle.
std::mutex handles_mutex;
std::map<std::uintptr_t, std::shared_ptr<powerfit_session>>& handles() {
  static std::map<std::uintptr_t, std::shared_ptr<powerfit_session>> live;
  return live;
}
std::uintptr_t next_handle = 0x1000;

std::shared_ptr<powerfit_session> live(const powerfit_session* handle) {
  const std::lock_guard lock(handles_mutex);
  const auto found = handles().find(reinterpret_cast<std::uintptr_t>(handle));
  return found == handles().end() ? nullptr : found->second;
}

int fail(int status, std::string message) {
  last_error = std::move(message);
  return status;
}

int status_of(const powerfit::Error& error) {
  switch (error.kind()) {
    case powerfit::Error::Kind::state: return POWERFIT_ERROR_STATE;
    case powerfit::Error::Kind::storage: return POWERFIT_ERROR_STORAGE;
    case powerfit::Error::Kind::argument: return POWERFIT_ERROR_ARGUMENT;
  }
  return POWERFIT_ERROR_INTERNAL;
}

// Runs `call` on a live session, turning every exception into a status and a message.
template <typename Call>
int guarded(powerfit_session* handle, Call call) {
  const auto session = live(handle);
  if (!session) return fail(POWERFIT_ERROR_HANDLE, "not a live powerfit session (destroyed, or never created)");
  try {
    call(*session);
    last_error.clear();
    return POWERFIT_OK;
  } catch (const powerfit::Error& error) {
    return fail(status_of(error), error.what());
  } catch (const std::exception& error) {
    return fail(POWERFIT_ERROR_INTERNAL, error.what());
  } catch (...) {
    return fail(POWERFIT_ERROR_INTERNAL, "unknown error");
  }
}

// Options by name, as JSON: a binding passes what its users give without one C function each.
powerfit::SessionOptions options_from_json(const char* text) {
  const auto json = nlohmann::json::parse(text ? text : "{}", nullptr, false);
  if (!json.is_object()) throw powerfit::Error(powerfit::Error::Kind::argument, "the options must be a JSON object");
  powerfit::SessionOptions options;
  for (const auto& item : json.items()) {
    const std::string& key = item.key();  // a name, not a binding: the lambda below captures it
    const auto& value = item.value();
    const auto wrong = [&](const char* expected) {
      return powerfit::Error(powerfit::Error::Kind::argument, "option " + key + " must be " + expected);
    };
    if (value.is_null()) continue;
    if (key == "out" || key == "interval" || key == "label" || key == "baseline" || key == "settle" || key == "machine") {
      if (!value.is_string()) throw wrong("a string");
      (key == "out" ? options.output : key == "interval" ? options.interval : key == "label" ? options.label
       : key == "baseline" ? options.baseline : key == "settle" ? options.settle : options.machine) = value.get<std::string>();
    } else if (key == "estimate") {
      if (!value.is_boolean()) throw wrong("true or false");
      options.estimate = value.get<bool>();
    } else if (key == "sources") {
      if (!value.is_array()) throw wrong("an array of source names");
      for (const auto& name : value) {
        if (!name.is_string()) throw wrong("an array of source names");
        options.sources.push_back(name.get<std::string>());
      }
    } else if (key == "gpus") {
      // NVML indices (numbers or strings) or UUIDs.
      if (!value.is_array()) throw wrong("an array of GPU indices or UUIDs");
      options.gpus.emplace();
      for (const auto& gpu : value) {
        if (gpu.is_number_unsigned()) {
          options.gpus->push_back(std::to_string(gpu.get<unsigned>()));
        } else if (gpu.is_string()) {
          options.gpus->push_back(gpu.get<std::string>());
        } else {
          throw wrong("an array of GPU indices or UUIDs");
        }
      }
    } else if (key == "carbon_intensity" || key == "price") {
      if (!value.is_number() || !(value.get<double>() > 0.0)) throw wrong("a number above 0");
      (key == "price" ? options.tariff.price_per_kwh : options.tariff.carbon_g_per_kwh) = value.get<double>();
    } else {
      throw powerfit::Error(powerfit::Error::Kind::argument,
                            "unknown option '" + key + "'; known: out, interval, label, estimate, baseline, settle, sources, "
                            "gpus, machine, carbon_intensity, price");
    }
  }
  if (options.interval.empty()) options.interval = "100ms";
  return options;
}

int create(powerfit::SessionOptions options, powerfit_session** session) {
  try {
    auto created = std::make_shared<powerfit_session>(std::move(options));
    const std::lock_guard lock(handles_mutex);
    next_handle += 16;
    handles().emplace(next_handle, std::move(created));
    *session = reinterpret_cast<powerfit_session*>(next_handle);
    last_error.clear();
    return POWERFIT_OK;
  } catch (const powerfit::Error& error) {
    return fail(POWERFIT_ERROR_ARGUMENT, error.what());
  } catch (const std::exception& error) {
    return fail(POWERFIT_ERROR_INTERNAL, error.what());
  }
}

}  // namespace

extern "C" {

int powerfit_session_create(const char* output, const char* interval, powerfit_session** session) {
  if (session == nullptr) return fail(POWERFIT_ERROR_ARGUMENT, "session must point to a powerfit_session* to fill");
  *session = nullptr;
  return create(powerfit::SessionOptions{.output = output ? output : "", .interval = interval && *interval ? interval : "100ms"},
                session);
}

int powerfit_session_create_json(const char* options_json, powerfit_session** session) {
  if (session == nullptr) return fail(POWERFIT_ERROR_ARGUMENT, "session must point to a powerfit_session* to fill");
  *session = nullptr;
  try {
    return create(options_from_json(options_json), session);
  } catch (const powerfit::Error& error) {
    return fail(POWERFIT_ERROR_ARGUMENT, error.what());
  }
}

int powerfit_session_start(powerfit_session* session) {
  return guarded(session, [](powerfit_session& s) { s.session.start(); });
}

int powerfit_session_mark(powerfit_session* session, const char* name) {
  if (name == nullptr) return fail(POWERFIT_ERROR_ARGUMENT, "a marker needs a name");
  return guarded(session, [name](powerfit_session& s) { s.session.mark(name); });
}

int powerfit_session_wait_for_samples(powerfit_session* session, int count) {
  return guarded(session, [count](powerfit_session& s) { s.session.wait_for_samples(count); });
}

int powerfit_session_region_begin(powerfit_session* session, const char* name) {
  if (name == nullptr) return fail(POWERFIT_ERROR_ARGUMENT, "a region needs a name");
  return guarded(session, [name](powerfit_session& s) {
    auto region = s.session.region(name);
    const std::lock_guard lock(s.regions_mutex);
    s.open_regions.emplace_back(name, std::move(region));
  });
}

int powerfit_session_region_end(powerfit_session* session, const char* name) {
  if (name == nullptr) return fail(POWERFIT_ERROR_ARGUMENT, "a region needs a name");
  return guarded(session, [name](powerfit_session& s) {
    const std::lock_guard lock(s.regions_mutex);
    for (auto open = s.open_regions.rbegin(); open != s.open_regions.rend(); ++open) {
      if (open->first == name) {
        s.region_results[name] = open->second.end().to_json();
        s.open_regions.erase(std::next(open).base());
        return;
      }
    }
    throw powerfit::Error(powerfit::Error::Kind::state, std::string("no open region \"") + name + "\"; call powerfit_session_region_begin first");
  });
}

int powerfit_session_report(powerfit_session* session, int64_t inferences, int64_t correct) {
  return guarded(session, [=](powerfit_session& s) { s.session.report({.inferences = inferences, .correct = correct}); });
}

int powerfit_session_report_json(powerfit_session* session, const char* counts_json) {
  if (counts_json == nullptr) return fail(POWERFIT_ERROR_ARGUMENT, "the counts must be a JSON object");
  return guarded(session, [counts_json](powerfit_session& s) {
    auto parsed = powerfit::workload::parse_counts(counts_json);
    if (const auto* problem = std::get_if<powerfit::workload::CountsError>(&parsed)) {
      throw powerfit::Error(powerfit::Error::Kind::argument, problem->message);
    }
    s.session.report(std::get<powerfit::WorkloadCounts>(parsed));
  });
}

int powerfit_session_stop(powerfit_session* session) { return powerfit_session_stop_status(session, 0); }

int powerfit_session_stop_status(powerfit_session* session, int status) {
  return guarded(session, [status](powerfit_session& s) {
    s.summary_json = s.session.stop({.status = status}).to_json();
    s.stopped = true;
  });
}

const char* powerfit_session_summary_json(powerfit_session* session) {
  const char* result = nullptr;
  const int status = guarded(session, [&](powerfit_session& s) {
    if (!s.stopped) throw powerfit::Error(powerfit::Error::Kind::state, "no summary before stop(); call powerfit_session_stop first");
    result = s.summary_json.c_str();
  });
  return status == POWERFIT_OK ? result : nullptr;
}

const char* powerfit_session_region_result_json(powerfit_session* session, const char* name) {
  if (name == nullptr) {
    fail(POWERFIT_ERROR_ARGUMENT, "a region needs a name");
    return nullptr;
  }
  const char* result = nullptr;
  const int status = guarded(session, [&](powerfit_session& s) {
    const std::lock_guard lock(s.regions_mutex);
    const auto found = s.region_results.find(name);
    if (found == s.region_results.end()) {
      throw powerfit::Error(powerfit::Error::Kind::state, std::string("no region \"") + name + "\" has ended; call powerfit_session_region_end first");
    }
    result = found->second.c_str();
  });
  return status == POWERFIT_OK ? result : nullptr;
}

void powerfit_session_destroy(powerfit_session* handle) {
  std::shared_ptr<powerfit_session> session;
  {
    const std::lock_guard lock(handles_mutex);
    const auto found = handles().find(reinterpret_cast<std::uintptr_t>(handle));
    if (found == handles().end()) return;
    session = std::move(found->second);
    handles().erase(found);
  }
  try {
    session.reset();  // the last owner stops a running session (after any call still in flight)
  } catch (...) {
  }
}

const char* powerfit_last_error(void) { return last_error.c_str(); }

const char* powerfit_version(void) { return powerfit::kVersion; }

}  // extern "C"
