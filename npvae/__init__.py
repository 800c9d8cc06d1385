"""npvae: a convolutional variational autoencoder written from scratch in NumPy."""
