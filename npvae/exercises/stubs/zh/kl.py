"""练习 kl：VAE 损失中的 KL 项及其梯度（指南第 1 章）。

编码器为每张图片给出一个对角高斯分布 q(z|x) = N(mean, exp(log_var))。损失函数衡量它
离先验（prior）N(0, I) 有多远；这个量有闭式解，对每张图片的 D 个潜在维度求和：

    kl[n] = 0.5 * sum_d (exp(log_var[n, d]) + mean[n, d]**2 - 1 - log_var[n, d])

它的梯度（对整个批次的 kl 之和求导），逐元素地：

    dmean    = mean                          (N, D)
    dlog_var = 0.5 * (exp(log_var) - 1)      (N, D)

形状：mean、log_var (N, D) -> kl (N,)，每张图片一个数。保持输入的数据类型
（float32 进、float32 出：模型用 float32 训练），并且不要改动 mean 和 log_var。

检查：  npvae exercise check kl
提示：  npvae exercise hint kl --lang zh
"""
import numpy as np


def gaussian_kl(mean, log_var):
    """每个样本的 KL(N(mean, exp(log_var)) || N(0, I))，以及它的梯度。

    参数：
        mean, log_var：(N, D)。

    返回：
        kl：(N,)；(dmean, dlog_var)：形状都是 (N, D)。
    """
    raise NotImplementedError("compute kl (N,) and the gradients dmean, dlog_var (N, D); "
                              "return kl, (dmean, dlog_var)")
