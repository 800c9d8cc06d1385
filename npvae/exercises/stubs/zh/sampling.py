"""练习 sampling：重参数化技巧（reparameterization trick）的前向与反向传播
（指南第 4 章）。

编码器给出对角高斯分布 q(z|x) 的均值和对数方差。如果直接抽样 z ~ N(mean, sigma^2)，
反向传播就在这里断了；所以把噪声 eps ~ N(0, I) 单独抽出来，再用它「算出」z。
这一层用自己带种子的 Generator 抽好 eps 再传进来：请用这个 eps，不要自己另抽噪声。

    sigma = exp(0.5 * log_var)            标准差（不是方差）
    z     = mean + sigma * eps            (N, D)

固定 eps 之后，z 就是 mean 和 log_var 的光滑函数：

    dmean    = dz
    dlog_var = dz * eps * 0.5 * sigma     因为 d sigma / d log_var = sigma / 2

（书中写的是 exp(log_var) * eps，在该用标准差的地方用了方差：第 4 章量一量这样做
的代价。）

形状：mean、log_var、eps、z、dz、dmean、dlog_var 都是 (N, D)。保持输入的数据类型
（float32 进、float32 出：模型用 float32 训练），并且不要改动传进来的数组。

检查：  npvae exercise check sampling
提示：  npvae exercise hint sampling --lang zh
"""
import numpy as np


def sampling_forward(mean, log_var, eps):
    """z = mean + exp(0.5 * log_var) * eps -> (z, cache)。"""
    raise NotImplementedError("compute sigma and z; return z and what backward needs")


def sampling_backward(dz, cache):
    """由 dz 求 sampling_forward 的 (dmean, dlog_var)。"""
    raise NotImplementedError("dmean is dz; dlog_var is dz * eps * d sigma / d log_var")
