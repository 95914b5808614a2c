// examples/common/image_grid: tile placement, value mapping, PNG round trip (read back with libpng).
#include "image_grid.h"

#include <gtest/gtest.h>
#include <png.h>

#include <cstdio>
#include <filesystem>
#include <vector>

#include "lucid.h"

namespace {

using lucid_examples::ImageGridOptions;

TEST(ImageGrid, PlacesTilesRowMajorWithPaddingAndScale) {
  // Three 1x2 images, two per row, scale 2, padding 1: grid = 2 rows x 2 columns of 2x4 tiles.
  const std::vector<float> pixels = {0.0F, 1.0F, 0.5F, 2.0F, -1.0F, 0.25F};
  std::int64_t h = 0, w = 0;
  const std::string grid = lucid_examples::render_image_grid(
      pixels, 3, 1, 2, {.columns = 2, .padding = 1, .scale = 2, .background = 7}, h, w);
  EXPECT_EQ(h, 2 * 2 + 3);
  EXPECT_EQ(w, 2 * 4 + 3);
  auto at = [&](std::int64_t y, std::int64_t x) { return static_cast<unsigned char>(grid[y * w + x]); };
  EXPECT_EQ(at(0, 0), 7);                                // padding
  EXPECT_EQ(at(1, 1), 0);   EXPECT_EQ(at(2, 2), 0);      // image 0, pixel 0 (scaled 2x2)
  EXPECT_EQ(at(1, 3), 255); EXPECT_EQ(at(2, 4), 255);    // image 0, pixel 1
  EXPECT_EQ(at(1, 5), 7);                                // padding between columns
  EXPECT_EQ(at(1, 6), 128); EXPECT_EQ(at(1, 8), 255);    // image 1: 0.5 -> 128, 2.0 clamped to 255
  EXPECT_EQ(at(4, 1), 0);   EXPECT_EQ(at(4, 3), 64);     // image 2 on the second row: -1 clamped, 0.25
  EXPECT_EQ(at(4, 6), 7);                                // empty last cell stays background
}

TEST(ImageGrid, LeavesACaptionBandUnderEachTileAndReportsTheLayout) {
  // Three 2x1 images, two per row, padding 1, a 2-row caption band: rows are 1 + (2 + 2 + 1) apart.
  const std::vector<float> pixels = {1.0F, 1.0F, 0.0F, 0.0F, 1.0F, 0.0F};
  const ImageGridOptions options{.columns = 2, .padding = 1, .background = 9, .caption_height = 2};
  std::int64_t h = 0, w = 0;
  const std::string grid = lucid_examples::render_image_grid(pixels, 3, 2, 1, options, h, w);
  EXPECT_EQ(h, 2 * (2 + 2) + 3);
  EXPECT_EQ(w, 2 * 1 + 3);
  auto at = [&](std::int64_t y, std::int64_t x) { return static_cast<unsigned char>(grid[y * w + x]); };
  EXPECT_EQ(at(1, 1), 255); EXPECT_EQ(at(2, 1), 255);  // image 0
  EXPECT_EQ(at(3, 1), 9);   EXPECT_EQ(at(4, 1), 9);    // its caption band
  EXPECT_EQ(at(1, 3), 0);                              // image 1
  EXPECT_EQ(at(6, 1), 255); EXPECT_EQ(at(7, 1), 0);    // image 2, second row
  const lucid_examples::ImageGridLayout layout = lucid_examples::image_grid_layout(3, 2, 1, options);
  EXPECT_EQ(layout.grid_height, h);
  EXPECT_EQ(layout.grid_width, w);
  EXPECT_EQ(layout.rows, 2);
  EXPECT_EQ(layout.columns, 2);
  EXPECT_EQ(layout.tile_top(2), 6);
  EXPECT_EQ(layout.tile_left(2), 1);
  EXPECT_EQ(layout.tile_left(1), 3);
  EXPECT_THROW(lucid_examples::image_grid_layout(3, 2, 1, {.caption_height = -1}), lucid::ValueError);
}

TEST(ImageGrid, WritesAPngLibpngReadsBack) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "lucid_image_grid_test.png";
  std::vector<float> pixels(4 * 3 * 5);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<float>(i) / static_cast<float>(pixels.size());
  lucid_examples::write_image_grid_png(path.string(), pixels, 4, 3, 5, {.columns = 3});
  std::int64_t h = 0, w = 0;
  const std::string expected = lucid_examples::render_image_grid(pixels, 4, 3, 5, {.columns = 3}, h, w);

  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  ASSERT_TRUE(png_image_begin_read_from_file(&image, path.string().c_str())) << image.message;
  image.format = PNG_FORMAT_GRAY;
  ASSERT_EQ(static_cast<std::int64_t>(image.height), h);
  ASSERT_EQ(static_cast<std::int64_t>(image.width), w);
  std::string read(PNG_IMAGE_SIZE(image), '\0');
  ASSERT_TRUE(png_image_finish_read(&image, nullptr, read.data(), 0, nullptr)) << image.message;
  EXPECT_EQ(read, expected);
  std::filesystem::remove(path);
}

TEST(ImageGrid, RefusesSizesThatDoNotMatchThePixels) {
  const std::vector<float> pixels(10);
  std::int64_t h = 0, w = 0;
  EXPECT_THROW(lucid_examples::render_image_grid(pixels, 3, 2, 2, {}, h, w), lucid::ValueError);
  EXPECT_THROW(lucid_examples::render_image_grid(pixels, 1, 2, 5, {.columns = 0}, h, w), lucid::ValueError);
  EXPECT_THROW(lucid_examples::write_image_grid_png("/nonexistent-dir/x.png", pixels, 1, 2, 5), lucid::ValueError);
}

}  // namespace
