// Op estimators: an op and a view of a device's memory hierarchy -> activity (MACs by data
// type, other arithmetic, bytes read and written at every memory level, bytes over links and
// from storage). Pure functions, no allocation: they run once per op in the evaluator's loop.
#pragma once

#include "engine/core/activity.hpp"
#include "workloads/graph.hpp"

namespace jg::wl {

/// Reuse (tiling) model of a matrix product C[M,N] += A[M,K]·B[K,N] at one memory level.
/// With S bytes of capacity below the level, square output tiles of edge t = floor(sqrt(S/(3b)))
/// keep one tile of each operand resident; A is then streamed ceil(N/t) times and B ceil(M/t)
/// times. If the whole problem fits (A+B+C <= S), each operand moves once. Non-increasing in S.
/// Returns bytes read; bytes written are C once. a_bytes/b_bytes may differ from M·K·b and
/// K·N·b (convolutions read the input tensor, not its im2col expansion, assuming the tile's
/// halo is reused).
double matrix_read_bytes(double m, double n, double k, double elem_bytes, double a_bytes, double b_bytes,
                         double c_bytes, double capacity_bytes);

/// Activity of `op` on a device whose hierarchy is `view`.
core::OpActivity estimate(const Op& op, const core::HierarchyView& view);

/// Output-spatial size of a convolution or pooling window: floor((x + 2p - d(k-1) - 1)/s) + 1.
double conv_out(double x, double k, double stride, double pad, double dilation);

}  // namespace jg::wl
