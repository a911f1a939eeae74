#pragma once
// EXPECT_ERROR_MENTIONS(statement, text): the statement throws c10::Error whose message contains
// `text` (the argument or option it names).
#include <c10/util/Exception.h>
#include <gtest/gtest.h>

#include <string>

#define EXPECT_ERROR_MENTIONS(statement, text)                                                     \
  do {                                                                                             \
    bool thrown_ = false;                                                                          \
    try {                                                                                          \
      statement;                                                                                   \
    } catch (const c10::Error& e_) {                                                               \
      thrown_ = true;                                                                              \
      EXPECT_NE(std::string(e_.what()).find(text), std::string::npos)                              \
          << "message does not mention '" << (text) << "':\n"                                      \
          << e_.what();                                                                            \
    }                                                                                              \
    EXPECT_TRUE(thrown_) << #statement " did not throw";                                           \
  } while (false)
