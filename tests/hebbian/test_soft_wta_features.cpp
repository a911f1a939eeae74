// Placeholder replaced once the Fashion-MNIST settings are chosen.
#include <gtest/gtest.h>
