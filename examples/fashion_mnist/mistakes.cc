#include "examples/fashion_mnist/mistakes.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "examples/fashion_mnist/gnuplot.h"
#include "image_grid.h"
#include "lucid.h"

namespace fashion_mnist {
namespace {

constexpr std::size_t kMaxMistakes = 64;

std::string_view class_name(std::int64_t id, std::span<const std::string_view> names) {
  if (id < 0 || id >= static_cast<std::int64_t>(names.size())) {
    throw lucid::ValueError("mistakes: class " + std::to_string(id) + " has no name (" + std::to_string(names.size()) +
                            " class names)");
  }
  return names[static_cast<std::size_t>(id)];
}

}  // namespace

std::string mistake_caption(const Mistake& mistake, std::span<const std::string_view> names) {
  char probability[32];
  std::snprintf(probability, sizeof probability, " (%.2f)", mistake.probability);
  return std::string(class_name(mistake.true_class, names)) + " →\n" +
         std::string(class_name(mistake.predicted_class, names)) + probability;
}

// The grid (scale 3, 8 columns, a 26-pixel caption band under each tile) goes to a temporary PNG;
// gnuplot draws it pixel for pixel on a canvas of the same size (x, y = column, grid height − row)
// and puts each caption centred in its band.
bool plot_mistakes(const std::vector<Mistake>& mistakes, std::int64_t height, std::int64_t width, float low, float high,
                   std::span<const std::string_view> names, const std::string& png_path, std::string& error) {
  if (mistakes.empty()) {
    error = "no misclassified test image; skipped " + png_path;
    return false;
  }
  const std::size_t count = std::min(mistakes.size(), kMaxMistakes);
  std::vector<float> pixels;
  pixels.reserve(count * static_cast<std::size_t>(height * width));
  std::ostringstream labels;
  const lucid_examples::ImageGridOptions options{
      .columns = 8, .padding = 6, .scale = 3, .low = low, .high = high, .caption_height = 26};
  const lucid_examples::ImageGridLayout layout =
      lucid_examples::image_grid_layout(static_cast<std::int64_t>(count), height, width, options);
  for (std::size_t i = 0; i < count; ++i) {
    const Mistake& m = mistakes[i];
    if (static_cast<std::int64_t>(m.image.size()) != height * width) {
      throw lucid::ValueError("mistakes: image " + std::to_string(i) + " has " + std::to_string(m.image.size()) +
                              " pixels, expected " + std::to_string(height) + "x" + std::to_string(width));
    }
    pixels.insert(pixels.end(), m.image.begin(), m.image.end());
    const auto tile = static_cast<std::int64_t>(i);
    const double x = static_cast<double>(layout.tile_left(tile)) + static_cast<double>(layout.tile_width) / 2.0;
    const double band_middle = static_cast<double>(layout.tile_top(tile) + layout.tile_height) + options.caption_height / 2.0;
    labels << "set label " << i + 1 << ' ' << gnuplot_quote(mistake_caption(m, names)) << " at " << x << ','
           << static_cast<double>(layout.grid_height) - band_middle << " center front font ',7'\n";
  }
  const std::string grid_path = png_path + ".grid.png";
  lucid_examples::write_image_grid_png(grid_path, pixels, static_cast<std::int64_t>(count), height, width, options);
  std::ostringstream gp;
  gp << "set terminal pngcairo size " << layout.grid_width << ',' << layout.grid_height << "\n"
     << "set margins 0,0,0,0; unset border; unset tics; unset key\n"
     << "set xrange [-0.5:" << layout.grid_width - 0.5 << "]; set yrange [-0.5:" << layout.grid_height - 0.5 << "]\n"
     << labels.str() << "plot " << gnuplot_quote(grid_path) << " binary filetype=png with rgbimage\n";
  const bool drawn = run_gnuplot(gp.str(), png_path, error);
  std::remove(grid_path.c_str());
  return drawn;
}

}  // namespace fashion_mnist
