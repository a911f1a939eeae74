#pragma once
// Checks of LibTorch's module contract shared by the layer tests: clone() is a deep copy,
// torch::save / torch::load round-trip every parameter and buffer, and to() moves them all.
#include <gtest/gtest.h>
#include <torch/nn/module.h>
#include <torch/serialize.h>
#include <torch/types.h>

#include <memory>
#include <sstream>
#include <string>

namespace engram::testing {

// Every parameter and buffer of `a` equals the one of the same name in `b`.
inline void expect_same_state(const torch::nn::Module& a, const torch::nn::Module& b,
                              const std::string& what) {
  const auto pa = a.named_parameters(), pb = b.named_parameters();
  ASSERT_EQ(pa.size(), pb.size()) << what;
  for (const auto& p : pa) {
    ASSERT_TRUE(pb.contains(p.key())) << what << ": " << p.key();
    EXPECT_TRUE(torch::equal(p.value(), pb[p.key()])) << what << ": " << p.key();
  }
  const auto ba = a.named_buffers(), bb = b.named_buffers();
  ASSERT_EQ(ba.size(), bb.size()) << what;
  for (const auto& t : ba) {
    ASSERT_TRUE(bb.contains(t.key())) << what << ": " << t.key();
    EXPECT_TRUE(torch::equal(t.value(), bb[t.key()])) << what << ": " << t.key();
  }
}

// clone() copies every parameter and buffer into new storage.
template <typename Holder>
Holder expect_deep_clone(const Holder& original, const std::string& what) {
  using Impl = typename Holder::Impl;
  auto copy = std::dynamic_pointer_cast<Impl>(original->clone());
  EXPECT_NE(copy, nullptr) << what;
  expect_same_state(*original, *copy, what + " clone");
  for (const auto& p : copy->named_parameters()) {
    EXPECT_NE(p.value().data_ptr(), original->named_parameters()[p.key()].data_ptr())
        << what << ": clone shares " << p.key();
  }
  for (const auto& p : copy->named_buffers()) {
    EXPECT_NE(p.value().data_ptr(), original->named_buffers()[p.key()].data_ptr())
        << what << ": clone shares " << p.key();
  }
  return Holder(copy);
}

// torch::save into a stream, torch::load into `fresh` (built with other random weights): every
// parameter and buffer arrives.
template <typename Holder>
void expect_save_load(const Holder& original, Holder& fresh, const std::string& what) {
  std::stringstream stream;
  torch::save(original, stream);
  torch::load(fresh, stream);
  expect_same_state(*original, *fresh, what + " save/load");
}

// to(dtype) converts every floating parameter and buffer.
inline void expect_moved_to(const torch::nn::Module& m, torch::Dtype dtype,
                            const std::string& what) {
  for (const auto& p : m.named_parameters()) {
    EXPECT_EQ(p.value().scalar_type(), dtype) << what << ": " << p.key();
  }
  for (const auto& b : m.named_buffers()) {
    if (b.value().is_floating_point()) {
      EXPECT_EQ(b.value().scalar_type(), dtype) << what << ": " << b.key();
    }
  }
}

} // namespace engram::testing
