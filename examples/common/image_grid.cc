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

ImageGridLayout image_grid_layout(std::int64_t count, std::int64_t height, std::int64_t width,
                                  const ImageGridOptions& options) {
  if (count < 1 || height < 1 || width < 1) {
    throw lucid::ValueError("image grid: need count, height and width >= 1; got count=" + std::to_string(count) +
                            ", height=" + std::to_string(height) + ", width=" + std::to_string(width));
  }
  if (options.columns < 1 || options.padding < 0 || options.scale < 1 || options.caption_height < 0 ||
      !(options.high > options.low)) {
    throw lucid::ValueError("render_image_grid: need columns >= 1, padding >= 0, scale >= 1, "
                            "caption_height >= 0 and high > low; got columns=" + std::to_string(options.columns) +
                            ", padding=" + std::to_string(options.padding) +
                            ", scale=" + std::to_string(options.scale) +
                            ", caption_height=" + std::to_string(options.caption_height));
  }
  ImageGridLayout layout;
  layout.options = options;
  layout.columns = std::min(options.columns, count);
  layout.rows = (count + layout.columns - 1) / layout.columns;
  layout.tile_height = height * options.scale;
  layout.tile_width = width * options.scale;
  layout.grid_height = layout.rows * (layout.tile_height + options.caption_height) + (layout.rows + 1) * options.padding;
  layout.grid_width = layout.columns * layout.tile_width + (layout.columns + 1) * options.padding;
  return layout;
}

std::int64_t ImageGridLayout::tile_top(std::int64_t image) const {
  return options.padding + (image / columns) * (tile_height + options.caption_height + options.padding);
}

std::int64_t ImageGridLayout::tile_left(std::int64_t image) const {
  return options.padding + (image % columns) * (tile_width + options.padding);
}

std::string render_image_grid(std::span<const float> pixels, std::int64_t count, std::int64_t height,
                              std::int64_t width, const ImageGridOptions& options,
                              std::int64_t& grid_height, std::int64_t& grid_width) {
  if (count >= 1 && height >= 1 && width >= 1 &&
      static_cast<std::int64_t>(pixels.size()) != count * height * width) {
    throw lucid::ValueError("render_image_grid: " + std::to_string(pixels.size()) +
                            " pixels do not hold count=" + std::to_string(count) + " images of " +
                            std::to_string(height) + "x" + std::to_string(width));
  }
  const ImageGridLayout layout = image_grid_layout(count, height, width, options);
  const std::int64_t tile_h = layout.tile_height, tile_w = layout.tile_width;
  grid_height = layout.grid_height;
  grid_width = layout.grid_width;
  std::string grid(static_cast<std::size_t>(grid_height * grid_width),
                   static_cast<char>(options.background));
  for (std::int64_t image = 0; image < count; ++image) {
    const std::int64_t top = layout.tile_top(image), left = layout.tile_left(image);
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
