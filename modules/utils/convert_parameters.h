// Flattening parameters into one vector and back (torch.nn.utils.parameters_to_vector and
// vector_to_parameters), e.g. for second-order methods or averaging weights:
//
//   lucid::Tensor flat = lucid::nn::utils::parameters_to_vector(model.parameters());
//   lucid::nn::utils::vector_to_parameters(flat * 0.5, model.parameters());
#pragma once

#include <vector>

#include "framework/tensor.h"
#include "modules/parameter.h"

namespace lucid::nn::utils {

// The parameters' values, each flattened in row-major order, one after another, in a new 1-D tensor
// (float64 when any parameter is float64, else float32). Unlike PyTorch's, the result is a copy outside
// the graph (lucid has no differentiable cat yet). ValueError for an empty list or an undefined parameter.
Tensor parameters_to_vector(const std::vector<Parameter>& parameters);

// Copies consecutive slices of the 1-D tensor vec into the parameters (in place, outside autograd,
// converted to each parameter's dtype). PyTorch rebinds each parameter's data to a view of vec instead;
// here the parameters keep their own storage, so later writes to vec do not reach them. ValueError,
// parameters unchanged, unless vec is 1-D with exactly as many elements as the parameters together.
void vector_to_parameters(const Tensor& vec, const std::vector<Parameter>& parameters);

}  // namespace lucid::nn::utils
