#include <engram/layers/memory/hopfield_retrieval.h>

#include <ostream>

namespace engram::layers::memory {

HopfieldRetrievalImpl::HopfieldRetrievalImpl(HopfieldRetrievalOptions options_)
    : options(std::move(options_)) {
  TORCH_CHECK(options.pattern_size() > 0,
              "HopfieldRetrieval: argument 'pattern_size' expected > 0, got ",
              options.pattern_size());
  TORCH_CHECK(options.beta() > 0.0 && std::isfinite(options.beta()),
              "HopfieldRetrieval: argument 'beta' expected a finite value > 0, got ",
              options.beta());
  TORCH_CHECK(options.max_steps() >= 1,
              "HopfieldRetrieval: argument 'max_steps' expected >= 1, got ", options.max_steps());
  TORCH_CHECK(options.eps() >= 0.0, "HopfieldRetrieval: argument 'eps' expected >= 0, got ",
              options.eps());
  reset();
}

void HopfieldRetrievalImpl::reset() {
  patterns_ = register_buffer("patterns", at::empty({0, options.pattern_size()}));
  reset_parameters();
}

void HopfieldRetrievalImpl::reset_parameters() {
  at::NoGradGuard no_grad;
  patterns_.set_(at::empty({0, options.pattern_size()}, patterns_.options()));
}

void HopfieldRetrievalImpl::store(const at::Tensor& patterns) {
  TORCH_CHECK(patterns.dim() == 2 && patterns.size(1) == options.pattern_size() &&
                  patterns.size(0) > 0,
              "HopfieldRetrieval::store: argument 'patterns' expected [N > 0, ",
              options.pattern_size(), "], got ", patterns.sizes());
  at::NoGradGuard no_grad;
  patterns_.set_(patterns.detach().to(patterns_.options()).clone());
}

HopfieldRetrievalResult HopfieldRetrievalImpl::retrieve(const at::Tensor& query) const {
  TORCH_CHECK(patterns_.size(0) > 0,
              "HopfieldRetrieval::retrieve: no patterns stored; call store(patterns) first");
  return retrieve(query, patterns_);
}

HopfieldRetrievalResult HopfieldRetrievalImpl::retrieve(const at::Tensor& query,
                                                        const at::Tensor& patterns) const {
  const int64_t d = options.pattern_size();
  TORCH_CHECK((query.dim() == 1 || query.dim() == 2) && query.size(-1) == d,
              "HopfieldRetrieval::retrieve: argument 'query' expected [B, ", d, "] or [", d,
              "], got ", query.sizes());
  TORCH_CHECK((patterns.dim() == 2 || patterns.dim() == 3) && patterns.size(-1) == d &&
                  patterns.size(-2) > 0,
              "HopfieldRetrieval::retrieve: argument 'patterns' expected [N, ", d, "] or [B, N, ",
              d, "], got ", patterns.sizes());
  const bool single = query.dim() == 1;
  at::Tensor xi = single ? query.unsqueeze(0) : query;
  TORCH_CHECK(patterns.dim() == 2 || patterns.size(0) == xi.size(0),
              "HopfieldRetrieval::retrieve: argument 'patterns' expected batch size ", xi.size(0),
              " (the query's), got ", patterns.size(0));
  HopfieldRetrievalResult result;
  for (int64_t step = 0; step < options.max_steps(); ++step) {
    at::Tensor next;
    if (patterns.dim() == 2) {
      next = at::mm(at::softmax(options.beta() * at::mm(xi, patterns.t()), -1), patterns);
    } else {
      const at::Tensor scores = at::bmm(patterns, xi.unsqueeze(2)).squeeze(2);
      next = at::bmm(at::softmax(options.beta() * scores, -1).unsqueeze(1), patterns).squeeze(1);
    }
    const double moved = (next - xi).detach().norm(2, {-1}).max().item<double>();
    xi = next;
    result.steps = step + 1;
    if (moved < options.eps()) {
      result.converged = true;
      break;
    }
  }
  result.state = single ? xi.squeeze(0) : xi;
  return result;
}

at::Tensor HopfieldRetrievalImpl::energy(const at::Tensor& state) const {
  TORCH_CHECK(patterns_.size(0) > 0,
              "HopfieldRetrieval::energy: no patterns stored; call store(patterns) first");
  TORCH_CHECK(state.dim() == 2 && state.size(1) == options.pattern_size(),
              "HopfieldRetrieval::energy: argument 'state' expected [B, ", options.pattern_size(),
              "], got ", state.sizes());
  const double beta = options.beta();
  return -at::logsumexp(beta * at::mm(state, patterns_.t()), {-1}) / beta +
         0.5 * (state * state).sum(-1);
}

void HopfieldRetrievalImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::HopfieldRetrieval(pattern_size=" << options.pattern_size()
         << ", beta=" << options.beta() << ", max_steps=" << options.max_steps()
         << ", eps=" << options.eps() << ", stored=" << patterns_.size(0) << ")";
}

} // namespace engram::layers::memory
