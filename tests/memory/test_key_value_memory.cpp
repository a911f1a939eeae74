#include <engram/layers/memory/key_value_memory.h>
#include <engram/models/associative_recall_model.h>
#include <engram/tasks/memory_tasks.h>
#include <gtest/gtest.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>
#include <torch/serialize.h>

#include <iostream>
#include <sstream>
#include <support/error_message.h>

namespace em = engram::layers::memory;
namespace tasks = engram::tasks;
namespace models = engram::models;

namespace {

using engram::testing::error_of;

TEST(KeyValueMemory, RingBufferAppendOverwritesTheOldestSlot) {
  em::KeyValueMemory memory(em::KeyValueMemoryOptions(3, 2, 1).beta(50.0));
  memory->reset_state(1);
  const at::Tensor keys = torch::tensor({{1.f, 0.f}, {0.f, 1.f}, {-1.f, 0.f}, {0.f, -1.f}});
  for (int64_t i = 0; i < 4; ++i) {
    const at::Tensor slot = memory->append(keys[i].unsqueeze(0), torch::full({1, 1}, float(i)));
    EXPECT_EQ(slot.item<int64_t>(), i % 3);
  }
  // Item 0 was overwritten by item 3; the others are recalled by their keys.
  EXPECT_NEAR(memory->read(keys[1].unsqueeze(0)).item<float>(), 1.f, 1e-6);
  EXPECT_NEAR(memory->read(keys[2].unsqueeze(0)).item<float>(), 2.f, 1e-6);
  EXPECT_NEAR(memory->read(keys[3].unsqueeze(0)).item<float>(), 3.f, 1e-6);
  EXPECT_EQ(memory->state().next_slot.item<int64_t>(), 1);
}

TEST(KeyValueMemory, AddressingIsSoftmaxOfBetaTimesSimilarityOverFilledSlots) {
  torch::manual_seed(1);
  for (const auto addressing : {em::MemoryAddressing::kDot, em::MemoryAddressing::kCosine}) {
    em::KeyValueMemory memory(em::KeyValueMemoryOptions(6, 4, 3).beta(2.5).addressing(addressing));
    memory->reset_state(2);
    const at::Tensor keys = torch::randn({2, 4, 4}), values = torch::randn({2, 4, 3});
    memory->append(keys, values);
    const at::Tensor q = torch::randn({2, 4});
    at::Tensor sim = at::bmm(keys, q.unsqueeze(2)).squeeze(2);
    if (addressing == em::MemoryAddressing::kCosine) {
      sim = sim / (keys.norm(2, {-1}) * q.norm(2, {-1}, true));
    }
    const at::Tensor expected = at::softmax(2.5 * sim, -1);
    const at::Tensor w = memory->address(q);
    EXPECT_TRUE(w.narrow(1, 0, 4).allclose(expected, 1e-5, 1e-6));
    EXPECT_EQ(w.narrow(1, 4, 2).abs().max().item<float>(), 0.f); // empty slots are not read
    EXPECT_TRUE(
        memory->read(q).allclose(at::bmm(expected.unsqueeze(1), values).squeeze(1), 1e-5, 1e-6));
  }
}

TEST(KeyValueMemory, EmptyMemoryReadsZeroWithFiniteGradients) {
  em::KeyValueMemory memory(em::KeyValueMemoryOptions(4, 3, 2));
  memory->reset_state(2);
  const at::Tensor q = torch::randn({2, 3}).requires_grad_();
  const at::Tensor r = memory->read(q);
  EXPECT_EQ(r.abs().max().item<float>(), 0.f);
  r.sum().backward();
  EXPECT_TRUE(q.grad().isfinite().all().item<bool>());
}

TEST(KeyValueMemory, TopKReadsOnlyTheKMostSimilarSlots) {
  torch::manual_seed(2);
  em::KeyValueMemory memory(em::KeyValueMemoryOptions(8, 5, 2).top_k(3));
  memory->reset_state(4);
  memory->append(torch::randn({4, 8, 5}), torch::randn({4, 8, 2}));
  const at::Tensor q = torch::randn({4, 5});
  const at::Tensor w = memory->address(q);
  EXPECT_TRUE(w.gt(0).sum(-1).eq(3).all().item<bool>());
  EXPECT_TRUE(w.sum(-1).allclose(torch::ones({4})));
  // The chosen slots are the three of highest similarity.
  em::KeyValueMemory full(em::KeyValueMemoryOptions(8, 5, 2));
  full->set_state(memory->state());
  const at::Tensor top = std::get<1>(full->address(q).topk(3, -1));
  EXPECT_TRUE(w.gather(1, top).gt(0).all().item<bool>());
}

TEST(KeyValueMemory, LeastUsedReplacementFillsEmptySlotsThenEvictsTheLeastRead) {
  em::KeyValueMemory memory(em::KeyValueMemoryOptions(3, 2, 1).beta(50.0).usage_decay(0.9));
  memory->reset_state(1);
  const at::Tensor keys = torch::tensor({{1.f, 0.f}, {0.f, 1.f}, {-1.f, 0.f}, {0.f, -1.f}});
  for (int64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(memory->replace_least_used(keys[i].unsqueeze(0), torch::full({1, 1}, float(i)))
                  .item<int64_t>(),
              i);
  }
  // Reads refresh slots 0 and 2; slot 1 decays and is the one replaced.
  memory->read(keys[0].unsqueeze(0));
  memory->read(keys[2].unsqueeze(0));
  const at::Tensor usage = memory->state().usage[0];
  EXPECT_LT(usage[1].item<float>(), usage[0].item<float>());
  EXPECT_LT(usage[1].item<float>(), usage[2].item<float>());
  EXPECT_EQ(
      memory->replace_least_used(keys[3].unsqueeze(0), torch::full({1, 1}, 3.f)).item<int64_t>(),
      1);
  EXPECT_NEAR(memory->read(keys[3].unsqueeze(0)).item<float>(), 3.f, 1e-5);
  EXPECT_NEAR(memory->read(keys[0].unsqueeze(0)).item<float>(), 0.f, 1e-5);
}

TEST(KeyValueMemory, UsageDecaysGeometrically) {
  em::KeyValueMemory memory(em::KeyValueMemoryOptions(2, 1, 1).usage_decay(0.5).beta(30.0));
  memory->reset_state(1);
  memory->append(torch::ones({1, 1}), torch::ones({1, 1}));  // usage 1 at slot 0
  memory->append(-torch::ones({1, 1}), torch::ones({1, 1})); // slot 0 decays to 0.5
  memory->read(-torch::ones({1, 1})); // reads slot 1 almost surely; slot 0 decays to 0.25
  EXPECT_NEAR(memory->state().usage[0][0].item<float>(), 0.25f, 1e-6);
  EXPECT_NEAR(memory->state().usage[0][1].item<float>(), 1.5f, 1e-6);
}

TEST(KeyValueMemory, GatedEraseAndAddFollowsTheDncWrite) {
  torch::manual_seed(3);
  em::KeyValueMemory memory(em::KeyValueMemoryOptions(4, 3, 2).beta(3.0));
  memory->reset_state(2);
  memory->append(torch::randn({2, 4, 3}), torch::randn({2, 4, 2}));
  const auto before = memory->state();
  const at::Tensor key = torch::randn({2, 3}), erase = torch::rand({2, 2}),
                   add = torch::randn({2, 2});
  // A closed gate leaves the memory as it was.
  memory->erase_and_add(key, erase, add, torch::zeros({2}));
  EXPECT_TRUE(memory->state().values.allclose(before.values));
  const at::Tensor gate = torch::tensor({1.f, 0.5f});
  const at::Tensor w = memory->erase_and_add(key, erase, add, gate);
  const at::Tensor w_expected =
      at::softmax(3.0 * at::cosine_similarity(before.keys, key.unsqueeze(1), 2), -1) *
      gate.unsqueeze(1);
  EXPECT_TRUE(w.allclose(w_expected, 1e-5, 1e-6));
  const at::Tensor expected =
      before.values * (1 - w.unsqueeze(2) * erase.unsqueeze(1)) + w.unsqueeze(2) * add.unsqueeze(1);
  EXPECT_TRUE(memory->state().values.allclose(expected, 1e-5, 1e-6));
}

TEST(KeyValueMemory, MultiHopReadsAddEachHopsOutputToTheQuery) {
  torch::manual_seed(4);
  em::KeyValueMemory memory(
      em::KeyValueMemoryOptions(5, 4, 4).addressing(em::MemoryAddressing::kDot));
  memory->reset_state(3);
  memory->append(torch::randn({3, 5, 4}), torch::randn({3, 5, 4}));
  const at::Tensor q = torch::randn({3, 4});
  em::KeyValueMemory copy(
      em::KeyValueMemoryOptions(5, 4, 4).addressing(em::MemoryAddressing::kDot));
  copy->set_state(memory->state());
  at::Tensor u = q;
  for (int hop = 0; hop < 3; ++hop)
    u = u + copy->read(u);
  EXPECT_TRUE(memory->read_multi_hop(q, 3).allclose(u, 1e-5, 1e-6));
  em::KeyValueMemory mismatched(em::KeyValueMemoryOptions(5, 4, 3));
  mismatched->reset_state(3);
  EXPECT_NE(error_of([&] { mismatched->read_multi_hop(q, 2); }).find("key_size == value_size"),
            std::string::npos);
}

TEST(KeyValueMemory, GradientsReachBetaKeysAndValues) {
  torch::manual_seed(5);
  em::KeyValueMemory memory(em::KeyValueMemoryOptions(6, 4, 3));
  memory->reset_state(2);
  const at::Tensor keys = torch::randn({2, 6, 4}).requires_grad_();
  const at::Tensor values = torch::randn({2, 6, 3}).requires_grad_();
  const at::Tensor q = torch::randn({2, 4}).requires_grad_();
  memory->append(keys, values);
  memory->read(q).pow(2).sum().backward();
  for (const at::Tensor& t : {keys, values, q}) {
    ASSERT_TRUE(t.grad().defined());
    EXPECT_GT(t.grad().abs().sum().item<float>(), 0.f);
  }
  EXPECT_GT(memory->named_parameters()["log_beta"].grad().abs().item<float>(), 0.f);
}

TEST(KeyValueMemory, RejectsBadInputWithNamedErrors) {
  EXPECT_NE(error_of([] {
              em::KeyValueMemory(em::KeyValueMemoryOptions(0, 4, 4));
            }).find("argument 'capacity' expected > 0, got 0"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              em::KeyValueMemory(em::KeyValueMemoryOptions(4, 4, 4).beta(0.0));
            }).find("argument 'beta'"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              em::KeyValueMemory(em::KeyValueMemoryOptions(4, 4, 4).beta(-1.0));
            }).find("argument 'beta'"),
            std::string::npos);
  em::KeyValueMemory memory(em::KeyValueMemoryOptions(4, 3, 2));
  EXPECT_NE(error_of([&] {
              memory->read(torch::randn({2, 3}));
            }).find("reset_state(batch)"),
            std::string::npos);
  memory->reset_state(2);
  EXPECT_NE(error_of([&] {
              memory->append(torch::randn({2, 5}), torch::randn({2, 2}));
            }).find("argument 'keys' expected key size 3, got 5"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              memory->append(torch::randn({2, 3}), torch::randn({2, 4}));
            }).find("argument 'values' expected value size 2, got 4"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              memory->append(torch::randn({2, 3, 3}), torch::randn({2, 2, 2}));
            }).find("same batch and item count"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              memory->append(torch::randn({3, 3}), torch::randn({3, 2}));
            }).find("expected batch size 2"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              memory->read(torch::randn({5, 3}));
            }).find("expected batch size 2"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              memory->append(torch::randn({2, 5, 3}), torch::randn({2, 5, 2}));
            }).find("at most capacity"),
            std::string::npos);
}

TEST(KeyValueMemory, StateIsSavedLoadedAndConverted) {
  torch::manual_seed(6);
  em::KeyValueMemory a(em::KeyValueMemoryOptions(5, 3, 2).beta(4.0));
  a->reset_state(2);
  a->append(torch::randn({2, 3, 3}), torch::randn({2, 3, 2}));
  std::stringstream stream;
  torch::save(a, stream);
  em::KeyValueMemory b(em::KeyValueMemoryOptions(5, 3, 2));
  torch::load(b, stream);
  const at::Tensor q = torch::randn({2, 3});
  EXPECT_TRUE(b->beta().allclose(torch::tensor(4.0f)));
  EXPECT_TRUE(b->state().next_slot.equal(a->state().next_slot));
  EXPECT_TRUE(a->read(q).equal(b->read(q)));
  b->to(torch::kFloat64);
  EXPECT_EQ(b->state().values.scalar_type(), torch::kFloat64);
  EXPECT_EQ(b->state().filled.scalar_type(), torch::kBool);
  EXPECT_TRUE(b->read(q.to(torch::kFloat64)).allclose(a->read(q).to(torch::kFloat64), 1e-5));
  std::ostringstream printed;
  printed << *a;
  EXPECT_NE(printed.str().find("KeyValueMemory(capacity=5"), std::string::npos);
}

// Associative recall: 20 (key, value) symbol pairs are written, then one key is queried and its
// value must be named. The encoders, decoder and sharpness are learned end to end through reads.
TEST(KeyValueMemoryTask, AssociativeRecallAmongTwentyPairsExceeds95Percent) {
  torch::manual_seed(7);
  const int64_t symbols = 32, pairs = 20, batch = 32;
  models::AssociativeRecallModel model(models::AssociativeRecallModelOptions(symbols, pairs, 32));
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
  for (int step = 0; step < 120; ++step) {
    const auto episode = tasks::associative_recall(batch, pairs, symbols);
    const at::Tensor loss = at::cross_entropy_loss(model(episode), episode.answer);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
  }
  at::NoGradGuard no_grad;
  const auto episode = tasks::associative_recall(1000, pairs, symbols);
  const double accuracy =
      model(episode).argmax(-1).eq(episode.answer).to(torch::kFloat).mean().item<double>();
  EXPECT_GT(accuracy, 0.95);
  std::cout << "associative recall accuracy " << accuracy << ", beta "
            << model->memory->beta().item<double>() << "\n";
}

} // namespace
