#include "workloads/ops/estimate.hpp"

#include <algorithm>
#include <cmath>

namespace jg::wl {

using core::HierarchyView;
using core::OpActivity;

double conv_out(double x, double k, double stride, double pad, double dilation) {
  return std::max(0.0, std::floor((x + 2 * pad - dilation * (k - 1) - 1) / stride) + 1);
}

double matrix_read_bytes(double m, double n, double k, double b, double a_bytes, double b_bytes, double c_bytes,
                         double s) {
  if (a_bytes + b_bytes + c_bytes <= s) return a_bytes + b_bytes;
  const double t = std::max(1.0, std::floor(std::sqrt(s / (3.0 * b))));
  (void)k;
  return a_bytes * std::ceil(n / t) + b_bytes * std::ceil(m / t);
}

namespace {

// Per-step latency of a collective (one hop of a ring or tree): assumption, ~5 us, the order of
// NCCL's measured small-message all-reduce latency per hop on NVLink/PCIe (NCCL tests report
// 10-30 us for 8-GPU all-reduces of a few kB). Calibrate with measured collectives.
constexpr double kCollectiveStepLatencyS = 5e-6;

// A matrix op: MACs plus reads per level from the reuse model, writes of C at every level.
// `on_chip` (Op::on_chip bits): C, or A, stays in registers and the first level (fused attention).
void matrix(OpActivity& a, const HierarchyView& v, double m, double n, double k, double count, double eb,
            double a_bytes, double b_bytes, double c_bytes, std::uint8_t on_chip = 0) {
  a.macs = m * n * k * count;
  for (std::size_t l = 0; l < v.levels; ++l) {
    const double below = l == 0 ? v.register_bytes : v.capacity_bytes[l - 1];
    const bool beyond = l > 0;
    const double ab = beyond && (on_chip & kOnChipInputA) ? 0.0 : a_bytes;
    const double cb = beyond && (on_chip & kOnChipOutput) ? 0.0 : c_bytes;
    a.read_bytes[l] = count * matrix_read_bytes(m, n, k, eb, ab, b_bytes, cb, below);
    a.write_bytes[l] = count * cb;
  }
}

// A streaming op: every byte passes every level once.
void stream(OpActivity& a, const HierarchyView& v, double read, double write, double flops) {
  a.vector_flops = flops;
  for (std::size_t l = 0; l < v.levels; ++l) {
    a.read_bytes[l] = read;
    a.write_bytes[l] = write;
  }
}

// Host-memory traffic only (DRAM, the last level).
void dram_only(OpActivity& a, const HierarchyView& v, double read, double write) {
  if (v.levels == 0) return;
  a.read_bytes[v.levels - 1] = read;
  a.write_bytes[v.levels - 1] = write;
}

}  // namespace

OpActivity estimate(const Op& op, const HierarchyView& v) {
  OpActivity a;
  a.dtype = op.dtype;
  const auto& d = op.d;
  const double eb = core::dtype_bytes(op.dtype);
  const bool bwd = op.pass == Pass::kBackwardData || op.pass == Pass::kBackwardWeight;
  if (op.fused && !bwd) {
    // In the producer's epilogue: arithmetic only, plus any extra input tensors it reads.
    if (op.type == OpType::kElementwise) stream(a, v, (d[1] - 1) * d[0] * eb, 0, d[2] * d[0]);
    if (op.type == OpType::kSoftmax) a.vector_flops = 5 * d[0];
    return a;  // batchnorm: folded into the convolution's weights and bias
  }
  switch (op.type) {
    case OpType::kGemm: {
      const double m = d[0], n = d[1], k = d[2], count = d[3];
      if (op.pass == Pass::kBackwardData)  // dA[m,k] = dC[m,n] · B^T[n,k]
        matrix(a, v, m, k, n, count, eb, m * n * eb, n * k * eb, m * k * eb);
      else if (op.pass == Pass::kBackwardWeight)  // dB[k,n] = A^T[k,m] · dC[m,n]
        matrix(a, v, k, n, m, count, eb, k * m * eb, m * n * eb, k * n * eb);
      else
        matrix(a, v, m, n, k, count, eb, m * k * eb, k * n * eb, m * n * eb, op.on_chip);
      if (d[5] != 0 && op.pass != Pass::kBackwardData) a.vector_flops = m * n * count;  // bias add / its gradient
      break;
    }
    case OpType::kConv2d: {
      const double n = d[0], ci = d[1], h = d[2], w = d[3], co = d[4], kh = d[5], kw = d[6];
      const double s = d[7], p = d[8], dil = d[9], g = d[10];
      const double ho = conv_out(h, kh, s, p, dil), wo = conv_out(w, kw, s, p, dil);
      const double in_b = n * ci * h * w * eb, w_b = co * (ci / g) * kh * kw * eb, out_b = n * co * ho * wo * eb;
      const double gm = n * ho * wo, gn = co / g, gk = (ci / g) * kh * kw;  // implicit GEMM per group
      if (op.pass == Pass::kBackwardData)  // dX from dY and W: same MACs, output and input swap roles
        matrix(a, v, n * h * w, ci / g, (co / g) * kh * kw, g, eb, out_b / g, w_b / g, in_b / g);
      else if (op.pass == Pass::kBackwardWeight)  // dW from X and dY
        matrix(a, v, gk, gn, gm, g, eb, in_b / g, out_b / g, w_b / g);
      else
        matrix(a, v, gm, gn, gk, g, eb, in_b / g, w_b / g, out_b / g);
      // The three products share one MAC count: n·ho·wo·co·(ci/g)·kh·kw.
      a.macs = gm * gn * gk * g;
      if (d[11] != 0 && op.pass != Pass::kBackwardData) a.vector_flops = n * co * ho * wo;  // bias
      break;
    }
    case OpType::kPool: {
      const double n = d[0], c = d[1], h = d[2], w = d[3], k = d[4], s = d[5], p = d[6];
      const double out = n * c * conv_out(h, k, s, p, 1) * conv_out(w, k, s, p, 1), in = n * c * h * w;
      stream(a, v, (bwd ? in + out : in) * eb, (bwd ? in : out) * eb, out * k * k);
      break;
    }
    case OpType::kElementwise: {
      const double e = d[0], inputs = d[1], fpe = d[2];  // inputs: the `operands` field
      // Backward: reads the output gradient and the saved inputs, writes one gradient per input.
      if (bwd)
        stream(a, v, (inputs + 1) * e * eb, inputs * e * eb, 2 * fpe * e);
      else
        stream(a, v, inputs * e * eb, e * eb, fpe * e);
      break;
    }
    case OpType::kSoftmax:  // max, subtract, exp, sum, divide: 5 flops per element
      stream(a, v, (bwd ? 2 : 1) * d[0] * eb, d[0] * eb, (bwd ? 4 : 5) * d[0]);
      break;
    case OpType::kLayerNorm:  // mean, variance, normalize, scale, shift: ~8 flops per element
    case OpType::kBatchNorm: {
      const double e = d[0], f = op.type == OpType::kLayerNorm ? d[1] * d[2] / 2 : d[1];
      stream(a, v, (bwd ? 2 : 1) * e * eb + 2 * f * eb, e * eb + (bwd ? 2 * f * eb : 0), (bwd ? 12 : 8) * e);
      break;
    }
    case OpType::kEmbedding: {
      const double rows = d[0] * d[1] * eb, idx = d[0] * 4;  // int32 indices
      if (bwd)
        stream(a, v, 2 * rows + idx, rows, d[0] * d[1]);  // scatter-add into the table
      else
        stream(a, v, rows + idx, rows, 0);
      break;
    }
    case OpType::kDataLoad:
      a.storage_read_bytes = d[0];
      dram_only(a, v, 0, d[0]);
      break;
    case OpType::kDecode:
      a.host_ops = d[0] * d[3];
      dram_only(a, v, d[1], d[0] * d[2]);
      break;
    case OpType::kResize:  // bilinear: 4 taps, 2 flops each, per output value
      stream(a, v, d[0] * d[2], d[1] * d[2], 8 * d[1] * d[2]);
      break;
    case OpType::kH2D:
      a.link_bytes = d[0];
      a.peer_dram_write_bytes = d[0];
      dram_only(a, v, d[0], 0);
      break;
    case OpType::kD2H:
      a.link_bytes = d[0];
      a.peer_dram_read_bytes = d[0];
      dram_only(a, v, 0, d[0]);
      break;
    case OpType::kOptimizer: {
      // Reads the weights (fp32 master copy), the gradients (in the op's type) and the fp32
      // states; writes weights and states, and with mixed precision the low-precision copy.
      // SGD: 2 flops/param; momentum 3; Adam ~12 (moments, bias correction, rsqrt, update).
      const double p = d[0], states = d[1], flops = d[2], master = d[3];
      stream(a, v, p * (4 + eb + 4 * states), p * (4 + 4 * states + master * eb), flops * p);
      break;
    }
    case OpType::kCollective: {
      const auto kind = static_cast<Collective>(static_cast<int>(d[2]));
      const bool tree = d[3] != 0;
      const double bytes = d[0], ranks = d[1], nodes = d[4];
      const CollectiveTraffic t = collective_traffic(kind, tree, bytes, ranks, nodes);  // per rank
      const bool reduces = kind == Collective::kAllReduce || kind == Collective::kReduceScatter;
      // Every instance of the device in this node is a rank.
      a.fabric_bytes = t.fabric_bytes * v.instances;
      a.network_bytes = t.network_bytes * v.instances;
      // Each rank reads what it sends and writes what it receives in its own DRAM; reductions
      // add (N-1)/N of the elements once per rank.
      const double wire = (t.fabric_bytes + t.network_bytes) * v.instances;
      dram_only(a, v, wire, wire);
      if (reduces && ranks > 1) a.vector_flops = (ranks - 1) / ranks * bytes / eb * v.instances;
      a.latency_s = t.steps * kCollectiveStepLatencyS;
      break;
    }
  }
  return a;
}

}  // namespace jg::wl
