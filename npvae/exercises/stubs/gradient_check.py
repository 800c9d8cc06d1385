"""Exercise gradient_check: check a gradient by central differences (guide, chapter 6).

For a scalar function f and a small step h, each partial derivative is estimated by

    df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h)

whose error is O(h^2), against O(h) for the one-sided (f(x + h e_i) - f(x)) / h.

numerical_gradient perturbs x IN PLACE, one entry at a time, calls f() (which takes no
arguments and reads x), and puts the entry back exactly as it was. It returns an array
shaped like x.

relative_error compares a hand-written gradient with the estimate, relative to the
gradient's scale, not entry by entry (an entry that is exactly 0, behind a dead ReLU,
would turn a 1e-12 difference into a huge relative one):

    max |analytic - numeric|  /  max(max |analytic|, max |numeric|)     (0 if both are 0)

A gradient passes when the relative error is at most 1e-6 (in float64).

Check it:  npvae exercise check gradient_check
A hint:    npvae exercise hint gradient_check
"""
import numpy as np


def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of the scalar f() with respect to the array x."""
    raise NotImplementedError("for each entry of x: f at x + h and at x - h, restore the "
                              "entry, and store the central difference")


def relative_error(analytic, numeric):
    """The largest difference, relative to the largest entry of either: a float."""
    raise NotImplementedError("the largest |analytic - numeric| over the largest |entry|")
