// Image grids for the examples: many small grayscale images (MNIST-sized tiles) laid out in rows
// and written as one 8-bit PNG with libpng. The Fashion-MNIST classifier draws its misclassified
// test images with it; the diffusion example its sample grids (a row per class).
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace lucid_examples {

struct ImageGridOptions {
  std::int64_t columns = 10;   // tiles per row; rows = ceil(count / columns)
  std::int64_t padding = 2;    // background pixels between tiles and around the grid
  std::int64_t scale = 1;      // each source pixel drawn as scale × scale output pixels
  float low = 0.0F;            // value drawn black ...
  float high = 1.0F;           // ... and white; values outside are clamped
  std::uint8_t background = 255;  // padding grey level
};

// Lays out `pixels` (count × height × width floats, row-major, tile after tile) as a grid and
// returns the 8-bit grey image, row-major, with its size in `grid_height` × `grid_width`.
// lucid::ValueError if the sizes disagree with pixels.size() or an option is out of range.
std::string render_image_grid(std::span<const float> pixels, std::int64_t count, std::int64_t height,
                              std::int64_t width, const ImageGridOptions& options,
                              std::int64_t& grid_height, std::int64_t& grid_width);

// render_image_grid written to `path` as a grayscale PNG. lucid::ValueError names the path when it
// cannot be written.
void write_image_grid_png(const std::string& path, std::span<const float> pixels, std::int64_t count,
                          std::int64_t height, std::int64_t width, const ImageGridOptions& options = {});

}  // namespace lucid_examples
