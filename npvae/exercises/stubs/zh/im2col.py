"""练习 im2col：把图像的每个窗口复制成矩阵的一行（指南第 2 章）。

卷积让一个 kh x kw 的窗口以步幅（stride）s 在补零填充（padding）后的图像
x (N, H, W, C) 上滑动。im2col 把每个窗口复制成一行，这样整个卷积就变成一次矩阵乘法
（见练习 conv2d）：

    cols (N*Ho*Wo, kh*kw*C),   Ho = (H + top + bottom - kh) // s + 1   （Wo 同理）

第 r = (n*Ho + i)*Wo + j 行存放左上角位于填充后像素 (i*s, j*s) 的那个窗口；它的列依次
按 (p, q, c) 的顺序排列，也就是把 Keras 卷积核 W[p, q, c, o] 展平后的顺序：

    cols[r, (p*kw + q)*C + c] = x_pad[n, i*s + p, j*s + q, c]

padding 是 (上, 下, 左, 右)：TensorFlow 的 'same' 填充遇到奇数时，会把多出来的那一行补在
「下面」（多出来的一列补在右边），所以两边的填充量可以不同。

保持输入的数据类型（float32 进、float32 出：模型用 float32 训练），并且不要改动 x。

检查：  npvae exercise check im2col
提示：  npvae exercise hint im2col --lang zh
"""
import numpy as np


def im2col(x, kh, kw, stride, padding):
    """把 x (N, H, W, C) 的各个窗口排成行：(N*Ho*Wo, kh*kw*C)。"""
    raise NotImplementedError("pad x, then copy each window into one row of cols "
                              "(columns in (p, q, c) order)")
