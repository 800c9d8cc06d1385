"""``python -m npvae.models.trained CHECKPOINT OUT``: a weights-only float32 copy to ship."""
import sys

from npvae.models.trained import export

if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m npvae.models.trained CHECKPOINT.npz OUT.npz")
    print(f"wrote {export(sys.argv[1], sys.argv[2])}")
