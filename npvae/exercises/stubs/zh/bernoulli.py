"""练习 bernoulli：由解码器的 logits 计算 -log p(x|z) 及其梯度
（指南第 1 章）。

解码器为每个像素给出一个 logit l；这个像素以概率 sigmoid(l) 取「亮」。
对 [0, 1] 中的目标 x，一个像素的二元交叉熵是

    bce(l, x) = -x log sigmoid(l) - (1 - x) log(1 - sigmoid(l))

照这样写，一旦 sigmoid 舍入成 0 或 1（float64 中大约 |l| > 40，float32 中 > 17），
就会算到 log(0)。改用 logit 来写，对「任何」logit 都是精确的：

    bce(l, x) = max(l, 0) - x * l + log(1 + exp(-|l|))
    d bce / dl = sigmoid(l) - x

形状：logits、x (N, H, W, C) -> loss (N,)：每张图片所有像素的 bce 之和；
dlogits (N, H, W, C)，是 loss 之和的梯度。保持输入的数据类型（float32 进、float32 出：
模型用 float32 训练），并且不要改动 logits 和 x。

检查：  npvae exercise check bernoulli
提示：  npvae exercise hint bernoulli --lang zh
"""
import numpy as np


def bernoulli_reconstruction(logits, x):
    """由 logits 求每张图片的 -log p(x|z)，以及它的梯度。

    参数：
        logits：(N, ...)，解码器在 sigmoid 之前的输出。
        x：(N, ...)，[0, 1] 中的目标，形状相同。

    返回：
        loss：(N,)，每张图片的奈特数（nats，对其像素求和）；dlogits：(N, ...)。
    """
    raise NotImplementedError("compute each pixel's bce from the logits, sum it per image, "
                              "and return loss, dlogits")
