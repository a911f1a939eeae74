#pragma once
/// \file
/// The vocabulary of plasticity shared by the layers (engram::layers) and the fused ops
/// (engram::ops): one type per concept. Plain C++ (no ATen), so CUDA sources include it too.
///
/// Index convention of every fast trace: H[b, i, j] is the plastic weight from presynaptic unit
/// i to postsynaptic unit j ([pre, post], the layout of the outer product pre ⊗ post). Weights
/// and per-connection plasticity coefficients use LibTorch's Linear layout [out, in].

#include <string>
#include <vector>

namespace engram {

/// A local learning rule. Each consumer accepts the rules it implements and refuses the others
/// with an error naming them:
///   plastic_rnn, PlasticRNN, PlasticLinear    kHebb, kOja
///   hebbian_update                            kHebb, kOja, kCovariance, kBcm
///   HebbianLinear                             all seven
enum class HebbianRule {
  kHebb, ///< pre ⊗ post (decaying trace in the plastic ops; dW = η y xᵀ − decay W for weights)
  kOja,    ///< post_j (pre_i − post_j w_ij): self-normalising (Oja 1982)
  kSanger, ///< y xᵀ − LT(y yᵀ) W: the generalised Hebbian algorithm (Sanger 1989)
  kBcm, ///< x y (y − θ), θ a sliding threshold ~ ⟨y²⟩ (Bienenstock, Cooper & Munro 1982)
  kCovariance, ///< (x − ⟨x⟩)(y − ⟨y⟩) (Sejnowski 1977)
  kSoftWta,    ///< softmax competition, anti-Hebbian losers (SoftHebb, Journé et al. 2023)
  kHardWta,    ///< winner +1, k-th ranked −Δ (Krotov & Hopfield 2019)
};

/// How a neuromodulator m_t enters a fast trace (Backpropamine, Miconi et al. 2019).
enum class Modulation {
  kNone,        ///< the rate η alone drives the trace
  kSimple,      ///< m_t (given, or computed by a learned head) scales the rule's update
  kRetroactive, ///< the rule writes an eligibility trace E, and m_t gates E into H
};

/// Shape of the plasticity coefficients α in W + α ⊙ H.
enum class AlphaShape {
  kPerConnection, ///< one per synapse: [out, in]
  kPerNeuron,     ///< one per postsynaptic unit: [out]
  kScalar,        ///< one for the whole layer: []
};

/// An element-wise activation function.
enum class Activation { kNone, kTanh, kRelu, kSigmoid };

/// The names used in presets, op schemas, messages and pretty_print ("hebb", "soft_wta",
/// "retroactive", "per_connection", "tanh", ...).
std::string to_string(HebbianRule rule);
std::string to_string(Modulation modulation);
std::string to_string(AlphaShape shape);
std::string to_string(Activation activation);

/// Every value of each enum, in declaration order.
const std::vector<HebbianRule>& all_hebbian_rules();
const std::vector<Modulation>& all_modulations();
const std::vector<AlphaShape>& all_alpha_shapes();
const std::vector<Activation>& all_activations();

/// Parse the names to_string gives. `argument` names the option being parsed in the error,
/// which lists every valid name (c10::Error).
HebbianRule parse_hebbian_rule(const std::string& name, const char* argument = "rule");
Modulation parse_modulation(const std::string& name, const char* argument = "modulation");
AlphaShape parse_alpha_shape(const std::string& name, const char* argument = "alpha_shape");
Activation parse_activation(const std::string& name, const char* argument = "activation");

/// Refuses a rule outside `supported`: "<who>: option 'rule' expected one of hebb, oja, got
/// 'sanger'" (c10::Error).
void check_hebbian_rule(const char* who, HebbianRule rule,
                        const std::vector<HebbianRule>& supported);

} // namespace engram
