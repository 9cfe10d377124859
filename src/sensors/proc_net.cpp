#include "sensors/proc_net.hpp"

#include "core/text.hpp"

namespace powerfit::sensors {
namespace {

struct InterfaceLine {
  std::string_view name;
  std::uint64_t rx_bytes = 0;
  std::uint64_t tx_bytes = 0;
};

// "  eth0: rx_bytes rx_packets errs drop fifo frame compressed multicast tx_bytes ..."; the
// counters may follow the colon without a space.
std::optional<InterfaceLine> parse_interface_line(std::string_view line) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  InterfaceLine interface{.name = text::trim(line.substr(0, colon))};
  std::string_view fields = line.substr(colon + 1);
  std::optional<std::uint64_t> values[9];
  for (auto& value : values) value = text::to_u64(text::next_token(fields));
  if (interface.name.empty() || !values[0] || !values[8]) return std::nullopt;
  interface.rx_bytes = *values[0];
  interface.tx_bytes = *values[8];
  return interface;
}

}  // namespace

Availability ProcNetSource::open() {
  const auto path = roots_.proc / "net" / "dev";
  if (const auto status = dev_.open(path); status != ReadStatus::ok) {
    return {false, explain_open_failure(path, status)};
  }
  std::string_view content;
  if (dev_.read(content) != ReadStatus::ok) return {false, "cannot read " + path.string()};
  const auto rx_total = add_channel({.name = "net.rx_bytes", .unit = Unit::byte, .kind = ChannelKind::byte_counter});
  const auto tx_total = add_channel({.name = "net.tx_bytes", .unit = Unit::byte, .kind = ChannelKind::byte_counter});
  counters_.set_total_channels({rx_total, tx_total});
  std::size_t interfaces = 0;
  while (!content.empty()) {
    const auto interface = parse_interface_line(text::next_line(content));
    if (!interface) continue;
    const std::string name(interface->name);
    const auto rx = add_channel({.name = "net." + name + ".rx_bytes", .unit = Unit::byte,
                                 .kind = ChannelKind::byte_counter, .scope = "interface:" + name});
    const auto tx = add_channel({.name = "net." + name + ".tx_bytes", .unit = Unit::byte,
                                 .kind = ChannelKind::byte_counter, .scope = "interface:" + name});
    counters_.add_device(name, {rx, tx}, counts_in_total(name));
    ++interfaces;
  }
  return {true, "bytes received and sent on " + std::to_string(interfaces) + " interface(s)" +
                    (loopback_in_total_ ? ", loopback in the total" : ", loopback not in the total") +
                    ", from " + path.string()};
}

void ProcNetSource::read(std::span<Reading> out) {
  std::string_view content;
  if (const auto status = dev_.read(content); status != ReadStatus::ok) {
    for (auto& reading : out) reading.status = status;
    return;
  }
  counters_.begin_tick();
  while (!content.empty()) {
    const auto interface = parse_interface_line(text::next_line(content));
    if (!interface) continue;
    counters_.update(interface->name, {interface->rx_bytes, interface->tx_bytes},
                     counts_in_total(interface->name), out);
  }
  counters_.end_tick(out);
}

}  // namespace powerfit::sensors
