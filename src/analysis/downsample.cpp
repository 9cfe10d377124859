#include "analysis/downsample.hpp"

#include <cmath>

namespace powerfit::analysis {

std::vector<Point> downsample_lttb(const std::vector<Point>& points, std::size_t target) {
  if (target >= points.size() || target < 3) {
    if (target >= points.size()) return points;
    std::vector<Point> ends{points.front()};
    if (target == 2 && points.size() > 1) ends.push_back(points.back());
    return target == 0 ? std::vector<Point>{} : ends;
  }
  std::vector<Point> kept;
  kept.reserve(target);
  kept.push_back(points.front());
  // target − 2 buckets over the points between the first and the last.
  const double bucket = static_cast<double>(points.size() - 2) / static_cast<double>(target - 2);
  std::size_t previous = 0;
  for (std::size_t b = 0; b < target - 2; ++b) {
    const auto start = static_cast<std::size_t>(std::floor(static_cast<double>(b) * bucket)) + 1;
    const auto end = static_cast<std::size_t>(std::floor(static_cast<double>(b + 1) * bucket)) + 1;
    // The mean of the next bucket (the last point for the last bucket).
    const auto next_start = end;
    const auto next_end = std::min(static_cast<std::size_t>(std::floor(static_cast<double>(b + 2) * bucket)) + 1, points.size() - 1);
    double mean_x = 0.0, mean_y = 0.0;
    if (next_end > next_start) {
      for (std::size_t i = next_start; i < next_end; ++i) {
        mean_x += points[i].first;
        mean_y += points[i].second;
      }
      mean_x /= static_cast<double>(next_end - next_start);
      mean_y /= static_cast<double>(next_end - next_start);
    } else {
      mean_x = points.back().first;
      mean_y = points.back().second;
    }
    const auto& [ax, ay] = points[previous];
    double largest = -1.0;
    std::size_t chosen = start;
    for (std::size_t i = start; i < end && i < points.size() - 1; ++i) {
      const double area = std::abs((ax - mean_x) * (points[i].second - ay) - (ax - points[i].first) * (mean_y - ay));
      if (area > largest) {
        largest = area;
        chosen = i;
      }
    }
    kept.push_back(points[chosen]);
    previous = chosen;
  }
  kept.push_back(points.back());
  return kept;
}

}  // namespace powerfit::analysis
