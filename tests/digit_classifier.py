"""A digit classifier that is not part of any model under test: the judge of what a
conditional VAE generates.

A one-hidden-layer network, ``softmax(relu(x W1 + b1) W2 + b2)``, trained by mini-batch
gradient descent with momentum on MNIST training images, seeded. About 95% of MNIST's
test digits come out right; ``python tests/digit_classifier.py`` prints its accuracy.
"""
import numpy as np

from npvae.datasets import load_mnist


def train_classifier(x, y, seed=0, hidden=128, epochs=3, batch_size=64, lr=0.05,
                     momentum=0.9):
    """Train on images x (N, 28, 28, 1) in [0, 1] and labels y (N,); return
    ``predict(images) -> labels``."""
    rng = np.random.default_rng(seed)
    x = x.reshape(len(x), -1).astype(np.float32)
    d = x.shape[1]
    params = {"W1": rng.normal(0, np.sqrt(2 / d), (d, hidden)).astype(np.float32),
              "b1": np.zeros(hidden, np.float32),
              "W2": rng.normal(0, np.sqrt(1 / hidden), (hidden, 10)).astype(np.float32),
              "b2": np.zeros(10, np.float32)}
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            grads = _gradients(params, x[batch], y[batch])
            for k in params:
                velocity[k] = momentum * velocity[k] - lr * grads[k]
                params[k] += velocity[k]

    def predict(images):
        h = np.maximum(images.reshape(len(images), -1).astype(np.float32) @ params["W1"]
                       + params["b1"], 0)
        return np.argmax(h @ params["W2"] + params["b2"], axis=1)

    return predict


def _gradients(params, x, y):
    """Gradients of the mean cross-entropy of one batch."""
    h = np.maximum(x @ params["W1"] + params["b1"], 0)            # (B, hidden)
    logits = h @ params["W2"] + params["b2"]                      # (B, 10)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dlogits = p
    dlogits[np.arange(len(y)), y] -= 1
    dlogits /= len(y)
    dh = (dlogits @ params["W2"].T) * (h > 0)
    return {"W1": x.T @ dh, "b1": dh.sum(axis=0), "W2": h.T @ dlogits,
            "b2": dlogits.sum(axis=0)}


def mnist_classifier(n_train=15000, seed=0):
    """The classifier trained on the first ``n_train`` MNIST training digits."""
    (x, y), _ = load_mnist(dtype=np.float32)
    return train_classifier(x[:n_train], y[:n_train].astype(np.int64), seed=seed)


if __name__ == "__main__":
    predict = mnist_classifier()
    _, (x_test, y_test) = load_mnist(dtype=np.float32)
    print(f"test accuracy: {np.mean(predict(x_test) == y_test):.4f}")
