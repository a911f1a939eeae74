// The LibTorch module contract, for every memory layer and AssociativeRecallModel: each runs
// inside torch::nn::AnyModule (and, when forward maps a tensor to a tensor, inside
// torch::nn::Sequential); clone() is an independent deep copy with equal outputs; torch::save /
// torch::load into a freshly constructed module restores outputs and state; .to(kFloat64) and
// .to(CPU) move the parameters, the buffers and the episode state.
#include <engram/layers/memory/classical_hopfield.h>
#include <engram/layers/memory/gated_working_memory.h>
#include <engram/layers/memory/hopfield_retrieval.h>
#include <engram/layers/memory/key_value_memory.h>
#include <engram/layers/memory/slot_memory.h>
#include <engram/models/associative_recall_model.h>
#include <engram/tasks/memory_tasks.h>
#include <support/module_contract.h>

#include <gtest/gtest.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/serialize.h>

#include <cmath>
#include <sstream>
#include <string>

namespace em = engram::layers::memory;
namespace tasks = engram::tasks;
namespace models = engram::models;

namespace {

using engram::testing::clone_of;
using engram::testing::expect_moved_to;
using engram::testing::expect_no_shared_storage;
using engram::testing::expect_same_tensors;
using engram::testing::save_into;

void expect_same_state(const em::KeyValueMemoryState& a, const em::KeyValueMemoryState& b) {
  ASSERT_EQ(a.batch_size(), b.batch_size());
  if (a.batch_size() == 0) {
    EXPECT_FALSE(b.keys.defined());
    return;
  }
  EXPECT_TRUE(a.keys.equal(b.keys));
  EXPECT_TRUE(a.values.equal(b.values));
  EXPECT_TRUE(a.usage.equal(b.usage));
  EXPECT_TRUE(a.filled.equal(b.filled));
  EXPECT_TRUE(a.next_slot.equal(b.next_slot));
}

at::Tensor sign_patterns(int64_t n, int64_t d) {
  return tasks::random_sign_patterns(n, d);
}

// ---------------------------------------------------------------------------------------------
TEST(MemoryModuleContract, ClassicalHopfield) {
  torch::manual_seed(40);
  em::ClassicalHopfield hopfield(em::ClassicalHopfieldOptions(16).max_sweeps(20));
  const at::Tensor patterns = sign_patterns(2, 16);
  hopfield->store(patterns);
  const at::Tensor probe = tasks::flip_bits(patterns, 0.125);
  auto recall = [&](auto&& f) {
    torch::manual_seed(41); // recall draws its update order
    return f(probe);
  };
  const at::Tensor expected = recall([&](const at::Tensor& p) { return hopfield(p); });

  torch::nn::AnyModule any(hopfield);
  EXPECT_TRUE(recall([&](const at::Tensor& p) { return any.forward(p); }).equal(expected));
  torch::nn::Sequential sequential(hopfield);
  EXPECT_TRUE(recall([&](const at::Tensor& p) { return sequential->forward(p); }).equal(expected));

  em::ClassicalHopfield copy = clone_of(hopfield);
  expect_same_tensors(*hopfield, *copy);
  expect_no_shared_storage(*hopfield, *copy);
  EXPECT_EQ(copy->stored(), 2);
  EXPECT_TRUE(recall([&](const at::Tensor& p) { return copy(p); }).equal(expected));
  copy->store(sign_patterns(3, 16));
  EXPECT_EQ(copy->stored(), 3);
  EXPECT_EQ(hopfield->stored(), 2);
  EXPECT_FALSE(copy->weight().equal(hopfield->weight()));

  em::ClassicalHopfield loaded(em::ClassicalHopfieldOptions(16).max_sweeps(20));
  save_into(hopfield, loaded);
  expect_same_tensors(*hopfield, *loaded);
  EXPECT_EQ(loaded->stored(), 2);
  EXPECT_TRUE(recall([&](const at::Tensor& p) { return loaded(p); }).equal(expected));

  hopfield->to(torch::kFloat64);
  EXPECT_EQ(hopfield->weight().scalar_type(), torch::kFloat64);
  EXPECT_EQ(hopfield->stored(), 2);
  EXPECT_TRUE(hopfield->energy(probe.to(torch::kFloat64))
                  .allclose(loaded->energy(probe).to(torch::kFloat64), 1e-6));
  EXPECT_TRUE(recall([&](const at::Tensor& p) { return hopfield(p); }).equal(expected));
  hopfield->to(torch::Device(torch::kCPU));
  expect_moved_to(*hopfield, torch::kFloat64);
  EXPECT_TRUE(recall([&](const at::Tensor& p) { return hopfield(p); }).equal(expected));

  hopfield->reset_parameters();
  EXPECT_EQ(hopfield->stored(), 0);
  EXPECT_EQ(hopfield->weight().abs().sum().item<double>(), 0.0);
}

TEST(MemoryModuleContract, HopfieldRetrieval) {
  torch::manual_seed(42);
  em::HopfieldRetrieval hopfield(em::HopfieldRetrievalOptions(8).beta(4.0).max_steps(5));
  hopfield->store(torch::randn({6, 8}));
  const at::Tensor query = torch::randn({3, 8});
  const at::Tensor expected = hopfield(query);

  torch::nn::AnyModule any(hopfield);
  EXPECT_TRUE(any.forward(query).equal(expected));
  torch::nn::Sequential sequential(hopfield);
  EXPECT_TRUE(sequential->forward(query).equal(expected));

  em::HopfieldRetrieval copy = clone_of(hopfield);
  expect_same_tensors(*hopfield, *copy);
  expect_no_shared_storage(*hopfield, *copy);
  EXPECT_TRUE(copy(query).equal(expected));
  copy->store(torch::randn({4, 8}));
  EXPECT_EQ(copy->patterns().size(0), 4);
  EXPECT_EQ(hopfield->patterns().size(0), 6);
  EXPECT_TRUE(hopfield(query).equal(expected));

  // A fresh module of the same options, with no patterns yet: [0, 8].
  em::HopfieldRetrieval loaded(em::HopfieldRetrievalOptions(8).beta(4.0).max_steps(5));
  save_into(hopfield, loaded);
  EXPECT_EQ(loaded->patterns().sizes(), (std::vector<int64_t>{6, 8}));
  expect_same_tensors(*hopfield, *loaded);
  EXPECT_TRUE(loaded(query).equal(expected));

  hopfield->to(torch::kFloat64);
  EXPECT_EQ(hopfield->patterns().scalar_type(), torch::kFloat64);
  EXPECT_TRUE(hopfield(query.to(torch::kFloat64)).allclose(expected.to(torch::kFloat64), 1e-5));
  hopfield->to(torch::Device(torch::kCPU));
  EXPECT_EQ(hopfield->patterns().device(), torch::Device(torch::kCPU));
  EXPECT_EQ(hopfield->patterns().scalar_type(), torch::kFloat64);

  hopfield->reset_parameters();
  EXPECT_EQ(hopfield->patterns().size(0), 0);
}

TEST(MemoryModuleContract, KeyValueMemory) {
  torch::manual_seed(43);
  em::KeyValueMemory memory(em::KeyValueMemoryOptions(5, 3, 2).beta(3.0).top_k(3));
  // Before reset_state the state is undefined, and stays so through clone, save/load and to().
  EXPECT_FALSE(memory->state().keys.defined());
  EXPECT_FALSE(clone_of(memory)->state().keys.defined());
  {
    em::KeyValueMemory empty(em::KeyValueMemoryOptions(5, 3, 2));
    save_into(memory, empty);
    EXPECT_FALSE(empty->state().keys.defined());
    empty->to(torch::kFloat64);
    EXPECT_FALSE(empty->state().keys.defined());
  }
  memory->reset_state(2);
  memory->append(torch::randn({2, 4, 3}), torch::randn({2, 4, 2}));
  const at::Tensor query = torch::randn({2, 3});

  // Reads refresh usage, so every comparison reads from a copy of the same state.
  em::KeyValueMemory reference = clone_of(memory);
  const at::Tensor expected = reference(query);
  torch::nn::AnyModule any(clone_of(memory));
  EXPECT_TRUE(any.forward(query).equal(expected));
  torch::nn::Sequential sequential(clone_of(memory));
  EXPECT_TRUE(sequential->forward(query).equal(expected));

  em::KeyValueMemory copy = clone_of(memory);
  expect_same_tensors(*memory, *copy);
  expect_no_shared_storage(*memory, *copy);
  expect_same_state(memory->state(), copy->state());
  EXPECT_TRUE(copy(query).equal(expected));
  const em::KeyValueMemoryState before = memory->state();
  copy->append(torch::randn({2, 3, 3}), torch::randn({2, 3, 2}));
  EXPECT_FALSE(copy->state().keys.equal(before.keys));
  expect_same_state(memory->state(), before);

  em::KeyValueMemory loaded(em::KeyValueMemoryOptions(5, 3, 2).beta(3.0).top_k(3));
  save_into(memory, loaded);
  expect_same_tensors(*memory, *loaded);
  expect_same_state(memory->state(), loaded->state());
  EXPECT_EQ(loaded->state().keys.sizes(), (std::vector<int64_t>{2, 5, 3}));
  EXPECT_TRUE(loaded(query).equal(expected));
  // A memory of other sizes refuses the loaded state by name.
  em::KeyValueMemory other(em::KeyValueMemoryOptions(4, 3, 2));
  save_into(memory, other);
  EXPECT_THROW(other(query), c10::Error);

  memory->to(torch::kFloat64);
  expect_moved_to(*memory, torch::kFloat64);
  const em::KeyValueMemoryState moved = memory->state();
  EXPECT_EQ(moved.keys.scalar_type(), torch::kFloat64);
  EXPECT_EQ(moved.values.scalar_type(), torch::kFloat64);
  EXPECT_EQ(moved.usage.scalar_type(), torch::kFloat64);
  EXPECT_EQ(moved.filled.scalar_type(), torch::kBool);
  EXPECT_EQ(moved.next_slot.scalar_type(), torch::kLong);
  EXPECT_TRUE(moved.filled.equal(before.filled));
  EXPECT_TRUE(moved.next_slot.equal(before.next_slot));
  EXPECT_TRUE(memory(query.to(torch::kFloat64)).allclose(expected.to(torch::kFloat64), 1e-5));
  // The ring buffer goes on where it was.
  const at::Tensor slot =
      memory->append(torch::randn({2, 3}, torch::kFloat64), torch::randn({2, 2}, torch::kFloat64));
  EXPECT_TRUE(slot.equal(before.next_slot));
  EXPECT_TRUE(memory->state().next_slot.equal((before.next_slot + 1) % 5));
  memory->to(torch::Device(torch::kCPU));
  EXPECT_EQ(memory->state().keys.device(), torch::Device(torch::kCPU));
  EXPECT_EQ(memory->state().keys.scalar_type(), torch::kFloat64);

  // With a fixed beta, log_beta is a buffer and travels the same way.
  em::KeyValueMemory fixed(em::KeyValueMemoryOptions(5, 3, 2).beta(2.0).learn_beta(false));
  EXPECT_TRUE(fixed->named_parameters().is_empty());
  EXPECT_NE(fixed->named_buffers().find("log_beta"), nullptr);
  em::KeyValueMemory fixed_copy = clone_of(fixed);
  EXPECT_TRUE(fixed_copy->beta().allclose(torch::tensor(2.0f)));
}

// A write after a read leaves the read's gradient as it was: the buffers follow the state
// without touching the tensors the read's graph saved.
TEST(MemoryModuleContract, KeyValueMemoryWritesAfterAReadKeepItsGradients) {
  auto gradients = [](bool write_after) {
    torch::manual_seed(44);
    em::KeyValueMemory memory(em::KeyValueMemoryOptions(4, 3, 2));
    memory->reset_state(2);
    const at::Tensor keys = torch::randn({2, 2, 3}).requires_grad_();
    const at::Tensor values = torch::randn({2, 2, 2}).requires_grad_();
    memory->append(keys, values);
    const at::Tensor q = torch::randn({2, 3}).requires_grad_();
    const at::Tensor out = memory->read(q);
    const at::Tensor more = torch::randn({2, 2, 3}), more_values = torch::randn({2, 2, 2});
    if (write_after) {
      memory->append(more, more_values);
      memory->erase_and_add(torch::randn({2, 3}), torch::rand({2, 2}), torch::randn({2, 2}));
    }
    out.pow(2).sum().backward();
    return std::vector<at::Tensor>{keys.grad(), values.grad(), q.grad()};
  };
  const auto plain = gradients(false), written = gradients(true);
  for (size_t i = 0; i < plain.size(); ++i) {
    ASSERT_TRUE(written[i].defined());
    EXPECT_TRUE(written[i].equal(plain[i])) << i;
  }
}

TEST(MemoryModuleContract, GatedWorkingMemory) {
  torch::manual_seed(45);
  em::GatedWorkingMemory memory(
      em::GatedWorkingMemoryOptions(3, 4).num_layers(2).peephole(true).dropout(0.0));
  const at::Tensor x = torch::randn({5, 2, 3});
  const auto [expected, expected_state] = memory(x);
  using Output = std::tuple<at::Tensor, em::GatedMemoryState>;

  torch::nn::AnyModule any(memory);
  const Output by_any = any.forward<Output>(x); // the state defaults to zeros
  EXPECT_TRUE(std::get<0>(by_any).equal(expected));
  const Output continued = memory(x, expected_state);
  const Output continued_any =
      any.forward<Output>(x, std::optional<em::GatedMemoryState>(expected_state));
  EXPECT_TRUE(std::get<0>(continued_any).equal(std::get<0>(continued)));
  EXPECT_TRUE(std::get<0>(std::get<1>(continued_any)).equal(std::get<0>(std::get<1>(continued))));

  em::GatedWorkingMemory copy = clone_of(memory);
  expect_same_tensors(*memory, *copy);
  expect_no_shared_storage(*memory, *copy);
  EXPECT_TRUE(std::get<0>(copy(x)).equal(expected));
  {
    at::NoGradGuard no_grad;
    copy->weight_ih(0).add_(1.0);
  }
  EXPECT_TRUE(std::get<0>(memory(x)).equal(expected));
  EXPECT_FALSE(std::get<0>(copy(x)).equal(expected));

  torch::manual_seed(46); // a fresh module with other weights
  em::GatedWorkingMemory loaded(
      em::GatedWorkingMemoryOptions(3, 4).num_layers(2).peephole(true).dropout(0.0));
  save_into(memory, loaded);
  expect_same_tensors(*memory, *loaded);
  EXPECT_TRUE(std::get<0>(loaded(x)).equal(expected));

  memory->to(torch::kFloat64);
  expect_moved_to(*memory, torch::kFloat64);
  const auto [doubled, doubled_state] = memory(x.to(torch::kFloat64));
  EXPECT_EQ(doubled.scalar_type(), torch::kFloat64);
  EXPECT_TRUE(doubled.allclose(expected.to(torch::kFloat64), 1e-5, 1e-6));
  EXPECT_EQ(std::get<1>(doubled_state).scalar_type(), torch::kFloat64);
  memory->to(torch::Device(torch::kCPU));
  EXPECT_EQ(memory->weight_hh(1).device(), torch::Device(torch::kCPU));
}

TEST(MemoryModuleContract, SlotWorkingMemory) {
  torch::manual_seed(47);
  em::SlotWorkingMemory memory(em::SlotWorkingMemoryOptions(3, 4, 5).write_gate_bias(-0.5));
  const at::Tensor x = torch::randn({6, 2, 3});
  const em::SlotMemoryOutput expected = memory(x);

  torch::nn::AnyModule any(memory);
  const auto by_any = any.forward<em::SlotMemoryOutput>(x);
  EXPECT_TRUE(by_any.output.equal(expected.output));
  EXPECT_TRUE(by_any.memory.equal(expected.memory));
  // The memory goes in and comes out, as a recurrent state.
  const em::SlotMemoryOutput continued = memory(x, expected.memory);
  const auto continued_any =
      any.forward<em::SlotMemoryOutput>(x, std::optional<at::Tensor>(expected.memory));
  EXPECT_TRUE(continued_any.memory.equal(continued.memory));
  EXPECT_FALSE(continued.memory.equal(expected.memory));

  em::SlotWorkingMemory copy = clone_of(memory);
  expect_same_tensors(*memory, *copy);
  expect_no_shared_storage(*memory, *copy);
  EXPECT_TRUE(copy(x).output.equal(expected.output));
  {
    at::NoGradGuard no_grad;
    copy->initial_memory.add_(1.0);
    copy->query->weight.add_(1.0);
  }
  EXPECT_TRUE(memory(x).output.equal(expected.output));
  EXPECT_FALSE(copy(x).output.equal(expected.output));

  torch::manual_seed(48);
  em::SlotWorkingMemory loaded(em::SlotWorkingMemoryOptions(3, 4, 5));
  save_into(memory, loaded);
  expect_same_tensors(*memory, *loaded);
  EXPECT_TRUE(loaded(x).output.equal(expected.output));

  memory->to(torch::kFloat64);
  expect_moved_to(*memory, torch::kFloat64);
  const em::SlotMemoryOutput doubled = memory(x.to(torch::kFloat64));
  EXPECT_EQ(doubled.memory.scalar_type(), torch::kFloat64);
  EXPECT_TRUE(doubled.output.allclose(expected.output.to(torch::kFloat64), 1e-5, 1e-6));
  memory->to(torch::Device(torch::kCPU));
  EXPECT_EQ(memory->initial_memory.device(), torch::Device(torch::kCPU));
}

TEST(MemoryModuleContract, AssociativeRecallModel) {
  torch::manual_seed(49);
  models::AssociativeRecallModel model(models::AssociativeRecallModelOptions(8, 4, 6));
  const tasks::AssociativeRecallBatch episode = tasks::associative_recall(3, 4, 8);
  const at::Tensor expected = model(episode);

  torch::nn::AnyModule any(model);
  EXPECT_TRUE(any.forward(episode).equal(expected));

  models::AssociativeRecallModel copy = clone_of(model);
  expect_same_tensors(*model, *copy);
  expect_no_shared_storage(*model, *copy);
  EXPECT_TRUE(copy(episode).equal(expected));
  {
    at::NoGradGuard no_grad;
    copy->decoder->bias.add_(1.0);
  }
  EXPECT_TRUE(model(episode).equal(expected));
  EXPECT_FALSE(copy(episode).equal(expected));

  torch::manual_seed(50);
  models::AssociativeRecallModel loaded(models::AssociativeRecallModelOptions(8, 4, 6));
  save_into(model, loaded);
  expect_same_tensors(*model, *loaded);
  EXPECT_TRUE(loaded(episode).equal(expected));

  model->to(torch::kFloat64);
  expect_moved_to(*model, torch::kFloat64);
  const at::Tensor doubled = model(episode);
  EXPECT_EQ(doubled.scalar_type(), torch::kFloat64);
  EXPECT_EQ(model->memory->state().values.scalar_type(), torch::kFloat64);
  EXPECT_TRUE(doubled.allclose(expected.to(torch::kFloat64), 1e-5, 1e-6));
  model->to(torch::Device(torch::kCPU));
  EXPECT_EQ(model->key_encoder->weight.device(), torch::Device(torch::kCPU));
}

TEST(MemoryModuleContract, EveryModulePrintsItsOptions) {
  auto printed = [](const torch::nn::Module& m) {
    std::ostringstream out;
    m.pretty_print(out);
    return out.str();
  };
  EXPECT_NE(printed(*em::ClassicalHopfield(8)).find("ClassicalHopfield(size=8"), std::string::npos);
  EXPECT_NE(printed(*em::HopfieldRetrieval(8)).find("HopfieldRetrieval(pattern_size=8"),
            std::string::npos);
  EXPECT_NE(printed(*em::KeyValueMemory(4, 3, 2)).find("KeyValueMemory(capacity=4"),
            std::string::npos);
  EXPECT_NE(printed(*em::GatedWorkingMemory(3, 4)).find("GatedWorkingMemory(input_size=3"),
            std::string::npos);
  EXPECT_NE(printed(*em::SlotWorkingMemory(3, 4, 5)).find("SlotWorkingMemory(input_size=3"),
            std::string::npos);
  EXPECT_NE(printed(*models::AssociativeRecallModel(models::AssociativeRecallModelOptions(8, 4, 6)))
                .find("AssociativeRecallModel(symbols=8"),
            std::string::npos);
}

// The `Example:` blocks of the headers, as written there.
TEST(MemoryModuleContract, HeaderExamplesRun) {
  using namespace engram::layers::memory;
  torch::manual_seed(51);
  {
    ClassicalHopfield hopfield(ClassicalHopfieldOptions(/*size=*/64).max_sweeps(20));
    const at::Tensor patterns = torch::randint(0, 2, {4, 64}).mul(2).sub(1);
    hopfield->store(patterns);
    at::Tensor recalled = hopfield(patterns); // [4, 64] of +-1: stored patterns are fixed points
    EXPECT_TRUE(recalled.equal(patterns));
  }
  {
    HopfieldRetrieval hopfield(HopfieldRetrievalOptions(/*pattern_size=*/16).beta(8.0));
    hopfield->store(torch::randn({10, 16}));
    at::Tensor retrieved = hopfield(torch::randn({3, 16})); // [3, 16]
    EXPECT_EQ(retrieved.sizes(), (std::vector<int64_t>{3, 16}));
  }
  {
    KeyValueMemory memory(KeyValueMemoryOptions(/*capacity=*/8, /*key_size=*/4,
                                                /*value_size=*/3)
                              .beta(5.0));
    memory->reset_state(/*batch=*/2);
    memory->append(torch::randn({2, 8, 4}), torch::randn({2, 8, 3}));
    at::Tensor read = memory(torch::randn({2, 4})); // [2, 3]
    EXPECT_EQ(read.sizes(), (std::vector<int64_t>{2, 3}));
  }
  {
    GatedWorkingMemory memory(GatedWorkingMemoryOptions(/*input_size=*/8, /*hidden_size=*/16)
                                  .num_layers(2)
                                  .peephole(true));
    auto [output, state] = memory(torch::randn({5, 3, 8}));           // output [5, 3, 16]
    auto [next, next_state] = memory(torch::randn({5, 3, 8}), state); // continues the episode
    EXPECT_EQ(output.sizes(), (std::vector<int64_t>{5, 3, 16}));
    EXPECT_EQ(std::get<1>(next_state).sizes(), (std::vector<int64_t>{2, 3, 16}));
  }
  {
    SlotWorkingMemory memory(SlotWorkingMemoryOptions(/*input_size=*/6, /*slots=*/4,
                                                      /*slot_size=*/8)
                                 .write_gate_bias(-1.0));
    SlotMemoryOutput first = memory(torch::randn({5, 2, 6}));              // output [5, 2, 8]
    SlotMemoryOutput next = memory(torch::randn({5, 2, 6}), first.memory); // continues
    EXPECT_EQ(first.output.sizes(), (std::vector<int64_t>{5, 2, 8}));
    EXPECT_EQ(next.memory.sizes(), (std::vector<int64_t>{2, 4, 8}));
  }
  {
    using namespace engram::models;
    AssociativeRecallModel model(AssociativeRecallModelOptions(/*symbols=*/32, /*pairs=*/20,
                                                               /*width=*/32));
    const tasks::AssociativeRecallBatch episode = tasks::associative_recall(16, 20, 32);
    at::Tensor loss = at::cross_entropy_loss(model(episode), episode.answer);
    EXPECT_TRUE(std::isfinite(loss.item<double>()));
  }
}

} // namespace
