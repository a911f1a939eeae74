#pragma once
// Pre-trained weights for a network's body, e.g. convolutional layers trained on CIFAR-10 and then
// frozen for Split CIFAR-100 (van de Ven et al. 2022). The file is a checkpoint that `engram run`
// wrote (its "model") or a torch::save of a Network. Every parameter and buffer of the body whose
// name (layer index and type, e.g. "layer0_conv2d.conv.weight") is in the file is copied; the head
// is not (it has the new stream's outputs). A tensor of the same name but another shape, or a file
// that matches no tensor of the body, is an error naming the file.

#include <engram/models/network.h>

#include <string>

namespace engram::models {

// Returns the number of tensors copied (>= 1).
int64_t load_pretrained_body(NetworkImpl& network, const std::string& path);

} // namespace engram::models
