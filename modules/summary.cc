#include "modules/summary.h"

#include <algorithm>
#include <array>
#include <iomanip>
#include <iterator>
#include <memory>
#include <sstream>
#include <utility>

#include "autodiff/grad_mode.h"
#include "framework/dtype.h"

namespace lucid::nn {
namespace {

struct NamedModule {
  std::string name;
  Module* module;
};

// Every module below `module` (itself excluded), depth first in registration order, with dotted names.
void collect(Module& module, const std::string& prefix, std::vector<NamedModule>& out) {
  for (const auto& [name, child] : module.named_children()) {
    const std::string qualified = prefix.empty() ? name : prefix + "." + name;
    out.push_back({qualified, child.get()});
    collect(*child, qualified, out);
  }
}

std::int64_t bytes_of(const Tensor& t) { return t.numel() * static_cast<std::int64_t>(element_size(t.dtype())); }

// 50378 → "50,378".
std::string with_thousands(std::int64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') out += ',';
    out += digits[i];
  }
  return out;
}

// 201512 → "196.8 KiB".
std::string human_bytes(std::int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024.0 && unit < 3) value /= 1024.0, ++unit;
  std::ostringstream os;
  os << std::fixed << std::setprecision(unit == 0 ? 0 : 1) << value << ' ' << units[unit];
  return os.str();
}

}  // namespace

Summary::Summary(std::vector<SummaryRow> rows, std::int64_t trainable, std::int64_t non_trainable,
                 std::int64_t parameter_bytes, std::int64_t buffer_bytes)
    : rows_(std::move(rows)),
      trainable_(trainable),
      non_trainable_(non_trainable),
      parameter_bytes_(parameter_bytes),
      buffer_bytes_(buffer_bytes) {}

Summary summary(Module& module, const Tensor& example_input) {
  std::vector<NamedModule> all;
  collect(module, "", all);
  std::vector<NamedModule> leaves;
  std::copy_if(all.begin(), all.end(), std::back_inserter(leaves),
               [](const NamedModule& m) { return m.module->named_children().empty(); });
  if (leaves.empty()) leaves.push_back({"", &module});  // a module without children is its own only row

  std::vector<SummaryRow> rows(leaves.size());
  std::vector<autograd::RemovableHandle> handles;
  std::vector<std::pair<Module*, bool>> modes{{&module, module.is_training()}};
  for (const NamedModule& m : all) modes.emplace_back(m.module, m.module->is_training());
  // Removes the hooks and restores every module's mode, also when the forward throws.
  const auto restore = [&] {
    for (autograd::RemovableHandle& h : handles) h.remove();
    // train(on) sets a module's descendants too: restore parents first, then each descendant's own mode.
    for (auto& [m, training] : modes) m->train(training);
  };
  try {
    for (std::size_t i = 0; i < leaves.size(); ++i) {
      rows[i] = {leaves[i].name, leaves[i].module->name(), std::nullopt, 0};
      for (const auto& [name, p] : leaves[i].module->named_parameters(/*recurse=*/false)) rows[i].parameters += p.numel();
      handles.push_back(leaves[i].module->register_forward_hook(
          [&row = rows[i]](Module&, const Tensor&, const Tensor& output) -> std::optional<Tensor> {
            if (!row.output_shape) row.output_shape = output.shape();
            return std::nullopt;
          }));
    }
    module.eval();
    autograd::no_grad guard;
    (void)module(example_input);
  } catch (...) {
    restore();
    throw;
  }
  restore();

  std::int64_t trainable = 0, non_trainable = 0, parameter_bytes = 0, buffer_bytes = 0;
  for (const Parameter& p : module.parameters()) {
    (p.requires_grad() ? trainable : non_trainable) += p.numel();
    parameter_bytes += bytes_of(p);
  }
  for (const Tensor& b : module.buffers()) buffer_bytes += bytes_of(b);
  return Summary(std::move(rows), trainable, non_trainable, parameter_bytes, buffer_bytes);
}

std::ostream& operator<<(std::ostream& os, const Summary& s) {
  std::vector<std::array<std::string, 3>> cells{{"Layer (type)", "Output shape", "Param #"}};
  for (const SummaryRow& r : s.rows()) {
    cells.push_back({(r.name.empty() ? "" : r.name + " ") + "(" + r.type + ")",
                     r.output_shape ? r.output_shape->str() : "-", with_thousands(r.parameters)});
  }
  std::array<std::size_t, 3> width{};
  for (const auto& row : cells) {
    for (std::size_t c = 0; c < 3; ++c) width[c] = std::max(width[c], row[c].size());
  }
  const std::string rule(width[0] + width[1] + width[2] + 4, '=');
  for (std::size_t i = 0; i < cells.size(); ++i) {
    os << std::left << std::setw(static_cast<int>(width[0])) << cells[i][0] << "  " << std::setw(static_cast<int>(width[1]))
       << cells[i][1] << "  " << std::right << std::setw(static_cast<int>(width[2])) << cells[i][2] << '\n';
    if (i == 0) os << rule << '\n';
  }
  return os << rule << '\n'
            << "Total params: " << with_thousands(s.total_parameters()) << '\n'
            << "Trainable params: " << with_thousands(s.trainable_parameters()) << '\n'
            << "Non-trainable params: " << with_thousands(s.non_trainable_parameters()) << '\n'
            << "Params size: " << human_bytes(s.parameter_bytes()) << ", buffers size: " << human_bytes(s.buffer_bytes())
            << '\n';
}

}  // namespace lucid::nn
