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
  std::int64_t caption_height = 0;  // background rows under every tile, for captions drawn afterwards
};

// Where render_image_grid puts things: the grid's size and each tile's top-left pixel. Captions
// drawn over the PNG afterwards (e.g. by gnuplot) use it to find the band under a tile.
struct ImageGridLayout {
  std::int64_t rows = 0, columns = 0;
  std::int64_t tile_height = 0, tile_width = 0;  // height × scale, width × scale
  std::int64_t grid_height = 0, grid_width = 0;
  ImageGridOptions options;
  std::int64_t tile_top(std::int64_t image) const;   // first pixel row of tile `image` (row-major order)
  std::int64_t tile_left(std::int64_t image) const;  // first pixel column of tile `image`
};

// The layout of `count` height × width images under `options`. lucid::ValueError for a count or size
// below 1 or an option out of range (columns < 1, padding or caption_height < 0, scale < 1, high <= low).
ImageGridLayout image_grid_layout(std::int64_t count, std::int64_t height, std::int64_t width,
                                  const ImageGridOptions& options);

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
