"""练习 log_mean_exp：IWAE 下界里 K 个权重的平均，在对数域里算（指南第 1 章）。

重要性加权（IWAE）为每张图片抽 K 个潜在编码 z_k，并给每个编码一个权重
w_k = p(x, z_k) / q(z_k|x)。下界就是这些权重的平均值取对数：

    log (1/K sum_k w_k) = log (1/K sum_k exp(log_w[k]))

直接用权重本身去算并不可行：对一个 MNIST 数字，log w 大约是 -100，而
exp(-100) = 4e-44 已经小于 float32 能表示的最小正规数（在 float32 中 exp(-104) 就是 0），
exp(-1000) 即使在 float64 中也是 0；而且把大小相差悬殊的数加在一起，小的那些会被吞掉。
所以先减去「最大」的对数权重 m = max_k log_w[k]，在精确运算下这不会改变结果：

    log (1/K sum_k exp(log_w[k])) = m + log (sum_k exp(log_w[k] - m)) - log K

这样每个 exp(log_w[k] - m) 都不超过 1（绝不会是 inf），其中最大的恰好是 1，所以求和
至少是 1，它的对数是有限的。（如果改成减去最小值，一行里的值若相差 1000，就要算
exp(1000)，结果是 inf。）

形状：log_w (B, K)，每张图片一行 K 个对数权重 -> (B,)，每张图片一个数。
不要改动 log_w。

检查：  npvae exercise check log_mean_exp
提示：  npvae exercise hint log_mean_exp --lang zh
"""
import numpy as np


def log_mean_exp(log_w):
    """沿每一行求 exp(log_w) 的平均值再取对数，既不上溢也不下溢。

    参数：
        log_w：(B, K)。

    返回：
        (B,)。
    """
    raise NotImplementedError("shift each row by its maximum, take log-sum-exp, add the "
                              "maximum back and subtract log K")
