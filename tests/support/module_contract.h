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

// Same names, shapes, dtypes and values of every parameter and buffer of `a` and `b`.
inline void expect_same_tensors(const torch::nn::Module& a, const torch::nn::Module& b,
                                const std::string& what = "") {
  for (const bool buffers : {false, true}) {
    const auto ta = buffers ? a.named_buffers() : a.named_parameters();
    const auto tb = buffers ? b.named_buffers() : b.named_parameters();
    ASSERT_EQ(ta.size(), tb.size()) << what;
    for (const auto& item : ta) {
      const at::Tensor* other = tb.find(item.key());
      ASSERT_NE(other, nullptr) << what << ": " << item.key();
      EXPECT_EQ(item.value().scalar_type(), other->scalar_type()) << what << ": " << item.key();
      EXPECT_TRUE(item.value().equal(*other)) << what << ": " << item.key();
    }
  }
}

// No parameter or buffer of `b` shares memory with the one of the same name in `a`.
inline void expect_no_shared_storage(const torch::nn::Module& a, const torch::nn::Module& b,
                                     const std::string& what = "") {
  for (const bool buffers : {false, true}) {
    const auto ta = buffers ? a.named_buffers() : a.named_parameters();
    const auto tb = buffers ? b.named_buffers() : b.named_parameters();
    for (const auto& item : ta) {
      if (item.value().numel() > 0) {
        EXPECT_FALSE(item.value().is_alias_of(tb[item.key()])) << what << ": " << item.key();
      }
    }
  }
}

// module->clone(), as the module's own holder type.
template <typename Holder>
Holder clone_of(const Holder& module) {
  auto copy = std::dynamic_pointer_cast<typename Holder::ContainedType>(module->clone());
  EXPECT_NE(copy, nullptr);
  return Holder(copy);
}

// torch::save `from` into a stream, then torch::load it into `to`.
template <typename Holder>
void save_into(const Holder& from, Holder& to) {
  std::stringstream stream;
  torch::save(from, stream);
  torch::load(to, stream);
}

// clone() copies every parameter and buffer into new storage; returns the copy.
template <typename Holder>
Holder expect_deep_clone(const Holder& original, const std::string& what) {
  Holder copy = clone_of(original);
  expect_same_tensors(*original, *copy, what + " clone");
  expect_no_shared_storage(*original, *copy, what + " clone");
  return copy;
}

// torch::save, then torch::load into `fresh` (built with other random weights): every parameter
// and buffer arrives.
template <typename Holder>
void expect_save_load(const Holder& original, Holder& fresh, const std::string& what) {
  save_into(original, fresh);
  expect_same_tensors(*original, *fresh, what + " save/load");
}

// Every parameter has `dtype` and every parameter and buffer lives on `device`. Floating buffers
// have `dtype` too (LibTorch's to(dtype) also converts integer and bool buffers; the layers read
// those back as the types they need).
inline void expect_moved_to(const torch::nn::Module& m, torch::Dtype dtype,
                            const std::string& what = "",
                            torch::Device device = torch::Device(torch::kCPU)) {
  for (const auto& p : m.named_parameters()) {
    EXPECT_EQ(p.value().scalar_type(), dtype) << what << ": " << p.key();
    EXPECT_EQ(p.value().device(), device) << what << ": " << p.key();
  }
  for (const auto& b : m.named_buffers()) {
    if (b.value().is_floating_point()) {
      EXPECT_EQ(b.value().scalar_type(), dtype) << what << ": " << b.key();
    }
    EXPECT_EQ(b.value().device(), device) << what << ": " << b.key();
  }
}

} // namespace engram::testing
