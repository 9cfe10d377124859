// The cost of the embedding APIs in a running session: an empty region (start and end markers)
// and one mark, through the C++ and the C interfaces (Python: bench/api_overhead.py).

#include <benchmark/benchmark.h>

#include "powerfit/powerfit.h"
#include "powerfit/session.hpp"

namespace {

void BM_CppEmptyRegion(benchmark::State& state) {
  powerfit::Session session({.interval = "100ms"});
  session.start();
  for (auto _ : state) {
    auto region = session.region("r");
  }
  session.stop();
}
BENCHMARK(BM_CppEmptyRegion)->Repetitions(3)->ReportAggregatesOnly(true);

void BM_CppMark(benchmark::State& state) {
  powerfit::Session session({.interval = "100ms"});
  session.start();
  for (auto _ : state) session.mark("m");
  session.stop();
}
BENCHMARK(BM_CppMark)->Repetitions(3)->ReportAggregatesOnly(true);

void BM_CMark(benchmark::State& state) {
  powerfit_session* session = nullptr;
  powerfit_session_create(nullptr, "100ms", &session);
  powerfit_session_start(session);
  for (auto _ : state) benchmark::DoNotOptimize(powerfit_session_mark(session, "m"));
  powerfit_session_stop(session);
  powerfit_session_destroy(session);
}
BENCHMARK(BM_CMark)->Repetitions(3)->ReportAggregatesOnly(true);

}  // namespace
