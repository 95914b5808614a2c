// A model summary, as torchinfo.summary / Keras' model.summary(): one forward pass on an example input
// under no_grad and in eval mode (the modules' modes are restored afterwards, so no running statistic
// moves), with a forward hook on every leaf module (one without children) recording its output shape.
//
//   lucid::nn::Summary s = lucid::nn::summary(*model, lucid::zeros({1, 1, 28, 28}));
//   std::cout << s;          // a row per leaf module, then the totals
//   s.total_parameters();    // 50378 for the Fashion-MNIST example's model, as PyTorch counts
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "framework/shape.h"
#include "framework/tensor.h"
#include "modules/module.h"

namespace lucid::nn {

struct SummaryRow {
  std::string name;                 // dotted, as in named_parameters() ("3.0")
  std::string type;                 // Module::name() ("Conv2d")
  std::optional<Shape> output_shape;  // of the leaf's first call; unset when the forward did not call it
  std::int64_t parameters = 0;      // the leaf's own parameters
};

class Summary {
 public:
  Summary(std::vector<SummaryRow> rows, std::int64_t trainable, std::int64_t non_trainable, std::int64_t parameter_bytes,
          std::int64_t buffer_bytes);
  const std::vector<SummaryRow>& rows() const { return rows_; }
  // Over the module's parameters, each tensor once (PyTorch's sum(p.numel() for p in m.parameters())).
  std::int64_t total_parameters() const { return trainable_ + non_trainable_; }
  std::int64_t trainable_parameters() const { return trainable_; }  // requires_grad
  std::int64_t non_trainable_parameters() const { return non_trainable_; }
  std::int64_t parameter_bytes() const { return parameter_bytes_; }
  std::int64_t buffer_bytes() const { return buffer_bytes_; }  // running statistics and other buffers

 private:
  std::vector<SummaryRow> rows_;
  std::int64_t trainable_, non_trainable_, parameter_bytes_, buffer_bytes_;
};

// The table: "Layer (type)", "Output shape", "Param #" columns, then the totals and the sizes.
std::ostream& operator<<(std::ostream& os, const Summary& summary);

// Runs module(example_input) once as described above. Whatever the forward throws propagates, with the
// hooks removed and the modes restored.
Summary summary(Module& module, const Tensor& example_input);

}  // namespace lucid::nn
