"""What a label must be, for the conditional model that reads it and the pictures it
colours: a whole number from 0, one per image, below the number of classes if known."""
import numpy as np


def check_labels(labels, n, classes=None):
    """``labels`` as an int64 array (n,) of whole numbers in 0..classes-1 (any from 0 up
    for ``classes`` None); a one-line ``ValueError`` saying what was wrong otherwise."""
    array = np.asarray(labels)
    if array.shape != (n,):
        raise ValueError(f"the labels must have shape ({n},), one per image; got shape "
                         f"{array.shape}")
    if array.size and (array.dtype.kind not in "iu" or array.min() < 0
                       or (classes is not None and array.max() >= classes)):
        allowed = f"in 0..{classes - 1}" if classes is not None else "from 0 up"
        raise ValueError(f"the labels must be whole numbers {allowed}; got "
                         f"{array.dtype.name} values from {array.min()} to {array.max()}")
    return array.astype(np.int64)
