// A program outside the project using the installed package: find_package(powerfit).
#include <powerfit/session.hpp>

#include <cstdio>

int main() {
  powerfit::Session session({.interval = "10ms"});
  session.start();
  { auto region = session.region("work"); }
  const auto summary = session.stop();
  std::printf("%zu region(s), %llu samples\n", summary.regions.size(), static_cast<unsigned long long>(summary.run.samples));
  return summary.regions.size() == 1 && summary.run.samples >= 2 ? 0 : 1;
}
