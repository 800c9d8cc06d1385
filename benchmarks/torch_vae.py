"""The book's VAE in PyTorch, for the benchmarks only: the same layers, loss and optimizer
as npvae's, in PyTorch's fastest CPU form (channels_last, float32, a thread per core)."""
import os

import torch
from torch import nn


class TorchVAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
            # padding=1 pads all four sides, where TensorFlow's 'same' pads only the
            # bottom and right here: windows one pixel apart, the same work, and no
            # extra padding copy for PyTorch.
            nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
            nn.Flatten(), nn.Linear(64 * 14 * 14, 32), nn.ReLU())
        self.z_mean, self.z_log_var = nn.Linear(32, 2), nn.Linear(32, 2)
        self.decoder_dense = nn.Sequential(nn.Linear(2, 64 * 14 * 14), nn.ReLU())
        self.decoder_conv = nn.Sequential(
            nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.Conv2d(32, 1, 3, padding=1))

    def forward(self, x):
        """The batch's mean negative ELBO, in nats per image, as npvae's default loss."""
        h = self.encoder(x)
        mean, log_var = self.z_mean(h), self.z_log_var(h)
        z = mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)
        h = self.decoder_dense(z).view(-1, 64, 14, 14).contiguous(
            memory_format=torch.channels_last)
        logits = self.decoder_conv(h)
        reconstruction = nn.functional.binary_cross_entropy_with_logits(
            logits, x, reduction="sum") / len(x)
        kl = 0.5 * torch.sum(log_var.exp() + mean**2 - 1 - log_var) / len(x)
        return reconstruction + kl


def torch_training_step(seed=0):
    """``step(x)``: one RMSprop step of the book's VAE on ``x``, (N, 28, 28, 1) float32
    numpy images, which it views as channels_last NCHW without copying."""
    torch.manual_seed(seed)
    torch.set_num_threads(os.cpu_count())
    model = TorchVAE().to(memory_format=torch.channels_last)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)

    def step(x):
        x = torch.from_numpy(x).permute(0, 3, 1, 2)   # NHWC memory is channels_last NCHW
        optimizer.zero_grad(set_to_none=True)
        model(x).backward()
        optimizer.step()

    return step
