// The only header that includes TBB (DESIGN.md §2). Work is split into fixed-size chunks whose
// boundaries do not depend on the thread count; each chunk is processed in order by one thread
// and the caller reduces chunk results in chunk order, so parallel runs equal serial ones bit
// for bit.
#pragma once

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <cstddef>

namespace jg::core {

/// Runs fn(chunk_index, begin, end) for every chunk of [0, n). threads == 1 runs serially in
/// the calling thread; threads == 0 uses TBB's default.
template <class Fn>
void for_each_chunk(std::size_t n, std::size_t chunk, int threads, Fn&& fn) {
  const std::size_t chunks = chunk == 0 ? 0 : (n + chunk - 1) / chunk;
  auto body = [&](std::size_t c) { fn(c, c * chunk, c * chunk + chunk < n ? c * chunk + chunk : n); };
  if (threads == 1 || chunks <= 1) {
    for (std::size_t c = 0; c < chunks; ++c) body(c);
    return;
  }
  auto run = [&] { tbb::parallel_for(std::size_t(0), chunks, body); };
  if (threads > 1) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    run();
  } else {
    run();
  }
}

inline std::size_t chunk_count(std::size_t n, std::size_t chunk) { return chunk == 0 ? 0 : (n + chunk - 1) / chunk; }

}  // namespace jg::core
