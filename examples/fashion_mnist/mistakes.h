// mistakes.png: a grid of misclassified test images, each captioned `true → predicted (p)` with p
// the model's softmax probability of the predicted class. The tiles are laid out and written by the
// examples' shared image-grid helper (examples/common/image_grid.h); gnuplot draws the captions in
// the band the grid leaves under each tile.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fashion_mnist {

struct Mistake {
  std::vector<float> image;  // height × width pixels as the model saw them (standardised)
  std::int64_t true_class = 0, predicted_class = 0;
  double probability = 0.0;  // softmax probability of predicted_class
};

// The caption of one mistake: "<true> →\n<predicted> (<p, two decimals>)".
std::string mistake_caption(const Mistake& mistake, std::span<const std::string_view> names);

// Draws up to 64 `mistakes` (all height × width; pixel values mapped black..white over [low, high])
// as `png_path`, 8 per row. Returns false with the reason in `error` when there is no mistake to draw
// or gnuplot is missing or fails; ValueError for images of another size or a class outside `names`.
bool plot_mistakes(const std::vector<Mistake>& mistakes, std::int64_t height, std::int64_t width, float low, float high,
                   std::span<const std::string_view> names, const std::string& png_path, std::string& error);

}  // namespace fashion_mnist
