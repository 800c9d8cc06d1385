"""练习 gradient_check：用中心差分做梯度检验（指南第 6 章）。

对一个标量函数 f 和一个小步长 h，每个偏导数都这样估计：

    df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h)

它的误差是 O(h^2)，而单侧差分 (f(x + h e_i) - f(x)) / h 的误差是 O(h)。

numerical_gradient「原地」扰动 x，一次只动一个元素，然后调用 f()（它不带参数，直接读 x），
再把这个元素原样恢复。它返回一个和 x 形状相同的数组。

relative_error 把手写的梯度和数值梯度（估计值）相比较，用的是相对于梯度整体尺度的误差，
而不是逐元素的相对误差（某个元素如果恰好是 0，比如位于一个不再激活的 ReLU（dead ReLU）之后，
1e-12 的差距就会变成一个巨大的相对误差）：

    max |analytic - numeric|  /  max(max |analytic|, max |numeric|)     （两者都为 0 时结果为 0）

相对误差不超过 1e-6（在 float64 下）时，梯度就算通过。

检查：  npvae exercise check gradient_check
提示：  npvae exercise hint gradient_check --lang zh
"""
import numpy as np


def numerical_gradient(f, x, h=1e-5):
    """标量函数 f() 对数组 x 的中心差分梯度。"""
    raise NotImplementedError("for each entry of x: f at x + h and at x - h, restore the "
                              "entry, and store the central difference")


def relative_error(analytic, numeric):
    """最大的差距，相对于两者中最大的元素：一个 float。"""
    raise NotImplementedError("the largest |analytic - numeric| over the largest |entry|")
