"""The bias gradient ``db = sum of dy over every pixel``, as a matrix-vector product.

The textbook writes ``dy.reshape(-1, O).sum(axis=0)``. On the tall, narrow arrays of a
convolution (N*H*W rows, O columns) numpy's sum walks the rows one at a time; the same
sum as ``1^T @ rows`` goes to BLAS, which reads the array in one blocked pass.
"""
import numpy as np


def column_sums(rows):
    """Sum a tall (M, K) array over its rows, as ``1^T @ rows``: (K,)."""
    return np.ones(len(rows), dtype=rows.dtype) @ rows
