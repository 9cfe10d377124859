// The Python binding of the C++ API (module powerfit._powerfit); python/powerfit/__init__.py
// adds the context managers, the decorator and the DataFrame. The sampler runs on its own C++
// thread and never takes the GIL; the calls that wait for it (start, stop) release the GIL.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "powerfit/session.hpp"
#include "powerfit/version.hpp"

namespace py = pybind11;
using namespace py::literals;

PYBIND11_MODULE(_powerfit, m) {
  m.doc() = "powerfit: measure the energy and resources of a region of a Python program";
  py::register_exception<powerfit::Error>(m, "Error", PyExc_RuntimeError);
  m.attr("__version__") = powerfit::kVersion;

  py::class_<powerfit::Session::Region>(m, "Region").def("end_json", [](powerfit::Session::Region& region) {
    return region.end().to_json();
  });

  py::class_<powerfit::Session>(m, "Session")
      .def(py::init([](std::optional<std::string> out, std::string interval, std::string label, bool estimate, std::string baseline,
                       std::vector<std::string> sources, std::optional<double> carbon_intensity, std::optional<double> price,
                       std::optional<std::vector<std::string>> gpus, std::string settle) {
             return std::make_unique<powerfit::Session>(powerfit::SessionOptions{.output = out.value_or(""),
                                                                                 .interval = std::move(interval),
                                                                                 .label = std::move(label),
                                                                                 .tariff = {.carbon_g_per_kwh = carbon_intensity,
                                                                                            .price_per_kwh = price},
                                                                                 .estimate = estimate,
                                                                                 .baseline = std::move(baseline),
                                                                                 .settle = std::move(settle),
                                                                                 .sources = std::move(sources),
                                                                                 .gpus = std::move(gpus)});
           }),
           "out"_a = py::none(), "interval"_a = "100ms", "label"_a = "", "estimate"_a = true, "baseline"_a = "0",
           "sources"_a = std::vector<std::string>{}, "carbon_intensity"_a = py::none(), "price"_a = py::none(),
           "gpus"_a = py::none(), "settle"_a = "30s")
      .def("start", &powerfit::Session::start, py::call_guard<py::gil_scoped_release>())
      .def("mark", &powerfit::Session::mark, "name"_a)
      .def("begin_region", &powerfit::Session::region, "name"_a, py::keep_alive<0, 1>())
      .def(
          "report",
          [](powerfit::Session& session, std::int64_t inferences, std::int64_t correct, std::optional<std::int64_t> correct_top5,
             std::string model, std::optional<std::pair<double, double>> inference_window) {
            session.report({.inferences = inferences,
                            .correct = correct,
                            .correct_top5 = correct_top5,
                            .model = std::move(model),
                            .inference_window = inference_window});
          },
          "inferences"_a, "correct"_a, "correct_top5"_a = py::none(), "model"_a = "", "inference_window"_a = py::none())
      .def(
          "stop_json",
          [](powerfit::Session& session, int status) {
            powerfit::Summary summary;
            {
              py::gil_scoped_release release;
              summary = session.stop({.status = status});
            }
            return summary.to_json();
          },
          "status"_a = 0)
      .def_property_readonly("running", &powerfit::Session::running);
}
