#pragma once
// Fewer points for drawing a long series, its shape kept: largest-triangle-three-buckets. The
// first and last points stay, and each bucket between keeps the point that makes the largest
// triangle with the point kept before it and the mean of the next bucket, so peaks and troughs
// survive where averaging would flatten them. Figures are never computed from the result.

#include <cstddef>
#include <utility>
#include <vector>

namespace powerfit::analysis {

using Point = std::pair<double, double>;

// `points` sorted by x; returns at most `target` points (all of them when there are not more).
std::vector<Point> downsample_lttb(const std::vector<Point>& points, std::size_t target);

}  // namespace powerfit::analysis
