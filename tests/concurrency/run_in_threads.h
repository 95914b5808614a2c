// run_in_threads: runs work(i) for i = 0..n−1 on n std::threads started together and returns the
// results in index order. A thread's exception is rethrown on the caller's thread after all joined.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <thread>
#include <type_traits>
#include <vector>

namespace lucid::test {

template <typename Result>
std::vector<Result> run_in_threads(std::size_t n, const std::function<Result(std::size_t)>& work) {
  static_assert(!std::is_same_v<Result, bool>,
                "std::vector<bool> packs results into shared words, which the threads would race on: return int");
  std::vector<Result> results(n);
  std::vector<std::exception_ptr> errors(n);
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      try {
        results[i] = work(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return results;
}

}  // namespace lucid::test
