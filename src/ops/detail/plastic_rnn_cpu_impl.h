// Kernel templates of plastic_rnn_cpu.cpp, included once per CPU capability (generic and AVX2)
// inside a namespace of that file (hence no include guard). No includes here: the including file
// provides them.

// Reductions run in kLanes independent partial sums so that the compiler vectorises them
// without reassociating (no -ffast-math needed); the order is fixed, so results are deterministic.
constexpr int64_t kLanes = 16;

template <typename S>
inline S lane_sum(const S (&lanes)[kLanes]) {
  S total = 0;
  for (int64_t u = 0; u < kLanes; ++u) {
    total += lanes[u];
  }
  return total;
}

template <typename S, bool kOja, Modulation kMod>
struct Step {
  static inline S increment(S x_i, S y_j, S h) { return kOja ? y_j * (x_i - y_j * h) : x_i * y_j; }

  static inline S rule_update(S h, S e, S D, S eta, S m) {
    if constexpr (kMod == Modulation::kNone) {
      return kOja ? h + eta * D : (S(1) - eta) * h + eta * D;
    } else if constexpr (kMod == Modulation::kSimple) {
      return h + m * D;
    } else {
      return h + m * e;
    }
  }

  // One row of the trace update H_{t-1} → H_t (and E_{t-1} → E_t), out of place.
  static void advance_row(const S* __restrict Hs, const S* __restrict Es, S* __restrict Hd,
                          S* __restrict Ed, const S* __restrict y, S x_i, int64_t N, S eta, S m,
                          S c) {
    for (int64_t j = 0; j < N; ++j) {
      const S h = Hs[j];
      const S D = increment(x_i, y[j], h);
      const S e = kMod == Modulation::kRetroactive ? Es[j] : S(0);
      Hd[j] = std::min(std::max(rule_update(h, e, D, eta, m), -c), c);
      if constexpr (kMod == Modulation::kRetroactive) {
        Ed[j] = (S(1) - eta) * e + eta * D;
      }
    }
  }

  // The same in place (separate so that the compiler may assume no aliasing in either).
  static void advance_row_inplace(S* __restrict H, S* __restrict E, const S* __restrict y, S x_i,
                                  int64_t N, S eta, S m, S c) {
    for (int64_t j = 0; j < N; ++j) {
      const S h = H[j];
      const S D = increment(x_i, y[j], h);
      const S e = kMod == Modulation::kRetroactive ? E[j] : S(0);
      H[j] = std::min(std::max(rule_update(h, e, D, eta, m), -c), c);
      if constexpr (kMod == Modulation::kRetroactive) {
        E[j] = (S(1) - eta) * e + eta * D;
      }
    }
  }

  // next[j] += (Wᵀ[i, j] + A[i, j] H[i, j]) · h_i
  static void accumulate_row(S* __restrict next, const S* __restrict Wr, const S* __restrict Ar,
                             const S* __restrict Hr, S hi, int64_t N) {
    for (int64_t j = 0; j < N; ++j) {
      next[j] += (Wr[j] + Ar[j] * Hr[j]) * hi;
    }
  }

  // One forward step over the whole trace: advances H (and E) in place and adds row i's
  // contribution (Wᵀ + A ⊙ H_t)[i, j] · y_i to next[j], kBlock columns at a time so that the
  // block's partial sums of next stay in registers across all N rows instead of going through
  // memory once per row. Per element the same operations in the same order as advance_row_inplace
  // followed by accumulate_row, so the results are identical.
  static constexpr int64_t kBlock = 32 / sizeof(S) * 4; // 4 registers of 256 bits
  static void advance_accumulate(S* H, S* E, const S* __restrict y, const S* __restrict x,
                                 const S* __restrict WT, const S* __restrict A, int64_t A_stride,
                                 S* __restrict next, int64_t N, S eta, S m, S c) {
    int64_t j0 = 0;
    for (; j0 + kBlock <= N; j0 += kBlock) {
      S acc[kBlock];
      for (int64_t u = 0; u < kBlock; ++u) {
        acc[u] = next[j0 + u];
      }
      for (int64_t i = 0; i < N; ++i) {
        S* __restrict Hr = H + i * N + j0;
        S* __restrict Er = kMod == Modulation::kRetroactive ? E + i * N + j0 : nullptr;
        const S* __restrict Wr = WT + i * N + j0;
        const S* __restrict Ar = A + i * A_stride + j0;
        const S* __restrict yb = y + j0;
        const S xi = x[i], yi = y[i];
#pragma GCC unroll 16
        for (int64_t u = 0; u < kBlock; ++u) {
          const S h = Hr[u];
          const S D = increment(xi, yb[u], h);
          const S e = kMod == Modulation::kRetroactive ? Er[u] : S(0);
          const S nh = std::min(std::max(rule_update(h, e, D, eta, m), -c), c);
          Hr[u] = nh;
          if constexpr (kMod == Modulation::kRetroactive) {
            Er[u] = (S(1) - eta) * e + eta * D;
          }
          acc[u] += (Wr[u] + Ar[u] * nh) * yi;
        }
      }
      for (int64_t u = 0; u < kBlock; ++u) {
        next[j0 + u] = acc[u];
      }
    }
    if (j0 == N) {
      return;
    }
    const int64_t rest = N - j0; // the last columns, row by row
    for (int64_t i = 0; i < N; ++i) {
      S* Hr = H + i * N + j0;
      advance_row_inplace(Hr, kMod == Modulation::kRetroactive ? E + i * N + j0 : nullptr, y + j0,
                          x[i], rest, eta, m, c);
      accumulate_row(next + j0, WT + i * N + j0, A + i * A_stride + j0, Hr, y[i], rest);
    }
  }

  static void advance(const S* Hs, const S* Es, S* Hd, S* Ed, const S* x, const S* y, int64_t N,
                      S eta, S m, S c) {
    for (int64_t i = 0; i < N; ++i) {
      const int64_t r = i * N;
      if (Hs == Hd) {
        advance_row_inplace(Hd + r, Ed ? Ed + r : nullptr, y, x[i], N, eta, m, c);
      } else {
        advance_row(Hs + r, Es ? Es + r : nullptr, Hd + r, Ed ? Ed + r : nullptr, y, x[i], N, eta,
                    m, c);
      }
    }
  }

  // Backward pass 1 over row i: through the clip, the rule and the increment D_t. Updates
  // gH (and gE) in place to their values at t-1, adds to gy; returns the row's partial sums.
  static void backward_row1(const S* __restrict Hr, const S* __restrict Er, S* __restrict gHr,
                            S* __restrict gEr, const S* __restrict y, S* __restrict gy, S xi,
                            int64_t N, S eta, S m, S c, S& gx_out, S& geta_out, S& gm_out) {
    S l_gx[kLanes] = {}, l_eta[kLanes] = {}, l_m[kLanes] = {};
#define ENGRAM_PLASTIC_ROW1(j, lane)                                                               \
  {                                                                                                \
    const S h = Hr[j];                                                                             \
    const S yj = y[j];                                                                             \
    const S D = increment(xi, yj, h);                                                              \
    const S e = kMod == Modulation::kRetroactive ? Er[j] : S(0);                                   \
    const S pre_clip = rule_update(h, e, D, eta, m);                                               \
    const S gt = (pre_clip >= -c && pre_clip <= c) ? gHr[j] : S(0);                                \
    S gD, gHp;                                                                                     \
    if constexpr (kMod == Modulation::kNone) {                                                     \
      gHp = kOja ? gt : (S(1) - eta) * gt;                                                         \
      gD = eta * gt;                                                                               \
      l_eta[lane] += (kOja ? D : D - h) * gt;                                                      \
    } else if constexpr (kMod == Modulation::kSimple) {                                            \
      gHp = gt;                                                                                    \
      gD = m * gt;                                                                                 \
      l_m[lane] += D * gt;                                                                         \
    } else {                                                                                       \
      const S gEt = gEr[j];                                                                        \
      gEr[j] = (S(1) - eta) * gEt + m * gt;                                                        \
      gD = eta * gEt;                                                                              \
      l_eta[lane] += (D - e) * gEt;                                                                \
      l_m[lane] += e * gt;                                                                         \
      gHp = gt;                                                                                    \
    }                                                                                              \
    l_gx[lane] += gD * yj;                                                                         \
    if constexpr (kOja) {                                                                          \
      gy[j] += gD * (xi - S(2) * yj * h);                                                          \
      gHp -= gD * yj * yj;                                                                         \
    } else {                                                                                       \
      gy[j] += gD * xi;                                                                            \
    }                                                                                              \
    gHr[j] = gHp;                                                                                  \
  }
    int64_t j = 0;
    for (; j + kLanes <= N; j += kLanes) {
      for (int64_t u = 0; u < kLanes; ++u) {
        ENGRAM_PLASTIC_ROW1(j + u, u)
      }
    }
    for (; j < N; ++j) {
      ENGRAM_PLASTIC_ROW1(j, 0)
    }
#undef ENGRAM_PLASTIC_ROW1
    gx_out = lane_sum(l_gx);
    geta_out = lane_sum(l_eta);
    gm_out = lane_sum(l_m);
  }

  // Backward pass 2 over row i: through h_t = tanh(U_t + (W + α ⊙ Hᵀ) h_{t-1}). Returns
  // Σ_j (Wᵀ + A ⊙ H)[i, j] ga_j.
  static S backward_row2(const S* __restrict Hr, const S* __restrict Wr, const S* __restrict Ar,
                         S* __restrict gHr, S* __restrict gAr, const S* __restrict ga, S xi,
                         int64_t N) {
    S lanes[kLanes] = {};
#define ENGRAM_PLASTIC_ROW2(j, lane)                                                               \
  {                                                                                                \
    const S xg = xi * ga[j];                                                                       \
    gHr[j] += Ar[j] * xg;                                                                          \
    gAr[j] += Hr[j] * xg;                                                                          \
    lanes[lane] += (Wr[j] + Ar[j] * Hr[j]) * ga[j];                                                \
  }
    int64_t j = 0;
    for (; j + kLanes <= N; j += kLanes) {
      for (int64_t u = 0; u < kLanes; ++u) {
        ENGRAM_PLASTIC_ROW2(j + u, u)
      }
    }
    for (; j < N; ++j) {
      ENGRAM_PLASTIC_ROW2(j, 0)
    }
#undef ENGRAM_PLASTIC_ROW2
    return lane_sum(lanes);
  }
};

template <typename S>
S clip_value(double clip) {
  return clip > 0 ? static_cast<S>(clip) : std::numeric_limits<S>::infinity();
}

template <typename S>
S modulation_at(const PlasticRnnForwardArgs<S>& a, const S* y, int64_t t, int64_t b) {
  if (a.m_given) {
    return a.m_given[t * a.B + b];
  }
  S z = static_cast<S>(a.b_m);
  for (int64_t j = 0; j < a.N; ++j) {
    z += a.w_m[j] * y[j];
  }
  return std::tanh(z);
}

template <typename S, bool kOja, Modulation kMod>
void forward_batch(const PlasticRnnForwardArgs<S>& a, int64_t b, S* next) {
  using R = Step<S, kOja, kMod>;
  constexpr bool kRetro = kMod == Modulation::kRetroactive;
  const int64_t N = a.N, NN = N * N, B = a.B;
  const S eta = static_cast<S>(a.eta);
  const S c = clip_value<S>(a.clip);
  S* H = a.H + b * NN;
  std::memcpy(H, a.H0 + b * NN, sizeof(S) * NN);
  S* E = kRetro ? a.E + b * NN : nullptr;
  if (kRetro) {
    if (a.E0) {
      std::memcpy(E, a.E0 + b * NN, sizeof(S) * NN);
    } else {
      std::fill(E, E + NN, S(0));
    }
  }
  if (a.T == 0) {
    return;
  }
  const S* x = a.h0 + b * N;
  std::memcpy(next, a.U + b * N, sizeof(S) * N);
  for (int64_t i = 0; i < N; ++i) {
    const S xi = x[i];
    R::accumulate_row(next, a.WT + i * N, a.A + i * a.A_stride, H + i * N, xi, N);
  }
  for (int64_t t = 1; t <= a.T; ++t) {
    if (a.ckH && (t - 1) % a.chunk == 0) {
      const int64_t k = (t - 1) / a.chunk;
      std::memcpy(a.ckH + (k * B + b) * NN, H, sizeof(S) * NN);
      if (kRetro) {
        std::memcpy(a.ckE + (k * B + b) * NN, E, sizeof(S) * NN);
      }
    }
    S* y = a.out + ((t - 1) * B + b) * N;
    for (int64_t j = 0; j < N; ++j) {
      y[j] = std::tanh(next[j]);
    }
    S m = 0;
    if constexpr (kMod != Modulation::kNone) {
      m = modulation_at(a, y, t - 1, b);
      a.m_used[(t - 1) * B + b] = m;
    }
    const bool last = t == a.T;
    if (!last) {
      std::memcpy(next, a.U + (t * B + b) * N, sizeof(S) * N);
    }
    if (last) {
      for (int64_t i = 0; i < N; ++i) {
        R::advance_row_inplace(H + i * N, kRetro ? E + i * N : nullptr, y, x[i], N, eta, m, c);
      }
    } else {
      R::advance_accumulate(H, E, y, x, a.WT, a.A, a.A_stride, next, N, eta, m, c);
    }
    x = y;
  }
}

// Per-task scratch of the backward pass, reused across the batch elements of a task.
template <typename S>
struct BackwardScratch {
  CpuBuffer<S> inner_H, inner_E, step_H, step_E;
  CpuBuffer<S> gh, gx, gy, ga;
};

template <typename S, bool kOja, Modulation kMod>
void backward_batch(const PlasticRnnBackwardArgs<S>& g, int64_t b, int64_t sub,
                    BackwardScratch<S>& s) {
  using R = Step<S, kOja, kMod>;
  constexpr bool kRetro = kMod == Modulation::kRetroactive;
  constexpr bool kModulated = kMod != Modulation::kNone;
  const auto& a = g.fwd;
  const int64_t N = a.N, NN = N * N, B = a.B, T = a.T, C = a.chunk;
  const S eta = static_cast<S>(a.eta);
  const S c = clip_value<S>(a.clip);

  S* gH = g.g_H0 + b * NN;
  S* gE = kRetro ? g.g_E0 + b * NN : nullptr;
  S* gA = g.g_A + b * NN;
  std::fill(gA, gA + NN, S(0));
  if (g.g_H) {
    std::memcpy(gH, g.g_H + b * NN, sizeof(S) * NN);
  } else {
    std::fill(gH, gH + NN, S(0));
  }
  if (kRetro) {
    if (g.g_E) {
      std::memcpy(gE, g.g_E + b * NN, sizeof(S) * NN);
    } else {
      std::fill(gE, gE + NN, S(0));
    }
  }
  S* gh = s.gh.data();
  if (g.g_h) {
    std::memcpy(gh, g.g_h + b * N, sizeof(S) * N);
  } else {
    std::fill(gh, gh + N, S(0));
  }
  S* gx = s.gx.data();
  S* gy = s.gy.data();
  S* ga = s.ga.data();
  double g_eta = 0.0, g_bm = 0.0;
  if (g.g_w_m) {
    std::fill(g.g_w_m + b * N, g.g_w_m + (b + 1) * N, S(0));
  }

  const auto h_at = [&](int64_t t) -> const S* { // h_t, t = 0..T
    return t == 0 ? a.h0 + b * N : a.out + ((t - 1) * B + b) * N;
  };
  const auto m_at = [&](int64_t t) -> S { // m_t, t = 1..T
    return kModulated ? a.m_used[(t - 1) * B + b] : S(0);
  };
  const auto advance = [&](const S* Hs, const S* Es, S* Hd, S* Ed, int64_t t) {
    R::advance(Hs, Es, Hd, Ed, h_at(t - 1), h_at(t), N, eta, m_at(t), c);
  };

  const int64_t chunks = (T + C - 1) / C;
  for (int64_t k = chunks - 1; k >= 0; --k) {
    const int64_t t0 = k * C, t1 = std::min(T, t0 + C);
    // Re-checkpoint the chunk every `sub` steps: inner[q] = H_{t0 + q·sub}.
    const int64_t inner_count = (t1 - t0 + sub - 1) / sub;
    std::memcpy(s.inner_H.data(), a.ckH + (k * B + b) * NN, sizeof(S) * NN);
    if (kRetro) {
      std::memcpy(s.inner_E.data(), a.ckE + (k * B + b) * NN, sizeof(S) * NN);
    }
    for (int64_t q = 1; q < inner_count; ++q) {
      S* Hd = s.inner_H.data() + q * NN;
      S* Ed = kRetro ? s.inner_E.data() + q * NN : nullptr;
      const S* Hs = Hd - NN;
      const S* Es = kRetro ? Ed - NN : nullptr;
      for (int64_t t = t0 + (q - 1) * sub + 1; t <= t0 + q * sub; ++t) {
        advance(Hs, Es, Hd, Ed, t);
        Hs = Hd;
        Es = Ed;
      }
    }
    for (int64_t q = inner_count - 1; q >= 0; --q) {
      const int64_t s0 = t0 + q * sub, s1 = std::min(t1, s0 + sub);
      // step_H[r] = H_{s0 + r}, r = 0 .. s1 - s0 - 1
      std::memcpy(s.step_H.data(), s.inner_H.data() + q * NN, sizeof(S) * NN);
      if (kRetro) {
        std::memcpy(s.step_E.data(), s.inner_E.data() + q * NN, sizeof(S) * NN);
      }
      for (int64_t r = 1; r < s1 - s0; ++r) {
        advance(s.step_H.data() + (r - 1) * NN, kRetro ? s.step_E.data() + (r - 1) * NN : nullptr,
                s.step_H.data() + r * NN, kRetro ? s.step_E.data() + r * NN : nullptr, s0 + r);
      }
      for (int64_t t = s1; t > s0; --t) {
        const S* Hp = s.step_H.data() + (t - 1 - s0) * NN;
        const S* Ep = kRetro ? s.step_E.data() + (t - 1 - s0) * NN : nullptr;
        const S* x = h_at(t - 1);
        const S* y = h_at(t);
        const S m = m_at(t);
        if (g.g_out) {
          const S* go = g.g_out + ((t - 1) * B + b) * N;
          for (int64_t j = 0; j < N; ++j) {
            gh[j] += go[j];
          }
        }
        std::fill(gy, gy + N, S(0));
        double g_m = 0.0;
        // Pass 1: through the clip, the rule and the increment D_t.
        for (int64_t i = 0; i < N; ++i) {
          S gxi, geta_row, gm_row;
          R::backward_row1(Hp + i * N, kRetro ? Ep + i * N : nullptr, gH + i * N,
                           kRetro ? gE + i * N : nullptr, y, gy, x[i], N, eta, m, c, gxi, geta_row,
                           gm_row);
          gx[i] = gxi;
          g_eta += geta_row;
          g_m += gm_row;
        }
        if constexpr (kModulated) {
          if (g.g_m) {
            g_m += g.g_m[(t - 1) * B + b];
          }
          if (a.m_given) {
            g.g_m_given[(t - 1) * B + b] = static_cast<S>(g_m);
          } else {
            const S gz = static_cast<S>(g_m) * (S(1) - m * m);
            S* gw = g.g_w_m + b * N;
            for (int64_t j = 0; j < N; ++j) {
              gy[j] += gz * a.w_m[j];
              gw[j] += gz * y[j];
            }
            g_bm += gz;
          }
        }
        S* ga_out = g.g_a + ((t - 1) * B + b) * N;
        for (int64_t j = 0; j < N; ++j) {
          ga[j] = (gh[j] + gy[j]) * (S(1) - y[j] * y[j]);
          ga_out[j] = ga[j];
        }
        // Pass 2: through h_t = tanh(U_t + (W + α ⊙ Hᵀ) h_{t-1}).
        for (int64_t i = 0; i < N; ++i) {
          gh[i] = gx[i] + R::backward_row2(Hp + i * N, a.WT + i * N, a.A + i * a.A_stride,
                                           gH + i * N, gA + i * N, ga, x[i], N);
        }
      }
    }
  }
  std::memcpy(g.g_h0 + b * N, gh, sizeof(S) * N);
  g.g_eta[b] = static_cast<S>(g_eta);
  if (g.g_b_m) {
    g.g_b_m[b] = static_cast<S>(g_bm);
  }
}

template <typename S, bool kOja, Modulation kMod>
void forward_all(const PlasticRnnForwardArgs<S>& a) {
  at::parallel_for(0, a.B, 1, [&](int64_t begin, int64_t end) {
    CpuBuffer<S> next;
    next.resize(static_cast<size_t>(a.N));
    for (int64_t b = begin; b < end; ++b) {
      forward_batch<S, kOja, kMod>(a, b, next.data());
    }
  });
}

template <typename S, bool kOja, Modulation kMod>
void backward_all(const PlasticRnnBackwardArgs<S>& g) {
  const auto& a = g.fwd;
  const int64_t NN = a.N * a.N;
  const int64_t C = std::max<int64_t>(1, std::min(a.chunk, std::max<int64_t>(a.T, 1)));
  constexpr bool kRetroTraces = kMod == Modulation::kRetroactive;
  // A chunk's traces are recomputed into one per-thread buffer when they fit in
  // kChunkBufferBytes (one recomputation pass); otherwise the chunk is re-checkpointed every
  // ≈√C steps (two passes, O(√C) buffer).
  constexpr int64_t kChunkBufferBytes = int64_t{4} << 20;
  const int64_t chunk_bytes = C * NN * static_cast<int64_t>(sizeof(S)) * (kRetroTraces ? 2 : 1);
  const int64_t sub =
      chunk_bytes <= kChunkBufferBytes
          ? C
          : std::max<int64_t>(1,
                              static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(C)))));
  const int64_t inner = (C + sub - 1) / sub;
  constexpr bool kRetro = kMod == Modulation::kRetroactive;
  at::parallel_for(0, a.B, 1, [&](int64_t begin, int64_t end) {
    BackwardScratch<S> s;
    s.inner_H.resize(static_cast<size_t>(inner * NN));
    s.step_H.resize(static_cast<size_t>(sub * NN));
    if (kRetro) {
      s.inner_E.resize(static_cast<size_t>(inner * NN));
      s.step_E.resize(static_cast<size_t>(sub * NN));
    }
    for (auto* v : {&s.gh, &s.gx, &s.gy, &s.ga}) {
      v->resize(static_cast<size_t>(a.N));
    }
    for (int64_t b = begin; b < end; ++b) {
      backward_batch<S, kOja, kMod>(g, b, sub, s);
    }
  });
}

template <typename Args, typename Fn>
void dispatch(const Args& args, bool oja, Modulation mod, Fn&& fn) {
  // fn is a generic lambda taking (std::integral_constant<bool>, std::integral_constant<mod>)
  if (oja) {
    switch (mod) {
    case Modulation::kNone:
      return fn(std::true_type{}, std::integral_constant<Modulation, Modulation::kNone>{});
    case Modulation::kSimple:
      return fn(std::true_type{}, std::integral_constant<Modulation, Modulation::kSimple>{});
    case Modulation::kRetroactive:
      return fn(std::true_type{}, std::integral_constant<Modulation, Modulation::kRetroactive>{});
    }
  } else {
    switch (mod) {
    case Modulation::kNone:
      return fn(std::false_type{}, std::integral_constant<Modulation, Modulation::kNone>{});
    case Modulation::kSimple:
      return fn(std::false_type{}, std::integral_constant<Modulation, Modulation::kSimple>{});
    case Modulation::kRetroactive:
      return fn(std::false_type{}, std::integral_constant<Modulation, Modulation::kRetroactive>{});
    }
  }
  (void)args;
}

template <typename S>
void forward_impl(const PlasticRnnForwardArgs<S>& a) {
  dispatch(a, a.oja, a.modulation, [&](auto oja, auto mod) {
    forward_all<S, decltype(oja)::value, decltype(mod)::value>(a);
  });
}

template <typename S>
void backward_impl(const PlasticRnnBackwardArgs<S>& g) {
  TORCH_CHECK(g.fwd.ckH != nullptr, "plastic_rnn backward: the forward saved no checkpoints");
  dispatch(g, g.fwd.oja, g.fwd.modulation, [&](auto oja, auto mod) {
    backward_all<S, decltype(oja)::value, decltype(mod)::value>(g);
  });
}
