#include "image_grid.h"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "lucid.h"

namespace lucid_examples {
namespace {

std::uint8_t to_grey(float value, float low, float high) {
  const float unit = std::clamp((value - low) / (high - low), 0.0F, 1.0F);
  return static_cast<std::uint8_t>(std::lround(unit * 255.0F));
}

}  // namespace

std::string render_image_grid(std::span<const float> pixels, std::int64_t count, std::int64_t height,
                              std::int64_t width, const ImageGridOptions& options,
                              std::int64_t& grid_height, std::int64_t& grid_width) {
  if (count < 1 || height < 1 || width < 1 ||
      static_cast<std::int64_t>(pixels.size()) != count * height * width) {
    throw lucid::ValueError("render_image_grid: " + std::to_string(pixels.size()) +
                            " pixels do not hold count=" + std::to_string(count) + " images of " +
                            std::to_string(height) + "x" + std::to_string(width));
  }
  if (options.columns < 1 || options.padding < 0 || options.scale < 1 || !(options.high > options.low)) {
    throw lucid::ValueError("render_image_grid: need columns >= 1, padding >= 0, scale >= 1 and "
                            "high > low; got columns=" + std::to_string(options.columns) +
                            ", padding=" + std::to_string(options.padding) +
                            ", scale=" + std::to_string(options.scale));
  }
  const std::int64_t columns = std::min(options.columns, count);
  const std::int64_t rows = (count + columns - 1) / columns;
  const std::int64_t tile_h = height * options.scale, tile_w = width * options.scale;
  grid_height = rows * tile_h + (rows + 1) * options.padding;
  grid_width = columns * tile_w + (columns + 1) * options.padding;
  std::string grid(static_cast<std::size_t>(grid_height * grid_width),
                   static_cast<char>(options.background));
  for (std::int64_t image = 0; image < count; ++image) {
    const std::int64_t top = options.padding + (image / columns) * (tile_h + options.padding);
    const std::int64_t left = options.padding + (image % columns) * (tile_w + options.padding);
    const float* source = pixels.data() + image * height * width;
    for (std::int64_t y = 0; y < tile_h; ++y) {
      for (std::int64_t x = 0; x < tile_w; ++x) {
        const float value = source[(y / options.scale) * width + x / options.scale];
        grid[static_cast<std::size_t>((top + y) * grid_width + left + x)] =
            static_cast<char>(to_grey(value, options.low, options.high));
      }
    }
  }
  return grid;
}

void write_image_grid_png(const std::string& path, std::span<const float> pixels, std::int64_t count,
                          std::int64_t height, std::int64_t width, const ImageGridOptions& options) {
  std::int64_t grid_height = 0, grid_width = 0;
  const std::string grid = render_image_grid(pixels, count, height, width, options, grid_height, grid_width);

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!file) throw lucid::ValueError("write_image_grid_png: cannot open '" + path + "' for writing");
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (info == nullptr || setjmp(png_jmpbuf(png))) {  // libpng reports errors by longjmp to here
    png_destroy_write_struct(&png, &info);
    throw lucid::ValueError("write_image_grid_png: libpng failed writing '" + path + "'");
  }
  png_init_io(png, file.get());
  png_set_IHDR(png, info, static_cast<png_uint_32>(grid_width), static_cast<png_uint_32>(grid_height), 8,
               PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (std::int64_t y = 0; y < grid_height; ++y) {
    png_write_row(png, reinterpret_cast<png_const_bytep>(grid.data() + y * grid_width));
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
}

}  // namespace lucid_examples
