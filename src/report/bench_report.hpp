#pragma once
// What `powerfit bench` prints after each repeat, and the same as JSON: counts, latency, model
// figures, the inference pass's energy per channel, per inference and per correct inference,
// total and dynamic, each sum marked measured or ESTIMATED, and the scores.

#include <ostream>

#include <nlohmann/json.hpp>

#include "analysis/scores.hpp"
#include "inference/bench_result.hpp"

namespace powerfit::report {

void print_bench_header(std::ostream& out, const inference::BenchResult& result, const std::string& database);

void print_bench_repeat(std::ostream& out, const inference::BenchResult& result, const inference::BenchRepeat& repeat,
                        int index, int count, const analysis::ScoreWeights& weights);

nlohmann::ordered_json bench_json(const inference::BenchResult& result, const analysis::ScoreWeights& weights);

}  // namespace powerfit::report
